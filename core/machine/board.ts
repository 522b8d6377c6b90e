/** The board's fixed memory map and interrupt numbers (board.md); one place for every address. */
export const Board = {
  finisher: { base: 0x0010_0000, size: 0x1000 },
  clint: { base: 0x0200_0000, size: 0x1_0000 },
  plic: { base: 0x0c00_0000, size: 0x60_0000, sources: 96 },
  uart0: { base: 0x1000_0000, size: 0x1000, irq: 10 },
  /** Extra UARTs for cells that own one (a project addition): base + i * stride, IRQ irqBase + i. */
  extraUart: { base: 0x1010_0000, stride: 0x1000, irqBase: 12, max: 4 },
  /** QEMU's mask ROM: reset vector and fw_dynamic_info (readable, not writable). */
  mrom: { base: 0x0000_1000, size: 0xf000 },
  pciPio: { base: 0x0300_0000, size: 0x1_0000 },
  pciEcam: { base: 0x3000_0000, size: 0x1000_0000 },
  pciMmio: { base: 0x4000_0000, size: 0x4000_0000 },
  /** OpenSBI's own region at the start of RAM: its PMP gives S-mode no access (no R, W or X). */
  firmware: { base: 0x8000_0000, size: 0x8_0000 },
  /** INTA..INTD of the PCI host bridge. */
  pciIntxIrqBase: 32,
  ram: { base: 0x8000_0000, defaultSize: 1 << 30 },
  /** Where kernels conventionally go, and where a raw image lands by default. */
  kernelAddress: 0x8020_0000,
  /** The `time` CSR frequency. */
  timebaseHz: 10_000_000,
  maxHarts: 32,
  defaultHarts: 6,
} as const;
