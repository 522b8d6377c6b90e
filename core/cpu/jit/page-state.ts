/** A translated page function: runs from `slot` until an exit, returns the instructions it retired. */
export type PageFunction = (hartOffset: number, slot: number, pageVa: number, limit: number) => number;

/** The WebAssembly code of one decoded page. */
export interface PageTranslation {
  readonly run: PageFunction;
  /** Per slot: 1 where the function can be entered (a basic block starts). */
  readonly entry: Uint8Array;
  /** Per slot: 1 where a decoded slot the code was made from lies; a store there drops the translation. */
  readonly covers: Uint8Array;
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
  /** Entries at slots the translation has no block for, since it was made. */
  misses = 0;
  rewrites = 0;
  retranslations = 0;
  queued = false;
  /** Since the last review (Jit.review): runs of the translation, the instructions they retired, and how
   * many ended handing an instruction to the interpreter. */
  runs = 0;
  retired = 0;
  steps = 0;

  constructor(readonly pageOffset: number) {}

  /** Decoded slots first..last were cleared (a store): drop the translation if it was made from them. */
  invalidate(first: number, last: number): void {
    const t = this.translation;
    if (t === undefined) return;
    for (let s = first; s <= last; s++) {
      if (t.covers[s] !== 0) {
        this.translation = undefined;
        this.misses = 0;
        // Code that keeps rewriting itself stays with the interpreter.
        this.heat = ++this.rewrites >= MAX_REWRITES ? -Infinity : 0;
        return;
      }
    }
  }
}
