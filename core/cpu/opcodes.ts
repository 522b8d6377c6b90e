/**
 * Pre-decoded instruction format.
 *
 * The decoder turns every instruction (32-bit or compressed) into one 32-bit word plus a 32-bit immediate:
 *   bits 0..7   operation (Op)
 *   bits 8..13  rd (0..32; writes to x0 are redirected to the sink register 32)
 *   bits 14..18 rs1
 *   bits 19..23 rs2
 *   bits 24..25 instruction length in halfwords (1 compressed, 2 normal)
 * Compressed instructions decode to the operation of their 32-bit expansion, so the executor knows
 * nothing about the C extension beyond the length field.
 */
export const enum Op {
  Undecoded = 0,
  Illegal,
  /** A 32-bit instruction that straddles a page boundary: fetched and decoded on every execution. */
  CrossPage,
  /** Not an instruction: the sentinel past the last slot of a decoded page. */
  PageEnd,
  Lui, Auipc, Jal, Jalr,
  Beq, Bne, Blt, Bge, Bltu, Bgeu,
  Lb, Lh, Lw, Ld, Lbu, Lhu, Lwu,
  Sb, Sh, Sw, Sd,
  Addi, Slti, Sltiu, Xori, Ori, Andi, Slli, Srli, Srai,
  Add, Sub, Sll, Slt, Sltu, Xor, Srl, Sra, Or, And,
  Addiw, Slliw, Srliw, Sraiw, Addw, Subw, Sllw, Srlw, Sraw,
  Fence, FenceI, Ecall, Ebreak,
  Mul, Mulh, Mulhsu, Mulhu, Div, Divu, Rem, Remu,
  Mulw, Divw, Divuw, Remw, Remuw,
  LrW, ScW, AmoswapW, AmoaddW, AmoxorW, AmoandW, AmoorW, AmominW, AmomaxW, AmominuW, AmomaxuW,
  LrD, ScD, AmoswapD, AmoaddD, AmoxorD, AmoandD, AmoorD, AmominD, AmomaxD, AmominuD, AmomaxuD,
  Csrrw, Csrrs, Csrrc, Csrrwi, Csrrsi, Csrrci,
  Sret, Wfi, SfenceVma,
  /** addi rd, rs1, 0 */
  Mv,
  /** addi rd, x0, imm */
  Li,
}

/** The register index that absorbs writes to x0. */
export const SINK = 32;

export function pack(op: Op, rd: number, rs1: number, rs2: number, halfwords: 1 | 2): number {
  return op | ((rd === 0 ? SINK : rd) << 8) | (rs1 << 14) | (rs2 << 19) | (halfwords << 24);
}
