import { Access, type GuestMemoryMap } from '../cpu/environment.ts';
import type { Ram } from '../cpu/ram.ts';
import {
  MEM_COMM_REGION, MEM_EXECUTE, MEM_IO, MEM_IO_UNALIGNED, MEM_NO_HUGEPAGES, MEM_READ, MEM_WRITE, type MemoryRegion,
} from './config/types.ts';
import { PAGE_SIZE } from './abi.ts';

/** What backs a mapped range of guest-physical memory. */
export const enum Backing {
  /** Board RAM: hits stay in the harts' TLBs. */
  Ram = 0,
  /** A device (an IO region, or anything outside RAM): every access is an exit, forwarded by mmio.ts. */
  Device = 1,
}

/** One contiguous guest-physical range of a cell's second stage. */
export interface Mapping {
  /** GPA of the first byte (page aligned for RAM). */
  gpa: number;
  /** GPA one past the last byte. */
  end: number;
  /** HPA of the first byte. */
  hpa: number;
  /** Access bits (Access.Read | Write | Execute), from the region's flags. */
  access: number;
  backing: Backing;
  /** RAM byte offset of `gpa` when backing is Ram. */
  ramOffset: number;
  /** The full 64-bit flags of the config region this mapping came from. */
  flags: bigint;
  /**
   * The IO rules of the region as small numbers, so the MMIO exit path needs no BigInt: bits 16..19 of
   * the flags (allowed widths, 0 = any) and whether unaligned accesses are allowed.
   */
  ioWidths: number;
  ioUnaligned: boolean;
  /** Index of the region in the cell's config (-1 for mappings the hypervisor adds). */
  region: number;
}

/** Converts a config value to a number, or throws when it cannot be an address on this board. */
export function toAddress(v: bigint, what: string): number {
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${what}: 0x${v.toString(16)} is not a usable address`);
  return Number(v);
}

/**
 * A cell's second translation stage, built from its config's memory regions: a sorted list of mappings
 * with a last-hit cache, so the TLB-miss path (ramPage) is one or two compares in the common case.
 * Unmapped GPAs, IO regions and accesses the region forbids answer -1, which makes the hart exit into
 * the hypervisor (mmio.ts decides between device forwarding and a violation).
 */
export class CellMemoryMap implements GuestMemoryMap {
  private mappings: Mapping[] = [];
  private last: Mapping | undefined;

  constructor(private readonly ram: Ram) {}

  ramPage(gpaPage: number, access: Access): number {
    const m = this.find(gpaPage);
    if (m === undefined) return -1;
    if (m.backing !== Backing.Ram || (m.access & access) === 0) return -1;
    return m.ramOffset + (gpaPage - m.gpa);
  }

  /** The mapping that contains `gpa`, if any (the last hit, else a binary search). */
  find(gpa: number): Mapping | undefined {
    const last = this.last;
    if (last !== undefined && gpa >= last.gpa && gpa < last.end) return last;
    const list = this.mappings;
    let lo = 0, hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = list[mid]!;
      if (gpa < m.gpa) hi = mid - 1;
      else if (gpa >= m.end) lo = mid + 1;
      else return (this.last = m);
    }
    return undefined;
  }

  /** Every mapping, in GPA order (for the UI and tests). */
  all(): readonly Mapping[] {
    return this.mappings;
  }

  /**
   * Maps a config region at its virt_start (comm regions need `hpa` of the page the hypervisor gave
   * them). Whatever was mapped in that GPA range before is replaced.
   */
  mapRegion(region: MemoryRegion, index: number, hpaOverride?: number): void {
    const gpa = toAddress(region.virt_start, `memory region ${index} virt_start`);
    const size = toAddress(region.size, `memory region ${index} size`);
    if (size === 0) return;
    const hpa = hpaOverride ?? toAddress(region.phys_start, `memory region ${index} phys_start`);
    const mappedSize = (region.flags & MEM_COMM_REGION) !== 0n ? Math.min(size, PAGE_SIZE) : size;
    const access = Number(region.flags & (MEM_READ | MEM_WRITE | MEM_EXECUTE));
    const ramOffset = this.ram.offsetOf(hpa);
    const inRam = (region.flags & MEM_IO) === 0n && ramOffset >= 0 && hpa + mappedSize <= this.ram.base + this.ram.size &&
      gpa % PAGE_SIZE === 0 && hpa % PAGE_SIZE === 0 && mappedSize % PAGE_SIZE === 0;
    this.insert({
      gpa, end: gpa + mappedSize, hpa, access, backing: inRam ? Backing.Ram : Backing.Device,
      ramOffset: inRam ? ramOffset : -1, flags: region.flags, region: index,
      ioWidths: Number((region.flags >> 16n) & 0xfn), ioUnaligned: (region.flags & MEM_IO_UNALIGNED) !== 0n,
    });
  }

  /** Removes the GPA range [gpa, gpa + size) from the map, splitting mappings at its edges. */
  unmap(gpa: number, size: number): void {
    const end = gpa + size;
    const out: Mapping[] = [];
    for (const m of this.mappings) {
      if (m.end <= gpa || m.gpa >= end) { out.push(m); continue; }
      if (m.gpa < gpa) out.push(slice(m, m.gpa, gpa));
      if (m.end > end) out.push(slice(m, end, m.end));
    }
    this.mappings = out;
    this.last = undefined;
  }

  private insert(mapping: Mapping): void {
    this.unmap(mapping.gpa, mapping.end - mapping.gpa);
    this.mappings.push(mapping);
    this.mappings.sort((a, b) => a.gpa - b.gpa);
    this.last = undefined;
  }
}

function slice(m: Mapping, from: number, to: number): Mapping {
  const delta = from - m.gpa;
  return { ...m, gpa: from, end: to, hpa: m.hpa + delta, ramOffset: m.ramOffset < 0 ? -1 : m.ramOffset + delta };
}

const MEGA = 0x20_0000, GIGA = 0x4000_0000;

/** The guest-physical space of an Sv39x4 second stage: 41 bits. */
export const GPA_LIMIT = 2 ** 41;

/**
 * Why a region cannot be mapped by an Sv39x4 second stage (its GPA range leaves the 41-bit space, or its
 * host range is not an address), or undefined. Jailhouse's paging_create fails on such regions too.
 */
export function unmappableRegion(r: MemoryRegion, index: number): string | undefined {
  if (r.size === 0n) return undefined;
  if (r.virt_start + r.size > BigInt(GPA_LIMIT)) return `memory region ${index}: guest-physical 0x${r.virt_start.toString(16)}+0x${r.size.toString(16)} is beyond the 41-bit second stage`;
  if ((r.flags & MEM_COMM_REGION) === 0n && r.phys_start + r.size > BigInt(Number.MAX_SAFE_INTEGER)) return `memory region ${index}: host-physical 0x${r.phys_start.toString(16)}+0x${r.size.toString(16)} is not an address`;
  return undefined;
}

/**
 * Pages of second-stage page tables (Sv39x4, as the RISC-V H extension's G stage) that a cell's regions
 * need: a 16 KiB root (4 pages), one level-1 table per 1 GiB block that is not a single gigapage leaf,
 * and one level-0 table per 2 MiB block that is not a megapage leaf. Leaves are as large as alignment and
 * NO_HUGEPAGES allow, as Jailhouse's paging code creates them. This is the honest cost behind
 * HYPERVISOR_GET_INFO's pool numbers.
 */
export function stage2TablePages(regions: readonly MemoryRegion[]): number {
  const level1 = new Set<number>();
  const level0 = new Set<number>();
  for (const r of regions) {
    const size = Number(r.size);
    if (size === 0) continue;
    const gpa = Number(r.virt_start), hpa = (r.flags & MEM_COMM_REGION) !== 0n ? 0 : Number(r.phys_start);
    const mapped = (r.flags & MEM_COMM_REGION) !== 0n ? Math.min(size, PAGE_SIZE) : size;
    const huge = (r.flags & MEM_NO_HUGEPAGES) === 0n;
    let at = 0;
    while (at < mapped) {
      const g = gpa + at, h = hpa + at, left = mapped - at;
      if (huge && g % GIGA === 0 && h % GIGA === 0 && left >= GIGA) { at += GIGA; continue; }
      level1.add(Math.floor(g / GIGA));
      if (huge && g % MEGA === 0 && h % MEGA === 0 && left >= MEGA) { at += MEGA; continue; }
      level0.add(Math.floor(g / MEGA));
      at += Math.min(left, MEGA - (g % MEGA));
    }
  }
  return 4 + level1.size + level0.size;
}
