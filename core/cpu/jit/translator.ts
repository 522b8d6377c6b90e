import type { CodeCache, DecodedPage } from '../code-cache.ts';
import type { Hart } from '../hart.ts';
import { Op } from '../opcodes.ts';
import { HartBlock, type MachineMemory } from './machine-memory.ts';
import { instantiatePages } from './module-builder.ts';
import { findBlocks } from './page-blocks.ts';
import { type CompiledPage, compilePage, JitExit } from './page-compiler.ts';
import { PageJitState } from './page-state.ts';

/** What the run loop does after asking the translator (Jit.next). */
export const enum JitNext {
  /** Translated code ran and moved the pc: look up the next page. */
  Translated,
  /** Interpret exactly one instruction at the pc, then ask again. */
  Step,
  /** Interpret as usual (no translation yet, or the slice ends within the next block). */
  Interpret,
}

/** Entries into an untranslated page before the batch with it is made (pages a quarter as warm join it). */
export const HOT_ENTRIES = 24;
const MAX_BATCH = 48;
/** Entries at slots without a block before the page is translated again with them as entries. */
const MISSES = 64;
const MAX_ENTRIES = 64;
const MAX_RETRANSLATIONS = 4;

export interface JitStatistics {
  modules: number;
  pages: number;
  /** Calls of translated code, interpreter steps it asked for, and slow memory accesses it made. */
  runs: number;
  steps: number;
  slowAccesses: number;
  /** Why translation was switched off (e.g. the page's CSP forbids compiling WebAssembly), if it was. */
  disabled: string | undefined;
}

/**
 * The block translator of a board: counts entries into decoded pages, translates hot ones (with the
 * pages warm at the time, in one module) and runs their code. Shared by the harts (translations belong
 * to RAM pages, not to harts or address spaces: every memory access goes through the hart's TLBs).
 */
export class Jit {
  /** Set by execute(): how the run loop goes on. */
  next: JitNext = JitNext.Interpret;
  /** Set by execute(): 1 when the last attempt it counts raised an exception instead of retiring. */
  faults = 0;
  readonly stats: JitStatistics = { modules: 0, pages: 0, runs: 0, steps: 0, slowAccesses: 0, disabled: undefined };
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private queue: { page: DecodedPage; state: PageJitState }[] = [];
  // What the running translated function was called for (slow paths need the pc and the retired count).
  private hart: Hart | undefined;
  private page: PageJitState | undefined;
  private pageVa = 0;
  private retiredBefore = 0;

  private readonly hot: number;
  private readonly warm: number;

  /** `hot`: entries before a page is translated (tests translate everything with 1). */
  constructor(private readonly memory: MachineMemory, private readonly code: CodeCache, hot = HOT_ENTRIES) {
    this.hot = Math.max(1, hot);
    this.warm = Math.max(1, Math.floor(this.hot / 4));
    this.i32 = new Int32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
  }

  /**
   * Runs translated code of `page` from `slot` for at most `remaining` instructions, when there is some.
   * Returns the instructions retired (the hart's pc is then where they ended); sets `next`.
   */
  execute(hart: Hart, page: DecodedPage, pageOffset: number, pageVa: number, slot: number, remaining: number, retiredBefore: number): number {
    this.faults = 0;
    let state = page.jit;
    if (state === undefined) state = page.jit = new PageJitState(pageOffset);
    const t = state.translation;
    if (t === undefined) {
      this.next = JitNext.Interpret;
      if (this.stats.disabled === undefined) this.count(page, state, slot);
      return 0;
    }
    if (t.entry[slot] === 0) {
      this.next = JitNext.Step;
      this.miss(page, state, slot);
      return 0;
    }
    const at = hart.storageOffset;
    this.hart = hart;
    this.page = state;
    this.pageVa = pageVa;
    this.retiredBefore = retiredBefore;
    this.stats.runs++;
    const ran = t.run(at, slot, pageVa, remaining);
    const status = this.i32[(at + HartBlock.exitStatus) >> 2]!;
    if (status === JitExit.Faulted) { // the pc is at the trap handler; the attempt counts, as in the interpreter
      this.faults = 1;
      this.next = JitNext.Translated;
      return ran + 1;
    }
    hart.pc = this.f64[(at + HartBlock.exitPc) >> 3]!;
    this.next = status === JitExit.Jump ? JitNext.Translated : status === JitExit.Step ? JitNext.Step : JitNext.Interpret;
    if (status === JitExit.Step) this.stats.steps++;
    return ran;
  }

  /** The slow path of one memory access of translated code (see SlowAccess), as the run loop does it. */
  private readonly slowAccess = (_at: number, slot: number, retired: number, word: number, imm: number): number => {
    const hart = this.hart!;
    this.stats.slowAccesses++;
    hart.pc = this.pageVa + slot * 2;
    hart.sliceRetired = this.retiredBefore + retired;
    const op = word & 0xff, rs1 = (word >>> 14) & 31;
    const L = hart.xlo, H = hart.xhi;
    const b = L[rs1]!, a = (b + imm) | 0;
    const ah = (H[rs1]! + (imm >> 31) + ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
    let ok: boolean;
    if (op >= Op.Sb && op <= Op.Sd) {
      const rs2 = (word >>> 19) & 31;
      ok = hart.storeSlow(a, ah, op === Op.Sd ? 8 : op === Op.Sw ? 4 : op === Op.Sh ? 2 : 1, L[rs2]!, H[rs2]!);
    } else {
      const size = op === Op.Ld ? 8 : op === Op.Lw || op === Op.Lwu ? 4 : op === Op.Lb || op === Op.Lbu ? 1 : 2;
      ok = hart.loadSlow(a, ah, size, op === Op.Lwu || op === Op.Lhu || op === Op.Lbu, (word >>> 8) & 63);
    }
    if (!ok) return 1;
    return hart.mustLeavePage() || this.page!.translation === undefined ? 2 : 0;
  };

  private count(page: DecodedPage, state: PageJitState, slot: number): void {
    if (state.entries.length < MAX_ENTRIES && !state.entries.includes(slot)) state.entries.push(slot);
    const heat = ++state.heat;
    if (heat >= this.warm && !state.queued) {
      state.queued = true;
      this.queue.push({ page, state });
    }
    if (heat >= this.hot) {
      const batch = this.queue.splice(0, MAX_BATCH);
      if (!state.queued || !batch.some((q) => q.state === state)) batch.push({ page, state });
      this.translate(batch);
    }
  }

  private miss(page: DecodedPage, state: PageJitState, slot: number): void {
    if (state.entries.length < MAX_ENTRIES && !state.entries.includes(slot)) state.entries.push(slot);
    if (++state.misses >= MISSES && state.retranslations < MAX_RETRANSLATIONS) {
      state.retranslations++;
      this.translate([{ page, state }]);
    }
  }

  private translate(batch: { page: DecodedPage; state: PageJitState }[]): void {
    const made: { state: PageJitState; compiled: CompiledPage }[] = [];
    for (const { page, state } of batch) {
      state.queued = false;
      if (state.heat < 0) continue; // rewrites itself: left to the interpreter
      const blocks = findBlocks(this.code, page, state.pageOffset, state.entries);
      if (blocks.length > 0) made.push({ state, compiled: compilePage(blocks, this.memory) });
    }
    if (made.length === 0) return;
    let functions;
    try {
      functions = instantiatePages(made.map((m) => m.compiled), this.memory.memory, this.slowAccess);
    } catch (error) {
      this.stats.disabled = `WebAssembly compilation failed: ${(error as Error).message}`;
      return;
    }
    this.stats.modules++;
    this.stats.pages += made.length;
    made.forEach(({ state, compiled }, i) => {
      state.translation = { run: functions[i]!, entry: compiled.entry, covers: compiled.covers };
      state.misses = 0;
    });
  }
}
