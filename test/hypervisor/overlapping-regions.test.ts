/**
 * Overlapping guest-physical regions in one cell: Jailhouse accepts them and maps the regions in config
 * order, so where they overlap the later one is what the cell sees (with the usual layout, the comm
 * region after the RAM: the comm page wins). `config check` warns instead of failing.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { checkConfigs, formatFinding } from '../../core/hypervisor/config/check.ts';
import type { CellConfig, SystemConfig } from '../../core/hypervisor/config/types.ts';
import { parseConfigYaml } from '../../core/hypervisor/config/yaml.ts';
import { bootLab, compileConfig, inmateImage, runScript } from './lab.ts';

const text = (name: string) => readFileSync(resolve(import.meta.dirname, 'configs', name), 'utf8');
// inmate-a with 2 MiB of RAM at GPA 0: its second MiB overlaps the comm region at 0x100000
const overlapping = text('inmate-a.yaml').replace('virt_start: 0x0, size: 1M,', 'virt_start: 0x0, size: 2M,');

it('a cell whose RAM overlaps its comm region is created; the comm page wins there; config check warns', () => {
  expect(overlapping).not.toBe(text('inmate-a.yaml'));
  const lab = bootLab([
    'enable sys', 'create a', 'load 1 a inmate 0',
    'loadstr 1 a 0x100 "r32 100000 r32 101000"',
    'start 1', 'wait 200000', 'state 1', 'end',
  ], { sys: compileConfig('lab-system.yaml'), a: compileConfig(overlapping), inmate: inmateImage() });
  const r = runScript(lab);
  expect(r.get('create a')).toBe(1);
  const cell = lab.hv.snapshot().cells.find((c) => c.name === 'inmate-a')!;
  const at = (gpa: number) => cell.memory.find((m) => gpa >= m.gpa && gpa < m.gpa + m.size)!;
  const hv = lab.hv.hypervisorMemory();
  expect(at(0x10_0000).hpa >= hv.start && at(0x10_0000).hpa < hv.end, 'the comm page comes from hypervisor memory').toBe(true);
  expect(at(0x10_0000).size).toBe(0x1000);
  expect(at(0x0).hpa).toBe(0x8f60_0000);
  expect(at(0x10_1000).hpa).toBe(0x8f70_1000); // the RAM continues after the comm page
  const out = lab.out('cell:inmate-a');
  expect(out).toContain('r32: 0x4f43484a'); // "JHCO": the comm region's signature
  expect(r.get('state 1')).toBe(0); // running

  const sys = parseConfigYaml(text('lab-system.yaml')).config as SystemConfig;
  const cellConfig = parseConfigYaml(overlapping).config as CellConfig;
  const findings = checkConfigs(sys, [cellConfig]).map(formatFinding);
  expect(findings.filter((f) => f.startsWith('error'))).toEqual([]);
  expect(findings).toContain('warning: cell "inmate-a", region 0: overlaps region 1 in the cell\'s guest-physical space (0x0-0x1fffff / 0x100000-0x100fff); regions are mapped in order, so region 1 is what the cell sees there');
});
