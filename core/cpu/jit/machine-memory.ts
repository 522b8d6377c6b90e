import { TLB_SIZE } from '../mmu.ts';

/**
 * One WebAssembly.Memory that the interpreter and translated code share, so neither copies state:
 *
 *   [0, ramOffset)        code-page flags (Ram.codePages), decoded extents (Ram.codeExtents), page
 *                         functions (Ram.pageFunctions), then one HART_STATE_SIZE block per hart
 *   [ramOffset, +ramSize) guest RAM (Ram's views start here)
 *
 * A hart's block holds what translated code reads and writes: the register pairs (Hart.xlo/xhi), the read,
 * write and fetch TLBs' tag and base arrays, and the exit record a translated function leaves behind.
 */
export const HartBlock = {
  xlo: 0,
  xhi: 136,
  /** Exit record: status (JitExit) and the next pc as a double. */
  exitStatus: 272,
  exitPc: 280,
  /**
   * What the dispatcher notes before each page function it calls (it chains several): the function's
   * table index, its page's virtual address, and the instructions the functions before it retired.
   */
  runningFunction: 288,
  chainRetired: 292,
  runningPageVa: 296,
  /** S-mode CSRs translated code reads and writes inline: (low, high) pairs, then 32-bit ones (csr.ts). */
  sscratch: 320,
  sepc: 328,
  scause: 336,
  stval: 344,
  stvec: 352,
  sstatus: 360,
  sie: 364,
  scounteren: 368,
  senvcfg: 372,
  /** Hart.priv. */
  priv: 376,
  readTagLo: 1024,
  readTagHi: 1024 + TLB_SIZE * 4,
  readBase: 1024 + TLB_SIZE * 8,
  writeTagLo: 1024 + TLB_SIZE * 12,
  writeTagHi: 1024 + TLB_SIZE * 16,
  writeBase: 1024 + TLB_SIZE * 20,
  fetchTagLo: 1024 + TLB_SIZE * 24,
  fetchTagHi: 1024 + TLB_SIZE * 28,
  fetchBase: 1024 + TLB_SIZE * 32,
} as const;

export const HART_STATE_SIZE = 32768;
const WASM_PAGE = 65536;

/** Where a hart's registers and TLBs live: a buffer and the byte offset of the hart's block. */
export interface HartStorage {
  readonly buffer: ArrayBuffer;
  readonly offset: number;
}

/** Where RAM and its code-page flags and extents live. */
export interface RamStorage {
  readonly buffer: ArrayBuffer;
  readonly ramOffset: number;
  readonly codePagesOffset: number;
  readonly codeExtentsOffset: number;
  readonly pageFunctionsOffset: number;
  /** One i32: LR reservations held (reservations.ts). */
  readonly reservationsOffset: number;
}

export class MachineMemory implements RamStorage {
  readonly memory: WebAssembly.Memory;
  readonly buffer: ArrayBuffer;
  readonly codePagesOffset = 0;
  readonly codeExtentsOffset: number;
  readonly pageFunctionsOffset: number;
  readonly reservationsOffset: number;
  readonly ramOffset: number;
  private readonly hartsOffset: number;

  constructor(readonly ramSize: number, readonly harts: number) {
    this.codeExtentsOffset = align(ramSize >>> 12, 4);
    this.pageFunctionsOffset = this.codeExtentsOffset + 4 * (ramSize >>> 12);
    this.reservationsOffset = this.pageFunctionsOffset + 4 * (ramSize >>> 12);
    this.hartsOffset = align(this.reservationsOffset + 4, HART_STATE_SIZE);
    this.ramOffset = align(this.hartsOffset + harts * HART_STATE_SIZE, WASM_PAGE);
    const pages = (this.ramOffset + ramSize) / WASM_PAGE;
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.buffer = this.memory.buffer;
  }

  hart(id: number): HartStorage {
    return { buffer: this.buffer, offset: this.hartsOffset + id * HART_STATE_SIZE };
  }

  /** Memory for a board, or undefined where WebAssembly memories of that size cannot be made. */
  static tryCreate(ramSize: number, harts: number): MachineMemory | undefined {
    if (typeof WebAssembly !== 'object' || typeof WebAssembly.Memory !== 'function') return undefined;
    try {
      return new MachineMemory(ramSize, harts);
    } catch {
      return undefined; // e.g. the address space for a 2 GiB memory is not available
    }
  }
}

function align(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}
