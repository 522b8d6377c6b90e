/**
 * Typed domain model of Jailhouse configuration files, revision 15, architecture 3 (riscv64).
 *
 * Binary layout: /work/shared/spec/jailhouse-abi.md ("Binary configuration files").
 *
 * Number representation (one rule, no exceptions):
 *   - every field that is 64 bits wide in the binary file is a `bigint`
 *     (addresses, sizes, memory-region flags, cpu_reset_address, msg_reply_timeout, hart ids, ...);
 *   - every field of 32 bits or less is a `number` (u32 values are kept unsigned, 0..2^32-1;
 *     use `>>> 0` after bitwise operations on them).
 * This keeps every value exact, so binary -> model -> binary is byte-identical.
 *
 * Bytes that carry no meaning but were found non-zero in a file (padding, the loader-filled id,
 * a name with garbage after its NUL, bytes after the last array, ...) are preserved in the `raw`
 * members so that files written by other tools still round-trip byte-identically.
 *
 * No Node built-ins here: this module also runs in a browser worker.
 */

export const CONFIG_REVISION = 15;
export const ARCH_X86 = 0;
export const ARCH_ARM = 1;
export const ARCH_ARM64 = 2;
export const ARCH_RISCV64 = 3;
export const ARCH_NAMES: Readonly<Record<number, string>> = { 0: 'x86', 1: 'arm', 2: 'arm64', 3: 'riscv64' };

export const CELL_SIGNATURE = 'JHCLL';
export const SYSTEM_SIGNATURE = 'JHSYS';
export const CELL_NAME_MAXLEN = 31;

/* ---- structure sizes (bytes) ---- */
export const CELL_DESC_SIZE = 132;
export const SYSTEM_HEADER_SIZE = 416; // system descriptor up to (excluding) root_cell
export const SYSTEM_DESC_SIZE = SYSTEM_HEADER_SIZE + CELL_DESC_SIZE; // 548
export const CPU_SIZE = 16;
export const MEMORY_REGION_SIZE = 32;
export const CACHE_REGION_SIZE = 12;
export const IRQCHIP_SIZE = 32;
export const PIO_REGION_SIZE = 4;
export const PCI_DEVICE_SIZE = 56;
export const PCI_CAP_SIZE = 8;
export const STREAM_ID_SIZE = 4;
export const CONSOLE_SIZE = 32;
export const IOMMU_UNIT_SIZE = 28;
export const MAX_IOMMU_UNITS = 8;
export const HART_TO_CONTEXT_LEN = 32;

/* ---- cell flags (u32, number) ---- */
export const CELL_PASSIVE_COMMREG = 0x0000_0001;
export const CELL_TEST_DEVICE = 0x0000_0002;
export const CELL_AARCH32 = 0x0000_0004;
export const CELL_VIRTUAL_CONSOLE_PERMITTED = 0x4000_0000;
export const CELL_VIRTUAL_CONSOLE_ACTIVE = 0x8000_0000;

/* ---- system flags (u32, number) ---- */
export const SYS_VIRTUAL_DEBUG_CONSOLE = 0x0000_0001;

/* ---- memory region flags (u64, bigint) ---- */
export const MEM_READ = 0x0001n;
export const MEM_WRITE = 0x0002n;
export const MEM_EXECUTE = 0x0004n;
export const MEM_DMA = 0x0008n;
export const MEM_IO = 0x0010n;
export const MEM_COMM_REGION = 0x0020n;
export const MEM_LOADABLE = 0x0040n;
export const MEM_ROOTSHARED = 0x0080n;
export const MEM_NO_HUGEPAGES = 0x0100n;
export const MEM_IO_UNALIGNED = 0x8000n;
export const MEM_IO_8 = 0x1_0000n;
export const MEM_IO_16 = 0x2_0000n;
export const MEM_IO_32 = 0x4_0000n;
export const MEM_IO_64 = 0x8_0000n;
export const MEM_VALID_FLAGS =
  MEM_READ | MEM_WRITE | MEM_EXECUTE | MEM_DMA | MEM_IO | MEM_COMM_REGION | MEM_LOADABLE |
  MEM_ROOTSHARED | MEM_NO_HUGEPAGES | MEM_IO_UNALIGNED | MEM_IO_8 | MEM_IO_16 | MEM_IO_32 | MEM_IO_64;

/* ---- console ---- */
export const CON_TYPE_NONE = 0x0000;
export const CON_TYPE_8250 = 0x0002;
export const CON_TYPE_RISCV_SBI = 0x000b;
export const CON_ACCESS_MMIO = 0x0001;
export const CON_REGDIST_4 = 0x0002;

/* ---- cache regions ---- */
export const CACHE_ROOTSHARED = 0x0001;

/* ---- riscv irqchip ---- */
export const RISCV_IRQCHIP_PLIC = 0;
export const RISCV_IRQCHIP_APLIC = 1;

/* ---- PCI ---- */
export const PCI_TYPE_DEVICE = 1;
export const PCI_TYPE_BRIDGE = 2;
export const PCI_TYPE_IVSHMEM = 3;
export const PCI_MSI_64BITS = 0x01;
export const PCI_MSI_MASKABLE = 0x02;
export const PCICAPS_WRITE = 0x0001;
export const PCI_EXT_CAP = 0x8000;

/* ---- ivshmem protocols (ivshmem.md) ---- */
export const SHMEM_PROTO_UNDEFINED = 0x0000;
export const SHMEM_PROTO_VETH = 0x0001;
export const SHMEM_PROTO_CUSTOM = 0x4000; // 0x4000..0x7fff
export const SHMEM_PROTO_VIRTIO_FRONT = 0x8000; // + virtio device id
export const SHMEM_PROTO_VIRTIO_BACK = 0xc000; // + virtio device id
export const VIRTIO_DEV_NET = 1;
export const VIRTIO_DEV_BLOCK = 2;
export const VIRTIO_DEV_CONSOLE = 3;

/** u64 phys_start (HPA), virt_start (GPA), size, flags. */
export interface MemoryRegion {
  phys_start: bigint;
  virt_start: bigint;
  size: bigint;
  flags: bigint;
}

/** 12 bytes: u32 start, u32 size, u8 type, u8 padding, u16 flags. */
export interface CacheRegion {
  start: number;
  size: number;
  type: number;
  /** the padding byte (0 in every normal file; preserved) */
  padding: number;
  flags: number;
}

/** 32 bytes: u64 address, u32 id, u32 pin_base, u32 pin_bitmap[4]. */
export interface Irqchip {
  address: bigint;
  id: number;
  pin_base: number;
  /** bit i of word w = interrupt source pin_base + 32*w + i */
  pin_bitmap: [number, number, number, number];
}

/** 4 bytes: u16 base, u16 length. */
export interface PioRegion {
  base: number;
  length: number;
}

/** 56 bytes, see jailhouse-abi.md. */
export interface PciDevice {
  type: number;
  iommu: number;
  domain: number;
  /** bus << 8 | dev << 3 | fn */
  bdf: number;
  bar_mask: [number, number, number, number, number, number];
  caps_start: number;
  num_caps: number;
  num_msi_vectors: number;
  /** the u8 at offset 35: bit0 64-bit, bit1 maskable (other bits preserved) */
  msi_flags: number;
  num_msix_vectors: number;
  msix_region_size: number;
  msix_address: bigint;
  shmem_regions_start: number;
  shmem_dev_id: number;
  shmem_peers: number;
  shmem_protocol: number;
}

/** 8 bytes: u16 id (| 0x8000 = extended), u16 start, u16 len, u16 flags. */
export interface PciCapability {
  id: number;
  start: number;
  len: number;
  flags: number;
}

/** 32 bytes. */
export interface Console {
  address: bigint;
  size: number;
  type: number;
  flags: number;
  divider: number;
  gate_nr: number;
  clock_reg: bigint;
}

/** Bytes preserved only for exact round trips; absent in normal configurations. */
export interface CellRaw {
  /** the 32 name bytes, when they are not the canonical encoding of `name` (UTF-8 + zero fill) */
  name?: Uint8Array;
  /** cpu index -> its 8 padding bytes, only for entries whose padding is not all zero */
  cpu_padding?: Record<number, Uint8Array>;
  /**
   * Root cell inside a system file only: the 8 bytes signature+architecture+revision when they are
   * not all zero (the reference build leaves them zero, and so does our writer by default).
   */
  header?: Uint8Array;
  /** Standalone cell files only: bytes after the last array (ignored by Jailhouse, preserved here). */
  trailing?: Uint8Array;
}

export interface CellConfig {
  name: string;
  /** filled in by the loader; 0 in configuration files */
  id: number;
  flags: number;
  /** hart ids (jailhouse_cpu.phys_id), in file order */
  cpus: bigint[];
  memory_regions: MemoryRegion[];
  cache_regions: CacheRegion[];
  irqchips: Irqchip[];
  pio_regions: PioRegion[];
  pci_devices: PciDevice[];
  pci_caps: PciCapability[];
  stream_ids: number[];
  vpci_irq_base: number;
  cpu_reset_address: bigint;
  msg_reply_timeout: bigint;
  console: Console;
  raw?: CellRaw;
}

/** 28 bytes, unused on this board; the type-specific 12 bytes are kept raw. */
export interface IommuUnit {
  type: number;
  base: bigint;
  size: number;
  /** bytes 16..27 (type specific) */
  data: Uint8Array;
}

export interface RiscvIrqchipInfo {
  max_irq: number;
  /** 0 PLIC, 1 APLIC */
  type: number;
  /** byte 315 (reserved, preserved) */
  reserved0: number;
  base_address: bigint;
  size: number;
  max_priority: number;
  imsic_stride: number;
  /** bytes 334..335 (reserved, preserved) */
  reserved1: number;
  imsic_base: bigint;
  imsic_size: bigint;
  /** s16[32]: PLIC S-mode context of hart i, -1 = none */
  hart_to_context: number[];
}

export interface PlatformInfo {
  pci_mmconfig_base: bigint;
  pci_mmconfig_end_bus: number;
  pci_is_virtual: number;
  pci_domain: number;
  /** always 8 entries */
  iommu_units: IommuUnit[];
  riscv: { irqchip: RiscvIrqchipInfo };
}

export interface SystemConfig {
  flags: number;
  hypervisor_memory: MemoryRegion;
  debug_console: Console;
  platform_info: PlatformInfo;
  root_cell: CellConfig;
  raw?: {
    /** bytes after the root cell's last array (ignored by Jailhouse, preserved here) */
    trailing?: Uint8Array;
  };
}

/* ---------------- helpers ---------------- */

export function emptyConsole(): Console {
  return { address: 0n, size: 0, type: CON_TYPE_NONE, flags: 0, divider: 0, gate_nr: 0, clock_reg: 0n };
}

export function emptyCell(name = ''): CellConfig {
  return {
    name,
    id: 0,
    flags: 0,
    cpus: [],
    memory_regions: [],
    cache_regions: [],
    irqchips: [],
    pio_regions: [],
    pci_devices: [],
    pci_caps: [],
    stream_ids: [],
    vpci_irq_base: 0,
    cpu_reset_address: 0n,
    msg_reply_timeout: 0n,
    console: emptyConsole(),
  };
}

export function emptyIommuUnit(): IommuUnit {
  return { type: 0, base: 0n, size: 0, data: new Uint8Array(12) };
}

export function emptyPciDevice(): PciDevice {
  return {
    type: PCI_TYPE_DEVICE, iommu: 0, domain: 0, bdf: 0, bar_mask: [0, 0, 0, 0, 0, 0], caps_start: 0,
    num_caps: 0, num_msi_vectors: 0, msi_flags: 0, num_msix_vectors: 0, msix_region_size: 0,
    msix_address: 0n, shmem_regions_start: 0, shmem_dev_id: 0, shmem_peers: 0, shmem_protocol: 0,
  };
}

/** Size of a cell descriptor plus its arrays, as Jailhouse's jailhouse_cell_config_size(). */
export function cellConfigSize(c: {
  cpus: unknown[]; memory_regions: unknown[]; cache_regions: unknown[]; irqchips: unknown[];
  pio_regions: unknown[]; pci_devices: unknown[]; pci_caps: unknown[]; stream_ids: unknown[];
}): number {
  return CELL_DESC_SIZE + c.cpus.length * CPU_SIZE + c.memory_regions.length * MEMORY_REGION_SIZE +
    c.cache_regions.length * CACHE_REGION_SIZE + c.irqchips.length * IRQCHIP_SIZE +
    c.pio_regions.length * PIO_REGION_SIZE + c.pci_devices.length * PCI_DEVICE_SIZE +
    c.pci_caps.length * PCI_CAP_SIZE + c.stream_ids.length * STREAM_ID_SIZE;
}

/** "bb:dd.f" */
export function formatBdf(bdf: number): string {
  const bus = (bdf >> 8) & 0xff, dev = (bdf >> 3) & 0x1f, fn = bdf & 7;
  return `${hex2(bus)}:${hex2(dev)}.${fn}`;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Interrupt sources of an irqchip entry (absolute numbers: pin_base + bit). */
export function irqchipPins(chip: Irqchip): number[] {
  const pins: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = chip.pin_bitmap[w]! >>> 0;
    for (let b = 0; b < 32; b++) if ((word >>> b) & 1) pins.push(chip.pin_base + w * 32 + b);
  }
  return pins;
}
