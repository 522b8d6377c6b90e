/**
 * A small builder for flattened device tree blobs (DTB format version 17, last compatible version 16),
 * the format Linux, OpenSBI and U-Boot take in `a1` at boot.
 *
 * Build a tree of FdtNode objects, then call writeFdt. Property values are big-endian as the format
 * requires; numbers must be non-negative integers (u32 cells below 2^32, u64 values below 2^53, the
 * largest integers a JavaScript number holds exactly).
 */

/** A node under construction. Properties and children keep their insertion order in the blob. */
export class FdtNode {
  readonly properties: { name: string; value: Uint8Array }[] = [];
  readonly children: FdtNode[] = [];

  /** `name` is the node name with its unit address, e.g. "serial@10000000"; "" for the root. */
  constructor(readonly name: string) {}

  /** Adds and returns a child node. */
  child(name: string): FdtNode {
    const node = new FdtNode(name);
    this.children.push(node);
    return node;
  }

  /** Raw property value. */
  bytes(name: string, value: Uint8Array): this {
    this.properties.push({ name, value: value.slice() });
    return this;
  }

  /** A property with no value, such as `interrupt-controller` or `ranges` (identity mapping). */
  empty(name: string): this {
    return this.bytes(name, new Uint8Array(0));
  }

  /** One or more 32-bit cells. */
  u32(name: string, ...cells: number[]): this {
    const value = new Uint8Array(cells.length * 4);
    const view = new DataView(value.buffer);
    cells.forEach((cell, index) => view.setUint32(index * 4, checkU32(name, cell)));
    return this.bytes(name, value);
  }

  /** One or more 64-bit values, each as two cells (high word first). */
  u64(name: string, ...values: number[]): this {
    return this.u32(name, ...values.flatMap((value) => u64Cells(name, value)));
  }

  /** A NUL-terminated string. */
  string(name: string, value: string): this {
    return this.strings(name, value);
  }

  /** A string list: NUL-terminated strings one after another (e.g. `compatible`). */
  strings(name: string, ...values: string[]): this {
    return this.bytes(name, encodeStrings(values));
  }

  /** Sets this node's `phandle` property, by which other nodes refer to it. */
  phandle(value: number): this {
    return this.u32('phandle', value);
  }
}

/** Splits a u64 value into two 32-bit cells, high first: for mixed-width cell lists (reg, ranges). */
export function u64Cells(what: string, value: number): [number, number] {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`FDT: ${what}: ${value} is not a 64-bit value representable exactly`);
  }
  return [Math.floor(value / 2 ** 32), value >>> 0];
}

/** A memory reservation entry: a physical range the OS must not use. */
export interface FdtReservation {
  address: number;
  size: number;
}

export interface FdtWriteOptions {
  reservations?: FdtReservation[];
  /** Physical id of the boot CPU (header field boot_cpuid_phys). */
  bootCpuId?: number;
}

/** Hands out phandles 1, 2, 3, ... for one tree. */
export class PhandleAllocator {
  private next = 1;
  allocate(): number {
    return this.next++;
  }
}

/** Serializes `root` (whose name must be "") into a DTB. Property names are stored once in the strings block. */
export function writeFdt(root: FdtNode, options: FdtWriteOptions = {}): Uint8Array {
  if (root.name !== '') throw new Error(`FDT: the root node must have an empty name, got "${root.name}"`);

  const strings = new StringsBlock();
  const struct = new ByteSink();
  emitNode(root, struct, strings);
  struct.u32(FDT_END);

  const reservations = options.reservations ?? [];
  const reserveMap = new ByteSink();
  for (const entry of [...reservations, { address: 0, size: 0 }]) {
    reserveMap.u32(...u64Cells('reservation address', entry.address));
    reserveMap.u32(...u64Cells('reservation size', entry.size));
  }

  const offMemRsvmap = align(HEADER_SIZE, 8);
  const offDtStruct = offMemRsvmap + reserveMap.length;
  const offDtStrings = offDtStruct + struct.length;
  const stringsBytes = strings.bytes();
  const totalSize = offDtStrings + stringsBytes.length;

  const blob = new Uint8Array(totalSize);
  const view = new DataView(blob.buffer);
  const header = [
    FDT_MAGIC,
    totalSize,
    offDtStruct,
    offDtStrings,
    offMemRsvmap,
    FDT_VERSION,
    FDT_LAST_COMPATIBLE_VERSION,
    checkU32('boot_cpuid_phys', options.bootCpuId ?? 0),
    stringsBytes.length,
    struct.length,
  ];
  header.forEach((field, index) => view.setUint32(index * 4, field));
  blob.set(reserveMap.bytes(), offMemRsvmap);
  blob.set(struct.bytes(), offDtStruct);
  blob.set(stringsBytes, offDtStrings);
  return blob;
}

function emitNode(node: FdtNode, struct: ByteSink, strings: StringsBlock): void {
  struct.u32(FDT_BEGIN_NODE);
  struct.append(encodeStrings([node.name]));
  struct.pad4();
  for (const property of node.properties) {
    struct.u32(FDT_PROP, property.value.length, strings.offsetOf(property.name));
    struct.append(property.value);
    struct.pad4();
  }
  for (const child of node.children) emitNode(child, struct, strings);
  struct.u32(FDT_END_NODE);
}

/** The strings block: each property name once, NUL-terminated. */
class StringsBlock {
  private readonly offsets = new Map<string, number>();
  private readonly sink = new ByteSink();

  offsetOf(name: string): number {
    let offset = this.offsets.get(name);
    if (offset === undefined) {
      offset = this.sink.length;
      this.offsets.set(name, offset);
      this.sink.append(encodeStrings([name]));
    }
    return offset;
  }

  bytes(): Uint8Array {
    return this.sink.bytes();
  }
}

/** A growable big-endian byte buffer. */
class ByteSink {
  private buffer = new Uint8Array(1024);
  length = 0;

  append(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  u32(...values: number[]): void {
    this.reserve(values.length * 4);
    const view = new DataView(this.buffer.buffer);
    for (const value of values) {
      view.setUint32(this.length, value);
      this.length += 4;
    }
  }

  pad4(): void {
    const padded = align(this.length, 4);
    this.reserve(padded - this.length);
    this.buffer.fill(0, this.length, padded);
    this.length = padded;
  }

  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}

function encodeStrings(values: string[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts = values.map((value) => {
    if (value.includes('\0')) throw new Error(`FDT: string ${JSON.stringify(value)} contains NUL`);
    return encoder.encode(value);
  });
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length + 1, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length + 1;
  }
  return out;
}

function checkU32(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`FDT: ${what}: ${value} is not a 32-bit cell value`);
  }
  return value;
}

function align(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}

export const FDT_MAGIC = 0xd00dfeed;
export const FDT_BEGIN_NODE = 1;
export const FDT_END_NODE = 2;
export const FDT_PROP = 3;
export const FDT_NOP = 4;
export const FDT_END = 9;
const FDT_VERSION = 17;
const FDT_LAST_COMPATIBLE_VERSION = 16;
const HEADER_SIZE = 40;
