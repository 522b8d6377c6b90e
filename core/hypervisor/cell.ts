import type { HartExits } from '../cpu/environment.ts';
import type { PciConfigSpace } from '../machine/pci-host.ts';
import type { Sbi } from '../machine/sbi.ts';
import { CellState, type HartId } from './abi.ts';
import type { CommPage } from './comm-region.ts';
import {
  CELL_PASSIVE_COMMREG, CELL_VIRTUAL_CONSOLE_ACTIVE, CELL_VIRTUAL_CONSOLE_PERMITTED, irqchipPins, type CellConfig,
} from './config/types.ts';
import type { CellMemoryMap } from './memory-map.ts';
import type { PageRun } from './page-pool.ts';

/**
 * An emulated device window of a cell (Jailhouse's mmio_region_register): accesses inside it exit to the
 * handler instead of the memory map. `read` returns the value (zero-extended) or undefined, `write` false,
 * for an access the device rejects: that is reported and parks the CPU like any violation.
 */
export interface MmioHandler {
  read(offset: number, size: 1 | 2 | 4 | 8): number | undefined;
  write(offset: number, size: 1 | 2 | 4 | 8, lo: number, hi: number): boolean;
}

interface MmioRegion {
  start: number;
  end: number;
  handler: MmioHandler;
}

/** A cell id: 0 is the root cell. */
export type CellId = number;

/**
 * One cell: its parsed configuration (read once), the resources it owns right now (CPUs, interrupt
 * sources, PCI functions), its second stage, its communication page and the pages the hypervisor spent
 * on it. Cells are created by control.ts; this class holds state and answers questions about it.
 */
export class Cell {
  /** Harts assigned to the cell. */
  readonly cpus = new Set<HartId>();
  /** Interrupt sources (PLIC pins) the cell owns. */
  readonly pins = new Set<number>();
  /** Virtual interrupt sources in the cell's view of the PLIC (ivshmem INTx; virtual-plic.ts). */
  readonly virqs = new Set<number>();
  /** Interrupt sources its config lists (what the root cell gets back when a cell is destroyed). */
  readonly configPins = new Set<number>();
  /** PCI functions (bdf) the cell owns. */
  readonly pciDevices = new Set<number>();
  /** LOADABLE regions are mapped into the root cell (between set-loadable and start). */
  loadable = false;
  /** Pages of hypervisor memory spent on this cell (cell data, comm page, page tables). */
  readonly pages: PageRun[] = [];
  /** Emulated device windows (e.g. ivshmem register BARs), consulted before the memory map. */
  readonly mmioRegions: MmioRegion[] = [];
  /** PCI functions the hypervisor emulates for this cell (e.g. ivshmem), by bdf; owned like pciDevices. */
  readonly virtualPci = new Map<number, PciConfigSpace>();
  /** The exit handler the cell's harts use, and its SBI; set by the hypervisor when it builds the cell. */
  exits!: HartExits;
  sbi!: Sbi;

  constructor(
    readonly id: CellId,
    readonly config: CellConfig,
    readonly map: CellMemoryMap,
    readonly comm: CommPage,
    platformIrqchipBase: bigint,
  ) {
    for (const cpu of config.cpus) this.cpus.add(Number(cpu));
    for (const chip of config.irqchips) {
      if (chip.address === platformIrqchipBase) for (const pin of irqchipPins(chip)) { this.pins.add(pin); this.configPins.add(pin); }
    }
    for (const dev of config.pci_devices) this.pciDevices.add(dev.bdf);
  }

  /** Routes accesses to [start, start + size) of the cell's GPA space to `handler`. */
  registerMmio(start: number, size: number, handler: MmioHandler): void {
    this.mmioRegions.push({ start, end: start + size, handler });
  }

  unregisterMmio(handler: MmioHandler): void {
    const i = this.mmioRegions.findIndex((r) => r.handler === handler);
    if (i >= 0) this.mmioRegions.splice(i, 1);
  }

  /** The emulated device window containing `gpa`, if any. */
  mmioRegionAt(gpa: number): MmioRegion | undefined {
    for (const r of this.mmioRegions) if (gpa >= r.start && gpa < r.end) return r;
    return undefined;
  }

  get name(): string {
    return this.config.name;
  }

  get isRoot(): boolean {
    return this.id === 0;
  }

  /** The state the cell reports in its comm region (what CELL_GET_STATE returns). */
  get state(): CellState {
    return this.comm.cellState;
  }

  get passiveCommRegion(): boolean {
    return (this.config.flags & CELL_PASSIVE_COMMREG) !== 0;
  }

  /** Whether the cell may write to its virtual console (the root cell always may). */
  get consolePermitted(): boolean {
    return this.isRoot || (this.config.flags & CELL_VIRTUAL_CONSOLE_PERMITTED) !== 0;
  }

  /** The comm region's flags: DBG_PUTC_PERMITTED / DBG_PUTC_ACTIVE from the cell flags. */
  get commFlags(): number {
    return ((this.config.flags & CELL_VIRTUAL_CONSOLE_PERMITTED) !== 0 ? 1 : 0) |
      ((this.config.flags & CELL_VIRTUAL_CONSOLE_ACTIVE) !== 0 ? 2 : 0);
  }
}
