/**
 * Symbolic names used by the YAML form (and by `config check` messages) for flags and enums.
 * Input names are matched case-insensitively, with `_` and `-` equivalent, and the C prefixes
 * (JAILHOUSE_MEM_, JAILHOUSE_CELL_, JAILHOUSE_SYS_, JAILHOUSE_CON_, JAILHOUSE_CON_TYPE_,
 * JAILHOUSE_PCI_TYPE_, JAILHOUSE_SHMEM_PROTO_, ...) accepted.
 */

export type FlagTable<T extends number | bigint> = ReadonlyArray<readonly [name: string, bit: T]>;

export const MEM_FLAG_NAMES: FlagTable<bigint> = [
  ['read', 0x1n], ['write', 0x2n], ['execute', 0x4n], ['dma', 0x8n], ['io', 0x10n],
  ['comm-region', 0x20n], ['loadable', 0x40n], ['rootshared', 0x80n], ['no-hugepages', 0x100n],
  ['io-unaligned', 0x8000n], ['io-8', 0x1_0000n], ['io-16', 0x2_0000n], ['io-32', 0x4_0000n], ['io-64', 0x8_0000n],
];

export const CELL_FLAG_NAMES: FlagTable<number> = [
  ['passive-commreg', 0x1], ['test-device', 0x2], ['aarch32', 0x4],
  ['virtual-console-permitted', 0x4000_0000], ['virtual-console-active', 0x8000_0000],
];

export const SYS_FLAG_NAMES: FlagTable<number> = [['virtual-debug-console', 0x1]];

export const CON_FLAG_NAMES: FlagTable<number> = [['access-mmio', 0x1], ['regdist-4', 0x2]];

export const CACHE_FLAG_NAMES: FlagTable<number> = [['rootshared', 0x1]];

export const MSI_FLAG_NAMES: FlagTable<number> = [['64bit', 0x1], ['maskable', 0x2]];

export const PCICAP_FLAG_NAMES: FlagTable<number> = [['write', 0x1]];

export type EnumTable = ReadonlyArray<readonly [name: string, value: number]>;

export const CONSOLE_TYPES: EnumTable = [
  ['none', 0x0], ['efifb', 0x1], ['8250', 0x2], ['pl011', 0x3], ['xuartps', 0x4], ['mvebu', 0x5],
  ['hscif', 0x6], ['scifa', 0x7], ['imx', 0x8], ['imx-lpuart', 0x9], ['riscv-sbi', 0xb],
];

export const PCI_TYPES: EnumTable = [['device', 1], ['bridge', 2], ['ivshmem', 3]];

export const RISCV_IRQCHIP_TYPES: EnumTable = [['plic', 0], ['aplic', 1]];

export const SHMEM_PROTOCOLS: EnumTable = [
  ['undefined', 0x0000], ['ivshmem-net', 0x0001],
  ['virtio-front-net', 0x8001], ['virtio-front-blk', 0x8002], ['virtio-front-console', 0x8003],
  ['virtio-back-net', 0xc001], ['virtio-back-blk', 0xc002], ['virtio-back-console', 0xc003],
];

const ALIASES: Record<string, string> = {
  veth: 'ivshmem-net',
  'virtio-front-block': 'virtio-front-blk',
  'virtio-back-block': 'virtio-back-blk',
  'riscv_sbi': 'riscv-sbi',
  sbi: 'riscv-sbi',
  '16550': '8250',
  '16550a': '8250',
  ivshmem2: 'ivshmem',
  mmio: 'access-mmio',
  '64bits': '64bit',
  'msi-64bits': '64bit',
};

const PREFIXES = [
  'jailhouse-mem-', 'jailhouse-cell-', 'jailhouse-sys-', 'jailhouse-con-type-', 'jailhouse-con-',
  'jailhouse-cache-', 'jailhouse-pci-type-', 'jailhouse-shmem-proto-', 'jailhouse-pcicaps-', 'jailhouse-riscv-',
];

export function normalizeName(s: string): string {
  let n = s.trim().toLowerCase().replace(/_/g, '-');
  for (const p of PREFIXES) if (n.startsWith(p)) { n = n.slice(p.length); break; }
  return ALIASES[n] ?? n;
}

export function lookupName(table: EnumTable | FlagTable<number> | FlagTable<bigint>, s: string): number | bigint | undefined {
  const n = normalizeName(s);
  for (const [name, v] of table) if (name === n) return v;
  return undefined;
}

export function enumName(table: EnumTable, v: number): string | undefined {
  for (const [name, x] of table) if (x === v) return name;
  return undefined;
}

export function protocolName(p: number): string {
  const n = enumName(SHMEM_PROTOCOLS, p);
  if (n) return n;
  if (p >= 0x4000 && p < 0x8000) return `custom 0x${p.toString(16)}`;
  if (p >= 0xc000) return `virtio-back 0x${(p - 0xc000).toString(16)}`;
  if (p >= 0x8000) return `virtio-front 0x${(p - 0x8000).toString(16)}`;
  return `0x${p.toString(16).padStart(4, '0')}`;
}

/** Names of the set bits (in bit order) plus the value of the unknown bits. */
export function splitFlags<T extends number | bigint>(table: FlagTable<T>, value: T): { names: string[]; rest: T } {
  const names: string[] = [];
  if (typeof value === 'bigint') {
    let rest = value as bigint;
    for (const [name, bit] of table) if ((rest & (bit as bigint)) !== 0n) { names.push(name); rest &= ~(bit as bigint); }
    return { names, rest: rest as T };
  }
  let rest = (value as number) >>> 0;
  for (const [name, bit] of table) {
    if ((rest & (bit as number)) >>> 0) { names.push(name); rest = (rest & ~(bit as number)) >>> 0; }
  }
  return { names, rest: rest as T };
}

export function memFlagsText(flags: bigint): string {
  const { names, rest } = splitFlags(MEM_FLAG_NAMES, flags);
  if (rest) names.push(`0x${rest.toString(16)}`);
  return names.length ? names.join('|') : 'none';
}
