/**
 * Every configuration the project ships (guests/configs/*.yaml, compiled into assets/guests/configs)
 * round-trips byte-identically through binary -> YAML -> binary, matches what the guest build compiled,
 * and passes config check together with the system configuration.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCellConfig, parseSystemConfig, writeCellConfig, writeSystemConfig } from '../../../core/hypervisor/config/binary.ts';
import { checkConfigs } from '../../../core/hypervisor/config/check.ts';
import { cellConfigToYaml, parseConfigYaml, systemConfigToYaml } from '../../../core/hypervisor/config/yaml.ts';

const root = resolve(import.meta.dirname, '../../..');
const names = readdirSync(resolve(root, 'guests/configs')).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
const yamlOf = (name: string) => readFileSync(resolve(root, 'guests/configs', `${name}.yaml`), 'utf8');
const binaryOf = (name: string) => new Uint8Array(readFileSync(resolve(root, 'assets/guests/configs', `${name}.cell`)));

describe('shipped configurations', () => {
  it('include the system configuration and a cell for every demo', () => {
    expect(names).toContain('sysconfig');
    for (const demo of ['tiny-demo', 'timer-demo', 'uart-demo', 'locked-demo', 'mem-violation', 'ipi-violation', 'ivshmem-net']) {
      expect(names).toContain(demo);
    }
  });

  for (const name of names) {
    it(`${name}: YAML compiles to the shipped .cell, and binary -> YAML -> binary is byte-identical`, () => {
      const doc = parseConfigYaml(yamlOf(name));
      const compiled = doc.kind === 'system' ? writeSystemConfig(doc.config) : writeCellConfig(doc.config);
      expect(compiled).toEqual(binaryOf(name));
      const again = doc.kind === 'system'
        ? writeSystemConfig(parseConfigYaml(systemConfigToYaml(parseSystemConfig(compiled))).config as never)
        : writeCellConfig(parseConfigYaml(cellConfigToYaml(parseCellConfig(compiled))).config as never);
      expect(again).toEqual(compiled);
    });
  }

  it('every cell passes config check with the system configuration', () => {
    const system = parseSystemConfig(binaryOf('sysconfig'));
    for (const name of names.filter((n) => n !== 'sysconfig')) {
      const findings = checkConfigs(system, [parseCellConfig(binaryOf(name))], { harts: 6 });
      expect(findings.filter((f) => f.severity === 'error'), name).toEqual([]);
    }
  });
});
