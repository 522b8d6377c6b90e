import { describe, expect, it } from 'vitest';
import { Assembler, Reg } from '../../core/cpu/assembler.ts';
import { CodeCache } from '../../core/cpu/code-cache.ts';
import { findBlocks } from '../../core/cpu/jit/page-blocks.ts';
import { Ram } from '../../core/cpu/ram.ts';

const BASE = 0x8000_0000;

/** A page holding a loop of five instructions (slots 2..10) after two of set-up. */
function loopPage() {
  const { a0, a1, t0 } = Reg;
  const asm = new Assembler(BASE);
  asm.li(a0, 0).li(t0, 100).label('loop');
  asm.i('addi', a0, a0, 3).r('xor', a1, a1, a0).shift('slli', a1, a1, 1).i('addi', t0, t0, -1).branch('bne', t0, Reg.zero, 'loop');
  asm.label('spin').jal(Reg.zero, 'spin');
  const ram = new Ram(BASE, 1 << 20);
  ram.load(BASE, asm.bytes());
  const code = new CodeCache(ram);
  return { code, page: code.page(0) };
}

const starts = (blocks: { start: number }[]) => blocks.map((b) => b.start);

describe('basic blocks of a page', () => {
  it('keeps a loop body whole when the run loop enters it in the middle, with a block of its own for the entry', () => {
    const { code, page } = loopPage();
    const blocks = findBlocks(code, page, 0, [0, 6]); // the start, and slot 6 (the loop's third instruction)
    const loop = blocks.find((b) => b.start === 4)!; // li, li are 32-bit: the loop starts at slot 4
    expect(loop.instructions.map((i) => i.slot)).toEqual([4, 6, 8, 10, 12]); // not cut at 6: it loops on itself
    expect(blocks.find((b) => b.start === 6)!.instructions.map((i) => i.slot)).toEqual([6, 8, 10, 12]);
    expect(starts(blocks)).toEqual([0, 4, 6, 14]); // 14: the spin loop after it
  });

  it('cuts a block where a branch lands, entry or not', () => {
    const { code, page } = loopPage();
    const blocks = findBlocks(code, page, 0, [0, 4]);
    expect(blocks.find((b) => b.start === 0)!.instructions.map((i) => i.slot)).toEqual([0, 2]);
    expect(blocks.find((b) => b.start === 4)!.instructions.map((i) => i.slot)).toEqual([4, 6, 8, 10, 12]);
  });
});
