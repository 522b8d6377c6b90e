/**
 * A small RV64IMA + Zicsr assembler for programs the emulator writes itself (the run loop's warm-up,
 * tests): standard 32-bit encodings, labels with forward references, and a compressed NOP to shift
 * alignment. Encodings are the ISA manual's base formats; nothing here is meant for guest authors.
 */

const enum Major {
  Load = 0x03, MiscMem = 0x0f, OpImm = 0x13, Auipc = 0x17, OpImm32 = 0x1b, Store = 0x23, Amo = 0x2f,
  Op = 0x33, Lui = 0x37, Op32 = 0x3b, Branch = 0x63, Jalr = 0x67, Jal = 0x6f, System = 0x73,
}

/** ABI register numbers. */
export const Reg = {
  zero: 0, ra: 1, sp: 2, gp: 3, tp: 4, t0: 5, t1: 6, t2: 7, s0: 8, s1: 9,
  a0: 10, a1: 11, a2: 12, a3: 13, a4: 14, a5: 15, a6: 16, a7: 17,
  s2: 18, s3: 19, s4: 20, s5: 21, s6: 22, s7: 23, s8: 24, s9: 25, s10: 26, s11: 27,
  t3: 28, t4: 29, t5: 30, t6: 31,
} as const;

/** R-type operations: [major opcode, funct3, funct7]. */
export const R_OPS = {
  add: [Major.Op, 0, 0], sub: [Major.Op, 0, 0x20], sll: [Major.Op, 1, 0], slt: [Major.Op, 2, 0],
  sltu: [Major.Op, 3, 0], xor: [Major.Op, 4, 0], srl: [Major.Op, 5, 0], sra: [Major.Op, 5, 0x20],
  or: [Major.Op, 6, 0], and: [Major.Op, 7, 0],
  mul: [Major.Op, 0, 1], mulh: [Major.Op, 1, 1], mulhsu: [Major.Op, 2, 1], mulhu: [Major.Op, 3, 1],
  div: [Major.Op, 4, 1], divu: [Major.Op, 5, 1], rem: [Major.Op, 6, 1], remu: [Major.Op, 7, 1],
  addw: [Major.Op32, 0, 0], subw: [Major.Op32, 0, 0x20], sllw: [Major.Op32, 1, 0], srlw: [Major.Op32, 5, 0],
  sraw: [Major.Op32, 5, 0x20], mulw: [Major.Op32, 0, 1], divw: [Major.Op32, 4, 1], divuw: [Major.Op32, 5, 1],
  remw: [Major.Op32, 6, 1], remuw: [Major.Op32, 7, 1],
} as const;
export type ROp = keyof typeof R_OPS;

/** I-type arithmetic: [major opcode, funct3]. Shifts take their amount as the immediate. */
export const I_OPS = {
  addi: [Major.OpImm, 0], slti: [Major.OpImm, 2], sltiu: [Major.OpImm, 3], xori: [Major.OpImm, 4],
  ori: [Major.OpImm, 6], andi: [Major.OpImm, 7], addiw: [Major.OpImm32, 0],
} as const;
export type IOp = keyof typeof I_OPS;

/** Shifts by an immediate: [major opcode, funct3, bits 26..31 of the encoding]. */
export const SHIFT_OPS = {
  slli: [Major.OpImm, 1, 0], srli: [Major.OpImm, 5, 0], srai: [Major.OpImm, 5, 0x10],
  slliw: [Major.OpImm32, 1, 0], srliw: [Major.OpImm32, 5, 0], sraiw: [Major.OpImm32, 5, 0x10],
} as const;
export type ShiftOp = keyof typeof SHIFT_OPS;

export const LOAD_OPS = { lb: 0, lh: 1, lw: 2, ld: 3, lbu: 4, lhu: 5, lwu: 6 } as const;
export type LoadOp = keyof typeof LOAD_OPS;
export const STORE_OPS = { sb: 0, sh: 1, sw: 2, sd: 3 } as const;
export type StoreOp = keyof typeof STORE_OPS;
export const BRANCH_OPS = { beq: 0, bne: 1, blt: 4, bge: 5, bltu: 6, bgeu: 7 } as const;
export type BranchOp = keyof typeof BRANCH_OPS;
/** AMO funct5 codes (LR and SC included). */
export const AMO_OPS = {
  lr: 0x02, sc: 0x03, amoswap: 0x01, amoadd: 0x00, amoxor: 0x04, amoand: 0x0c, amoor: 0x08,
  amomin: 0x10, amomax: 0x14, amominu: 0x18, amomaxu: 0x1c,
} as const;
export type AmoOp = keyof typeof AMO_OPS;
export const CSR_OPS = { csrrw: 1, csrrs: 2, csrrc: 3, csrrwi: 5, csrrsi: 6, csrrci: 7 } as const;
export type CsrOp = keyof typeof CSR_OPS;

/** Code built at `origin`: 32-bit words and compressed halfwords, with label fix-ups resolved by bytes(). */
export class Assembler {
  private readonly halves: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: { at: number; label: string; encode: (offset: number) => number }[] = [];

  constructor(readonly origin: number) {}

  /** Bytes emitted so far. */
  get size(): number {
    return this.halves.length * 2;
  }

  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`label ${name} defined twice`);
    this.labels.set(name, this.size);
    return this;
  }

  word(w: number): this {
    this.halves.push(w & 0xffff, (w >>> 16) & 0xffff);
    return this;
  }

  /** C.NOP: shifts the following code by two bytes. */
  cnop(): this {
    this.halves.push(0x0001);
    return this;
  }

  /** Pads with NOPs (and one C.NOP if needed) until the next instruction starts at byte offset `offset`. */
  padTo(offset: number): this {
    if (offset < this.size || (offset & 1) !== 0) throw new Error(`cannot pad to ${offset} from ${this.size}`);
    if (((offset - this.size) & 2) !== 0) this.cnop();
    while (this.size < offset) this.i('addi', Reg.zero, Reg.zero, 0);
    return this;
  }

  r(op: ROp, rd: number, rs1: number, rs2: number): this {
    const [major, f3, f7] = R_OPS[op];
    return this.word(rType(major, f3, f7, rd, rs1, rs2));
  }

  i(op: IOp, rd: number, rs1: number, imm: number): this {
    const [major, f3] = I_OPS[op];
    return this.word(iType(major, f3, rd, rs1, imm));
  }

  shift(op: ShiftOp, rd: number, rs1: number, amount: number): this {
    const [major, f3, f6] = SHIFT_OPS[op];
    return this.word(iType(major, f3, rd, rs1, (f6 << 6) | amount));
  }

  load(op: LoadOp, rd: number, base: number, offset: number): this {
    return this.word(iType(Major.Load, LOAD_OPS[op], rd, base, offset));
  }

  store(op: StoreOp, src: number, base: number, offset: number): this {
    return this.word(sType(STORE_OPS[op], base, src, offset));
  }

  lui(rd: number, upper20: number): this {
    return this.word(((upper20 & 0xfffff) << 12) | (rd << 7) | Major.Lui);
  }

  auipc(rd: number, upper20: number): this {
    return this.word(((upper20 & 0xfffff) << 12) | (rd << 7) | Major.Auipc);
  }

  /** rd = any 32-bit signed value (LUI + ADDIW). */
  li(rd: number, value: number): this {
    const lo = (value << 20) >> 20;
    const hi = ((value - lo) >>> 12) & 0xfffff;
    if (hi === 0) return this.i('addi', rd, Reg.zero, lo);
    this.lui(rd, hi);
    return lo === 0 ? this : this.i('addiw', rd, rd, lo);
  }

  /** rd = the address of `label` (AUIPC + ADDI). */
  la(rd: number, label: string): this {
    const at = this.size;
    this.fixups.push({ at, label, encode: (off) => uType(Major.Auipc, rd, (off + 0x800) >> 12) });
    this.fixups.push({ at: at + 4, label, encode: (off) => iType(Major.OpImm, 0, rd, rd, ((off + 4) << 20) >> 20) });
    return this.word(0).word(0);
  }

  branch(op: BranchOp, rs1: number, rs2: number, label: string): this {
    this.fixups.push({ at: this.size, label, encode: (off) => bType(BRANCH_OPS[op], rs1, rs2, off) });
    return this.word(0);
  }

  jal(rd: number, label: string): this {
    this.fixups.push({ at: this.size, label, encode: (off) => jType(rd, off) });
    return this.word(0);
  }

  jalr(rd: number, rs1: number, offset: number): this {
    return this.word(iType(Major.Jalr, 0, rd, rs1, offset));
  }

  amo(op: AmoOp, width: 'w' | 'd', rd: number, addr: number, src: number, aq = false, rl = false): this {
    const f7 = (AMO_OPS[op] << 2) | (aq ? 2 : 0) | (rl ? 1 : 0);
    return this.word(rType(Major.Amo, width === 'w' ? 2 : 3, f7, rd, addr, op === 'lr' ? 0 : src));
  }

  /** A CSR instruction; for the immediate forms `src` is the 5-bit immediate. */
  csr(op: CsrOp, rd: number, csr: number, src: number): this {
    return this.word(iType(Major.System, CSR_OPS[op], rd, src, csr));
  }

  ecall(): this { return this.word(0x00000073); }
  ebreak(): this { return this.word(0x00100073); }
  sret(): this { return this.word(0x10200073); }
  wfi(): this { return this.word(0x10500073); }
  sfenceVma(rs1 = 0, rs2 = 0): this { return this.word(rType(Major.System, 0, 0x09, 0, rs1, rs2)); }
  fence(): this { return this.word(iType(Major.MiscMem, 0, 0, 0, 0x0ff)); }
  fenceI(): this { return this.word(iType(Major.MiscMem, 1, 0, 0, 0)); }

  /** The program's bytes, with every label reference resolved. */
  bytes(): Uint8Array {
    const halves = this.halves.slice();
    for (const f of this.fixups) {
      const target = this.labels.get(f.label);
      if (target === undefined) throw new Error(`undefined label ${f.label}`);
      const w = f.encode(target - f.at);
      halves[f.at >> 1] = w & 0xffff;
      halves[(f.at >> 1) + 1] = (w >>> 16) & 0xffff;
    }
    return new Uint8Array(Uint16Array.from(halves).buffer);
  }
}

function rType(major: number, f3: number, f7: number, rd: number, rs1: number, rs2: number): number {
  return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | major;
}

function iType(major: number, f3: number, rd: number, rs1: number, imm: number): number {
  return ((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | major;
}

function sType(f3: number, rs1: number, rs2: number, imm: number): number {
  return (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | Major.Store;
}

function uType(major: number, rd: number, upper20: number): number {
  return ((upper20 & 0xfffff) << 12) | (rd << 7) | major;
}

function bType(f3: number, rs1: number, rs2: number, off: number): number {
  if (off < -4096 || off > 4094 || (off & 1) !== 0) throw new Error(`branch offset ${off} out of range`);
  return (((off >> 12) & 1) << 31) | (((off >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    (((off >> 1) & 0xf) << 8) | (((off >> 11) & 1) << 7) | Major.Branch;
}

function jType(rd: number, off: number): number {
  if (off < -(1 << 20) || off >= 1 << 20 || (off & 1) !== 0) throw new Error(`jump offset ${off} out of range`);
  return (((off >> 20) & 1) << 31) | (((off >> 1) & 0x3ff) << 21) | (((off >> 11) & 1) << 20) |
    (((off >> 12) & 0xff) << 12) | (rd << 7) | Major.Jal;
}
