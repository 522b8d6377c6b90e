import { describe, expect, it } from 'vitest';
import { i, r, R_OPS, u } from '../support/encode.ts';
import { HartHarness, Random } from '../support/hart-harness.ts';
import { reference } from '../support/reference.ts';

/** Register-register operations against the BigInt model, on edge values and random ones. */
describe('RV64IM register-register operations', () => {
  for (const [name, [f7, f3, opcode]] of Object.entries(R_OPS)) {
    it(`${name} matches the reference on 400 operand pairs, incl. rd = rs1 and rd = x0`, () => {
      const h = new HartHarness();
      const rnd = new Random(name.length * 7919 + f3);
      h.program([r(f7, 6, 5, f3, 7, opcode), r(f7, 6, 5, f3, 5, opcode), r(f7, 6, 5, f3, 0, opcode)]);
      for (let k = 0; k < 400; k++) {
        const a = rnd.operand(), b2 = rnd.operand();
        h.start();
        h.setReg(5, a);
        h.setReg(6, b2);
        h.run(3);
        const expected = reference(name, a, b2);
        expect(h.reg(7), `${name} 0x${a.toString(16)}, 0x${b2.toString(16)}`).toBe(expected);
        expect(h.reg(5), `${name} with rd = rs1`).toBe(expected);
        expect(h.reg(0)).toBe(0n);
      }
    });
  }
});

describe('RV64I register-immediate operations', () => {
  const ops: [string, number, (a: bigint, imm: bigint) => bigint][] = [
    ['addi', 0, (a, m) => BigInt.asUintN(64, a + m)],
    ['slti', 2, (a, m) => (BigInt.asIntN(64, a) < BigInt.asIntN(64, m) ? 1n : 0n)],
    ['sltiu', 3, (a, m) => (a < BigInt.asUintN(64, m) ? 1n : 0n)],
    ['xori', 4, (a, m) => a ^ BigInt.asUintN(64, m)],
    ['ori', 6, (a, m) => a | BigInt.asUintN(64, m)],
    ['andi', 7, (a, m) => a & BigInt.asUintN(64, m)],
    ['addiw', -1, (a, m) => BigInt.asUintN(64, BigInt.asIntN(32, a + m))],
  ];
  for (const [name, f3, model] of ops) {
    it(`${name} matches the reference for every 12-bit immediate edge`, () => {
      const h = new HartHarness();
      const rnd = new Random(f3 + 100);
      for (const imm of [0, 1, -1, 2047, -2048, 0x7ff, 5, -5, 0x555]) {
        for (let k = 0; k < 30; k++) {
          const a = rnd.operand();
          h.program([f3 < 0 ? i(imm, 5, 0, 7, 0x1b) : i(imm, 5, f3, 7, 0x13)]);
          h.start();
          h.setReg(5, a);
          h.run(1);
          expect(h.reg(7), `${name} 0x${a.toString(16)}, ${imm}`).toBe(model(a, BigInt(imm)));
        }
      }
    });
  }

  it('shifts by immediate cover 0, 31, 32 and 63 (and W forms 0..31)', () => {
    const h = new HartHarness();
    const rnd = new Random(42);
    for (const sh of [0, 1, 31, 32, 33, 63]) {
      for (let k = 0; k < 20; k++) {
        const a = rnd.operand();
        h.program([i(sh, 5, 1, 7, 0x13), i(sh, 5, 5, 8, 0x13), i(sh | 0x400, 5, 5, 9, 0x13)]);
        h.start(); h.setReg(5, a); h.run(3);
        expect(h.reg(7)).toBe(reference('sll', a, BigInt(sh)));
        expect(h.reg(8)).toBe(reference('srl', a, BigInt(sh)));
        expect(h.reg(9)).toBe(reference('sra', a, BigInt(sh)));
        if (sh < 32) {
          h.program([i(sh, 5, 1, 7, 0x1b), i(sh, 5, 5, 8, 0x1b), i(sh | 0x400, 5, 5, 9, 0x1b)]);
          h.start(); h.setReg(5, a); h.run(3);
          expect(h.reg(7)).toBe(reference('sllw', a, BigInt(sh)));
          expect(h.reg(8)).toBe(reference('srlw', a, BigInt(sh)));
          expect(h.reg(9)).toBe(reference('sraw', a, BigInt(sh)));
        }
      }
    }
  });

  it('lui and auipc sign-extend their 32-bit result', () => {
    const h = new HartHarness();
    h.program([u(0x80000000, 5, 0x37), u(0x12345000, 6, 0x37), u(0xfffff000, 7, 0x17)]);
    h.start(); h.run(3);
    expect(h.reg(5)).toBe(0xffffffff80000000n);
    expect(h.reg(6)).toBe(0x12345000n);
    expect(h.reg(7)).toBe(0x80000008n - 0x1000n);
  });
});
