import { Op } from './opcodes.ts';

/**
 * The M extension on registers held as (low, high) int32 pairs. The common cases (operands that are
 * sign-extended 32-bit values) stay in doubles, which are exact there; the rest falls back to BigInt.
 */

/** High 32 bits of the unsigned 64-bit product of two uint32 values. */
export function mulhu32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const t = a0 * b0;
  const m1 = a1 * b0 + (t >>> 16);
  const m2 = a0 * b1 + (m1 & 0xffff);
  return (a1 * b1 + (m1 >>> 16) + (m2 >>> 16)) | 0;
}

function toSigned(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

function toUnsigned(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function store(L: Int32Array, H: Int32Array, rd: number, v: bigint): void {
  L[rd] = Number(BigInt.asIntN(32, v));
  H[rd] = Number(BigInt.asIntN(32, v >> 32n));
}

function storeNumber(L: Int32Array, H: Int32Array, rd: number, v: number): void {
  L[rd] = v | 0;
  H[rd] = v < 0 ? -1 : Math.floor(v / 4294967296) | 0;
}

/** Executes every M-extension operation except MUL and MULW (which the run loop inlines). */
export function mulDiv(op: Op, L: Int32Array, H: Int32Array, rd: number, rs1: number, rs2: number): void {
  const al = L[rs1]!, ah = H[rs1]!, bl = L[rs2]!, bh = H[rs2]!;
  const aSmall = ah === al >> 31, bSmall = bh === bl >> 31;
  switch (op) {
    case Op.Mulh:
      if (aSmall && bSmall) {
        const negative = al !== 0 && bl !== 0 && (al < 0) !== (bl < 0);
        L[rd] = H[rd] = negative ? -1 : 0;
      } else store(L, H, rd, (toSigned(al, ah) * toSigned(bl, bh)) >> 64n);
      return;
    case Op.Mulhu:
      if (ah === 0 && bh === 0) L[rd] = H[rd] = 0;
      else store(L, H, rd, (toUnsigned(al, ah) * toUnsigned(bl, bh)) >> 64n);
      return;
    case Op.Mulhsu:
      store(L, H, rd, (toSigned(al, ah) * toUnsigned(bl, bh)) >> 64n);
      return;
    case Op.Div:
      if (bl === 0 && bh === 0) { L[rd] = H[rd] = -1; return; }
      if (aSmall && bSmall) { storeNumber(L, H, rd, Math.trunc(al / bl)); return; }
      if (al === 0 && ah === -0x80000000 && bl === -1 && bh === -1) { L[rd] = 0; H[rd] = -0x80000000; return; }
      store(L, H, rd, toSigned(al, ah) / toSigned(bl, bh));
      return;
    case Op.Divu:
      if (bl === 0 && bh === 0) { L[rd] = H[rd] = -1; return; }
      if (ah === 0 && bh === 0) { storeNumber(L, H, rd, Math.floor((al >>> 0) / (bl >>> 0))); return; }
      store(L, H, rd, toUnsigned(al, ah) / toUnsigned(bl, bh));
      return;
    case Op.Rem:
      if (bl === 0 && bh === 0) { L[rd] = al; H[rd] = ah; return; }
      if (aSmall && bSmall) { storeNumber(L, H, rd, bl === -1 ? 0 : al % bl); return; }
      if (bl === -1 && bh === -1) { L[rd] = H[rd] = 0; return; }
      store(L, H, rd, toSigned(al, ah) % toSigned(bl, bh));
      return;
    case Op.Remu:
      if (bl === 0 && bh === 0) { L[rd] = al; H[rd] = ah; return; }
      if (ah === 0 && bh === 0) { storeNumber(L, H, rd, (al >>> 0) % (bl >>> 0)); return; }
      store(L, H, rd, toUnsigned(al, ah) % toUnsigned(bl, bh));
      return;
    case Op.Divw: {
      let q: number;
      if (bl === 0) q = -1;
      else if (al === -0x80000000 && bl === -1) q = al;
      else q = Math.trunc(al / bl) | 0;
      L[rd] = q; H[rd] = q >> 31;
      return;
    }
    case Op.Divuw: {
      const q = bl === 0 ? -1 : Math.floor((al >>> 0) / (bl >>> 0)) | 0;
      L[rd] = q; H[rd] = q >> 31;
      return;
    }
    case Op.Remw: {
      const r = bl === 0 ? al : bl === -1 ? 0 : (al % bl) | 0;
      L[rd] = r; H[rd] = r >> 31;
      return;
    }
    case Op.Remuw: {
      const r = bl === 0 ? al : ((al >>> 0) % (bl >>> 0)) | 0;
      L[rd] = r; H[rd] = r >> 31;
      return;
    }
  }
}
