import { describe, expect, it } from 'vitest';
import { ModuleCache } from '../../core/cpu/jit/module-cache.ts';

/** The smallest valid module, with one custom section of `n` bytes of `fill` to vary its bytes and size. */
function moduleBytes(n: number, fill: number): Uint8Array<ArrayBuffer> {
  const name = [1, 0x78]; // name "x"
  const size = name.length + n;
  const header = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0];
  const leb: number[] = [];
  for (let v = size; ; v >>>= 7) { if (v < 0x80) { leb.push(v); break; } leb.push((v & 0x7f) | 0x80); }
  return new Uint8Array([...header, ...leb, ...name, ...new Array<number>(n).fill(fill)]);
}

describe('compiled module cache', () => {
  it('gives the module compiled before for the same bytes, a new one for other bytes', () => {
    const cache = new ModuleCache(1 << 20);
    const a = cache.compile(moduleBytes(100, 1));
    expect(cache.compile(moduleBytes(100, 1))).toBe(a);
    expect(cache.compile(moduleBytes(100, 2))).not.toBe(a);
    expect(cache.compile(moduleBytes(101, 1))).not.toBe(a);
  });

  it('lets the least recently used modules go beyond its capacity', () => {
    const cache = new ModuleCache(350); // room for three modules of ~110 bytes
    const first = cache.compile(moduleBytes(100, 1));
    const second = cache.compile(moduleBytes(100, 2));
    cache.compile(moduleBytes(100, 3));
    expect(cache.compile(moduleBytes(100, 1))).toBe(first); // used again: now the most recent
    cache.compile(moduleBytes(100, 4)); // evicts the least recently used: the second
    expect(cache.compile(moduleBytes(100, 1))).toBe(first);
    expect(cache.compile(moduleBytes(100, 2))).not.toBe(second);
  });
});
