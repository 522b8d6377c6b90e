import { decodeInstruction, type Decoded } from './decode.ts';
import { Op, pack } from './opcodes.ts';
import type { Ram } from './ram.ts';
import type { PageJitState } from './jit/page-state.ts';
import { RESERVED_PAGE } from './reservations.ts';

/** Bit of `Ram.codePages` that marks a page with decoded instructions. */
export const CODE_PAGE = 1;
/** Ram.codeExtents of a page with nothing decoded yet: [4096, 0). */
export const EMPTY_EXTENT = 4096;
const SLOTS = 2048; // halfwords per 4 KiB page

/** A permanent PageEnd word in the two slots past the end, so the run loop needs no bounds check. */
const PAGE_END = pack(Op.PageEnd, 0, 0, 0, 1);

/**
 * Decoded instructions of one 4 KiB RAM page, one slot per halfword; a word of 0 means "not decoded yet".
 * Slots 2048 and 2049 (reached by falling off the page) always hold PageEnd.
 */
export class DecodedPage {
  readonly words = new Int32Array(SLOTS + 2);
  readonly imms = new Int32Array(SLOTS + 2);
  /** The block translator's state for this page (jit/translator.ts); dropped with the decoded slots it used. */
  jit: PageJitState | undefined;
  constructor() {
    this.words[SLOTS] = this.words[SLOTS + 1] = PAGE_END;
  }
}

/**
 * Decoded instructions cached per RAM page, shared by all harts (they share RAM).
 *
 * Stores into a page with cached code clear the slots they overlap, so self-modifying code is seen
 * immediately (the ISA only requires it after FENCE.I, so this is stricter than needed and never stale).
 */
export class CodeCache {
  /**
   * Per RAM page: its index in `decoded`, 0 for none. A typed array costs nothing to make for a large RAM
   * (an array of one entry per page took 10-30 ms and a garbage collection for every 1 GiB machine).
   */
  private readonly slots: Int32Array;
  /** The decoded pages; index 0 is a placeholder, freed indices are reused. */
  private readonly decoded: DecodedPage[] = [new DecodedPage()];
  private readonly free: number[] = [];
  private readonly scratch: Decoded = { word: 0, imm: 0 };

  constructor(private readonly ram: Ram) {
    this.slots = new Int32Array(ram.size >>> 12);
  }

  /** The decoded page for a RAM byte offset, created empty on first use. */
  page(ramOffset: number): DecodedPage {
    const index = ramOffset >>> 12;
    const slot = this.slots[index]!;
    if (slot !== 0) return this.decoded[slot]!;
    const page = new DecodedPage();
    const at = this.free.pop() ?? this.decoded.length;
    this.decoded[at] = page;
    this.slots[index] = at;
    this.ram.codePages[index]! |= CODE_PAGE;
    this.ram.codeExtents[index] = EMPTY_EXTENT;
    return page;
  }

  /**
   * Forgets RAM page `index`'s decoded page at `slot` and its translation (index 0's placeholder keeps
   * the array dense).
   */
  private release(index: number, slot: number): void {
    this.decoded[slot]!.jit?.drop();
    this.slots[index] = 0;
    this.decoded[slot] = this.decoded[0]!;
    this.free.push(slot);
  }

  /** The decoded page of RAM page `index`, if it has one. */
  private existing(index: number): DecodedPage | undefined {
    const slot = this.slots[index]!;
    return slot === 0 ? undefined : this.decoded[slot];
  }

  /** Decodes the instruction at `slot` of a page whose RAM byte offset is `pageOffset`; returns its word. */
  fill(page: DecodedPage, pageOffset: number, slot: number): number {
    const u16 = this.ram.u16;
    const at = (pageOffset >>> 1) + slot;
    const lo = u16[at]!;
    const extents = this.ram.codeExtents, index = pageOffset >>> 12, extent = extents[index]!;
    extents[index] = Math.min(extent & 0xffff, slot * 2) | Math.max(extent >>> 16, Math.min(4096, slot * 2 + 4)) << 16;
    if ((lo & 3) === 3 && slot === SLOTS - 1) {
      page.words[slot] = pack(Op.CrossPage, 0, 0, 0, 2);
      return page.words[slot]!;
    }
    decodeInstruction(lo, (lo & 3) === 3 ? u16[at + 1]! : 0, this.scratch);
    page.words[slot] = this.scratch.word;
    page.imms[slot] = this.scratch.imm;
    return this.scratch.word;
  }

  /**
   * A store of `size` bytes at a RAM byte offset hit a page marked in `codePages`: forgets the decoded
   * instructions it overlaps and ends the LR reservations on those bytes.
   */
  invalidate(ramOffset: number, size: number): void {
    if ((this.ram.codePages[ramOffset >>> 12]! & RESERVED_PAGE) !== 0) this.ram.reservations.written(ramOffset, size);
    const page = this.existing(ramOffset >>> 12);
    if (page === undefined) return;
    const extent = this.ram.codeExtents[ramOffset >>> 12]!, at = ramOffset & 0xfff;
    // data beside the code (the first two bytes may end a cross-page instruction of the page before)
    if ((at + size <= (extent & 0xffff) || at >= extent >>> 16) && at >= 2) return;
    const first = Math.max(0, ((ramOffset & 0xfff) - 2) >> 1);
    const last = Math.min(SLOTS - 1, ((ramOffset & 0xfff) + size - 1) >> 1);
    const words = page.words;
    for (let s = first; s <= last; s++) words[s] = 0; // 1..5 slots: a loop beats fill()'s call
    page.jit?.invalidate(first, last);
    // a write at the very start of a page may change the tail of a cross-page instruction before it
    if ((ramOffset & 0xfff) < 2 && ramOffset >= 4096) {
      const prev = this.existing((ramOffset >>> 12) - 1);
      if (prev !== undefined) {
        prev.words[SLOTS - 1] = 0;
        prev.jit?.invalidate(SLOTS - 1, SLOTS - 1);
      }
    }
  }

  /**
   * Forgets every decoded page overlapping a RAM byte range (host-side writes: image loads, copies) and
   * ends the reservations on it.
   */
  invalidateRange(ramOffset: number, length: number): void {
    if (length <= 0) return;
    this.ram.reservations.written(ramOffset, length);
    const first = Math.max(0, (ramOffset >>> 12) - 1); // the previous page may end in a cross-page instruction
    const last = Math.min(this.slots.length - 1, (ramOffset + length - 1) >>> 12);
    for (let p = first; p <= last; p++) {
      const slot = this.slots[p]!;
      if (slot !== 0) {
        this.release(p, slot);
        this.ram.codePages[p]! &= ~CODE_PAGE;
        this.ram.codeExtents[p] = EMPTY_EXTENT;
      }
    }
  }

  /** Drops every decoded page (e.g. when RAM is reloaded wholesale). */
  clear(): void {
    for (let p = 0; p < this.slots.length; p++) {
      const slot = this.slots[p]!;
      if (slot !== 0) this.release(p, slot);
    }
    for (let p = 0; p < this.ram.codePages.length; p++) this.ram.codePages[p]! &= ~CODE_PAGE;
    this.ram.codeExtents.fill(EMPTY_EXTENT);
  }
}
