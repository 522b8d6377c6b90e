/**
 * Every lab the project ships passes headless and deterministically: two runs print the same bytes on
 * every console (jailhouse-lab test --repeat 2), exactly what CI and users run.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const labs = readdirSync(resolve(root, 'assets/labs')).filter((f) => f.endsWith('.yaml')).sort();

describe('example labs', () => {
  it('ships a lab for every demo', () => {
    for (const demo of ['tiny-demo', 'timer-demo', 'uart-demo', 'locked-demo', 'mem-violation', 'ipi-violation', 'ivshmem-demo', 'virtio-console', 'virtio-blk']) {
      expect(labs).toContain(`${demo}.yaml`);
    }
  });

  for (const lab of labs) {
    // One after another: spawnSync blocks, so "concurrent" tests shared one timeout clock and the last ones ran out.
    it(`${lab} passes twice with identical console bytes`, () => {
      const r = spawnSync(process.execPath, [resolve(root, 'bin/jailhouse-lab.mjs'), 'test', '--repeat', '2', resolve(root, 'assets/labs', lab)],
        { encoding: 'utf8', timeout: 300_000 });
      expect(r.stdout, r.stderr).toMatch(/: PASS \(\d+ instructions\)/);
      expect(r.stdout).toContain('✓ run 2 printed the same bytes as run 1 on every console');
      expect(r.stdout).not.toContain('✗');
      expect(r.status).toBe(0);
    }, 300_000);
  }
});
