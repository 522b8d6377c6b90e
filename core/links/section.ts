/**
 * A read-only window on one shared-memory section, as the host sees it (host-physical RAM).
 *
 * Everything the link views read comes from memory a guest may scribble on at any time, so every read
 * is bounds-checked against the section and returns undefined instead of throwing: a hostile peer can
 * make a view show nonsense, never make it read outside the section or crash the worker.
 */
export class SharedSection {
  /**
   * @param ram    the board's RAM bytes
   * @param offset where the section starts in `ram` (the caller clips the section to RAM)
   * @param size   the section's size in bytes (0: an empty or unmapped section)
   */
  constructor(private readonly ram: Uint8Array, private readonly offset: number, readonly size: number) {}

  /** The part of host-physical [hpa, hpa + size) that is RAM, as a section (empty when none is). */
  static of(ram: { u8: Uint8Array; offsetOf(hpa: number): number }, hpa: number, size: number): SharedSection {
    const at = ram.offsetOf(hpa);
    if (at < 0 || !Number.isSafeInteger(size) || size <= 0) return new SharedSection(ram.u8, 0, 0);
    return new SharedSection(ram.u8, at, Math.max(0, Math.min(size, ram.u8.length - at)));
  }

  /** Whether [off, off + len) lies inside the section. */
  contains(off: number, len: number): boolean {
    return Number.isSafeInteger(off) && off >= 0 && len >= 0 && off + len <= this.size;
  }

  u8(off: number): number | undefined {
    return this.contains(off, 1) ? this.ram[this.offset + off]! : undefined;
  }

  u16(off: number): number | undefined {
    if (!this.contains(off, 2)) return undefined;
    const at = this.offset + off;
    return this.ram[at]! | (this.ram[at + 1]! << 8);
  }

  u32(off: number): number | undefined {
    if (!this.contains(off, 4)) return undefined;
    const at = this.offset + off, r = this.ram;
    return (r[at]! | (r[at + 1]! << 8) | (r[at + 2]! << 16) | (r[at + 3]! << 24)) >>> 0;
  }

  /** A little-endian u64 as a number (exact below 2^53; larger values are only ever compared as "too big"). */
  u64(off: number): number | undefined {
    const lo = this.u32(off), hi = this.u32(off + 4);
    return lo === undefined || hi === undefined ? undefined : hi * 0x1_0000_0000 + lo;
  }

  /** A copy of [off, off + len), or undefined when it leaves the section. */
  bytes(off: number, len: number): Uint8Array | undefined {
    if (!this.contains(off, len)) return undefined;
    return this.ram.slice(this.offset + off, this.offset + off + len);
  }
}
