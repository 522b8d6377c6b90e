import type { RamStorage } from './jit/machine-memory.ts';
import { Reservations } from './reservations.ts';

/**
 * The board's RAM as seen by the harts: one contiguous ArrayBuffer with typed views for the fast paths.
 *
 * The buffer is allocated zeroed and untouched; hosts back it lazily, so only pages the guest writes cost
 * host memory. Harts address it by RAM byte offset (hpa - base), which the TLBs cache per page.
 */
export class Ram {
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly view: DataView;
  /**
   * Per 4 KiB RAM page: non-zero while stores to it must be reported to `CodeCache.invalidate`: bit 0
   * while decoded instructions of the page are cached, RESERVED_PAGE while an LR reservation is on it.
   */
  readonly codePages: Uint8Array;
  /**
   * Per RAM page with decoded instructions: the byte range they were decoded from, `first | end << 16`
   * (EMPTY_EXTENT while none). Stores outside it change no decoded instruction (data beside code).
   */
  readonly codeExtents: Uint32Array;
  /** Per RAM page: the translator's table index of the page's translated function, 0 while it has none. */
  readonly pageFunctions: Int32Array;
  /** The harts' LR/SC reservations on this RAM. */
  readonly reservations: Reservations;

  /** `storage`: RAM inside a larger buffer (the WebAssembly memory translated code shares); default its own. */
  constructor(readonly base: number, readonly size: number, storage?: RamStorage) {
    if (size <= 0 || size % 4096 !== 0) throw new RangeError(`RAM size must be a positive multiple of 4 KiB, got ${size}`);
    if (size > 0x8000_0000) throw new RangeError(`RAM size is limited to 2 GiB, got ${size / (1 << 20)} MiB`);
    const buffer = storage?.buffer ?? new ArrayBuffer(size);
    const at = storage?.ramOffset ?? 0;
    this.u8 = new Uint8Array(buffer, at, size);
    this.u16 = new Uint16Array(buffer, at, size >>> 1);
    this.i32 = new Int32Array(buffer, at, size >>> 2);
    this.view = new DataView(buffer, at, size);
    this.codePages = storage ? new Uint8Array(buffer, storage.codePagesOffset, size >>> 12) : new Uint8Array(size >>> 12);
    this.codeExtents = storage ? new Uint32Array(buffer, storage.codeExtentsOffset, size >>> 12) : new Uint32Array(size >>> 12);
    this.pageFunctions = storage ? new Int32Array(buffer, storage.pageFunctionsOffset, size >>> 12) : new Int32Array(size >>> 12);
    this.reservations = new Reservations(this.codePages, storage ? new Int32Array(buffer, storage.reservationsOffset, 1) : undefined);
  }

  /** RAM byte offset of a host-physical address, or -1 when it is not RAM. */
  offsetOf(hpa: number): number {
    const off = hpa - this.base;
    return off >= 0 && off < this.size ? off : -1;
  }

  /** Copies bytes into RAM at a host-physical address (image loading); throws if they do not fit. */
  load(hpa: number, bytes: Uint8Array): void {
    const off = this.offsetOf(hpa);
    if (off < 0 || off + bytes.length > this.size) {
      throw new RangeError(`0x${hpa.toString(16)}..0x${(hpa + bytes.length).toString(16)} is outside RAM`);
    }
    this.u8.set(bytes, off);
  }
}
