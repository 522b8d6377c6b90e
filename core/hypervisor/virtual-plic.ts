import { MMIO_FAULT } from '../machine/device.ts';
import type { Plic } from '../machine/plic.ts';
import type { Cell } from './cell.ts';

/** What the virtual PLIC needs of the board: the physical PLIC and the per-hart virtual interrupt line. */
export interface VirtualPlicBoard {
  readonly plic: Plic;
  setVirtualExternal(hart: number, asserted: boolean): void;
}

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
 *
 * Virtual sources (Jailhouse's vIRQs, plic.c's virq bitmaps): interrupts that exist only in one cell's
 * view, such as ivshmem INTx at vpci_irq_base + pin - 1. A unit registers them per cell (`registerVirq`);
 * they must not be physical pins of the cell. Each hart of the cell has its own enable and pending bits
 * for them; `sendVirq` makes one pending on the first CPU of the cell (lowest id) that enables it, or
 * drops it when none does, as Jailhouse does. Claim returns a physical source first, a virtual one only
 * when no physical one is pending (vIRQs have the lowest priority); priorities and the threshold do not
 * apply to them (Jailhouse: "virq priorities not supported"), priority writes are ignored and traced.
 */
export class VirtualPlic {
  private readonly words: number;
  private readonly plic: Plic;
  /** Per hart, `words` words each: virtual enable, pending and in-service bits. */
  private readonly venable: Uint32Array;
  private readonly vpending: Uint32Array;
  private readonly vservice: Uint32Array;
  private readonly contextToHart = new Map<number, number>();

  constructor(private readonly board: VirtualPlicBoard, private readonly hartToContext: readonly number[]) {
    this.plic = board.plic;
    this.words = Math.ceil(this.plic.numSources / 32);
    const n = this.words * hartToContext.length;
    this.venable = new Uint32Array(n);
    this.vpending = new Uint32Array(n);
    this.vservice = new Uint32Array(n);
    hartToContext.forEach((c, h) => { if (c >= 0 && !this.contextToHart.has(c)) this.contextToHart.set(c, h); });
  }

  /** The S-mode context of a hart (-1: none). */
  contextOf(hart: number): number {
    return this.hartToContext[hart] ?? -1;
  }

  /** Whether `irq` can be a virtual source at all (a source number of the PLIC, not 0). */
  virqInRange(irq: number): boolean {
    return Number.isInteger(irq) && irq >= 1 && irq < this.plic.numSources;
  }

  /** `irq` becomes a virtual source of `cell` (the caller made sure it is not one of the cell's pins). */
  registerVirq(cell: Cell, irq: number): void {
    if (this.virqInRange(irq)) cell.virqs.add(irq);
  }

  /** `irq` is no longer a virtual source of `cell`: its enable, pending and in-service bits go. */
  unregisterVirq(cell: Cell, irq: number): void {
    if (!cell.virqs.delete(irq)) return;
    const word = irq >>> 5, bit = 1 << (irq & 31);
    for (const hart of cell.cpus) {
      const at = this.at(hart, word);
      if (at < 0) continue;
      this.venable[at]! &= ~bit;
      this.vpending[at]! &= ~bit;
      this.vservice[at]! &= ~bit;
      this.updateLine(hart);
    }
  }

  /** Raises virtual source `irq` in `cell` (an edge); false when no CPU of the cell enabled it. */
  sendVirq(cell: Cell, irq: number): boolean {
    if (!cell.virqs.has(irq)) return false;
    const word = irq >>> 5, bit = 1 << (irq & 31);
    for (const hart of [...cell.cpus].sort((a, b) => a - b)) {
      const at = this.at(hart, word);
      if (at < 0 || (this.venable[at]! & bit) === 0) continue;
      this.vpending[at]! |= bit;
      this.updateLine(hart);
      return true;
    }
    return false;
  }

  /** Forgets the virtual enable, pending and in-service bits of `harts` (they change cells or restart). */
  resetVirtual(harts: Iterable<number>): void {
    for (const hart of harts) {
      const base = this.at(hart, 0);
      if (base < 0) continue;
      this.venable.fill(0, base, base + this.words);
      this.vpending.fill(0, base, base + this.words);
      this.vservice.fill(0, base, base + this.words);
      this.updateLine(hart);
    }
  }

  /** Whether virtual source `irq` is pending on `hart` (tests, snapshots). */
  virqPending(hart: number, irq: number): boolean {
    const at = this.at(hart, irq >>> 5);
    return at >= 0 && (this.vpending[at]! & (1 << (irq & 31))) !== 0;
  }

  read(cell: Cell, offset: number, size: number, onIgnored: (what: string) => void): PlicAccess {
    if (size !== 4 || offset % 4 !== 0) return { ok: false, reason: 'not an aligned 32-bit access' };
    if (offset < PENDING_BASE) {
      const source = offset >>> 2;
      if (cell.virqs.has(source)) return { ok: true, value: 0 };
      if (!cell.pins.has(source)) { onIgnored(`read of priority of foreign source ${source}`); return { ok: true, value: 0 }; }
      return { ok: true, value: this.plic.read(offset, 4) };
    }
    if (offset < ENABLE_BASE) {
      const word = (offset - PENDING_BASE) >>> 2;
      let virtual = 0;
      for (const hart of cell.cpus) { const at = this.at(hart, word); if (at >= 0) virtual |= this.vpending[at]!; }
      return { ok: true, value: ((this.plic.read(offset, 4) & this.mask(cell, word)) | virtual) >>> 0 };
    }
    if (offset < CONTEXT_BASE) {
      const context = Math.floor((offset - ENABLE_BASE) / ENABLE_STRIDE);
      const hart = this.ownedHart(cell, context);
      if (hart < 0) return { ok: false, reason: `enable bits of context ${context}, which is not the cell's` };
      const word = ((offset - ENABLE_BASE) % ENABLE_STRIDE) >>> 2;
      const at = this.at(hart, word);
      return { ok: true, value: ((this.plic.read(offset, 4) & this.mask(cell, word)) | (at >= 0 ? this.venable[at]! : 0)) >>> 0 };
    }
    const context = Math.floor((offset - CONTEXT_BASE) / CONTEXT_STRIDE);
    const hart = this.ownedHart(cell, context);
    if (hart < 0) return { ok: false, reason: `context ${context}, which is not the cell's` };
    const value = this.plic.read(offset, 4);
    if (value === MMIO_FAULT) return { ok: false, reason: 'bus error' };
    if (value === 0 && (offset - CONTEXT_BASE) % CONTEXT_STRIDE === 4) return { ok: true, value: this.claimVirq(hart) };
    return { ok: true, value };
  }

  write(cell: Cell, offset: number, size: number, value: number, onIgnored: (what: string) => void): PlicAccess {
    if (size !== 4 || offset % 4 !== 0) return { ok: false, reason: 'not an aligned 32-bit access' };
    value >>>= 0;
    if (offset < PENDING_BASE) {
      const source = offset >>> 2;
      if (cell.virqs.has(source)) onIgnored(`priority ${value} of virtual source ${source} ignored (vIRQs have no priority)`);
      else if (!cell.pins.has(source)) onIgnored(`write of priority ${value} to foreign source ${source} ignored`);
      else this.plic.write(offset, 4, value);
      return { ok: true, value: 0 };
    }
    if (offset < ENABLE_BASE) return { ok: true, value: 0 }; // pending bits are read-only
    if (offset < CONTEXT_BASE) {
      const context = Math.floor((offset - ENABLE_BASE) / ENABLE_STRIDE);
      const hart = this.ownedHart(cell, context);
      if (hart < 0) return { ok: false, reason: `enable bits of context ${context}, which is not the cell's` };
      const word = ((offset - ENABLE_BASE) % ENABLE_STRIDE) >>> 2;
      const mask = this.mask(cell, word);
      const vmask = this.virqMask(cell, word);
      const foreign = value & ~(mask | vmask);
      if (foreign !== 0) onIgnored(`enable of foreign sources 0x${(foreign >>> 0).toString(16)} (word ${word}) ignored`);
      const current = this.plic.read(offset, 4);
      this.plic.write(offset, 4, ((current & ~mask) | (value & mask)) >>> 0);
      const at = this.at(hart, word);
      if (at >= 0) { this.venable[at] = value & vmask; this.updateLine(hart); }
      return { ok: true, value: 0 };
    }
    const context = Math.floor((offset - CONTEXT_BASE) / CONTEXT_STRIDE);
    const hart = this.ownedHart(cell, context);
    if (hart < 0) return { ok: false, reason: `context ${context}, which is not the cell's` };
    if ((offset - CONTEXT_BASE) % CONTEXT_STRIDE === 4 && cell.virqs.has(value)) this.completeVirq(hart, value);
    else this.plic.write(offset, 4, value);
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

  /** The hart of the cell whose S-mode context is `context`, or -1. */
  private ownedHart(cell: Cell, context: number): number {
    const hart = this.contextToHart.get(context);
    return hart !== undefined && cell.cpus.has(hart) ? hart : -1;
  }

  /** Index of `word` of `hart`'s virtual bits, or -1 when the hart or word does not exist. */
  private at(hart: number, word: number): number {
    return hart >= 0 && hart < this.hartToContext.length && word < this.words ? hart * this.words + word : -1;
  }

  /** Claim of a virtual source by `hart` (the physical PLIC had nothing): the lowest one pending. */
  private claimVirq(hart: number): number {
    const base = this.at(hart, 0);
    if (base < 0) return 0;
    for (let word = 0; word < this.words; word++) {
      const ready = this.vpending[base + word]! & this.venable[base + word]! & ~this.vservice[base + word]!;
      if (ready === 0) continue;
      const bit = ready & -ready;
      this.vpending[base + word]! &= ~bit;
      this.vservice[base + word]! |= bit;
      this.updateLine(hart);
      return word * 32 + (31 - Math.clz32(bit));
    }
    return 0;
  }

  private completeVirq(hart: number, irq: number): void {
    const at = this.at(hart, irq >>> 5);
    if (at < 0) return;
    this.vservice[at]! &= ~(1 << (irq & 31));
    this.updateLine(hart);
  }

  /** The hart's virtual external interrupt: some virtual source pending, enabled and not in service. */
  private updateLine(hart: number): void {
    const base = this.at(hart, 0);
    if (base < 0) return;
    let asserted = false;
    for (let word = 0; word < this.words && !asserted; word++) {
      asserted = (this.vpending[base + word]! & this.venable[base + word]! & ~this.vservice[base + word]!) !== 0;
    }
    this.board.setVirtualExternal(hart, asserted);
  }

  private virqMask(cell: Cell, word: number): number {
    let m = 0;
    for (const irq of cell.virqs) if (irq >>> 5 === word) m |= 1 << (irq & 31);
    return m;
  }

  private mask(cell: Cell, word: number): number {
    if (word >= this.words) return 0;
    let m = 0;
    for (let bit = 0; bit < 32; bit++) if (cell.pins.has(word * 32 + bit)) m |= 1 << bit;
    return m;
  }
}
