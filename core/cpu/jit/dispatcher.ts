import { HartBlock } from './machine-memory.ts';
import { JitExit, type MemoryLayout } from './page-compiler.ts';
import { TLB_SIZE } from '../mmu.ts';
import { compiledModules } from './module-cache.ts';
import { W, WasmWriter } from './wasm-writer.ts';

/** Where the dispatcher finds a page's function: Ram.pageFunctions, besides the page compiler's layout. */
export interface DispatchLayout extends MemoryLayout {
  readonly pageFunctionsOffset: number;
}

/**
 * The one way into translated code: a table of every page function, and a small WebAssembly function
 * `enter(hart, index, slot, pageVa, limit) -> executed` that calls the function at `index` and, while it
 * ends by jumping to another page (JitExit.Jump), looks the target up in the hart's fetch TLB and
 * Ram.pageFunctions and calls that page's function too, as long as the budget lasts. Control flow between
 * translated pages (calls and returns across pages) so stays in WebAssembly, and the host calls one
 * function, whose call site V8 can keep fast, instead of a different one per page.
 *
 * Chaining skips nothing the run loop would check: the hart's state, interrupts and the slice's end
 * change only through instructions handed to the interpreter, and those end the chain (JitExit.Moved).
 */
export class Dispatcher {
  readonly table: WebAssembly.Table;
  readonly enter: (hart: number, index: number, slot: number, pageVa: number, limit: number) => number;
  private readonly free: number[] = [];
  private next = 1; // 0 means "no function" in Ram.pageFunctions

  constructor(memory: WebAssembly.Memory, layout: DispatchLayout) {
    this.table = new WebAssembly.Table({ element: 'anyfunc', initial: 64 });
    const module = compiledModules.compile(dispatcherBytes(layout, memory.buffer.byteLength / 65536));
    const instance = new WebAssembly.Instance(module, { e: { m: memory, t: this.table } });
    this.enter = instance.exports.enter as Dispatcher['enter'];
  }

  /** Puts a page function into the table; returns its index. */
  add(fn: unknown): number {
    const index = this.free.pop() ?? this.next++;
    if (index >= this.table.length) this.table.grow(Math.max(64, this.table.length));
    this.table.set(index, fn);
    return index;
  }

  /** The page function at `index` was dropped: its slot may be reused. */
  release(index: number): void {
    this.table.set(index, null);
    this.free.push(index);
  }
}

const HART = 0, INDEX = 1, SLOT = 2, PAGE_VA = 3, LIMIT = 4;
const N = 5, VLO = 6, VHI = 7, ENTRY = 8, BASE = 9, PC = 10;

function dispatcherBytes(layout: DispatchLayout, memoryPages: number): Uint8Array<ArrayBuffer> {
  const w = new WasmWriter();
  w.u32(2).u32(5).byte(W.i32).u32(1).byte(W.i64);
  w.op(W.loop).byte(W.void);
  w.get(HART).get(INDEX).mem(W.i32Store, 2, HartBlock.runningFunction);
  w.get(HART).get(N).mem(W.i32Store, 2, HartBlock.chainRetired);
  w.get(HART).get(PAGE_VA).mem(W.f64Store, 3, HartBlock.runningPageVa);
  w.get(HART).get(SLOT).get(PAGE_VA).get(LIMIT).get(N).op(W.i32Sub).get(INDEX);
  w.op(W.callIndirect).u32(0).u32(0);
  w.get(N).op(W.i32Add).set(N);
  const leaveUnless = () => { w.op(W.if).byte(W.void).get(N).op(W.return).op(W.end); };
  w.get(HART).mem(W.i32Load, 2, HartBlock.exitStatus).i32Const(JitExit.Jump).op(W.i32Ne);
  w.get(N).get(LIMIT).op(W.i32GeS).op(W.i32Or);
  leaveUnless();
  // The target's page in the fetch TLB (the run loop's lookup, mmu.ts tlbIndex)
  w.get(HART).mem(W.f64Load, 3, HartBlock.exitPc).op(W.i64TruncF64s).tee(PC).op(W.i32WrapI64).set(VLO);
  w.get(PC).i64Const(32).op(W.i64ShrS).op(W.i32WrapI64).set(VHI);
  w.get(HART).get(VLO).i32Const(12).op(W.i32ShrU).get(VLO).i32Const(21).op(W.i32ShrU).op(W.i32Xor)
    .i32Const(TLB_SIZE - 1).op(W.i32And).i32Const(2).op(W.i32Shl).op(W.i32Add).set(ENTRY);
  w.get(ENTRY).mem(W.i32Load, 2, HartBlock.fetchTagLo).get(VLO).i32Const(12).op(W.i32ShrU).get(VHI).i32Const(20).op(W.i32Shl).op(W.i32Or).op(W.i32Ne);
  w.get(ENTRY).mem(W.i32Load, 2, HartBlock.fetchTagHi).get(VHI).i32Const(12).op(W.i32ShrS).op(W.i32Ne).op(W.i32Or);
  w.get(ENTRY).mem(W.i32Load, 2, HartBlock.fetchBase).tee(BASE).i32Const(0).op(W.i32LtS).op(W.i32Or);
  leaveUnless();
  w.get(BASE).i32Const(12).op(W.i32ShrU).i32Const(2).op(W.i32Shl).mem(W.i32Load, 2, layout.pageFunctionsOffset).tee(INDEX).op(W.i32Eqz);
  leaveUnless();
  w.get(VLO).i32Const(0xfff).op(W.i32And).i32Const(1).op(W.i32ShrU).set(SLOT);
  w.get(PC).get(VLO).i32Const(0xfff).op(W.i32And).op(W.i64ExtendI32u).op(W.i64Sub).op(W.f64ConvertI64s).set(PAGE_VA);
  w.br(0);
  w.op(W.end);
  w.op(W.unreachable);
  w.op(W.end);

  const out = new WasmWriter();
  out.byte(0).byte(0x61).byte(0x73).byte(0x6d).byte(1).byte(0).byte(0).byte(0);
  const types = new WasmWriter().u32(2);
  types.byte(W.func).u32(4).byte(W.i32).byte(W.i32).byte(W.f64).byte(W.i32).u32(1).byte(W.i32); // a page function
  types.byte(W.func).u32(5).byte(W.i32).byte(W.i32).byte(W.i32).byte(W.f64).byte(W.i32).u32(1).byte(W.i32);
  out.byte(1).sized(types);
  const imports = new WasmWriter().u32(2);
  imports.name('e').name('m').byte(2).byte(1).u32(memoryPages).u32(memoryPages);
  imports.name('e').name('t').byte(1).byte(W.funcref).byte(0).u32(0);
  out.byte(2).sized(imports);
  out.byte(3).sized(new WasmWriter().u32(1).u32(1));
  out.byte(7).sized(new WasmWriter().u32(1).name('enter').byte(0).u32(0));
  out.byte(10).sized(new WasmWriter().u32(1).sized(w));
  return out.toBytes();
}
