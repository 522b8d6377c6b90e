/**
 * The conformance programs (guests/conformance, prebuilt in assets/guests/conformance) on the reference
 * machine QEMU: each must pass (exit code 0) and end with "<name>: N checks passed".  Proves the test
 * programs themselves; the lab-vs-QEMU comparison uses the same manifest and runOnQemu.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { qemuAvailable, runOnQemu } from './support/qemu';

interface ManifestEntry {
  name: string;
  elf: string;
  harts: number;
  differential: boolean;
}

const root = resolve(import.meta.dirname, '..');
const manifest: ManifestEntry[] = JSON.parse(
  readFileSync(resolve(root, 'guests/conformance/manifest.json'), 'utf8'),
);
const haveQemu = qemuAvailable();

if (!haveQemu) {
  console.warn('conformance-qemu: qemu-system-riscv64 not found, skipping (apt-get install qemu-system-misc)');
}

describe.skipIf(!haveQemu)('conformance programs on QEMU (qemu-system-riscv64 missing: skipped)', () => {
  it('has a manifest entry with an existing ELF for every program', () => {
    expect(manifest.length).toBeGreaterThan(0);
    for (const e of manifest) expect(existsSync(resolve(root, e.elf)), e.elf).toBe(true);
  });

  for (const entry of manifest) {
    it.concurrent(`${entry.name} (${entry.harts} hart${entry.harts > 1 ? 's' : ''})`, async () => {
      const r = await runOnQemu(resolve(root, entry.elf), { harts: entry.harts, timeoutMs: 60_000 });
      expect(r.timedOut, r.output).toBe(false);
      expect(r.output).not.toMatch(/^FAIL /m);
      expect(r.output).toMatch(new RegExp(`^${entry.name}: start\\n`));
      expect(r.output).toMatch(new RegExp(`\\n${entry.name}: \\d+ checks passed\\n(.*\\n)?$`));
      expect(r.exitCode, r.output).toBe(0);
    });
  }
});
