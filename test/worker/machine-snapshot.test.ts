import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLab } from '../../core/lab/lab-file.ts';
import { prepareLab } from '../../core/lab/prepare.ts';
import { LabScript } from '../../core/lab/script.ts';
import { Machine } from '../../core/machine/machine.ts';
import { installHypervisor } from '../../core/worker/firmware.ts';

/** Runs a lab in test mode in-process, stopping once `until` is on the cell's console. */
async function runLab(name: string, until: (m: Machine) => boolean) {
  const file = resolve(import.meta.dirname, '../../assets/labs', `${name}.yaml`);
  const lab = parseLab(readFileSync(file, 'utf8'), file);
  const prepared = await prepareLab(lab, file, async (p) => new Uint8Array(readFileSync(p)));
  const machine = new Machine({ harts: lab.board.harts, ramSize: lab.board.ramSize, deterministic: true });
  const view = installHypervisor(machine)!;
  machine.boot({ bytes: prepared.rootImage, initrd: prepared.initrd });
  const script = new LabScript({ ...lab, walkthrough: lab.walkthrough.slice(0, 8) }, 'test');
  for (let k = 0; k < 20_000 && !until(machine); k++) {
    machine.run(50_000);
    for (const [stream, buffer] of machine.output) script.observe(stream, buffer.drain());
    script.advance({ executed: machine.executed, input: (u, b) => machine.input(u, b), cellState: view.cellState });
  }
  return { machine, view };
}

describe('machine snapshot', () => {
  it('shows which cell owns which hart and memory, cell states and statistics', async () => {
    const { view } = await runLab('tiny-demo', (m) => m.harts[2]!.idle && m.executed > 400_000);
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

  it('shows a parked CPU and a failed cell after a violation', async () => {
    const { view } = await runLab('mem-violation', (m) => m.harts[2]!.state === 2);
    const s = view.snapshot();
    expect(s.harts[2]!.state).toBe('parked');
    expect(s.cells.find((c) => c.name === 'mem-violation')).toMatchObject({ state: 'failed', failedCpus: [2] });
  });
});
