/**
 * What the translator learns after a page is translated: code the translation lacks runs in the
 * interpreter up to the next block start, and the page is translated again only for what runs often
 * enough to pay for it. The boards here translate as the app's do (after HOT_ENTRIES entries), and each result is checked
 * against the interpreter's.
 */
import { describe, expect, it } from 'vitest';
import { Assembler, Reg } from '../../core/cpu/assembler.ts';
import { Machine } from '../../core/machine/machine.ts';

const origin = 0x8020_0000, { zero, a0, s0, t0, t1 } = Reg;
const FINISHER = 0x10_0000;

/**
 * One page: a hot loop that gets the page translated, then an indirect jump (the translation does not
 * follow it) into code of the same page that is not translated: `later` emits that code.
 */
function program(later: (asm: Assembler) => void): Uint8Array {
  const asm = new Assembler(origin);
  asm.li(s0, 20_000).li(a0, 0).label('hot').i('addi', a0, a0, 1).i('addi', s0, s0, -1).branch('bne', s0, zero, 'hot');
  asm.la(t0, 'later').jalr(zero, t0, 0);
  asm.label('later');
  later(asm);
  asm.lui(t0, FINISHER >> 12).li(t1, 0x5555).store('sw', t1, t0, 0); // power off
  return asm.bytes();
}

/** Runs the image in small slices (the run loop enters the page at each) on a board with and without the translator. */
function runBoth(bytes: Uint8Array): { translated: Machine; interpreted: Machine } {
  const run = (jit: boolean) => {
    const m = new Machine({ harts: 1, deterministic: true, ramSize: 16 << 20, jit });
    m.boot({ bytes, loadAddress: origin });
    for (let i = 0; i < 400; i++) if (m.run(1000).kind === 'finished') return m;
    throw new Error('the program did not finish');
  };
  const translated = run(true), interpreted = run(false);
  expect(translated.harts[0]!.pc).toBe(interpreted.harts[0]!.pc);
  const registers = (m: Machine) => Array.from(m.harts[0]!.xlo.subarray(0, 32));
  expect(registers(translated)).toEqual(registers(interpreted));
  return { translated, interpreted };
}

describe('translator: code a translated page lacks', () => {
  it('runs once in the interpreter without translating the page again', () => {
    // 600 instructions in a row, run once: none an entry of its own but the first
    const { translated } = runBoth(program((asm) => { for (let i = 0; i < 600; i++) asm.i('addi', a0, a0, 3); }));
    expect(translated.harts[0]!.xlo[a0]).toBe(20_000 + 1800);
    expect(translated.translator!.stats.modules, 'the first translation only').toBe(1);
  });

  it('is translated again when it loops, and the loop then runs in translated code', () => {
    const { translated } = runBoth(program((asm) => {
      asm.li(s0, 30_000).label('cold').i('addi', a0, a0, 2).i('addi', s0, s0, -1).branch('bne', s0, zero, 'cold');
    }));
    expect(translated.harts[0]!.xlo[a0]).toBe(20_000 + 60_000);
    const { modules, steps } = translated.translator!.stats;
    expect(modules, 'translated again with the loop').toBe(2);
    // the loop's instructions run inside translated code, not handed over one by one
    expect(steps).toBeLessThan(10_000);
  });
});
