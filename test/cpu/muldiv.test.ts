import { describe, expect, it } from 'vitest';
import { mulDiv } from '../../core/cpu/arith64.ts';
import { Op } from '../../core/cpu/opcodes.ts';

// The M extension's semantics on 64-bit BigInts (RISC-V spec, chapter M: division by zero and overflow).
const MIN = -(2n ** 63n);
const s64 = (v: bigint) => BigInt.asIntN(64, v), u64 = (v: bigint) => BigInt.asUintN(64, v);
const w32 = (v: bigint) => BigInt.asIntN(64, BigInt.asIntN(32, v)); // a 32-bit result, sign-extended
const REFERENCE: [Op, (a: bigint, b: bigint) => bigint][] = [
  [Op.Mulh, (a, b) => (a * b) >> 64n],
  [Op.Mulhsu, (a, b) => (a * u64(b)) >> 64n],
  [Op.Mulhu, (a, b) => (u64(a) * u64(b)) >> 64n],
  [Op.Div, (a, b) => b === 0n ? -1n : a === MIN && b === -1n ? MIN : a / b],
  [Op.Divu, (a, b) => u64(b) === 0n ? -1n : u64(a) / u64(b)],
  [Op.Rem, (a, b) => b === 0n ? a : a === MIN && b === -1n ? 0n : a % b],
  [Op.Remu, (a, b) => u64(b) === 0n ? a : u64(a) % u64(b)],
  [Op.Divw, (a, b) => { const x = w32(a), y = w32(b); return y === 0n ? -1n : x === -(2n ** 31n) && y === -1n ? x : w32(x / y); }],
  [Op.Divuw, (a, b) => { const x = BigInt.asUintN(32, a), y = BigInt.asUintN(32, b); return y === 0n ? -1n : w32(x / y); }],
  [Op.Remw, (a, b) => { const x = w32(a), y = w32(b); return y === 0n ? x : y === -1n ? 0n : w32(x % y); }],
  [Op.Remuw, (a, b) => { const x = BigInt.asUintN(32, a), y = BigInt.asUintN(32, b); return y === 0n ? w32(x) : w32(x % y); }],
];

const VALUES = [0n, 1n, -1n, 2n, 7n, -7n, 3n, -5n, 0x7fffffffn, -0x80000000n, 0x80000000n, -0x80000001n, 0xffffffffn,
  0x100000000n, -0x100000000n, 0x123456789abcdefn, -0x123456789abcdefn, MIN, 2n ** 63n - 1n, 0xdeadbeefcafebaben];

describe('M extension on register pairs', () => {
  it('matches the specification for edge-case and full 64-bit operands', () => {
    const L = new Int32Array(33), H = new Int32Array(33);
    const set = (r: number, v: bigint) => { L[r] = Number(BigInt.asIntN(32, v)); H[r] = Number(BigInt.asIntN(32, v >> 32n)); };
    const mismatches: string[] = [];
    for (const [op, reference] of REFERENCE) {
      for (const a of VALUES.map(s64)) {
        for (const b of VALUES.map(s64)) {
          set(1, a); set(2, b);
          mulDiv(op, L, H, 3, 1, 2);
          const got = (BigInt(H[3]!) << 32n) | BigInt(L[3]! >>> 0);
          const want = s64(reference(a, b));
          if (got !== want) mismatches.push(`op ${op} ${a} ${b}: ${got} != ${want}`);
        }
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});
