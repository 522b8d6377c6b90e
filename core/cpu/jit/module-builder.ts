import { HELPER_OPS, helperBody } from './arith-helpers.ts';
import { CODE_CHECK_FUNCTION, codeCheckBody, type CompiledPage, type MemoryLayout, type StepResult } from './page-compiler.ts';
import { compiledModules } from './module-cache.ts';
import { W, WasmWriter } from './wasm-writer.ts';

const PAGE_TYPE = 0, HELPER_TYPE = 1, STEP_TYPE = 2;

/** The step import (page-compiler.ts STEP_FUNCTION): executes the instruction at a slot for translated code. */
export type StepImport = (slot: number, retiredBefore: number) => StepResult | number;

/** The TLB probe imports (page-compiler.ts PROBE_READ_FUNCTION, PROBE_WRITE_FUNCTION). */
export type ProbeImport = (addressLow: number, addressHigh: number) => number;

/**
 * Assembles many page functions into one module (as v86 batches its blocks: one compile and one
 * instantiation for every page that turned hot together) and instantiates it on the shared memory.
 */
export function instantiatePages(pages: readonly CompiledPage[], layout: MemoryLayout, memory: WebAssembly.Memory, step: StepImport,
  probes: { read: ProbeImport; write: ProbeImport }): unknown[] {
  const bytes = moduleBytes(pages, layout, memory.buffer.byteLength / 65536);
  const module = compiledModules.compile(bytes);
  const instance = new WebAssembly.Instance(module, { e: { m: memory, s: step, r: probes.read, w: probes.write } });
  return pages.map((_, i) => instance.exports[`p${i}`]);
}

export function moduleBytes(pages: readonly CompiledPage[], layout: MemoryLayout, memoryPages: number): Uint8Array<ArrayBuffer> {
  const out = new WasmWriter();
  out.byte(0).byte(0x61).byte(0x73).byte(0x6d).byte(1).byte(0).byte(0).byte(0);

  const types = new WasmWriter().u32(3);
  types.byte(W.func).u32(4).byte(W.i32).byte(W.i32).byte(W.f64).byte(W.i32).u32(1).byte(W.i32);
  types.byte(W.func).u32(2).byte(W.i64).byte(W.i64).u32(1).byte(W.i64);
  types.byte(W.func).u32(2).byte(W.i32).byte(W.i32).u32(1).byte(W.i32);
  section(out, 1, types);

  const imports = new WasmWriter().u32(4);
  imports.name('e').name('s').byte(0).u32(STEP_TYPE);
  imports.name('e').name('r').byte(0).u32(STEP_TYPE); // the probes: (i32, i32) -> i32 as well
  imports.name('e').name('w').byte(0).u32(STEP_TYPE);
  imports.name('e').name('m').byte(2).byte(1).u32(memoryPages).u32(memoryPages);
  section(out, 2, imports);

  const functions = new WasmWriter().u32(HELPER_OPS.length + 1 + pages.length);
  for (let i = 0; i < HELPER_OPS.length; i++) functions.u32(HELPER_TYPE);
  functions.u32(STEP_TYPE); // the code check has the step's signature
  for (let i = 0; i < pages.length; i++) functions.u32(PAGE_TYPE);
  section(out, 3, functions);

  const exports = new WasmWriter().u32(pages.length);
  for (let i = 0; i < pages.length; i++) exports.name(`p${i}`).byte(0).u32(CODE_CHECK_FUNCTION + 1 + i);
  section(out, 7, exports);

  const code = new WasmWriter().u32(HELPER_OPS.length + 1 + pages.length);
  for (const op of HELPER_OPS) code.sized(helperBody(op));
  code.sized(codeCheckBody(layout));
  for (const page of pages) code.sized(page.body);
  section(out, 10, code);
  return out.toBytes();
}

function section(out: WasmWriter, id: number, content: WasmWriter): void {
  out.byte(id).sized(content);
}
