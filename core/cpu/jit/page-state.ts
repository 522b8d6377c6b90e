import type { Dispatcher } from './dispatcher.ts';

/** The WebAssembly code of one decoded page. */
export interface PageTranslation {
  /** Its function's index in the dispatcher's table (Ram.pageFunctions holds it while it is current). */
  readonly index: number;
  /** Per slot: 1 where the function can be entered (a basic block starts). */
  readonly entry: Uint8Array;
  /** Per slot: 1 where a decoded slot the code was made from lies; a store there drops the translation. */
  readonly covers: Uint8Array;
  /** Per slot inside a block: the instructions from there to the block's end (0 elsewhere). */
  readonly tails: Uint16Array;
  /** Per slot: slots from there to the next block start (SLOTS - slot after the last). */
  readonly gaps: Uint16Array;
}

/** Translations of a page dropped by stores into their code before the page is left to the interpreter. */
const MAX_REWRITES = 8;

/** What the translator keeps per decoded page: heat, known entries and the translation. */
export class PageJitState {
  /** Entries into the page from the run loop while it had no translation. */
  heat = 0;
  /** Slots the page was entered at (translation starts its blocks there). */
  readonly entries: number[] = [];
  translation: PageTranslation | undefined;
  /** Instructions the interpreter ran at slots the translation has no block for, since it was made. */
  outside = 0;
  rewrites = 0;
  retranslations = 0;
  queued = false;
  /** Since the last review (Jit.review): runs of the translation, the instructions they retired, and how
   * many ended handing an instruction to the interpreter. */
  runs = 0;
  retired = 0;
  steps = 0;

  private dispatcher: Dispatcher | undefined;

  constructor(readonly pageOffset: number, private readonly pageFunctions: Int32Array) {}

  /** Makes `t`, in `dispatcher`'s table, the page's translation (entered from other pages from now on). */
  install(t: PageTranslation, dispatcher: Dispatcher): void {
    this.drop();
    this.translation = t;
    this.dispatcher = dispatcher;
    this.pageFunctions[this.pageOffset >>> 12] = t.index;
  }

  /** Forgets the translation (a store into its code, a review, the decoded page dropped). */
  drop(): void {
    const t = this.translation;
    if (t === undefined) return;
    this.translation = undefined;
    this.pageFunctions[this.pageOffset >>> 12] = 0;
    this.dispatcher!.release(t.index);
  }

  /** Decoded slots first..last were cleared (a store): drop the translation if it was made from them. */
  invalidate(first: number, last: number): void {
    const t = this.translation;
    if (t === undefined) return;
    for (let s = first; s <= last; s++) {
      if (t.covers[s] !== 0) {
        this.drop();
        this.outside = 0;
        // Code that keeps rewriting itself stays with the interpreter.
        this.heat = ++this.rewrites >= MAX_REWRITES ? -Infinity : 0;
        return;
      }
    }
  }
}
