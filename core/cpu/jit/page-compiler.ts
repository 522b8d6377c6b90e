import { Op, SINK } from '../opcodes.ts';
import { FIRST_HELPER, HELPER_OPS, helperIndex } from './arith-helpers.ts';
import { HartBlock } from './machine-memory.ts';
import { TLB_SIZE } from '../mmu.ts';
import { Csr, SSTATUS_MXR, SSTATUS_SIE, SSTATUS_SUM, SSTATUS_WRITABLE } from '../csr.ts';
import { type BasicBlock, type Instruction, Shape, shapeInBlock } from './page-blocks.ts';
import { W, WasmWriter } from './wasm-writer.ts';

/** How a translated function ended (HartBlock.exitStatus); the next pc is in HartBlock.exitPc. */
export const enum JitExit {
  /** Control went elsewhere (another page, a slot that is no entry): resume translated code there. */
  Jump = 0,
  /** The interpreter executes the instruction at the pc (an exit, a slow memory access), then translated code resumes. */
  Step = 1,
  /** The next block does not fit into the slice's remaining budget: the interpreter finishes the slice. */
  Budget = 2,
  /** An instruction handed over (see StepResult) retired and moved the hart: hart.pc is already set. */
  Moved = 3,
  /** An instruction handed over trapped (or the hart was parked): hart.pc is already set, it did not retire. */
  Trapped = 4,
  /** Control reached a slot of this page without a block: the run loop goes on there (Jit.miss learns it). */
  Miss = 5,
}

/**
 * What the translator's step import returns to translated code after executing the instruction it was
 * handed (an exit, or a memory access off the inline path) in the interpreter's way.
 */
export const enum StepResult {
  /** Retired, nothing translated code depends on changed: go on at the slot returned (>= 0). */
  Retired = 0,
  /** Retired and moved the hart (a trap return, an interrupt now pending, a new translation): leave. */
  Left = -1,
  /** Trapped or parked: leave without retiring it. */
  Trapped = -2,
  /** Not executed: the function exits with JitExit.Step and the interpreter executes it. */
  Declined = -3,
}

/** Function index of the step import, (slot, retiredBefore) -> StepResult; defined functions follow it. */
export const STEP_FUNCTION = 0;
/**
 * Function indices of the TLB probes, (address low, high) -> 1 when the read or write TLB now maps the
 * address's page to RAM (mmu.ts probeRam), 0 when the interpreter must do the access.
 */
export const PROBE_READ_FUNCTION = 1, PROBE_WRITE_FUNCTION = 2;
/** Function index of the code check (codeCheckBody), after the arithmetic helpers. */
export const CODE_CHECK_FUNCTION = FIRST_HELPER + HELPER_OPS.length;

/** Where the shared memory keeps what translated code touches besides the hart's block. */
export interface MemoryLayout {
  readonly ramOffset: number;
  readonly codePagesOffset: number;
  readonly codeExtentsOffset: number;
  readonly reservationsOffset: number;
}

/**
 * `(ramOffset, size) -> 1` when a store to a page flagged in Ram.codePages must go through the interpreter
 * (CodeCache.invalidate): it touches the page's decoded extent, or the page holds an LR reservation.
 * Stores to data beside code (small programs keep both on one page) stay inline.
 */
export function codeCheckBody(layout: MemoryLayout): WasmWriter {
  const w = new WasmWriter(), OFFSET = 0, SIZE = 1, EXTENT = 2, AT = 3;
  w.u32(1).u32(2).byte(W.i32);
  w.get(OFFSET).i32Const(12).op(W.i32ShrU).mem(W.i32Load8u, 0, layout.codePagesOffset).i32Const(1).op(W.i32Ne);
  w.op(W.if).byte(W.void).i32Const(1).op(W.return).op(W.end); // a reservation
  w.get(OFFSET).i32Const(12).op(W.i32ShrU).i32Const(2).op(W.i32Shl).mem(W.i32Load, 2, layout.codeExtentsOffset).set(EXTENT);
  w.get(OFFSET).i32Const(0xfff).op(W.i32And).set(AT);
  // outside [first, end) and not in the two bytes that may end the previous page's last instruction
  w.get(AT).get(SIZE).op(W.i32Add).get(EXTENT).i32Const(0xffff).op(W.i32And).op(W.i32LeU);
  w.get(AT).get(EXTENT).i32Const(16).op(W.i32ShrU).op(W.i32GeU).op(W.i32Or);
  w.get(AT).i32Const(2).op(W.i32GeU).op(W.i32And).op(W.i32Eqz);
  w.op(W.end);
  return w;
}

// Parameters and locals of a page function.
const HART = 0, SLOT = 1, PAGE_VA = 2, LIMIT = 3;
const N = 4, STATUS = 5, NEXT_PC = 6, VA = 7, ADDR = 8, TMP = 9, LO = 10, OFF = 11, ENTRY = 12;
const reg = (r: number) => 12 + r; // x1..x31 in locals 13..43
const LOCALS: [number, W][] = [[2, W.i32], [4, W.i64], [3, W.i32], [31, W.i64]];

const SLOTS = 2048;

/** A page function's code with what the translator needs to know about it. */
export interface CompiledPage {
  body: WasmWriter;
  entry: Uint8Array;
  covers: Uint8Array;
  tails: Uint16Array;
  gaps: Uint16Array;
}

/**
 * Translates the basic blocks of one decoded page into one WebAssembly function
 * `(hart, slot, pageVa, limit) -> retired`.
 *
 * Guest registers live in i64 locals per block: a block loads those it reads first from the hart's
 * block and stores those it changed wherever it is left. Blocks are laid out in slot order inside a
 * dispatch loop (a br_table over slots), so a branch to another block of the page stays inside the
 * function and falls through when the target comes next. Every block first checks that it fits into
 * `limit`, so a slice ends on exactly the instruction count the interpreter would reach. Nothing inside
 * can change interrupts, privilege or translations (every instruction that could is left to the
 * interpreter), so exits are the only places where the run loop must look again, as after an exit of its
 * own.
 */
export function compilePage(blocks: readonly BasicBlock[], layout: MemoryLayout): CompiledPage {
  return new PageCompiler(blocks, layout).compile();
}

class PageCompiler {
  private readonly w = new WasmWriter();
  /** Registers of the block being emitted whose local differs from the hart's block (stored where it is left). */
  private readonly dirty = new Uint8Array(32);
  private readonly isStart = new Uint8Array(SLOTS + 1);
  private readonly covers = new Uint8Array(SLOTS + 1);
  private readonly tails = new Uint16Array(SLOTS);
  /** Index of the block being emitted, and how many structured blocks (if) are open inside it. */
  private index = 0;
  private nest = 0;
  /** 1 while emitting a block that branches back to its own start (it runs inside its own loop). */
  private baseNest = 0;
  /** Whether any instruction is handed to the interpreter (the function then needs the step handler). */
  private steps = false;

  constructor(private readonly blocks: readonly BasicBlock[], private readonly layout: MemoryLayout) {
    for (const b of blocks) this.isStart[b.start] = 1;
  }

  compile(): CompiledPage {
    const w = this.w, m = this.blocks.length;
    w.op(W.block).byte(W.void); // exit
    w.op(W.loop).byte(W.void); // dispatch
    w.op(W.block).byte(W.void); // step: hand the instruction at SLOT to the interpreter
    w.op(W.block).byte(W.void); // default: a slot without a block
    for (let i = 0; i < m; i++) w.op(W.block).byte(W.void);
    const last = this.blocks[m - 1]!.start;
    const blockOf = new Map(this.blocks.map((b, i) => [b.start, i]));
    w.get(SLOT).op(W.brTable).u32(last + 1);
    for (let s = 0; s <= last; s++) w.u32(blockOf.get(s) ?? m);
    w.u32(m);
    for (let i = 0; i < m; i++) {
      w.op(W.end);
      this.index = i;
      this.block(this.blocks[i]!);
    }
    w.op(W.end); // default
    this.exitAtSlot(JitExit.Miss, 2);
    w.op(W.end); // step
    if (this.steps) this.stepHandler(); else w.op(W.unreachable);
    w.op(W.end); // dispatch loop
    w.op(W.end); // exit

    const body = new WasmWriter();
    body.u32(LOCALS.length);
    for (const [count, type] of LOCALS) body.u32(count).byte(type);
    body.get(PAGE_VA).op(W.i64TruncF64s).set(VA);
    body.append(w);
    body.get(HART).get(STATUS).mem(W.i32Store, 2, HartBlock.exitStatus);
    body.get(HART).get(NEXT_PC).op(W.f64ConvertI64s).mem(W.f64Store, 3, HartBlock.exitPc);
    body.get(N).op(W.end);

    const entry = new Uint8Array(SLOTS);
    entry.set(this.isStart.subarray(0, SLOTS));
    // per slot: slots to the next block start (where the interpreter may hand back to translated code)
    const gaps = new Uint16Array(SLOTS);
    for (let s = SLOTS - 1, next = SLOTS; s >= 0; s--) {
      if (this.isStart[s] !== 0) next = s;
      gaps[s] = next - s;
    }
    return { body, entry, covers: this.covers, tails: this.tails, gaps };
  }

  /** Sets the exit to pageVa + 2 * SLOT with `status`, and leaves through the exit block `depth` levels out. */
  private exitAtSlot(status: JitExit, depth: number): void {
    this.w.get(VA).get(SLOT).op(W.i64ExtendI32u).i64Const(1).op(W.i64Shl).op(W.i64Add).set(NEXT_PC);
    this.w.i32Const(status).set(STATUS).br(depth);
  }

  /**
   * The one place per function where an instruction at SLOT (N retired before it) is handed to the
   * interpreter without leaving: the site has stored its block's changed registers, the step import
   * executes the instruction, and the dispatch goes on at the next slot, whose block loads what it reads
   * (the instruction, a trap or the hypervisor may have changed any register).
   */
  private stepHandler(): void {
    const w = this.w;
    // inside the dispatch loop: the loop is at depth 0, the exit block at 1
    w.get(N).i32Const(1).op(W.i32Add).get(LIMIT).op(W.i32GtS).op(W.if).byte(W.void);
    this.exitAtSlot(JitExit.Budget, 2);
    w.op(W.end);
    w.get(SLOT).get(N).call(STEP_FUNCTION).set(LO);
    w.get(LO).i32Const(StepResult.Retired).op(W.i32GeS).op(W.if).byte(W.void);
    w.get(N).i32Const(1).op(W.i32Add).set(N).get(LO).set(SLOT).br(1);
    w.op(W.end);
    w.get(LO).i32Const(StepResult.Declined).op(W.i32Eq).op(W.if).byte(W.void);
    this.exitAtSlot(JitExit.Step, 2);
    w.op(W.end);
    w.get(LO).i32Const(StepResult.Left).op(W.i32Eq).tee(OFF).get(N).op(W.i32Add).set(N);
    w.i32Const(JitExit.Moved).i32Const(JitExit.Trapped).get(OFF).op(W.select).set(STATUS);
  }

  // ---- control ----

  private get depthStep(): number { return this.blocks.length - this.index + this.nest; }
  private get depthDispatch(): number { return this.depthStep + 1; }
  private get depthExit(): number { return this.depthDispatch + 1; }

  /** Hands the instruction at `slot` (the j-th of its block) to the interpreter through the step handler. */
  private stepAt(slot: number, j: number): void {
    this.steps = true;
    this.storeDirty();
    this.addN(j);
    this.w.i32Const(slot).set(SLOT).br(this.depthStep);
  }

  private addN(k: number): void {
    if (k !== 0) this.w.get(N).i32Const(k).op(W.i32Add).set(N);
  }

  /** Leaves the function with the pc at pageVa + `offset`. */
  private exitAt(offset: number, status: JitExit, retiredBefore: number): void {
    this.storeDirty();
    this.addN(retiredBefore);
    this.w.get(VA).i64Const(offset).op(W.i64Add).set(NEXT_PC).i32Const(status).set(STATUS).br(this.depthExit);
  }

  /** Exits unless the i32 condition on the stack is zero. */
  private exitIf(offset: number, status: JitExit, retiredBefore: number): void {
    this.w.op(W.if).byte(W.void);
    this.nest++;
    this.exitAt(offset, status, retiredBefore);
    this.nest--;
    this.w.op(W.end);
  }

  /** Continues at page byte `offset`: the next block by falling through, another through the dispatch, or an exit. */
  private jumpTo(offset: number): void {
    if (offset >= 0 && offset < 4096 && this.isStart[offset >> 1] !== 0) {
      if (this.baseNest === 1 && offset >> 1 === this.blocks[this.index]!.start) {
        this.w.br(this.nest - 1); // the block's own loop: no dispatch, the registers stay in locals
        return;
      }
      this.storeDirty();
      const next = this.blocks[this.index + 1];
      if (this.nest === this.baseNest && next !== undefined && next.start === offset >> 1) return; // falls out
      this.w.i32Const(offset >> 1).set(SLOT).br(this.depthDispatch);
      return;
    }
    this.exitAt(offset, JitExit.Jump, 0);
  }

  private block(b: BasicBlock): void {
    const insns = b.instructions;
    const lastShape = shapeInBlock(insns[insns.length - 1]!);
    const count = insns.length - (lastShape === Shape.Exit || lastShape === Shape.PageEnd ? 1 : 0);
    insns.forEach(({ slot }, j) => { if (slot < SLOTS) this.tails[slot] = Math.max(this.tails[slot]!, insns.length - j); });
    for (const { slot, word } of insns) {
      if ((word & 0xff) === Op.PageEnd) continue;
      this.covers[slot] = 1;
      if (word >>> 24 === 2 && slot + 1 < SLOTS) this.covers[slot + 1] = 1;
    }
    const last = insns[insns.length - 1]!, lastOp = last.word & 0xff;
    this.baseNest = lastShape === Shape.Transfer && lastOp !== Op.Jalr && last.slot * 2 + last.imm === b.start * 2 ? 1 : 0;
    // The block's registers live in locals from its start to wherever it is left (short live ranges keep
    // V8's register allocation linear in the function's size). A block that loops on itself keeps them
    // across its iterations: it loads every register it touches and counts all it writes as changed.
    const { reads, writes } = registersOf(insns);
    this.dirty.fill(0);
    for (let r = 1; r < 32; r++) {
      if (reads[r] === 1 || (this.baseNest === 1 && writes[r] === 1)) this.loadRegister(r);
      if (this.baseNest === 1) this.dirty[r] = writes[r]!;
    }
    if (this.baseNest === 1) {
      this.w.op(W.loop).byte(W.void);
      this.nest++;
    }
    if (count > 0) {
      this.w.get(N).i32Const(count).op(W.i32Add).get(LIMIT).op(W.i32GtS);
      this.exitIf(b.start * 2, JitExit.Budget, 0);
    }
    for (let j = 0; j < insns.length; j++) {
      const { slot, word, imm } = insns[j]!;
      const op = word & 0xff, next = slot + (word >>> 24);
      switch (shapeInBlock(insns[j]!)) {
        case Shape.Paired: {
          j = this.lrSc(insns, j);
          const sc = insns[j]!;
          if (j === insns.length - 1) { this.addN(count); this.jumpTo((sc.slot + (sc.word >>> 24)) * 2); }
          break;
        }
        case Shape.Plain:
          this.plain(op, (word >>> 8) & 63, (word >>> 14) & 31, (word >>> 19) & 31, imm, slot);
          if (j === insns.length - 1) { this.addN(count); this.jumpTo(next * 2); }
          break;
        case Shape.Memory:
          this.memory(op, (word >>> 8) & 63, (word >>> 14) & 31, (word >>> 19) & 31, imm, slot, j);
          if (j === insns.length - 1) { this.addN(count); this.jumpTo(next * 2); }
          break;
        case Shape.Csr:
          this.csr(op, (word >>> 8) & 63, (word >>> 14) & 31, imm, slot, j);
          if (j === insns.length - 1) { this.addN(count); this.jumpTo(next * 2); }
          break;
        case Shape.Transfer:
          this.transfer(op, (word >>> 8) & 63, (word >>> 14) & 31, (word >>> 19) & 31, imm, slot, next, j, count);
          break;
        case Shape.Exit:
          this.stepAt(slot, j);
          break;
        case Shape.PageEnd:
          this.exitAt(4096, JitExit.Jump, j);
          break;
      }
    }
    if (this.baseNest === 1) {
      this.nest--;
      this.w.op(W.end);
      this.baseNest = 0;
    }
  }

  // ---- registers ----

  private read(r: number): void {
    if (r === 0) this.w.i64Const(0); else this.w.get(reg(r));
  }

  private write(rd: number): void {
    this.w.set(reg(rd));
    this.dirty[rd] = 1;
  }

  /** A register from the hart's block into its local. */
  private loadRegister(r: number): void {
    this.w.get(HART).mem(W.i32Load, 2, HartBlock.xlo + 4 * r).op(W.i64ExtendI32u)
      .get(HART).mem(W.i64Load32s, 2, HartBlock.xhi + 4 * r).i64Const(32).op(W.i64Shl).op(W.i64Or).set(reg(r));
  }

  /** Before leaving the block: its changed registers from the locals back to the hart's block. */
  private storeDirty(): void {
    const w = this.w;
    for (let r = 1; r < 32; r++) {
      if (this.dirty[r] === 0) continue;
      w.get(HART).get(reg(r)).op(W.i32WrapI64).mem(W.i32Store, 2, HartBlock.xlo + 4 * r);
      w.get(HART).get(reg(r)).i64Const(32).op(W.i64ShrU).op(W.i32WrapI64).mem(W.i32Store, 2, HartBlock.xhi + 4 * r);
    }
  }

  // ---- instructions ----

  private plain(op: Op, rd: number, rs1: number, rs2: number, imm: number, slot: number): void {
    if (rd === SINK) return; // writes to x0 have no effect (M-extension ones cannot trap either)
    const w = this.w;
    const bin = (code: number) => { this.read(rs1); this.read(rs2); w.op(code); };
    const binImm = (code: number) => { this.read(rs1); w.i64Const(imm); w.op(code); };
    /** A 32-bit operation on the low words, sign-extended. */
    const word = (code: number, immediate: boolean) => {
      this.read(rs1); w.op(W.i32WrapI64);
      if (immediate) w.i32Const(imm); else { this.read(rs2); w.op(W.i32WrapI64); }
      w.op(code).op(W.i64ExtendI32s);
    };
    switch (op) {
      case Op.Li: case Op.Lui: w.i64Const(imm); break;
      case Op.Mv: this.read(rs1); break;
      case Op.Auipc: w.get(VA).i64Const(slot * 2 + imm).op(W.i64Add); break;
      case Op.Addi: binImm(W.i64Add); break;
      case Op.Andi: binImm(W.i64And); break;
      case Op.Ori: binImm(W.i64Or); break;
      case Op.Xori: binImm(W.i64Xor); break;
      case Op.Slti: binImm(W.i64LtS); w.op(W.i64ExtendI32u); break;
      case Op.Sltiu: binImm(W.i64LtU); w.op(W.i64ExtendI32u); break;
      case Op.Slli: binImm(W.i64Shl); break;
      case Op.Srli: binImm(W.i64ShrU); break;
      case Op.Srai: binImm(W.i64ShrS); break;
      case Op.Add: bin(W.i64Add); break;
      case Op.Sub: bin(W.i64Sub); break;
      case Op.And: bin(W.i64And); break;
      case Op.Or: bin(W.i64Or); break;
      case Op.Xor: bin(W.i64Xor); break;
      case Op.Sll: bin(W.i64Shl); break; // WebAssembly takes shift counts modulo 64, as RISC-V does
      case Op.Srl: bin(W.i64ShrU); break;
      case Op.Sra: bin(W.i64ShrS); break;
      case Op.Slt: bin(W.i64LtS); w.op(W.i64ExtendI32u); break;
      case Op.Sltu: bin(W.i64LtU); w.op(W.i64ExtendI32u); break;
      case Op.Mul: bin(W.i64Mul); break;
      case Op.Addiw: word(W.i32Add, true); break;
      case Op.Slliw: word(W.i32Shl, true); break;
      case Op.Srliw: word(W.i32ShrU, true); break;
      case Op.Sraiw: word(W.i32ShrS, true); break;
      case Op.Addw: word(W.i32Add, false); break;
      case Op.Subw: word(W.i32Sub, false); break;
      case Op.Sllw: word(W.i32Shl, false); break;
      case Op.Srlw: word(W.i32ShrU, false); break;
      case Op.Sraw: word(W.i32ShrS, false); break;
      case Op.Mulw: word(W.i32Mul, false); break;
      case Op.Fence: case Op.FenceI: return; // decoded code is coherent with every store already
      default: {
        const helper = helperIndex(op);
        if (helper < 0) throw new Error(`translator: operation ${op} is not plain`);
        bin(W.call); w.u32(helper);
      }
    }
    this.write(rd);
  }

  /**
   * The TLB hit path, inlined: tags, a RAM page, natural alignment; stores also need a page without
   * decoded code. Anything else (a TLB miss, a device, a misaligned or page-crossing access, a fault) the
   * interpreter executes: the function ends there with JitExit.Step. Slow accesses are rare, and the exit
   * is a few bytes where a call with the registers saved and restored around it was hundreds: V8's
   * optimizing compiler took seconds over such functions.
   */
  private memory(op: Op, rd: number, rs1: number, rs2: number, imm: number, slot: number, j: number): void {
    const w = this.w;
    const amo = op >= Op.AmoswapW && op <= Op.AmomaxuD && op !== Op.LrD && op !== Op.ScD;
    const store = amo || op === Op.Sb || op === Op.Sh || op === Op.Sw || op === Op.Sd;
    const size = amo ? (op >= Op.LrD ? 8 : 4) : op === Op.Ld || op === Op.Sd ? 8 : op === Op.Lw || op === Op.Lwu || op === Op.Sw ? 4
      : op === Op.Lh || op === Op.Lhu || op === Op.Sh ? 2 : 1;
    const tagLo = store ? HartBlock.writeTagLo : HartBlock.readTagLo;
    const tagHi = store ? HartBlock.writeTagHi : HartBlock.readTagHi;
    const base = store ? HartBlock.writeBase : HartBlock.readBase;
    this.read(rs1); w.i64Const(imm).op(W.i64Add);
    this.tlbEntry();
    w.op(W.block).byte(W.void); // $ok: the access goes on inline
    this.nest++;
    this.tagMismatch(tagLo, tagHi);
    w.get(ENTRY).mem(W.i32Load, 2, base).tee(OFF).i32Const(0).op(W.i32LtS).op(W.i32Or);
    if (size > 1) w.get(LO).i32Const(size - 1).op(W.i32And).op(W.i32Or);
    // Not a TLB hit: an aligned access whose page was not in the TLB, and which the probe now maps to RAM,
    // goes on inline; everything else (a device page, misaligned, a fault) the interpreter does.
    w.op(W.i32Eqz).brIf(0);
    this.tagMismatch(tagLo, tagHi);
    if (size > 1) w.get(LO).i32Const(size - 1).op(W.i32And).op(W.i32Eqz).op(W.i32And);
    w.op(W.if).byte(W.void);
    w.get(LO).get(ADDR).i64Const(32).op(W.i64ShrU).op(W.i32WrapI64).call(store ? PROBE_WRITE_FUNCTION : PROBE_READ_FUNCTION);
    w.op(W.if).byte(W.void);
    w.get(ENTRY).mem(W.i32Load, 2, base).set(OFF).br(2);
    w.op(W.end).op(W.end);
    this.stepAt(slot, j);
    this.nest--;
    w.op(W.end);
    w.get(OFF).get(LO).i32Const(0xfff).op(W.i32And).op(W.i32Add).set(OFF);
    const ram = this.layout.ramOffset, align = Math.log2(size);
    if (store) {
      // the interpreter keeps decoded code coherent (and LR reservations: their pages are flagged too)
      w.get(OFF).i32Const(12).op(W.i32ShrU).mem(W.i32Load8u, 0, this.layout.codePagesOffset);
      w.op(W.if).byte(W.void);
      w.get(OFF).i32Const(size).call(CODE_CHECK_FUNCTION).op(W.if).byte(W.void);
      this.nest += 2;
      this.stepAt(slot, j);
      this.nest -= 2;
      w.op(W.end).op(W.end);
      if (amo) {
        this.atomic(op, rd, rs2, size === 8, align);
        return;
      }
      w.get(OFF);
      this.read(rs2);
      w.mem(size === 8 ? W.i64Store : size === 4 ? W.i64Store32 : size === 2 ? W.i64Store16 : W.i64Store8, align, ram);
    } else if (rd !== SINK) {
      w.get(OFF);
      const load = op === Op.Ld ? W.i64Load : op === Op.Lw ? W.i64Load32s : op === Op.Lwu ? W.i64Load32u
        : op === Op.Lh ? W.i64Load16s : op === Op.Lhu ? W.i64Load16u : op === Op.Lb ? W.i64Load8s : W.i64Load8u;
      w.mem(load, align, ram);
      this.write(rd);
    }
  }

  /** The i64 address on the stack to ADDR and its low word to LO; ENTRY = the hart block plus its TLB index * 4 (mmu.ts tlbIndex). */
  private tlbEntry(): void {
    this.w.tee(ADDR).op(W.i32WrapI64).set(LO)
      .get(HART).get(LO).i32Const(12).op(W.i32ShrU).get(LO).i32Const(21).op(W.i32ShrU).op(W.i32Xor)
      .i32Const(TLB_SIZE - 1).op(W.i32And).i32Const(2).op(W.i32Shl).op(W.i32Add).set(ENTRY);
  }

  /** Pushes 1 when the TLB entry at ENTRY (tags at `tagLo`, `tagHi`) is not ADDR's page. */
  private tagMismatch(tagLo: number, tagHi: number): void {
    this.w.get(ENTRY).mem(W.i32Load, 2, tagLo).get(ADDR).i64Const(12).op(W.i64ShrU).op(W.i32WrapI64).op(W.i32Ne)
      .get(ENTRY).mem(W.i32Load, 2, tagHi).get(ADDR).i64Const(44).op(W.i64ShrS).op(W.i32WrapI64).op(W.i32Ne).op(W.i32Or);
  }

  /**
   * An AMO on the RAM byte at OFF (aligned, writable, no decoded code or reservation on the page): the old
   * value to rd, the new one back, as Hart.atomic does. One guest thread runs at a time, so it is atomic.
   */
  private atomic(op: Op, rd: number, rs2: number, double: boolean, align: number): void {
    const w = this.w, ram = this.layout.ramOffset;
    w.get(OFF).mem(double ? W.i64Load : W.i64Load32s, align, ram).set(TMP); // the old value
    // The operand, sign-extended for .W (min/max compare it as 32 bits); only its low half is stored then.
    this.read(rs2);
    if (!double) w.op(W.i32WrapI64).op(W.i64ExtendI32s);
    w.set(ADDR);
    w.get(OFF);
    const pick = (less: number, keepOldIfLess: boolean, words: boolean) => {
      // select(old, b, cond): old where cond holds
      w.get(TMP).get(ADDR).get(TMP);
      if (words) w.op(W.i32WrapI64);
      w.get(ADDR);
      if (words) w.op(W.i32WrapI64);
      w.op(less);
      if (!keepOldIfLess) w.op(W.i32Eqz);
      w.op(W.select);
    };
    switch (double ? op - (Op.LrD - Op.LrW) : op) {
      case Op.AmoswapW: w.get(ADDR); break;
      case Op.AmoaddW: w.get(TMP).get(ADDR).op(W.i64Add); break;
      case Op.AmoxorW: w.get(TMP).get(ADDR).op(W.i64Xor); break;
      case Op.AmoandW: w.get(TMP).get(ADDR).op(W.i64And); break;
      case Op.AmoorW: w.get(TMP).get(ADDR).op(W.i64Or); break;
      case Op.AmominW: pick(W.i64LtS, true, false); break;
      case Op.AmomaxW: pick(W.i64LtS, false, false); break;
      case Op.AmominuW: pick(double ? W.i64LtU : W.i32LtU, true, !double); break;
      case Op.AmomaxuW: pick(double ? W.i64LtU : W.i32LtU, false, !double); break;
      default: throw new Error(`translator: operation ${op} is no AMO`);
    }
    w.mem(double ? W.i64Store : W.i64Store32, align, ram);
    if (rd !== SINK) { w.get(TMP); this.write(rd); }
  }

  /**
   * A CSR access Hart.csrInstruction would do without side effects (page-blocks.ts csrInline), on the
   * CSRs in the hart's block. In U-mode, and for an sstatus write that changes SIE, SUM or MXR
   * (interrupts, the TLBs), the interpreter executes it instead; nothing is written before that test.
   */
  private csr(op: Op, rd: number, rs1: number, csr: number, slot: number, j: number): void {
    const w = this.w;
    const step = () => {
      w.op(W.if).byte(W.void);
      this.nest++;
      this.stepAt(slot, j);
      this.nest--;
      w.op(W.end);
    };
    w.get(HART).mem(W.i32Load, 2, HartBlock.priv).op(W.i32Eqz);
    step();
    const immediate = op >= Op.Csrrwi, kind = immediate ? op - 3 : op;
    const reads = kind !== Op.Csrrw || rd !== SINK, writes = kind === Op.Csrrw || rs1 !== 0;
    const pair = csr === Csr.Sscratch ? HartBlock.sscratch : csr === Csr.Sepc ? HartBlock.sepc : csr === Csr.Scause ? HartBlock.scause
      : csr === Csr.Stval ? HartBlock.stval : csr === Csr.Stvec ? HartBlock.stvec : -1;
    const word = csr === Csr.Sstatus ? HartBlock.sstatus : csr === Csr.Sie ? HartBlock.sie
      : csr === Csr.Scounteren ? HartBlock.scounteren : HartBlock.senvcfg;
    if (writes) {
      if (immediate) w.i64Const(rs1); else this.read(rs1);
      w.set(TMP); // the source operand
    }
    if (reads || kind !== Op.Csrrw) { // the old value (sstatus reads UXL = 2 in its high half)
      w.get(HART);
      if (pair >= 0) w.mem(W.i64Load, 3, pair); else w.mem(W.i64Load32u, 2, word);
      if (csr === Csr.Sstatus) w.i64Const(2n << 32n).op(W.i64Or);
      w.set(ADDR);
    }
    if (writes) {
      if (kind === Op.Csrrs) w.get(ADDR).get(TMP).op(W.i64Or).set(TMP);
      else if (kind === Op.Csrrc) w.get(ADDR).get(TMP).i64Const(-1).op(W.i64Xor).op(W.i64And).set(TMP);
      switch (csr) {
        case Csr.Sepc: w.get(HART).get(TMP).i64Const(-2).op(W.i64And).mem(W.i64Store, 3, pair); break;
        case Csr.Stvec: // modes 2 and 3 are reserved: such a write is ignored
          w.get(TMP).op(W.i32WrapI64).i32Const(3).op(W.i32And).i32Const(2).op(W.i32LtU).op(W.if).byte(W.void);
          w.get(HART).get(TMP).mem(W.i64Store, 3, pair).op(W.end);
          break;
        case Csr.Sstatus:
          w.get(TMP).op(W.i32WrapI64).i32Const(SSTATUS_WRITABLE).op(W.i32And).set(LO);
          w.get(ADDR).op(W.i32WrapI64).get(LO).op(W.i32Xor).i32Const(SSTATUS_SIE | SSTATUS_SUM | SSTATUS_MXR).op(W.i32And);
          step();
          w.get(HART).get(LO).mem(W.i32Store, 2, word);
          break;
        case Csr.Scounteren: w.get(HART).get(TMP).op(W.i32WrapI64).mem(W.i32Store, 2, word); break;
        case Csr.Senvcfg: w.get(HART).get(TMP).op(W.i32WrapI64).i32Const(1).op(W.i32And).mem(W.i32Store, 2, word); break;
        case Csr.Sie: throw new Error('translator: sie writes are not inline');
        default: w.get(HART).get(TMP).mem(W.i64Store, 3, pair); break; // sscratch, scause, stval
      }
    }
    if (reads && rd !== SINK) { w.get(ADDR); this.write(rd); }
  }

  /**
   * The LR/SC pair from insns[j] (page-blocks.ts lrScEnd), up to the SC, whose index it returns. While no
   * hart holds a reservation and the address is an aligned RAM word both TLBs map to the same page,
   * outside decoded code, the load, the instructions between and the store run here, and the SC
   * writes 0 (success) to its rd: nothing can come between them inside a block. Otherwise the function
   * ends with JitExit.Step at the LR, and the interpreter runs the pair its own way (the slots after the
   * LR lie inside this block: the run loop interprets them to its end).
   */
  private lrSc(insns: readonly Instruction[], j: number): number {
    const w = this.w, lr = insns[j]!, ram = this.layout.ramOffset;
    const rd = (lr.word >>> 8) & 63, rs1 = (lr.word >>> 14) & 31;
    const double = (lr.word & 0xff) === Op.LrD, size = double ? 8 : 4, align = double ? 3 : 2;
    this.read(rs1);
    this.tlbEntry();
    this.tagMismatch(HartBlock.readTagLo, HartBlock.readTagHi);
    this.tagMismatch(HartBlock.writeTagLo, HartBlock.writeTagHi);
    w.op(W.i32Or);
    w.get(ENTRY).mem(W.i32Load, 2, HartBlock.readBase).tee(OFF).i32Const(0).op(W.i32LtS).op(W.i32Or);
    w.get(ENTRY).mem(W.i32Load, 2, HartBlock.writeBase).get(OFF).op(W.i32Ne).op(W.i32Or);
    w.get(LO).i32Const(size - 1).op(W.i32And).op(W.i32Or);
    w.i32Const(0).mem(W.i32Load, 2, this.layout.reservationsOffset).op(W.i32Or);
    this.exitIf(lr.slot * 2, JitExit.Step, j);
    w.get(OFF).get(LO).i32Const(0xfff).op(W.i32And).op(W.i32Add).tee(OFF);
    // data beside code (small programs keep both on a page) is fine; the code itself is not
    w.i32Const(12).op(W.i32ShrU).mem(W.i32Load8u, 0, this.layout.codePagesOffset);
    w.op(W.if).byte(W.void);
    w.get(OFF).i32Const(size).call(CODE_CHECK_FUNCTION);
    this.nest++;
    this.exitIf(lr.slot * 2, JitExit.Step, j);
    this.nest--;
    w.op(W.end);
    w.get(OFF).mem(double ? W.i64Load : W.i64Load32s, align, ram);
    if (rd === SINK) w.op(W.drop); else this.write(rd);
    let k = j + 1;
    for (; (insns[k]!.word & 0xff) !== (double ? Op.ScD : Op.ScW); k++) {
      const { slot, word, imm } = insns[k]!;
      this.plain(word & 0xff, (word >>> 8) & 63, (word >>> 14) & 31, (word >>> 19) & 31, imm, slot);
    }
    const sc = insns[k]!.word, scRd = (sc >>> 8) & 63;
    w.get(OFF);
    this.read((sc >>> 19) & 31);
    w.mem(double ? W.i64Store : W.i64Store32, align, ram);
    if (scRd !== SINK) { w.i64Const(0); this.write(scRd); }
    return k;
  }

  private transfer(op: Op, rd: number, rs1: number, rs2: number, imm: number, slot: number, next: number, j: number, count: number): void {
    const w = this.w;
    const link = () => {
      if (rd === SINK) return;
      w.get(VA).i64Const(next * 2).op(W.i64Add);
      this.write(rd);
    };
    if (op === Op.Jal) {
      this.addN(count);
      link();
      this.jumpTo(slot * 2 + imm);
      return;
    }
    if (op === Op.Jalr) {
      this.read(rs1); w.i64Const(imm).op(W.i64Add).i64Const(-2).op(W.i64And).set(TMP);
      // A target beyond 2^52 faults in the interpreter (the pc cannot hold it).
      w.get(TMP).i64Const(52).op(W.i64ShrS).i64Const(1).op(W.i64Add).i64Const(1).op(W.i64GtU);
      this.exitIf(slot * 2, JitExit.Step, j);
      this.addN(count);
      link();
      this.storeDirty();
      w.get(TMP).get(VA).op(W.i64Sub).tee(ADDR).i64Const(4096).op(W.i64LtU).op(W.if).byte(W.void);
      this.nest++;
      w.get(ADDR).op(W.i32WrapI64).i32Const(1).op(W.i32ShrU).set(SLOT).br(this.depthDispatch);
      this.nest--;
      w.op(W.end);
      w.get(TMP).set(NEXT_PC).i32Const(JitExit.Jump).set(STATUS).br(this.depthExit);
      return;
    }
    this.addN(count);
    this.read(rs1);
    this.read(rs2);
    w.op(op === Op.Beq ? W.i64Eq : op === Op.Bne ? W.i64Ne : op === Op.Blt ? W.i64LtS : op === Op.Bge ? W.i64GeS
      : op === Op.Bltu ? W.i64LtU : W.i64GeU);
    w.op(W.if).byte(W.void);
    this.nest++;
    this.jumpTo(slot * 2 + imm);
    this.nest--;
    w.op(W.end);
    this.jumpTo(next * 2);
  }
}

/**
 * The registers a block reads before writing them (loaded at its start) and those it writes. Instructions
 * handed to the interpreter read the hart's block, not locals. rs2 bits of I-type forms are immediate
 * bits: a spare load at most.
 */
function registersOf(insns: BasicBlock['instructions']): { reads: Uint8Array; writes: Uint8Array } {
  const reads = new Uint8Array(32), writes = new Uint8Array(33);
  for (const ins of insns) {
    const shape = shapeInBlock(ins);
    if (shape === Shape.Exit || shape === Shape.PageEnd) continue;
    const word = ins.word, op: Op = word & 0xff, rd = (word >>> 8) & 63, rs1 = (word >>> 14) & 31, rs2 = (word >>> 19) & 31;
    if (writes[rs1] === 0) reads[rs1] = 1;
    if (writes[rs2] === 0) reads[rs2] = 1;
    // the rd bits of stores and branches are immediate bits
    if (rd !== SINK && !(op >= Op.Sb && op <= Op.Sd) && !(op >= Op.Beq && op <= Op.Bgeu)) writes[rd] = 1;
  }
  reads[0] = writes[0] = 0;
  return { reads, writes: writes.subarray(0, 32) };
}
