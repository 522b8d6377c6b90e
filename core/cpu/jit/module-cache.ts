/**
 * Compiled WebAssembly modules by their bytes, shared by the machines of one realm (a worker).
 *
 * A guest booted again (a lab's reset, a test's second run) translates its pages into the same bytes.
 * V8 then gets the module it compiled before, with the optimized code its functions tiered up to,
 * instead of compiling it again and running baseline code until the functions tier up anew (V8's own
 * cache lets go of a module with its last instance). A module depends on nothing but its bytes (the
 * memory and the step function are imports), so a hit is always right.
 */
export class ModuleCache {
  /** Oldest first (a hit moves an entry to the end). */
  private readonly entries = new Map<string, { bytes: Uint8Array; module: WebAssembly.Module }>();
  private size = 0;

  /** `capacity`: bytes of module code kept, beyond which the least recently used modules go. */
  constructor(private readonly capacity: number) {}

  compile(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module {
    const key = `${bytes.length}:${fnv1a(bytes)}`;
    const hit = this.entries.get(key);
    if (hit !== undefined && sameBytes(hit.bytes, bytes)) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.module;
    }
    const module = new WebAssembly.Module(bytes);
    if (hit !== undefined || bytes.length > this.capacity) return module; // a hash collision: not kept
    this.entries.set(key, { bytes, module });
    this.size += bytes.length;
    for (const [oldest, entry] of this.entries) {
      if (this.size <= this.capacity) break;
      this.entries.delete(oldest);
      this.size -= entry.bytes.length;
    }
    return module;
  }
}

/** The realm's cache: 8 MiB of module bytes (compiled code is a few times that). */
export const compiledModules = new ModuleCache(8 << 20);

function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
