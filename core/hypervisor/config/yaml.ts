/**
 * Human-friendly YAML form of Jailhouse configurations (see docs/config-format.md).
 *
 * Round-trip law: binary -> YAML -> binary is byte-identical; YAML -> binary -> YAML is
 * semantically equal (same model). Everything the binary holds has a YAML spelling: flags by
 * name plus unknown bits as a number entry, pins as a list of pins/ranges (a 128-bit bitmap),
 * and a `raw:` section for the rare meaningless-but-non-zero bytes (padding, trailing bytes).
 *
 * No Node built-ins here (runs in a browser worker too).
 */

import type { ErrorObject, ValidateFunction } from 'ajv';
import { validatorFor } from '../../schema/validators.ts';
import { Document, LineCounter, Scalar, YAMLSeq, isNode, parseDocument, type Node as YamlNode } from 'yaml';
import { yamlValue } from './yaml-document.ts';
import {
  CONFIG_REVISION, HART_TO_CONTEXT_LEN, MAX_IOMMU_UNITS, emptyConsole, emptyIommuUnit,
  formatBdf, irqchipPins,
  type CacheRegion, type CellConfig, type CellRaw, type Console, type IommuUnit, type Irqchip, type MemoryRegion,
  type PciCapability, type PciDevice, type PioRegion, type SystemConfig,
} from './types.ts';
import {
  CACHE_FLAG_NAMES, CELL_FLAG_NAMES, CONSOLE_TYPES, CON_FLAG_NAMES, MEM_FLAG_NAMES, MSI_FLAG_NAMES, PCICAP_FLAG_NAMES,
  PCI_TYPES, RISCV_IRQCHIP_TYPES, SHMEM_PROTOCOLS, SYS_FLAG_NAMES, enumName, lookupName, splitFlags,
  type EnumTable, type FlagTable,
} from './names.ts';
import { cellDocumentSchema, systemDocumentSchema, SIZE_PATTERN, UINT_PATTERN, RANGE_PATTERN, SINT_PATTERN } from './schema.ts';

/* ------------------------------------------------------------------ */
/* errors                                                               */
/* ------------------------------------------------------------------ */

export type YamlPath = ReadonlyArray<string | number>;

export interface YamlIssue {
  /** e.g. "root_cell.memory_regions[2].size" ("" = the document) */
  path: string;
  message: string;
  /** 1-based, when the YAML library knows where the value is */
  line?: number;
  column?: number;
}

/** One or more problems in a YAML configuration. `message` lists all of them, one per line. */
export class YamlConfigError extends Error {
  readonly issues: YamlIssue[];
  constructor(issues: YamlIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'YamlConfigError';
    this.issues = issues;
  }
}

export function formatIssue(i: YamlIssue): string {
  const where = i.line !== undefined ? ` (line ${i.line}, column ${i.column ?? 1})` : '';
  return `${i.path ? `${i.path}: ` : ''}${i.message}${where}`;
}

export function formatPath(path: YamlPath): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else s += s ? `.${seg}` : seg;
  }
  return s;
}

/* ------------------------------------------------------------------ */
/* value syntax                                                         */
/* ------------------------------------------------------------------ */

const UNIT: Record<string, bigint> = { k: 1n << 10n, m: 1n << 20n, g: 1n << 30n, t: 1n << 40n };
const sizeRe = new RegExp(SIZE_PATTERN);
const uintRe = new RegExp(UINT_PATTERN);
const sintRe = new RegExp(SINT_PATTERN);
const rangeRe = new RegExp(RANGE_PATTERN);

function parseIntText(t: string): bigint {
  const s = t.trim().replace(/_/g, '');
  if (/^0[xX]/.test(s)) return BigInt(s);
  if (/^0[bB]/.test(s)) return BigInt(s);
  if (/^0[oO]/.test(s)) return BigInt(s);
  return BigInt(s);
}

/** Parse a size: integer, or text like `1M`, `64K`, `0x1000`, `2GiB`. Undefined when malformed. */
export function parseSize(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v >= 0n ? v : undefined;
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = sizeRe.exec(v);
  if (!m) return undefined;
  const n = parseIntText(m[1]!);
  return m[2] ? n * UNIT[m[2][0]!.toLowerCase()]! : n;
}

/** The friendliest exact spelling of a size: `6M`, `4K`, `0` or hex (`0x1234`). */
export function formatSize(v: bigint | number): string | number {
  const b = BigInt(v);
  if (b === 0n) return 0;
  for (const u of ['T', 'G', 'M', 'K']) {
    const unit = UNIT[u.toLowerCase()]!;
    if (b % unit === 0n) return `${b / unit}${u}`;
  }
  return `0x${b.toString(16)}`;
}

function parseUintValue(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v >= 0n ? v : undefined;
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : undefined;
  if (typeof v === 'string' && uintRe.test(v)) return parseIntText(v);
  return undefined;
}

function parseSintValue(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : undefined;
  if (typeof v === 'string' && sintRe.test(v)) {
    const s = v.trim();
    return s.startsWith('-') ? -parseIntText(s.slice(1)) : parseIntText(s);
  }
  return undefined;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

/* ------------------------------------------------------------------ */
/* YAML -> model                                                        */
/* ------------------------------------------------------------------ */

type Obj = Record<string, unknown>;

class Conv {
  issues: { path: YamlPath; message: string }[] = [];

  err(path: YamlPath, message: string): void {
    this.issues.push({ path, message });
  }

  private bits(path: YamlPath, v: bigint, bits: number, raw: unknown): bigint {
    if (v >= 1n << BigInt(bits)) {
      this.err(path, `value ${describe(raw)} does not fit in ${bits} bits`);
      return 0n;
    }
    return v;
  }

  uint(v: unknown, path: YamlPath, bits: number, dflt = 0): number {
    if (v === undefined) return dflt;
    const b = parseUintValue(v);
    if (b === undefined) { this.err(path, `expected a non-negative integer (decimal or 0x hex), got ${describe(v)}`); return dflt; }
    return Number(this.bits(path, b, bits, v));
  }

  u64(v: unknown, path: YamlPath, what = 'an address like 0x80000000', dflt = 0n): bigint {
    if (v === undefined) return dflt;
    const b = parseUintValue(v);
    if (b === undefined) { this.err(path, `expected ${what}, got ${describe(v)}`); return dflt; }
    return this.bits(path, b, 64, v);
  }

  size(v: unknown, path: YamlPath, bits: number): bigint {
    if (v === undefined) return 0n;
    const b = parseSize(v);
    if (b === undefined) { this.err(path, `expected a size like 1M or 0x100000, got ${describe(v)}`); return 0n; }
    return this.bits(path, b, bits, v);
  }

  bool01(v: unknown, path: YamlPath): number {
    if (v === undefined) return 0;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return this.uint(v, path, 8);
  }

  flags<T extends number | bigint>(v: unknown, path: YamlPath, table: FlagTable<T>, bits: number): T {
    const isBig = bits === 64;
    let acc = 0n;
    const add = (x: unknown, p: YamlPath) => {
      if (typeof x === 'string') {
        const named = lookupName(table as FlagTable<number | bigint> as FlagTable<bigint>, x);
        if (named !== undefined) { acc |= BigInt(named); return; }
        const n = parseUintValue(x);
        if (n !== undefined) { acc |= n; return; }
        this.err(p, `unknown flag ${describe(x)} (known: ${table.map(([n]) => n).join(', ')})`);
        return;
      }
      const n = parseUintValue(x);
      if (n === undefined) { this.err(p, `expected a flag name or number, got ${describe(x)}`); return; }
      acc |= n;
    };
    if (v === undefined) acc = 0n;
    else if (Array.isArray(v)) v.forEach((x, i) => add(x, [...path, i]));
    else add(v, path);
    acc = this.bits(path, acc, bits, v);
    return (isBig ? acc : Number(acc)) as T;
  }

  enumValue(v: unknown, path: YamlPath, table: EnumTable, bits: number, what: string, numericAsName = false): number {
    if (typeof v === 'number' && numericAsName) {
      const named = lookupName(table, String(v));
      if (named !== undefined) return Number(named);
    }
    if (typeof v === 'string') {
      const named = lookupName(table, v);
      if (named !== undefined) return Number(named);
      const n = parseUintValue(v);
      if (n === undefined) {
        this.err(path, `unknown ${what} ${describe(v)} (known: ${table.map(([n]) => n).join(', ')}, or a number)`);
        return 0;
      }
      return Number(this.bits(path, n, bits, v));
    }
    return this.uint(v, path, bits);
  }

  /** list of numbers / "a-b" ranges, expanded in order */
  ranges(v: unknown, path: YamlPath, max: bigint): bigint[] {
    if (v === undefined) return [];
    if (!Array.isArray(v)) { this.err(path, `expected a list of numbers or ranges like 32-35, got ${describe(v)}`); return []; }
    const out: bigint[] = [];
    v.forEach((x, i) => {
      const p = [...path, i];
      if (typeof x === 'string' && rangeRe.test(x) && x.includes('-')) {
        const [a, b] = x.split('-').map((s) => parseIntText(s));
        if (a! > b!) { this.err(p, `range ${describe(x)} is reversed`); return; }
        if (b! - a! > 4096n) { this.err(p, `range ${describe(x)} is too long`); return; }
        if (b! > max) { this.err(p, `${describe(x)} exceeds ${max}`); return; }
        for (let k = a!; k <= b!; k++) out.push(k);
        return;
      }
      const n = parseUintValue(x);
      if (n === undefined) { this.err(p, `expected a number or a range like 32-35, got ${describe(x)}`); return; }
      if (n > max) { this.err(p, `${describe(x)} exceeds ${max}`); return; }
      out.push(n);
    });
    return out;
  }

  hexBytes(v: unknown, path: YamlPath, len?: number): Uint8Array | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !/^[\s0-9a-fA-F]*$/.test(v)) { this.err(path, `expected hex bytes like "00 ff", got ${describe(v)}`); return undefined; }
    const s = v.replace(/\s+/g, '');
    if (s.length % 2) { this.err(path, 'odd number of hex digits'); return undefined; }
    const b = new Uint8Array(s.length / 2);
    for (let i = 0; i < b.length; i++) b[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
    if (len !== undefined && b.length !== len) { this.err(path, `expected ${len} bytes, got ${b.length}`); return undefined; }
    return b;
  }

  obj(v: unknown): Obj {
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
  }

  arr(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
  }

  memoryRegion(v: unknown, path: YamlPath): MemoryRegion {
    const o = this.obj(v);
    const phys = this.u64(o.phys_start, [...path, 'phys_start']);
    return {
      phys_start: phys,
      virt_start: o.virt_start === undefined ? phys : this.u64(o.virt_start, [...path, 'virt_start']),
      size: this.size(o.size, [...path, 'size'], 64),
      flags: this.flags(o.flags, [...path, 'flags'], MEM_FLAG_NAMES, 64),
    };
  }

  console(v: unknown, path: YamlPath): Console {
    if (v === undefined) return emptyConsole();
    const o = this.obj(v);
    return {
      address: this.u64(o.address, [...path, 'address']),
      size: Number(this.size(o.size, [...path, 'size'], 32)),
      type: o.type === undefined ? 0 : this.enumValue(o.type, [...path, 'type'], CONSOLE_TYPES, 16, 'console type', true),
      flags: this.flags(o.flags, [...path, 'flags'], CON_FLAG_NAMES, 16),
      divider: this.uint(o.divider, [...path, 'divider'], 32),
      gate_nr: this.uint(o.gate_nr, [...path, 'gate_nr'], 32),
      clock_reg: this.u64(o.clock_reg, [...path, 'clock_reg']),
    };
  }

  bdf(v: unknown, path: YamlPath): number {
    if (typeof v === 'string' && v.includes('.')) {
      const m = /^\s*(?:([0-9a-fA-F]{1,2}):)?([0-9a-fA-F]{1,2})\.([0-7])\s*$/.exec(v);
      if (!m) { this.err(path, `expected a PCI address like 00:10.0, got ${describe(v)}`); return 0; }
      const bus = m[1] ? parseInt(m[1], 16) : 0, dev = parseInt(m[2]!, 16), fn = parseInt(m[3]!, 10);
      if (dev > 0x1f) { this.err(path, `device number 0x${dev.toString(16)} exceeds 0x1f`); return 0; }
      return (bus << 8) | (dev << 3) | fn;
    }
    return this.uint(v, path, 16);
  }

  cell(v: unknown, path: YamlPath, isRoot: boolean): CellConfig {
    const o = this.obj(v);
    const p = (k: string | number, ...rest: (string | number)[]) => [...path, k, ...rest];
    const name = typeof o.name === 'string' ? o.name : '';
    if (new TextEncoder().encode(name).length > 32) this.err(p('name'), `"${name}" is longer than 32 bytes`);
    const cell: CellConfig = {
      name,
      id: this.uint(o.id, p('id'), 32),
      flags: this.flags(o.flags, p('flags'), CELL_FLAG_NAMES, 32),
      cpus: this.ranges(o.cpus, p('cpus'), (1n << 64n) - 1n),
      memory_regions: this.arr(o.memory_regions).map((m, i) => this.memoryRegion(m, p('memory_regions', i))),
      cache_regions: this.arr(o.cache_regions).map((c, i) => this.cacheRegion(c, p('cache_regions', i))),
      irqchips: this.arr(o.irqchips).map((c, i) => this.irqchip(c, p('irqchips', i))),
      pio_regions: this.arr(o.pio_regions).map((c, i) => this.pioRegion(c, p('pio_regions', i))),
      pci_devices: this.arr(o.pci_devices).map((c, i) => this.pciDevice(c, p('pci_devices', i))),
      pci_caps: this.arr(o.pci_caps).map((c, i) => this.pciCap(c, p('pci_caps', i))),
      stream_ids: this.arr(o.stream_ids).map((c, i) => this.uint(c, p('stream_ids', i), 32)),
      vpci_irq_base: this.uint(o.vpci_irq_base, p('vpci_irq_base'), 32),
      cpu_reset_address: this.u64(o.cpu_reset_address, p('cpu_reset_address')),
      msg_reply_timeout: this.u64(o.msg_reply_timeout, p('msg_reply_timeout'), 'a non-negative integer'),
      console: this.console(o.console, p('console')),
    };
    if (o.raw !== undefined) {
      const r = this.obj(o.raw);
      const raw: CellRaw = {};
      const nm = this.hexBytes(r.name, p('raw', 'name'), 32);
      if (nm) raw.name = nm;
      if (r.header !== undefined) {
        if (!isRoot) this.err(p('raw', 'header'), 'only the root cell of a system configuration has a raw header');
        const h = this.hexBytes(r.header, p('raw', 'header'), 8);
        if (h) raw.header = h;
      }
      if (r.trailing !== undefined) {
        if (isRoot) this.err(p('raw', 'trailing'), 'trailing bytes of a system file go to the top-level raw.trailing');
        const t = this.hexBytes(r.trailing, p('raw', 'trailing'));
        if (t) raw.trailing = t;
      }
      if (r.cpu_padding !== undefined) {
        const pads: Record<number, Uint8Array> = {};
        for (const [k, val] of Object.entries(this.obj(r.cpu_padding))) {
          const b = this.hexBytes(val, p('raw', 'cpu_padding', k), 8);
          if (b) pads[Number(k)] = b;
        }
        raw.cpu_padding = pads;
      }
      if (Object.keys(raw).length) cell.raw = raw;
    }
    return cell;
  }

  cacheRegion(v: unknown, path: YamlPath): CacheRegion {
    const o = this.obj(v);
    return {
      start: this.uint(o.start, [...path, 'start'], 32),
      size: this.uint(o.size, [...path, 'size'], 32),
      type: this.uint(o.type, [...path, 'type'], 8),
      padding: this.uint(o.padding, [...path, 'padding'], 8),
      flags: this.flags(o.flags, [...path, 'flags'], CACHE_FLAG_NAMES, 16),
    };
  }

  irqchip(v: unknown, path: YamlPath): Irqchip {
    const o = this.obj(v);
    const pin_base = this.uint(o.pin_base, [...path, 'pin_base'], 32);
    const bitmap: [number, number, number, number] = [0, 0, 0, 0];
    if (o.pins !== undefined && o.pin_bitmap !== undefined) {
      this.err(path, 'give either pins or pin_bitmap, not both');
    }
    if (o.pin_bitmap !== undefined) {
      this.arr(o.pin_bitmap).forEach((w, i) => { bitmap[i] = this.uint(w, [...path, 'pin_bitmap', i], 32); });
    } else {
      const pins = this.ranges(o.pins, [...path, 'pins'], 0xffff_ffffn + 128n);
      for (const pin of pins) {
        const bit = Number(pin) - pin_base;
        if (bit < 0 || bit >= 128) {
          this.err([...path, 'pins'], `pin ${pin} is outside pin_base ${pin_base} .. ${pin_base + 127}`);
          continue;
        }
        bitmap[bit >> 5] = (bitmap[bit >> 5]! | (1 << (bit & 31))) >>> 0;
      }
    }
    return { address: this.u64(o.address, [...path, 'address']), id: this.uint(o.id, [...path, 'id'], 32), pin_base, pin_bitmap: bitmap };
  }

  pioRegion(v: unknown, path: YamlPath): PioRegion {
    const o = this.obj(v);
    return { base: this.uint(o.base, [...path, 'base'], 16), length: Number(this.size(o.length, [...path, 'length'], 16)) };
  }

  pciDevice(v: unknown, path: YamlPath): PciDevice {
    const o = this.obj(v);
    const p = (k: string, ...r: (string | number)[]) => [...path, k, ...r];
    const bar: [number, number, number, number, number, number] = [0, 0, 0, 0, 0, 0];
    this.arr(o.bar_mask).forEach((w, i) => { if (i < 6) bar[i] = this.uint(w, p('bar_mask', i), 32); });
    return {
      type: this.enumValue(o.type, p('type'), PCI_TYPES, 8, 'PCI device type'),
      iommu: this.uint(o.iommu, p('iommu'), 8),
      domain: this.uint(o.domain, p('domain'), 16),
      bdf: this.bdf(o.bdf, p('bdf')),
      bar_mask: bar,
      caps_start: this.uint(o.caps_start, p('caps_start'), 16),
      num_caps: this.uint(o.num_caps, p('num_caps'), 16),
      num_msi_vectors: this.uint(o.num_msi_vectors, p('num_msi_vectors'), 8),
      msi_flags: this.flags(o.msi_flags, p('msi_flags'), MSI_FLAG_NAMES, 8),
      num_msix_vectors: this.uint(o.num_msix_vectors, p('num_msix_vectors'), 16),
      msix_region_size: Number(this.size(o.msix_region_size, p('msix_region_size'), 16)),
      msix_address: this.u64(o.msix_address, p('msix_address')),
      shmem_regions_start: this.uint(o.shmem_regions_start, p('shmem_regions_start'), 32),
      shmem_dev_id: this.uint(o.shmem_dev_id, p('shmem_dev_id'), 8),
      shmem_peers: this.uint(o.shmem_peers, p('shmem_peers'), 8),
      shmem_protocol: o.shmem_protocol === undefined ? 0
        : this.enumValue(o.shmem_protocol, p('shmem_protocol'), SHMEM_PROTOCOLS, 16, 'shmem protocol'),
    };
  }

  pciCap(v: unknown, path: YamlPath): PciCapability {
    const o = this.obj(v);
    let id = this.uint(o.id, [...path, 'id'], 16);
    if (o.extended === true) id = (id | 0x8000) >>> 0;
    return {
      id,
      start: this.uint(o.start, [...path, 'start'], 16),
      len: this.uint(o.len, [...path, 'len'], 16),
      flags: this.flags(o.flags, [...path, 'flags'], PCICAP_FLAG_NAMES, 16),
    };
  }

  iommuUnit(v: unknown, path: YamlPath): IommuUnit {
    const o = this.obj(v);
    return {
      type: this.uint(o.type, [...path, 'type'], 32),
      base: this.u64(o.base, [...path, 'base']),
      size: Number(this.size(o.size, [...path, 'size'], 32)),
      data: this.hexBytes(o.data, [...path, 'data'], 12) ?? new Uint8Array(12),
    };
  }

  system(v: unknown): SystemConfig {
    const o = this.obj(v);
    const pi = this.obj(o.platform_info);
    const ic = this.obj(pi.irqchip);
    const icp = (k: string, ...r: (string | number)[]) => ['platform_info', 'irqchip', k, ...r];
    const h2c: number[] = [];
    const list = this.arr(ic.hart_to_context);
    for (let i = 0; i < HART_TO_CONTEXT_LEN; i++) {
      if (i >= list.length) { h2c.push(-1); continue; }
      const b = parseSintValue(list[i]);
      if (b === undefined || b < -32768n || b > 32767n) {
        this.err(icp('hart_to_context', i), `expected a context number (-1 = none) in -32768..32767, got ${describe(list[i])}`);
        h2c.push(-1);
      } else h2c.push(Number(b));
    }
    const units = this.arr(pi.iommu_units).map((u, i) => this.iommuUnit(u, ['platform_info', 'iommu_units', i]));
    while (units.length < MAX_IOMMU_UNITS) units.push(emptyIommuUnit());
    const sys: SystemConfig = {
      flags: this.flags(o.flags, ['flags'], SYS_FLAG_NAMES, 32),
      hypervisor_memory: this.memoryRegion(o.hypervisor_memory, ['hypervisor_memory']),
      debug_console: this.console(o.debug_console, ['debug_console']),
      platform_info: {
        pci_mmconfig_base: this.u64(pi.pci_mmconfig_base, ['platform_info', 'pci_mmconfig_base']),
        pci_mmconfig_end_bus: this.uint(pi.pci_mmconfig_end_bus, ['platform_info', 'pci_mmconfig_end_bus'], 8),
        pci_is_virtual: this.bool01(pi.pci_is_virtual, ['platform_info', 'pci_is_virtual']),
        pci_domain: this.uint(pi.pci_domain, ['platform_info', 'pci_domain'], 16),
        iommu_units: units,
        riscv: {
          irqchip: {
            max_irq: this.uint(ic.max_irq, icp('max_irq'), 16),
            type: ic.type === undefined ? 0 : this.enumValue(ic.type, icp('type'), RISCV_IRQCHIP_TYPES, 8, 'irqchip type'),
            reserved0: this.uint(ic.reserved0, icp('reserved0'), 8),
            base_address: this.u64(ic.base_address, icp('base_address')),
            size: Number(this.size(ic.size, icp('size'), 32)),
            max_priority: this.uint(ic.max_priority, icp('max_priority'), 32),
            imsic_stride: this.uint(ic.imsic_stride, icp('imsic_stride'), 16),
            reserved1: this.uint(ic.reserved1, icp('reserved1'), 16),
            imsic_base: this.u64(ic.imsic_base, icp('imsic_base')),
            imsic_size: this.size(ic.imsic_size, icp('imsic_size'), 64),
            hart_to_context: h2c,
          },
        },
      },
      root_cell: this.cell(o.root_cell, ['root_cell'], true),
    };
    if (o.raw !== undefined) {
      const t = this.hexBytes(this.obj(o.raw).trailing, ['raw', 'trailing']);
      if (t) sys.raw = { trailing: t };
    }
    return sys;
  }
}

/* ------------------------------------------------------------------ */
/* schema validation                                                    */
/* ------------------------------------------------------------------ */

function getValidators(): { system: ValidateFunction; cell: ValidateFunction } {
  return { system: validatorFor('system', systemDocumentSchema), cell: validatorFor('cell', cellDocumentSchema) };
}

function pointerToPath(ptr: string): (string | number)[] {
  if (!ptr) return [];
  return ptr.slice(1).split('/').map((s) => {
    const t = s.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^[0-9]+$/.test(t) ? Number(t) : t;
  });
}

function ajvIssues(errors: ErrorObject[]): { path: YamlPath; message: string }[] {
  // collapse branch errors of anyOf into the anyOf error (which carries x-expected)
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  const kept = errors.filter((e) => !anyOfs.some((a) => a !== e &&
    e.instancePath.startsWith(a.instancePath) && e.schemaPath.startsWith(`${a.schemaPath}/`)));
  const out: { path: YamlPath; message: string }[] = [];
  const seen = new Set<string>();
  for (const e of kept) {
    if (e.keyword === 'if') continue;
    let path = pointerToPath(e.instancePath);
    let message: string;
    const expected = (e.parentSchema as Record<string, unknown> | undefined)?.['x-expected'];
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        path = [...path, key];
        message = `unknown field "${key}"`;
        break;
      }
      case 'required':
        message = `missing required field "${(e.params as { missingProperty: string }).missingProperty}"`;
        break;
      case 'const':
        message = `expected ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}, got ${describe(e.data)}`;
        break;
      case 'maxItems':
        message = `at most ${(e.params as { limit: number }).limit} entries allowed`;
        break;
      case 'propertyNames':
        message = 'keys must be numbers';
        break;
      default:
        message = typeof expected === 'string'
          ? `expected ${expected}, got ${describe(e.data)}`
          : `${e.message ?? 'invalid'}, got ${describe(e.data)}`;
    }
    const key = `${formatPath(path)}\n${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}

/** ajv sees plain JSON: bigints become numbers when safe, decimal strings otherwise. */
function jsonify(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(jsonify);
  if (v instanceof Map) {
    const o: Obj = {};
    for (const [k, x] of v) o[String(k)] = jsonify(x);
    return o;
  }
  if (v !== null && typeof v === 'object') {
    const o: Obj = {};
    for (const [k, x] of Object.entries(v)) o[k] = jsonify(x);
    return o;
  }
  return v;
}

/* ------------------------------------------------------------------ */
/* public: parse                                                        */
/* ------------------------------------------------------------------ */

export type ParsedConfig = { kind: 'system'; config: SystemConfig } | { kind: 'cell'; config: CellConfig };

function locate(doc: Document.Parsed, lc: LineCounter, path: YamlPath): { line?: number; column?: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && (node as YamlNode).range) {
      const pos = lc.linePos((node as YamlNode).range![0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

/** Parse a YAML system or cell configuration. Throws YamlConfigError (with paths and line:column). */
export function parseConfigYaml(text: string): ParsedConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, intAsBigInt: true, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    throw new YamlConfigError(doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return { path: '', message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''), line: pos?.line ?? 1, column: pos?.col ?? 1 };
    }));
  }
  const converted = yamlValue(doc, lc);
  if ('issues' in converted) throw new YamlConfigError(converted.issues.map((i) => ({ path: '', ...i })));
  const data = jsonify(converted.value);
  const fail = (issues: { path: YamlPath; message: string }[]): never => {
    const located = issues.map((i) => ({ path: formatPath(i.path), message: i.message, line: 1, column: 1, ...locate(doc, lc, i.path) }));
    // report in document order (stable for issues without a position)
    located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new YamlConfigError(located);
  };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    fail([{ path: [], message: 'expected a mapping with "kind: system" or "kind: cell"' }]);
  }
  const kind = (data as Obj).kind;
  if (kind !== 'system' && kind !== 'cell') {
    fail([{ path: ['kind'], message: `expected "system" or "cell", got ${describe(kind)}` }]);
  }
  const v = getValidators()[kind as 'system' | 'cell'];
  if (!v(data)) fail(ajvIssues(v.errors ?? []));
  const conv = new Conv();
  const result: ParsedConfig = kind === 'system'
    ? { kind: 'system', config: conv.system(data) }
    : { kind: 'cell', config: conv.cell(data, [], false) };
  if (conv.issues.length) fail(conv.issues);
  return result;
}

/** Validate a plain JS document (e.g. from JSON) against the schema; returns the issues. */
export function validateConfigDocument(data: unknown): YamlIssue[] {
  const kind = (data as Obj | null)?.kind;
  if (kind !== 'system' && kind !== 'cell') return [{ path: 'kind', message: `expected "system" or "cell", got ${describe(kind)}` }];
  const v = getValidators()[kind];
  return v(jsonify(data)) ? [] : ajvIssues(v.errors ?? []).map((i) => ({ path: formatPath(i.path), message: i.message }));
}

/* ------------------------------------------------------------------ */
/* model -> YAML                                                        */
/* ------------------------------------------------------------------ */

function hex(v: number | bigint): Scalar {
  const s = new Scalar(typeof v === 'bigint' ? v : v >>> 0);
  s.format = 'HEX';
  return s;
}

function flow(items: unknown[]): YAMLSeq {
  const seq = new YAMLSeq();
  seq.flow = true;
  seq.items.push(...items);
  return seq;
}

function flagList<T extends number | bigint>(table: FlagTable<T>, value: T): YAMLSeq {
  const { names, rest } = splitFlags(table, value);
  const items: unknown[] = [...names];
  if (typeof rest === 'bigint' ? rest !== 0n : rest !== 0) items.push(hex(rest));
  return flow(items);
}

function enumOut(table: EnumTable, v: number): unknown {
  const n = enumName(table, v);
  if (n !== undefined) return n;
  // a raw value that reads back as a name when written as a plain number (console type 8250 = "8250")
  if (lookupName(table, String(v)) !== undefined) return `0x${v.toString(16)}`;
  return hex(v);
}

function bytesHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

function isZeroBytes(b: Uint8Array): boolean {
  return b.every((x) => x === 0);
}

/** Pins as a list: single numbers, and runs of 3 or more as "a-b". */
export function formatPinList(pins: number[]): (number | string)[] {
  const out: (number | string)[] = [];
  for (let i = 0; i < pins.length;) {
    let j = i;
    while (j + 1 < pins.length && pins[j + 1] === pins[j]! + 1) j++;
    if (j - i >= 2) out.push(`${pins[i]}-${pins[j]}`);
    else for (let k = i; k <= j; k++) out.push(pins[k]!);
    i = j + 1;
  }
  return out;
}

function memoryRegionOut(m: MemoryRegion): Obj {
  return { phys_start: hex(m.phys_start), virt_start: hex(m.virt_start), size: formatSize(m.size), flags: flagList(MEM_FLAG_NAMES, m.flags) };
}

function consoleOut(c: Console): Obj {
  const o: Obj = { type: enumOut(CONSOLE_TYPES, c.type) };
  if (c.address) o.address = hex(c.address);
  if (c.size) o.size = formatSize(c.size);
  if (c.flags) o.flags = flagList(CON_FLAG_NAMES, c.flags);
  if (c.divider) o.divider = hex(c.divider);
  if (c.gate_nr) o.gate_nr = c.gate_nr;
  if (c.clock_reg) o.clock_reg = hex(c.clock_reg);
  return o;
}

function isEmptyConsole(c: Console): boolean {
  return !c.address && !c.size && !c.type && !c.flags && !c.divider && !c.gate_nr && !c.clock_reg;
}

function pciDeviceOut(d: PciDevice): Obj {
  const o: Obj = { type: enumOut(PCI_TYPES, d.type), bdf: formatBdf(d.bdf) };
  if (d.domain) o.domain = hex(d.domain);
  if (d.iommu) o.iommu = d.iommu;
  o.bar_mask = flow(d.bar_mask.map((b) => hex(b)));
  if (d.caps_start || d.num_caps) { o.caps_start = d.caps_start; o.num_caps = d.num_caps; }
  if (d.num_msi_vectors) o.num_msi_vectors = d.num_msi_vectors;
  if (d.msi_flags) o.msi_flags = flagList(MSI_FLAG_NAMES, d.msi_flags);
  if (d.num_msix_vectors) o.num_msix_vectors = d.num_msix_vectors;
  if (d.msix_region_size) o.msix_region_size = formatSize(d.msix_region_size);
  if (d.msix_address) o.msix_address = hex(d.msix_address);
  if (d.type === 3 || d.shmem_regions_start || d.shmem_dev_id || d.shmem_peers || d.shmem_protocol) {
    o.shmem_regions_start = d.shmem_regions_start;
    o.shmem_dev_id = d.shmem_dev_id;
    o.shmem_peers = d.shmem_peers;
    o.shmem_protocol = enumOut(SHMEM_PROTOCOLS, d.shmem_protocol);
  }
  return o;
}

function cellBody(c: CellConfig): Obj {
  const o: Obj = { name: c.name };
  if (c.id) o.id = c.id;
  o.flags = flagList(CELL_FLAG_NAMES, c.flags);
  o.cpus = flow(c.cpus.map((x) => (x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : hex(x))));
  if (c.cpu_reset_address) o.cpu_reset_address = hex(c.cpu_reset_address);
  if (c.msg_reply_timeout) o.msg_reply_timeout = c.msg_reply_timeout;
  if (c.vpci_irq_base) o.vpci_irq_base = c.vpci_irq_base;
  if (!isEmptyConsole(c.console)) o.console = consoleOut(c.console);
  o.memory_regions = c.memory_regions.map(memoryRegionOut);
  if (c.cache_regions.length) {
    o.cache_regions = c.cache_regions.map((r) => {
      const x: Obj = { start: r.start, size: r.size, type: r.type };
      if (r.padding) x.padding = r.padding;
      x.flags = flagList(CACHE_FLAG_NAMES, r.flags);
      return x;
    });
  }
  if (c.irqchips.length) {
    o.irqchips = c.irqchips.map((ic) => ({
      address: hex(ic.address), id: ic.id, pin_base: ic.pin_base, pins: flow(formatPinList(irqchipPins(ic))),
    }));
  }
  if (c.pio_regions.length) o.pio_regions = c.pio_regions.map((p) => ({ base: hex(p.base), length: hex(p.length) }));
  if (c.pci_devices.length) o.pci_devices = c.pci_devices.map(pciDeviceOut);
  if (c.pci_caps.length) {
    o.pci_caps = c.pci_caps.map((cap) => {
      const x: Obj = { id: hex(cap.id & 0x7fff) };
      if (cap.id & 0x8000) x.extended = true;
      x.start = hex(cap.start);
      x.len = cap.len;
      x.flags = flagList(PCICAP_FLAG_NAMES, cap.flags);
      return x;
    });
  }
  if (c.stream_ids.length) o.stream_ids = flow(c.stream_ids.map((s) => hex(s)));
  const raw = c.raw;
  if (raw) {
    const r: Obj = {};
    if (raw.name) r.name = bytesHex(raw.name);
    if (raw.header && !isZeroBytes(raw.header)) r.header = bytesHex(raw.header);
    if (raw.cpu_padding && Object.keys(raw.cpu_padding).length) {
      const pads: Obj = {};
      for (const [k, b] of Object.entries(raw.cpu_padding)) pads[k] = bytesHex(b);
      r.cpu_padding = pads;
    }
    if (raw.trailing && raw.trailing.length) r.trailing = bytesHex(raw.trailing);
    if (Object.keys(r).length) o.raw = r;
  }
  return o;
}

const STRINGIFY = { lineWidth: 0, flowCollectionPadding: false, indentSeq: true } as const;

function render(obj: Obj, comment: string): string {
  const doc = new Document(obj);
  doc.commentBefore = comment;
  return doc.toString(STRINGIFY);
}

/** YAML text of a standalone cell configuration. */
export function cellConfigToYaml(cell: CellConfig): string {
  const o: Obj = { kind: 'cell', revision: CONFIG_REVISION, architecture: 'riscv64', ...cellBody(cell) };
  return render(o, ` Jailhouse cell configuration "${cell.name}" (revision ${CONFIG_REVISION}, riscv64)`);
}

/** YAML text of a system configuration (including the root cell). */
export function systemConfigToYaml(sys: SystemConfig): string {
  const pi = sys.platform_info, ic = pi.riscv.irqchip;
  const icOut: Obj = { type: enumOut(RISCV_IRQCHIP_TYPES, ic.type), base_address: hex(ic.base_address), size: formatSize(ic.size), max_irq: ic.max_irq, max_priority: ic.max_priority };
  if (ic.imsic_base) icOut.imsic_base = hex(ic.imsic_base);
  if (ic.imsic_size) icOut.imsic_size = formatSize(ic.imsic_size);
  if (ic.imsic_stride) icOut.imsic_stride = hex(ic.imsic_stride);
  if (ic.reserved0) icOut.reserved0 = ic.reserved0;
  if (ic.reserved1) icOut.reserved1 = ic.reserved1;
  const h2c = ic.hart_to_context.slice(0, HART_TO_CONTEXT_LEN);
  while (h2c.length && h2c[h2c.length - 1] === -1) h2c.pop();
  icOut.hart_to_context = flow(h2c);
  const piOut: Obj = {
    pci_mmconfig_base: hex(pi.pci_mmconfig_base),
    pci_mmconfig_end_bus: pi.pci_mmconfig_end_bus,
    pci_is_virtual: pi.pci_is_virtual === 0 || pi.pci_is_virtual === 1 ? pi.pci_is_virtual === 1 : pi.pci_is_virtual,
    pci_domain: hex(pi.pci_domain),
  };
  const units = pi.iommu_units.slice();
  const unitZero = (u: IommuUnit) => !u.type && !u.base && !u.size && isZeroBytes(u.data);
  while (units.length && unitZero(units[units.length - 1]!)) units.pop();
  if (units.length) {
    piOut.iommu_units = units.map((u) => {
      const x: Obj = { type: u.type, base: hex(u.base), size: formatSize(u.size) };
      if (!isZeroBytes(u.data)) x.data = bytesHex(u.data);
      return x;
    });
  }
  piOut.irqchip = icOut;
  const o: Obj = {
    kind: 'system',
    revision: CONFIG_REVISION,
    architecture: 'riscv64',
    flags: flagList(SYS_FLAG_NAMES, sys.flags),
    hypervisor_memory: memoryRegionOut(sys.hypervisor_memory),
    debug_console: consoleOut(sys.debug_console),
    platform_info: piOut,
    root_cell: cellBody(sys.root_cell),
  };
  if (sys.raw?.trailing?.length) o.raw = { trailing: bytesHex(sys.raw.trailing) };
  return render(o, ` Jailhouse system configuration "${sys.root_cell.name}" (revision ${CONFIG_REVISION}, riscv64)`);
}

