/** A minimal RISC-V instruction encoder for tests: just the formats, no assembler conveniences. */

export const r = (f7: number, rs2: number, rs1: number, f3: number, rd: number, opcode: number): number =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode) >>> 0;

export const i = (imm: number, rs1: number, f3: number, rd: number, opcode: number): number =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode) >>> 0;

export const s = (imm: number, rs2: number, rs1: number, f3: number, opcode = 0x23): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | opcode) >>> 0;

export const b = (imm: number, rs2: number, rs1: number, f3: number): number =>
  ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63) >>> 0;

export const u = (imm: number, rd: number, opcode: number): number => ((imm & 0xfffff000) | (rd << 7) | opcode) >>> 0;

export const j = (imm: number, rd: number): number =>
  ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) | (((imm >> 12) & 0xff) << 12) |
    (rd << 7) | 0x6f) >>> 0;

export const ECALL = 0x00000073;
export const EBREAK = 0x00100073;
export const SRET = 0x10200073;
export const WFI = 0x10500073;

/** R-type ALU operations: name → (funct7, funct3, opcode). */
export const R_OPS: Record<string, [number, number, number]> = {
  add: [0, 0, 0x33], sub: [0x20, 0, 0x33], sll: [0, 1, 0x33], slt: [0, 2, 0x33], sltu: [0, 3, 0x33],
  xor: [0, 4, 0x33], srl: [0, 5, 0x33], sra: [0x20, 5, 0x33], or: [0, 6, 0x33], and: [0, 7, 0x33],
  mul: [1, 0, 0x33], mulh: [1, 1, 0x33], mulhsu: [1, 2, 0x33], mulhu: [1, 3, 0x33],
  div: [1, 4, 0x33], divu: [1, 5, 0x33], rem: [1, 6, 0x33], remu: [1, 7, 0x33],
  addw: [0, 0, 0x3b], subw: [0x20, 0, 0x3b], sllw: [0, 1, 0x3b], srlw: [0, 5, 0x3b], sraw: [0x20, 5, 0x3b],
  mulw: [1, 0, 0x3b], divw: [1, 4, 0x3b], divuw: [1, 5, 0x3b], remw: [1, 6, 0x3b], remuw: [1, 7, 0x3b],
};
