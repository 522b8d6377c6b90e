import { describe, expect, it } from 'vitest';
import { Op } from '../../core/cpu/opcodes.ts';
import { Machine } from '../../core/machine/machine.ts';
import { runWarmUpProgram, WARM_UP_CODE_OFFSET, WARM_UP_RAM_SIZE } from '../../core/machine/warm-up.ts';

/** Every operation of opcodes.ts but Undecoded (Illegal..Li). */
const ALL_OPS = Array.from({ length: Op.Li - Op.Illegal + 1 }, (_, i) => Op.Illegal + i);

describe('run-loop warm-up', () => {
  it('runs to its end through the finisher, trapping where it means to', () => {
    const machine = new Machine({ harts: 1, ramSize: WARM_UP_RAM_SIZE, deterministic: true, extraUarts: 0, trace: true, jit: false });
    const outcome = runWarmUpProgram(machine);
    expect(outcome).toEqual({ kind: 'finished', result: { kind: 'pass', code: 0 } });
    const traps = new Set(machine.trace!.drain().filter((r) => r.kind === 'trap' || r.kind === 'interrupt')
      .map((r) => r.detail.replace(/ \(.*/, '').replace(/ at pc.*/, '')));
    // illegal, breakpoint, misaligned load/AMO, access faults, ECALL from U, a page fault, the software interrupt
    expect([...traps].sort()).toEqual(['cause 13', 'cause 2', 'cause 3', 'cause 4', 'cause 5', 'cause 6', 'cause 7',
      'cause 8', 'irq 1'].sort());
    expect(machine.executed).toBeGreaterThan(10_000);
  });

  it('ends the same way with the block translator, after the same number of instructions', () => {
    const run = (jit: boolean) => {
      const machine = new Machine({ harts: 1, ramSize: WARM_UP_RAM_SIZE, deterministic: true, extraUarts: 0, jit });
      return { outcome: runWarmUpProgram(machine), executed: machine.executed, traps: machine.harts[0]!.traps };
    };
    expect(run(true)).toEqual(run(false));
  });

  it('executes every kind of instruction the run loop dispatches on', () => {
    const machine = new Machine({ harts: 1, ramSize: WARM_UP_RAM_SIZE, deterministic: true, extraUarts: 0, jit: false });
    runWarmUpProgram(machine);
    // Instructions are decoded when first fetched for execution, so the decoded pages list what ran.
    const executed = new Set<number>();
    for (let page = 0; page < 3; page++) {
      for (const w of machine.code.page(WARM_UP_CODE_OFFSET + page * 4096).words) if (w !== 0) executed.add(w & 0xff);
    }
    const missing = ALL_OPS.filter((op) => !executed.has(op));
    expect(missing).toEqual([]);
  });
});
