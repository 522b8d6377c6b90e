import { Op } from '../opcodes.ts';
import { W, WasmWriter } from './wasm-writer.ts';

/**
 * The M-extension operations WebAssembly has no single instruction for (high products; divisions, whose
 * RISC-V results for zero and overflow differ from WebAssembly's traps), as small (i64, i64) -> i64
 * functions at the start of every translation module.
 */
export const HELPER_OPS = [
  Op.Mulhu, Op.Mulh, Op.Mulhsu, Op.Div, Op.Divu, Op.Rem, Op.Remu, Op.Divw, Op.Divuw, Op.Remw, Op.Remuw,
] as const;

/** Function index of the first helper (after the imported functions: the step and the two TLB probes). */
export const FIRST_HELPER = 3;

/** Function index of the helper for `op`, or -1. */
export function helperIndex(op: Op): number {
  const k = (HELPER_OPS as readonly Op[]).indexOf(op);
  return k < 0 ? -1 : FIRST_HELPER + k;
}

const A = 0, B = 1;

/** The body (locals and code) of the helper for `op`. */
export function helperBody(op: Op): WasmWriter {
  const w = new WasmWriter();
  const mulhu = helperIndex(Op.Mulhu);
  switch (op) {
    case Op.Mulhu:
      // Four 32x32 partial products; each sum below stays within 64 bits.
      // locals: 2 t, 3 m1, 4 m2
      w.u32(1).u32(3).byte(W.i64);
      w.get(A).i64Const(0xffffffffn).op(W.i64And).get(B).i64Const(0xffffffffn).op(W.i64And).op(W.i64Mul).set(2);
      w.get(A).i64Const(32).op(W.i64ShrU).get(B).i64Const(0xffffffffn).op(W.i64And).op(W.i64Mul)
        .get(2).i64Const(32).op(W.i64ShrU).op(W.i64Add).set(3);
      w.get(A).i64Const(0xffffffffn).op(W.i64And).get(B).i64Const(32).op(W.i64ShrU).op(W.i64Mul)
        .get(3).i64Const(0xffffffffn).op(W.i64And).op(W.i64Add).set(4);
      w.get(A).i64Const(32).op(W.i64ShrU).get(B).i64Const(32).op(W.i64ShrU).op(W.i64Mul)
        .get(3).i64Const(32).op(W.i64ShrU).op(W.i64Add)
        .get(4).i64Const(32).op(W.i64ShrU).op(W.i64Add);
      break;
    case Op.Mulh: // mulhu(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)
      w.u32(0);
      w.get(A).get(B).call(mulhu)
        .get(A).i64Const(63).op(W.i64ShrS).get(B).op(W.i64And).op(W.i64Sub)
        .get(B).i64Const(63).op(W.i64ShrS).get(A).op(W.i64And).op(W.i64Sub);
      break;
    case Op.Mulhsu:
      w.u32(0);
      w.get(A).get(B).call(mulhu).get(A).i64Const(63).op(W.i64ShrS).get(B).op(W.i64And).op(W.i64Sub);
      break;
    case Op.Div: // b = 0: -1; MIN / -1: MIN (WebAssembly traps on both)
      w.u32(0);
      w.get(B).op(W.i64Eqz).op(W.if).byte(W.i64).i64Const(-1)
        .op(W.else).get(B).i64Const(-1).op(W.i64Eq).op(W.if).byte(W.i64).i64Const(0).get(A).op(W.i64Sub)
        .op(W.else).get(A).get(B).op(W.i64DivS).op(W.end).op(W.end);
      break;
    case Op.Rem: // b = 0: a; b = -1: 0
      w.u32(0);
      w.get(B).op(W.i64Eqz).op(W.if).byte(W.i64).get(A)
        .op(W.else).get(B).i64Const(-1).op(W.i64Eq).op(W.if).byte(W.i64).i64Const(0)
        .op(W.else).get(A).get(B).op(W.i64RemS).op(W.end).op(W.end);
      break;
    case Op.Divu:
      w.u32(0);
      w.get(B).op(W.i64Eqz).op(W.if).byte(W.i64).i64Const(-1).op(W.else).get(A).get(B).op(W.i64DivU).op(W.end);
      break;
    case Op.Remu:
      w.u32(0);
      w.get(B).op(W.i64Eqz).op(W.if).byte(W.i64).get(A).op(W.else).get(A).get(B).op(W.i64RemU).op(W.end);
      break;
    case Op.Divw: // on the low words, sign-extended
      w.u32(0);
      w.get(B).op(W.i32WrapI64).op(W.i32Eqz).op(W.if).byte(W.i64).i64Const(-1)
        .op(W.else).get(B).op(W.i32WrapI64).i32Const(-1).op(W.i32Eq).op(W.if).byte(W.i64)
        .i32Const(0).get(A).op(W.i32WrapI64).op(W.i32Sub).op(W.i64ExtendI32s)
        .op(W.else).get(A).op(W.i32WrapI64).get(B).op(W.i32WrapI64).op(W.i32DivS).op(W.i64ExtendI32s).op(W.end).op(W.end);
      break;
    case Op.Divuw:
      w.u32(0);
      w.get(B).op(W.i32WrapI64).op(W.i32Eqz).op(W.if).byte(W.i64).i64Const(-1)
        .op(W.else).get(A).op(W.i32WrapI64).get(B).op(W.i32WrapI64).op(W.i32DivU).op(W.i64ExtendI32s).op(W.end);
      break;
    case Op.Remw:
      w.u32(0);
      w.get(B).op(W.i32WrapI64).op(W.i32Eqz).op(W.if).byte(W.i64).get(A).op(W.i32WrapI64).op(W.i64ExtendI32s)
        .op(W.else).get(B).op(W.i32WrapI64).i32Const(-1).op(W.i32Eq).op(W.if).byte(W.i64).i64Const(0)
        .op(W.else).get(A).op(W.i32WrapI64).get(B).op(W.i32WrapI64).op(W.i32RemS).op(W.i64ExtendI32s).op(W.end).op(W.end);
      break;
    case Op.Remuw:
      w.u32(0);
      w.get(B).op(W.i32WrapI64).op(W.i32Eqz).op(W.if).byte(W.i64).get(A).op(W.i32WrapI64).op(W.i64ExtendI32s)
        .op(W.else).get(A).op(W.i32WrapI64).get(B).op(W.i32WrapI64).op(W.i32RemU).op(W.i64ExtendI32s).op(W.end);
      break;
    default:
      throw new Error(`no helper for operation ${op}`);
  }
  w.op(W.end);
  return w;
}
