import { Access } from '../cpu/environment.ts';
import { getRegBig, HartState, setReg, type Hart } from '../cpu/hart.ts';
import {
  CellState, CPU_INFO_STAT_BASE, CpuState, Errno, Hypercall, HYPERCALL_NAMES, InfoType, Message, NUM_STATS, PAGE_SIZE, Reply,
  Stat, type HartId,
} from './abi.ts';
import type { Cell, CellId } from './cell.ts';
import { ConfigError, parseCellConfig } from './config/binary.ts';
import {
  CELL_DESC_SIZE, CELL_SIGNATURE, CONFIG_REVISION, MEM_COMM_REGION, MEM_IO, MEM_LOADABLE, MEM_ROOTSHARED, MEM_VALID_FLAGS,
  PCI_TYPE_IVSHMEM, cellConfigSize, type CellConfig, type MemoryRegion,
} from './config/types.ts';
import type { Hypervisor } from './hypervisor.ts';
import { allocRun, freeRuns } from './page-pool.ts';

/** Jailhouse maps at most this many pages of a cell configuration while creating a cell (-E2BIG beyond). */
export const NUM_TEMPORARY_PAGES = 16;

const A0 = 10, A1 = 11;

type MessageKind = 'request' | 'information';

/** A message the hypervisor waits for a cell to answer, while the caller's cell is suspended. */
interface Exchange {
  caller: Hart;
  target: Cell;
  kind: MessageKind;
  /** `time` at which the wait ends without a reply (Infinity: msg_reply_timeout 0, wait forever). */
  deadline: number;
  then: (ok: boolean) => void;
}

const enum Task { Start, SetLoadable, Destroy }

/**
 * Cell lifecycle and hypercalls (Jailhouse's control.c). Every hypercall is issued by a hart of `cell`
 * with its arguments in a0/a1 and gets its result in a0. Calls that must ask a cell for permission
 * (through the comm region) suspend the root cell's CPUs and let every other hart keep running; the
 * scheduler's round hook (poll) completes them when the cell replies or msg_reply_timeout expires.
 */
export class Control {
  private waiting: Exchange | undefined;
  /** Root CPUs stopped while a management call waits for a reply (Jailhouse's cell_suspend(root)). */
  private suspendedRoot: Hart[] = [];
  private shuttingDown = false;

  constructor(private readonly hv: Hypervisor) {}

  /** Dispatches a Jailhouse hypercall (a6 = code, a0/a1 = arguments). */
  hypercall(hart: Hart, cell: Cell, code: number): void {
    const arg0 = getRegBig(hart, A0), arg1 = getRegBig(hart, A1);
    if (this.hv.tracing) this.hv.trace(hart, `hypercall ${HYPERCALL_NAMES[code] ?? code}(0x${arg0.toString(16)}, 0x${arg1.toString(16)})`);
    const small = (v: bigint): number => (v > 0xffff_ffffn ? -1 : Number(v));
    switch (code) {
      case Hypercall.Disable: return this.disable(hart, cell);
      case Hypercall.CellCreate: return this.cellCreate(hart, cell, arg0);
      case Hypercall.CellStart: return this.manage(hart, cell, small(arg0), Task.Start);
      case Hypercall.CellSetLoadable: return this.manage(hart, cell, small(arg0), Task.SetLoadable);
      case Hypercall.CellDestroy: return this.manage(hart, cell, small(arg0), Task.Destroy);
      case Hypercall.HypervisorGetInfo: return ret(hart, this.hypervisorInfo(arg0));
      case Hypercall.CellGetState: return ret(hart, this.cellState(cell, small(arg0)));
      case Hypercall.CpuGetInfo: return ret(hart, this.cpuInfo(cell, arg0, arg1));
      case Hypercall.DebugConsolePutc: return ret(hart, this.putc(cell, Number(arg0 & 0xffn)));
      default: return ret(hart, -Errno.ENOSYS);
    }
  }

  // ---- information ----

  private hypervisorInfo(type: bigint): number {
    const hv = this.hv;
    switch (type) {
      case BigInt(InfoType.MemPoolSize): return hv.memPool.pages;
      case BigInt(InfoType.MemPoolUsed): return hv.memPool.usedPages;
      case BigInt(InfoType.RemapPoolSize): return hv.remapPool.pages;
      case BigInt(InfoType.RemapPoolUsed): return hv.remapPool.usedPages;
      case BigInt(InfoType.NumCells): return hv.cells.size;
      default: return -Errno.EINVAL;
    }
  }

  private cellState(caller: Cell, id: CellId): number {
    if (!caller.isRoot) return -Errno.EPERM;
    const cell = this.hv.cells.get(id);
    if (cell === undefined) return -Errno.ENOENT;
    const state = cell.state;
    return state >= CellState.Running && state <= CellState.FailedCommRev ? state : -Errno.EINVAL;
  }

  private cpuInfo(caller: Cell, cpuArg: bigint, typeArg: bigint): number {
    const hv = this.hv;
    const cpu = cpuArg < BigInt(hv.machine.harts.length) ? Number(cpuArg) : -1;
    if (cpu < 0 || hv.cellOf(cpu) === undefined) return -Errno.EINVAL;
    if (!caller.isRoot && !caller.cpus.has(cpu)) return -Errno.EPERM;
    if (typeArg === 0n) return hv.failed[cpu] ? CpuState.Failed : CpuState.Running;
    const stat = typeArg - BigInt(CPU_INFO_STAT_BASE);
    if (stat >= 0n && stat < BigInt(NUM_STATS)) return hv.stats.get(cpu, Number(stat) as Stat) & 0x7fff_ffff;
    return -Errno.EINVAL;
  }

  private putc(cell: Cell, c: number): number {
    if (!cell.consolePermitted) return -Errno.EPERM;
    this.hv.consoles.cellWrite(cell.name, Uint8Array.of(c));
    return 0;
  }

  // ---- disable ----

  private disable(hart: Hart, cell: Cell): void {
    const hv = this.hv;
    if (!cell.isRoot) return ret(hart, -Errno.EPERM);
    if (hv.cells.size > 1) return ret(hart, -Errno.EBUSY);
    if (!this.shuttingDown) {
      this.shuttingDown = true;
      hv.printk('Shutting down hypervisor');
      // CPUs the root OS took offline cannot issue the call: they leave with the first one.
      for (const cpu of [...cell.cpus].sort((a, b) => a - b)) {
        if (cpu !== hart.id && hv.machine.harts[cpu]!.state !== HartState.Running) this.releaseRootCpu(cell, cpu);
      }
    }
    ret(hart, 0);
    this.releaseRootCpu(cell, hart.id);
  }

  private releaseRootCpu(root: Cell, cpu: HartId): void {
    root.cpus.delete(cpu);
    this.hv.releaseCpu(cpu);
    if (root.cpus.size === 0) this.shuttingDown = false;
  }

  // ---- cell creation ----

  private cellCreate(hart: Hart, caller: Cell, gpa: bigint): void {
    const result = this.createCell(hart, caller, gpa);
    if (typeof result === 'number') return ret(hart, result);
    const cell = result;
    this.informAll(hart, () => {
      this.hv.printk(`Created cell "${cell.name}"`);
      this.finish(hart, cell.id);
    });
  }

  /** Everything of CELL_CREATE up to the reconfiguration messages: a new cell, or -errno. */
  private createCell(hart: Hart, caller: Cell, gpaArg: bigint): Cell | number {
    const hv = this.hv;
    if (!caller.isRoot) return -Errno.EPERM;
    if (!this.reconfigOk(undefined)) return -Errno.EPERM;
    if (gpaArg > BigInt(Number.MAX_SAFE_INTEGER)) return -Errno.ENOMEM;
    const gpa = Number(gpaArg);
    const header = readGuest(hv, caller, gpa, CELL_DESC_SIZE);
    if (header === undefined) return -Errno.ENOMEM;
    const view = new DataView(header.buffer);
    const signature = String.fromCharCode(...header.subarray(0, 5));
    if (signature !== CELL_SIGNATURE || view.getUint16(6, true) !== CONFIG_REVISION) {
      hv.trace(hart, 'cell create: not a revision 15 cell configuration');
      return -Errno.EINVAL;
    }
    const nameBytes = header.subarray(8, 8 + 31);
    const nul = nameBytes.indexOf(0);
    const name = new TextDecoder().decode(nul < 0 ? nameBytes : nameBytes.subarray(0, nul));
    const requestedId = view.getUint32(40, true);
    for (const c of hv.cells.values()) {
      if (c.name === name || (requestedId !== 0 && c.id === requestedId)) return -Errno.EEXIST;
    }
    const count = (off: number) => new Array<number>(view.getUint32(off, true));
    const total = cellConfigSize({
      cpus: count(48), memory_regions: count(52), cache_regions: count(56), irqchips: count(60),
      pio_regions: count(64), pci_devices: count(68), pci_caps: count(72), stream_ids: count(76),
    });
    const cfgPages = Math.ceil(((gpa % PAGE_SIZE) + total) / PAGE_SIZE);
    if (cfgPages > NUM_TEMPORARY_PAGES) return -Errno.E2BIG;
    // The configuration is mapped into the hypervisor (remap pool) while it is copied.
    const mapping = allocRun(hv.remapPool, cfgPages);
    if (mapping === undefined) return -Errno.ENOMEM;
    const bytes = readGuest(hv, caller, gpa, total);
    freeRuns([mapping]);
    if (bytes === undefined) return -Errno.ENOMEM;
    let config: CellConfig;
    try {
      config = parseCellConfig(bytes);
    } catch (e) {
      hv.trace(hart, `cell create: ${e instanceof ConfigError ? e.message : String(e)}`);
      return -Errno.EINVAL;
    }
    const invalid = this.checkConfig(config);
    if (invalid !== undefined) {
      hv.trace(hart, `cell create: cell "${name}": ${invalid.message}`);
      return -invalid.errno;
    }
    // Resources: CPUs (not the caller's, owned by root, stopped), pins, PCI functions, memory.
    const cpus = config.cpus.map(Number);
    for (const cpu of cpus) {
      if (cpu === hart.id || !caller.cpus.has(cpu) || hv.machine.harts[cpu]!.state !== HartState.Stopped) {
        hv.trace(hart, `cell create: CPU ${cpu} is ${cpu === hart.id ? 'the caller' : !caller.cpus.has(cpu) ? 'not the root cell\'s' : 'not stopped'}`);
        return -Errno.EBUSY;
      }
    }
    const id = requestedId !== 0 ? requestedId : this.freeId();
    const cell = hv.buildCell(id, config);
    if (typeof cell === 'number') return -cell;
    for (const pin of cell.pins) {
      if (!caller.pins.has(pin)) { hv.releaseCellPages(cell); hv.trace(hart, `cell create: interrupt ${pin} is not the root cell's`); return -Errno.EBUSY; }
    }
    for (const dev of config.pci_devices) {
      if (dev.type !== PCI_TYPE_IVSHMEM && !caller.pciDevices.has(dev.bdf)) { hv.releaseCellPages(cell); return -Errno.EBUSY; }
    }
    const busy = this.memoryInUse(config);
    if (busy !== undefined) { hv.releaseCellPages(cell); hv.trace(hart, `cell create: ${busy}`); return -Errno.EBUSY; }
    const objection = hv.unitCheck(cell);
    if (objection !== undefined) { hv.releaseCellPages(cell); hv.trace(hart, `cell create: ${objection}`); return -Errno.EINVAL; }

    // Commit: shrink the root cell, hand over CPUs, unmap memory (Jailhouse's order).
    const root = caller;
    for (const cpu of cpus) {
      root.cpus.delete(cpu);
      hv.stopCpu(cpu);
      hv.assignCpu(cpu, cell);
    }
    for (const pin of cell.pins) root.pins.delete(pin);
    hv.vplic.disableSources([...root.cpus, ...cell.cpus], cell.pins);
    hv.vplic.resetVirtual(cell.cpus);
    for (const dev of config.pci_devices) if (dev.type !== PCI_TYPE_IVSHMEM) root.pciDevices.delete(dev.bdf);
    for (const mem of config.memory_regions) {
      if ((mem.flags & (MEM_COMM_REGION | MEM_ROOTSHARED)) === 0n) unmapFromRoot(root, mem);
    }
    hv.flushCell(root);
    cell.comm.cellState = CellState.ShutDown;
    hv.cells.set(id, cell);
    hv.unitHook('cellInit', cell);
    return cell;
  }

  /** Checks beyond the binary format (Jailhouse's check_mem_regions and cell_init): -EINVAL cases. */
  private checkConfig(config: CellConfig): { errno: Errno; message: string } | undefined {
    const hv = this.hv;
    const invalid = (message: string) => ({ errno: Errno.EINVAL, message });
    for (const [i, mem] of config.memory_regions.entries()) {
      const io = (mem.flags & MEM_IO) !== 0n;
      const misaligned = ((mem.virt_start | mem.size | ((mem.flags & MEM_COMM_REGION) !== 0n ? 0n : mem.phys_start)) & 0xfffn) !== 0n;
      if (misaligned && !io) return invalid(`memory region ${i} is not page-aligned`);
      if ((mem.flags & ~MEM_VALID_FLAGS) !== 0n) return invalid(`memory region ${i} has unknown flags 0x${(mem.flags & ~MEM_VALID_FLAGS).toString(16)}`);
      if (mem.phys_start + mem.size > BigInt(Number.MAX_SAFE_INTEGER) || mem.virt_start + mem.size > BigInt(Number.MAX_SAFE_INTEGER)) {
        return invalid(`memory region ${i} is beyond the address space`);
      }
      if ((mem.flags & MEM_COMM_REGION) === 0n && hv.overlapsHypervisor(Number(mem.phys_start), Number(mem.size))) {
        return invalid(`memory region ${i} overlaps hypervisor memory`);
      }
    }
    if (config.cpus.length === 0) return invalid('no CPUs');
    for (const cpu of config.cpus) if (cpu >= BigInt(hv.machine.harts.length)) return invalid(`CPU ${cpu} does not exist`);
    const maxIrq = Math.min(hv.system.platform_info.riscv.irqchip.max_irq || hv.machine.plic.numSources, hv.machine.plic.numSources);
    for (const chip of config.irqchips) {
      for (let w = 0; w < 4; w++) {
        for (let b = 0; b < 32; b++) {
          if (((chip.pin_bitmap[w]! >>> b) & 1) !== 0 && chip.pin_base + w * 32 + b >= maxIrq) {
            return invalid(`interrupt ${chip.pin_base + w * 32 + b} is beyond the irqchip's ${maxIrq} sources`);
          }
        }
      }
    }
    return undefined;
  }

  /** A non-shared region overlapping another non-root cell's non-shared memory (a resource in use). */
  private memoryInUse(config: CellConfig): string | undefined {
    const owned = (m: MemoryRegion) => (m.flags & (MEM_COMM_REGION | MEM_ROOTSHARED)) === 0n && m.size > 0n;
    for (const other of this.hv.cells.values()) {
      if (other.isRoot) continue;
      for (const a of config.memory_regions.filter(owned)) {
        for (const b of other.config.memory_regions.filter(owned)) {
          if (a.phys_start < b.phys_start + b.size && b.phys_start < a.phys_start + a.size) {
            return `memory 0x${a.phys_start.toString(16)} belongs to cell "${other.name}"`;
          }
        }
      }
    }
    return undefined;
  }

  private freeId(): CellId {
    let id = 1;
    while (this.hv.cells.has(id)) id++;
    return id;
  }

  /** No cell other than `excluded` is RUNNING_LOCKED. */
  private reconfigOk(excluded: Cell | undefined): boolean {
    for (const c of this.hv.cells.values()) {
      if (!c.isRoot && c !== excluded && c.state === CellState.RunningLocked) return false;
    }
    return true;
  }

  // ---- start / set loadable / destroy ----

  /** cell_management_prologue + the task: root only, asks the target cell to shut down first. */
  private manage(hart: Hart, caller: Cell, id: CellId, task: Task): void {
    const hv = this.hv;
    if (!caller.isRoot) return ret(hart, -Errno.EPERM);
    const target = hv.cells.get(id);
    if (target === undefined) return ret(hart, -Errno.ENOENT);
    if (target.isRoot) return ret(hart, -Errno.EINVAL);
    if (task === Task.Destroy && !this.reconfigOk(target)) return ret(hart, -Errno.EPERM);
    this.exchange(hart, target, Message.ShutdownRequest, 'request', (ok) => {
      if (!ok) return this.finish(hart, -Errno.EPERM);
      for (const cpu of target.cpus) hv.stopCpu(cpu); // cell_suspend(target)
      hv.unitHook('cellShutdown', target);
      switch (task) {
        case Task.Start: return this.finish(hart, this.start(target));
        case Task.SetLoadable: return this.finish(hart, this.setLoadable(target));
        case Task.Destroy:
          this.destroy(target);
          return this.informAll(hart, () => this.finish(hart, 0));
      }
    });
  }

  private start(cell: Cell): number {
    const hv = this.hv;
    if (cell.loadable) {
      for (const mem of cell.config.memory_regions) if ((mem.flags & MEM_LOADABLE) !== 0n) unmapFromRoot(hv.root, mem);
      hv.flushCell(hv.root);
      cell.loadable = false;
    }
    cell.comm.initialise(cell.commFlags, cell.config.console, hv.system.platform_info.pci_mmconfig_base);
    hv.vplic.disableSources(cell.cpus, cell.pins);
    hv.vplic.resetVirtual(cell.cpus);
    hv.unitHook('cellReset', cell);
    const reset = Number(cell.config.cpu_reset_address);
    // The cell's lowest-numbered CPU starts (Jailhouse's arch_cell_reset: first_cpu of the cell's set,
    // whatever the config's order); the others wait in HSM STOPPED for the cell's own hart_start, as with
    // the SBI boot protocol on the bare board.
    const first = Math.min(...cell.cpus);
    for (const cpu of cell.config.cpus.map(Number)) {
      hv.failed[cpu] = false;
      hv.machine.harts[cpu]!.flushTlb();
    }
    if (Number.isFinite(first)) {
      hv.machine.harts[first]!.start(reset, first, 0);
      hv.stats.exit(first, Stat.Management);
    }
    hv.printk(`Started cell "${cell.name}"`);
    return 0;
  }

  private setLoadable(cell: Cell): number {
    const hv = this.hv;
    for (const cpu of cell.cpus) hv.failed[cpu] = false;
    if (cell.loadable) return 0;
    cell.comm.cellState = CellState.ShutDown;
    cell.loadable = true;
    for (const mem of cell.config.memory_regions) if ((mem.flags & MEM_LOADABLE) !== 0n) remapToRoot(hv.root, mem);
    hv.flushCell(hv.root);
    hv.printk(`Cell "${cell.name}" can be loaded`);
    return 0;
  }

  private destroy(cell: Cell): void {
    const hv = this.hv;
    const root = hv.root;
    hv.printk(`Closing cell "${cell.name}"`);
    hv.unitHook('cellExit', cell);
    for (const cpu of cell.cpus) {
      hv.stopCpu(cpu);
      root.cpus.add(cpu);
      hv.assignCpu(cpu, root);
    }
    hv.vplic.disableSources(cell.cpus, cell.pins);
    hv.vplic.resetVirtual(cell.cpus);
    for (const pin of cell.pins) if (root.configPins.has(pin)) root.pins.add(pin);
    for (const bdf of cell.pciDevices) if (root.config.pci_devices.some((d) => d.bdf === bdf && d.type !== PCI_TYPE_IVSHMEM)) root.pciDevices.add(bdf);
    for (const mem of cell.config.memory_regions) {
      if ((mem.flags & (MEM_COMM_REGION | MEM_ROOTSHARED)) === 0n) remapToRoot(root, mem);
    }
    hv.flushCell(root);
    hv.releaseCellPages(cell);
    hv.cells.delete(cell.id);
  }

  // ---- the message protocol ----

  /** Sends RECONFIG_COMPLETED to every non-root cell in turn, then continues with `done`. */
  private informAll(caller: Hart, done: () => void): void {
    const cells = [...this.hv.cells.values()].filter((c) => !c.isRoot);
    const next = (i: number): void => {
      if (i >= cells.length) return done();
      this.exchange(caller, cells[i]!, Message.ReconfigCompleted, 'information', () => next(i + 1));
    };
    next(0);
  }

  /**
   * cell_exchange_message: passive cells and cells that are shut down or failed are not asked. Otherwise
   * the message is posted and the caller waits (with its whole cell suspended) for the reply.
   */
  private exchange(caller: Hart, target: Cell, message: Message, kind: MessageKind, then: (ok: boolean) => void): void {
    const state = target.state;
    if (target.passiveCommRegion || state === CellState.ShutDown || state === CellState.Failed) return then(true);
    target.comm.sendMessage(message);
    const answer = this.answer(target, kind);
    if (answer !== undefined) return then(answer);
    const timeout = Number(target.config.msg_reply_timeout);
    const deadline = timeout === 0 ? Infinity : this.hv.machine.clock.now(0) + timeout;
    this.waiting = { caller, target, kind, deadline, then };
    if (this.suspendedRoot.length === 0) this.suspendRoot();
    this.hv.trace(caller, `waiting for cell "${target.name}" to answer message ${message}`);
  }

  /** true: go on; false: refused; undefined: no answer yet. */
  private answer(target: Cell, kind: MessageKind): boolean | undefined {
    const state = target.state;
    if (state === CellState.ShutDown || state === CellState.Failed) return true;
    const reply = target.comm.replyFromCell;
    if ((kind === 'request' && reply === Reply.RequestApproved) || (kind === 'information' && reply === Reply.Received)) return true;
    if (reply !== Reply.None) return false;
    return undefined;
  }

  /** The scheduler's round hook: completes a waiting exchange on a reply or a timeout. */
  poll(): void {
    const w = this.waiting;
    if (w === undefined) return;
    let answer = this.answer(w.target, w.kind);
    if (answer === undefined && this.hv.machine.clock.now(0) >= w.deadline) {
      this.hv.printk('Timeout expired while waiting for reply from target cell');
      for (const cpu of w.target.cpus) this.hv.stopCpu(cpu);
      w.target.comm.cellState = CellState.Failed;
      this.hv.unitHook('cellShutdown', w.target);
      answer = true;
    }
    if (answer === undefined) return;
    this.waiting = undefined;
    w.then(answer);
  }

  /** When poll() next needs to run for a timeout (for idle skipping). */
  deadline(): number {
    return this.waiting?.deadline ?? Infinity;
  }

  private suspendRoot(): void {
    for (const cpu of this.hv.root.cpus) {
      const h = this.hv.machine.harts[cpu]!;
      if (h.state !== HartState.Running) continue;
      h.state = HartState.Parked;
      h.stopRequested = true;
      this.suspendedRoot.push(h);
    }
  }

  /** The management call of `caller` is complete: result in a0, the root cell resumes. */
  private finish(caller: Hart, result: number): void {
    ret(caller, result);
    for (const h of this.suspendedRoot) if (h.state === HartState.Parked) h.state = HartState.Running;
    this.suspendedRoot = [];
  }
}

function ret(hart: Hart, value: number): void {
  setReg(hart, A0, value);
}

/** Copies guest-physical memory of a cell through its map (readable RAM only). */
function readGuest(hv: Hypervisor, cell: Cell, gpa: number, length: number): Uint8Array | undefined {
  const out = new Uint8Array(length);
  const ram = cell.map;
  for (let done = 0; done < length;) {
    const at = gpa + done;
    const page = ram.ramPage(at - (at % PAGE_SIZE), Access.Read);
    if (page < 0) return undefined;
    const chunk = Math.min(length - done, PAGE_SIZE - (at % PAGE_SIZE));
    out.set(hv.machine.ram.u8.subarray(page + (at % PAGE_SIZE), page + (at % PAGE_SIZE) + chunk), done);
    done += chunk;
  }
  return out;
}

/** unmap_from_root_cell: the root cell is mapped 1:1, so the region's phys range is its GPA range there. */
function unmapFromRoot(root: Cell, mem: MemoryRegion): void {
  root.map.unmap(Number(mem.phys_start), Number(mem.size));
}

/** remap_to_root_cell: maps the parts of `mem` the root cell's config covers, with the root's flags. */
function remapToRoot(root: Cell, mem: MemoryRegion): void {
  root.config.memory_regions.forEach((r, i) => {
    if ((r.flags & MEM_COMM_REGION) !== 0n) return;
    const start = mem.phys_start > r.phys_start ? mem.phys_start : r.phys_start;
    const memEnd = mem.phys_start + mem.size, rEnd = r.phys_start + r.size;
    const end = memEnd < rEnd ? memEnd : rEnd;
    if (start >= end) return;
    root.map.mapRegion({ phys_start: start, virt_start: r.virt_start + (start - r.phys_start), size: end - start, flags: r.flags }, i);
  });
}
