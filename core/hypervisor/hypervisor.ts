import { HartState, setReg, type Hart } from '../cpu/hart.ts';
import { Irq } from '../cpu/trap.ts';
import { Sbi, SbiError } from '../machine/sbi.ts';
import type { FirmwareExtension, Machine } from '../machine/machine.ts';
import { ConsoleRing, Errno, JAILHOUSE_VERSION, LAB_FIRMWARE_EID, LabFirmwareFid, PAGE_SIZE, Stat, type HartId } from './abi.ts';
import { Cell, type CellId } from './cell.ts';
import { CommPage } from './comm-region.ts';
import { ConfigError, parseSystemConfig } from './config/binary.ts';
import {
  CELL_DESC_SIZE, MEM_COMM_REGION, MEM_READ, SYS_VIRTUAL_DEBUG_CONSOLE, SYSTEM_HEADER_SIZE, cellConfigSize, type CellConfig,
  type SystemConfig,
} from './config/types.ts';
import { Consoles } from './console.ts';
import { Control } from './control.ts';
import { CellExits } from './exits.ts';
import { parkHart, parkStuck } from './faults.ts';
import { Ivshmem, type IvshmemLinkSnapshot } from './ivshmem.ts';
import { CellMemoryMap, stage2TablePages, toAddress } from './memory-map.ts';
import { allocRun, freeRuns, PagePool } from './page-pool.ts';
import { CellSbiPlatform } from './sbi-confinement.ts';
import { CpuStatistics } from './statistics.ts';
import { VirtualPlic } from './virtual-plic.ts';

export { LAB_FIRMWARE_EID, LabFirmwareFid } from './abi.ts';

/** Pages of hypervisor memory the model spends per CPU (Jailhouse's per_cpu area: data and stack). */
export const PER_CPU_PAGES = 2;
/** Pages of the remap pool (Jailhouse: 4 bitmap pages, one bit per page). */
export const REMAP_POOL_PAGES = 4 * PAGE_SIZE * 8;

/**
 * A subsystem with per-cell state (Jailhouse's `struct unit`, e.g. ivshmem). The hypervisor calls the
 * hooks at the matching points of every cell's life, the root cell's included (at enable / disable).
 */
export interface HypervisorUnit {
  readonly name: string;
  /** Checks a new cell's config before anything is committed; a message makes CELL_CREATE fail (-EINVAL). */
  cellCheck?(cell: Cell): string | undefined;
  /** The cell exists and owns its resources (after CELL_CREATE's commit; the root cell at enable). */
  cellInit?(cell: Cell): void;
  /** CELL_START is about to start the cell's first CPU. */
  cellReset?(cell: Cell): void;
  /** The hypervisor stopped the cell (set-loadable, a shutdown by SRST or timeout, before destroy), or all its CPUs failed. */
  cellShutdown?(cell: Cell): void;
  /** The cell goes away (CELL_DESTROY; every cell at disable). */
  cellExit?(cell: Cell): void;
}

/** See Hypervisor.snapshot(). */
export interface HypervisorSnapshot {
  enabled: boolean;
  cells: Array<{
    id: CellId; name: string; state: number; cpus: HartId[]; failedCpus: HartId[];
    /** The cell's second stage: GPA ranges, their HPA, access bits (1 R, 2 W, 4 X), device or RAM. */
    memory: Array<{ gpa: number; size: number; hpa: number; access: number; device: boolean }>;
  }>;
  /** Per CPU: its cell (undefined: not under the hypervisor), failed flag, the 11 ABI counters. */
  cpus: Array<{ id: HartId; cell: CellId | undefined; failed: boolean; stats: number[] }>;
  memPool: { pages: number; used: number };
  remapPool: { pages: number; used: number };
  /** ivshmem links: peers, their states, BARs and the traffic counters. */
  links: IvshmemLinkSnapshot[];
}

interface Entering {
  address: number;
  system: SystemConfig;
  size: number;
  /** Harts that were running when the first CPU entered: all of them must enter. */
  expected: Set<HartId>;
  entered: HartId[];
}

/**
 * The hypervisor: Jailhouse's hypervisor/ directory as a model. It installs itself as the board's
 * firmware extension (so the root OS can enable it through the lab firmware interface), and once
 * enabled it owns every root hart's second stage and exits. One Hypervisor per Machine; no globals.
 *
 * Files: setup and CPU hand-over here; cell lifecycle and hypercalls in control.ts; exits in exits.ts
 * (MMIO rules in mmio.ts, the PLIC view in virtual-plic.ts, the SBI view in sbi-confinement.ts);
 * second stages in memory-map.ts; page accounting in page-pool.ts; fault reports in faults.ts.
 */
export class Hypervisor implements FirmwareExtension {
  readonly consoles: Consoles;
  readonly stats: CpuStatistics;
  readonly control = new Control(this);
  /** Per CPU: whether it failed (parked after a fatal exit). */
  readonly failed: boolean[];
  /** Cells by id, the root cell (id 0) first. */
  readonly cells = new Map<CellId, Cell>();
  /** Units (subsystems with per-cell state), in registration order. */
  readonly units: HypervisorUnit[] = [];
  /** ivshmem links and every cell's endpoints (ivshmem.ts), the first unit. */
  readonly ivshmem: Ivshmem;
  /** The cell each CPU belongs to (undefined: not under the hypervisor). */
  private readonly cpuCell: (Cell | undefined)[];
  private entering: Entering | undefined;
  private active = false;
  private system_: SystemConfig | undefined;
  private memPool_: PagePool | undefined;
  private remapPool_: PagePool | undefined;
  private vplic_: VirtualPlic | undefined;
  private savedOnTrap: Array<Hart['onTrap']> = [];
  irqchipBase = 0;
  private irqchipEnd = 0;
  pciBase = 0;
  private pciEnd = 0;
  /** Hypervisor memory [start, end) (HPA). */
  private hvStart = 0;
  private hvEnd = 0;
  /** HPA of the console ring page (0: none; only with SYS_VIRTUAL_DEBUG_CONSOLE). */
  private consolePage = 0;

  constructor(readonly machine: Machine) {
    this.consoles = new Consoles(machine.output);
    this.stats = new CpuStatistics(machine.harts.length);
    this.failed = new Array<boolean>(machine.harts.length).fill(false);
    this.cpuCell = new Array<Cell | undefined>(machine.harts.length).fill(undefined);
    const hv = this;
    this.ivshmem = new Ivshmem({
      // INTx as an edge (Jailhouse's irqchip_set_pending): a doorbell never leaves the line asserted.
      raiseInterrupt: (_cell, source) => machine.plic.trigger(source),
      writeU32: (hpa, value) => {
        const at = machine.ram.offsetOf(hpa);
        if (at >= 0 && at + 4 <= machine.ram.size) machine.ram.view.setUint32(at, value, true);
      },
      printk: (line) => this.printk(line),
      trace: (cell, detail) => {
        const cpu = (cell as Cell).cpus.values().next();
        if (!cpu.done) this.trace(machine.harts[cpu.value]!, detail);
      },
      get tracing() { return hv.tracing; },
    });
    this.addUnit(this.ivshmem);
  }

  /** Installs a hypervisor as the machine's firmware extension and returns it. */
  static install(machine: Machine): Hypervisor {
    const hv = new Hypervisor(machine);
    machine.firmware = hv;
    return hv;
  }

  /** Registers a unit; its hooks run for cells created from now on (and the root cell at enable). */
  addUnit(unit: HypervisorUnit): void {
    this.units.push(unit);
  }

  /** Runs a unit hook for `cell` on every unit (in reverse order for exits, as Jailhouse). */
  unitHook(hook: 'cellInit' | 'cellReset' | 'cellShutdown' | 'cellExit', cell: Cell): void {
    const units = hook === 'cellExit' ? [...this.units].reverse() : this.units;
    for (const unit of units) unit[hook]?.(cell);
  }

  /** The first unit's objection to a new cell's config, if any. */
  unitCheck(cell: Cell): string | undefined {
    for (const unit of this.units) {
      const why = unit.cellCheck?.(cell);
      if (why !== undefined) return `${unit.name}: ${why}`;
    }
    return undefined;
  }

  get enabled(): boolean {
    return this.active;
  }

  get system(): SystemConfig {
    return this.system_!;
  }

  get memPool(): PagePool {
    return this.memPool_!;
  }

  get remapPool(): PagePool {
    return this.remapPool_!;
  }

  get vplic(): VirtualPlic {
    return this.vplic_!;
  }

  get root(): Cell {
    return this.cells.get(0)!;
  }

  get tracing(): boolean {
    return this.machine.trace !== undefined;
  }

  cellOf(hart: HartId): Cell | undefined {
    return this.cpuCell[hart];
  }

  printk(line: string): void {
    this.consoles.printk(line);
    if (this.consolePage !== 0) this.appendToRing(line + '\n');
  }

  /** Jailhouse's virtual console ring: busy odd while writing, tail counts every byte ever written. */
  private appendToRing(text: string): void {
    const ram = this.machine.ram, at = ram.offsetOf(this.consolePage);
    const view = ram.view;
    const busy = view.getUint32(at + ConsoleRing.offBusy, true);
    view.setUint32(at + ConsoleRing.offBusy, (busy + 1) >>> 0, true);
    let tail = view.getUint32(at + ConsoleRing.offTail, true);
    for (const byte of new TextEncoder().encode(text)) {
      ram.u8[at + ConsoleRing.offContent + (tail % ConsoleRing.contentSize)] = byte;
      tail = (tail + 1) >>> 0;
    }
    view.setUint32(at + ConsoleRing.offTail, tail, true);
    view.setUint32(at + ConsoleRing.offBusy, (busy + 2) >>> 0, true);
  }

  /** A record in the machine's exit trace (free when tracing is off). */
  trace(hart: Hart, detail: string): void {
    const t = this.machine.trace;
    if (t === undefined) return;
    const cell = this.cpuCell[hart.id];
    t.record({ at: this.machine.now(hart), hart: hart.id, kind: 'hypervisor', detail: `${cell ? `[${cell.name}] ` : ''}${detail}` });
  }

  inIrqchip(gpa: number): boolean {
    return gpa >= this.irqchipBase && gpa < this.irqchipEnd;
  }

  inPciEcam(gpa: number): boolean {
    return gpa >= this.pciBase && gpa < this.pciEnd;
  }

  /** Whether an HPA range touches hypervisor memory. */
  overlapsHypervisor(hpa: number, size: number): boolean {
    return hpa < this.hvEnd && this.hvStart < hpa + size;
  }

  // ---- FirmwareExtension ----

  extension(hart: Hart, eid: number, fid: number): boolean {
    if (eid !== LAB_FIRMWARE_EID) return false;
    if (fid === LabFirmwareFid.HypervisorEnable) this.enter(hart, hart.xhi[10] === 0 ? hart.xlo[10]! >>> 0 : -1);
    else this.labFirmwareCall(hart, fid);
    return true;
  }

  /**
   * JLAB calls other than the bare board's enable: made by the root cell once the hypervisor runs
   * (CellSbiPlatform), or on the bare board. Enable: -EBUSY when running. Console page: its HPA in a1.
   */
  labFirmwareCall(hart: Hart, fid: number): void {
    const result = (a0: number, a1 = 0) => { setReg(hart, 10, a0); setReg(hart, 11, a1); };
    switch (fid) {
      case LabFirmwareFid.HypervisorEnable: return result(-Errno.EBUSY);
      case LabFirmwareFid.ConsolePage: return this.consolePage !== 0 ? result(0, this.consolePage) : result(-Errno.ENOENT);
      default: return result(SbiError.NotSupported);
    }
  }

  probeExtension(eid: number): boolean {
    return eid === LAB_FIRMWARE_EID;
  }

  onRound(): void {
    this.control.poll();
  }

  nextDeadline(): number {
    return this.control.deadline();
  }

  /** A stuck CPU of a cell is that cell's failure, never the machine's (before enable: the board's). */
  stuckHart(hart: Hart, why: string): boolean {
    if (!this.active || this.cpuCell[hart.id] === undefined) return false;
    parkStuck(this, hart, why);
    return true;
  }

  // ---- enable ----

  /**
   * A CPU enters the hypervisor (the lab's `jailhouse enable`): the first one validates the system
   * configuration, every CPU that was running then must follow; the last one to arrive activates the
   * hypervisor and all of them return 0. Errors return at once, nothing changes.
   */
  private enter(hart: Hart, address: number): void {
    const fail = (errno: Errno, why: string) => {
      this.trace(hart, `enable refused: ${why}`);
      setReg(hart, 10, -errno);
      setReg(hart, 11, 0);
    };
    if (this.active) return fail(Errno.EBUSY, 'the hypervisor is already enabled');
    if (this.entering === undefined) {
      const loaded = this.loadSystemConfig(address);
      if (typeof loaded === 'string') return fail(Errno.EINVAL, loaded);
      const expected = new Set<HartId>();
      for (const h of this.machine.harts) if (h.state === HartState.Running) expected.add(h.id);
      const rootCpus = new Set(loaded.system.root_cell.cpus.map(Number));
      for (const id of expected) {
        if (!rootCpus.has(id)) return fail(Errno.EINVAL, `CPU ${id} is online but not in the root cell's config`);
      }
      this.entering = { address, system: loaded.system, size: loaded.size, expected, entered: [] };
    } else if (address !== this.entering.address) {
      return fail(Errno.EINVAL, `CPU ${hart.id} entered with another configuration address`);
    }
    const e = this.entering;
    if (!e.expected.has(hart.id)) return fail(Errno.EINVAL, `CPU ${hart.id} was not online when the first CPU entered`);
    if (!e.entered.includes(hart.id)) e.entered.push(hart.id);
    setReg(hart, 10, 0);
    setReg(hart, 11, 0);
    if (e.entered.length < e.expected.size) {
      // Wait inside the hypervisor until every online CPU has entered (Jailhouse's entry barrier).
      hart.state = HartState.Parked;
      hart.stopRequested = true;
      return;
    }
    this.entering = undefined;
    const err = this.activate(e);
    for (const id of e.entered) {
      const h = this.machine.harts[id]!;
      h.state = HartState.Running;
      setReg(h, 10, err === 0 ? 0 : -err);
    }
  }

  /**
   * Enables the hypervisor from the host side (benchmarks, labs that start with the hypervisor already
   * on): writes `config` to the start of its hypervisor memory and activates on every running hart, as if
   * each had made the firmware call. Returns 0 or -errno; guest registers are not touched.
   */
  enableFromHost(config: Uint8Array): number {
    if (this.active || this.entering !== undefined) return -Errno.EBUSY;
    if (config.length < SYSTEM_HEADER_SIZE + CELL_DESC_SIZE) return -Errno.EINVAL;
    const address = Number(new DataView(config.buffer, config.byteOffset).getBigUint64(12, true));
    if (this.machine.ram.offsetOf(address) < 0 || address + config.length > this.machine.ram.base + this.machine.ram.size) return -Errno.EINVAL;
    this.machine.writePhysical(address, config);
    const loaded = this.loadSystemConfig(address);
    if (typeof loaded === 'string') return -Errno.EINVAL;
    const running = this.machine.harts.filter((h) => h.state === HartState.Running).map((h) => h.id);
    const rootCpus = new Set(loaded.system.root_cell.cpus.map(Number));
    if (running.some((id) => !rootCpus.has(id))) return -Errno.EINVAL;
    const err = this.activate({ address, system: loaded.system, size: loaded.size, expected: new Set(running), entered: running });
    return err === 0 ? 0 : -err;
  }

  /** Reads and parses the system configuration at `address` (in RAM); a message on failure. */
  private loadSystemConfig(address: number): { system: SystemConfig; size: number } | string {
    const ram = this.machine.ram;
    const at = ram.offsetOf(address);
    if (at < 0 || at + SYSTEM_HEADER_SIZE + CELL_DESC_SIZE > ram.size) return `system configuration address 0x${address.toString(16)} is not in RAM`;
    const view = new DataView(ram.u8.buffer, ram.u8.byteOffset + at + SYSTEM_HEADER_SIZE, CELL_DESC_SIZE);
    const n = (off: number) => new Array<number>(view.getUint32(off, true));
    const size = SYSTEM_HEADER_SIZE + cellConfigSize({
      cpus: n(48), memory_regions: n(52), cache_regions: n(56), irqchips: n(60), pio_regions: n(64),
      pci_devices: n(68), pci_caps: n(72), stream_ids: n(76),
    });
    if (at + size > ram.size) return `system configuration of ${size} bytes overruns RAM`;
    let system: SystemConfig;
    try {
      system = parseSystemConfig(ram.u8.slice(at, at + size));
    } catch (e) {
      return e instanceof ConfigError ? `system configuration: ${e.message}` : String(e);
    }
    const hvStart = Number(system.hypervisor_memory.phys_start), hvSize = Number(system.hypervisor_memory.size);
    if (hvSize < PAGE_SIZE || hvStart % PAGE_SIZE !== 0 || hvSize % PAGE_SIZE !== 0) return 'hypervisor_memory is empty or not page-aligned';
    if (ram.offsetOf(hvStart) < 0 || hvStart + hvSize > ram.base + ram.size) return 'hypervisor_memory is not in RAM';
    if (address < hvStart || address + size > hvStart + hvSize) return 'the system configuration must be placed inside hypervisor_memory';
    return { system, size };
  }

  /** Jailhouse's init: pools, the root cell, the PLIC view, then every root CPU switches to it. */
  private activate(e: Entering): number {
    const system = e.system;
    const machine = this.machine;
    this.hvStart = Number(system.hypervisor_memory.phys_start);
    this.hvEnd = this.hvStart + Number(system.hypervisor_memory.size);
    const pool = new PagePool('mem', this.hvStart, (this.hvEnd - this.hvStart) / PAGE_SIZE);
    pool.reserve(0, Math.ceil((e.address - this.hvStart + e.size) / PAGE_SIZE)); // image + configuration
    const remap = new PagePool('remap', 0, REMAP_POOL_PAGES);
    const irq = system.platform_info.riscv.irqchip;
    this.irqchipBase = Number(irq.base_address);
    this.irqchipEnd = this.irqchipBase + irq.size;
    remap.reserve(0, Math.ceil(irq.size / PAGE_SIZE)); // the hypervisor's mapping of the irqchip
    this.pciBase = Number(system.platform_info.pci_mmconfig_base);
    this.pciEnd = this.pciBase === 0 ? 0 : this.pciBase + (system.platform_info.pci_mmconfig_end_bus + 1) * 0x10_0000;
    if (pool.alloc(PER_CPU_PAGES * machine.harts.length) < 0) return Errno.ENOMEM;
    this.system_ = system;
    this.memPool_ = pool;
    this.remapPool_ = remap;
    if ((system.flags & SYS_VIRTUAL_DEBUG_CONSOLE) !== 0) {
      const page = pool.alloc(1);
      if (page < 0) return Errno.ENOMEM;
      this.consolePage = pool.address(page);
      machine.ram.u8.fill(0, machine.ram.offsetOf(this.consolePage), machine.ram.offsetOf(this.consolePage) + PAGE_SIZE);
    }
    this.printk('');
    this.printk(`Initializing Jailhouse hypervisor ${JAILHOUSE_VERSION} on CPU ${e.entered[0]}`);
    const contexts = irq.hart_to_context.map((c, h) => (c >= 0 ? c : h < machine.harts.length ? 2 * h + 1 : -1));
    this.vplic_ = new VirtualPlic(machine.plic, contexts);

    this.printk('Initializing processors:');
    for (const id of e.entered) this.printk(` CPU ${id}... OK`);
    const root = this.buildCell(0, system.root_cell);
    if (typeof root === 'number') return root;
    const objection = this.unitCheck(root);
    if (objection !== undefined) {
      this.printk(`FATAL: root cell: ${objection}`);
      return Errno.EINVAL;
    }
    this.cells.set(0, root);
    if (this.consolePage !== 0) {
      // Jailhouse maps its console read-only into the root cell (JAILHOUSE_SYS_VIRTUAL_DEBUG_CONSOLE).
      root.map.mapRegion({ phys_start: BigInt(this.consolePage), virt_start: BigInt(this.consolePage), size: BigInt(PAGE_SIZE), flags: MEM_READ }, -1);
    }
    this.vplic.disableAllBut(root.cpus, root.pins);
    for (const cpu of root.cpus) if (cpu < machine.harts.length) this.assignCpu(cpu, root);
    this.savedOnTrap = machine.harts.map((h) => h.onTrap);
    for (const h of machine.harts) {
      const previous = h.onTrap;
      h.onTrap = (hart, cause, interrupt) => {
        if (interrupt && this.cpuCell[hart.id] !== undefined) this.countInterrupt(hart.id, cause);
        previous?.(hart, cause, interrupt);
      };
    }
    this.active = true;
    this.unitHook('cellInit', root);
    this.printk('Activating hypervisor');
    return 0;
  }

  private countInterrupt(cpu: HartId, cause: number): void {
    this.stats.exit(cpu, cause === Irq.SupervisorTimer ? Stat.Timer : cause === Irq.SupervisorSoftware ? Stat.Ipi : Stat.Virq);
  }

  /**
   * Builds a cell from its config: page accounting (cell data with the config copy, comm page, second
   * stage tables), its memory map and its exits. Resources are not yet taken from anyone.
   */
  buildCell(id: CellId, config: CellConfig): Cell | Errno {
    const pool = this.memPool;
    const data = allocRun(pool, Math.ceil(cellConfigSize(config) / PAGE_SIZE) + 1);
    const commRun = allocRun(pool, 1);
    const tables = allocRun(pool, stage2TablePages(config.memory_regions));
    if (data === undefined || commRun === undefined || tables === undefined) {
      freeRuns([data, commRun, tables].filter((r) => r !== undefined));
      return Errno.ENOMEM;
    }
    const ram = this.machine.ram;
    const commHpa = pool.address(commRun.first);
    const comm = new CommPage(ram, ram.offsetOf(commHpa));
    ram.u8.fill(0, comm.offset, comm.offset + PAGE_SIZE);
    const map = new CellMemoryMap(ram);
    config.memory_regions.forEach((r, i) => {
      if ((r.flags & MEM_COMM_REGION) !== 0n) map.mapRegion(r, i, commHpa);
      else map.mapRegion(r, i);
    });
    const cell = new Cell(id, config, map, comm, this.system.platform_info.riscv.irqchip.base_address);
    cell.pages.push(data, commRun, tables);
    cell.exits = new CellExits(this, cell);
    cell.sbi = new Sbi(new CellSbiPlatform(this, cell));
    return cell;
  }

  /** Frees the pages of a cell. */
  releaseCellPages(cell: Cell): void {
    freeRuns(cell.pages);
  }

  /** Hands a CPU to a cell: its second stage and exits switch, its statistics reset, its TLBs flush. */
  assignCpu(cpu: HartId, cell: Cell): void {
    const hart = this.machine.harts[cpu]!;
    this.cpuCell[cpu] = cell;
    hart.memoryMap = cell.map;
    hart.exits = cell.exits;
    hart.flushTlb();
    this.stats.reset(cpu);
    this.failed[cpu] = false;
  }

  /** Flushes the TLBs of every CPU of a cell (after its map changed: Jailhouse's config_commit). */
  flushCell(cell: Cell): void {
    for (const cpu of cell.cpus) this.machine.harts[cpu]?.flushTlb();
  }

  /** Stops a CPU of a cell from the hypervisor side (suspend/park for management). */
  stopCpu(cpu: HartId): void {
    parkHart(this, this.machine.harts[cpu]!, HartState.Stopped);
  }

  // ---- disable ----

  /**
   * A root CPU leaves the hypervisor (DISABLE succeeded on it): it returns to the board's firmware with
   * the identity second stage. When the last root CPU has left, the hypervisor is off.
   */
  releaseCpu(cpu: HartId): void {
    const hart = this.machine.harts[cpu]!;
    this.printk(` Releasing CPU ${cpu}`);
    this.cpuCell[cpu] = undefined;
    hart.memoryMap = this.machine.boardMap;
    hart.exits = this.machine;
    hart.flushTlb();
    if (this.cpuCell.every((c) => c === undefined)) this.deactivate();
  }

  private deactivate(): void {
    const machine = this.machine;
    machine.harts.forEach((h, i) => { h.onTrap = this.savedOnTrap[i]; });
    for (const cell of [...this.cells.values()].reverse()) this.unitHook('cellExit', cell);
    for (const cell of this.cells.values()) this.releaseCellPages(cell);
    this.cells.clear();
    this.active = false;
    this.system_ = undefined;
    this.memPool_ = undefined;
    this.remapPool_ = undefined;
    this.irqchipBase = this.irqchipEnd = this.pciBase = this.pciEnd = this.hvStart = this.hvEnd = this.consolePage = 0;
    this.failed.fill(false);
  }

  /**
   * What the UI and `jailhouse cell list/stats` show: cells with their state and CPUs, per-CPU counters
   * and the pool accounting. A plain, structured-clonable value for the worker protocol.
   */
  snapshot(): HypervisorSnapshot {
    if (!this.active) return { enabled: false, cells: [], cpus: [], memPool: { pages: 0, used: 0 }, remapPool: { pages: 0, used: 0 }, links: [] };
    return {
      enabled: true,
      cells: [...this.cells.values()].map((c) => ({
        id: c.id, name: c.name, state: c.state,
        cpus: [...c.cpus].sort((a, b) => a - b), failedCpus: [...c.cpus].filter((cpu) => this.failed[cpu]).sort((a, b) => a - b),
        memory: c.map.all().map((m) => ({ gpa: m.gpa, size: m.end - m.gpa, hpa: m.hpa, access: m.access, device: m.backing !== 0 })),
      })),
      cpus: this.machine.harts.map((h) => ({ id: h.id, cell: this.cpuCell[h.id]?.id, failed: this.failed[h.id]!, stats: this.stats.snapshot(h.id) })),
      memPool: { pages: this.memPool.pages, used: this.memPool.usedPages },
      remapPool: { pages: this.remapPool.pages, used: this.remapPool.usedPages },
      links: this.ivshmem.snapshot(),
    };
  }

  /** Hypervisor memory as an HPA range (for the UI's machine map). */
  hypervisorMemory(): { start: number; end: number } {
    return { start: this.hvStart, end: this.hvEnd };
  }

  /** A config value as an address, for control.ts. */
  static address(v: bigint, what: string): number {
    return toAddress(v, what);
  }
}
