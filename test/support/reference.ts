/** A deliberately plain BigInt model of the RV64IM integer operations, the oracle for property tests. */

const M64 = (1n << 64n) - 1n;
const s64 = (x: bigint) => BigInt.asIntN(64, x);
const u64 = (x: bigint) => BigInt.asUintN(64, x);
const s32 = (x: bigint) => BigInt.asIntN(32, x);
const u32 = (x: bigint) => BigInt.asUintN(32, x);
const sext32 = (x: bigint) => u64(s32(x));

export function reference(op: string, a: bigint, b: bigint): bigint {
  switch (op) {
    case 'add': return u64(a + b);
    case 'sub': return u64(a - b);
    case 'sll': return u64(a << (b & 63n));
    case 'slt': return s64(a) < s64(b) ? 1n : 0n;
    case 'sltu': return a < b ? 1n : 0n;
    case 'xor': return a ^ b;
    case 'srl': return a >> (b & 63n);
    case 'sra': return u64(s64(a) >> (b & 63n));
    case 'or': return a | b;
    case 'and': return a & b;
    case 'mul': return u64(a * b);
    case 'mulh': return u64((s64(a) * s64(b)) >> 64n);
    case 'mulhsu': return u64((s64(a) * b) >> 64n);
    case 'mulhu': return u64((a * b) >> 64n);
    case 'div':
      if (b === 0n) return M64;
      if (s64(a) === -(1n << 63n) && s64(b) === -1n) return a;
      return u64(s64(a) / s64(b));
    case 'divu': return b === 0n ? M64 : a / b;
    case 'rem':
      if (b === 0n) return a;
      if (s64(a) === -(1n << 63n) && s64(b) === -1n) return 0n;
      return u64(s64(a) % s64(b));
    case 'remu': return b === 0n ? a : a % b;
    case 'addw': return sext32(a + b);
    case 'subw': return sext32(a - b);
    case 'sllw': return sext32(u32(a) << (b & 31n));
    case 'srlw': return sext32(u32(a) >> (b & 31n));
    case 'sraw': return sext32(s32(a) >> (b & 31n));
    case 'mulw': return sext32(a * b);
    case 'divw': {
      const x = s32(a), y = s32(b);
      if (y === 0n) return M64;
      if (x === -(1n << 31n) && y === -1n) return sext32(x);
      return sext32(x / y);
    }
    case 'divuw': return u32(b) === 0n ? M64 : sext32(u32(a) / u32(b));
    case 'remw': {
      const x = s32(a), y = s32(b);
      if (y === 0n) return sext32(x);
      if (x === -(1n << 31n) && y === -1n) return 0n;
      return sext32(x % y);
    }
    case 'remuw': return u32(b) === 0n ? sext32(a) : sext32(u32(a) % u32(b));
    default: throw new Error(`no reference for ${op}`);
  }
}
