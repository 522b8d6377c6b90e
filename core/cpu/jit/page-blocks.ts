import type { CodeCache, DecodedPage } from '../code-cache.ts';
import { Csr } from '../csr.ts';
import { Op, SINK } from '../opcodes.ts';

/** How an instruction shapes a basic block. */
export const enum Shape {
  /** Runs in translated code; the block goes on. */
  Plain,
  /** A load, store or AMO: inline on a TLB hit, else the interpreter executes it (the step handler). */
  Memory,
  /** An access to an S-mode CSR kept in the hart's block: inline unless it would trap or needs more. */
  Csr,
  /** Ends the block: a branch or jump. */
  Transfer,
  /** Left to the interpreter (CSRs, ecall, LR/SC, privileged, illegal, page-crossing): ends the block. */
  Exit,
  /** The slot past the page's end: falls to the next page. */
  PageEnd,
  /** An LR or SC of a pair translated code does itself (lrScEnd): reads and writes registers, goes on. */
  Paired,
}

export function shapeOf(op: Op): Shape {
  switch (op) {
    case Op.Lb: case Op.Lh: case Op.Lw: case Op.Ld: case Op.Lbu: case Op.Lhu: case Op.Lwu:
    case Op.Sb: case Op.Sh: case Op.Sw: case Op.Sd:
    case Op.AmoswapW: case Op.AmoaddW: case Op.AmoxorW: case Op.AmoandW: case Op.AmoorW:
    case Op.AmominW: case Op.AmomaxW: case Op.AmominuW: case Op.AmomaxuW:
    case Op.AmoswapD: case Op.AmoaddD: case Op.AmoxorD: case Op.AmoandD: case Op.AmoorD:
    case Op.AmominD: case Op.AmomaxD: case Op.AmominuD: case Op.AmomaxuD:
      return Shape.Memory;
    case Op.Jal: case Op.Jalr: case Op.Beq: case Op.Bne: case Op.Blt: case Op.Bge: case Op.Bltu: case Op.Bgeu:
      return Shape.Transfer;
    case Op.PageEnd:
      return Shape.PageEnd;
    case Op.Lui: case Op.Auipc: case Op.Li: case Op.Mv:
    case Op.Addi: case Op.Slti: case Op.Sltiu: case Op.Xori: case Op.Ori: case Op.Andi: case Op.Slli: case Op.Srli: case Op.Srai:
    case Op.Add: case Op.Sub: case Op.Sll: case Op.Slt: case Op.Sltu: case Op.Xor: case Op.Srl: case Op.Sra: case Op.Or: case Op.And:
    case Op.Addiw: case Op.Slliw: case Op.Srliw: case Op.Sraiw: case Op.Addw: case Op.Subw: case Op.Sllw: case Op.Srlw: case Op.Sraw:
    case Op.Mul: case Op.Mulh: case Op.Mulhsu: case Op.Mulhu: case Op.Div: case Op.Divu: case Op.Rem: case Op.Remu:
    case Op.Mulw: case Op.Divw: case Op.Divuw: case Op.Remw: case Op.Remuw:
    case Op.Fence: case Op.FenceI:
      return Shape.Plain;
    default:
      return Shape.Exit;
  }
}

/** shapeOf for a decoded instruction: CSR accesses translated code does inline are Shape.Csr. */
export function shapeOfInstruction(word: number, imm: number): Shape {
  const op: Op = word & 0xff;
  if (op >= Op.Csrrw && op <= Op.Csrrci && csrInline(op, (word >>> 14) & 31, imm)) return Shape.Csr;
  return shapeOf(op);
}

/**
 * Whether translated code does this CSR access itself: the S-mode CSRs in the hart's block whose writes
 * change nothing the run loop watches (sie and satp writes, counters, sip stay with the interpreter).
 */
export function csrInline(op: Op, rs1: number, csr: number): boolean {
  switch (csr) {
    case Csr.Sscratch: case Csr.Sepc: case Csr.Scause: case Csr.Stval: case Csr.Stvec:
    case Csr.Sstatus: case Csr.Scounteren: case Csr.Senvcfg:
      return true;
    case Csr.Sie:
      return op !== Op.Csrrw && op !== Op.Csrrwi && rs1 === 0; // a read
    default:
      return false;
  }
}

/** Whether a block goes on after an instruction of this shape (translated code runs it inline). */
export function goesOn(shape: Shape): boolean {
  return shape === Shape.Plain || shape === Shape.Memory || shape === Shape.Csr;
}

/** Exits after which execution usually resumes at the next instruction (so it should be an entry). */
function resumesAfter(op: Op): boolean {
  return (op >= Op.LrW && op <= Op.Csrrci) || op === Op.Ecall || op === Op.Wfi || op === Op.SfenceVma;
}

export interface Instruction {
  slot: number;
  word: number;
  imm: number;
  /** An LR or SC of a pair translated code does itself (see lrScEnd). */
  paired?: true;
}

/** shapeOfInstruction for an instruction of a block: a paired LR or SC goes on like a plain one. */
export function shapeInBlock(ins: Instruction): Shape {
  return ins.paired ? Shape.Paired : shapeOfInstruction(ins.word, ins.imm);
}

/** Plain instructions an LR/SC pair may have between them (an increment, a compare, a select). */
const MAX_BETWEEN = 4;

/**
 * The slot after the SC when an LR at `slot` starts a pair translated code can do itself: an LR, at most
 * MAX_BETWEEN plain instructions that leave the address register alone, then an SC of the same width on
 * the same register (an atomic increment, swap or add as compilers and locks write them). Else -1.
 * Within one block nothing runs between the two (no other hart, no interrupt, no store), so while no hart
 * holds a reservation the SC succeeds: translated code loads, computes and stores, with no reservation.
 */
export function lrScEnd(wordAt: (slot: number) => number, slot: number): number {
  const lr = wordAt(slot), op: Op = lr & 0xff;
  if (op !== Op.LrW && op !== Op.LrD) return -1;
  const address = (lr >>> 14) & 31;
  if (((lr >>> 8) & 63) === address) return -1;
  let s = slot + (lr >>> 24);
  for (let k = 0; k <= MAX_BETWEEN && s < SLOTS; k++) {
    const w = wordAt(s), o: Op = w & 0xff;
    if (o === (op === Op.LrW ? Op.ScW : Op.ScD)) return ((w >>> 14) & 31) === address ? s + (w >>> 24) : -1;
    if (shapeOf(o) !== Shape.Plain || ((w >>> 8) & 63) === address) return -1;
    s += w >>> 24;
  }
  return -1;
}

export interface BasicBlock {
  /** Slot of the first instruction. */
  start: number;
  instructions: Instruction[];
}

const SLOTS = 2048;
/** Instructions a page function may hold twice for entries inside blocks (see findBlocks). */
const DUPLICATED = 128;

/**
 * The basic blocks of a decoded page reachable from `entries` without leaving it, in slot order.
 * Blocks start at entries, in-page branch targets, and after calls and exits (where translated code is
 * re-entered); each ends at a transfer, an exit, or where another block begins that control flows into.
 * An entry only the run loop uses (a slice that began in the middle of a loop body) does not cut the
 * block it lies in: it gets a block of its own up to that block's end. Cut there, a hot loop fell apart
 * into blocks that store and load their registers at every boundary (measured: a quarter slower).
 */
export function findBlocks(code: CodeCache, page: DecodedPage, pageOffset: number, entries: readonly number[]): BasicBlock[] {
  const start = new Uint8Array(SLOTS + 1);
  /** Starts control flows into from translated code (branch targets, joins, resumption points). */
  const cut = new Uint8Array(SLOTS + 1);
  const seen = new Uint8Array(SLOTS + 1);
  const work: number[] = [];
  const addStart = (slot: number, cuts = true) => {
    if (slot < 0 || slot >= SLOTS) return;
    if (cuts) cut[slot] = 1;
    if (start[slot] === 0) { start[slot] = 1; work.push(slot); }
  };
  const wordAt = (slot: number) => {
    const w = page.words[slot]!;
    return w !== 0 ? w : code.fill(page, pageOffset, slot);
  };
  for (const e of entries) addStart(e, false);

  // Pass 1: every block start.
  while (work.length > 0) {
    let slot = work.pop()!;
    for (;;) {
      if (seen[slot] !== 0) { addStart(slot); break; } // another path runs through here: a join
      seen[slot] = 1;
      const w = wordAt(slot), op = w & 0xff, next = slot + (w >>> 24);
      const shape = shapeOfInstruction(w, page.imms[slot]!);
      if (shape === Shape.PageEnd) break;
      const pairEnd = lrScEnd(wordAt, slot);
      if (pairEnd >= 0) { // one block through the pair: its slots after the LR are seen here
        for (let s = next; s < pairEnd; s += wordAt(s) >>> 24) seen[s] = 1;
        if (pairEnd >= SLOTS || start[pairEnd] !== 0) break;
        slot = pairEnd;
        continue;
      }
      if (shape === Shape.Exit) { if (resumesAfter(op)) addStart(next); break; }
      if (shape === Shape.Transfer) {
        const imm = page.imms[slot]!;
        if (op === Op.Jal) {
          addStart((slot * 2 + imm) >> 1);
          if (((w >>> 8) & 63) !== SINK) addStart(next); // a call returns here
        } else if (op === Op.Jalr) {
          if (((w >>> 8) & 63) !== SINK) addStart(next);
        } else {
          const target = slot * 2 + imm;
          if (target >= 0 && target < 4096) addStart(target >> 1);
          addStart(next);
        }
        break;
      }
      if (start[next] !== 0) break;
      slot = next;
    }
  }

  // Entries the run loop uses keep from cutting the blocks they lie in while their copied tails fit
  // DUPLICATED (the first entries first); a page entered everywhere (an OS's, after interrupts) would
  // otherwise grow a copy per entry, and V8's optimizing tier takes superlinear time over large functions.
  /** The block from `s`: to a transfer, an exit or the next cut. */
  const blockFrom = (s: number): BasicBlock => {
    const block: BasicBlock = { start: s, instructions: [] };
    for (let slot = s; ;) {
      const w = wordAt(slot);
      const pairEnd = lrScEnd(wordAt, slot);
      if (pairEnd >= 0 && !cutBetween(slot, pairEnd)) {
        for (let p = slot; p < pairEnd; p += wordAt(p) >>> 24) {
          const word = wordAt(p), imm = page.imms[p]!;
          block.instructions.push(p === slot || p + (word >>> 24) === pairEnd ? { slot: p, word, imm, paired: true } : { slot: p, word, imm });
        }
        slot = pairEnd;
        if (slot >= SLOTS || cut[slot] !== 0) break;
        continue;
      }
      block.instructions.push({ slot, word: w, imm: page.imms[slot]! });
      if (!goesOn(shapeOfInstruction(w, page.imms[slot]!))) break;
      slot += w >>> 24;
      if (cut[slot] !== 0) break;
    }
    return block;
  };
  /** Whether a block starts after `from` and before `end` (a pair cut there is no pair). */
  const cutBetween = (from: number, end: number): boolean => {
    for (let s = from + 1; s < end; s++) if (cut[s] !== 0) return true;
    return false;
  };

  let duplicated = 0;
  for (const e of entries) {
    if (e < 0 || e >= SLOTS || cut[e] !== 0) continue;
    duplicated += blockFrom(e).instructions.length;
    if (duplicated > DUPLICATED) cut[e] = 1;
  }

  // Pass 2: cut the instruction stream at the starts.
  const blocks: BasicBlock[] = [];
  for (let s = 0; s < SLOTS; s++) if (start[s] !== 0) blocks.push(blockFrom(s));
  return blocks;
}
