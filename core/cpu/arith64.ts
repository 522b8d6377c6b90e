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

const TWO32 = 4294967296;

/**
 * High 64 bits of the unsigned 128-bit product, from four 32x32 partial products; every sum stays
 * below 2^35, so doubles are exact. Result in L/H[rd].
 */
function mulhu64(L: Int32Array, H: Int32Array, rd: number, al: number, ah: number, bl: number, bh: number): void {
  const mid = (mulhu32(al, bl) >>> 0) + (Math.imul(al, bh) >>> 0) + (Math.imul(ah, bl) >>> 0);
  const low = (Math.imul(ah, bh) >>> 0) + (mulhu32(al, bh) >>> 0) + (mulhu32(ah, bl) >>> 0) + Math.floor(mid / TWO32);
  L[rd] = low | 0;
  H[rd] = (mulhu32(ah, bh) + Math.floor(low / TWO32)) | 0;
}

/** Subtracts (xl, xh) from the 64-bit value in L/H[rd] (wrapping). */
function subtractInto(L: Int32Array, H: Int32Array, rd: number, xl: number, xh: number): void {
  const l = L[rd]!;
  H[rd] = (H[rd]! - xh - ((l >>> 0) < (xl >>> 0) ? 1 : 0)) | 0;
  L[rd] = (l - xl) | 0;
}

/**
 * Unsigned 64-bit by 32-bit division in 16-bit steps (each partial dividend < 2^48, exact in doubles).
 * Quotient in out[0..1] (low, high), remainder returned.
 */
function divu64by32(al: number, ah: number, divisor: number, out: Float64Array): number {
  const hi = ah >>> 0;
  const qHi = Math.floor(hi / divisor);
  let r = hi - qHi * divisor;
  const t1 = r * 65536 + (al >>> 16);
  const q1 = Math.floor(t1 / divisor);
  r = t1 - q1 * divisor;
  const t0 = r * 65536 + (al & 0xffff);
  const q0 = Math.floor(t0 / divisor);
  out[0] = q1 * 65536 + q0; // < 2^32
  out[1] = qHi;
  return t0 - q0 * divisor;
}

const quotient = new Float64Array(2);

/** Executes every M-extension operation except MUL and MULW (which the run loop inlines). */
export function mulDiv(op: Op, L: Int32Array, H: Int32Array, rd: number, rs1: number, rs2: number): void {
  const al = L[rs1]!, ah = H[rs1]!, bl = L[rs2]!, bh = H[rs2]!;
  const aSmall = ah === al >> 31, bSmall = bh === bl >> 31;
  switch (op) {
    case Op.Mulh:
      if (aSmall && bSmall) {
        const negative = al !== 0 && bl !== 0 && (al < 0) !== (bl < 0);
        L[rd] = H[rd] = negative ? -1 : 0;
        return;
      }
      mulhu64(L, H, rd, al, ah, bl, bh);
      if (ah < 0) subtractInto(L, H, rd, bl, bh);
      if (bh < 0) subtractInto(L, H, rd, al, ah);
      return;
    case Op.Mulhu:
      mulhu64(L, H, rd, al, ah, bl, bh);
      return;
    case Op.Mulhsu:
      mulhu64(L, H, rd, al, ah, bl, bh);
      if (ah < 0) subtractInto(L, H, rd, bl, bh);
      return;
    case Op.Div: case Op.Rem: {
      if (bl === 0 && bh === 0) { if (op === Op.Div) { L[rd] = H[rd] = -1; } else { L[rd] = al; H[rd] = ah; } return; }
      if (aSmall && bSmall) {
        if (op === Op.Div) storeNumber(L, H, rd, Math.trunc(al / bl));
        else storeNumber(L, H, rd, bl === -1 ? 0 : al % bl);
        return;
      }
      // magnitudes, without arrays: this runs once per 64-bit division
      const ul = ah < 0 ? -al | 0 : al, uh = ah < 0 ? (~ah + (al === 0 ? 1 : 0)) | 0 : ah;
      const vl = bh < 0 ? -bl | 0 : bl, vh = bh < 0 ? (~bh + (bl === 0 ? 1 : 0)) | 0 : bh;
      if (vh === 0 && !(al === 0 && ah === -0x80000000)) {
        const r = divu64by32(ul, uh, vl >>> 0, quotient);
        if (op === Op.Div) {
          const ql = quotient[0]! | 0, qh = quotient[1]! | 0;
          const negative = (ah < 0) !== (bh < 0);
          L[rd] = negative ? -ql | 0 : ql;
          H[rd] = negative ? (~qh + (ql === 0 ? 1 : 0)) | 0 : qh;
        } else {
          const rl = r | 0;
          L[rd] = ah < 0 ? -rl | 0 : rl;
          H[rd] = ah < 0 && rl !== 0 ? -1 : 0;
        }
        return;
      }
      if (al === 0 && ah === -0x80000000 && bl === -1 && bh === -1) {
        if (op === Op.Div) { L[rd] = 0; H[rd] = -0x80000000; } else { L[rd] = H[rd] = 0; }
        return;
      }
      store(L, H, rd, op === Op.Div ? toSigned(al, ah) / toSigned(bl, bh) : toSigned(al, ah) % toSigned(bl, bh));
      return;
    }
    case Op.Divu: case Op.Remu: {
      if (bl === 0 && bh === 0) { if (op === Op.Divu) { L[rd] = H[rd] = -1; } else { L[rd] = al; H[rd] = ah; } return; }
      if (bh === 0) {
        const r = divu64by32(al, ah, bl >>> 0, quotient);
        if (op === Op.Divu) { L[rd] = quotient[0]! | 0; H[rd] = quotient[1]! | 0; } else { L[rd] = r | 0; H[rd] = 0; }
        return;
      }
      store(L, H, rd, op === Op.Divu ? toUnsigned(al, ah) / toUnsigned(bl, bh) : toUnsigned(al, ah) % toUnsigned(bl, bh));
      return;
    }
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
