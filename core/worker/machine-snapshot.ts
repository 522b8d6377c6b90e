import { CELL_STATE_NAMES, NUM_STATS } from '../hypervisor/abi.ts';
import { MEM_ROOTSHARED, MEM_COMM_REGION, MEM_IO } from '../hypervisor/config/types.ts';
import type { Hypervisor } from '../hypervisor/hypervisor.ts';
import { HartState } from '../cpu/hart.ts';
import type { Machine } from '../machine/machine.ts';

/** What a viewer needs to draw the machine: who owns which hart and which memory, and how each cell is doing. */
export interface MachineSnapshot {
  harts: HartSnapshot[];
  /** Empty while the hypervisor is disabled. */
  cells: CellSnapshot[];
  /** Memory regions by owner (a cell's regions are drawn over the root cell's, which lends them). */
  memory: MemorySnapshot[];
  hypervisor: { enabled: boolean; memPool: PoolSnapshot; remapPool: PoolSnapshot } | undefined;
}

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
}

export interface MemorySnapshot {
  owner: string;
  /** Host-physical start (a comm region has none: 0). */
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

/** Takes a snapshot of the board and, when installed, the hypervisor. Cheap: a few cells and regions. */
export function snapshotMachine(machine: Machine, hypervisor: Hypervisor | undefined): MachineSnapshot {
  const enabled = hypervisor?.enabled === true;
  const harts = machine.harts.map((h): HartSnapshot => ({
    id: h.id,
    state: h.state === HartState.Parked ? 'parked' : h.state === HartState.Stopped ? 'stopped' : h.idle ? 'idle' : 'running',
    cell: enabled ? hypervisor!.cellOf(h.id)?.name : undefined,
    instructions: h.instret,
  }));
  if (!enabled) return { harts, cells: [], memory: [], hypervisor: hypervisor ? { enabled: false, memPool: { pages: 0, used: 0 }, remapPool: { pages: 0, used: 0 } } : undefined };

  const hv = hypervisor!;
  const cells: CellSnapshot[] = [];
  const memory: MemorySnapshot[] = [];
  const hvMem = hv.hypervisorMemory();
  memory.push({ owner: 'hypervisor', start: hvMem.start, size: hvMem.end - hvMem.start, guest: 0, kind: 'hypervisor', shared: false });
  for (const cell of hv.cells.values()) {
    const cpus = [...cell.cpus].sort((a, b) => a - b);
    const stats = new Array<number>(NUM_STATS).fill(0);
    for (const cpu of cpus) hv.stats.snapshot(cpu).forEach((v, k) => { stats[k]! += v; });
    cells.push({ id: cell.id, name: cell.name, state: CELL_STATE_NAMES[cell.state], cpus, failedCpus: cpus.filter((c) => hv.failed[c]), stats });
    for (const r of cell.config.memory_regions) {
      if (r.size === 0n) continue;
      const comm = (r.flags & MEM_COMM_REGION) !== 0n;
      memory.push({
        owner: cell.name, start: comm ? 0 : Number(r.phys_start), size: Number(r.size), guest: Number(r.virt_start),
        kind: comm ? 'comm' : (r.flags & MEM_IO) !== 0n ? 'io' : 'ram', shared: (r.flags & MEM_ROOTSHARED) !== 0n,
      });
    }
  }
  return {
    harts, cells, memory,
    hypervisor: {
      enabled: true,
      memPool: { pages: hv.memPool.pages, used: hv.memPool.usedPages },
      remapPool: { pages: hv.remapPool.pages, used: hv.remapPool.usedPages },
    },
  };
}
