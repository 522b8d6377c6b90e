/**
 * ivshmem through the whole hypervisor: a link between the root cell (test OS, guests/hypervisor/root.c)
 * and inmate cell "a" (guests/hypervisor/inmate.c), driven by their scripts of raw loads and stores.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { checkConfigs } from '../../core/hypervisor/config/check.ts';
import type { CellConfig, SystemConfig } from '../../core/hypervisor/config/types.ts';
import { parseConfigYaml } from '../../core/hypervisor/config/yaml.ts';
import { bootLab, compileConfig, inmateImage, runScript } from '../hypervisor/lab.ts';

const config = (name: string) => compileConfig(readFileSync(resolve(import.meta.dirname, 'configs', name), 'utf8'));
const ROOT_IRQ = 33, A_IRQ = 34;
const SHMEM = 0x8f30_0000;

it('a link between the root cell and a cell: config space, registers, doorbells, states, violations, disconnect', () => {
  const lab = bootLab([
    'enable sys',
    // the root cell's device: BAR0 at 0x40000000, memory decoding on, interrupts on
    'peek 0x30008000', 'poke 0x30008010 0x40000000', 'poke 0x30008004 0x2', 'peek 0x40000000', 'peek 0x40000004',
    'poke 0x40000008 1', 'poke 0x40000010 7',
    // its INTx, virtual interrupt 33, enabled in CPU 0's context (1) of its PLIC view: word 1, bit 1
    'poke 0x0c002084 0x2', 'peek 0x0c002084',
    'create a', 'load 1 a inmate 0',
    // cell a: its view of the bus, BAR0 at its own 0x40000000, ID, peers, the root's state entry, a state,
    // a doorbell to the root, a write to its own output, then a write to the read-only state table
    'loadstr 1 a 0x100 "r32 30000000 r32 30008000 r32 30008008 r32 3000803c w32 30008010 40000000 w32 30008004 2 r32 40000000 r32 40000004 r32 8f300000 w32 40000010 5 w32 4000000c 0 w32 8f303000 1234 r32 8f303000 w32 8f300004 1"',
    'start 1', 'wait 200000', 'state 1', 'peek 0x8f300004', 'peek 0x8f303000',
    'poke 0x4000000c 0x10000', // doorbell to peer 1: its cell failed, interrupts are off
    'destroy 1', 'peek 0x8f300000', 'end',
  ], { sys: config('link-system.yaml'), a: config('link-inmate-a.yaml'), inmate: inmateImage() });
  let pendingAfterDoorbell = false;
  lab.runUntil(() => lab.out('cell:inmate-a').includes('w32: done\nw32: done\nw32: writing\nw32: done\nr32'), 50_000_000);
  // a's doorbell made the root cell's virtual interrupt pending on CPU 0 (which enabled it), not the
  // physical source 33 (nobody's pin)
  pendingAfterDoorbell = lab.hv.vplic.virqPending(0, ROOT_IRQ) && !lab.machine.plic.isPending(ROOT_IRQ);
  const r = runScript(lab);
  const hv = lab.out('hypervisor');
  expect(hv).toContain('Adding virtual PCI device 00:01.0 to cell "lab-root"\n');
  expect(hv).toContain('Adding virtual PCI device 00:01.0 to cell "inmate-a"\nShared memory connection established, peer cells:\n "lab-root"\n "inmate-a"\n');
  expect(r.get('peek 0x30008000')).toBe(0x4106_110a);
  expect(r.get('peek 0x0c002084')).toBe(0x2); // the virtual enable bit reads back
  expect(r.get('peek 0x40000000')).toBe(0);
  expect(r.get('peek 0x40000004')).toBe(2);
  expect(lab.out('cell:inmate-a')).toContain([
    'r32: 0xffffffff', // 00:00.0: nothing there
    'r32: 0x4106110a',
    'r32: 0xff000000', // class: protocol 0
    'r32: 0x200', // interrupt pin 2 (INTB), line 0
    'w32: writing', 'w32: done', 'w32: writing', 'w32: done',
    'r32: 0x1', // ID
    'r32: 0x2', // Maximum Peers
    'r32: 0x7', // the root cell's state in the state table
    'w32: writing', 'w32: done', 'w32: writing', 'w32: done', 'w32: writing', 'w32: done',
    'r32: 0x1234', // own output section is writable
    'w32: writing', // the state table is not: a violation
  ].join('\n'));
  expect(pendingAfterDoorbell).toBe(true);
  expect(hv).toContain('FATAL: Invalid MMIO write, address: 0x000000008f300004, size: 4\n');
  expect(r.get('state 1')).toBe(3); // failed
  expect(r.get('peek 0x8f300004')).toBe(0); // the failed peer left the state table
  expect(r.get('peek 0x8f303000')).toBe(0x1234);
  expect(r.get('destroy 1')).toBe(0);
  expect(r.get('peek 0x8f300000')).toBe(7);
  const [link] = lab.hv.snapshot().links;
  expect(link).toMatchObject({ bdf: '00:01.0', peers: 2, protocol: 0, start: SHMEM, end: SHMEM + 0x4000 });
  expect(link!.endpoints.map((e) => [e.id, e.cell, e.state])).toEqual([[0, 'lab-root', 7]]);
  expect(link!.doorbells).toBe(2);
  expect(link!.interrupts).toBeGreaterThanOrEqual(2); // a's state change and its doorbell, at least
  expect(lab.machine.plic.isPending(A_IRQ)).toBe(false);
  expect(lab.hv.vplic.virqPending(2, A_IRQ)).toBe(false); // the doorbell to the failed peer raised nothing
});

it('a cell whose link does not match is refused (-EINVAL), and the root cell keeps its device', () => {
  const bad = readFileSync(resolve(import.meta.dirname, 'configs', 'link-inmate-a.yaml'), 'utf8').replace('shmem_peers: 2', 'shmem_peers: 3')
    .replace('  - {phys_start: 0x8f303000, virt_start: 0x8f303000, size: 4K, flags: [read, write, rootshared]}',
      '  - {phys_start: 0x8f303000, virt_start: 0x8f303000, size: 4K, flags: [read, write, rootshared]}\n  - {phys_start: 0x8f304000, virt_start: 0x8f304000, size: 4K, flags: [read, rootshared]}');
  const lab = bootLab(['enable sys', 'create a', 'end'], { sys: config('link-system.yaml'), a: compileConfig(bad), inmate: inmateImage() });
  const r = runScript(lab);
  expect(r.get('create a')).toBe(-22);
  expect(lab.out('hypervisor')).not.toContain('to cell "inmate-a"');
  expect(lab.hv.snapshot().links.map((l) => l.endpoints.length)).toEqual([1]);
});

it('enable and CELL_CREATE refuse an ivshmem INTx that is one of the cell\'s physical pins (config check says the same)', () => {
  const sysText = readFileSync(resolve(import.meta.dirname, 'configs', 'link-system.yaml'), 'utf8');
  const badRoot = sysText.replace('pins: [10, 12-15]}', 'pins: [10, 12-15, 33]}');
  expect(badRoot).not.toBe(sysText);
  const lab = bootLab(['enable sys', 'end'], { sys: compileConfig(badRoot) });
  const r = runScript(lab);
  expect(r.get('enable sys')).toBe(-22);
  expect(lab.out('hypervisor')).toContain('FATAL: root cell: ivshmem: cell "lab-root", ivshmem 00:01.0: INTx is virtual interrupt 33 (vpci_irq_base 32 + pin 2 - 1), which is also one of the cell\'s irqchip pins');
  const aText = readFileSync(resolve(import.meta.dirname, 'configs', 'link-inmate-a.yaml'), 'utf8');
  const badA = aText.replace('pins: [14]}', 'pins: [14, 34]}');
  expect(badA).not.toBe(aText);
  const rootWith34 = sysText.replace('pins: [10, 12-15]}', 'pins: [10, 12-15, 34]}'); // so a may take pin 34
  const lab2 = bootLab(['enable sys', 'create a', 'end'], { sys: compileConfig(rootWith34), a: compileConfig(badA) });
  const r2 = runScript(lab2);
  expect(r2.get('enable sys')).toBe(0);
  expect(r2.get('create a')).toBe(-22);
  expect(lab2.out('hypervisor')).not.toContain('to cell "inmate-a"');
  // config check agrees on both
  const sys = (t: string) => parseConfigYaml(t).config as SystemConfig;
  const errors = (s: SystemConfig, cells: CellConfig[]) => checkConfigs(s, cells).filter((f) => f.severity === 'error').map((f) => f.message);
  expect(errors(sys(badRoot), [])).toEqual([expect.stringContaining('INTx is virtual interrupt 33')]);
  expect(errors(sys(rootWith34), [parseConfigYaml(badA).config as CellConfig])).toEqual([expect.stringContaining('INTx is virtual interrupt 34')]);
  expect(errors(sys(rootWith34), [parseConfigYaml(aText).config as CellConfig])).toEqual([]);
});
