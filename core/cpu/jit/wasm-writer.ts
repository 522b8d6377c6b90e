/**
 * A growable byte buffer with the WebAssembly binary encodings the translator needs (LEB128 numbers,
 * opcodes as named constants). Nothing here knows about RISC-V.
 */
export class WasmWriter {
  private bytes = new Uint8Array(4096);
  length = 0;

  byte(b: number): this {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = b;
    return this;
  }

  u32(v: number): this {
    v >>>= 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
    return this;
  }

  /** Signed LEB128 of a 32-bit integer. */
  s32(v: number): this {
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  /** Signed LEB128 of a 64-bit integer. */
  s64(v: bigint): this {
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) return this.byte(b);
      this.byte(b | 0x80);
    }
  }

  append(other: WasmWriter): this {
    if (this.length + other.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + other.length));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(other.bytes.subarray(0, other.length), this.length);
    this.length += other.length;
    return this;
  }

  /** A section or body: its size, then its bytes. */
  sized(other: WasmWriter): this {
    this.u32(other.length);
    return this.append(other);
  }

  name(s: string): this {
    this.u32(s.length);
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
    return this;
  }

  // ---- instructions ----
  op(code: number): this { return this.byte(code); }
  i32Const(v: number): this { return this.byte(W.i32Const).s32(v); }
  i64Const(v: number | bigint): this {
    this.byte(W.i64Const);
    return typeof v === 'bigint' ? this.s64(v) : Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff ? this.s32(v) : this.s64(BigInt(v));
  }
  get(local: number): this { return this.byte(W.localGet).u32(local); }
  set(local: number): this { return this.byte(W.localSet).u32(local); }
  tee(local: number): this { return this.byte(W.localTee).u32(local); }
  br(depth: number): this { return this.byte(W.br).u32(depth); }
  brIf(depth: number): this { return this.byte(W.brIf).u32(depth); }
  call(fn: number): this { return this.byte(W.call).u32(fn); }
  /** A load or store with its alignment hint (log2) and constant offset. */
  mem(code: number, align: number, offset: number): this { return this.byte(code).u32(align).u32(offset); }

  toBytes(): Uint8Array<ArrayBuffer> {
    return this.bytes.slice(0, this.length);
  }
}

/** Opcodes and type codes (WebAssembly 1.0 core). */
export const enum W {
  i32 = 0x7f, i64 = 0x7e, f64 = 0x7c, void = 0x40, func = 0x60, funcref = 0x70,
  unreachable = 0x00, block = 0x02, loop = 0x03, if = 0x04, else = 0x05, end = 0x0b,
  br = 0x0c, brIf = 0x0d, brTable = 0x0e, return = 0x0f, call = 0x10, callIndirect = 0x11, drop = 0x1a, select = 0x1b,
  localGet = 0x20, localSet = 0x21, localTee = 0x22,
  i32Load = 0x28, i64Load = 0x29, f64Load = 0x2b, i32Load8u = 0x2d,
  i64Load8s = 0x30, i64Load8u = 0x31, i64Load16s = 0x32, i64Load16u = 0x33, i64Load32s = 0x34, i64Load32u = 0x35,
  i32Store = 0x36, i64Store = 0x37, f64Store = 0x39, i64Store8 = 0x3c, i64Store16 = 0x3d, i64Store32 = 0x3e,
  i32Const = 0x41, i64Const = 0x42,
  i32Eqz = 0x45, i32Eq = 0x46, i32Ne = 0x47, i32LtS = 0x48, i32LtU = 0x49, i32GtS = 0x4a, i32GtU = 0x4b, i32LeU = 0x4d, i32GeS = 0x4e, i32GeU = 0x4f,
  i64Eqz = 0x50, i64Eq = 0x51, i64Ne = 0x52, i64LtS = 0x53, i64LtU = 0x54, i64GtS = 0x55, i64GtU = 0x56,
  i64LeS = 0x57, i64LeU = 0x58, i64GeS = 0x59, i64GeU = 0x5a,
  i32Add = 0x6a, i32Sub = 0x6b, i32Mul = 0x6c, i32DivS = 0x6d, i32DivU = 0x6e, i32RemS = 0x6f, i32RemU = 0x70,
  i32And = 0x71, i32Or = 0x72, i32Xor = 0x73, i32Shl = 0x74, i32ShrS = 0x75, i32ShrU = 0x76,
  i64Add = 0x7c, i64Sub = 0x7d, i64Mul = 0x7e, i64DivS = 0x7f, i64DivU = 0x80, i64RemS = 0x81, i64RemU = 0x82,
  i64And = 0x83, i64Or = 0x84, i64Xor = 0x85, i64Shl = 0x86, i64ShrS = 0x87, i64ShrU = 0x88,
  i32WrapI64 = 0xa7, i64ExtendI32s = 0xac, i64ExtendI32u = 0xad, i64TruncF64s = 0xb0, f64ConvertI64s = 0xb9,
}
