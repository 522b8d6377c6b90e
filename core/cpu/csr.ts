import type { Hart } from './hart.ts';
import { S_INTERRUPTS, SSIP } from './trap.ts';

/** CSR numbers this hart implements (S-mode and the user counters; M-mode belongs to the emulator). */
export const enum Csr {
  Sstatus = 0x100,
  Sie = 0x104,
  Stvec = 0x105,
  Scounteren = 0x106,
  Senvcfg = 0x10a,
  Sscratch = 0x140,
  Sepc = 0x141,
  Scause = 0x142,
  Stval = 0x143,
  Sip = 0x144,
  Satp = 0x180,
  Cycle = 0xc00,
  Time = 0xc01,
  Instret = 0xc02,
  Hpmcounter31 = 0xc1f,
}

export const SSTATUS_SIE = 1 << 1;
export const SSTATUS_SPIE = 1 << 5;
export const SSTATUS_SPP = 1 << 8;
export const SSTATUS_SUM = 1 << 18;
export const SSTATUS_MXR = 1 << 19;
export const SSTATUS_WRITABLE = SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP | SSTATUS_SUM | SSTATUS_MXR;
/** sstatus bits 32..63: UXL = 2 (user mode is 64-bit), read-only. */
const SSTATUS_HI = 2;

export const SATP_BARE = 0;
export const SATP_SV39 = 8;
export const SATP_SV48 = 9;

/**
 * Reads CSR `csr` into hart.csrValue (low, high). Returns false when the access is illegal at the hart's
 * privilege (the caller raises an illegal-instruction exception).
 */
export function readCsr(hart: Hart, csr: number): boolean {
  if (!accessible(hart, csr)) return false;
  const out = hart.csrValue;
  switch (csr) {
    case Csr.Sstatus: out[0] = hart.sstatus; out[1] = SSTATUS_HI; return true;
    case Csr.Sie: out[0] = hart.sie; out[1] = 0; return true;
    case Csr.Sip: out[0] = hart.mip & S_INTERRUPTS; out[1] = 0; return true;
    case Csr.Stvec: out[0] = hart.stvec[0]!; out[1] = hart.stvec[1]!; return true;
    case Csr.Scounteren: out[0] = hart.scounteren; out[1] = 0; return true;
    case Csr.Senvcfg: out[0] = hart.senvcfg; out[1] = 0; return true;
    case Csr.Sscratch: out[0] = hart.sscratch[0]!; out[1] = hart.sscratch[1]!; return true;
    case Csr.Sepc: out[0] = hart.sepc[0]!; out[1] = hart.sepc[1]!; return true;
    case Csr.Scause: out[0] = hart.scause[0]!; out[1] = hart.scause[1]!; return true;
    case Csr.Stval: out[0] = hart.stval[0]!; out[1] = hart.stval[1]!; return true;
    case Csr.Satp: out[0] = hart.satp[0]!; out[1] = hart.satp[1]!; return true;
    case Csr.Cycle:
    case Csr.Instret: setNumber(out, hart.retired()); return true;
    case Csr.Time: setNumber(out, hart.exits.time(hart)); return true;
    default:
      if (csr > Csr.Instret && csr <= Csr.Hpmcounter31) { out[0] = out[1] = 0; return true; }
      return false;
  }
}

/** Writes CSR `csr`; returns false when the write is illegal (read-only or inaccessible CSR). */
export function writeCsr(hart: Hart, csr: number, lo: number, hi: number): boolean {
  if (!accessible(hart, csr) || (csr >>> 10) === 3) return false;
  switch (csr) {
    case Csr.Sstatus: {
      const before = hart.sstatus;
      hart.sstatus = lo & SSTATUS_WRITABLE;
      if (((before ^ hart.sstatus) & (SSTATUS_SUM | SSTATUS_MXR)) !== 0) hart.flushTlb();
      return true;
    }
    case Csr.Sie: hart.sie = lo & S_INTERRUPTS; return true;
    case Csr.Sip: hart.mip = (hart.mip & ~SSIP) | (lo & SSIP); return true;
    case Csr.Stvec:
      if ((lo & 3) < 2) { hart.stvec[0] = lo; hart.stvec[1] = hi; }
      return true;
    case Csr.Scounteren: hart.scounteren = lo; return true;
    case Csr.Senvcfg: hart.senvcfg = lo & 1; return true;
    case Csr.Sscratch: hart.sscratch[0] = lo; hart.sscratch[1] = hi; return true;
    case Csr.Sepc: hart.sepc[0] = lo & ~1; hart.sepc[1] = hi; return true;
    case Csr.Scause: hart.scause[0] = lo; hart.scause[1] = hi; return true;
    case Csr.Stval: hart.stval[0] = lo; hart.stval[1] = hi; return true;
    case Csr.Satp: {
      const mode = hi >>> 28;
      if (mode !== SATP_BARE && mode !== SATP_SV39 && mode !== SATP_SV48) return true; // whole write ignored
      hart.satp[0] = lo;
      hart.satp[1] = hi;
      hart.flushTlb();
      return true;
    }
    default:
      return false;
  }
}

/** Privilege and counter-enable checks common to reads and writes. */
function accessible(hart: Hart, csr: number): boolean {
  if (((csr >>> 8) & 3) > hart.priv) return false;
  if (csr >= Csr.Cycle && csr <= Csr.Hpmcounter31 && hart.priv === 0) {
    return ((hart.scounteren >>> (csr - Csr.Cycle)) & 1) === 1;
  }
  return true;
}

function setNumber(out: Int32Array, v: number): void {
  out[0] = v | 0;
  out[1] = Math.floor(v / 4294967296) | 0;
}
