import { mulDiv, mulhu32 } from './arith64.ts';
import type { CodeCache } from './code-cache.ts';
import { Csr, readCsr, SSTATUS_SIE, SSTATUS_SPIE, SSTATUS_SPP, writeCsr } from './csr.ts';
import { decodeInstruction, type Decoded } from './decode.ts';
import { Access, type GuestMemoryMap, type HartExits } from './environment.ts';
import { DEVICE, FAULTED, TLB_SIZE, Tlb, translate } from './mmu.ts';
import { Op, SINK } from './opcodes.ts';
import type { Ram } from './ram.ts';
import { Cause, Irq, SEIP, SSIP } from './trap.ts';
import { HartBlock, type HartStorage } from './jit/machine-memory.ts';
import { JitNext, type Jit } from './jit/translator.ts';

/** Whether a hart executes: STOPPED harts wait for an SBI hart_start, PARKED ones were stopped by the hypervisor. */
export const enum HartState {
  Stopped = 0,
  Running = 1,
  Parked = 2,
}

/** Privilege levels a guest can be in. */
export const enum Priv {
  User = 0,
  Supervisor = 1,
}

const TLB_MASK = TLB_SIZE - 1;

const TWO32 = 4294967296;

/** How execution goes on after Hart.system or Hart.executeOne: with the next instruction, or from this.pc (retired or trapped). */
export const enum Next {
  Stay,
  Leave,
  Trapped,
}

/**
 * One RV64IMAC hart in S- and U-mode.
 *
 * Integer registers are (low, high) int32 pairs, so the hot path never touches BigInt. Register 32 is a
 * sink for writes to x0. The program counter is a double holding the signed 64-bit value, exact for every
 * address a translation can succeed on (|pc| < 2^52); jumps elsewhere fault before the pc is changed.
 */
export class Hart {
  readonly xlo: Int32Array;
  readonly xhi: Int32Array;
  pc = 0;
  state: HartState = HartState.Stopped;
  /** Executed WFI and waits for an interrupt (pending & enabled in sie, regardless of sstatus.SIE). */
  idle = false;
  /** Set by an exit that must end the current time slice (e.g. the machine powered off). */
  stopRequested = false;

  // Supervisor CSRs; 64-bit ones as (low, high) pairs. Those translated code accesses inline live in the
  // hart's block (HartBlock.sscratch..priv), the 32-bit ones behind accessors.
  /** Pending interrupt bits (SSIP, STIP, SEIP), the hart's view of mip. */
  mip = 0;
  readonly stvec: Int32Array;
  readonly sscratch: Int32Array;
  readonly sepc: Int32Array;
  readonly scause: Int32Array;
  readonly stval: Int32Array;
  readonly satp = new Int32Array(2);
  /** sstatus, sie, scounteren, senvcfg, priv. */
  private readonly words: Int32Array;
  get sstatus(): number { return this.words[0]!; }
  set sstatus(v: number) { this.words[0] = v; }
  get sie(): number { return this.words[1]!; }
  set sie(v: number) { this.words[1] = v; }
  get scounteren(): number { return this.words[2]!; }
  set scounteren(v: number) { this.words[2] = v; }
  get senvcfg(): number { return this.words[3]!; }
  set senvcfg(v: number) { this.words[3] = v; }
  get priv(): Priv { return this.words[4]!; }
  private set priv(v: Priv) { this.words[4] = v; }

  /** Instructions retired before the current slice; see retired(). */
  instret = 0;
  /** Instructions retired so far in the current slice (kept up to date before every exit). */
  sliceRetired = 0;
  /** Traps taken (exceptions and interrupts delivered to the guest's S-mode). */
  traps = 0;
  /** TLB flushes so far: an ecall that flushed (a new memory map) must not go on with the current page. */
  tlbFlushes = 0;
  /** Consecutive exceptions raised by the first instruction of the trap handler itself (a hart that cannot progress). */
  stuckTraps = 0;

  readonly readTlb: Tlb;
  readonly writeTlb: Tlb;
  readonly fetchTlb: Tlb;
  /** The block translator (MachineOptions.jit); it needs `storage` in its memory. */
  jit: Jit | undefined;
  /** Byte offset of this hart's block in the translator's memory (see jit/machine-memory.ts). */
  readonly storageOffset: number;
  /** Data latch of the last device access (low, high) and the GPA of the last device page hit. */
  readonly ioData = new Int32Array(2);
  ioGpa = 0;
  readonly csrValue = new Int32Array(2);
  private readonly crossPage: Decoded = { word: 0, imm: 0 };
  /** The second halfword of the last instruction fetched across a page boundary (for stval). */
  private crossPageHigh = 0;
  /** Observer of every trap taken (the machine installs its exit-trace hook; a hypervisor chains its own). */
  onTrap: ((hart: Hart, cause: number, interrupt: boolean) => void) | undefined;

  constructor(
    readonly id: number,
    readonly ram: Ram,
    readonly code: CodeCache,
    public memoryMap: GuestMemoryMap,
    public exits: HartExits,
    storage?: HartStorage,
  ) {
    const b = storage?.buffer, at = storage?.offset ?? 0;
    this.storageOffset = at;
    this.xlo = b ? new Int32Array(b, at + HartBlock.xlo, 33) : new Int32Array(33);
    this.xhi = b ? new Int32Array(b, at + HartBlock.xhi, 33) : new Int32Array(33);
    const pair = (offset: number) => b ? new Int32Array(b, at + offset, 2) : new Int32Array(2);
    this.sscratch = pair(HartBlock.sscratch);
    this.sepc = pair(HartBlock.sepc);
    this.scause = pair(HartBlock.scause);
    this.stval = pair(HartBlock.stval);
    this.stvec = pair(HartBlock.stvec);
    this.words = b ? new Int32Array(b, at + HartBlock.sstatus, 5) : new Int32Array(5);
    this.priv = Priv.Supervisor;
    this.readTlb = new Tlb(b, { tagLo: at + HartBlock.readTagLo, tagHi: at + HartBlock.readTagHi, base: at + HartBlock.readBase });
    this.writeTlb = new Tlb(b, { tagLo: at + HartBlock.writeTagLo, tagHi: at + HartBlock.writeTagHi, base: at + HartBlock.writeBase });
    this.fetchTlb = new Tlb(b, { tagLo: at + HartBlock.fetchTagLo, tagHi: at + HartBlock.fetchTagHi, base: at + HartBlock.fetchBase });
  }

  get running(): boolean {
    return this.state === HartState.Running;
  }

  /** Instructions retired, including the current slice. */
  retired(): number {
    return this.instret + this.sliceRetired;
  }

  flushTlb(): void {
    this.tlbFlushes++;
    this.readTlb.flush();
    this.writeTlb.flush();
    this.fetchTlb.flush();
  }

  /** Resets the hart to start at `pc` in S-mode with paging off (SBI hart_start, boot, cell start). */
  start(pc: number, a0: number, a1: number): void {
    this.xlo.fill(0);
    this.xhi.fill(0);
    setReg(this, 10, a0);
    setReg(this, 11, a1);
    this.pc = pc;
    this.priv = Priv.Supervisor;
    this.sstatus = 0;
    this.sie = 0;
    this.mip &= ~SSIP;
    this.satp.fill(0);
    this.stvec.fill(0);
    this.ram.reservations.release(this.id);
    this.stuckTraps = 0;
    this.idle = false;
    this.state = HartState.Running;
    this.flushTlb();
  }

  /**
   * Enters the S-mode trap handler: the pc of the trapping instruction must be in this.pc.
   * Interrupts use the vectored entry when stvec asks for it.
   */
  raise(cause: number, tvalLo: number, tvalHi: number, interrupt = false): void {
    const pc = this.pc;
    this.sepc[0] = pc | 0;
    this.sepc[1] = Math.floor(pc / TWO32) | 0;
    this.scause[0] = cause;
    this.scause[1] = interrupt ? -0x80000000 : 0;
    this.stval[0] = tvalLo;
    this.stval[1] = tvalHi;
    const s = this.sstatus;
    this.sstatus = (s & ~(SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP)) |
      ((s & SSTATUS_SIE) !== 0 ? SSTATUS_SPIE : 0) | (this.priv === Priv.Supervisor ? SSTATUS_SPP : 0);
    this.setPriv(Priv.Supervisor);
    const base = this.stvec[1]! * TWO32 + ((this.stvec[0]! & ~3) >>> 0);
    this.pc = interrupt && (this.stvec[0]! & 3) === 1 ? base + 4 * cause : base;
    this.stuckTraps = !interrupt && pc === this.pc ? this.stuckTraps + 1 : 0;
    this.traps++;
    this.ram.reservations.release(this.id); // as QEMU: every trap and xRET ends the reservation
    if (this.onTrap !== undefined) this.onTrap(this, cause, interrupt);
  }

  private setPriv(priv: Priv): void {
    if (priv !== this.priv) {
      this.priv = priv;
      if ((this.satp[1]! >>> 28) !== 0) this.flushTlb(); // U-bit checks depend on the mode
    }
  }

  /** Takes the highest-priority pending and enabled interrupt, if any (SEI > SSI > STI). */
  private takeInterrupt(): boolean {
    const pending = this.mip & this.sie;
    if (pending === 0) return false;
    if (this.priv === Priv.Supervisor && (this.sstatus & SSTATUS_SIE) === 0) return false;
    const irq = (pending & SEIP) !== 0 ? Irq.SupervisorExternal
      : (pending & SSIP) !== 0 ? Irq.SupervisorSoftware : Irq.SupervisorTimer;
    this.raise(irq, 0, 0, true);
    return true;
  }

  /**
   * Runs up to `budget` instructions. Returns early when the hart stops, parks, waits in WFI, or an exit
   * requests the end of the slice. Returns the number of instructions retired.
   */
  run(budget: number): number {
    const L = this.xlo, H = this.xhi;
    const ram = this.ram, i32 = ram.i32, u16 = ram.u16, u8 = ram.u8, codePages = ram.codePages;
    const code = this.code;
    const rTagLo = this.readTlb.tagLo, rTagHi = this.readTlb.tagHi, rBase = this.readTlb.base, rGpa = this.readTlb.gpa;
    const wTagLo = this.writeTlb.tagLo, wTagHi = this.writeTlb.tagHi, wBase = this.writeTlb.base;
    const fTagLo = this.fetchTlb.tagLo, fTagHi = this.fetchTlb.tagHi, fBase = this.fetchTlb.base;
    // n counts attempts (it bounds the slice, so a hart faulting forever still yields); faulted counts
    // the attempts that trapped instead of retiring.
    let n = 0, faulted = 0;
    this.sliceRetired = 0;
    this.stopRequested = false;
    const jit = this.jit;
    let stepOnce = false;

    outer: while (n < budget && this.state === HartState.Running && !this.idle && !this.stopRequested) {
      if (this.mip !== 0 && this.takeInterrupt()) continue;

      // Find the decoded page of the pc: a fetch-TLB hit, or a walk.
      const pc = this.pc;
      const vlo = pc | 0, vhi = Math.floor(pc / TWO32) | 0;
      const fi = ((vlo >>> 12) ^ (vlo >>> 21)) & TLB_MASK;
      let fetchOffset: number;
      if (fTagLo[fi] === ((vlo >>> 12) | (vhi << 20)) && fTagHi[fi] === vhi >> 12 && fBase[fi]! >= 0) {
        fetchOffset = fBase[fi]! + (vlo & 0xfff);
      } else {
        this.sliceRetired = n - faulted;
        fetchOffset = this.fetchSlow(vlo, vhi);
        if (fetchOffset < 0) { n++; faulted++; continue; }
      }
      const pageOffset = fetchOffset & ~0xfff;
      const page = code.page(pageOffset);
      const words = page.words, imms = page.imms;
      const pageVa = pc - (vlo & 0xfff);
      let slot = (vlo & 0xfff) >>> 1;

      // Translated code runs the page where it has an entry for this slot; what it leaves to the interpreter
      // (an exit, the slice's last instructions, a slot that is no entry) runs below: one instruction or freely.
      let stop = budget;
      if (jit !== undefined) {
        if (stepOnce) { stepOnce = false; stop = n + 1; }
        else {
          n += jit.execute(this, page, pageOffset, pageVa, slot, budget - n, n - faulted);
          faulted += jit.faulted;
          const next = jit.next;
          if (next === JitNext.Translated) continue outer;
          // One comparison for both uses below: a compare that no warm-up reached (a step on another page)
          // has no type feedback, and the optimized loop deoptimized at its first run.
          const step = next === JitNext.Step;
          const off = this.pc - pageVa; // where translated code stopped: usually this page
          if (off < 0 || off >= 4096) { stepOnce = step; continue outer; }
          slot = off >> 1;
          if (step && n < budget) stop = n + 1;
          else if (next === JitNext.Tail) stop = Math.min(budget, n + jit.tail);
        }
      }

      while (n < stop) {
        let w = words[slot]!;
        if (w === 0) w = code.fill(page, pageOffset, slot);
        let imm = imms[slot]!;
        if ((w & 0xff) === Op.CrossPage) {
          this.pc = pageVa + slot * 2;
          if (!this.fetchCrossPage(pageOffset + slot * 2)) { n++; faulted++; continue outer; }
          w = this.crossPage.word;
          imm = this.crossPage.imm;
        }
        n++;
        const rd = (w >>> 8) & 63, rs1 = (w >>> 14) & 31, rs2 = (w >>> 19) & 31;

        switch (w & 0xff) {
          case Op.Li: L[rd] = imm; H[rd] = imm >> 31; break;
          case Op.PageEnd: // fell off the page: fetch the next one
            n--;
            this.pc = pageVa + slot * 2;
            continue outer;
          case Op.Mv: L[rd] = L[rs1]!; H[rd] = H[rs1]!; break;
          case Op.Addi: {
            const a = L[rs1]!, r = (a + imm) | 0;
            H[rd] = (H[rs1]! + (imm >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            L[rd] = r;
            break;
          }
          case Op.Addiw: { const r = (L[rs1]! + imm) | 0; L[rd] = r; H[rd] = r >> 31; break; }
          case Op.Lui: L[rd] = imm; H[rd] = imm >> 31; break;
          case Op.Auipc: setPair(L, H, rd, pageVa + slot * 2 + imm); break;
          case Op.Add: {
            const a = L[rs1]!, r = (a + L[rs2]!) | 0;
            H[rd] = (H[rs1]! + H[rs2]! + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0;
            L[rd] = r;
            break;
          }
          case Op.Sub: {
            const a = L[rs1]!, b = L[rs2]!;
            H[rd] = (H[rs1]! - H[rs2]! - ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
            L[rd] = (a - b) | 0;
            break;
          }
          case Op.Addw: { const r = (L[rs1]! + L[rs2]!) | 0; L[rd] = r; H[rd] = r >> 31; break; }
          case Op.Subw: { const r = (L[rs1]! - L[rs2]!) | 0; L[rd] = r; H[rd] = r >> 31; break; }
          case Op.And: L[rd] = L[rs1]! & L[rs2]!; H[rd] = H[rs1]! & H[rs2]!; break;
          case Op.Or: L[rd] = L[rs1]! | L[rs2]!; H[rd] = H[rs1]! | H[rs2]!; break;
          case Op.Xor: L[rd] = L[rs1]! ^ L[rs2]!; H[rd] = H[rs1]! ^ H[rs2]!; break;
          case Op.Andi: L[rd] = L[rs1]! & imm; H[rd] = H[rs1]! & (imm >> 31); break;
          case Op.Ori: L[rd] = L[rs1]! | imm; H[rd] = H[rs1]! | (imm >> 31); break;
          case Op.Xori: L[rd] = L[rs1]! ^ imm; H[rd] = H[rs1]! ^ (imm >> 31); break;
          case Op.Slt: L[rd] = lessThan(H[rs1]!, L[rs1]!, H[rs2]!, L[rs2]!) ? 1 : 0; H[rd] = 0; break;
          case Op.Sltu: L[rd] = lessThanUnsigned(H[rs1]!, L[rs1]!, H[rs2]!, L[rs2]!) ? 1 : 0; H[rd] = 0; break;
          case Op.Slti: L[rd] = lessThan(H[rs1]!, L[rs1]!, imm >> 31, imm) ? 1 : 0; H[rd] = 0; break;
          case Op.Sltiu: L[rd] = lessThanUnsigned(H[rs1]!, L[rs1]!, imm >> 31, imm) ? 1 : 0; H[rd] = 0; break;
          case Op.Slli: shiftLeft(L, H, rd, L[rs1]!, H[rs1]!, imm); break;
          case Op.Srli: shiftRight(L, H, rd, L[rs1]!, H[rs1]!, imm); break;
          case Op.Srai: shiftRightArith(L, H, rd, L[rs1]!, H[rs1]!, imm); break;
          case Op.Sll: shiftLeft(L, H, rd, L[rs1]!, H[rs1]!, L[rs2]! & 63); break;
          case Op.Srl: shiftRight(L, H, rd, L[rs1]!, H[rs1]!, L[rs2]! & 63); break;
          case Op.Sra: shiftRightArith(L, H, rd, L[rs1]!, H[rs1]!, L[rs2]! & 63); break;
          case Op.Slliw: { const r = L[rs1]! << imm; L[rd] = r; H[rd] = r >> 31; break; }
          case Op.Srliw: { const r = (L[rs1]! >>> imm) | 0; L[rd] = r; H[rd] = r >> 31; break; }
          case Op.Sraiw: { const r = L[rs1]! >> imm; L[rd] = r; H[rd] = r >> 31; break; }
          case Op.Sllw: { const r = L[rs1]! << (L[rs2]! & 31); L[rd] = r; H[rd] = r >> 31; break; }
          case Op.Srlw: { const r = (L[rs1]! >>> (L[rs2]! & 31)) | 0; L[rd] = r; H[rd] = r >> 31; break; }
          case Op.Sraw: { const r = L[rs1]! >> (L[rs2]! & 31); L[rd] = r; H[rd] = r >> 31; break; }
          case Op.Mul: {
            const al = L[rs1]!, ah = H[rs1]!, bl = L[rs2]!, bh = H[rs2]!;
            // Each sum truncated on its own: V8 speculated the nested int32 sum and deoptimized the loop on overflow.
            H[rd] = (((mulhu32(al, bl) + Math.imul(al, bh)) | 0) + Math.imul(ah, bl)) | 0;
            L[rd] = Math.imul(al, bl);
            break;
          }
          case Op.Mulw: { const r = Math.imul(L[rs1]!, L[rs2]!); L[rd] = r; H[rd] = r >> 31; break; }
          case Op.Mulh: case Op.Mulhsu: case Op.Mulhu: case Op.Div: case Op.Divu: case Op.Rem: case Op.Remu:
          case Op.Divw: case Op.Divuw: case Op.Remw: case Op.Remuw:
            mulDiv(w & 0xff, L, H, rd, rs1, rs2);
            break;

          // Control transfer: stay on this decoded page when the target is on it.
          case Op.Jal: {
            setPair(L, H, rd, pageVa + (slot + (w >>> 24)) * 2);
            const off = slot * 2 + imm;
            if (off >= 0 && off < 4096) { slot = off >> 1; continue; }
            this.pc = pageVa + off;
            continue outer;
          }
          case Op.Jalr: {
            const a = L[rs1]!, tlo = ((a + imm) | 0) & ~1;
            const thi = (H[rs1]! + (imm >> 31) + (((a + imm) | 0) >>> 0 < (a >>> 0) ? 1 : 0)) | 0;
            setPair(L, H, rd, pageVa + (slot + (w >>> 24)) * 2);
            if (thi < -0x100000 || thi >= 0x100000) { this.unreachableTarget(tlo, thi); continue outer; }
            const target = thi * TWO32 + (tlo >>> 0);
            const off = target - pageVa;
            if (off >= 0 && off < 4096) { slot = off >> 1; continue; }
            this.pc = target;
            continue outer;
          }
          // Taken branch: the same four lines in each case, so falling through costs nothing extra.
          case Op.Beq:
            if (L[rs1] !== L[rs2] || H[rs1] !== H[rs2]) break;
            if ((imm = slot * 2 + imm) >= 0 && imm < 4096) { slot = imm >> 1; continue; }
            this.pc = pageVa + imm;
            continue outer;
          case Op.Bne:
            if (L[rs1] === L[rs2] && H[rs1] === H[rs2]) break;
            if ((imm = slot * 2 + imm) >= 0 && imm < 4096) { slot = imm >> 1; continue; }
            this.pc = pageVa + imm;
            continue outer;
          case Op.Blt:
            if (!lessThan(H[rs1]!, L[rs1]!, H[rs2]!, L[rs2]!)) break;
            if ((imm = slot * 2 + imm) >= 0 && imm < 4096) { slot = imm >> 1; continue; }
            this.pc = pageVa + imm;
            continue outer;
          case Op.Bge:
            if (lessThan(H[rs1]!, L[rs1]!, H[rs2]!, L[rs2]!)) break;
            if ((imm = slot * 2 + imm) >= 0 && imm < 4096) { slot = imm >> 1; continue; }
            this.pc = pageVa + imm;
            continue outer;
          case Op.Bltu:
            if (!lessThanUnsigned(H[rs1]!, L[rs1]!, H[rs2]!, L[rs2]!)) break;
            if ((imm = slot * 2 + imm) >= 0 && imm < 4096) { slot = imm >> 1; continue; }
            this.pc = pageVa + imm;
            continue outer;
          case Op.Bgeu:
            if (lessThanUnsigned(H[rs1]!, L[rs1]!, H[rs2]!, L[rs2]!)) break;
            if ((imm = slot * 2 + imm) >= 0 && imm < 4096) { slot = imm >> 1; continue; }
            this.pc = pageVa + imm;
            continue outer;

          // Loads and stores: a TLB hit on an aligned address goes straight to RAM.
          case Op.Ld: case Op.Lw: case Op.Lwu: case Op.Lh: case Op.Lhu: case Op.Lb: case Op.Lbu: {
            const b = L[rs1]!, a = (b + imm) | 0;
            const ah = (H[rs1]! + (imm >> 31) + ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
            const op = w & 0xff;
            const size = op === Op.Ld ? 8 : op === Op.Lw || op === Op.Lwu ? 4 : op === Op.Lb || op === Op.Lbu ? 1 : 2;
            const i = ((a >>> 12) ^ (a >>> 21)) & TLB_MASK;
            const base = rBase[i]!;
            if (rTagLo[i] === ((a >>> 12) | (ah << 20)) && rTagHi[i] === ah >> 12 && base >= 0 && (a & (size - 1)) === 0) {
              const o = base + (a & 0xfff);
              switch (op) {
                case Op.Ld: L[rd] = i32[o >> 2]!; H[rd] = i32[(o >> 2) + 1]!; break;
                case Op.Lw: { const v = i32[o >> 2]!; L[rd] = v; H[rd] = v >> 31; break; }
                case Op.Lwu: L[rd] = i32[o >> 2]!; H[rd] = 0; break;
                case Op.Lh: { const v = (u16[o >> 1]! << 16) >> 16; L[rd] = v; H[rd] = v >> 31; break; }
                case Op.Lhu: L[rd] = u16[o >> 1]!; H[rd] = 0; break;
                case Op.Lb: { const v = (u8[o]! << 24) >> 24; L[rd] = v; H[rd] = v >> 31; break; }
                default: L[rd] = u8[o]!; H[rd] = 0; break;
              }
              break;
            }
            this.pc = pageVa + slot * 2;
            this.sliceRetired = n - faulted;
            const unsigned = op === Op.Lwu || op === Op.Lhu || op === Op.Lbu;
            const ok = base < 0 && rTagLo[i] === ((a >>> 12) | (ah << 20)) && rTagHi[i] === ah >> 12
              ? this.deviceLoad(rGpa[i]! + (a & 0xfff), size, unsigned, rd, a, ah) // a known device page
              : this.loadSlow(a, ah, size, unsigned, rd);
            if (!ok) { faulted++; continue outer; }
            // Device registers are read in loops: stay on this page unless the access raised an interrupt
            // (ending the inner loop after this instruction, where the common path sets the pc: a path of
            // its own had no type feedback, and the optimized loop deoptimized on the first such read).
            if (this.mustLeavePage()) stop = n;
            break;
          }
          case Op.Sd: case Op.Sw: case Op.Sh: case Op.Sb: {
            const b = L[rs1]!, a = (b + imm) | 0;
            const ah = (H[rs1]! + (imm >> 31) + ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
            const op = w & 0xff;
            const size = op === Op.Sd ? 8 : op === Op.Sw ? 4 : op === Op.Sh ? 2 : 1;
            const i = ((a >>> 12) ^ (a >>> 21)) & TLB_MASK;
            const base = wBase[i]!;
            if (wTagLo[i] === ((a >>> 12) | (ah << 20)) && wTagHi[i] === ah >> 12 && base >= 0 && (a & (size - 1)) === 0) {
              const o = base + (a & 0xfff);
              switch (op) {
                case Op.Sd: i32[o >> 2] = L[rs2]!; i32[(o >> 2) + 1] = H[rs2]!; break;
                case Op.Sw: i32[o >> 2] = L[rs2]!; break;
                case Op.Sh: u16[o >> 1] = L[rs2]!; break;
                default: u8[o] = L[rs2]!; break;
              }
              if (codePages[o >>> 12] !== 0) code.invalidate(o, size);
              break;
            }
            this.pc = pageVa + slot * 2;
            this.sliceRetired = n - faulted;
            if (!this.storeSlow(a, ah, size, L[rs2]!, H[rs2]!)) { faulted++; continue outer; }
            if (this.mustLeavePage()) stop = n; // as for loads
            break;
          }

          case Op.Fence: break;
          case Op.FenceI: break; // decoded code is kept coherent with every store
          case Op.LrW: case Op.ScW: case Op.AmoswapW: case Op.AmoaddW: case Op.AmoxorW: case Op.AmoandW:
          case Op.AmoorW: case Op.AmominW: case Op.AmomaxW: case Op.AmominuW: case Op.AmomaxuW:
          case Op.LrD: case Op.ScD: case Op.AmoswapD: case Op.AmoaddD: case Op.AmoxorD: case Op.AmoandD:
          case Op.AmoorD: case Op.AmominD: case Op.AmomaxD: case Op.AmominuD: case Op.AmomaxuD:
          case Op.Csrrw: case Op.Csrrs: case Op.Csrrc: case Op.Csrrwi: case Op.Csrrsi: case Op.Csrrci:
          case Op.Ecall: case Op.Ebreak: case Op.Sret: case Op.Wfi: case Op.SfenceVma: case Op.Illegal: {
            // Rare operations share one call site: their first use changes no feedback in this loop.
            this.pc = pageVa + slot * 2;
            this.sliceRetired = n - faulted;
            const next = this.system(w, imm, pageOffset + slot * 2);
            if (next === Next.Stay) break;
            if (next === Next.Trapped) faulted++;
            continue outer;
          }
          default:
            throw new Error(`unhandled operation ${w & 0xff}`);
        }
        slot += w >>> 24;
      }
      this.pc = pageVa + slot * 2;
    }
    this.instret += n - faulted;
    this.sliceRetired = 0;
    return n;
  }

  /**
   * AMOs, CSR accesses and system instructions, for the instruction at this.pc (RAM byte offset
   * `ramOffset`). Says whether the run loop may go on with the next instruction on the page, or must
   * look at the hart again (this.pc is then where to continue).
   */
  private system(w: number, imm: number, ramOffset: number): Next {
    const op: Op = w & 0xff, rd = (w >>> 8) & 63, rs1 = (w >>> 14) & 31, rs2 = (w >>> 19) & 31;
    switch (op) {
      case Op.Csrrw: case Op.Csrrs: case Op.Csrrc: case Op.Csrrwi: case Op.Csrrsi: case Op.Csrrci:
        if (!this.csrInstruction(op, rd, rs1, imm, ramOffset)) return Next.Trapped;
        // Stay on the page unless the translation changed or an interrupt may now be taken (sstatus.SIE,
        // sie, sip): mustLeavePage checks mip & sie.
        if (imm === Csr.Satp || this.mustLeavePage()) { this.pc += 4; return Next.Leave; }
        return Next.Stay;
      case Op.Ecall: {
        if (this.priv === Priv.User) { this.raise(Cause.EcallFromU, 0, 0); return Next.Leave; }
        const pc = this.pc, flushes = this.tlbFlushes;
        this.exits.ecall(this);
        if (this.pc !== pc) return Next.Leave; // the call moved the hart
        // An SBI call or hypercall that changed nothing the page loop depends on (most of them) returns to
        // the next instruction like a CSR access does.
        if (this.tlbFlushes !== flushes || this.mustLeavePage()) { this.pc += 4; return Next.Leave; }
        return Next.Stay;
      }
      case Op.Ebreak:
        this.raise(Cause.Breakpoint, this.pc | 0, Math.floor(this.pc / TWO32) | 0);
        return Next.Trapped;
      case Op.Sret:
        if (this.priv === Priv.User) { this.illegal(ramOffset); return Next.Trapped; }
        this.sret();
        return Next.Leave;
      case Op.Wfi:
        if (this.priv === Priv.User) { this.illegal(ramOffset); return Next.Trapped; }
        this.pc += 4;
        if ((this.mip & this.sie) === 0) this.idle = true;
        return Next.Leave;
      case Op.SfenceVma:
        if (this.priv === Priv.User) { this.illegal(ramOffset); return Next.Trapped; }
        this.flushTlb();
        this.pc += 4;
        return Next.Leave;
      case Op.Illegal:
        this.raise(Cause.IllegalInstruction, imm, 0);
        return Next.Trapped;
      default: // LR/SC and AMOs
        if (!this.atomic(op, rd, rs1, rs2)) return Next.Trapped;
        if (this.mustLeavePage()) { this.pc += 4; return Next.Leave; }
        return Next.Stay; // an AMO changes no state the page loop depends on
    }
  }

  /**
   * Executes the instruction at this.pc (RAM byte offset `ramOffset`; decoded as `w`, `imm`) that translated
   * code hands over: one it leaves to the interpreter, or a load or store off its inline fast path. The
   * registers are in xlo/xhi and sliceRetired is up to date. Leave and Trapped leave the next pc in this.pc.
   */
  executeOne(w: number, imm: number, ramOffset: number): Next {
    const op: Op = w & 0xff;
    if (op < Op.Lb || op > Op.Sd) return this.system(w, imm, ramOffset);
    if (!this.accessSlow(w, imm)) return Next.Trapped;
    if (this.mustLeavePage()) { this.pc += (w >>> 24) * 2; return Next.Leave; }
    return Next.Stay;
  }

  /** A load or store by the general path: TLB miss, device, misaligned, or a page with decoded code. */
  private accessSlow(w: number, imm: number): boolean {
    const rd = (w >>> 8) & 63, rs1 = (w >>> 14) & 31, rs2 = (w >>> 19) & 31;
    const b = this.xlo[rs1]!, a = (b + imm) | 0;
    const ah = (this.xhi[rs1]! + (imm >> 31) + ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0;
    const lo = this.xlo[rs2]!, hi = this.xhi[rs2]!;
    switch (w & 0xff) {
      case Op.Ld: return this.loadSlow(a, ah, 8, false, rd);
      case Op.Lw: return this.loadSlow(a, ah, 4, false, rd);
      case Op.Lwu: return this.loadSlow(a, ah, 4, true, rd);
      case Op.Lh: return this.loadSlow(a, ah, 2, false, rd);
      case Op.Lhu: return this.loadSlow(a, ah, 2, true, rd);
      case Op.Lb: return this.loadSlow(a, ah, 1, false, rd);
      case Op.Lbu: return this.loadSlow(a, ah, 1, true, rd);
      case Op.Sd: return this.storeSlow(a, ah, 8, lo, hi);
      case Op.Sw: return this.storeSlow(a, ah, 4, lo, hi);
      case Op.Sh: return this.storeSlow(a, ah, 2, lo, hi);
      default: return this.storeSlow(a, ah, 1, lo, hi);
    }
  }

  /**
   * After a slow-path access: whether it changed anything the inner loop does not re-check (the slice
   * must end, the hart stopped, or an interrupt it enabled became pending).
   */
  mustLeavePage(): boolean {
    return this.stopRequested || this.state !== HartState.Running || (this.mip & this.sie) !== 0;
  }

  /** Fetch-TLB miss: translate the pc for execution. Returns the RAM offset, or -1 after a trap/exit. */
  private fetchSlow(vlo: number, vhi: number): number {
    const off = translate(this, vlo, vhi, Access.Execute);
    if (off === FAULTED) return -1;
    if (off === DEVICE) {
      if (this.exits.fetchFault(this, this.ioGpa) && this.running) this.raise(Cause.InstructionAccessFault, vlo, vhi);
      return -1;
    }
    return off;
  }

  /** Fetches and decodes a 32-bit instruction whose second half is on the next page. */
  private fetchCrossPage(firstHalfOffset: number): boolean {
    const next = this.pc + 2;
    const nlo = next | 0, nhi = Math.floor(next / TWO32) | 0;
    const off = this.fetchSlow(nlo, nhi); // faults report the instruction's pc, the second half's address
    if (off < 0) return false;
    this.crossPageHigh = this.ram.u16[off >> 1]!;
    decodeInstruction(this.ram.u16[firstHalfOffset >> 1]!, this.crossPageHigh, this.crossPage);
    return true;
  }

  /** Raises an illegal-instruction exception with the instruction bits (read back from RAM) in stval. */
  private illegal(ramOffset: number): void {
    const lo16 = this.ram.u16[ramOffset >> 1]!;
    // a 32-bit instruction in a page's last halfword was fetched by fetchCrossPage, which kept its tail
    const hi16 = (ramOffset & 0xfff) === 0xffe ? this.crossPageHigh : this.ram.u16[(ramOffset >> 1) + 1]!;
    const bitsValue = (lo16 & 3) === 3 ? lo16 | (hi16 << 16) : lo16;
    this.raise(Cause.IllegalInstruction, bitsValue, 0);
  }

  private sret(): void {
    const s = this.sstatus;
    const toPriv = (s & SSTATUS_SPP) !== 0 ? Priv.Supervisor : Priv.User;
    this.sstatus = (s & ~(SSTATUS_SIE | SSTATUS_SPP)) | ((s & SSTATUS_SPIE) !== 0 ? SSTATUS_SIE : 0) | SSTATUS_SPIE;
    this.setPriv(toPriv);
    this.pc = this.sepc[1]! * TWO32 + (this.sepc[0]! >>> 0);
    this.ram.reservations.release(this.id);
  }

  /** Zicsr; returns false after raising illegal-instruction. */
  private csrInstruction(op: Op, rd: number, rs1: number, csr: number, ramOffset: number): boolean {
    const immediate = op >= Op.Csrrwi;
    const srcLo = immediate ? rs1 : this.xlo[rs1]!, srcHi = immediate ? 0 : this.xhi[rs1]!;
    const kind = immediate ? op - 3 : op;
    const reads = kind !== Op.Csrrw || rd !== SINK;
    const writes = kind === Op.Csrrw || rs1 !== 0;
    if (reads && !readCsr(this, csr)) { this.illegal(ramOffset); return false; }
    const oldLo = this.csrValue[0]!, oldHi = this.csrValue[1]!;
    if (writes) {
      let lo = srcLo, hi = srcHi;
      if (kind === Op.Csrrs) { lo = oldLo | srcLo; hi = oldHi | srcHi; }
      else if (kind === Op.Csrrc) { lo = oldLo & ~srcLo; hi = oldHi & ~srcHi; }
      if (!writeCsr(this, csr, lo, hi)) { this.illegal(ramOffset); return false; }
    }
    if (reads) { this.xlo[rd] = oldLo; this.xhi[rd] = oldHi; }
    return true;
  }

  /**
   * The slow-path translation of a data address: a device page already in the TLB skips the walk.
   * Returns a RAM offset, DEVICE (GPA in ioGpa) or FAULTED.
   */
  private dataAddress(vlo: number, vhi: number, access: Access): number {
    const tlb = access === Access.Read ? this.readTlb : this.writeTlb;
    const i = ((vlo >>> 12) ^ (vlo >>> 21)) & TLB_MASK;
    if (tlb.tagLo[i] === ((vlo >>> 12) | (vhi << 20)) && tlb.tagHi[i] === vhi >> 12) {
      const base = tlb.base[i]!;
      if (base >= 0) return base + (vlo & 0xfff);
      this.ioGpa = tlb.gpa[i]! + (vlo & 0xfff);
      return DEVICE;
    }
    return translate(this, vlo, vhi, access);
  }

  /**
   * A jump to an address no translation can reach (beyond 2^52): the fetch faults there. The pc cannot
   * hold such a value exactly, so sepc and stval are written from the exact register pair.
   */
  private unreachableTarget(lo: number, hi: number): void {
    const paging = (this.satp[1]! >>> 28) !== 0;
    this.raise(paging ? Cause.InstructionPageFault : Cause.InstructionAccessFault, lo, hi);
    this.sepc[0] = lo;
    this.sepc[1] = hi;
  }

  /** A load from a device register at `gpa` (the TLB already knows the page is not RAM). */
  private deviceLoad(gpa: number, size: 1 | 2 | 4 | 8, unsigned: boolean, rd: number, vlo: number, vhi: number): boolean {
    if (!this.exits.mmioRead(this, gpa, size)) return this.accessFault(Cause.LoadAccessFault, vlo, vhi);
    this.setLoaded(size, unsigned, rd);
    return true;
  }

  /** Writes ioData, extended as the load instruction asks, to rd. */
  private setLoaded(size: 1 | 2 | 4 | 8, unsigned: boolean, rd: number): void {
    const lo = this.ioData[0]!;
    if (size === 8) { this.xlo[rd] = lo; this.xhi[rd] = this.ioData[1]!; return; }
    const shift = 32 - size * 8;
    const value = size === 4 ? lo : unsigned ? lo & ((1 << (size * 8)) - 1) : (lo << shift) >> shift;
    this.xlo[rd] = value;
    this.xhi[rd] = unsigned ? 0 : value >> 31;
  }

  /** Loads that missed the TLB, are misaligned, or hit a device. Returns false after a trap/park. */
  loadSlow(vlo: number, vhi: number, size: 1 | 2 | 4 | 8, unsigned: boolean, rd: number): boolean {
    const io = this.ioData;
    const off = this.dataAddress(vlo, vhi, Access.Read);
    if (off === FAULTED) return false;
    if (off === DEVICE) {
      if (!this.exits.mmioRead(this, this.ioGpa, size)) return this.accessFault(Cause.LoadAccessFault, vlo, vhi);
    } else if ((off & 0xfff) + size <= 4096) {
      const v = this.ram.view;
      if (size === 8) { io[0] = v.getInt32(off, true); io[1] = v.getInt32(off + 4, true); }
      else { io[0] = size === 4 ? v.getInt32(off, true) : size === 2 ? v.getUint16(off, true) : v.getUint8(off); io[1] = 0; }
    } else if (!this.loadBytewise(vlo, vhi, size)) return false;
    this.setLoaded(size, unsigned, rd);
    return true;
  }

  /** A misaligned RAM load that crosses a page: one byte at a time, each translated. */
  private loadBytewise(vlo: number, vhi: number, size: number): boolean {
    let lo = 0, hi = 0;
    for (let i = 0; i < size; i++) {
      const a = (vlo + i) | 0, ah = (vhi + ((a >>> 0) < (vlo >>> 0) ? 1 : 0)) | 0;
      const off = this.dataAddress(a, ah, Access.Read);
      let byte: number;
      if (off === FAULTED) return false;
      if (off === DEVICE) {
        if (!this.exits.mmioRead(this, this.ioGpa, 1)) return this.accessFault(Cause.LoadAccessFault, a, ah);
        byte = this.ioData[0]! & 0xff;
      } else byte = this.ram.u8[off]!;
      if (i < 4) lo |= byte << (8 * i); else hi |= byte << (8 * (i - 4));
    }
    this.ioData[0] = lo;
    this.ioData[1] = hi;
    return true;
  }

  /** Stores that missed the TLB, are misaligned, or hit a device. Returns false after a trap/park. */
  storeSlow(vlo: number, vhi: number, size: 1 | 2 | 4 | 8, lo: number, hi: number): boolean {
    const off = this.dataAddress(vlo, vhi, Access.Write);
    if (off === FAULTED) return false;
    if (off === DEVICE) {
      if (!this.exits.mmioWrite(this, this.ioGpa, size, lo, hi)) return this.accessFault(Cause.StoreAccessFault, vlo, vhi);
      return true;
    }
    if ((off & 0xfff) + size <= 4096) {
      const v = this.ram.view;
      if (size === 8) { v.setInt32(off, lo, true); v.setInt32(off + 4, hi, true); }
      else if (size === 4) v.setInt32(off, lo, true);
      else if (size === 2) v.setUint16(off, lo, true);
      else v.setUint8(off, lo);
      if (this.ram.codePages[off >>> 12] !== 0) this.code.invalidate(off, size);
      return true;
    }
    // Crossing a page: translate every byte first so a page fault leaves memory unchanged; then bytes in
    // order, those that are not RAM through the exits one by one (as loadBytewise does, and as OpenSBI
    // emulates misaligned accesses), so a violation is reported and handled like any other.
    const offsets: number[] = [], gpas: number[] = [];
    for (let i = 0; i < size; i++) {
      const a = (vlo + i) | 0, ah = (vhi + ((a >>> 0) < (vlo >>> 0) ? 1 : 0)) | 0;
      const o = this.dataAddress(a, ah, Access.Write);
      if (o === FAULTED) return false;
      offsets.push(o);
      gpas.push(this.ioGpa);
    }
    for (let i = 0; i < size; i++) {
      const o = offsets[i]!, byte = (i < 4 ? lo >>> (8 * i) : hi >>> (8 * (i - 4))) & 0xff;
      if (o === DEVICE) {
        if (!this.exits.mmioWrite(this, gpas[i]!, 1, byte, 0)) {
          const a = (vlo + i) | 0;
          return this.accessFault(Cause.StoreAccessFault, a, (vhi + ((a >>> 0) < (vlo >>> 0) ? 1 : 0)) | 0);
        }
        continue;
      }
      this.ram.u8[o] = byte;
      if (this.ram.codePages[o >>> 12] !== 0) this.code.invalidate(o, 1);
    }
    return true;
  }

  /** Delivers an access fault unless the failing exit parked or stopped the hart. */
  private accessFault(cause: Cause, vlo: number, vhi: number): boolean {
    if (this.running && !this.stopRequested) this.raise(cause, vlo, vhi);
    return false;
  }

  /** LR/SC and AMOs: naturally aligned, RAM only (a device or misaligned address faults). */
  private atomic(op: Op, rd: number, rs1: number, rs2: number): boolean {
    const L = this.xlo, H = this.xhi;
    const vlo = L[rs1]!, vhi = H[rs1]!;
    const double = op >= Op.LrD;
    const size = double ? 8 : 4;
    const isLr = op === Op.LrW || op === Op.LrD;
    if ((vlo & (size - 1)) !== 0) {
      this.raise(isLr ? Cause.LoadMisaligned : Cause.StoreMisaligned, vlo, vhi);
      return false;
    }
    const off = this.dataAddress(vlo, vhi, isLr ? Access.Read : Access.Write);
    if (off === FAULTED) return false;
    if (off === DEVICE) { // devices cannot take part in atomics; the exit decides between a fault and a violation
      const fault = this.exits.atomicFault === undefined || this.exits.atomicFault(this, this.ioGpa, size, !isLr);
      if (fault) return this.accessFault(isLr ? Cause.LoadAccessFault : Cause.StoreAccessFault, vlo, vhi);
      return false;
    }
    const i32 = this.ram.i32, at = off >> 2;
    const oldLo = i32[at]!, oldHi = double ? i32[at + 1]! : oldLo >> 31;
    if (isLr) {
      this.ram.reservations.reserve(this.id, off);
      L[rd] = oldLo; H[rd] = oldHi;
      return true;
    }
    if (op === Op.ScW || op === Op.ScD) {
      const success = this.ram.reservations.take(this.id, off);
      if (success) {
        i32[at] = L[rs2]!;
        if (double) i32[at + 1] = H[rs2]!;
        if (this.ram.codePages[off >>> 12] !== 0) this.code.invalidate(off, size);
      }
      L[rd] = success ? 0 : 1; H[rd] = 0;
      return true;
    }
    const bl = L[rs2]!, bh = double ? H[rs2]! : bl >> 31;
    let nl = bl, nh = bh; // AMOSWAP; min/max keep the old value where it wins (no arrays: this runs per AMO)
    switch (double ? op - (Op.LrD - Op.LrW) : op) {
      case Op.AmoaddW: nl = (oldLo + bl) | 0; nh = (oldHi + bh + ((nl >>> 0) < (oldLo >>> 0) ? 1 : 0)) | 0; break;
      case Op.AmoxorW: nl = oldLo ^ bl; nh = oldHi ^ bh; break;
      case Op.AmoandW: nl = oldLo & bl; nh = oldHi & bh; break;
      case Op.AmoorW: nl = oldLo | bl; nh = oldHi | bh; break;
      case Op.AmominW: if (lessThan(oldHi, oldLo, bh, bl)) { nl = oldLo; nh = oldHi; } break;
      case Op.AmomaxW: if (!lessThan(oldHi, oldLo, bh, bl)) { nl = oldLo; nh = oldHi; } break;
      case Op.AmominuW:
        if (double ? lessThanUnsigned(oldHi, oldLo, bh, bl) : (oldLo >>> 0) < (bl >>> 0)) { nl = oldLo; nh = oldHi; }
        break;
      case Op.AmomaxuW:
        if (!(double ? lessThanUnsigned(oldHi, oldLo, bh, bl) : (oldLo >>> 0) < (bl >>> 0))) { nl = oldLo; nh = oldHi; }
        break;
    }
    i32[at] = nl;
    if (double) i32[at + 1] = nh;
    if (this.ram.codePages[off >>> 12] !== 0) this.code.invalidate(off, size);
    L[rd] = oldLo; H[rd] = oldHi;
    return true;
  }
}

function lessThan(ah: number, al: number, bh: number, bl: number): boolean {
  return ah < bh || (ah === bh && (al >>> 0) < (bl >>> 0));
}

function lessThanUnsigned(ah: number, al: number, bh: number, bl: number): boolean {
  return (ah >>> 0) < (bh >>> 0) || (ah === bh && (al >>> 0) < (bl >>> 0));
}

function shiftLeft(L: Int32Array, H: Int32Array, rd: number, lo: number, hi: number, s: number): void {
  if (s === 0) { L[rd] = lo; H[rd] = hi; }
  else if (s < 32) { H[rd] = (hi << s) | (lo >>> (32 - s)); L[rd] = lo << s; }
  else { H[rd] = lo << (s - 32); L[rd] = 0; }
}

function shiftRight(L: Int32Array, H: Int32Array, rd: number, lo: number, hi: number, s: number): void {
  if (s === 0) { L[rd] = lo; H[rd] = hi; }
  else if (s < 32) { L[rd] = (lo >>> s) | (hi << (32 - s)); H[rd] = hi >>> s; }
  else { L[rd] = hi >>> (s - 32); H[rd] = 0; }
}

function shiftRightArith(L: Int32Array, H: Int32Array, rd: number, lo: number, hi: number, s: number): void {
  if (s === 0) { L[rd] = lo; H[rd] = hi; }
  else if (s < 32) { L[rd] = (lo >>> s) | (hi << (32 - s)); H[rd] = hi >> s; }
  else { L[rd] = hi >> (s - 32); H[rd] = hi >> 31; }
}

/** Writes a double holding a signed 64-bit integer (|v| < 2^53) into a register pair. */
function setPair(L: Int32Array, H: Int32Array, rd: number, v: number): void {
  L[rd] = v | 0;
  H[rd] = Math.floor(v / TWO32) | 0;
}

/** Sets register `r` of a hart to a small non-negative integer value (boot arguments). */
export function setReg(hart: Hart, r: number, v: number): void {
  setPair(hart.xlo, hart.xhi, r, v);
}

/** Reads register `r` of a hart as a double (exact below 2^53; meant for arguments of SBI calls). */
export function getReg(hart: Hart, r: number): number {
  return hart.xhi[r]! * TWO32 + (hart.xlo[r]! >>> 0);
}

/** Reads register `r` as an unsigned 64-bit BigInt (for values that may exceed 2^53). */
export function getRegBig(hart: Hart, r: number): bigint {
  return (BigInt(hart.xhi[r]! >>> 0) << 32n) | BigInt(hart.xlo[r]! >>> 0);
}
