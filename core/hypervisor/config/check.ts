/**
 * `config check`: static consistency checks of a system configuration and a set of non-root cell
 * configurations, before any of them is loaded. The rules are listed in docs/config-format.md.
 *
 * The root cell's resources are the pool non-root cells are carved from: a non-root cell's CPUs,
 * memory and interrupt pins normally appear in the root cell config too (they are taken away at
 * cell creation), which is fine. Conflicts between two non-root cells are errors.
 */

import {
  MEM_COMM_REGION, MEM_IO, MEM_LOADABLE, MEM_ROOTSHARED, MEM_VALID_FLAGS, MEM_WRITE, PCI_TYPE_IVSHMEM, RISCV_IRQCHIP_APLIC,
  RISCV_IRQCHIP_PLIC,
  SHMEM_PROTO_VETH, formatBdf, irqchipPins,
  type CellConfig, type MemoryRegion, type PciDevice, type SystemConfig,
} from './types.js';
import { VIRTIO_MIN_RW_SIZE, protocolMismatch, virtioRole } from './shmem-protocol.js';
import { Board } from '../../machine/board.js';
import { intxProblem } from './ivshmem-intx.js';

export interface Finding {
  severity: 'error' | 'warning';
  /** cell name */
  cell?: string;
  /** what inside the cell: "region 2", "pci 00:10.0", "irqchip 0", "cpu 3", "image 0" */
  region?: string;
  message: string;
}

export interface CheckImage {
  cell: string;
  size: number;
  /** GPA in the cell, default 0 */
  address?: number | bigint;
}

export interface CheckOptions {
  /** number of harts on the board (ids 0..harts-1); unchecked when absent */
  harts?: number;
  images?: CheckImage[];
}

export const PAGE_SIZE = 0x1000n;
export const HUGE_PAGE_SIZE = 0x20_0000n;
/** inmate convention: the comm region is at GPA 0x0010_0000 */
export const COMM_REGION_GPA = 0x10_0000n;

const hx = (v: bigint | number): string => `0x${v.toString(16)}`;
const rng = (start: bigint, size: bigint): string => `${hx(start)}-${hx(start + size - 1n)}`;

function overlaps(a0: bigint, as: bigint, b0: bigint, bs: bigint): boolean {
  return as > 0n && bs > 0n && a0 < b0 + bs && b0 < a0 + as;
}

interface Cell {
  cfg: CellConfig;
  root: boolean;
  /** memory region index -> ivshmem link key, for regions that belong to a link */
  linkOf: Map<number, string>;
}

function linkKey(d: PciDevice): string {
  return `${d.domain}:${d.bdf}`;
}

function linkLabel(d: PciDevice): string {
  return d.domain ? `${d.domain.toString(16).padStart(4, '0')}:${formatBdf(d.bdf)}` : formatBdf(d.bdf);
}

/** Memory-region indexes an ivshmem device refers to: state table, R/W, one output per peer. */
function shmemRegionIndexes(d: PciDevice): number[] {
  const n = 2 + d.shmem_peers;
  return Array.from({ length: n }, (_, k) => d.shmem_regions_start + k);
}

export function checkConfigs(system: SystemConfig, cells: CellConfig[], opts: CheckOptions = {}): Finding[] {
  const out: Finding[] = [];
  const add = (severity: Finding['severity'], cell: string | undefined, region: string | undefined, message: string) => {
    const f: Finding = { severity, message };
    if (cell !== undefined) f.cell = cell;
    if (region !== undefined) f.region = region;
    out.push(f);
  };
  const err = (cell: string | undefined, region: string | undefined, msg: string) => add('error', cell, region, msg);
  const warn = (cell: string | undefined, region: string | undefined, msg: string) => add('warning', cell, region, msg);

  const all: Cell[] = [system.root_cell, ...cells].map((cfg, i) => {
    const linkOf = new Map<number, string>();
    for (const d of cfg.pci_devices) {
      if (d.type !== PCI_TYPE_IVSHMEM) continue;
      for (const idx of shmemRegionIndexes(d)) if (idx < cfg.memory_regions.length) linkOf.set(idx, linkKey(d));
    }
    return { cfg, root: i === 0, linkOf };
  });
  const root = all[0]!;
  const nonRoot = all.slice(1);
  const hv = system.hypervisor_memory;
  const plic = system.platform_info.riscv.irqchip;

  /* ---------------- system ---------------- */
  if (hv.size === 0n) err(undefined, 'hypervisor_memory', 'hypervisor memory is empty');
  if ((hv.phys_start | hv.size) & (PAGE_SIZE - 1n)) {
    err(undefined, 'hypervisor_memory', `hypervisor memory ${rng(hv.phys_start, hv.size)} is not page-aligned`);
  } else if (hv.phys_start & (HUGE_PAGE_SIZE - 1n)) {
    warn(undefined, 'hypervisor_memory', `hypervisor memory at ${hx(hv.phys_start)} is not 2 MiB aligned (megapage requirement)`);
  }
  if (system.raw?.trailing?.length) {
    warn(undefined, undefined, `system configuration has ${system.raw.trailing.length} trailing bytes after its last array (ignored by Jailhouse)`);
  }
  // The lab board is QEMU virt with a PLIC (docs/board.md); Jailhouse's APLIC (and APLIC+IMSIC) configs are
  // for a QEMU started with aia=aplic(-imsic).
  if (plic.type === RISCV_IRQCHIP_APLIC) {
    warn(undefined, 'irqchip', `the irqchip is an APLIC at ${hx(plic.base_address)}, but the lab board has no APLIC: its interrupt controller is a PLIC at ${hx(Board.plic.base)} (use a PLIC configuration, type plic)`);
  } else if (plic.type === RISCV_IRQCHIP_PLIC && plic.base_address !== BigInt(Board.plic.base)) {
    warn(undefined, 'irqchip', `the PLIC is at ${hx(plic.base_address)}, but the lab board's PLIC is at ${hx(Board.plic.base)}`);
  }

  /* ---------------- names ---------------- */
  const seenNames = new Map<string, number>();
  all.forEach((c, i) => {
    const n = c.cfg.name;
    if (!n) err(n, undefined, 'cell has no name');
    if (new TextEncoder().encode(n).length > 31) err(n, undefined, `cell name is longer than 31 bytes (Jailhouse truncates it)`);
    if (seenNames.has(n)) err(n, undefined, `duplicate cell name (cell creation fails with -EEXIST)`);
    else seenNames.set(n, i);
  });

  /* ---------------- per cell ---------------- */
  for (const c of all) {
    const cfg = c.cfg, name = cfg.name;
    if (cfg.raw?.trailing?.length) {
      warn(name, undefined, `${cfg.raw.trailing.length} trailing bytes after the last array (ignored by Jailhouse)`);
    }

    // memory regions
    cfg.memory_regions.forEach((m, i) => {
      const r = `region ${i}`;
      if (m.size === 0n) return;
      const comm = (m.flags & MEM_COMM_REGION) !== 0n;
      const unknown = m.flags & ~MEM_VALID_FLAGS;
      if (unknown) warn(name, r, `unknown flag bits ${hx(unknown)}`);
      const phys = comm ? 0n : m.phys_start;
      if ((phys | m.virt_start | m.size) & (PAGE_SIZE - 1n)) {
        const what = `${comm ? '' : `phys ${rng(m.phys_start, m.size)}, `}virt ${rng(m.virt_start, m.size)}`;
        if (m.flags & MEM_IO) warn(name, r, `sub-page MMIO region (${what}): every access is trapped`);
        else err(name, r, `not page-aligned (${what}, size ${hx(m.size)})`);
      }
      if (m.phys_start + m.size > 1n << 64n || m.virt_start + m.size > 1n << 64n) err(name, r, 'region wraps around the address space');
      if (!comm && overlaps(m.phys_start, m.size, hv.phys_start, hv.size)) {
        err(name, r, `${rng(m.phys_start, m.size)} overlaps the hypervisor memory ${rng(hv.phys_start, hv.size)}`);
      }
    });
    for (let i = 0; i < cfg.memory_regions.length; i++) {
      for (let j = i + 1; j < cfg.memory_regions.length; j++) {
        const a = cfg.memory_regions[i]!, b = cfg.memory_regions[j]!;
        if (overlaps(a.virt_start, a.size, b.virt_start, b.size)) {
          // Jailhouse accepts this: it maps the regions in order, later page-table entries replace earlier ones.
          warn(name, `region ${i}`, `overlaps region ${j} in the cell's guest-physical space (${rng(a.virt_start, a.size)} / ${rng(b.virt_start, b.size)}); regions are mapped in order, so region ${j} is what the cell sees there`);
        } else if (!((a.flags | b.flags) & MEM_COMM_REGION) && overlaps(a.phys_start, a.size, b.phys_start, b.size)) {
          warn(name, `region ${i}`, `maps the same host memory as region ${j} (${rng(a.phys_start, a.size)} / ${rng(b.phys_start, b.size)})`);
        }
      }
    }

    // comm region
    if (!c.root) {
      const comms = cfg.memory_regions.map((m, i) => ({ m, i })).filter(({ m }) => m.flags & MEM_COMM_REGION);
      if (comms.length === 0) err(name, undefined, 'no communication region (a memory region with the comm_region flag)');
      else if (comms.length > 1) err(name, `region ${comms[1]!.i}`, `more than one communication region (also region ${comms[0]!.i})`);
      for (const { m, i } of comms) {
        if (m.virt_start !== COMM_REGION_GPA) {
          warn(name, `region ${i}`, `communication region at GPA ${hx(m.virt_start)}, the inmate library expects ${hx(COMM_REGION_GPA)}`);
        }
      }
    }

    // cpus
    if (!c.root && cfg.cpus.length === 0) err(name, undefined, 'cell has no CPU');
    if (!c.root && cfg.cpu_reset_address !== 0n) {
      warn(name, undefined, `cpu_reset_address ${hx(cfg.cpu_reset_address)}: the lab starts the cell there, Jailhouse's RISC-V port always starts it at 0`);
    }
    const seenCpu = new Set<bigint>();
    for (const id of cfg.cpus) {
      if (seenCpu.has(id)) warn(name, `cpu ${id}`, `CPU ${id} is listed twice`);
      seenCpu.add(id);
      if (opts.harts !== undefined && id >= BigInt(opts.harts)) {
        err(name, `cpu ${id}`, `CPU ${id} does not exist on the board (${opts.harts} harts: 0-${opts.harts - 1})`);
      } else if (id < 32n && (plic.hart_to_context[Number(id)] ?? -1) < 0) {
        err(name, `cpu ${id}`, `CPU ${id} has no interrupt-controller context (hart_to_context[${id}] = -1)`);
      } else if (id >= 32n) {
        err(name, `cpu ${id}`, `CPU ${id} is beyond the 32 harts the configuration format supports`);
      }
    }

    // irqchips
    cfg.irqchips.forEach((ic, i) => {
      const r = `irqchip ${i}`;
      if (ic.address !== plic.base_address) {
        err(name, r, `irqchip at ${hx(ic.address)} is not the board's interrupt controller (${hx(plic.base_address)})`);
      }
      const bad = irqchipPins(ic).filter((p) => p >= plic.max_irq);
      if (bad.length) err(name, r, `interrupt pins ${bad.join(', ')} are outside the irqchip (max_irq ${plic.max_irq}: sources 1-${plic.max_irq - 1})`);
      if (irqchipPins(ic).includes(0)) warn(name, r, 'interrupt pin 0 does not exist (PLIC source 0 is reserved)');
    });
    const ownPins = new Set(cfg.irqchips.flatMap((ic) => irqchipPins(ic)));

    // pci devices
    const seenBdf = new Map<string, number>();
    cfg.pci_devices.forEach((d, i) => {
      const r = `pci ${linkLabel(d)}`;
      const k = linkKey(d);
      if (seenBdf.has(k)) err(name, r, `PCI device ${i} uses the same bdf ${linkLabel(d)} as PCI device ${seenBdf.get(k)}`);
      else seenBdf.set(k, i);
      if (d.num_caps && d.caps_start + d.num_caps > cfg.pci_caps.length) {
        err(name, r, `capabilities ${d.caps_start}..${d.caps_start + d.num_caps - 1} beyond the ${cfg.pci_caps.length} pci_caps`);
      }
      if (d.type === PCI_TYPE_IVSHMEM) {
        const last = d.shmem_regions_start + 1 + d.shmem_peers;
        if (last >= cfg.memory_regions.length) {
          err(name, r, `ivshmem regions ${d.shmem_regions_start}..${last} (state table, R/W, ${d.shmem_peers} outputs) beyond the ${cfg.memory_regions.length} memory regions`);
        }
        const intx = intxProblem(cfg, d, ownPins, plic.max_irq);
        if (intx !== undefined) err(name, r, `ivshmem ${linkLabel(d)}: ${intx}`);
        if (d.num_msix_vectors !== 0) {
          warn(name, r, `ivshmem ${linkLabel(d)} has ${d.num_msix_vectors} MSI-X vectors, so no INTx; the board has no MSI controller, so the device raises no interrupts`);
        }
      }
    });
  }

  /* ---------------- CPUs across cells ---------------- */
  const rootCpus = new Set(root.cfg.cpus);
  const owner = new Map<bigint, string>();
  for (const c of nonRoot) {
    for (const id of new Set(c.cfg.cpus)) {
      const prev = owner.get(id);
      if (prev !== undefined) err(c.cfg.name, `cpu ${id}`, `CPU ${id} is also claimed by cell "${prev}"`);
      else owner.set(id, c.cfg.name);
      if (!rootCpus.has(id)) err(c.cfg.name, `cpu ${id}`, `CPU ${id} is not a root cell CPU (cell creation fails with -EBUSY)`);
    }
  }
  if (nonRoot.length && [...rootCpus].every((id) => owner.has(id))) {
    err(root.cfg.name, undefined, 'the root cell is left without a CPU once all cells are created');
  }

  /* ---------------- interrupt pins across cells ---------------- */
  const rootPins = new Set(root.cfg.irqchips.flatMap((ic) => irqchipPins(ic).map((p) => `${ic.address}:${p}`)));
  const pinOwner = new Map<string, string>();
  for (const c of nonRoot) {
    c.cfg.irqchips.forEach((ic, i) => {
      for (const p of irqchipPins(ic)) {
        const k = `${ic.address}:${p}`;
        const prev = pinOwner.get(k);
        if (prev !== undefined && prev !== c.cfg.name) err(c.cfg.name, `irqchip ${i}`, `interrupt pin ${p} is also owned by cell "${prev}"`);
        else pinOwner.set(k, c.cfg.name);
        if (!rootPins.has(k)) warn(c.cfg.name, `irqchip ${i}`, `interrupt pin ${p} is not in the root cell's irqchip`);
      }
    });
  }

  /* ---------------- memory across non-root cells ---------------- */
  for (let x = 0; x < nonRoot.length; x++) {
    for (let y = x + 1; y < nonRoot.length; y++) {
      const A = nonRoot[x]!, B = nonRoot[y]!;
      A.cfg.memory_regions.forEach((a, i) => {
        if (a.flags & MEM_COMM_REGION) return;
        B.cfg.memory_regions.forEach((b, j) => {
          if (b.flags & MEM_COMM_REGION) return;
          if (!overlaps(a.phys_start, a.size, b.phys_start, b.size)) return;
          if ((a.flags & MEM_ROOTSHARED) && (b.flags & MEM_ROOTSHARED)) return;
          const la = A.linkOf.get(i), lb = B.linkOf.get(j);
          if (la !== undefined && la === lb) return;
          err(A.cfg.name, `region ${i}`, `${rng(a.phys_start, a.size)} overlaps region ${j} of cell "${B.cfg.name}" (${rng(b.phys_start, b.size)})`);
        });
      });
    }
  }

  /* ---------------- PCI devices across non-root cells ---------------- */
  const pciOwner = new Map<string, { cell: string; dev: PciDevice }>();
  for (const c of nonRoot) {
    for (const d of c.cfg.pci_devices) {
      const prev = pciOwner.get(linkKey(d));
      if (prev && (d.type !== PCI_TYPE_IVSHMEM || prev.dev.type !== PCI_TYPE_IVSHMEM)) {
        err(c.cfg.name, `pci ${linkLabel(d)}`, `PCI device ${linkLabel(d)} is also assigned to cell "${prev.cell}"`);
      } else if (!prev) pciOwner.set(linkKey(d), { cell: c.cfg.name, dev: d });
    }
  }

  /* ---------------- ivshmem links ---------------- */
  const links = new Map<string, { cell: Cell; dev: PciDevice }[]>();
  for (const c of all) {
    for (const d of c.cfg.pci_devices) {
      if (d.type !== PCI_TYPE_IVSHMEM) continue;
      const list = links.get(linkKey(d)) ?? [];
      list.push({ cell: c, dev: d });
      links.set(linkKey(d), list);
    }
  }
  for (const members of links.values()) checkLink(members, err, warn);

  /* ---------------- images ---------------- */
  (opts.images ?? []).forEach((img, n) => {
    const c = all.find((x) => x.cfg.name === img.cell);
    const r = `image ${n}`;
    if (!c) { err(img.cell, r, `no cell named "${img.cell}" in the configuration set`); return; }
    const addr = BigInt(img.address ?? 0), size = BigInt(img.size);
    const idx = c.cfg.memory_regions.findIndex((m) => addr >= m.virt_start && addr < m.virt_start + m.size);
    if (idx < 0) { err(img.cell, r, `image address ${hx(addr)} is in no memory region of the cell`); return; }
    const m = c.cfg.memory_regions[idx]!;
    if ((m.flags & (MEM_LOADABLE | MEM_WRITE)) !== (MEM_LOADABLE | MEM_WRITE)) {
      err(img.cell, r, `image address ${hx(addr)} is in region ${idx}, which is not loadable and writable`);
      return;
    }
    if (addr + size > m.virt_start + m.size) {
      err(img.cell, r, `image of ${size} bytes at ${hx(addr)} does not fit region ${idx} (${rng(m.virt_start, m.size)}, ${m.virt_start + m.size - addr} bytes available)`);
    }
  });

  return out;
}

type Report = (cell: string | undefined, region: string | undefined, msg: string) => void;

const SECTION = (k: number): string => (k === 0 ? 'state table' : k === 1 ? 'R/W section' : `output section of peer ${k - 2}`);

function checkLink(members: { cell: Cell; dev: PciDevice }[], err: Report, warn: Report): void {
  const first = members[0]!;
  const label = linkLabel(first.dev);
  const r = `pci ${label}`;
  const fn = (m: { cell: Cell }) => `"${m.cell.cfg.name}"`;

  for (const m of members.slice(1)) {
    const a = first.dev, b = m.dev;
    if (a.shmem_peers !== b.shmem_peers) {
      err(m.cell.cfg.name, r, `ivshmem ${label}: cells ${fn(first)} and ${fn(m)} disagree on the number of peers (${a.shmem_peers} vs ${b.shmem_peers})`);
    }
    const mismatch = protocolMismatch(a.shmem_protocol, b.shmem_protocol);
    if (mismatch !== undefined) err(m.cell.cfg.name, r, `ivshmem ${label}: cells ${fn(first)} and ${fn(m)} ${mismatch}`);
  }
  const peers = first.dev.shmem_peers;
  if (peers < 2) err(first.cell.cfg.name, r, `ivshmem ${label}: shmem_peers is ${peers}, a link needs at least 2`);
  if (members.length > peers && peers > 0) {
    err(members[peers]!.cell.cfg.name, r, `ivshmem ${label}: ${members.length} cells take part in a link of ${peers} peers`);
  }
  if (first.dev.shmem_protocol === SHMEM_PROTO_VETH && peers !== 2) {
    warn(first.cell.cfg.name, r, `ivshmem ${label}: ivshmem-net needs exactly 2 peers, not ${peers}`);
  }

  const virtio = virtioRole(first.dev.shmem_protocol);
  if (virtio !== undefined) {
    if (peers !== 2) err(first.cell.cfg.name, r, `ivshmem ${label}: a virtio link has 2 peers (front-end and back-end), not ${peers}`);
    for (const m of members) {
      const rw = m.cell.cfg.memory_regions[m.dev.shmem_regions_start + 1];
      if (rw !== undefined && rw.size < VIRTIO_MIN_RW_SIZE) {
        err(m.cell.cfg.name, `region ${m.dev.shmem_regions_start + 1}`,
          `ivshmem ${label}: the R/W section of a virtio link must be at least 2 pages (${hx(VIRTIO_MIN_RW_SIZE)}), cell ${fn(m)} gives ${hx(rw.size)}`);
      }
    }
  }

  const ids = new Map<number, { cell: Cell }>();
  for (const m of members) {
    const id = m.dev.shmem_dev_id;
    if (id >= m.dev.shmem_peers) err(m.cell.cfg.name, r, `ivshmem ${label}: shmem_dev_id ${id} is not below shmem_peers ${m.dev.shmem_peers}`);
    const prev = ids.get(id);
    if (prev) err(m.cell.cfg.name, r, `ivshmem ${label}: cells ${fn(prev)} and ${fn(m)} both use peer id ${id}`);
    else ids.set(id, m);
  }

  // regions of each member
  const regionsOf = (m: { cell: Cell; dev: PciDevice }): (MemoryRegion | undefined)[] =>
    shmemRegionIndexes(m.dev).map((i) => m.cell.cfg.memory_regions[i]);

  const ref = regionsOf(first);
  for (const m of members) {
    const regs = regionsOf(m);
    if (regs.some((x) => x === undefined)) continue; // reported per cell already
    if (m !== first && !ref.some((x) => x === undefined) && m.dev.shmem_peers === first.dev.shmem_peers) {
      regs.forEach((x, k) => {
        const y = ref[k]!;
        if (x!.size !== y.size || (x!.size !== 0n && x!.phys_start !== y.phys_start)) {
          err(m.cell.cfg.name, `region ${m.dev.shmem_regions_start + k}`,
            `ivshmem ${label}: cells ${fn(first)} and ${fn(m)} disagree on the ${SECTION(k)} (${rng(y.phys_start, y.size)}, size ${hx(y.size)} vs ${rng(x!.phys_start, x!.size)}, size ${hx(x!.size)})`);
        }
      });
    }
    // write permissions
    regs.forEach((x, k) => {
      const idx = m.dev.shmem_regions_start + k;
      const writable = (x!.flags & MEM_WRITE) !== 0n;
      if (k === 0 && writable) err(m.cell.cfg.name, `region ${idx}`, `ivshmem ${label}: the state table must be read-only`);
      if (k >= 2 && x!.size > 0n) {
        const peer = k - 2;
        if (peer === m.dev.shmem_dev_id && !writable) {
          err(m.cell.cfg.name, `region ${idx}`, `ivshmem ${label}: the cell's own output section (peer ${peer}) is not writable`);
        } else if (peer !== m.dev.shmem_dev_id && writable) {
          err(m.cell.cfg.name, `region ${idx}`, `ivshmem ${label}: the output section of peer ${peer} is writable by peer ${m.dev.shmem_dev_id} (wrong owner)`);
        }
      }
    });
    // sections must not overlap each other
    for (let i = 0; i < regs.length; i++) {
      for (let j = i + 1; j < regs.length; j++) {
        const a = regs[i]!, b = regs[j]!;
        if (overlaps(a.phys_start, a.size, b.phys_start, b.size)) {
          err(m.cell.cfg.name, `region ${m.dev.shmem_regions_start + i}`,
            `ivshmem ${label}: the ${SECTION(i)} overlaps the ${SECTION(j)} (${rng(a.phys_start, a.size)} / ${rng(b.phys_start, b.size)})`);
        }
      }
    }
  }
}

/** `error: cell "x", region 2: message` */
export function formatFinding(f: Finding): string {
  const where = f.cell !== undefined ? ` cell "${f.cell}"${f.region !== undefined ? `, ${f.region}` : ''}` : f.region !== undefined ? ` ${f.region}` : '';
  return `${f.severity}:${where}${where ? ':' : ''} ${f.message}`;
}
