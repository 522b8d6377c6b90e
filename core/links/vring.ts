import type { SharedSection } from './section.ts';

/*
 * The split virtqueue ("vring") of the virtio spec as shared memory lays it out, read from the outside.
 * Its three parts may live in different sections (ivshmem-net keeps a direction's used ring in the
 * receiver's section), so each part is a section plus an offset. Reads are bounds-checked by the
 * section: a part that does not fit reads as undefined.
 *
 *   descriptor table  num × { addr u64, len u32, flags u16, next u16 }
 *   available ring    flags u16, idx u16, ring[num] u16, used_event u16
 *   used ring         flags u16, idx u16, ring[num] { id u32, len u32 }, avail_event u16
 */

export const VRING_DESC_SIZE = 16;

/** Bytes of each part for `num` entries. */
export const vringDescBytes = (num: number) => VRING_DESC_SIZE * num;
export const vringAvailBytes = (num: number) => 2 * (3 + num);
export const vringUsedBytes = (num: number) => 6 + 8 * num;

const alignUp = (v: number, a: number) => Math.ceil(v / a) * a;

/** Offsets of Linux's vring_init(): descriptors, then the available ring, then the used ring at `align`. */
export function vringLayout(num: number, align: number): { desc: number; avail: number; used: number; size: number } {
  const avail = vringDescBytes(num);
  const used = alignUp(avail + vringAvailBytes(num), align);
  return { desc: 0, avail, used, size: used + vringUsedBytes(num) };
}

/** One part of a ring: where it lives. */
export interface RingPart {
  section: SharedSection;
  offset: number;
}

export interface Descriptor {
  addr: number;
  len: number;
  flags: number;
  next: number;
}

/** A split ring seen from outside: indices, entries and descriptors, every read checked. */
export class SplitRing {
  constructor(readonly num: number, readonly desc: RingPart, readonly avail: RingPart, readonly used: RingPart) {}

  availIdx(): number | undefined {
    return this.avail.section.u16(this.avail.offset + 2);
  }

  usedIdx(): number | undefined {
    return this.used.section.u16(this.used.offset + 2);
  }

  /** avail.ring[idx mod num]: a descriptor id as the driver wrote it (unchecked). */
  availEntry(idx: number): number | undefined {
    return this.avail.section.u16(this.avail.offset + 4 + 2 * (idx % this.num));
  }

  /** used.ring[idx mod num]. */
  usedEntry(idx: number): { id: number; len: number } | undefined {
    const at = this.used.offset + 4 + 8 * (idx % this.num);
    const id = this.used.section.u32(at), len = this.used.section.u32(at + 4);
    return id === undefined || len === undefined ? undefined : { id, len };
  }

  /** The driver's used_event (avail.ring[num]): "interrupt me once used.idx passes this". */
  usedEvent(): number | undefined {
    return this.avail.section.u16(this.avail.offset + 4 + 2 * this.num);
  }

  /** The device's avail_event (used.ring[num]): "kick me once avail.idx passes this". */
  availEvent(): number | undefined {
    return this.used.section.u16(this.used.offset + 4 + 8 * this.num);
  }

  /** Descriptor `id`, or undefined if the id is out of range or the table does not fit its section. */
  descriptor(id: number): Descriptor | undefined {
    if (!Number.isInteger(id) || id < 0 || id >= this.num) return undefined;
    const s = this.desc.section, at = this.desc.offset + VRING_DESC_SIZE * id;
    const addr = s.u64(at), len = s.u32(at + 8), flags = s.u16(at + 12), next = s.u16(at + 14);
    if (addr === undefined || len === undefined || flags === undefined || next === undefined) return undefined;
    return { addr, len, flags, next };
  }
}
