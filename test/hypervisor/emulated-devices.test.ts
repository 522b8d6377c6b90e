/**
 * The seams for emulated devices (ivshmem, issue 5): MMIO windows and virtual PCI functions a cell sees
 * instead of its memory map, with violations reported like any other.
 */
import { expect, it } from 'vitest';
import type { MmioHandler } from '../../core/hypervisor/cell.ts';
import { bootLab, compileConfig, inmateImage, runScript } from './lab.ts';

it('a cell reaches the MMIO windows and PCI functions the hypervisor emulates for it, and nothing else', () => {
  const lab = bootLab([
    'enable sys', 'create a', 'wait 100000', 'load 1 a inmate 0', // the test registers the devices during the wait
    'loadstr 1 a 0x100 "r32 0x40000000 w32 0x40000004 0x55 r32 0x30000000 r32 0x30001000 w32 0x30000004 0x2 r32 0x40000ff0"',
    'start 1', 'wait 100000', 'state 1', 'end',
  ], { sys: compileConfig('lab-system.yaml'), a: compileConfig('inmate-a.yaml'), inmate: inmateImage() });
  lab.runUntil(() => lab.results().some((r) => r.command === 'create a'), 10_000_000);
  const writes: string[] = [];
  const registers: MmioHandler = {
    read: (offset) => (offset < 0xff0 ? 0x1234 + offset : undefined),
    write: (offset, size, lo) => { writes.push(`${offset}:${size}:${lo}`); return true; },
  };
  const cell = lab.hv.cells.get(1)!;
  cell.registerMmio(0x4000_0000, 0x1000, registers);
  let command = 0;
  cell.virtualPci.set(0, {
    read: (reg) => (reg === 0 ? 0x4106_110a : reg === 4 ? command : 0),
    write: (reg, _size, value) => { if (reg === 4) command = value; },
  });
  const r = runScript(lab);
  expect(lab.out('cell:inmate-a')).toBe('r32: 0x1234\nw32: writing\nw32: done\nr32: 0x4106110a\nr32: 0xffffffff\nw32: writing\nw32: done\n');
  expect(writes).toEqual(['4:4:85']);
  expect(command).toBe(2);
  expect(lab.out('hypervisor')).toContain('FATAL: Invalid MMIO read, address: 0x0000000040000ff0, size: 4\n');
  expect(r.get('state 1')).toBe(3);
});

it('units see every cell\'s life: check, init, reset, shutdown, exit (the root cell at enable and disable)', () => {
  const lab = bootLab([
    'enable sys', 'create a', 'create b', 'load 1 a inmate 0', 'start 1', 'wait 20000', 'shutdown 1', 'destroy 1', 'disable', 'end',
  ], { sys: compileConfig('lab-system.yaml'), a: compileConfig('inmate-a.yaml'), b: compileConfig('inmate-b.yaml'), inmate: inmateImage() });
  const calls: string[] = [];
  lab.hv.addUnit({
    name: 'recorder',
    cellCheck: (cell) => (cell.name === 'inmate-b' ? 'no b today' : undefined),
    cellInit: (cell) => calls.push(`init ${cell.name}`),
    cellReset: (cell) => calls.push(`reset ${cell.name}`),
    cellShutdown: (cell) => calls.push(`shutdown ${cell.name}`),
    cellExit: (cell) => calls.push(`exit ${cell.name}`),
  });
  const r = runScript(lab);
  expect(r.get('create b'), 'a unit objected').toBe(-22);
  expect(r.get('disable')).toBe(0);
  expect(calls).toEqual([
    'init lab-root', 'init inmate-a',
    'shutdown inmate-a', // load: set-loadable stops the cell
    'shutdown inmate-a', 'reset inmate-a', // start: stopped again, then reset
    'shutdown inmate-a', // shutdown
    'shutdown inmate-a', 'exit inmate-a', // destroy
    'exit lab-root', // disable
  ]);
});
