import { CodeCache } from '../../core/cpu/code-cache.ts';
import type { GuestMemoryMap, HartExits } from '../../core/cpu/environment.ts';
import { Hart } from '../../core/cpu/hart.ts';
import { Ram } from '../../core/cpu/ram.ts';

export const RAM_BASE = 0x8000_0000;

/**
 * A single hart on 1 MiB of RAM at 0x80000000 with recording exits, for instruction-level tests.
 * Device accesses hit a tiny fake device at 0x10000000 (reads return 0x11223344, writes are recorded).
 */
export class HartHarness implements HartExits, GuestMemoryMap {
  readonly ram = new Ram(RAM_BASE, 1 << 20);
  readonly code = new CodeCache(this.ram);
  readonly hart: Hart;
  readonly ecalls: number[] = [];
  readonly deviceWrites: { gpa: number; size: number; lo: number; hi: number }[] = [];
  ticks = 0;

  constructor() {
    this.hart = new Hart(0, this.ram, this.code, this, this);
  }

  ramPage(gpaPage: number): number {
    return this.ram.offsetOf(gpaPage);
  }

  mmioRead(hart: Hart, gpa: number, size: number): boolean {
    if (Math.floor(gpa / 4096) !== 0x10000) return false;
    hart.ioData[0] = size >= 4 ? 0x11223344 : size === 2 ? 0x3344 : 0x44;
    hart.ioData[1] = size === 8 ? 0x55667788 : 0;
    return true;
  }

  mmioWrite(_hart: Hart, gpa: number, size: number, lo: number, hi: number): boolean {
    if (Math.floor(gpa / 4096) !== 0x10000) return false;
    this.deviceWrites.push({ gpa, size, lo, hi });
    return true;
  }

  fetchFault(): boolean {
    return true;
  }

  ecall(hart: Hart): void {
    this.ecalls.push(hart.xlo[17]!);
  }

  time(): number {
    return this.ticks;
  }

  /** Writes 32-bit instruction words at `address` (default: RAM base). */
  program(words: number[], address = RAM_BASE): void {
    const bytes = new Uint8Array(words.length * 4);
    const view = new DataView(bytes.buffer);
    words.forEach((w, k) => view.setUint32(k * 4, w >>> 0, true));
    this.load(address, bytes);
  }

  /** Writes raw bytes/halfwords at `address`. */
  bytes(address: number, data: number[]): void {
    this.load(address, Uint8Array.from(data));
  }

  private load(address: number, data: Uint8Array): void {
    this.ram.load(address, data);
    this.code.invalidateRange(address - RAM_BASE, data.length);
  }

  setReg(r: number, value: bigint): void {
    this.hart.xlo[r] = Number(BigInt.asIntN(32, value));
    this.hart.xhi[r] = Number(BigInt.asIntN(32, value >> 32n));
  }

  reg(r: number): bigint {
    return BigInt.asUintN(64, (BigInt(this.hart.xhi[r]!) << 32n) | BigInt(this.hart.xlo[r]! >>> 0));
  }

  /** Starts the hart at `pc` in S-mode (registers cleared) and runs `n` instructions. */
  start(pc = RAM_BASE): void {
    this.hart.start(pc, 0, 0);
  }

  run(n: number): number {
    return this.hart.run(n);
  }

  csr(name: 'sepc' | 'scause' | 'stval'): bigint {
    const pair = this.hart[name];
    return BigInt.asUintN(64, (BigInt(pair[1]!) << 32n) | BigInt(pair[0]! >>> 0));
  }
}

/** A deterministic pseudo-random generator (xorshift64*) so property tests are reproducible. */
export class Random {
  private state: bigint;
  constructor(seed: number) {
    this.state = BigInt(seed) | 1n;
  }
  next64(): bigint {
    let x = this.state;
    x ^= x >> 12n; x ^= BigInt.asUintN(64, x << 25n); x ^= x >> 27n;
    this.state = x;
    return BigInt.asUintN(64, x * 0x2545f4914f6cdd1dn);
  }
  below(n: number): number {
    return Number(this.next64() % BigInt(n));
  }
  /** Mostly interesting values: edges, small numbers, 32-bit boundaries, and plain random ones. */
  operand(): bigint {
    const edges = [0n, 1n, 2n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn,
      0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen, 0xffffffff80000000n, 63n, 64n, 31n, 32n];
    switch (this.below(4)) {
      case 0: return edges[this.below(edges.length)]!;
      case 1: return BigInt.asUintN(64, BigInt(this.below(2000) - 1000));
      case 2: return BigInt.asUintN(64, BigInt.asIntN(32, this.next64()));
      default: return this.next64();
    }
  }
}
