// The part of the WebAssembly JavaScript API the translator uses. core/ compiles against ES2022 without
// DOM typings, which is where TypeScript keeps these; Node and browser workers both provide them.
declare namespace WebAssembly {
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
  }
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Table {
    constructor(descriptor: { element: 'anyfunc'; initial: number; maximum?: number });
    readonly length: number;
    grow(delta: number): number;
    set(index: number, value: unknown): void;
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}
