import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_MAGIC, FDT_NOP, FDT_PROP } from './fdt-writer.ts';
import type { FdtReservation } from './fdt-writer.ts';

/** A malformed device tree blob; the message names the field or token and its byte offset. */
export class FdtError extends Error {
  override name = 'FdtError';
}

/** A decoded device tree node with typed accessors for its properties. */
export class FdtTreeNode {
  readonly properties = new Map<string, Uint8Array>();
  readonly children: FdtTreeNode[] = [];

  constructor(readonly name: string) {}

  /** The child whose full name ("serial@10000000") or base name ("cpus", when unique) is `name`. */
  child(name: string): FdtTreeNode | undefined {
    const exact = this.children.find((child) => child.name === name);
    if (exact || name.includes('@')) return exact;
    return this.children.find((child) => child.name.split('@')[0] === name);
  }

  /** The node at an absolute path such as "/soc/serial@10000000", relative to this node. */
  find(path: string): FdtTreeNode | undefined {
    let node: FdtTreeNode | undefined = this;
    for (const part of path.split('/').filter((segment) => segment !== '')) {
      node = node.child(part);
      if (!node) return undefined;
    }
    return node;
  }

  has(name: string): boolean {
    return this.properties.has(name);
  }

  /** The property as big-endian 32-bit cells. */
  u32s(name: string): number[] {
    const value = this.required(name);
    if (value.length % 4 !== 0) throw new FdtError(`property ${name} of ${this.name || '/'} is not a cell list`);
    const view = new DataView(value.buffer, value.byteOffset, value.length);
    const cells: number[] = [];
    for (let offset = 0; offset < value.length; offset += 4) cells.push(view.getUint32(offset));
    return cells;
  }

  u32(name: string): number {
    const cells = this.u32s(name);
    if (cells.length !== 1) throw new FdtError(`property ${name} of ${this.name || '/'} has ${cells.length} cells, expected 1`);
    return cells[0]!;
  }

  /** The property as 64-bit values (pairs of cells); exact below 2^53. */
  u64s(name: string): number[] {
    const cells = this.u32s(name);
    if (cells.length % 2 !== 0) throw new FdtError(`property ${name} of ${this.name || '/'} has an odd cell count`);
    const values: number[] = [];
    for (let index = 0; index < cells.length; index += 2) values.push(cells[index]! * 2 ** 32 + cells[index + 1]!);
    return values;
  }

  u64(name: string): number {
    const values = this.u64s(name);
    if (values.length !== 1) throw new FdtError(`property ${name} of ${this.name || '/'} holds ${values.length} u64 values, expected 1`);
    return values[0]!;
  }

  /** The property as a string list (each entry NUL-terminated in the blob). */
  strings(name: string): string[] {
    const value = this.required(name);
    if (value.length === 0 || value[value.length - 1] !== 0) {
      throw new FdtError(`property ${name} of ${this.name || '/'} is not NUL-terminated`);
    }
    return new TextDecoder().decode(value.subarray(0, value.length - 1)).split('\0');
  }

  string(name: string): string {
    return this.strings(name)[0]!;
  }

  private required(name: string): Uint8Array {
    const value = this.properties.get(name);
    if (!value) throw new FdtError(`node ${this.name || '/'} has no property ${name}`);
    return value;
  }
}

export interface FdtDocument {
  root: FdtTreeNode;
  reservations: FdtReservation[];
  bootCpuId: number;
  version: number;
}

/** Decodes a DTB (version 16 or later); throws FdtError on anything malformed. */
export function readFdt(blob: Uint8Array): FdtDocument {
  if (blob.length < 40) throw new FdtError(`blob is ${blob.length} bytes, shorter than the 40-byte header`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.length);
  const magic = view.getUint32(0);
  if (magic !== FDT_MAGIC) throw new FdtError(`magic at byte 0 is 0x${magic.toString(16)}, expected 0xd00dfeed`);
  const totalSize = view.getUint32(4);
  const offStruct = view.getUint32(8);
  const offStrings = view.getUint32(12);
  const offRsvmap = view.getUint32(16);
  const version = view.getUint32(20);
  const lastCompatible = view.getUint32(24);
  const bootCpuId = view.getUint32(28);
  const sizeStrings = view.getUint32(32);
  const sizeStruct = view.getUint32(36);
  if (lastCompatible > 17 || version < 16) {
    throw new FdtError(`version ${version} (last compatible ${lastCompatible}) at byte 20 is not readable, expected 16 or 17`);
  }
  if (totalSize > blob.length) throw new FdtError(`totalsize at byte 4 is ${totalSize}, beyond the ${blob.length}-byte blob`);
  if (offStruct + sizeStruct > totalSize) throw new FdtError(`structure block (byte 8/36) extends beyond totalsize`);
  if (offStrings + sizeStrings > totalSize) throw new FdtError(`strings block (byte 12/32) extends beyond totalsize`);

  const reservations: FdtReservation[] = [];
  for (let offset = offRsvmap; ; offset += 16) {
    if (offset + 16 > totalSize) throw new FdtError(`memory reservation block at byte ${offRsvmap} is not terminated`);
    const address = view.getUint32(offset) * 2 ** 32 + view.getUint32(offset + 4);
    const size = view.getUint32(offset + 8) * 2 ** 32 + view.getUint32(offset + 12);
    if (address === 0 && size === 0) break;
    reservations.push({ address, size });
  }

  const decoder = new TextDecoder();
  const stringAt = (offset: number, at: number): string => {
    if (offset >= sizeStrings) throw new FdtError(`property name offset ${offset} at byte ${at} is outside the strings block`);
    const start = offStrings + offset;
    const end = blob.indexOf(0, start);
    if (end < 0 || end >= offStrings + sizeStrings) throw new FdtError(`property name at strings offset ${offset} is not terminated`);
    return decoder.decode(blob.subarray(start, end));
  };

  const end = offStruct + sizeStruct;
  let cursor = offStruct;
  const token = (): number => {
    if (cursor + 4 > end) throw new FdtError(`structure block ends at byte ${end} without FDT_END`);
    const value = view.getUint32(cursor);
    cursor += 4;
    return value;
  };

  const stack: FdtTreeNode[] = [];
  let root: FdtTreeNode | undefined;
  for (;;) {
    const at = cursor;
    const kind = token();
    if (kind === FDT_BEGIN_NODE) {
      const nameEnd = blob.indexOf(0, cursor);
      if (nameEnd < 0 || nameEnd >= end) throw new FdtError(`node name at byte ${cursor} is not terminated`);
      const node = new FdtTreeNode(decoder.decode(blob.subarray(cursor, nameEnd)));
      cursor = align4(nameEnd + 1);
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(node);
      else if (root) throw new FdtError(`second root node at byte ${at}`);
      else root = node;
      stack.push(node);
    } else if (kind === FDT_END_NODE) {
      if (!stack.pop()) throw new FdtError(`FDT_END_NODE at byte ${at} without an open node`);
    } else if (kind === FDT_PROP) {
      const node = stack[stack.length - 1];
      if (!node) throw new FdtError(`FDT_PROP at byte ${at} outside any node`);
      const length = token();
      const name = stringAt(token(), at);
      if (cursor + length > end) throw new FdtError(`property ${name} at byte ${at} extends beyond the structure block`);
      node.properties.set(name, blob.slice(cursor, cursor + length));
      cursor = align4(cursor + length);
    } else if (kind === FDT_NOP) {
      continue;
    } else if (kind === FDT_END) {
      break;
    } else {
      throw new FdtError(`unknown token 0x${kind.toString(16)} at byte ${at}`);
    }
  }
  if (!root) throw new FdtError('structure block has no root node');
  if (stack.length !== 0) throw new FdtError(`node ${stack[stack.length - 1]!.name} is not closed before FDT_END`);
  return { root, reservations, bootCpuId, version };
}

function align4(value: number): number {
  return (value + 3) & ~3;
}
