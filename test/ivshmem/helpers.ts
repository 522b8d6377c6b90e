import {
  emptyCell, emptyPciDevice, MEM_READ, MEM_ROOTSHARED, MEM_WRITE, PCI_TYPE_IVSHMEM, type CellConfig, type MemoryRegion,
} from '../../core/hypervisor/config/types.ts';
import { Ivshmem, type ConfigSpace, type IvshmemCell, type IvshmemHost, type MmioWindow } from '../../core/hypervisor/ivshmem.ts';

export const SHMEM = 0xbef0_0000;
export const BDF = 0x0e << 3; // 00:0e.0, INTx pin 3
export const STATE_SIZE = 0x1000, RW_SIZE = 0x9000, OUT_SIZE = 0x2000;

/** A recording host: interrupts raised, virtual sources registered, state table words (by HPA), console lines. */
export class FakeHost implements IvshmemHost {
  readonly raised: Array<{ cell: string; source: number }> = [];
  /** "cell:source" of every registered virtual interrupt source. */
  readonly virqs = new Set<string>();
  readonly maxIrq = 96;
  registerVirq(cell: IvshmemCell, source: number): void {
    this.virqs.add(`${cell.name}:${source}`);
  }
  unregisterVirq(cell: IvshmemCell, source: number): void {
    this.virqs.delete(`${cell.name}:${source}`);
  }
  readonly memory = new Map<number, number>();
  readonly lines: string[] = [];
  readonly traces: string[] = [];
  tracing = false;
  trace(cell: IvshmemCell, detail: string): void {
    this.traces.push(`[${cell.name}] ${detail}`);
  }
  raiseInterrupt(cell: IvshmemCell, source: number): void {
    this.raised.push({ cell: cell.name, source });
  }
  writeU32(hpa: number, value: number): void {
    this.memory.set(hpa, value);
  }
  printk(line: string): void {
    this.lines.push(line);
  }
  /** Interrupts raised so far in `cell`, and forget them. */
  take(cell?: string): number[] {
    const out = this.raised.filter((r) => cell === undefined || r.cell === cell).map((r) => r.source);
    this.raised.splice(0, this.raised.length, ...this.raised.filter((r) => cell !== undefined && r.cell !== cell));
    return out;
  }
}

/** The shared-memory regions of peer `id` of a link of `peers` at SHMEM (Jailhouse's demo layout). */
export function linkRegions(peers: number, id: number, base = SHMEM): MemoryRegion[] {
  const r = (off: number, size: number, write: boolean): MemoryRegion => ({
    phys_start: BigInt(base + off), virt_start: BigInt(base + off), size: BigInt(size),
    flags: MEM_READ | (write ? MEM_WRITE : 0n) | MEM_ROOTSHARED,
  });
  const out = [r(0, STATE_SIZE, false), r(STATE_SIZE, RW_SIZE, true)];
  for (let p = 0; p < peers; p++) out.push(r(STATE_SIZE + RW_SIZE + p * OUT_SIZE, OUT_SIZE, p === id));
  return out;
}

/** A cell config with one ivshmem device: peer `id` of `peers`, INTx at virtual interrupt `irq`, UART pin 10. */
export function peerConfig(name: string, id: number, peers: number, opts: { irq?: number; protocol?: number; bdf?: number; barMask?: number } = {}): CellConfig {
  const cfg = emptyCell();
  cfg.name = name;
  const bdf = opts.bdf ?? BDF;
  const pin = ((bdf >> 3) & 3) + 1;
  const irq = opts.irq ?? 40 + id;
  cfg.vpci_irq_base = irq - pin + 1;
  cfg.memory_regions = [
    { phys_start: 0x9000_0000n + BigInt(id) * 0x10_0000n, virt_start: 0n, size: 0x10_0000n, flags: MEM_READ | MEM_WRITE },
    ...linkRegions(peers, id),
  ];
  cfg.irqchips = [{ address: 0xc00_0000n, id: 0, pin_base: 0, pin_bitmap: [1 << 10, 0, 0, 0] }];
  const dev = emptyPciDevice();
  dev.type = PCI_TYPE_IVSHMEM;
  dev.bdf = bdf;
  dev.bar_mask = [opts.barMask ?? 0xffff_f000, 0, 0, 0, 0, 0];
  dev.shmem_regions_start = 1;
  dev.shmem_dev_id = id;
  dev.shmem_peers = peers;
  dev.shmem_protocol = opts.protocol ?? 0;
  cfg.pci_devices = [dev];
  return cfg;
}

/** A cell with the exit path's two seams: virtual PCI functions and MMIO windows (as cell.ts has them). */
export interface FakeCell extends IvshmemCell {
  readonly virtualPci: Map<number, ConfigSpace>;
  readonly windows: Array<{ start: number; end: number; handler: MmioWindow }>;
  /** What an access to `gpa` reaches: the window and the offset in it. */
  windowAt(gpa: number): { handler: MmioWindow; offset: number } | undefined;
}

let nextId = 1;
export function cell(config: CellConfig): FakeCell {
  const windows: FakeCell['windows'] = [];
  return {
    id: nextId++, name: config.name, config, virtualPci: new Map(), windows,
    registerMmio: (start, size, handler) => { windows.push({ start, end: start + size, handler }); },
    unregisterMmio: (handler) => { const i = windows.findIndex((w) => w.handler === handler); if (i >= 0) windows.splice(i, 1); },
    windowAt: (gpa) => { const w = windows.find((x) => gpa >= x.start && gpa < x.end); return w && { handler: w.handler, offset: gpa - w.start }; },
  };
}

/** A link of `peers` cells, all attached. */
export function link(peers: number): { host: FakeHost; ivshmem: Ivshmem; cells: ReturnType<typeof cell>[] } {
  const host = new FakeHost();
  const ivshmem = new Ivshmem(host);
  const cells = Array.from({ length: peers }, (_, i) => cell(peerConfig(`peer${i}`, i, peers)));
  for (const c of cells) {
    const why = ivshmem.check(c);
    if (why !== undefined) throw new Error(why);
    ivshmem.attach(c);
  }
  return { host, ivshmem, cells };
}
