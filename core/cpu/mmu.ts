import { SATP_BARE, SATP_SV48, SSTATUS_MXR, SSTATUS_SUM } from './csr.ts';
import { Access } from './environment.ts';
import type { Hart } from './hart.ts';
import { Cause } from './trap.ts';

export const TLB_SIZE = 512;
/** A tagHi no virtual address produces (real ones are vhi >> 12, within ±2^19). */
const INVALID = -0x80000000;

/**
 * A direct-mapped software TLB for one kind of access. A hit costs two compares and yields the RAM byte
 * offset of the page (after both translation stages), or -1 for a device page whose GPA is in `gpa`.
 * Tags: `tagLo` = bits 12..43 of the virtual address, `tagHi` = bits 44..63 (sign-extended).
 */
export class Tlb {
  readonly tagLo: Int32Array;
  readonly tagHi: Int32Array;
  readonly base: Int32Array;
  readonly gpa = new Float64Array(TLB_SIZE);

  /** `buffer`/`offsets`: the arrays inside shared memory (translated code reads them); default their own. */
  constructor(buffer?: ArrayBuffer, offsets?: { tagLo: number; tagHi: number; base: number }) {
    this.tagLo = buffer ? new Int32Array(buffer, offsets!.tagLo, TLB_SIZE) : new Int32Array(TLB_SIZE);
    this.tagHi = (buffer ? new Int32Array(buffer, offsets!.tagHi, TLB_SIZE) : new Int32Array(TLB_SIZE)).fill(INVALID);
    this.base = buffer ? new Int32Array(buffer, offsets!.base, TLB_SIZE) : new Int32Array(TLB_SIZE);
  }

  flush(): void {
    this.tagHi.fill(INVALID);
  }

  fill(vlo: number, vhi: number, ramPage: number, gpaPage: number): void {
    const i = tlbIndex(vlo);
    this.tagLo[i] = (vlo >>> 12) | (vhi << 20);
    this.tagHi[i] = vhi >> 12;
    this.base[i] = ramPage;
    this.gpa[i] = gpaPage;
  }
}

/**
 * The TLB entry of a virtual address: page bits 12..20 folded with 21..29, so arrays a multiple of 2 MiB
 * apart (a[i], b[i] of large static arrays) do not evict each other. The run loop and translated code
 * inline the same expression.
 */
export function tlbIndex(vlo: number): number {
  return ((vlo >>> 12) ^ (vlo >>> 21)) & (TLB_SIZE - 1);
}

/** translate() results besides a RAM byte offset (>= 0). */
export const DEVICE = -1;
export const FAULTED = -2;

const PAGE_FAULT = [0, Cause.LoadPageFault, Cause.StorePageFault, 0, Cause.InstructionPageFault];
const ACCESS_FAULT = [0, Cause.LoadAccessFault, Cause.StoreAccessFault, 0, Cause.InstructionAccessFault];

const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_A = 64, PTE_D = 128;

/**
 * Translates the virtual address (vlo, vhi) for `access` through the hart's page tables (first stage)
 * and its memory map (second stage), and caches the page in the matching TLB.
 * Returns the RAM byte offset of the address; DEVICE with hart.ioGpa set when it is not RAM; FAULTED when
 * an exception was raised on the hart (or an exit parked it).
 */
export function translate(hart: Hart, vlo: number, vhi: number, access: Access): number {
  const mode = hart.satp[1]! >>> 28;
  let gpaPage: number;
  if (mode === SATP_BARE) {
    // Any address, even beyond the 56 physical bits, goes to the memory map: nothing is there, so it
    // exits, and the exit decides (the board: an access fault; the hypervisor: a violation, as a guest
    // physical address beyond Sv39x4 is a guest-page fault for real Jailhouse).
    gpaPage = vhi * 4294967296 + ((vlo & ~0xfff) >>> 0);
  } else {
    gpaPage = walk(hart, vlo, vhi, access, mode === SATP_SV48 ? 4 : 3, false);
    if (gpaPage < 0) return FAULTED;
  }

  const ramPage = hart.memoryMap.ramPage(gpaPage, access);
  const tlb = access === Access.Read ? hart.readTlb : access === Access.Write ? hart.writeTlb : hart.fetchTlb;
  tlb.fill(vlo, vhi, ramPage, gpaPage);
  if (ramPage < 0) {
    hart.ioGpa = gpaPage + (vlo & 0xfff);
    return DEVICE;
  }
  return ramPage + (vlo & 0xfff);
}

/**
 * translate() for a TLB miss of translated code, where it needs nothing but RAM: fills the read or write
 * TLB as translate() would and returns true, or changes nothing and returns false (a fault, a device,
 * a page table outside RAM, an A or D bit still to set); the interpreter then does the access.
 */
export function probeRam(hart: Hart, vlo: number, vhi: number, access: Access.Read | Access.Write): boolean {
  const mode = hart.satp[1]! >>> 28;
  const gpaPage = mode === SATP_BARE ? vhi * 4294967296 + ((vlo & ~0xfff) >>> 0)
    : walk(hart, vlo, vhi, access, mode === SATP_SV48 ? 4 : 3, true);
  if (gpaPage < 0) return false;
  const ramPage = hart.memoryMap.ramPage(gpaPage, access);
  if (ramPage < 0) return false;
  (access === Access.Read ? hart.readTlb : hart.writeTlb).fill(vlo, vhi, ramPage, gpaPage);
  return true;
}

/**
 * Walks Sv39 (3 levels) or Sv48 (4 levels) page tables; returns the GPA page, or -1 after raising a fault.
 * A `probe` (probeRam) raises nothing and changes nothing: -1 wherever the walk would fault, read a page
 * table through an exit, or set an A or D bit.
 */
function walk(hart: Hart, vlo: number, vhi: number, access: Access, levels: number, probe: boolean): number {
  const vaBits = levels === 3 ? 39 : 48;
  const signBits = vhi >> (vaBits - 33); // bits vaBits-1 .. 63 must all be equal
  if (signBits !== 0 && signBits !== -1) return pageFault(hart, access, vlo, vhi, probe);

  const vpn = [(vlo >>> 12) & 0x1ff, (vlo >>> 21) & 0x1ff, ((vhi & 0x7f) << 2) | (vlo >>> 30), (vhi >>> 7) & 0x1ff];
  let table = ((hart.satp[1]! & 0xfff) * 4294967296 + (hart.satp[0]! >>> 0)) * 4096;
  const io = hart.ioData;

  for (let level = levels - 1; level >= 0; level--) {
    const pteGpa = table + vpn[level]! * 8;
    if (!(probe ? readRam64(hart, pteGpa) : readPhys64(hart, pteGpa))) return probe ? -1 : accessFault(hart, access, vlo, vhi);
    let lo = io[0]!;
    const hi = io[1]!;
    if ((lo & PTE_V) === 0 || ((lo & PTE_R) === 0 && (lo & PTE_W) !== 0) || (hi >>> 22) !== 0) {
      return pageFault(hart, access, vlo, vhi, probe);
    }
    const ppn = (hi & 0x3fffff) * 4194304 + (lo >>> 10);
    if ((lo & (PTE_R | PTE_X)) === 0) {
      table = ppn * 4096;
      continue;
    }
    if (!permitted(hart, lo, access)) return pageFault(hart, access, vlo, vhi, probe);
    const span = 2 ** (9 * level); // pages covered by this leaf
    if (ppn % span !== 0) return pageFault(hart, access, vlo, vhi, probe); // misaligned superpage

    const update = PTE_A | (access === Access.Write ? PTE_D : 0);
    if ((lo & update) !== update) {
      if (probe) return -1;
      lo |= update;
      if (!writePhys32(hart, pteGpa, lo)) return accessFault(hart, access, vlo, vhi);
    }
    let pageInSpan = 0;
    for (let l = level - 1; l >= 0; l--) pageInSpan = pageInSpan * 512 + vpn[l]!;
    return (ppn + pageInSpan) * 4096;
  }
  return pageFault(hart, access, vlo, vhi, probe);
}

/** A page fault for `access` (raised unless `probe`); -1. */
function pageFault(hart: Hart, access: Access, vlo: number, vhi: number, probe: boolean): number {
  if (!probe) hart.raise(PAGE_FAULT[access]!, vlo, vhi);
  return -1;
}

function permitted(hart: Hart, pte: number, access: Access): boolean {
  if (hart.priv === 0) {
    if ((pte & PTE_U) === 0) return false;
  } else if ((pte & PTE_U) !== 0) {
    if (access === Access.Execute || (hart.sstatus & SSTATUS_SUM) === 0) return false;
  }
  switch (access) {
    case Access.Execute: return (pte & PTE_X) !== 0;
    case Access.Read: return (pte & PTE_R) !== 0 || ((pte & PTE_X) !== 0 && (hart.sstatus & SSTATUS_MXR) !== 0);
    default: return (pte & PTE_W) !== 0;
  }
}

function accessFault(hart: Hart, access: Access, vlo: number, vhi: number): number {
  if (hart.running) hart.raise(ACCESS_FAULT[access]!, vlo, vhi);
  return -1;
}

/** Reads 8 bytes of guest-physical memory into hart.ioData, through RAM or an exit. */
export function readPhys64(hart: Hart, gpa: number): boolean {
  return readRam64(hart, gpa) || hart.exits.mmioRead(hart, gpa, 8);
}

/** Reads 8 bytes of guest-physical RAM into hart.ioData; false where they are not RAM (no exit). */
function readRam64(hart: Hart, gpa: number): boolean {
  const page = hart.memoryMap.ramPage(gpa - (gpa % 4096), Access.Read);
  if (page < 0) return false;
  const at = (page + (gpa % 4096)) >> 2;
  hart.ioData[0] = hart.ram.i32[at]!;
  hart.ioData[1] = hart.ram.i32[at + 1]!;
  return true;
}

/** Writes the low word of a PTE (the A/D bits live there), through RAM or an exit. */
function writePhys32(hart: Hart, gpa: number, value: number): boolean {
  const page = hart.memoryMap.ramPage(gpa - (gpa % 4096), Access.Write);
  if (page < 0) return hart.exits.mmioWrite(hart, gpa, 4, value, 0);
  const offset = page + (gpa % 4096);
  hart.ram.i32[offset >> 2] = value;
  if (hart.ram.codePages[offset >>> 12]) hart.code.invalidate(offset, 4);
  return true;
}
