import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../core/lab/lab-file.ts';
import { prepareLab } from '../../core/lab/prepare.ts';
import { LabScript } from '../../core/lab/script.ts';
import { Machine } from '../../core/machine/machine.ts';
import { installHypervisor } from '../../core/worker/firmware.ts';

/** The view of the lab being run (for the `until` predicates). */
let view0: ReturnType<typeof installHypervisor>;

/** Runs a lab in test mode in-process, stopping once `until` is on the cell's console. */
async function runLab(name: string, until: (m: Machine) => boolean, steps = 8) {
  const file = resolve(import.meta.dirname, '../../assets/labs', `${name}.yaml`);
  const lab = parseLab(readFileSync(file, 'utf8'), file);
  const prepared = await prepareLab(lab, file, async (p) => new Uint8Array(readFileSync(p)));
  const machine = new Machine({ harts: lab.board.harts, ramSize: lab.board.ramSize, deterministic: true });
  const view = installHypervisor(machine)!;
  view0 = view;
  machine.boot({ bytes: prepared.rootImage, initrd: prepared.initrd });
  const script = new LabScript({ ...lab, walkthrough: lab.walkthrough.slice(0, steps) }, 'test');
  for (let k = 0; k < 20_000 && !until(machine); k++) {
    machine.run(50_000);
    for (const [stream, buffer] of machine.output) script.observe(stream, buffer.drain());
    script.advance({ executed: machine.executed, input: (u, b) => machine.input(u, b), cellState: view.cellState });
  }
  return { machine, view };
}

describe('machine snapshot', () => {
  it('shows which cell owns which hart and memory, cell states and statistics', async () => {
    const { view } = await runLab('tiny-demo', (m) => m.harts[2]!.idle
      && view0?.snapshot().cells.some((c) => c.name === 'tiny-demo' && c.state === 'running') === true);
    const s = view.snapshot();
    expect(s.hypervisor?.enabled).toBe(true);
    expect(s.harts.map((h) => h.cell)).toEqual(['qemu-riscv64', 'qemu-riscv64', 'tiny-demo', 'qemu-riscv64', 'qemu-riscv64', 'qemu-riscv64']);
    expect(s.harts[2]!.state).toBe('idle');
    const tiny = s.cells.find((c) => c.name === 'tiny-demo')!;
    expect(tiny).toMatchObject({ state: 'running', cpus: [2], failedCpus: [] });
    expect(tiny.stats[0]).toBeGreaterThan(0); // vmexits_total: its printk hypercalls
    expect(s.memory).toContainEqual({ owner: 'tiny-demo', start: 0xbf600000, size: 1 << 20, guest: 0, kind: 'ram', shared: false });
    // the root cell no longer maps the memory it lent
    const root = s.memory.filter((m) => m.owner === 'qemu-riscv64' && m.kind === 'ram');
    expect(root.some((m) => m.start <= 0xbf600000 && 0xbf600000 < m.start + m.size)).toBe(false);
    expect(s.memory.find((m) => m.owner === 'tiny-demo' && m.kind === 'comm')).toMatchObject({ guest: 0x100000, size: 4096 });
    expect(s.memory.find((m) => m.owner === 'hypervisor')).toMatchObject({ start: 0xbf800000, size: 6 << 20 });
    expect(s.hypervisor!.memPool.used).toBeGreaterThan(0);
    expect(s.hypervisor!.memPool.used).toBeLessThan(s.hypervisor!.memPool.pages);
  });

  it('shows the ivshmem links, their peers and their traffic', async () => {
    const { view } = await runLab('ivshmem-demo', () => {
      const link = view0?.snapshot().links.find((l) => l.bdf === '00:0e.0');
      return (link?.endpoints.length ?? 0) === 3 && link!.interrupts > 2;
    }, 14); // up to both cells started

    const s = view.snapshot();
    // the system config also carries the virtio links (00:0d.0 console, 00:0f.0 block)
    expect(s.links.map((l) => l.bdf)).toEqual(['00:0d.0', '00:0e.0', '00:0f.0', '00:10.0']);
    const demo = s.links.find((l) => l.bdf === '00:0e.0')!;
    const net = s.links.find((l) => l.bdf === '00:10.0')!;
    expect(demo).toMatchObject({ protocol: 0, peers: 3, start: 0xbef00000, end: 0xbef10000 });
    expect(demo.endpoints.map((e) => [e.id, e.cell])).toEqual([[0, 'qemu-riscv64'], [1, 'ivshmem-demo-1'], [2, 'ivshmem-demo-2']]);
    expect(demo.endpoints[1]).toMatchObject({ state: 2, interruptsEnabled: true, bar0: 0x40000000, memoryEnabled: true });
    expect(demo.doorbells).toBeGreaterThan(0);
    expect(demo.interrupts).toBeGreaterThan(2);
    expect(net.endpoints.map((e) => e.cell)).toEqual(['qemu-riscv64']);
    // The net link (protocol 1) carries the link inspector's view; the demo link's protocol 0 does not.
    expect(demo.inspection).toBeUndefined();
    expect(net.inspection).toMatchObject({
      kind: 'ivshmem-net', bdf: '00:10.0', qlen: 2048, problem: undefined,
      peers: [{ id: 0, cell: 'qemu-riscv64', state: 0 }, { id: 1, cell: undefined, state: 0 }], recent: [],
    });
    // Each cell's PCI devices: the link's bdf, its peer id, its INTx source.
    const pci = Object.fromEntries(s.cells.map((c) => [c.name, c.pci]));
    expect(pci['ivshmem-demo-1']).toEqual([{ bdf: '00:0e.0', kind: 'ivshmem', peer: 1, peers: 3, protocol: 0, intx: 36 }]);
    expect(pci['ivshmem-demo-2']).toEqual([{ bdf: '00:0e.0', kind: 'ivshmem', peer: 2, peers: 3, protocol: 0, intx: 37 }]);
    expect(pci['qemu-riscv64']!.map((d) => [d.bdf, d.kind, d.peer])).toEqual([['00:10.0', 'ivshmem', 0], ['00:0e.0', 'ivshmem', 0], ['00:0d.0', 'ivshmem', 1], ['00:0f.0', 'ivshmem', 1]]); // config order; the root is the virtio back-end (peer 1)
    expect(structuredClone(s)).toEqual(s);
    // The ivshmem sections are RAM every peer maps: shared in each owner's view.
    const sections = s.memory.filter((m) => m.start >= demo.start && m.start < demo.end);
    expect(new Set(sections.map((m) => m.owner))).toEqual(new Set(['qemu-riscv64', 'ivshmem-demo-1', 'ivshmem-demo-2']));
    expect(sections.every((m) => m.shared && m.kind === 'ram')).toBe(true);
  });

  it('shows a parked CPU and a failed cell after a violation', async () => {
    const { view } = await runLab('mem-violation', (m) => m.harts[2]!.state === 2);
    const s = view.snapshot();
    expect(s.harts[2]!.state).toBe('parked');
    expect(s.cells.find((c) => c.name === 'mem-violation')).toMatchObject({ state: 'failed', failedCpus: [2] });
  });
});
