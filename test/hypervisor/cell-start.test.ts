/**
 * CELL_START starts the cell's lowest-numbered CPU, as Jailhouse's arch_cell_reset (first_cpu of the
 * cell's set), not the first one its config lists; the others stay in HSM STOPPED.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { checkConfigs, formatFinding } from '../../core/hypervisor/config/check.ts';
import type { CellConfig, SystemConfig } from '../../core/hypervisor/config/types.ts';
import { parseConfigYaml } from '../../core/hypervisor/config/yaml.ts';
import { bootLab, compileConfig, inmateImage, runScript } from './lab.ts';

const text = (name: string) => readFileSync(resolve(import.meta.dirname, 'configs', name), 'utf8');

it('the lowest-numbered CPU of the cell starts, whatever the config order', () => {
  const reversed = text('inmate-a.yaml').replace('cpus: [2]', 'cpus: [3, 2]');
  expect(reversed).not.toBe(text('inmate-a.yaml'));
  const lab = bootLab(['enable sys', 'create a', 'load 1 a inmate 0', 'start 1', 'wait 100000', 'state 1', 'end'],
    { sys: compileConfig('lab-system.yaml'), a: compileConfig(reversed), inmate: inmateImage() });
  const r = runScript(lab);
  expect(r.get('start 1')).toBe(0);
  expect(r.get('state 1')).toBe(0); // running
  const cell = lab.hv.snapshot().cells.find((c) => c.name === 'inmate-a')!;
  expect(cell.cpus).toEqual([2, 3]);
  expect(lab.machine.harts[2]!.state).toBe(1); // HartState.Running
  expect(lab.machine.harts[3]!.state).toBe(0); // HartState.Stopped: waits for the cell's hart_start
  expect(lab.hv.snapshot().cpus[2]!.stats.some((n) => n > 0)).toBe(true);
});

it('config check warns about a nonzero cpu_reset_address (the RISC-V port always starts at 0)', () => {
  const sys = parseConfigYaml(text('lab-system.yaml')).config as SystemConfig;
  const cell = parseConfigYaml(text('inmate-a.yaml')).config as CellConfig;
  expect(checkConfigs(sys, [cell]).map(formatFinding).filter((f) => f.includes('cpu_reset_address'))).toEqual([]);
  cell.cpu_reset_address = 0x1000n;
  expect(checkConfigs(sys, [cell]).map(formatFinding)).toContain('warning: cell "inmate-a": cpu_reset_address 0x1000: the lab starts the cell there, Jailhouse\'s RISC-V port always starts it at 0');
});
