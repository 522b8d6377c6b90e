import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfigs, formatFinding, type CheckOptions, type Finding } from '../../../core/hypervisor/config/check.js';
import {
  MEM_COMM_REGION, MEM_IO, MEM_LOADABLE, MEM_READ, MEM_ROOTSHARED, MEM_WRITE, type CellConfig, type SystemConfig,
} from '../../../core/hypervisor/config/types.js';
import { parseConfigYaml } from '../../../core/hypervisor/config/yaml.js';

const FIX = join(__dirname, '../../fixtures/configs');
const load = (name: string) => parseConfigYaml(readFileSync(join(FIX, name), 'utf8')).config;

function setup(): { sys: SystemConfig; tiny: CellConfig; ivs: CellConfig } {
  return {
    sys: structuredClone(load('qemu-riscv64.yaml') as SystemConfig),
    tiny: structuredClone(load('qemu-inmate-demo.yaml') as CellConfig),
    ivs: structuredClone(load('qemu-ivshmem-demo.yaml') as CellConfig),
  };
}

function run(sys: SystemConfig, cells: CellConfig[], opts: CheckOptions = { harts: 6 }): string[] {
  return checkConfigs(sys, cells, opts).map(formatFinding);
}

const RW = MEM_READ | MEM_WRITE;

describe('config check', () => {
  it('the fixtures are clean', () => {
    const { sys, tiny, ivs } = setup();
    expect(run(sys, [tiny, ivs])).toEqual([]);
    expect(run(sys, [])).toEqual([]);
  });

  it('finding fields and format', () => {
    const { sys, tiny } = setup();
    tiny.memory_regions[0]!.size = 0x100800n;
    const f = checkConfigs(sys, [tiny]).find((x) => x.region === 'region 0') as Finding;
    expect(f).toEqual({ severity: 'error', cell: 'inmate-demo', region: 'region 0', message: 'not page-aligned (phys 0xbf600000-0xbf7007ff, virt 0x0-0x1007ff, size 0x100800)' });
    expect(formatFinding(f)).toBe('error: cell "inmate-demo", region 0: not page-aligned (phys 0xbf600000-0xbf7007ff, virt 0x0-0x1007ff, size 0x100800)');
    expect(formatFinding({ severity: 'warning', message: 'x' })).toBe('warning: x');
    expect(formatFinding({ severity: 'error', cell: 'c', message: 'x' })).toBe('error: cell "c": x');
  });

  it('overlapping regions inside a cell (guest-physical) and aliases (host-physical)', () => {
    const { sys, tiny } = setup();
    tiny.memory_regions.push({ phys_start: 0xbf500000n, virt_start: 0x80000n, size: 0x1000n, flags: RW });
    tiny.memory_regions.push({ phys_start: 0xbf600000n, virt_start: 0x200000n, size: 0x1000n, flags: RW });
    const out = run(sys, [tiny]);
    expect(out).toContain('warning: cell "inmate-demo", region 0: overlaps region 2 in the cell\'s guest-physical space (0x0-0xfffff / 0x80000-0x80fff); regions are mapped in order, so region 2 is what the cell sees there');
    expect(out.filter((l) => l.startsWith('error'))).toEqual([]); // Jailhouse accepts it
    expect(out).toContain('warning: cell "inmate-demo", region 0: maps the same host memory as region 3 (0xbf600000-0xbf6fffff / 0xbf600000-0xbf600fff)');
  });

  it('an APLIC configuration (Jailhouse\'s qemu-aplic-*) on the PLIC board: a warning that names both', () => {
    const { sys, tiny } = setup();
    expect(run(sys, [tiny])).toEqual([]);
    sys.platform_info.riscv.irqchip.type = 1;
    sys.platform_info.riscv.irqchip.base_address = 0xd000000n;
    sys.platform_info.riscv.irqchip.size = 0x8000;
    for (const ic of sys.root_cell.irqchips) ic.address = 0xd000000n;
    expect(run(sys, [tiny])).toEqual(['warning: irqchip: the irqchip is an APLIC at 0xd000000, but the lab board has no APLIC: its interrupt controller is a PLIC at 0xc000000 (use a PLIC configuration, type plic)']);
    const moved = setup().sys;
    moved.platform_info.riscv.irqchip.base_address = 0xc100000n;
    expect(run(moved, [])).toContain('warning: irqchip: the PLIC is at 0xc100000, but the lab board\'s PLIC is at 0xc000000');
  });

  it('overlapping regions between two non-root cells', () => {
    const { sys, tiny, ivs } = setup();
    ivs.memory_regions[4]!.phys_start = 0xbf680000n; // ivshmem-demo RAM into the tiny demo's RAM
    expect(run(sys, [tiny, ivs])).toContain('error: cell "inmate-demo", region 0: 0xbf600000-0xbf6fffff overlaps region 4 of cell "ivshmem-demo" (0xbf680000-0xbf77ffff)');
  });

  it('overlaps are fine when both regions are ROOTSHARED or of the same ivshmem link', () => {
    const { sys, tiny, ivs } = setup();
    const shared = { phys_start: 0xbf400000n, virt_start: 0x400000n, size: 0x1000n, flags: RW | MEM_ROOTSHARED };
    tiny.memory_regions.push(structuredClone(shared));
    ivs.memory_regions.push(structuredClone(shared));
    expect(run(sys, [tiny, ivs])).toEqual([]);
    // a link between two non-root cells: same bdf, regions not rootshared
    const fresh = setup().ivs;
    const a = structuredClone(fresh), b = structuredClone(fresh);
    a.name = 'peer-a'; b.name = 'peer-b';
    a.cpus = [4n]; b.cpus = [5n];
    a.memory_regions[4]!.phys_start = 0xbf300000n; b.memory_regions[4]!.phys_start = 0xbf200000n;
    for (const c of [a, b]) {
      c.pci_devices[0]!.bdf = 0xa0; // 00:14.0, INTA
      c.vpci_irq_base = 10;
      c.irqchips[0]!.pin_bitmap = [0, 0, 0, 0]; // a's INTx is virtual interrupt 10, b uses MSI-X (no INTx)
      for (const m of c.memory_regions.slice(0, 4)) if (m.size) { m.flags &= ~MEM_ROOTSHARED; m.phys_start -= 0x300000n; m.virt_start -= 0x300000n; }
    }
    b.pci_devices[0]!.num_msix_vectors = 1;
    a.pci_devices[0]!.shmem_dev_id = 0;
    a.memory_regions[2]!.flags |= MEM_WRITE; a.memory_regions[3]!.flags &= ~MEM_WRITE;
    expect(run(sys, [a, b])).toEqual(['warning: cell "peer-b", pci 00:14.0: ivshmem 00:14.0 has 1 MSI-X vectors, so no INTx; the board has no MSI controller, so the device raises no interrupts']);
  });

  it('regions overlapping the hypervisor memory', () => {
    const { sys, tiny } = setup();
    tiny.memory_regions[0]!.phys_start = 0xbfd00000n;
    expect(run(sys, [tiny])).toContain('error: cell "inmate-demo", region 0: 0xbfd00000-0xbfdfffff overlaps the hypervisor memory 0xbf800000-0xbfdfffff');
    const s2 = setup().sys;
    s2.root_cell.memory_regions[4]!.size += 0x200000n; // root RAM into the hypervisor
    expect(run(s2, []).some((l) => l.startsWith('error: cell "qemu-riscv64", region 4:') && l.includes('hypervisor memory'))).toBe(true);
  });

  it('non-page-aligned regions; sub-page MMIO is only a warning', () => {
    const { sys, tiny } = setup();
    tiny.memory_regions[0]!.virt_start = 0x10n;
    tiny.memory_regions.push({ phys_start: 0x10000000n, virt_start: 0x10000000n, size: 0x100n, flags: RW | MEM_IO });
    const out = run(sys, [tiny]);
    expect(out.some((l) => l.startsWith('error: cell "inmate-demo", region 0: not page-aligned'))).toBe(true);
    expect(out).toContain('warning: cell "inmate-demo", region 2: sub-page MMIO region (phys 0x10000000-0x100000ff, virt 0x10000000-0x100000ff): every access is trapped');
  });

  it('CPUs missing from the board', () => {
    const { sys, tiny } = setup();
    tiny.cpus = [7n];
    sys.root_cell.cpus.push(7n);
    sys.platform_info.riscv.irqchip.hart_to_context[7] = 15;
    expect(run(sys, [tiny], { harts: 6 })).toContain('error: cell "inmate-demo", cpu 7: CPU 7 does not exist on the board (6 harts: 0-5)');
    expect(run(sys, [tiny], {}).filter((l) => l.includes('does not exist'))).toEqual([]);
  });

  it('CPUs claimed by two non-root cells', () => {
    const { sys, tiny, ivs } = setup();
    ivs.cpus = [2n];
    expect(run(sys, [tiny, ivs])).toContain('error: cell "ivshmem-demo", cpu 2: CPU 2 is also claimed by cell "inmate-demo"');
  });

  it('non-root CPUs that the root cell does not have', () => {
    const { sys, tiny } = setup();
    sys.root_cell.cpus = [0n, 1n];
    expect(run(sys, [tiny])).toContain('error: cell "inmate-demo", cpu 2: CPU 2 is not a root cell CPU (cell creation fails with -EBUSY)');
  });

  it('the root cell left without a CPU', () => {
    const { sys, tiny, ivs } = setup();
    sys.root_cell.cpus = [2n, 3n];
    expect(run(sys, [tiny, ivs])).toContain('error: cell "qemu-riscv64": the root cell is left without a CPU once all cells are created');
  });

  it('a non-root cell without CPU, and a CPU without PLIC context', () => {
    const { sys, tiny } = setup();
    tiny.cpus = [];
    expect(run(sys, [tiny])).toContain('error: cell "inmate-demo": cell has no CPU');
    const s = setup();
    s.sys.platform_info.riscv.irqchip.hart_to_context[2] = -1;
    expect(run(s.sys, [s.tiny])).toContain('error: cell "inmate-demo", cpu 2: CPU 2 has no interrupt-controller context (hart_to_context[2] = -1)');
  });

  it('interrupt pins outside the irqchip', () => {
    const { sys, ivs } = setup();
    ivs.irqchips[0]!.pin_bitmap[3] = 1 << 5; // pin 101
    expect(run(sys, [ivs])).toContain('error: cell "ivshmem-demo", irqchip 0: interrupt pins 101 are outside the irqchip (max_irq 96: sources 1-95)');
  });

  it('interrupt pins owned by two non-root cells, and pins the root does not have', () => {
    const { sys, tiny, ivs } = setup();
    tiny.irqchips = [{ address: 0xc000000n, id: 0, pin_base: 0, pin_bitmap: [0, 1 << 4, 0, 0] }]; // pin 36
    ivs.irqchips[0]!.pin_bitmap[1] = (ivs.irqchips[0]!.pin_bitmap[1]! | (1 << 20)) >>> 0; // pin 52
    const out = run(sys, [tiny, ivs]);
    expect(out).toContain('error: cell "ivshmem-demo", irqchip 0: interrupt pin 36 is also owned by cell "inmate-demo"');
    expect(out).toContain('warning: cell "ivshmem-demo", irqchip 0: interrupt pin 52 is not in the root cell\'s irqchip');
  });

  it('an irqchip that is not the board PLIC', () => {
    const { sys, ivs } = setup();
    ivs.irqchips[0]!.address = 0xd000000n;
    expect(run(sys, [ivs])).toContain('error: cell "ivshmem-demo", irqchip 0: irqchip at 0xd000000 is not the board\'s interrupt controller (0xc000000)');
  });

  it('PCI bdf clashes within a cell, and a device in two non-root cells', () => {
    const { sys, tiny, ivs } = setup();
    ivs.pci_devices.push({ ...structuredClone(ivs.pci_devices[0]!), type: 1 });
    expect(run(sys, [ivs])).toContain('error: cell "ivshmem-demo", pci 00:10.0: PCI device 1 uses the same bdf 00:10.0 as PCI device 0');
    tiny.pci_devices.push({ ...structuredClone(ivs.pci_devices[0]!), type: 1, bdf: 0x20 });
    const other = structuredClone(tiny);
    other.name = 'other'; other.cpus = [4n];
    other.memory_regions[0]!.phys_start = 0xbf400000n;
    expect(run(sys, [tiny, other])).toContain('error: cell "other", pci 00:04.0: PCI device 00:04.0 is also assigned to cell "inmate-demo"');
  });

  it('ivshmem INTx is a virtual interrupt: not one of the cell\'s pins, inside the irqchip', () => {
    const { sys, ivs } = setup();
    ivs.vpci_irq_base = 36; // pin 36 is the cell's physical source
    expect(run(sys, [ivs])).toContain('error: cell "ivshmem-demo", pci 00:10.0: ivshmem 00:10.0: INTx is virtual interrupt 36 (vpci_irq_base 36 + pin 1 - 1), which is also one of the cell\'s irqchip pins (the hypervisor injects it, so it must not be a physical pin)');
    ivs.vpci_irq_base = 96;
    expect(run(sys, [ivs])).toContain('error: cell "ivshmem-demo", pci 00:10.0: ivshmem 00:10.0: INTx is virtual interrupt 96 (vpci_irq_base 96 + pin 1 - 1), outside the irqchip\'s sources 1-95');
    ivs.vpci_irq_base = 0; // pin 1 - 1 = source 0, which does not exist
    expect(run(sys, [ivs])).toContain('error: cell "ivshmem-demo", pci 00:10.0: ivshmem 00:10.0: INTx is virtual interrupt 0 (vpci_irq_base 0 + pin 1 - 1), outside the irqchip\'s sources 1-95');
    // the root cell too: its vIRQ 32 must not be a root pin
    sys.root_cell.irqchips[0]!.pin_bitmap[1] = (sys.root_cell.irqchips[0]!.pin_bitmap[1]! | 1) >>> 0;
    expect(run(sys, [])).toContain('error: cell "qemu-riscv64", pci 00:10.0: ivshmem 00:10.0: INTx is virtual interrupt 32 (vpci_irq_base 32 + pin 1 - 1), which is also one of the cell\'s irqchip pins (the hypervisor injects it, so it must not be a physical pin)');
    // with MSI-X vectors there is no INTx: no rule, a warning that nothing interrupts
    const msix = setup();
    msix.ivs.vpci_irq_base = 36;
    msix.ivs.pci_devices[0]!.num_msix_vectors = 2;
    expect(run(msix.sys, [msix.ivs]).filter((l) => l.startsWith('error'))).toEqual([]);
  });

  describe('ivshmem links', () => {
    it('peers disagree on peer count and protocol', () => {
      const { sys, ivs } = setup();
      ivs.pci_devices[0]!.shmem_peers = 3;
      ivs.pci_devices[0]!.shmem_protocol = 0x8001;
      ivs.memory_regions.splice(4, 0, { phys_start: 0xbf7ff000n, virt_start: 0xbf7ff000n, size: 0x1000n, flags: MEM_READ | MEM_ROOTSHARED });
      const out = run(sys, [ivs]);
      expect(out).toContain('error: cell "ivshmem-demo", pci 00:10.0: ivshmem 00:10.0: cells "qemu-riscv64" and "ivshmem-demo" disagree on the number of peers (2 vs 3)');
      expect(out).toContain('error: cell "ivshmem-demo", pci 00:10.0: ivshmem 00:10.0: cells "qemu-riscv64" and "ivshmem-demo" disagree on the protocol (ivshmem-net vs virtio-front-net)');
    });

    it('peers disagree on sizes and phys ranges', () => {
      const { sys, ivs } = setup();
      ivs.memory_regions[3]!.size = 0x7e000n;
      ivs.memory_regions[0]!.phys_start = 0xbf7ff000n; ivs.memory_regions[0]!.virt_start = 0xbf7ff000n;
      const out = run(sys, [ivs]);
      expect(out).toContain('error: cell "ivshmem-demo", region 3: ivshmem 00:10.0: cells "qemu-riscv64" and "ivshmem-demo" disagree on the output section of peer 1 (0xbf780000-0xbf7fefff, size 0x7f000 vs 0xbf780000-0xbf7fdfff, size 0x7e000)');
      expect(out).toContain('error: cell "ivshmem-demo", region 0: ivshmem 00:10.0: cells "qemu-riscv64" and "ivshmem-demo" disagree on the state table (0xbf700000-0xbf700fff, size 0x1000 vs 0xbf7ff000-0xbf7fffff, size 0x1000)');
    });

    it('writable sections with the wrong owner, read-only own section, writable state table', () => {
      const { sys, ivs } = setup();
      ivs.memory_regions[2]!.flags |= MEM_WRITE; // peer 0's output
      ivs.memory_regions[3]!.flags &= ~MEM_WRITE; // own output
      ivs.memory_regions[0]!.flags |= MEM_WRITE; // state table
      const out = run(sys, [ivs]);
      expect(out).toContain('error: cell "ivshmem-demo", region 2: ivshmem 00:10.0: the output section of peer 0 is writable by peer 1 (wrong owner)');
      expect(out).toContain('error: cell "ivshmem-demo", region 3: ivshmem 00:10.0: the cell\'s own output section (peer 1) is not writable');
      expect(out).toContain('error: cell "ivshmem-demo", region 0: ivshmem 00:10.0: the state table must be read-only');
    });

    it('overlapping sections', () => {
      const { sys, ivs } = setup();
      for (const c of [sys.root_cell, ivs]) c.memory_regions[3]!.phys_start = 0xbf740000n;
      const out = run(sys, [ivs]);
      expect(out).toContain('error: cell "ivshmem-demo", region 2: ivshmem 00:10.0: the output section of peer 0 overlaps the output section of peer 1 (0xbf701000-0xbf77ffff / 0xbf740000-0xbf7befff)');
    });

    it('duplicate peer ids and ids >= peers', () => {
      const { sys, ivs } = setup();
      ivs.pci_devices[0]!.shmem_dev_id = 0;
      ivs.memory_regions[2]!.flags |= MEM_WRITE; ivs.memory_regions[3]!.flags &= ~MEM_WRITE;
      expect(run(sys, [ivs])).toContain('error: cell "ivshmem-demo", pci 00:10.0: ivshmem 00:10.0: cells "qemu-riscv64" and "ivshmem-demo" both use peer id 0');
      const s = setup();
      s.ivs.pci_devices[0]!.shmem_dev_id = 2;
      expect(run(s.sys, [s.ivs])).toContain('error: cell "ivshmem-demo", pci 00:10.0: ivshmem 00:10.0: shmem_dev_id 2 is not below shmem_peers 2');
    });

    it('regions of the link beyond the memory-region array', () => {
      const { sys, ivs } = setup();
      ivs.pci_devices[0]!.shmem_regions_start = 4;
      expect(run(sys, [ivs])).toContain('error: cell "ivshmem-demo", pci 00:10.0: ivshmem regions 4..7 (state table, R/W, 2 outputs) beyond the 6 memory regions');
    });

    it('more cells than peers', () => {
      const { sys, ivs } = setup();
      const third = structuredClone(ivs);
      third.name = 'third'; third.cpus = [4n]; third.memory_regions[4]!.phys_start = 0xbf400000n;
      expect(run(sys, [ivs, third])).toContain('error: cell "third", pci 00:10.0: ivshmem 00:10.0: 3 cells take part in a link of 2 peers');
    });
  });

  it('comm region missing, duplicated, or at the wrong GPA', () => {
    const { sys, tiny } = setup();
    const comm = tiny.memory_regions.pop()!;
    expect(run(sys, [tiny])).toContain('error: cell "inmate-demo": no communication region (a memory region with the comm_region flag)');
    tiny.memory_regions.push(comm, { ...comm, virt_start: 0x200000n });
    const out = run(sys, [tiny]);
    expect(out).toContain('error: cell "inmate-demo", region 2: more than one communication region (also region 1)');
    expect(out).toContain('warning: cell "inmate-demo", region 2: communication region at GPA 0x200000, the inmate library expects 0x100000');
    void MEM_COMM_REGION;
  });

  it('images that do not fit a loadable region', () => {
    const { sys, tiny } = setup();
    const out = run(sys, [tiny], {
      harts: 6,
      images: [
        { cell: 'inmate-demo', size: 0x1000 },
        { cell: 'inmate-demo', size: 0x100001 },
        { cell: 'inmate-demo', size: 16, address: 0x100000 },
        { cell: 'inmate-demo', size: 16, address: 0x300000 },
        { cell: 'nobody', size: 16 },
      ],
    });
    expect(out).toEqual([
      'error: cell "inmate-demo", image 1: image of 1048577 bytes at 0x0 does not fit region 0 (0x0-0xfffff, 1048576 bytes available)',
      'error: cell "inmate-demo", image 2: image address 0x100000 is in region 1, which is not loadable and writable',
      'error: cell "inmate-demo", image 3: image address 0x300000 is in no memory region of the cell',
      'error: cell "nobody", image 4: no cell named "nobody" in the configuration set',
    ]);
    void MEM_LOADABLE;
  });

  it('duplicate cell names, trailing bytes, hypervisor alignment', () => {
    const { sys, tiny, ivs } = setup();
    ivs.name = 'inmate-demo';
    tiny.raw = { trailing: new Uint8Array(3) };
    sys.hypervisor_memory.phys_start = 0xbf900000n;
    sys.hypervisor_memory.size = 0x500000n;
    const out = run(sys, [tiny, ivs]);
    expect(out).toContain('error: cell "inmate-demo": duplicate cell name (cell creation fails with -EEXIST)');
    expect(out).toContain('warning: cell "inmate-demo": 3 trailing bytes after the last array (ignored by Jailhouse)');
    expect(out).toContain('warning: hypervisor_memory: hypervisor memory at 0xbf900000 is not 2 MiB aligned (megapage requirement)');
  });
});
