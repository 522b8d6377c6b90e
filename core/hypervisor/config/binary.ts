/**
 * Binary (.cell) reader and writer for Jailhouse configurations, revision 15, riscv64.
 * Layout: /work/shared/spec/jailhouse-abi.md. Everything packed, little-endian.
 *
 * Decisions:
 *  - Bytes after the last array ("trailing bytes") are accepted and preserved in `raw.trailing`
 *    (Jailhouse's driver and pyjailhouse read only jailhouse_cell_config_size() bytes and ignore
 *    the rest). `checkConfigs` reports them as a warning.
 *  - In a system file the root cell's signature/architecture/revision may each be zero (the
 *    reference C configs leave them unset) or hold the valid value; anything else is an error.
 *    Non-zero header bytes are preserved in `root_cell.raw.header`; the writer writes zeros otherwise,
 *    as the reference build does.
 *  - Padding bytes, the loader-filled cell id and non-canonical name bytes are preserved (see types.ts).
 */

import {
  ARCH_NAMES, ARCH_RISCV64, CACHE_REGION_SIZE, CELL_DESC_SIZE, CELL_SIGNATURE, CONFIG_REVISION,
  CPU_SIZE, IOMMU_UNIT_SIZE, IRQCHIP_SIZE, MAX_IOMMU_UNITS, MEMORY_REGION_SIZE,
  PCI_CAP_SIZE, PCI_DEVICE_SIZE, PIO_REGION_SIZE, STREAM_ID_SIZE, SYSTEM_HEADER_SIZE, SYSTEM_SIGNATURE,
  HART_TO_CONTEXT_LEN, cellConfigSize,
  type CellConfig, type Console, type IommuUnit, type MemoryRegion, type SystemConfig, type CellRaw,
} from './types.ts';

export interface ConfigErrorInit {
  expected?: string;
  got?: string;
  cell?: string;
}

/** A malformed binary configuration (or a model that cannot be written). */
export class ConfigError extends Error {
  /** machine-readable field path, e.g. "signature", "memory_regions[3]", "root_cell.revision" */
  readonly field: string;
  /** absolute byte offset in the file */
  readonly offset: number;
  readonly expected?: string;
  readonly got?: string;
  readonly cell?: string;

  constructor(field: string, offset: number, label: string, detail: string, init: ConfigErrorInit = {}) {
    const prefix = init.cell !== undefined ? `cell "${init.cell}": ` : '';
    super(`${prefix}${label} at offset ${formatOffset(offset)}: ${detail}`);
    this.name = 'ConfigError';
    this.field = field;
    this.offset = offset;
    if (init.expected !== undefined) this.expected = init.expected;
    if (init.got !== undefined) this.got = init.got;
    if (init.cell !== undefined) this.cell = init.cell;
  }
}

export function formatOffset(off: number): string {
  return off < 10 ? String(off) : `0x${off.toString(16)}`;
}

function quoteBytes(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  return `"${s}"`;
}

function archLabel(a: number): string {
  const n = ARCH_NAMES[a];
  return n ? `${a} (${n})` : `${a} (unknown)`;
}

function isZero(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

const ASCII = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/* ------------------------------------------------------------------ */
/* reading                                                              */
/* ------------------------------------------------------------------ */

class Reader {
  readonly dv: DataView;
  cell: string | undefined;
  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(off: number, n: number, field: string, label: string): void {
    const left = Math.max(0, this.bytes.length - off);
    if (n > left) {
      throw new ConfigError(field, off, label, `overruns the file (need ${n} bytes, ${left} left)`,
        this.cell !== undefined ? { cell: this.cell } : {});
    }
  }
  u8(o: number): number { return this.dv.getUint8(o); }
  u16(o: number): number { return this.dv.getUint16(o, true); }
  s16(o: number): number { return this.dv.getInt16(o, true); }
  u32(o: number): number { return this.dv.getUint32(o, true); }
  u64(o: number): bigint { return this.dv.getBigUint64(o, true); }
  slice(o: number, n: number): Uint8Array { return this.bytes.slice(o, o + n); }
}

function readMemoryRegion(r: Reader, o: number): MemoryRegion {
  return { phys_start: r.u64(o), virt_start: r.u64(o + 8), size: r.u64(o + 16), flags: r.u64(o + 24) };
}

function readConsole(r: Reader, o: number): Console {
  return {
    address: r.u64(o), size: r.u32(o + 8), type: r.u16(o + 12), flags: r.u16(o + 14),
    divider: r.u32(o + 16), gate_nr: r.u32(o + 20), clock_reg: r.u64(o + 24),
  };
}

function decodeName(b: Uint8Array): { name: string; raw?: Uint8Array } {
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  const head = b.subarray(0, end);
  let name: string;
  try {
    name = new TextDecoder('utf-8', { fatal: true }).decode(head);
  } catch {
    name = String.fromCharCode(...head);
  }
  const canon = encodeName(name);
  if (canon && equalBytes(canon, b)) return { name };
  return { name, raw: b.slice() };
}

function encodeName(name: string): Uint8Array | undefined {
  const enc = new TextEncoder().encode(name);
  if (enc.length > 32) return undefined;
  const out = new Uint8Array(32);
  out.set(enc);
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function checkSignature(r: Reader, base: number, want: string, field: string): void {
  r.need(base, 5, field, 'signature');
  const got = r.slice(base, 5);
  if (!equalBytes(got, ASCII(want))) {
    throw new ConfigError(field, base, 'signature', `expected "${want}", got ${quoteBytes(got)}`,
      { expected: want, got: String.fromCharCode(...got) });
  }
}

function checkArchRevision(r: Reader, base: number, prefix: string): void {
  r.need(base + 5, 1, `${prefix}architecture`, 'architecture');
  const arch = r.u8(base + 5);
  if (arch !== ARCH_RISCV64) {
    throw new ConfigError(`${prefix}architecture`, base + 5, 'architecture',
      `expected ${archLabel(ARCH_RISCV64)}, got ${archLabel(arch)}`,
      { expected: archLabel(ARCH_RISCV64), got: archLabel(arch) });
  }
  r.need(base + 6, 2, `${prefix}revision`, 'revision');
  const rev = r.u16(base + 6);
  if (rev !== CONFIG_REVISION) {
    throw new ConfigError(`${prefix}revision`, base + 6, 'revision', `expected ${CONFIG_REVISION}, got ${rev}`,
      { expected: String(CONFIG_REVISION), got: String(rev) });
  }
}

/** Parse a cell descriptor (+ arrays) starting at `base`; returns the cell and the end offset. */
function readCell(r: Reader, base: number, fieldPrefix: string, descLabel: string): { cell: CellConfig; end: number } {
  r.need(base, CELL_DESC_SIZE, `${fieldPrefix}header`, descLabel);
  const nameInfo = decodeName(r.slice(base + 8, 32));
  r.cell = nameInfo.name;
  const raw: CellRaw = {};
  if (nameInfo.raw) raw.name = nameInfo.raw;
  const counts = {
    cpus: r.u32(base + 48), mem: r.u32(base + 52), cache: r.u32(base + 56), irqchips: r.u32(base + 60),
    pio: r.u32(base + 64), pci: r.u32(base + 68), caps: r.u32(base + 72), streams: r.u32(base + 76),
  };
  const cell: CellConfig = {
    name: nameInfo.name,
    id: r.u32(base + 40),
    flags: r.u32(base + 44),
    cpus: [],
    memory_regions: [],
    cache_regions: [],
    irqchips: [],
    pio_regions: [],
    pci_devices: [],
    pci_caps: [],
    stream_ids: [],
    vpci_irq_base: r.u32(base + 80),
    cpu_reset_address: r.u64(base + 84),
    msg_reply_timeout: r.u64(base + 92),
    console: readConsole(r, base + 100),
  };
  let o = base + CELL_DESC_SIZE;
  const each = (n: number, size: number, field: string, label: string, fn: (o: number, i: number) => void) => {
    for (let i = 0; i < n; i++) {
      r.need(o, size, `${fieldPrefix}${field}[${i}]`, `${label} ${i}`);
      fn(o, i);
      o += size;
    }
  };
  each(counts.cpus, CPU_SIZE, 'cpus', 'cpu', (p, i) => {
    cell.cpus.push(r.u64(p));
    const pad = r.slice(p + 8, 8);
    if (!isZero(pad)) (raw.cpu_padding ??= {})[i] = pad;
  });
  each(counts.mem, MEMORY_REGION_SIZE, 'memory_regions', 'memory region', (p) => {
    cell.memory_regions.push(readMemoryRegion(r, p));
  });
  each(counts.cache, CACHE_REGION_SIZE, 'cache_regions', 'cache region', (p) => {
    cell.cache_regions.push({ start: r.u32(p), size: r.u32(p + 4), type: r.u8(p + 8), padding: r.u8(p + 9), flags: r.u16(p + 10) });
  });
  each(counts.irqchips, IRQCHIP_SIZE, 'irqchips', 'irqchip', (p) => {
    cell.irqchips.push({
      address: r.u64(p), id: r.u32(p + 8), pin_base: r.u32(p + 12),
      pin_bitmap: [r.u32(p + 16), r.u32(p + 20), r.u32(p + 24), r.u32(p + 28)],
    });
  });
  each(counts.pio, PIO_REGION_SIZE, 'pio_regions', 'pio region', (p) => {
    cell.pio_regions.push({ base: r.u16(p), length: r.u16(p + 2) });
  });
  each(counts.pci, PCI_DEVICE_SIZE, 'pci_devices', 'pci device', (p) => {
    cell.pci_devices.push({
      type: r.u8(p), iommu: r.u8(p + 1), domain: r.u16(p + 2), bdf: r.u16(p + 4),
      bar_mask: [r.u32(p + 6), r.u32(p + 10), r.u32(p + 14), r.u32(p + 18), r.u32(p + 22), r.u32(p + 26)],
      caps_start: r.u16(p + 30), num_caps: r.u16(p + 32), num_msi_vectors: r.u8(p + 34), msi_flags: r.u8(p + 35),
      num_msix_vectors: r.u16(p + 36), msix_region_size: r.u16(p + 38), msix_address: r.u64(p + 40),
      shmem_regions_start: r.u32(p + 48), shmem_dev_id: r.u8(p + 52), shmem_peers: r.u8(p + 53),
      shmem_protocol: r.u16(p + 54),
    });
  });
  each(counts.caps, PCI_CAP_SIZE, 'pci_caps', 'pci capability', (p) => {
    cell.pci_caps.push({ id: r.u16(p), start: r.u16(p + 2), len: r.u16(p + 4), flags: r.u16(p + 6) });
  });
  each(counts.streams, STREAM_ID_SIZE, 'stream_ids', 'stream id', (p) => {
    cell.stream_ids.push(r.u32(p));
  });
  if (Object.keys(raw).length) cell.raw = raw;
  return { cell, end: o };
}

function asBytes(bytes: Uint8Array | ArrayBuffer): Uint8Array {
  return bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
}

/** Parse a standalone cell configuration ("JHCLL"). Throws ConfigError. */
export function parseCellConfig(input: Uint8Array | ArrayBuffer): CellConfig {
  const r = new Reader(asBytes(input));
  checkSignature(r, 0, CELL_SIGNATURE, 'signature');
  checkArchRevision(r, 0, '');
  const { cell, end } = readCell(r, 0, '', 'cell descriptor');
  if (end < r.bytes.length) (cell.raw ??= {}).trailing = r.slice(end, r.bytes.length - end);
  return cell;
}

/** Parse a system configuration ("JHSYS") including the root cell. Throws ConfigError. */
export function parseSystemConfig(input: Uint8Array | ArrayBuffer): SystemConfig {
  const r = new Reader(asBytes(input));
  checkSignature(r, 0, SYSTEM_SIGNATURE, 'signature');
  checkArchRevision(r, 0, '');
  r.need(0, SYSTEM_HEADER_SIZE, 'header', 'system descriptor');

  const iommu_units: IommuUnit[] = [];
  for (let i = 0; i < MAX_IOMMU_UNITS; i++) {
    const p = 88 + i * IOMMU_UNIT_SIZE;
    iommu_units.push({ type: r.u32(p), base: r.u64(p + 4), size: r.u32(p + 12), data: r.slice(p + 16, 12) });
  }
  const hart_to_context: number[] = [];
  for (let i = 0; i < HART_TO_CONTEXT_LEN; i++) hart_to_context.push(r.s16(352 + 2 * i));

  // root cell header: each field zero (unset, as the reference configs) or valid
  const rb = SYSTEM_HEADER_SIZE;
  r.need(rb, CELL_DESC_SIZE, 'root_cell.header', 'root cell descriptor');
  const hdr = r.slice(rb, 8);
  const sig = hdr.subarray(0, 5);
  if (!isZero(sig) && !equalBytes(sig, ASCII(CELL_SIGNATURE))) {
    throw new ConfigError('root_cell.signature', rb, 'root cell signature',
      `expected "${CELL_SIGNATURE}" or zero, got ${quoteBytes(sig)}`,
      { expected: CELL_SIGNATURE, got: String.fromCharCode(...sig) });
  }
  if (hdr[5] !== 0 && hdr[5] !== ARCH_RISCV64) {
    throw new ConfigError('root_cell.architecture', rb + 5, 'root cell architecture',
      `expected ${archLabel(ARCH_RISCV64)} or 0, got ${archLabel(hdr[5]!)}`,
      { expected: archLabel(ARCH_RISCV64), got: archLabel(hdr[5]!) });
  }
  const rrev = r.u16(rb + 6);
  if (rrev !== 0 && rrev !== CONFIG_REVISION) {
    throw new ConfigError('root_cell.revision', rb + 6, 'root cell revision',
      `expected ${CONFIG_REVISION} or 0, got ${rrev}`, { expected: String(CONFIG_REVISION), got: String(rrev) });
  }
  const { cell: root, end } = readCell(r, rb, 'root_cell.', 'root cell descriptor');
  if (!isZero(hdr)) (root.raw ??= {}).header = hdr;

  const sys: SystemConfig = {
    flags: r.u32(8),
    hypervisor_memory: readMemoryRegion(r, 12),
    debug_console: readConsole(r, 44),
    platform_info: {
      pci_mmconfig_base: r.u64(76),
      pci_mmconfig_end_bus: r.u8(84),
      pci_is_virtual: r.u8(85),
      pci_domain: r.u16(86),
      iommu_units,
      riscv: {
        irqchip: {
          max_irq: r.u16(312),
          type: r.u8(314),
          reserved0: r.u8(315),
          base_address: r.u64(316),
          size: r.u32(324),
          max_priority: r.u32(328),
          imsic_stride: r.u16(332),
          reserved1: r.u16(334),
          imsic_base: r.u64(336),
          imsic_size: r.u64(344),
          hart_to_context,
        },
      },
    },
    root_cell: root,
  };
  if (end < r.bytes.length) sys.raw = { trailing: r.slice(end, r.bytes.length - end) };
  return sys;
}

/** Sniff a binary configuration: 'system', 'cell' or undefined (not a Jailhouse binary). */
export function sniffBinaryConfig(bytes: Uint8Array): 'system' | 'cell' | undefined {
  if (bytes.length < 5) return undefined;
  const s = String.fromCharCode(...bytes.subarray(0, 5));
  return s === SYSTEM_SIGNATURE ? 'system' : s === CELL_SIGNATURE ? 'cell' : undefined;
}

/* ------------------------------------------------------------------ */
/* writing                                                              */
/* ------------------------------------------------------------------ */

class Writer {
  readonly dv: DataView;
  constructor(readonly bytes: Uint8Array, readonly cell: string | undefined) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private range(o: number, field: string, v: number | bigint, bits: number, signed = false): void {
    const ok = typeof v === 'bigint'
      ? (signed ? v >= -(1n << BigInt(bits - 1)) && v < 1n << BigInt(bits - 1) : v >= 0n && v < 1n << BigInt(bits))
      : Number.isInteger(v) && (signed ? v >= -(2 ** (bits - 1)) && v < 2 ** (bits - 1) : v >= 0 && v < 2 ** bits);
    if (!ok) {
      throw new ConfigError(field, o, field, `value ${String(v)} does not fit ${signed ? 's' : 'u'}${bits}`,
        { expected: `${signed ? 's' : 'u'}${bits}`, got: String(v), ...(this.cell !== undefined ? { cell: this.cell } : {}) });
    }
  }
  u8(o: number, v: number, f: string): void { this.range(o, f, v, 8); this.dv.setUint8(o, v); }
  u16(o: number, v: number, f: string): void { this.range(o, f, v, 16); this.dv.setUint16(o, v, true); }
  s16(o: number, v: number, f: string): void { this.range(o, f, v, 16, true); this.dv.setInt16(o, v, true); }
  u32(o: number, v: number, f: string): void { this.range(o, f, v, 32); this.dv.setUint32(o, v, true); }
  u64(o: number, v: bigint, f: string): void {
    if (typeof v !== 'bigint') v = BigInt(v as unknown as number);
    this.range(o, f, v, 64);
    this.dv.setBigUint64(o, v, true);
  }
  bytesAt(o: number, b: Uint8Array, len: number, f: string): void {
    if (b.length !== len) {
      throw new ConfigError(f, o, f, `expected ${len} bytes, got ${b.length}`,
        this.cell !== undefined ? { cell: this.cell } : {});
    }
    this.bytes.set(b, o);
  }
}

function writeMemoryRegion(w: Writer, o: number, m: MemoryRegion, f: string): void {
  w.u64(o, m.phys_start, `${f}.phys_start`);
  w.u64(o + 8, m.virt_start, `${f}.virt_start`);
  w.u64(o + 16, m.size, `${f}.size`);
  w.u64(o + 24, m.flags, `${f}.flags`);
}

function writeConsole(w: Writer, o: number, c: Console, f: string): void {
  w.u64(o, c.address, `${f}.address`);
  w.u32(o + 8, c.size, `${f}.size`);
  w.u16(o + 12, c.type, `${f}.type`);
  w.u16(o + 14, c.flags, `${f}.flags`);
  w.u32(o + 16, c.divider, `${f}.divider`);
  w.u32(o + 20, c.gate_nr, `${f}.gate_nr`);
  w.u64(o + 24, c.clock_reg, `${f}.clock_reg`);
}

function nameBytes(cell: CellConfig): Uint8Array {
  const raw = cell.raw?.name;
  if (raw && raw.length === 32 && decodeName(raw).name === cell.name) return raw;
  const enc = encodeName(cell.name);
  if (!enc) {
    throw new ConfigError('name', 8, 'name', `"${cell.name}" is longer than 32 bytes`, { cell: cell.name });
  }
  return enc;
}

function writeCell(bytes: Uint8Array, base: number, cell: CellConfig, header: Uint8Array | undefined, fp: string): number {
  const w = new Writer(bytes, cell.name);
  if (header) w.bytesAt(base, header, 8, `${fp}header`);
  w.bytesAt(base + 8, nameBytes(cell), 32, `${fp}name`);
  w.u32(base + 40, cell.id, `${fp}id`);
  w.u32(base + 44, cell.flags, `${fp}flags`);
  w.u32(base + 48, cell.cpus.length, `${fp}num_cpus`);
  w.u32(base + 52, cell.memory_regions.length, `${fp}num_memory_regions`);
  w.u32(base + 56, cell.cache_regions.length, `${fp}num_cache_regions`);
  w.u32(base + 60, cell.irqchips.length, `${fp}num_irqchips`);
  w.u32(base + 64, cell.pio_regions.length, `${fp}num_pio_regions`);
  w.u32(base + 68, cell.pci_devices.length, `${fp}num_pci_devices`);
  w.u32(base + 72, cell.pci_caps.length, `${fp}num_pci_caps`);
  w.u32(base + 76, cell.stream_ids.length, `${fp}num_stream_ids`);
  w.u32(base + 80, cell.vpci_irq_base, `${fp}vpci_irq_base`);
  w.u64(base + 84, cell.cpu_reset_address, `${fp}cpu_reset_address`);
  w.u64(base + 92, cell.msg_reply_timeout, `${fp}msg_reply_timeout`);
  writeConsole(w, base + 100, cell.console, `${fp}console`);
  let o = base + CELL_DESC_SIZE;
  cell.cpus.forEach((id, i) => {
    w.u64(o, id, `${fp}cpus[${i}]`);
    const pad = cell.raw?.cpu_padding?.[i];
    if (pad) w.bytesAt(o + 8, pad, 8, `${fp}cpus[${i}].padding`);
    o += CPU_SIZE;
  });
  cell.memory_regions.forEach((m, i) => {
    writeMemoryRegion(w, o, m, `${fp}memory_regions[${i}]`);
    o += MEMORY_REGION_SIZE;
  });
  cell.cache_regions.forEach((c, i) => {
    const f = `${fp}cache_regions[${i}]`;
    w.u32(o, c.start, `${f}.start`);
    w.u32(o + 4, c.size, `${f}.size`);
    w.u8(o + 8, c.type, `${f}.type`);
    w.u8(o + 9, c.padding ?? 0, `${f}.padding`);
    w.u16(o + 10, c.flags, `${f}.flags`);
    o += CACHE_REGION_SIZE;
  });
  cell.irqchips.forEach((c, i) => {
    const f = `${fp}irqchips[${i}]`;
    w.u64(o, c.address, `${f}.address`);
    w.u32(o + 8, c.id, `${f}.id`);
    w.u32(o + 12, c.pin_base, `${f}.pin_base`);
    for (let k = 0; k < 4; k++) w.u32(o + 16 + 4 * k, c.pin_bitmap[k]! >>> 0, `${f}.pin_bitmap[${k}]`);
    o += IRQCHIP_SIZE;
  });
  cell.pio_regions.forEach((p, i) => {
    w.u16(o, p.base, `${fp}pio_regions[${i}].base`);
    w.u16(o + 2, p.length, `${fp}pio_regions[${i}].length`);
    o += PIO_REGION_SIZE;
  });
  cell.pci_devices.forEach((d, i) => {
    const f = `${fp}pci_devices[${i}]`;
    w.u8(o, d.type, `${f}.type`);
    w.u8(o + 1, d.iommu, `${f}.iommu`);
    w.u16(o + 2, d.domain, `${f}.domain`);
    w.u16(o + 4, d.bdf, `${f}.bdf`);
    for (let k = 0; k < 6; k++) w.u32(o + 6 + 4 * k, d.bar_mask[k]! >>> 0, `${f}.bar_mask[${k}]`);
    w.u16(o + 30, d.caps_start, `${f}.caps_start`);
    w.u16(o + 32, d.num_caps, `${f}.num_caps`);
    w.u8(o + 34, d.num_msi_vectors, `${f}.num_msi_vectors`);
    w.u8(o + 35, d.msi_flags, `${f}.msi_flags`);
    w.u16(o + 36, d.num_msix_vectors, `${f}.num_msix_vectors`);
    w.u16(o + 38, d.msix_region_size, `${f}.msix_region_size`);
    w.u64(o + 40, d.msix_address, `${f}.msix_address`);
    w.u32(o + 48, d.shmem_regions_start, `${f}.shmem_regions_start`);
    w.u8(o + 52, d.shmem_dev_id, `${f}.shmem_dev_id`);
    w.u8(o + 53, d.shmem_peers, `${f}.shmem_peers`);
    w.u16(o + 54, d.shmem_protocol, `${f}.shmem_protocol`);
    o += PCI_DEVICE_SIZE;
  });
  cell.pci_caps.forEach((c, i) => {
    const f = `${fp}pci_caps[${i}]`;
    w.u16(o, c.id, `${f}.id`);
    w.u16(o + 2, c.start, `${f}.start`);
    w.u16(o + 4, c.len, `${f}.len`);
    w.u16(o + 6, c.flags, `${f}.flags`);
    o += PCI_CAP_SIZE;
  });
  cell.stream_ids.forEach((s, i) => {
    w.u32(o, s, `${fp}stream_ids[${i}]`);
    o += STREAM_ID_SIZE;
  });
  return o;
}

/** Serialize a standalone cell configuration. Throws ConfigError when a value does not fit. */
export function writeCellConfig(cell: CellConfig): Uint8Array {
  const trailing = cell.raw?.trailing;
  const size = cellConfigSize(cell);
  const bytes = new Uint8Array(size + (trailing?.length ?? 0));
  bytes.set(ASCII(CELL_SIGNATURE), 0);
  bytes[5] = ARCH_RISCV64;
  new DataView(bytes.buffer).setUint16(6, CONFIG_REVISION, true);
  const end = writeCell(bytes, 0, cell, undefined, '');
  if (trailing) bytes.set(trailing, end);
  return bytes;
}

/** Serialize a system configuration. Throws ConfigError when a value does not fit. */
export function writeSystemConfig(sys: SystemConfig): Uint8Array {
  const trailing = sys.raw?.trailing;
  const size = SYSTEM_HEADER_SIZE + cellConfigSize(sys.root_cell);
  const bytes = new Uint8Array(size + (trailing?.length ?? 0));
  const w = new Writer(bytes, undefined);
  bytes.set(ASCII(SYSTEM_SIGNATURE), 0);
  bytes[5] = ARCH_RISCV64;
  w.u16(6, CONFIG_REVISION, 'revision');
  w.u32(8, sys.flags, 'flags');
  writeMemoryRegion(w, 12, sys.hypervisor_memory, 'hypervisor_memory');
  writeConsole(w, 44, sys.debug_console, 'debug_console');
  const pi = sys.platform_info;
  w.u64(76, pi.pci_mmconfig_base, 'platform_info.pci_mmconfig_base');
  w.u8(84, pi.pci_mmconfig_end_bus, 'platform_info.pci_mmconfig_end_bus');
  w.u8(85, pi.pci_is_virtual, 'platform_info.pci_is_virtual');
  w.u16(86, pi.pci_domain, 'platform_info.pci_domain');
  if (pi.iommu_units.length > MAX_IOMMU_UNITS) {
    throw new ConfigError('platform_info.iommu_units', 88, 'iommu_units',
      `at most ${MAX_IOMMU_UNITS} entries, got ${pi.iommu_units.length}`);
  }
  pi.iommu_units.forEach((u, i) => {
    const p = 88 + i * IOMMU_UNIT_SIZE, f = `platform_info.iommu_units[${i}]`;
    w.u32(p, u.type, `${f}.type`);
    w.u64(p + 4, u.base, `${f}.base`);
    w.u32(p + 12, u.size, `${f}.size`);
    w.bytesAt(p + 16, u.data, 12, `${f}.data`);
  });
  const ic = pi.riscv.irqchip, f = 'platform_info.riscv.irqchip';
  w.u16(312, ic.max_irq, `${f}.max_irq`);
  w.u8(314, ic.type, `${f}.type`);
  w.u8(315, ic.reserved0, `${f}.reserved0`);
  w.u64(316, ic.base_address, `${f}.base_address`);
  w.u32(324, ic.size, `${f}.size`);
  w.u32(328, ic.max_priority, `${f}.max_priority`);
  w.u16(332, ic.imsic_stride, `${f}.imsic_stride`);
  w.u16(334, ic.reserved1, `${f}.reserved1`);
  w.u64(336, ic.imsic_base, `${f}.imsic_base`);
  w.u64(344, ic.imsic_size, `${f}.imsic_size`);
  if (ic.hart_to_context.length > HART_TO_CONTEXT_LEN) {
    throw new ConfigError(`${f}.hart_to_context`, 352, 'hart_to_context',
      `at most ${HART_TO_CONTEXT_LEN} entries, got ${ic.hart_to_context.length}`);
  }
  for (let i = 0; i < HART_TO_CONTEXT_LEN; i++) w.s16(352 + 2 * i, ic.hart_to_context[i] ?? -1, `${f}.hart_to_context[${i}]`);
  const end = writeCell(bytes, SYSTEM_HEADER_SIZE, sys.root_cell, sys.root_cell.raw?.header, 'root_cell.');
  if (trailing) bytes.set(trailing, end);
  return bytes;
}

