import type { AccessSize, IrqLine, MmioDevice } from './device.ts';
import { MMIO_FAULT } from './device.ts';

/** The PLIC context through which hart `hart` takes machine-mode external interrupts. */
export function machineContext(hart: number): number {
  return 2 * hart;
}

/** The PLIC context through which hart `hart` takes supervisor-mode external interrupts (its SEIP). */
export function supervisorContext(hart: number): number {
  return 2 * hart + 1;
}

/** Highest priority a source can have; priorities and thresholds are 3-bit as on QEMU virt. */
export const PLIC_MAX_PRIORITY = 7;

export interface PlicOptions {
  /** Number of harts; the PLIC gets two contexts per hart (M-mode 2h, S-mode 2h+1). */
  harts: number;
  /** Sources including the reserved source 0; QEMU virt has 96. */
  numSources?: number;
  name?: string;
  /** Called when a context's interrupt output changes (the board wires S contexts to SEIP). */
  onContextChange: (context: number, asserted: boolean) => void;
}

/**
 * The SiFive platform-level interrupt controller in QEMU virt's layout and semantics
 * (hw/intc/sifive_plic.c), with level-triggered gateways.
 *
 * Gateway: while a source is not in service its pending bit follows its input level, so a device that
 * drops its line before anyone claimed it leaves nothing pending (as in QEMU). Claim clears the pending
 * bit and puts the source in service, which hides the line from the gateway; completion takes it out of
 * service and re-samples the line, so a device still asserting its line is pending again at once.
 *
 * Claim returns the pending, enabled source with the highest priority above the context's threshold
 * (lowest id on ties), as QEMU does; with threshold 0 that is any priority > 0. A completion is honoured
 * only when the source is enabled for the completing context (QEMU behaviour again).
 *
 * Registers are 32 bits wide: other access sizes and misaligned offsets fault. Reads of unimplemented
 * registers return 0 and writes to them (and to the read-only pending bits) are ignored.
 *
 * A context's output is recomputed only when something it depends on changes: a source it enables
 * changes pending/in-service state or priority, or its own enables or threshold are written.
 */
export class Plic implements MmioDevice {
  readonly name: string;
  readonly numSources: number;
  readonly numContexts: number;

  private readonly words: number;
  private readonly onContextChange: (context: number, asserted: boolean) => void;
  private readonly priority: Uint8Array;
  private readonly level: Uint32Array;
  private readonly pending: Uint32Array;
  private readonly inService: Uint32Array;
  /** Edges (trigger()) that arrived while their source was in service: they pend again on complete. */
  private readonly latched: Uint32Array;
  /** Enable bits, `words` words per context. */
  private readonly enable: Uint32Array;
  private readonly threshold: Uint8Array;
  private readonly asserted: Uint8Array;
  private readonly lines: IrqLine[] = [];

  constructor(options: PlicOptions) {
    const numSources = options.numSources ?? 96;
    if (!Number.isInteger(options.harts) || options.harts < 1 || options.harts > 512) {
      throw new RangeError(`PLIC: harts must be 1..512, got ${options.harts}`);
    }
    if (!Number.isInteger(numSources) || numSources < 2 || numSources > 1024) {
      throw new RangeError(`PLIC: numSources must be 2..1024, got ${numSources}`);
    }
    this.name = options.name ?? 'plic';
    this.numSources = numSources;
    this.numContexts = 2 * options.harts;
    this.words = Math.ceil(numSources / 32);
    this.onContextChange = options.onContextChange;
    this.priority = new Uint8Array(numSources);
    this.level = new Uint32Array(this.words);
    this.pending = new Uint32Array(this.words);
    this.inService = new Uint32Array(this.words);
    this.latched = new Uint32Array(this.words);
    this.enable = new Uint32Array(this.words * this.numContexts);
    this.threshold = new Uint8Array(this.numContexts);
    this.asserted = new Uint8Array(this.numContexts);
  }

  /** The input wire of `source` (1..numSources-1); the same object on every call. */
  line(source: number): IrqLine {
    if (!Number.isInteger(source) || source < 1 || source >= this.numSources) {
      throw new RangeError(`PLIC: source must be 1..${this.numSources - 1}, got ${source}`);
    }
    let line = this.lines[source];
    if (!line) {
      line = { set: (level: boolean) => this.setLevel(source, level) };
      this.lines[source] = line;
    }
    return line;
  }

  /**
   * An edge on `source` rather than a level: the way a hypervisor injects a virtual interrupt (Jailhouse's
   * irqchip_set_pending, e.g. an ivshmem doorbell). The source becomes pending; an edge that arrives while
   * the source is in service is kept and pends it again when the handler completes.
   */
  trigger(source: number): void {
    if (!Number.isInteger(source) || source < 1 || source >= this.numSources) return;
    const word = source >>> 5;
    const bit = 1 << (source & 31);
    if (this.inService[word]! & bit) this.latched[word]! |= bit;
    else this.setPending(source, true);
  }

  /** Whether `context` currently requests an external interrupt from its hart. */
  isAsserted(context: number): boolean {
    return this.asserted[context] === 1;
  }

  /** Whether `source` is pending (visible in the pending bits). */
  isPending(source: number): boolean {
    return this.testBit(this.pending, source);
  }

  /** Clears all registers and gateway state; input levels are kept (the devices still drive them). */
  reset(): void {
    this.priority.fill(0);
    this.inService.fill(0);
    this.latched.fill(0);
    this.enable.fill(0);
    this.threshold.fill(0);
    this.pending.set(this.level);
    for (let context = 0; context < this.numContexts; context++) this.recompute(context);
  }

  read(offset: number, size: AccessSize): number {
    if (size !== 4 || offset % 4 !== 0) return MMIO_FAULT;
    if (offset < PENDING_BASE) {
      const source = offset >>> 2;
      return source < this.numSources ? this.priority[source]! : 0;
    }
    if (offset < ENABLE_BASE) {
      const word = (offset - PENDING_BASE) >>> 2;
      return word < this.words ? this.pending[word]! : 0;
    }
    if (offset < CONTEXT_BASE) {
      const context = Math.floor((offset - ENABLE_BASE) / ENABLE_STRIDE);
      const word = ((offset - ENABLE_BASE) % ENABLE_STRIDE) >>> 2;
      if (context >= this.numContexts || word >= this.words) return 0;
      return this.enable[context * this.words + word]!;
    }
    const context = Math.floor((offset - CONTEXT_BASE) / CONTEXT_STRIDE);
    if (context >= this.numContexts) return 0;
    switch ((offset - CONTEXT_BASE) % CONTEXT_STRIDE) {
      case 0:
        return this.threshold[context]!;
      case 4:
        return this.claim(context);
      default:
        return 0;
    }
  }

  write(offset: number, size: AccessSize, value: number): boolean {
    if (size !== 4 || offset % 4 !== 0) return false;
    value >>>= 0;
    if (offset < PENDING_BASE) {
      const source = offset >>> 2;
      if (source >= 1 && source < this.numSources) this.writePriority(source, value);
      return true;
    }
    if (offset < ENABLE_BASE) return true; // pending bits are read-only
    if (offset < CONTEXT_BASE) {
      const context = Math.floor((offset - ENABLE_BASE) / ENABLE_STRIDE);
      const word = ((offset - ENABLE_BASE) % ENABLE_STRIDE) >>> 2;
      if (context < this.numContexts && word < this.words) this.writeEnable(context, word, value);
      return true;
    }
    const context = Math.floor((offset - CONTEXT_BASE) / CONTEXT_STRIDE);
    if (context >= this.numContexts) return true;
    switch ((offset - CONTEXT_BASE) % CONTEXT_STRIDE) {
      case 0:
        // Out-of-range thresholds are ignored rather than truncated, as QEMU does.
        if (value <= PLIC_MAX_PRIORITY) {
          this.threshold[context] = value;
          this.recompute(context);
        }
        break;
      case 4:
        this.complete(context, value);
        break;
    }
    return true;
  }

  private setLevel(source: number, high: boolean): void {
    const word = source >>> 5;
    const bit = 1 << (source & 31);
    if (high) this.level[word]! |= bit;
    else this.level[word]! &= ~bit;
    if (this.inService[word]! & bit) return;
    this.setPending(source, high);
  }

  private setPending(source: number, pending: boolean): void {
    const word = source >>> 5;
    const bit = 1 << (source & 31);
    if (((this.pending[word]! & bit) !== 0) === pending) return;
    if (pending) this.pending[word]! |= bit;
    else this.pending[word]! &= ~bit;
    this.sourceChanged(source, pending);
  }

  private writePriority(source: number, value: number): void {
    // The priority register implements 3 bits: wider values are truncated, as QEMU does.
    const priority = value & PLIC_MAX_PRIORITY;
    const old = this.priority[source]!;
    if (priority === old) return;
    this.priority[source] = priority;
    if (this.isClaimable(source)) this.sourceChanged(source, priority > old);
  }

  private writeEnable(context: number, word: number, value: number): void {
    // Source 0 does not exist and source bits past numSources are not implemented.
    let mask = 0xffffffff;
    if (word === 0) mask &= ~1;
    const bitsInWord = this.numSources - word * 32;
    if (bitsInWord < 32) mask &= (1 << bitsInWord) - 1;
    this.enable[context * this.words + word] = value & mask;
    this.recompute(context);
  }

  private claim(context: number): number {
    const source = this.bestSource(context);
    if (source === 0) return 0;
    const word = source >>> 5;
    const bit = 1 << (source & 31);
    this.pending[word]! &= ~bit;
    this.inService[word]! |= bit;
    this.sourceChanged(source, false);
    return source;
  }

  private complete(context: number, source: number): void {
    if (source < 1 || source >= this.numSources) return;
    const word = source >>> 5;
    const bit = 1 << (source & 31);
    if (!(this.enable[context * this.words + word]! & bit)) return;
    if (!(this.inService[word]! & bit)) return;
    this.inService[word]! &= ~bit;
    if ((this.level[word]! | this.latched[word]!) & bit) {
      this.latched[word]! &= ~bit;
      this.setPending(source, true);
    }
  }

  private isClaimable(source: number): boolean {
    return this.testBit(this.pending, source) && !this.testBit(this.inService, source);
  }

  /**
   * Updates the contexts that enable `source` after its claimability or priority changed.
   * `gained` means the change can only raise outputs (so no rescan is needed for an asserted context).
   */
  private sourceChanged(source: number, gained: boolean): void {
    const word = source >>> 5;
    const bit = 1 << (source & 31);
    const priority = this.priority[source]!;
    for (let context = 0; context < this.numContexts; context++) {
      if (!(this.enable[context * this.words + word]! & bit)) continue;
      if (gained) {
        if (!this.asserted[context] && priority > this.threshold[context]!) this.setOutput(context, true);
      } else if (this.asserted[context]) {
        this.recompute(context);
      }
    }
  }

  private recompute(context: number): void {
    this.setOutput(context, this.bestSource(context) !== 0);
  }

  private setOutput(context: number, asserted: boolean): void {
    const value = asserted ? 1 : 0;
    if (this.asserted[context] === value) return;
    this.asserted[context] = value;
    this.onContextChange(context, asserted);
  }

  /** The source a claim by `context` would return, or 0. */
  private bestSource(context: number): number {
    let best = 0;
    let bestPriority = this.threshold[context]!;
    const enableBase = context * this.words;
    for (let word = 0; word < this.words; word++) {
      let candidates = this.pending[word]! & ~this.inService[word]! & this.enable[enableBase + word]!;
      while (candidates !== 0) {
        const bitIndex = 31 - Math.clz32(candidates & -candidates);
        candidates &= candidates - 1;
        const source = word * 32 + bitIndex;
        const priority = this.priority[source]!;
        if (priority > bestPriority) {
          best = source;
          bestPriority = priority;
        }
      }
    }
    return best;
  }

  private testBit(bits: Uint32Array, source: number): boolean {
    return (bits[source >>> 5]! & (1 << (source & 31))) !== 0;
  }
}

const PENDING_BASE = 0x1000;
const ENABLE_BASE = 0x2000;
const ENABLE_STRIDE = 0x80;
const CONTEXT_BASE = 0x200000;
const CONTEXT_STRIDE = 0x1000;
