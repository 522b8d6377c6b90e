import { CELL_STATE_NAMES, NUM_STATS, type CellState } from '../hypervisor/abi.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import { PCI_TYPE_BRIDGE, PCI_TYPE_IVSHMEM, type CellConfig } from '../hypervisor/config/types.ts';
import { formatBdf, intxPin, type IvshmemLinkSnapshot } from '../hypervisor/ivshmem.ts';
import { HartState } from '../cpu/hart.ts';
import type { Machine } from '../machine/machine.ts';

/** What a viewer needs to draw the machine: who owns which hart and which memory, and how each cell is doing. */
export interface MachineSnapshot {
  harts: HartSnapshot[];
  /** Empty while the hypervisor is disabled. */
  cells: CellSnapshot[];
  /** Every cell's current second stage by owner, plus the hypervisor's own memory. */
  memory: MemorySnapshot[];
  hypervisor: { enabled: boolean; memPool: PoolSnapshot; remapPool: PoolSnapshot } | undefined;
  /**
   * ivshmem links (empty while the hypervisor is disabled): bdf, protocol, shared memory range, each
   * connected peer (id, cell, state, interrupts enabled, BAR0, doorbells sent/received) and the link's
   * traffic counters (doorbells, state changes, interrupts delivered).
   */
  links: LinkSnapshot[];
}

export type LinkSnapshot = IvshmemLinkSnapshot;

export interface HartSnapshot {
  id: number;
  state: 'running' | 'idle' | 'parked' | 'stopped';
  /** The owning cell's name; undefined on the bare board. */
  cell: string | undefined;
  instructions: number;
}

export interface CellSnapshot {
  id: number;
  name: string;
  state: (typeof CELL_STATE_NAMES)[number];
  cpus: number[];
  failedCpus: number[];
  /** The ABI's statistics counters (STAT_NAMES order), summed over the cell's CPUs. */
  stats: number[];
  /** The PCI devices of the cell's config, in config order. */
  pci: PciDeviceSnapshot[];
}

/**
 * A PCI device a cell's config gives it. For ivshmem devices: the link is the `links` entry with the
 * same bdf (absent while the device could not join it), `peer` this cell's id on it, `intx` the cell's
 * virtual interrupt source for the device's INTx line (absent with MSI-X vectors: no INTx).
 */
export interface PciDeviceSnapshot {
  /** "00:0e.0" */
  bdf: string;
  kind: 'ivshmem' | 'device' | 'bridge';
  peer?: number;
  peers?: number;
  protocol?: number;
  intx?: number;
}

export interface MemorySnapshot {
  owner: string;
  /** Host-physical start. */
  start: number;
  size: number;
  /** Guest-physical address in the owner's view. */
  guest: number;
  kind: 'ram' | 'io' | 'comm' | 'hypervisor';
  shared: boolean;
}

export interface PoolSnapshot {
  pages: number;
  used: number;
}

/** Takes a snapshot of the board and, when installed, the hypervisor (whose own snapshot is the source). */
export function snapshotMachine(machine: Machine, hypervisor: Hypervisor | undefined): MachineSnapshot {
  const hv = hypervisor?.snapshot();
  const cellName = new Map(hv?.cells.map((c) => [c.id, c.name]));
  const harts = machine.harts.map((h): HartSnapshot => {
    const cpu = hv?.cpus[h.id];
    return {
      id: h.id,
      state: h.state === HartState.Parked ? 'parked' : h.state === HartState.Stopped ? 'stopped' : h.idle ? 'idle' : 'running',
      cell: cpu?.cell === undefined ? undefined : cellName.get(cpu.cell),
      instructions: h.instret,
    };
  });
  if (!hv?.enabled) {
    const none = { pages: 0, used: 0 };
    return { harts, cells: [], memory: [], hypervisor: hypervisor ? { enabled: false, memPool: none, remapPool: none } : undefined, links: [] };
  }

  const cells = hv.cells.map((c): CellSnapshot => {
    const stats = new Array<number>(NUM_STATS).fill(0);
    for (const cpu of c.cpus) hv.cpus[cpu]!.stats.forEach((v, k) => { stats[k]! += v; });
    const config = hypervisor!.cells.get(c.id)?.config;
    return { id: c.id, name: c.name, state: CELL_STATE_NAMES[c.state as CellState], cpus: c.cpus, failedCpus: c.failedCpus, stats, pci: config ? pciDevices(config) : [] };
  });
  const hvMem = hypervisor!.hypervisorMemory();
  const inHypervisor = (hpa: number) => hpa >= hvMem.start && hpa < hvMem.end;
  const memory: MemorySnapshot[] = [{ owner: 'hypervisor', start: hvMem.start, size: hvMem.end - hvMem.start, guest: 0, kind: 'hypervisor', shared: false }];
  for (const c of hv.cells) {
    for (const m of c.memory) {
      memory.push({ owner: c.name, start: m.hpa, size: m.size, guest: m.gpa, kind: m.device ? 'io' : inHypervisor(m.hpa) ? 'comm' : 'ram', shared: false });
    }
  }
  // RAM that more than one cell maps right now (ROOTSHARED regions, ivshmem sections) is shared.
  for (const a of memory) {
    if (a.kind !== 'ram') continue;
    a.shared = memory.some((b) => b !== a && b.kind === 'ram' && b.owner !== a.owner && b.start < a.start + a.size && a.start < b.start + b.size);
  }
  return { harts, cells, memory, hypervisor: { enabled: true, memPool: hv.memPool, remapPool: hv.remapPool }, links: hv.links };
}

/** A cell config's PCI devices as the map shows them. */
export function pciDevices(config: CellConfig): PciDeviceSnapshot[] {
  return config.pci_devices.map((d): PciDeviceSnapshot => {
    const bdf = formatBdf(d.bdf);
    if (d.type === PCI_TYPE_IVSHMEM) {
      const dev: PciDeviceSnapshot = { bdf, kind: 'ivshmem', peer: d.shmem_dev_id, peers: d.shmem_peers, protocol: d.shmem_protocol };
      if (d.num_msix_vectors === 0) dev.intx = config.vpci_irq_base + intxPin(d.bdf) - 1;
      return dev;
    }
    return { bdf, kind: d.type === PCI_TYPE_BRIDGE ? 'bridge' : 'device' };
  });
}
