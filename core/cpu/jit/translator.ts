import type { CodeCache, DecodedPage } from '../code-cache.ts';
import { type Hart, Next } from '../hart.ts';
import { Access } from '../environment.ts';
import { probeRam } from '../mmu.ts';
import { Op } from '../opcodes.ts';
import { HartBlock, type MachineMemory } from './machine-memory.ts';
import { Dispatcher } from './dispatcher.ts';
import { instantiatePages } from './module-builder.ts';
import { findBlocks } from './page-blocks.ts';
import { type CompiledPage, compilePage, JitExit, StepResult } from './page-compiler.ts';
import { PageJitState } from './page-state.ts';

/** What the run loop does after asking the translator (Jit.next). */
export const enum JitNext {
  /** Translated code ran and moved the pc: look up the next page. */
  Translated,
  /** Interpret exactly one instruction at the pc, then ask again. */
  Step,
  /** Interpret as usual (no translation yet, or the slice ends within the next block). */
  Interpret,
  /** Interpret Jit.tail instructions (to the end of the block the pc lies in), then ask again. */
  Tail,
}

/** Entries into an untranslated page before the batch with it is made (pages a quarter as warm join it). */
export const HOT_ENTRIES = 8;
const MAX_BATCH = 48;
/**
 * Instructions the interpreter runs at slots without a block (from where it entered them to the next block
 * start) before the page is translated again with those entries. Translating a whole page again costs
 * about what interpreting a few thousand instructions does: code that runs once (a printf at a workload's
 * end) is not worth it; a loop, or a path taken again and again (an OS's network stack), is.
 */
const RETRANSLATE_AFTER = 2048;
const MAX_ENTRIES = 256;
const MAX_RETRANSLATIONS = 8;
/**
 * Every this many runs a translation is reviewed: one that mostly hands its next instruction to the
 * interpreter (a device access, a CSR, ecall, LR/SC) after fewer than MIN_AVERAGE_RUN instructions costs
 * more in entries and exits (registers loaded and stored each time) than it saves, and the page is left
 * to the interpreter from then on (a device polling loop, an SBI call loop).
 */
const REVIEW_RUNS = 4096;
const MIN_AVERAGE_RUN = 16;

export interface JitStatistics {
  modules: number;
  pages: number;
  /** Calls of translated code, and instructions it handed to the interpreter (exits, slow memory accesses). */
  runs: number;
  steps: number;
  /** Translated pages given back to the interpreter because they exited too often (see REVIEW_RUNS). */
  interpreted: number;
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
  /** Set by execute(): 1 when the last instruction it ran trapped (counted in its return value, not retired). */
  faulted = 0;
  /** Set by execute() with JitNext.Tail. */
  tail = 0;
  readonly stats: JitStatistics = { modules: 0, pages: 0, runs: 0, steps: 0, interpreted: 0, disabled: undefined };
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private queue: { page: DecodedPage; state: PageJitState }[] = [];
  /** Made with the first translation (where WebAssembly cannot be compiled, translation is switched off then). */
  private dispatcher: Dispatcher | undefined;
  /** Per table index: the page state whose translation is there (the exit record names the last one run). */
  private readonly owners: ({ page: DecodedPage; state: PageJitState } | undefined)[] = [];

  private readonly hot: number;
  private readonly warm: number;

  // The hart running translated code and its slice's retired count before, for step().
  private hart: Hart | undefined;
  private retiredBefore = 0;

  /**
   * The page whose slot without a block `arrivalHart` arrived at and now interprets, toward where a block
   * starts; `askedSlot` where it last asked. Slots after it continue that one arrival: only the first is
   * an entry to learn (findBlocks follows the flow from it; each slot an entry, one function's body filled
   * the page's 256). A slot at or before it (a loop the translation lacks) is an arrival again.
   */
  private arrival: PageJitState | undefined;
  private arrivalHart: Hart | undefined;
  private askedSlot = 0;

  /** `hot`: entries before a page is translated (tests translate everything with 1). */
  constructor(private readonly memory: MachineMemory, private readonly code: CodeCache, private readonly pageFunctions: Int32Array,
    hot = HOT_ENTRIES, private readonly reviewRuns = REVIEW_RUNS) {
    this.hot = Math.max(1, hot);
    this.warm = Math.max(1, Math.floor(this.hot / 4));
    this.i32 = new Int32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
  }

  /**
   * Runs translated code of `page` from `slot` for at most `remaining` instructions, when there is some.
   * `retiredBefore`: the slice's retired count so far. Returns the instructions executed (the hart's pc is
   * then where they ended): all retired but the one counted in `faulted`; sets `next`.
   */
  execute(hart: Hart, page: DecodedPage, pageOffset: number, pageVa: number, slot: number, remaining: number, retiredBefore: number): number {
    this.faulted = 0;
    let state = page.jit;
    if (state === undefined) state = page.jit = new PageJitState(pageOffset, this.pageFunctions);
    const t = state.translation;
    if (t === undefined) {
      this.next = JitNext.Interpret;
      this.arrival = undefined;
      if (this.stats.disabled === undefined) this.count(page, state, slot);
      return 0;
    }
    if (t.entry[slot] === 0) {
      // Inside a block (a slice that ended there, a trap's return): to its end, where a block starts. Made
      // an entry instead, every such slot in a loop cost a retranslation (and V8 optimizing it anew).
      const tail = t.tails[slot]!;
      if (tail !== 0) { this.next = JitNext.Tail; this.tail = tail; return 0; }
      const goesOn = this.arrival === state && this.arrivalHart === hart && slot > this.askedSlot;
      if (goesOn ? state.retranslations < MAX_RETRANSLATIONS : this.learn(state, slot)) {
        // Interpret up to where the next block starts (at most that many instructions: compressed ones
        // take one slot), then ask again: stepped one by one, an OS's paths the translation lacked ran at
        // a fraction of the interpreter's speed.
        this.next = JitNext.Tail;
        this.tail = Math.max(1, t.gaps[slot]! >> 1);
        this.arrival = state;
        if ((state.outside += this.tail) >= RETRANSLATE_AFTER) {
          state.retranslations++;
          this.translate([{ page, state }]);
        }
      } else {
        this.next = JitNext.Interpret;
        this.arrival = undefined;
      }
      this.arrivalHart = hart;
      this.askedSlot = slot;
      return 0;
    }
    this.arrival = undefined;
    const at = hart.storageOffset;
    this.stats.runs++;
    this.hart = hart;
    this.retiredBefore = retiredBefore;
    let ran = this.dispatcher!.enter(at, t.index, slot, pageVa, remaining);
    const status = this.i32[(at + HartBlock.exitStatus) >> 2]!;
    if (status === JitExit.Trapped) { this.faulted = 1; ran++; }
    else if (status !== JitExit.Moved) hart.pc = this.f64[(at + HartBlock.exitPc) >> 3]!;
    this.next = status === JitExit.Step ? JitNext.Step : status === JitExit.Budget ? JitNext.Interpret : JitNext.Translated;
    const owner = this.owners[this.i32[(at + HartBlock.runningFunction) >> 2]!];
    const last = owner?.state ?? state;
    last.retired += ran;
    if (status === JitExit.Step) { this.stats.steps++; last.steps++; }
    // Translated code wanted to go on at a slot without a block (after an instruction it handed over,
    // e.g. a device read in a polling loop): that slot is worth an entry, unlike a slice's first slot.
    else if (status === JitExit.Miss && owner !== undefined) {
      const missed = (hart.pc - this.f64[(at + HartBlock.runningPageVa) >> 3]!) / 2;
      this.learn(last, missed);
      // the run loop's next call, at that slot, goes on from this arrival
      this.arrival = last;
      this.arrivalHart = hart;
      this.askedSlot = missed - 1;
    }
    if (++last.runs === this.reviewRuns) this.review(last);
    return ran;
  }

  /**
   * The step import of translated code: executes the instruction at `slot` of the running function's page
   * (the dispatcher notes which, and what the functions before it in the chain retired) as the
   * interpreter would (Hart.executeOne), `retired` instructions into the function, with the registers
   * already in the hart's block.
   */
  private readonly step = (slot: number, retired: number): number => {
    const hart = this.hart!, at = hart.storageOffset;
    const index = this.i32[(at + HartBlock.runningFunction) >> 2]!;
    const { page, state } = this.owners[index]!;
    const w = page.words[slot]!, op: Op = w & 0xff;
    if (op === Op.Undecoded || op === Op.CrossPage) return StepResult.Declined;
    this.stats.steps++;
    const pageVa = this.f64[(at + HartBlock.runningPageVa) >> 3]!;
    hart.pc = pageVa + slot * 2;
    // as the interpreter counts: this one included
    hart.sliceRetired = this.retiredBefore + this.i32[(at + HartBlock.chainRetired) >> 2]! + retired + 1;
    const next = hart.executeOne(w, page.imms[slot]!, state.pageOffset + slot * 2);
    if (next === Next.Trapped) return StepResult.Trapped;
    if (next === Next.Leave) return StepResult.Left;
    const after = slot + (w >>> 24);
    // A store into this very code (or a device writing it) dropped the function that is running.
    if (state.translation?.index === index) return after;
    hart.pc = pageVa + after * 2;
    return StepResult.Left;
  };

  /**
   * The TLB probe imports: a TLB miss of translated code that needs nothing but RAM refills the TLB and
   * stays in its block (a miss taken through the step import ended the block, and its slot became an
   * entry: loops walking new pages kept their page retranslating).
   */
  private readonly probes = {
    read: (addressLow: number, addressHigh: number): number => (probeRam(this.hart!, addressLow, addressHigh, Access.Read) ? 1 : 0),
    write: (addressLow: number, addressHigh: number): number => (probeRam(this.hart!, addressLow, addressHigh, Access.Write) ? 1 : 0),
  };

  private review(state: PageJitState): void {
    if (state.steps * 2 > state.runs && state.retired < state.runs * MIN_AVERAGE_RUN) {
      state.drop();
      state.heat = -Infinity;
      this.stats.interpreted++;
    }
    state.runs = state.retired = state.steps = 0;
  }

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

  /**
   * Notes an entry at a slot without a block (the page's next translation starts a block there). True
   * while the slot may still become an entry, so handing back at the next block start pays; false once it
   * cannot (entries or retranslations used up): the interpreter then runs on freely instead of asking
   * again and again, which made a loop the translation missed run at a quarter of the interpreter's speed.
   */
  private learn(state: PageJitState, slot: number): boolean {
    const known = state.entries.includes(slot);
    if (!known && state.entries.length < MAX_ENTRIES) state.entries.push(slot);
    else if (!known) return false;
    return state.retranslations < MAX_RETRANSLATIONS;
  }

  private translate(batch: { page: DecodedPage; state: PageJitState }[]): void {
    const made: { page: DecodedPage; state: PageJitState; compiled: CompiledPage }[] = [];
    for (const { page, state } of batch) {
      state.queued = false;
      if (state.heat < 0) continue; // rewrites itself: left to the interpreter
      const blocks = findBlocks(this.code, page, state.pageOffset, state.entries);
      if (blocks.length > 0) made.push({ page, state, compiled: compilePage(blocks, this.memory) });
    }
    if (made.length === 0) return;
    let functions, dispatcher;
    try {
      dispatcher = this.dispatcher ??= new Dispatcher(this.memory.memory, this.memory);
      functions = instantiatePages(made.map((m) => m.compiled), this.memory, this.memory.memory, this.step, this.probes);
    } catch (error) {
      this.stats.disabled = `WebAssembly compilation failed: ${(error as Error).message}`;
      return;
    }
    this.stats.modules++;
    this.stats.pages += made.length;
    made.forEach(({ page, state, compiled }, i) => {
      const index = dispatcher.add(functions[i]);
      this.owners[index] = { page, state };
      state.install({ index, entry: compiled.entry, covers: compiled.covers, tails: compiled.tails, gaps: compiled.gaps }, dispatcher);
      state.outside = 0;
    });
  }
}
