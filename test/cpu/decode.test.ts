import { describe, expect, it } from 'vitest';
import { decodeInstruction, expandCompressed, type Decoded } from '../../core/cpu/decode.ts';
import { Op } from '../../core/cpu/opcodes.ts';
import { assemble, toolchainAvailable } from '../support/toolchain.ts';

/** Every compressible form, written as its 32-bit instruction; the assembler compresses each one. */
const COMPRESSIBLE = [
  'addi a0, sp, 16', 'addi s1, sp, 1020', 'ld a1, 8(a0)', 'ld s0, 248(a5)', 'lw a1, 4(a0)', 'lw a2, 124(s1)',
  'sd a1, 8(a0)', 'sd a4, 248(a5)', 'sw a1, 4(a0)', 'sw s0, 124(a3)', 'addi a0, a0, -3', 'addi t0, t0, 31',
  'addiw a0, a0, 5', 'addiw s2, s2, -32', 'li a0, -7', 'li t6, 31', 'addi sp, sp, -64', 'addi sp, sp, 496',
  'addi sp, sp, -512', 'lui a0, 0x1f', 'lui t1, 0xfffe1', 'srli a0, a0, 33', 'srli s1, s1, 1', 'srai a0, a0, 7',
  'srai a5, a5, 63', 'andi a0, a0, -9', 'andi s0, s0, 31', 'sub a0, a0, a1', 'xor a2, a2, a3', 'or s0, s0, s1',
  'and a4, a4, a5', 'subw a0, a0, a1', 'addw a5, a5, s1', 'j .+2046', 'j .-2048', 'j .+8', 'beqz a0, .+254',
  'beqz s1, .-256', 'bnez a5, .+6', 'bnez a0, .-2', 'slli a0, a0, 63', 'slli t3, t3, 1', 'lw a0, 12(sp)',
  'lw ra, 252(sp)', 'ld a0, 504(sp)', 'ld s11, 8(sp)', 'jr a0', 'jr ra', 'mv a0, a1', 'mv t6, s0', 'ebreak',
  'jalr a0', 'jalr t2', 'add a0, a0, a1', 'add sp, sp, t0', 'sw a1, 60(sp)', 'sw zero, 252(sp)',
  'sd a1, 504(sp)', 'sd s0, 0(sp)', 'nop',
];

function decodeAt(bytes: Uint8Array, offset: number): Decoded {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const out = { word: 0, imm: 0 };
  decodeInstruction(view.getUint16(offset, true), offset + 2 < bytes.length ? view.getUint16(offset + 2, true) : 0, out);
  return out;
}

describe('compressed instructions', () => {
  it.skipIf(!toolchainAvailable)('decode exactly like the 32-bit instruction they expand to (checked with GNU as)', () => {
    const source = COMPRESSIBLE.map((line) => `  ${line}\n`).join('');
    const compressed = assemble(source, 'rv64imac');
    const normal = assemble(source, 'rv64ima');
    expect(compressed.length, 'every line must have been compressed').toBe(COMPRESSIBLE.length * 2);
    expect(normal.length).toBe(COMPRESSIBLE.length * 4);
    COMPRESSIBLE.forEach((line, k) => {
      const c = decodeAt(compressed, k * 2);
      const n = decodeAt(normal, k * 4);
      expect(c.word & 0xffffff, line).toBe(n.word & 0xffffff);
      expect(c.imm, line).toBe(n.imm);
      expect(c.word >>> 24, `${line}: length`).toBe(1);
      expect(n.word >>> 24).toBe(2);
      expect(c.word & 0xff, `${line} must not be illegal`).not.toBe(Op.Illegal);
    });
  });

  it('reserved and floating-point encodings are illegal, with the 16 raw bits as the value for stval', () => {
    const reserved = [
      0x0000, // all zero: c.addi4spn with nzuimm 0
      0x2000, // c.fld
      0x8000, // quadrant 0 funct3 100 (reserved)
      0x6101, // c.addi16sp with nzimm 0
      0x6081, // c.lui x1 with imm 0
      0x2001, // c.addiw x0
      0x4002, // c.lwsp x0
      0x6002, // c.ldsp x0
      0x8002, // c.jr x0
      0x9c41, // c.subw reserved slots: 1001 11 ... funct 10
      0x2002, // c.fldsp
      0xa002, // c.fsdsp
    ];
    for (const c of reserved) {
      const out = { word: 0, imm: 0 };
      decodeInstruction(c, 0, out);
      expect(out.word & 0xff, `0x${c.toString(16)}`).toBe(Op.Illegal);
      expect(out.imm).toBe(c);
      expect(out.word >>> 24).toBe(1);
    }
  });

  it('every legal one of the 49152 compressed encodings expands to a legal 32-bit instruction', () => {
    let legal = 0;
    for (let c = 0; c < 0x10000; c++) {
      if ((c & 3) === 3) continue;
      const expanded = expandCompressed(c);
      if (expanded === -1) continue;
      legal++;
      const out = { word: 0, imm: 0 };
      decodeInstruction(c, 0, out);
      expect(out.word & 0xff, `0x${c.toString(16)} -> 0x${(expanded >>> 0).toString(16)}`).not.toBe(Op.Illegal);
    }
    // Q0: 5 of 8 groups minus c.addi4spn with imm 0; Q1: all but reserved forms; Q2: 6 of 8 groups.
    expect(legal).toBeGreaterThan(38000);
  });
});

describe('32-bit instructions', () => {
  it('an all-ones word and unknown opcodes are illegal with the instruction as stval', () => {
    for (const w of [0xffffffff, 0x00000007 /* flw */, 0x0000007f, 0x30200073 /* mret */, 0x0000500f /* misc-mem 5 */]) {
      const out = { word: 0, imm: 0 };
      decodeInstruction(w & 0xffff, w >>> 16, out);
      expect(out.word & 0xff, `0x${w.toString(16)}`).toBe(Op.Illegal);
      expect(out.imm >>> 0).toBe(w >>> 0);
    }
  });
});
