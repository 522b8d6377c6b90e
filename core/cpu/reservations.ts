/** Bit of `Ram.codePages` that marks a page holding at least one LR reservation. */
export const RESERVED_PAGE = 2;

/** The reservation set of an LR: the naturally aligned 8 bytes around the loaded word or doubleword. */
const GRANULE = 8;

/**
 * The LR/SC reservations of every hart on one RAM (docs/board.md "LR/SC").
 *
 * A reservation lives until its hart's SC, trap or SRET, its next LR, or until anything writes its
 * granule: a store or AMO of any hart, a page-table A/D update, a host-side write (loader, device,
 * hypervisor). Writers find out cheaply: a reserved page carries RESERVED_PAGE in `codePages`, the flag
 * every store already tests for self-modifying code, so the store fast path costs nothing extra.
 */
export class Reservations {
  /** Per hart id: RAM byte offset of its reserved granule, or -1. */
  private readonly granules: number[] = [];
  /**
   * `held[0]`: reservations currently held (a quick "none" for host-side writes). In the translator's
   * memory: translated code does an LR/SC pair itself only while no hart holds one (page-compiler.ts).
   */
  constructor(private readonly codePages: Uint8Array, private readonly held: Int32Array = new Int32Array(1)) {}

  /** LR: hart `id` reserves the granule of RAM byte offset `offset` (its previous reservation ends). */
  reserve(id: number, offset: number): void {
    this.release(id);
    const granule = offset - (offset % GRANULE);
    this.granules[id] = granule;
    this.held[0]!++;
    this.codePages[granule >>> 12]! |= RESERVED_PAGE;
  }

  /** SC: whether hart `id` still holds the granule of `offset`; its reservation ends either way. */
  take(id: number, offset: number): boolean {
    const held = this.granules[id] === offset - (offset % GRANULE);
    this.release(id);
    return held;
  }

  /** Ends hart `id`'s reservation, if any (trap, SRET, hart start). */
  release(id: number): void {
    const granule = this.granules[id] ?? -1;
    if (granule < 0) return;
    this.granules[id] = -1;
    this.held[0]!--;
    this.unmarkIfFree(granule >>> 12);
  }

  /** `size` bytes at RAM byte offset `offset` were written: every reservation on them ends. */
  written(offset: number, size: number): void {
    if (this.held[0] === 0) return;
    const list = this.granules;
    for (let id = 0; id < list.length; id++) {
      const g = list[id]!;
      if (g >= 0 && g < offset + size && offset < g + GRANULE) this.release(id);
    }
  }

  private unmarkIfFree(page: number): void {
    for (const g of this.granules) if (g >= 0 && g >>> 12 === page) return;
    this.codePages[page]! &= ~RESERVED_PAGE;
  }
}
