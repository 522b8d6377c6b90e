/**
 * The differential guard of the block translator: the same programs on a board with the translator
 * (translating every page on its first entry) and on one without, in deterministic mode, must agree on
 * every register, pc and instruction count after every run slice (slices of random lengths, so budgets
 * end inside translated blocks), on memory, and on console output.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine, type RunOutcome } from '../../core/machine/machine.ts';
import { Random } from '../support/hart-harness.ts';
import { randomProgram } from './random-program.ts';

const root = resolve(import.meta.dirname, '../..');
interface ManifestEntry { name: string; elf: string; harts: number }
const manifest: ManifestEntry[] = JSON.parse(readFileSync(resolve(root, 'guests/conformance/manifest.json'), 'utf8'));

function board(jit: boolean, harts: number, ramSize = 64 << 20): Machine {
  return new Machine({ harts, deterministic: true, ramSize, jit, jitThreshold: 1 });
}

/** Everything the guest can observe or leave behind, as one comparable value. */
function state(m: Machine, outcome: RunOutcome): string {
  const harts = m.harts.map((h) => {
    const regs = Array.from({ length: 32 }, (_, k) => `${(h.xhi[k]! >>> 0).toString(16)}:${(h.xlo[k]! >>> 0).toString(16)}`);
    return `hart ${h.id} pc ${h.pc.toString(16)} state ${h.state} priv ${h.priv} retired ${h.retired()} traps ${h.traps} ${regs.join(' ')}`;
  });
  return `executed ${m.executed} outcome ${JSON.stringify(outcome)}\n${harts.join('\n')}`;
}

/** Runs both boards in the same slices, comparing after each; then output and RAM. */
function runSideBySide(a: Machine, b: Machine, slices: Random, limit: number): void {
  for (let total = 0; total < limit;) {
    const budget = 1 + slices.below(5000);
    const oa = a.run(budget), ob = b.run(budget);
    expect(state(b, ob)).toBe(state(a, oa));
    total += budget;
    if (oa.kind === 'finished' || oa.kind === 'fault') break;
  }
  const out = (m: Machine) => Buffer.from(m.output.get('uart0')!.drain()).toString('latin1');
  expect(out(b)).toBe(out(a));
  const ram = (m: Machine) => Buffer.from(m.ram.u8.buffer, m.ram.u8.byteOffset, m.ram.u8.byteLength);
  expect(Buffer.compare(ram(b), ram(a)), 'RAM contents').toBe(0);
}

describe('translator vs interpreter: seeded random programs', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`program ${seed}${seed % 3 === 0 ? ' (patches its own loop)' : ''}`, () => {
      const program = randomProgram(new Random(seed), seed % 3 === 0);
      const a = board(false, 1, 16 << 20), b = board(true, 1, 16 << 20);
      for (const m of [a, b]) m.boot({ bytes: program.image, loadAddress: program.loadAddress });
      runSideBySide(a, b, new Random(seed * 7919), 3_000_000);
      expect(a.executed, 'the program ran to its end').toBeGreaterThan(1000);
      expect(b.translator!.stats.disabled).toBeUndefined();
      expect(b.translator!.stats.pages, 'pages translated').toBeGreaterThan(0);
    });
  }
});

describe('translator vs interpreter: the conformance programs', () => {
  for (const entry of manifest) {
    it(`${entry.name} (${entry.harts} hart${entry.harts > 1 ? 's' : ''})`, () => {
      const elf = new Uint8Array(readFileSync(resolve(root, entry.elf)));
      const a = board(false, entry.harts), b = board(true, entry.harts);
      for (const m of [a, b]) m.boot({ bytes: elf });
      runSideBySide(a, b, new Random(entry.name.length * 104729), 400_000_000);
      expect(b.translator!.stats.disabled).toBeUndefined();
      expect(b.translator!.stats.pages).toBeGreaterThan(0);
    });
  }
});
