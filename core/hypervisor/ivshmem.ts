import {
  MEM_WRITE, PCI_TYPE_IVSHMEM, irqchipPins, type CellConfig, type MemoryRegion, type PciDevice,
} from './config/types.ts';
import { VIRTIO_MIN_RW_SIZE, protocolMismatch, virtioRole } from './config/shmem-protocol.ts';
import { intxIrq, intxPin, intxProblem } from './config/ivshmem-intx.ts';

export { intxPin } from './config/ivshmem-intx.ts';

/*
 * ivshmem 2.0 links between cells (shared/spec/ivshmem.md; Jailhouse's hypervisor/ivshmem.c).
 *
 * A *link* is identified by the bdf its peers share; each participating cell has one *endpoint* on it:
 * a virtual PCI function (config space below) with a 4 KiB register BAR and an INTx line. The shared
 * memory itself is ordinary memory regions of the cells' configs (mapped by the cell's second stage with
 * the flags the config gives, which checkEndpoint() insists are right); the hypervisor only writes the
 * state table. Everything here is plain state + arithmetic: the hypervisor supplies an IvshmemHost for
 * interrupts, shared-memory writes and console lines.
 */

export const IVSHMEM_VENDOR_ID = 0x110a;
export const IVSHMEM_DEVICE_ID = 0x4106;
/** Peers of one link at most (Jailhouse's IVSHMEM_MAX_PEERS). */
export const IVSHMEM_MAX_PEERS = 16;

/** BAR0 register offsets. */
export const IvshmemReg = { Id: 0x00, MaxPeers: 0x04, IntCtrl: 0x08, Doorbell: 0x0c, State: 0x10 } as const;

/** Config space layout. */
export const PCI_CFG_ID = 0x00;
export const PCI_CFG_COMMAND = 0x04;
export const PCI_CFG_CLASS = 0x08;
export const PCI_CFG_HEADER = 0x0c;
export const PCI_CFG_BAR0 = 0x10;
export const PCI_CFG_SUBSYS = 0x2c;
export const PCI_CFG_CAPS = 0x34;
export const PCI_CFG_INT = 0x3c;
export const PCI_CAP_ID_VNDR = 0x09;
export const IVSHMEM_CFG_VNDR_CAP = 0x40;
export const IVSHMEM_CFG_VNDR_LEN = 0x20;
/** Vendor capability fields (offsets from IVSHMEM_CFG_VNDR_CAP). */
export const VndrCap = { PrivCtrl: 0x03, StateTabSize: 0x04, RwSize: 0x08, OutputSize: 0x10, Address: 0x18 } as const;

export const PCI_CMD_IO = 0x0001;
export const PCI_CMD_MEM = 0x0002;
export const PCI_CMD_MASTER = 0x0004;
export const PCI_CMD_INTX_OFF = 0x0400;
/** The writable command bits: I/O, memory, bus master, INTx disable. */
export const IVSHMEM_CMD_WRITABLE = PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_OFF;
export const PCI_STS_CAPS = 0x0010;
/** Privileged control bit 0: one-shot interrupt mode. */
export const IVSHMEM_PRIV_ONESHOT = 0x01;
/** Interrupt Control bit 0: interrupts enabled. */
export const IVSHMEM_INT_ENABLE = 0x01;
/** BAR0 mask when the config leaves bar_mask[0] at 0 (4 KiB, 32-bit memory BAR). */
export const IVSHMEM_DEFAULT_BAR_MASK = 0xffff_f000;

const TWO32 = 0x1_0000_0000;

/** A PCI function's config space as the exit path calls it (machine/pci-host.ts's PciConfigSpace). */
export interface ConfigSpace {
  read(reg: number, size: 1 | 2 | 4): number;
  write(reg: number, size: 1 | 2 | 4, value: number): void;
}

/** An emulated MMIO window as the exit path calls it (cell.ts's MmioHandler). */
export interface MmioWindow {
  read(offset: number, size: 1 | 2 | 4 | 8): number | undefined;
  write(offset: number, size: 1 | 2 | 4 | 8, lo: number, hi: number): boolean;
}

/**
 * The cell as this model needs it (core/hypervisor/cell.ts's Cell fits): its config, and the two seams of
 * the exit path: virtual PCI functions by bdf (config space accesses in the ECAM window) and emulated
 * MMIO windows (BAR0 while memory decoding is on).
 */
export interface IvshmemCell {
  readonly id: number;
  readonly name: string;
  readonly config: CellConfig;
  readonly virtualPci: Map<number, ConfigSpace>;
  registerMmio(start: number, size: number, handler: MmioWindow): void;
  unregisterMmio(handler: MmioWindow): void;
}

/** What the hypervisor provides to the model. */
export interface IvshmemHost {
  /**
   * Raises virtual interrupt source `source` of the cell (its INTx, vpci_irq_base + pin - 1) as an edge:
   * Jailhouse's irqchip_send_virq. A CPU of the cell that did not enable it in its PLIC view misses it.
   */
  raiseInterrupt(cell: IvshmemCell, source: number): void;
  /** `source` becomes / stops being a virtual interrupt source in the cell's view of the PLIC. */
  registerVirq(cell: IvshmemCell, source: number): void;
  unregisterVirq(cell: IvshmemCell, source: number): void;
  /** Sources of the irqchip (max_irq): a virtual source is 1..maxIrq-1. */
  readonly maxIrq: number;
  /** Writes a little-endian u32 to host-physical memory (the state table). */
  writeU32(hpa: number, value: number): void;
  /** A line on the hypervisor console. */
  printk(line: string): void;
  /** A record in the exit trace (doorbells, state changes); only called while `tracing`. */
  trace(cell: IvshmemCell, detail: string): void;
  readonly tracing: boolean;
  /** Who watches the links from the host side (the link inspector), if anyone. */
  readonly observer?: IvshmemObserver | undefined;
}

/**
 * A host-side watcher of links (core/links' LinkInspector): told of doorbells and state changes after the
 * model handled them, and given a look once per scheduling round. It may read shared memory, never change
 * anything a guest sees.
 */
export interface IvshmemObserver {
  doorbell(link: IvshmemLink, from: IvshmemEndpoint, target: number, vector: number): void;
  stateChange(link: IvshmemLink, peer: IvshmemEndpoint, old: number, now: number): void;
  round(): void;
}

/** Result of a BAR0 access: a value, or a violation the caller reports (and parks the CPU for). */
export type IvshmemAccess = { ok: true; value: number } | { ok: false; reason: string };

/** One shared-memory section of a link, as a peer's config describes it. */
export interface IvshmemSection {
  hpa: number;
  gpa: number;
  size: number;
  writable: boolean;
}

/** Traffic counters of a link (the UI draws them; the trace shows each event). */
export interface IvshmemCounters {
  /** Doorbell register writes, delivered or not. */
  doorbells: number;
  /** Writes of a different value to a State register, and state resets on disconnect. */
  stateChanges: number;
  /** Interrupts actually raised in a cell. */
  interrupts: number;
}

/** A link as the worker protocol shows it (structured-clonable). */
export interface IvshmemLinkSnapshot extends IvshmemCounters {
  /** "00:0e.0" */
  bdf: string;
  protocol: number;
  peers: number;
  /** Shared memory: HPA of the state table and of the end of the last output section. */
  start: number;
  end: number;
  endpoints: Array<{
    id: number; cell: string; state: number; interruptsEnabled: boolean; oneShot: boolean;
    bar0: number; memoryEnabled: boolean; sent: number; received: number;
  }>;
}

/** "00:0e.0" */
export function formatBdf(bdf: number): string {
  const h2 = (v: number) => v.toString(16).padStart(2, '0');
  return `${h2(bdf >> 8)}:${h2((bdf >> 3) & 0x1f)}.${bdf & 7}`;
}


const n = (v: bigint) => Number(v);
const regionRange = (r: MemoryRegion) => `0x${r.phys_start.toString(16)}+0x${r.size.toString(16)}`;

/**
 * One peer's virtual PCI function on a link: its config space registers and BAR0 registers. Created when
 * its cell is created (or, for the root cell, when the hypervisor is enabled), removed when it is destroyed.
 */
export class IvshmemEndpoint implements ConfigSpace {
  command = 0;
  /** BAR0 as the guest programmed it (already masked). */
  bar0 = 0;
  /** Interrupt line register (0x3C, a scratch byte for the guest). */
  intLine = 0;
  /** Privileged control byte of the vendor capability (bit 0 one-shot). */
  privCtrl = 0;
  intCtrl = 0;
  state = 0;
  /** Doorbells this peer rang / interrupts it received. */
  sent = 0;
  received = 0;
  /** INTx pin 1..4; 0 when the config gives MSI-X vectors (the device then has no INTx, as in Jailhouse). */
  readonly pin: number;
  /** The cell's virtual interrupt source for INTx: vpci_irq_base + pin - 1 (0: none). */
  readonly irq: number;
  readonly barMask: number;
  readonly barSize: number;
  /** State table, R/W section, output sections (peer-id order). */
  readonly sections: IvshmemSection[];
  /** BAR0 as an emulated MMIO window (registered in the cell while it decodes). */
  readonly registers: MmioWindow = {
    read: (offset, size) => { const r = this.mmioRead(offset, size); return r.ok ? r.value : undefined; },
    write: (offset, size, lo) => this.mmioWrite(offset, size, lo).ok,
  };
  /** Where BAR0 is registered in the cell (undefined: not decoding). */
  private mappedBar: number | undefined;

  constructor(readonly link: IvshmemLink, readonly cell: IvshmemCell, readonly dev: PciDevice) {
    this.pin = dev.num_msix_vectors === 0 ? intxPin(dev.bdf) : 0;
    this.irq = this.pin !== 0 ? intxIrq(cell.config, dev) : 0;
    this.barMask = (dev.bar_mask[0] >>> 0) !== 0 ? (dev.bar_mask[0] & ~0xf) >>> 0 : IVSHMEM_DEFAULT_BAR_MASK;
    this.barSize = (~this.barMask >>> 0) + 1;
    this.sections = sectionsOf(cell.config, dev);
  }

  get id(): number {
    return this.dev.shmem_dev_id;
  }

  get bdf(): number {
    return this.dev.bdf;
  }

  get oneShot(): boolean {
    return (this.privCtrl & IVSHMEM_PRIV_ONESHOT) !== 0;
  }

  /** ConfigSpace: a config read (the exit path passes aligned 1/2/4-byte accesses). */
  read(reg: number, size: 1 | 2 | 4): number {
    return this.configRead(reg, size);
  }

  /** ConfigSpace: a config write. */
  write(reg: number, size: 1 | 2 | 4, value: number): void {
    this.configWrite(reg, size, value);
  }

  /** Keeps the cell's MMIO window in step with BAR0 and the memory-space bit (Jailhouse's BAR relocation). */
  updateBar(): void {
    const at = (this.command & PCI_CMD_MEM) !== 0 ? this.bar0 : undefined;
    if (at === this.mappedBar) return;
    if (this.mappedBar !== undefined) this.cell.unregisterMmio(this.registers);
    if (at !== undefined) this.cell.registerMmio(at, this.barSize, this.registers);
    this.mappedBar = at;
  }

  /** Whether BAR0 decodes (memory space enabled) and contains `gpa`. */
  barContains(gpa: number): boolean {
    return (this.command & PCI_CMD_MEM) !== 0 && gpa >= this.bar0 && gpa < this.bar0 + this.barSize;
  }

  // ---- config space ----

  /** Reads `size` bytes (1, 2, 4) at `reg` (naturally aligned) of the config space. */
  configRead(reg: number, size: number): number {
    const dword = this.configDword(reg & ~3);
    const shift = (reg & 3) * 8;
    return size === 4 ? dword >>> 0 : (dword >>> shift) & (size === 1 ? 0xff : 0xffff);
  }

  /** Writes `size` bytes at `reg`: only the command bits, BAR0, interrupt line and one-shot bit change. */
  configWrite(reg: number, size: number, value: number): void {
    const base = reg & ~3, shift = (reg & 3) * 8;
    const bytes = size === 4 ? 0xffff_ffff : (size === 2 ? 0xffff : 0xff) << shift;
    const old = this.configDword(base);
    const merged = ((old & ~bytes) | ((value << shift) & bytes)) >>> 0;
    const touched = (mask: number) => (bytes & mask) !== 0;
    switch (base) {
      case PCI_CFG_COMMAND:
        if (touched(0xffff)) this.command = merged & IVSHMEM_CMD_WRITABLE;
        break;
      case PCI_CFG_BAR0:
        this.bar0 = (merged & this.barMask) >>> 0;
        break;
      case PCI_CFG_INT:
        if (touched(0xff)) this.intLine = merged & 0xff;
        break;
      case IVSHMEM_CFG_VNDR_CAP:
        if (touched(0xff00_0000)) this.privCtrl = (merged >>> 24) & IVSHMEM_PRIV_ONESHOT;
        break;
      default:
        break; // read-only
    }
    if (base === PCI_CFG_COMMAND || base === PCI_CFG_BAR0) this.updateBar();
  }

  private configDword(reg: number): number {
    const vndr = IVSHMEM_CFG_VNDR_CAP;
    const [state, rw, out] = [this.sections[0]!, this.sections[1]!, this.sections[2]];
    switch (reg) {
      case PCI_CFG_ID: return ((IVSHMEM_DEVICE_ID << 16) | IVSHMEM_VENDOR_ID) >>> 0;
      case PCI_CFG_COMMAND: return ((PCI_STS_CAPS << 16) | this.command) >>> 0;
      case PCI_CFG_CLASS: return ((0xff << 24) | ((this.dev.shmem_protocol & 0xffff) << 8)) >>> 0; // own protocol (virtio: front or back), revision 0
      case PCI_CFG_HEADER: return 0;
      case PCI_CFG_BAR0: return this.bar0 >>> 0;
      case PCI_CFG_SUBSYS: return ((IVSHMEM_DEVICE_ID << 16) | IVSHMEM_VENDOR_ID) >>> 0;
      case PCI_CFG_CAPS: return vndr;
      case PCI_CFG_INT: return (this.pin << 8) | this.intLine;
      case vndr: return ((this.privCtrl << 24) | (IVSHMEM_CFG_VNDR_LEN << 16) | (0 << 8) | PCI_CAP_ID_VNDR) >>> 0;
      case vndr + VndrCap.StateTabSize: return state.size >>> 0;
      case vndr + VndrCap.RwSize: return rw.size % TWO32;
      case vndr + VndrCap.RwSize + 4: return Math.floor(rw.size / TWO32);
      case vndr + VndrCap.OutputSize: return (out?.size ?? 0) % TWO32;
      case vndr + VndrCap.OutputSize + 4: return Math.floor((out?.size ?? 0) / TWO32);
      case vndr + VndrCap.Address: return state.gpa % TWO32;
      case vndr + VndrCap.Address + 4: return Math.floor(state.gpa / TWO32);
      default: return 0;
    }
  }

  // ---- BAR0 registers ----

  /** A read of BAR0 at `offset` (aligned 32-bit only). */
  mmioRead(offset: number, size: number): IvshmemAccess {
    if (size !== 4 || offset % 4 !== 0) return { ok: false, reason: 'ivshmem registers take aligned 32-bit accesses only' };
    switch (offset) {
      case IvshmemReg.Id: return { ok: true, value: this.id };
      case IvshmemReg.MaxPeers: return { ok: true, value: this.link.peers };
      case IvshmemReg.IntCtrl: return { ok: true, value: this.intCtrl };
      case IvshmemReg.State: return { ok: true, value: this.state >>> 0 };
      default: return { ok: true, value: 0 }; // Doorbell is write-only; unbacked offsets read 0
    }
  }

  /** A write of BAR0 at `offset` (aligned 32-bit only). */
  mmioWrite(offset: number, size: number, value: number): IvshmemAccess {
    if (size !== 4 || offset % 4 !== 0) return { ok: false, reason: 'ivshmem registers take aligned 32-bit accesses only' };
    value >>>= 0;
    switch (offset) {
      case IvshmemReg.IntCtrl:
        this.intCtrl = value & IVSHMEM_INT_ENABLE;
        break;
      case IvshmemReg.Doorbell:
        this.link.doorbell(this, value >>> 16, value & 0xffff);
        break;
      case IvshmemReg.State:
        this.link.setState(this, value);
        break;
      default:
        break; // read-only or unbacked: ignored
    }
    return { ok: true, value: 0 };
  }

  /**
   * Raises `vector` in this peer's cell if it enabled interrupts (INTx: only vector 0, and not with the
   * command register's INTx disable). One-shot mode clears Interrupt Control on delivery.
   */
  deliver(host: IvshmemHost, vector: number): boolean {
    if ((this.intCtrl & IVSHMEM_INT_ENABLE) === 0 || vector !== 0 || this.irq === 0 || (this.command & PCI_CMD_INTX_OFF) !== 0) return false;
    if (this.oneShot) this.intCtrl = 0;
    this.received++;
    host.raiseInterrupt(this.cell, this.irq);
    return true;
  }

  /** Back to reset values (the cell was reset, shut down or destroyed). Returns whether state was nonzero. */
  reset(): boolean {
    this.command = this.bar0 = this.intLine = this.privCtrl = this.intCtrl = 0;
    this.updateBar();
    const hadState = this.state !== 0;
    this.state = 0;
    return hadState;
  }
}

/** The sections of a peer's device: regions [start], [start+1], [start+2 ..] of its config. */
function sectionsOf(config: CellConfig, dev: PciDevice): IvshmemSection[] {
  const out: IvshmemSection[] = [];
  for (let k = 0; k < 2 + dev.shmem_peers; k++) {
    const r = config.memory_regions[dev.shmem_regions_start + k];
    if (r === undefined) break;
    out.push({ hpa: n(r.phys_start), gpa: n(r.virt_start), size: n(r.size), writable: (r.flags & MEM_WRITE) !== 0n });
  }
  return out;
}

/** One link: up to 16 endpoints sharing memory, a state table and doorbells. */
export class IvshmemLink implements IvshmemCounters {
  readonly endpoints: (IvshmemEndpoint | undefined)[];
  doorbells = 0;
  stateChanges = 0;
  interrupts = 0;

  constructor(
    private readonly host: IvshmemHost,
    readonly bdf: number,
    readonly peers: number,
    readonly protocol: number,
    /** The regions of the first peer (state table, R/W, outputs): every later peer must list the same. */
    readonly regions: readonly MemoryRegion[],
  ) {
    this.endpoints = new Array<IvshmemEndpoint | undefined>(peers).fill(undefined);
  }

  /** HPA of the state table. */
  get stateTable(): number {
    return n(this.regions[0]!.phys_start);
  }

  get connected(): IvshmemEndpoint[] {
    return this.endpoints.filter((e): e is IvshmemEndpoint => e !== undefined);
  }

  /** Doorbell of `from` to peer `target`, `vector`: no effect unless the target is there and enabled. */
  doorbell(from: IvshmemEndpoint, target: number, vector: number): void {
    this.doorbells++;
    from.sent++;
    const to = target < this.peers ? this.endpoints[target] : undefined;
    const delivered = to !== undefined && to.deliver(this.host, vector);
    if (delivered) this.interrupts++;
    if (this.host.tracing) {
      this.host.trace(from.cell, `ivshmem ${formatBdf(this.bdf)}: doorbell ${from.id} -> ${target} vector ${vector}${delivered ? '' : ' (no effect)'}`);
    }
    this.host.observer?.doorbell(this, from, target, vector);
  }

  /** A State register write: a different value updates the table and notifies every other peer. */
  setState(ep: IvshmemEndpoint, value: number): void {
    if (value === ep.state) return;
    const old = ep.state;
    ep.state = value;
    this.writeEntry(ep.id, value);
    if (this.host.tracing) this.host.trace(ep.cell, `ivshmem ${formatBdf(this.bdf)}: peer ${ep.id} state 0x${value.toString(16)}`);
    this.host.observer?.stateChange(this, ep, old >>> 0, value >>> 0);
    this.notifyOthers(ep);
  }

  /** Adds an endpoint (its id must be free). */
  connect(ep: IvshmemEndpoint): void {
    this.endpoints[ep.id] = ep;
    this.writeEntry(ep.id, 0);
  }

  /** The endpoint's cell was reset or shut down: reset values, table entry 0, others notified. */
  resetEndpoint(ep: IvshmemEndpoint): void {
    const old = ep.state;
    if (ep.reset()) {
      this.host.observer?.stateChange(this, ep, old >>> 0, 0);
      this.writeEntry(ep.id, 0);
      if (this.host.tracing) this.host.trace(ep.cell, `ivshmem ${formatBdf(this.bdf)}: peer ${ep.id} reset, state 0`);
      this.notifyOthers(ep);
    }
  }

  /** Removes an endpoint (its cell is destroyed): as a reset, then the peer is gone. */
  disconnect(ep: IvshmemEndpoint): void {
    this.resetEndpoint(ep);
    this.endpoints[ep.id] = undefined;
  }

  private writeEntry(id: number, value: number): void {
    if (id * 4 + 4 <= n(this.regions[0]!.size)) this.host.writeU32(this.stateTable + id * 4, value >>> 0);
  }

  private notifyOthers(ep: IvshmemEndpoint): void {
    this.stateChanges++;
    for (const other of this.endpoints) {
      if (other !== undefined && other !== ep && other.deliver(this.host, 0)) this.interrupts++;
    }
  }

  snapshot(): IvshmemLinkSnapshot {
    const last = this.regions[this.regions.length - 1]!;
    return {
      bdf: formatBdf(this.bdf), protocol: this.protocol, peers: this.peers,
      start: this.stateTable, end: n(last.phys_start + last.size),
      doorbells: this.doorbells, stateChanges: this.stateChanges, interrupts: this.interrupts,
      endpoints: this.connected.map((e) => ({
        id: e.id, cell: e.cell.name, state: e.state >>> 0, interruptsEnabled: (e.intCtrl & IVSHMEM_INT_ENABLE) !== 0,
        oneShot: e.oneShot, bar0: e.bar0, memoryEnabled: (e.command & PCI_CMD_MEM) !== 0, sent: e.sent, received: e.received,
      })),
    };
  }
}

/**
 * All links of the running hypervisor and every cell's endpoints: a hypervisor *unit* (hypervisor.ts's
 * HypervisorUnit, Jailhouse's `DEFINE_UNIT(ivshmem)`), so the hypervisor only registers it:
 *   cellCheck = check(cell)    before a cell is committed: why its devices cannot join their links
 *   cellInit  = attach(cell)   the cell exists (root at enable, others at CELL_CREATE): endpoints join their
 *                              links and appear in cell.virtualPci; BAR0 is (un)registered with
 *                              cell.registerMmio as the guest programs it, so the exit path needs nothing
 *                              ivshmem-specific
 *   cellReset / cellShutdown = reset(cell)   started, stopped (set loadable, SRST, timeout) or failed: its
 *                              peers start over, nonzero state table entries return to 0 and the other
 *                              peers get a state-change interrupt
 *   cellExit  = detach(cell)   destroyed (or the hypervisor disabled): endpoints leave their links
 *   snapshot()                 the links with their peers and traffic counters (worker protocol, UI)
 */
export class Ivshmem {
  readonly name = 'ivshmem';
  readonly links = new Map<number, IvshmemLink>();
  private readonly byCell = new Map<number, IvshmemEndpoint[]>();

  constructor(private readonly host: IvshmemHost) {}

  /** Why the ivshmem devices of `cell` cannot be created, or undefined. */
  check(cell: IvshmemCell): string | undefined {
    const cfg = cell.config;
    const pins = new Set<number>();
    for (const chip of cfg.irqchips) for (const p of irqchipPins(chip)) pins.add(p);
    for (const dev of cfg.pci_devices) {
      if (dev.type !== PCI_TYPE_IVSHMEM) continue;
      const why = checkEndpoint(cell, dev, pins, this.host.maxIrq, this.links.get(dev.bdf));
      if (why !== undefined) return why;
    }
    return undefined;
  }

  /** Creates the cell's endpoints (check() first). Prints the `Adding virtual PCI device` lines. */
  attach(cell: IvshmemCell): void {
    const list: IvshmemEndpoint[] = [];
    for (const dev of cell.config.pci_devices) {
      if (dev.type !== PCI_TYPE_IVSHMEM) continue;
      this.host.printk(`Adding virtual PCI device ${formatBdf(dev.bdf)} to cell "${cell.name}"`);
      let link = this.links.get(dev.bdf);
      if (link === undefined) {
        const regions = cell.config.memory_regions.slice(dev.shmem_regions_start, dev.shmem_regions_start + 2 + dev.shmem_peers);
        link = new IvshmemLink(this.host, dev.bdf, dev.shmem_peers, dev.shmem_protocol, regions);
        this.links.set(dev.bdf, link);
      }
      const ep = new IvshmemEndpoint(link, cell, dev);
      if (ep.irq !== 0) this.host.registerVirq(cell, ep.irq);
      link.connect(ep);
      cell.virtualPci.set(dev.bdf, ep);
      list.push(ep);
      const peers = link.connected;
      if (peers.length > 1) {
        this.host.printk('Shared memory connection established, peer cells:');
        for (const p of peers) this.host.printk(` "${p.cell.name}"`);
      }
    }
    if (list.length > 0) this.byCell.set(cell.id, list);
  }

  /** The cell was reset (start), shut down (set loadable) or failed: every endpoint back to reset values. */
  reset(cell: IvshmemCell): void {
    for (const ep of this.byCell.get(cell.id) ?? []) ep.link.resetEndpoint(ep);
  }

  /** The cell is destroyed: its endpoints leave; a link without peers is gone. */
  detach(cell: IvshmemCell): void {
    for (const ep of this.byCell.get(cell.id) ?? []) {
      if (ep.irq !== 0) this.host.unregisterVirq(cell, ep.irq);
      ep.link.disconnect(ep);
      if (cell.virtualPci.get(ep.bdf) === ep) cell.virtualPci.delete(ep.bdf);
      if (ep.link.connected.length === 0) this.links.delete(ep.link.bdf);
    }
    this.byCell.delete(cell.id);
  }

  /** The cell's endpoint at `bdf`, if any. */
  endpoint(cell: IvshmemCell, bdf: number): IvshmemEndpoint | undefined {
    const list = this.byCell.get(cell.id);
    if (list === undefined) return undefined;
    for (const ep of list) if (ep.bdf === bdf) return ep;
    return undefined;
  }

  // ---- HypervisorUnit ----
  cellCheck(cell: IvshmemCell): string | undefined { return this.check(cell); }
  cellInit(cell: IvshmemCell): void { this.attach(cell); }
  cellReset(cell: IvshmemCell): void { this.reset(cell); }
  cellShutdown(cell: IvshmemCell): void { this.reset(cell); }
  cellExit(cell: IvshmemCell): void { this.detach(cell); }

  /** Every link, for the trace/UI. */
  snapshot(): IvshmemLinkSnapshot[] {
    return [...this.links.values()].sort((a, b) => a.bdf - b.bdf).map((l) => l.snapshot());
  }
}

/** Jailhouse's ivshmem_init checks, with messages that name both cells and the bdf. */
function checkEndpoint(cell: IvshmemCell, dev: PciDevice, pins: ReadonlySet<number>, maxIrq: number, link: IvshmemLink | undefined): string | undefined {
  const bdf = formatBdf(dev.bdf);
  const cfg = cell.config;
  const where = `cell "${cell.name}", ivshmem ${bdf}`;
  if (dev.shmem_peers < 2 || dev.shmem_peers > IVSHMEM_MAX_PEERS) return `${where}: shmem_peers ${dev.shmem_peers} is not 2..${IVSHMEM_MAX_PEERS}`;
  if (dev.shmem_dev_id >= dev.shmem_peers) return `${where}: shmem_dev_id ${dev.shmem_dev_id} is not below shmem_peers ${dev.shmem_peers}`;
  const last = dev.shmem_regions_start + 1 + dev.shmem_peers;
  if (last >= cfg.memory_regions.length) return `${where}: regions ${dev.shmem_regions_start}..${last} beyond the ${cfg.memory_regions.length} memory regions`;
  for (let k = 0; k < 2 + dev.shmem_peers; k++) {
    const r = cfg.memory_regions[dev.shmem_regions_start + k]!;
    const writable = (r.flags & MEM_WRITE) !== 0n;
    if (((r.phys_start | r.virt_start | r.size) & 0xfffn) !== 0n) return `${where}: region ${dev.shmem_regions_start + k} is not page-aligned`;
    if (k === 0 && (writable || r.size === 0n)) return `${where}: the state table (region ${dev.shmem_regions_start}) must be a read-only, non-empty region`;
    if (k === 0 && r.size < BigInt(4 * dev.shmem_peers)) return `${where}: the state table is smaller than ${dev.shmem_peers} entries`;
    const peer = k - 2;
    if (peer >= 0 && r.size === 0n) continue;   // no output sections (virtio links): nothing to own
    if (peer >= 0 && peer === dev.shmem_dev_id && !writable) return `${where}: its own output section (region ${dev.shmem_regions_start + k}) is not writable`;
    if (peer >= 0 && peer !== dev.shmem_dev_id && writable) return `${where}: the output section of peer ${peer} (region ${dev.shmem_regions_start + k}) is writable`;
  }
  const virtio = virtioRole(dev.shmem_protocol);
  if (virtio !== undefined && dev.shmem_peers !== 2) return `${where}: a virtio ${virtio.role} needs a link of 2 peers, not ${dev.shmem_peers}`;
  if (virtio !== undefined && cfg.memory_regions[dev.shmem_regions_start + 1]!.size < VIRTIO_MIN_RW_SIZE) {
    return `${where}: the R/W section of a virtio link must be at least 2 pages (0x${VIRTIO_MIN_RW_SIZE.toString(16)}), not 0x${cfg.memory_regions[dev.shmem_regions_start + 1]!.size.toString(16)}`;
  }
  const intx = intxProblem(cfg, dev, pins, maxIrq);
  if (intx !== undefined) return `${where}: ${intx}`;
  if (link === undefined) return undefined;
  // A link exists only while it has a peer (detach() drops empty links).
  const other = `"${link.connected[0]?.cell.name ?? '?'}"`;
  if (dev.shmem_peers !== link.peers) return `ivshmem ${bdf}: cells "${cell.name}" and ${other} disagree on the number of peers (${dev.shmem_peers} vs ${link.peers})`;
  const mismatch = protocolMismatch(dev.shmem_protocol, link.protocol);
  if (mismatch !== undefined) return `ivshmem ${bdf}: cells "${cell.name}" and ${other} ${mismatch}`;
  for (let k = 0; k < 2 + dev.shmem_peers; k++) {
    const a = cfg.memory_regions[dev.shmem_regions_start + k]!, b = link.regions[k]!;
    if (a.phys_start !== b.phys_start || a.size !== b.size) {
      return `ivshmem ${bdf}: cells "${cell.name}" and ${other} disagree on shared memory region ${k} (${regionRange(a)} vs ${regionRange(b)})`;
    }
  }
  const taken = link.endpoints[dev.shmem_dev_id];
  if (taken !== undefined) return `ivshmem ${bdf}: cells "${cell.name}" and "${taken.cell.name}" both use peer id ${dev.shmem_dev_id}`;
  return undefined;
}

