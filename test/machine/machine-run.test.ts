import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../core/machine/machine.ts';

describe('Machine.run', () => {
  it('gives every hart its turn even when each call budget is below one slice (no starvation)', () => {
    const machine = new Machine({ harts: 4, ramSize: 64 << 20, deterministic: true });
    machine.boot({ bytes: new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../assets/guests/conformance/smp_atomic.elf'))) });
    let outcome;
    for (let calls = 0; calls < 200_000; calls++) {
      outcome = machine.run(3_000);
      if (outcome.kind !== 'budget' && outcome.kind !== 'idle') break;
    }
    expect(outcome?.kind).toBe('finished');
    const output = new TextDecoder().decode(machine.output.get('uart0')!.drain());
    expect(output).toMatch(/smp_atomic: \d+ checks passed/);
    for (const hart of machine.harts) expect(hart.instret).toBeGreaterThan(10_000);
  });

  it('counts every instruction, also those of a guest that finishes within the first call', () => {
    const machine = new Machine({ harts: 1, ramSize: 64 << 20, deterministic: true });
    machine.boot({ bytes: new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../assets/guests/conformance/rv64i.elf'))) });
    const outcome = machine.run(1e9);
    expect(outcome.kind).toBe('finished');
    expect(machine.executed).toBeGreaterThan(1000);
    expect(machine.executed).toBe(machine.harts[0]!.instret);
  });
});

describe('the firmware region (OpenSBI at 0x80000000 on QEMU, docs/board.md)', () => {
  it('refuses an image with bytes in it, naming the region', () => {
    const machine = new Machine({ harts: 1, ramSize: 64 << 20, deterministic: true });
    expect(() => machine.boot({ bytes: new Uint8Array(16), loadAddress: 0x8007_fff0 }))
      .toThrow(/raw image at 0x8007fff0: overlaps the firmware's region 0x80000000\.\.0x80080000/);
    expect(() => machine.boot({ bytes: new Uint8Array(16), loadAddress: 0x8008_0000 })).not.toThrow();
  });
});
