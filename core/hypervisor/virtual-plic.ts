import { MMIO_FAULT } from '../machine/device.ts';
import type { Plic } from '../machine/plic.ts';
import type { Cell } from './cell.ts';

const PENDING_BASE = 0x1000;
const ENABLE_BASE = 0x2000;
const ENABLE_STRIDE = 0x80;
const CONTEXT_BASE = 0x20_0000;
const CONTEXT_STRIDE = 0x1000;

/** What a cell's access to the PLIC did: handled, or a violation the hypervisor reports and parks for. */
export type PlicAccess = { ok: true; value: number } | { ok: false; reason: string };

/**
 * Each cell's view of the one physical PLIC (Jailhouse's irqchip emulation for RISC-V): a cell sees only
 * the sources in its irqchip pin bitmap and only the S-mode contexts of its own harts.
 *
 * - priority of a foreign source: reads 0, writes are ignored (and traced);
 * - pending bits: reads show only the cell's sources;
 * - enable bits of an own context: reads show, writes change only the cell's sources;
 * - enable bits, threshold or claim/complete of a context that is not the cell's: a violation;
 * - any access that is not an aligned 32-bit access: a violation (the PLIC's registers are 32 bits).
 */
export class VirtualPlic {
  private readonly words: number;

  constructor(private readonly plic: Plic, private readonly hartToContext: readonly number[]) {
    this.words = Math.ceil(plic.numSources / 32);
  }

  /** The S-mode context of a hart (-1: none). */
  contextOf(hart: number): number {
    return this.hartToContext[hart] ?? -1;
  }

  read(cell: Cell, offset: number, size: number, onIgnored: (what: string) => void): PlicAccess {
    if (size !== 4 || offset % 4 !== 0) return { ok: false, reason: 'not an aligned 32-bit access' };
    if (offset < PENDING_BASE) {
      const source = offset >>> 2;
      if (!cell.pins.has(source)) { onIgnored(`read of priority of foreign source ${source}`); return { ok: true, value: 0 }; }
      return { ok: true, value: this.plic.read(offset, 4) };
    }
    if (offset < ENABLE_BASE) {
      const word = (offset - PENDING_BASE) >>> 2;
      return { ok: true, value: (this.plic.read(offset, 4) & this.mask(cell, word)) >>> 0 };
    }
    if (offset < CONTEXT_BASE) {
      const context = Math.floor((offset - ENABLE_BASE) / ENABLE_STRIDE);
      if (!this.owns(cell, context)) return { ok: false, reason: `enable bits of context ${context}, which is not the cell's` };
      const word = ((offset - ENABLE_BASE) % ENABLE_STRIDE) >>> 2;
      return { ok: true, value: (this.plic.read(offset, 4) & this.mask(cell, word)) >>> 0 };
    }
    const context = Math.floor((offset - CONTEXT_BASE) / CONTEXT_STRIDE);
    if (!this.owns(cell, context)) return { ok: false, reason: `context ${context}, which is not the cell's` };
    const value = this.plic.read(offset, 4);
    return value === MMIO_FAULT ? { ok: false, reason: 'bus error' } : { ok: true, value };
  }

  write(cell: Cell, offset: number, size: number, value: number, onIgnored: (what: string) => void): PlicAccess {
    if (size !== 4 || offset % 4 !== 0) return { ok: false, reason: 'not an aligned 32-bit access' };
    value >>>= 0;
    if (offset < PENDING_BASE) {
      const source = offset >>> 2;
      if (!cell.pins.has(source)) onIgnored(`write of priority ${value} to foreign source ${source} ignored`);
      else this.plic.write(offset, 4, value);
      return { ok: true, value: 0 };
    }
    if (offset < ENABLE_BASE) return { ok: true, value: 0 }; // pending bits are read-only
    if (offset < CONTEXT_BASE) {
      const context = Math.floor((offset - ENABLE_BASE) / ENABLE_STRIDE);
      if (!this.owns(cell, context)) return { ok: false, reason: `enable bits of context ${context}, which is not the cell's` };
      const word = ((offset - ENABLE_BASE) % ENABLE_STRIDE) >>> 2;
      const mask = this.mask(cell, word);
      if ((value & ~mask) !== 0) onIgnored(`enable of foreign sources 0x${((value & ~mask) >>> 0).toString(16)} (word ${word}) ignored`);
      const current = this.plic.read(offset, 4);
      this.plic.write(offset, 4, ((current & ~mask) | (value & mask)) >>> 0);
      return { ok: true, value: 0 };
    }
    const context = Math.floor((offset - CONTEXT_BASE) / CONTEXT_STRIDE);
    if (!this.owns(cell, context)) return { ok: false, reason: `context ${context}, which is not the cell's` };
    this.plic.write(offset, 4, value);
    return { ok: true, value: 0 };
  }

  /**
   * Disables `pins` in every S-mode context of `harts` (when sources or CPUs change hands, nothing of the
   * previous owner's configuration may keep interrupting the new one).
   */
  disableSources(harts: Iterable<number>, pins: Iterable<number>): void {
    const pinList = [...pins];
    for (const hart of harts) {
      const context = this.contextOf(hart);
      if (context < 0) continue;
      for (const pin of pinList) {
        const offset = ENABLE_BASE + context * ENABLE_STRIDE + (pin >>> 5) * 4;
        const current = this.plic.read(offset, 4);
        this.plic.write(offset, 4, (current & ~(1 << (pin & 31))) >>> 0);
      }
    }
  }

  /** Disables every source except `keep` in the contexts of `harts`. */
  disableAllBut(harts: Iterable<number>, keep: ReadonlySet<number>): void {
    const foreign: number[] = [];
    for (let s = 1; s < this.plic.numSources; s++) if (!keep.has(s)) foreign.push(s);
    this.disableSources(harts, foreign);
  }

  private owns(cell: Cell, context: number): boolean {
    for (const hart of cell.cpus) if (this.contextOf(hart) === context) return true;
    return false;
  }

  private mask(cell: Cell, word: number): number {
    if (word >= this.words) return 0;
    let m = 0;
    for (let bit = 0; bit < 32; bit++) if (cell.pins.has(word * 32 + bit)) m |= 1 << bit;
    return m;
  }
}
