import { Op, pack } from './opcodes.ts';

/** One decoded instruction: the packed word of opcodes.ts and its immediate. */
export interface Decoded {
  word: number;
  imm: number;
}

/** Bits of `x` from `hi` down to `lo`, shifted to bit 0. */
function bits(x: number, hi: number, lo: number): number {
  return (x >>> lo) & ((1 << (hi - lo + 1)) - 1);
}

/** Sign-extends the low `width` bits of x. */
function sext(x: number, width: number): number {
  const shift = 32 - width;
  return (x << shift) >> shift;
}

const LOADS = [Op.Lb, Op.Lh, Op.Lw, Op.Ld, Op.Lbu, Op.Lhu, Op.Lwu, Op.Illegal];
const STORES = [Op.Sb, Op.Sh, Op.Sw, Op.Sd];
const BRANCHES = [Op.Beq, Op.Bne, Op.Illegal, Op.Illegal, Op.Blt, Op.Bge, Op.Bltu, Op.Bgeu];
const CSR_OPS = [Op.Illegal, Op.Csrrw, Op.Csrrs, Op.Csrrc, Op.Illegal, Op.Csrrwi, Op.Csrrsi, Op.Csrrci];
const OP_BASE = [Op.Add, Op.Sll, Op.Slt, Op.Sltu, Op.Xor, Op.Srl, Op.Or, Op.And];
const OP_MUL = [Op.Mul, Op.Mulh, Op.Mulhsu, Op.Mulhu, Op.Div, Op.Divu, Op.Rem, Op.Remu];
const OP32_MUL = [Op.Mulw, Op.Illegal, Op.Illegal, Op.Illegal, Op.Divw, Op.Divuw, Op.Remw, Op.Remuw];

/** AMO funct5 → [W op, D op]. */
const AMOS = new Map<number, [Op, Op]>([
  [0x02, [Op.LrW, Op.LrD]], [0x03, [Op.ScW, Op.ScD]], [0x01, [Op.AmoswapW, Op.AmoswapD]],
  [0x00, [Op.AmoaddW, Op.AmoaddD]], [0x04, [Op.AmoxorW, Op.AmoxorD]], [0x0c, [Op.AmoandW, Op.AmoandD]],
  [0x08, [Op.AmoorW, Op.AmoorD]], [0x10, [Op.AmominW, Op.AmominD]], [0x14, [Op.AmomaxW, Op.AmomaxD]],
  [0x18, [Op.AmominuW, Op.AmominuD]], [0x1c, [Op.AmomaxuW, Op.AmomaxuD]],
]);

/**
 * Decodes a 32-bit instruction (`halfwords` = 2) or the 32-bit expansion of a compressed one
 * (`halfwords` = 1). `raw` is the original encoding, reported as stval if the instruction is illegal.
 */
export function decode32(insn: number, halfwords: 1 | 2, raw: number, out: Decoded): void {
  const rd = bits(insn, 11, 7);
  const rs1 = bits(insn, 19, 15);
  const rs2 = bits(insn, 24, 20);
  const f3 = bits(insn, 14, 12);
  const f7 = insn >>> 25;
  const immI = insn >> 20;
  let op = Op.Illegal;
  let imm = 0;

  switch (insn & 0x7f) {
    case 0x37: op = Op.Lui; imm = insn & 0xfffff000; break;
    case 0x17: op = Op.Auipc; imm = insn & 0xfffff000; break;
    case 0x6f:
      op = Op.Jal;
      imm = sext((bits(insn, 31, 31) << 20) | (bits(insn, 19, 12) << 12) | (bits(insn, 20, 20) << 11) |
        (bits(insn, 30, 21) << 1), 21);
      break;
    case 0x67: if (f3 === 0) { op = Op.Jalr; imm = immI; } break;
    case 0x63:
      op = BRANCHES[f3]!;
      imm = sext((bits(insn, 31, 31) << 12) | (bits(insn, 7, 7) << 11) | (bits(insn, 30, 25) << 5) |
        (bits(insn, 11, 8) << 1), 13);
      break;
    case 0x03: op = LOADS[f3]!; imm = immI; break;
    case 0x23:
      if (f3 < 4) { op = STORES[f3]!; imm = ((insn >> 25) << 5) | rd; }
      break;
    case 0x13: {
      imm = immI;
      const f6 = insn >>> 26;
      switch (f3) {
        case 0: op = rs1 === 0 ? Op.Li : imm === 0 ? Op.Mv : Op.Addi; break;
        case 1: if (f6 === 0) { op = Op.Slli; imm = bits(insn, 25, 20); } break;
        case 2: op = Op.Slti; break;
        case 3: op = Op.Sltiu; break;
        case 4: op = Op.Xori; break;
        case 5:
          if (f6 === 0) op = Op.Srli; else if (f6 === 0x10) op = Op.Srai;
          imm = bits(insn, 25, 20);
          break;
        case 6: op = Op.Ori; break;
        case 7: op = Op.Andi; break;
      }
      break;
    }
    case 0x1b:
      if (f3 === 0) { op = Op.Addiw; imm = immI; }
      else if (f3 === 1 && f7 === 0) { op = Op.Slliw; imm = rs2; }
      else if (f3 === 5 && f7 === 0) { op = Op.Srliw; imm = rs2; }
      else if (f3 === 5 && f7 === 0x20) { op = Op.Sraiw; imm = rs2; }
      break;
    case 0x33:
      if (f7 === 0 && f3 === 0 && rs1 === 0) { // add rd, x0, rs (c.mv): a move
        out.word = pack(Op.Mv, rd, rs2, 0, halfwords);
        out.imm = 0;
        return;
      }
      if (f7 === 0) op = OP_BASE[f3]!;
      else if (f7 === 1) op = OP_MUL[f3]!;
      else if (f7 === 0x20 && f3 === 0) op = Op.Sub;
      else if (f7 === 0x20 && f3 === 5) op = Op.Sra;
      break;
    case 0x3b:
      if (f7 === 0) op = f3 === 0 ? Op.Addw : f3 === 1 ? Op.Sllw : f3 === 5 ? Op.Srlw : Op.Illegal;
      else if (f7 === 0x20) op = f3 === 0 ? Op.Subw : f3 === 5 ? Op.Sraw : Op.Illegal;
      else if (f7 === 1) op = OP32_MUL[f3]!;
      break;
    case 0x0f:
      if (f3 === 0) op = Op.Fence; else if (f3 === 1) op = Op.FenceI;
      break;
    case 0x73:
      if (f3 === 0) {
        if (insn === 0x00000073) op = Op.Ecall;
        else if (insn === 0x00100073) op = Op.Ebreak;
        else if (insn === 0x10200073) op = Op.Sret;
        else if (insn === 0x10500073) op = Op.Wfi;
        else if (f7 === 0x09 && rd === 0) op = Op.SfenceVma;
      } else {
        op = CSR_OPS[f3]!;
        imm = bits(insn, 31, 20);
      }
      break;
    case 0x2f: {
      const pair = AMOS.get(insn >>> 27);
      if (pair && (f3 === 2 || f3 === 3) && !(pair[0] === Op.LrW && rs2 !== 0)) op = pair[f3 - 2]!;
      break;
    }
  }
  if (op === Op.Illegal) {
    out.word = pack(Op.Illegal, 0, 0, 0, halfwords);
    out.imm = raw;
    return;
  }
  out.word = pack(op, rd, rs1, rs2, halfwords);
  out.imm = imm;
}

/** Returns the 32-bit expansion of a compressed instruction, or -1 if it is illegal/reserved. */
export function expandCompressed(c: number): number {
  const rdp = bits(c, 4, 2) + 8; // rd' / rs2'
  const rs1p = bits(c, 9, 7) + 8;
  const rd = bits(c, 11, 7);
  const rs2 = bits(c, 6, 2);
  const f3 = bits(c, 15, 13);
  const imm6 = sext((bits(c, 12, 12) << 5) | bits(c, 6, 2), 6);
  switch (c & 3) {
    case 0:
      switch (f3) {
        case 0: {
          const nzuimm = (bits(c, 10, 7) << 6) | (bits(c, 12, 11) << 4) | (bits(c, 5, 5) << 3) | (bits(c, 6, 6) << 2);
          return nzuimm === 0 ? -1 : iType(0x13, rdp, 0, 2, nzuimm);
        }
        case 2: return iType(0x03, rdp, 2, rs1p, (bits(c, 5, 5) << 6) | (bits(c, 12, 10) << 3) | (bits(c, 6, 6) << 2));
        case 3: return iType(0x03, rdp, 3, rs1p, (bits(c, 6, 5) << 6) | (bits(c, 12, 10) << 3));
        case 6: return sType(2, rs1p, rdp, (bits(c, 5, 5) << 6) | (bits(c, 12, 10) << 3) | (bits(c, 6, 6) << 2));
        case 7: return sType(3, rs1p, rdp, (bits(c, 6, 5) << 6) | (bits(c, 12, 10) << 3));
        default: return -1;
      }
    case 1:
      switch (f3) {
        case 0: return iType(0x13, rd, 0, rd, imm6);
        case 1: return rd === 0 ? -1 : iType(0x1b, rd, 0, rd, imm6);
        case 2: return iType(0x13, rd, 0, 0, imm6);
        case 3:
          if (rd === 2) {
            const nz = sext((bits(c, 12, 12) << 9) | (bits(c, 4, 3) << 7) | (bits(c, 5, 5) << 6) |
              (bits(c, 2, 2) << 5) | (bits(c, 6, 6) << 4), 10);
            return nz === 0 ? -1 : iType(0x13, 2, 0, 2, nz);
          }
          return imm6 === 0 ? -1 : ((imm6 << 12) | (rd << 7) | 0x37);
        case 4: {
          const shamt = (bits(c, 12, 12) << 5) | rs2;
          switch (bits(c, 11, 10)) {
            case 0: return iType(0x13, rs1p, 5, rs1p, shamt);
            case 1: return iType(0x13, rs1p, 5, rs1p, shamt | 0x400);
            case 2: return iType(0x13, rs1p, 7, rs1p, imm6);
            default: {
              const f = bits(c, 6, 5);
              if (bits(c, 12, 12) === 0) {
                const [f3r, f7r] = [[0, 0x20], [4, 0], [6, 0], [7, 0]][f]!;
                return rType(0x33, rs1p, f3r!, rs1p, rdp, f7r!);
              }
              if (f === 0) return rType(0x3b, rs1p, 0, rs1p, rdp, 0x20);
              if (f === 1) return rType(0x3b, rs1p, 0, rs1p, rdp, 0);
              return -1;
            }
          }
        }
        case 5: return jType(0, cjOffset(c));
        case 6: return bType(0, rs1p, 0, cbOffset(c));
        default: return bType(1, rs1p, 0, cbOffset(c));
      }
    case 2:
      switch (f3) {
        case 0: return iType(0x13, rd, 1, rd, (bits(c, 12, 12) << 5) | rs2);
        case 2:
          return rd === 0 ? -1 : iType(0x03, rd, 2, 2, (bits(c, 3, 2) << 6) | (bits(c, 12, 12) << 5) | (bits(c, 6, 4) << 2));
        case 3:
          return rd === 0 ? -1 : iType(0x03, rd, 3, 2, (bits(c, 4, 2) << 6) | (bits(c, 12, 12) << 5) | (bits(c, 6, 5) << 3));
        case 4:
          if (bits(c, 12, 12) === 0) {
            if (rs2 === 0) return rd === 0 ? -1 : iType(0x67, 0, 0, rd, 0);
            return rType(0x33, rd, 0, 0, rs2, 0);
          }
          if (rs2 === 0) return rd === 0 ? 0x00100073 : iType(0x67, 1, 0, rd, 0);
          return rType(0x33, rd, 0, rd, rs2, 0);
        case 6: return sType(2, 2, rs2, (bits(c, 8, 7) << 6) | (bits(c, 12, 9) << 2));
        case 7: return sType(3, 2, rs2, (bits(c, 9, 7) << 6) | (bits(c, 12, 10) << 3));
        default: return -1;
      }
    default:
      return -1;
  }
}

function iType(opcode: number, rd: number, f3: number, rs1: number, imm: number): number {
  return ((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode;
}

function sType(f3: number, rs1: number, rs2: number, imm: number): number {
  return (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) | 0x23;
}

function rType(opcode: number, rd: number, f3: number, rs1: number, rs2: number, f7: number): number {
  return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode;
}

function bType(f3: number, rs1: number, rs2: number, imm: number): number {
  return (((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63;
}

function jType(rd: number, imm: number): number {
  return (((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) |
    (((imm >> 12) & 0xff) << 12) | (rd << 7) | 0x6f;
}

function cjOffset(c: number): number {
  return sext((bits(c, 12, 12) << 11) | (bits(c, 8, 8) << 10) | (bits(c, 10, 9) << 8) | (bits(c, 6, 6) << 7) |
    (bits(c, 7, 7) << 6) | (bits(c, 2, 2) << 5) | (bits(c, 11, 11) << 4) | (bits(c, 5, 3) << 1), 12);
}

function cbOffset(c: number): number {
  return sext((bits(c, 12, 12) << 8) | (bits(c, 6, 5) << 6) | (bits(c, 2, 2) << 5) | (bits(c, 11, 10) << 3) |
    (bits(c, 4, 3) << 1), 9);
}

/** Decodes the instruction whose first halfword is `lo16` and (for 32-bit instructions) second is `hi16`. */
export function decodeInstruction(lo16: number, hi16: number, out: Decoded): void {
  if ((lo16 & 3) !== 3) {
    const expanded = expandCompressed(lo16);
    if (expanded === -1) {
      out.word = pack(Op.Illegal, 0, 0, 0, 1);
      out.imm = lo16;
      return;
    }
    decode32(expanded, 1, lo16, out);
    return;
  }
  const insn = (lo16 | (hi16 << 16)) | 0;
  decode32(insn, 2, insn, out);
}
