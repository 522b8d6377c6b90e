/**
 * Fuzzing the edges where outside bytes enter: binary cell/system configurations, YAML configurations,
 * lab files and ELF images, mutated from the project's own files by a seeded generator (the same inputs
 * on every run). Every input must either parse or fail with the module's own error type naming the input
 * and the place (byte offset and field, or line:column); nothing may throw anything else, and what parses
 * must survive `config check`, the YAML round trip and the hypervisor's enable.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseCellConfig, parseSystemConfig, sniffBinaryConfig, writeSystemConfig } from '../../core/hypervisor/config/binary.ts';
import { checkConfigs } from '../../core/hypervisor/config/check.ts';
import type { CellConfig, SystemConfig } from '../../core/hypervisor/config/types.ts';
import { YamlConfigError, cellConfigToYaml, parseConfigYaml, systemConfigToYaml } from '../../core/hypervisor/config/yaml.ts';
import { Hypervisor } from '../../core/hypervisor/hypervisor.ts';
import { LabFileError, parseLab } from '../../core/lab/lab-file.ts';
import { ImageError, parseElf } from '../../core/machine/elf.ts';
import { Machine } from '../../core/machine/machine.ts';

const root = resolve(import.meta.dirname, '../..');
/** More inputs for a local hunt (FUZZ_SCALE=10 npx vitest run test/fuzz); `npm test` runs scale 1. */
const SCALE = Math.max(1, Number(process.env.FUZZ_SCALE ?? 1) | 0);
const files = (dir: string, ext: string) => readdirSync(resolve(root, dir)).filter((f) => f.endsWith(ext)).sort().map((f) => `${dir}/${f}`);
const bytes = (path: string) => new Uint8Array(readFileSync(resolve(root, path)));
const text = (path: string) => readFileSync(resolve(root, path), 'utf8');

/** mulberry32: small, seeded, the same sequence everywhere. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { int, pick };
}
type Random = ReturnType<typeof random>;

const INTERESTING_U32 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x1000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff];

/** Byte-level mutations: bit flips, interesting values, truncation, extension, copied chunks. */
function mutateBytes(r: Random, input: Uint8Array, hot = input.length): Uint8Array {
  let b = input.slice();
  const edits = 1 + r.int(4);
  for (let e = 0; e < edits; e++) {
    const at = r.int(Math.max(1, Math.min(hot, b.length)));
    switch (r.int(6)) {
      case 0: b[at] = b[at]! ^ (1 << r.int(8)); break;
      case 1: b[at] = r.pick([0, 0xff, 0x7f, 0x80, 1]); break;
      case 2: { // an interesting little-endian u32 at an aligned offset
        const o = at & ~3;
        if (o + 4 <= b.length) new DataView(b.buffer).setUint32(o, r.pick(INTERESTING_U32), true);
        break;
      }
      case 3: b = b.slice(0, r.int(b.length + 1)); break;
      case 4: { const extra = new Uint8Array(1 + r.int(64)).map(() => r.int(256)); const c = new Uint8Array(b.length + extra.length); c.set(b); c.set(extra, b.length); b = c; break; }
      case 5: { // copy a chunk over another place
        const n = 1 + r.int(32), from = r.int(Math.max(1, b.length)), to = r.int(Math.max(1, b.length));
        b.copyWithin(to, from, from + n);
        break;
      }
    }
  }
  return b;
}

const TOKENS = ['*nope', '&a', '*a', '[', ']', '{', '}', '-1', '0x', '0xfffffffffffffffff', '1G', '9T', '"', "'", ':', '? x', '\t', 'null', '~', '!!binary', '99999999999999999999999', '- ', '#', '&a [*a]', '<<: *a', '1e400', 'NaN', '\u0000', '🙂'];

/** Text-level mutations: line deletion/duplication, token insertion, indentation, truncation. */
function mutateText(r: Random, input: string): string {
  let lines = input.split('\n');
  const edits = 1 + r.int(3);
  for (let e = 0; e < edits; e++) {
    const i = r.int(lines.length);
    const line = lines[i] ?? '';
    switch (r.int(6)) {
      case 0: lines.splice(i, 1); break;
      case 1: lines.splice(i, 0, lines[r.int(lines.length)] ?? ''); break;
      case 2: { const at = r.int(line.length + 1); lines[i] = line.slice(0, at) + r.pick(TOKENS) + line.slice(at); break; }
      case 3: { // replace a value after a colon
        const c = line.indexOf(': ');
        lines[i] = c >= 0 ? `${line.slice(0, c + 2)}${r.pick(TOKENS)}` : `${line}: ${r.pick(TOKENS)}`;
        break;
      }
      case 4: lines[i] = r.int(2) ? ` ${line}` : line.replace(/^ /, ''); break;
      case 5: lines = lines.slice(0, r.int(lines.length + 1)); break;
    }
  }
  return lines.join('\n');
}

/** The failure must be the module's own error type, naming the place. */
function expectPlaced(error: unknown, type: new (...args: never[]) => Error, place: RegExp, input: string): void {
  if (!(error instanceof type)) throw new Error(`${input}: threw ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`);
  expect(error.message, input).toMatch(place);
}

const systemFixture = parseConfigYaml(text('test/fixtures/configs/qemu-riscv64.yaml')).config as SystemConfig;

/** What must hold for a configuration that parsed: check, YAML round trip, no exception. */
function survives(parsed: { kind: 'system'; config: SystemConfig } | { kind: 'cell'; config: CellConfig }, input: string): void {
  try {
    if (parsed.kind === 'system') {
      checkConfigs(parsed.config, [], { harts: 6 });
      parseConfigYaml(systemConfigToYaml(parsed.config));
    } else {
      checkConfigs(systemFixture, [parsed.config], { harts: 6 });
      parseConfigYaml(cellConfigToYaml(parsed.config));
    }
  } catch (e) {
    // the YAML of a config the binary parser accepted may still be rejected by the schema, with a place
    if (e instanceof YamlConfigError && e.issues.every((i) => i.line !== undefined && i.column !== undefined)) return;
    throw new Error(`${input}: a parsed configuration broke check/round trip: ${e instanceof Error ? e.stack : String(e)}`);
  }
}

describe('fuzzing the input edges (seeded, deterministic)', () => {
  it('binary configurations: 500 mutations of the shipped .cell files', () => {
    const corpus = [...files('assets/guests/configs', '.cell'), ...files('test/fixtures/configs', '.cell')];
    const r = random(0x5eed_0001);
    let parsed = 0;
    for (let n = 0; n < 500 * SCALE; n++) {
      const path = corpus[n % corpus.length]!;
      const original = bytes(path);
      const input = mutateBytes(r, original, n % 2 === 0 ? 548 : original.length);
      const name = `${path} #${n}`;
      const kind = sniffBinaryConfig(original);
      try {
        const config = kind === 'system' ? parseSystemConfig(input) : parseCellConfig(input);
        parsed++;
        survives(kind === 'system' ? { kind, config: config as SystemConfig } : { kind: 'cell', config: config as CellConfig }, name);
      } catch (e) {
        if (e instanceof Error && e.message.includes('a parsed configuration broke')) throw e;
        expectPlaced(e, ConfigError, /at offset (0x[0-9a-f]+|\d+)/, name);
        const ce = e as ConfigError;
        expect(ce.field.length, name).toBeGreaterThan(0);
        expect(ce.offset, name).toBeGreaterThanOrEqual(0);
        expect(ce.offset, name).toBeLessThanOrEqual(input.length);
      }
    }
    expect(parsed).toBeGreaterThan(20); // the mutations do not only break the header
  }, 120_000);

  it('YAML configurations: 300 mutations of the project\'s YAML configs', () => {
    const corpus = [...files('guests/configs', '.yaml'), ...files('test/fixtures/configs', '.yaml'), ...files('test/hypervisor/configs', '.yaml')];
    const r = random(0x5eed_0002);
    for (let n = 0; n < 300 * SCALE; n++) {
      const path = corpus[n % corpus.length]!;
      const input = mutateText(r, text(path));
      const name = `${path} #${n}`;
      try {
        survives(parseConfigYaml(input), name);
      } catch (e) {
        if (e instanceof Error && e.message.includes('a parsed configuration broke')) throw e;
        expectPlaced(e, YamlConfigError, /\(line \d+, column \d+\)/, name);
        for (const issue of (e as YamlConfigError).issues) {
          expect(issue.line, `${name}: ${issue.message}`).toBeGreaterThanOrEqual(1);
          expect(issue.column, `${name}: ${issue.message}`).toBeGreaterThanOrEqual(1);
        }
      }
    }
  }, 120_000);

  it('lab files: 200 mutations of the shipped labs', () => {
    const corpus = files('assets/labs', '.yaml');
    const r = random(0x5eed_0003);
    for (let n = 0; n < 200 * SCALE; n++) {
      const path = corpus[n % corpus.length]!;
      const input = mutateText(r, text(path));
      const name = `${path} #${n}`;
      try {
        parseLab(input, 'mutated.yaml');
      } catch (e) {
        expectPlaced(e, LabFileError, /^mutated\.yaml:\d+:\d+: \S/, name);
        for (const line of (e as Error).message.split('\n')) expect(line, name).toMatch(/^mutated\.yaml:\d+:\d+: \S/);
      }
    }
  }, 120_000);

  it('ELF images: 200 mutations of the guest images (headers and program headers)', () => {
    const corpus = [...files('assets/guests/inmates', '.elf'), 'assets/guests/rootos/rootos.elf', 'assets/guests/hypervisor/inmate.elf'];
    const r = random(0x5eed_0004);
    let parsed = 0;
    for (let n = 0; n < 200 * SCALE; n++) {
      const path = corpus[n % corpus.length]!;
      const input = mutateBytes(r, bytes(path), 64 + 56 * 4);
      const name = `${path} #${n}`;
      try {
        const image = parseElf(input);
        parsed++;
        for (const s of image.segments) expect(s.data.length, name).toBeLessThanOrEqual(s.memsz);
      } catch (e) {
        expectPlaced(e, ImageError, /at byte \d+|ends at byte \d+|^ELF header: file is \d+ bytes/, name);
      }
    }
    expect(parsed).toBeGreaterThan(10);
  }, 120_000);

  it('system configurations through the hypervisor: 40 mutations enabled on a board, never an exception', () => {
    // (40: each needs a board of its own)
    const sys = parseConfigYaml(text('test/hypervisor/configs/lab-system.yaml')).config as SystemConfig;
    const original = writeSystemConfig(sys);
    const r = random(0x5eed_0005);
    const results = new Map<number, number>();
    for (let n = 0; n < 40 * SCALE; n++) {
      const input = mutateBytes(r, original, n % 3 === 0 ? original.length : 548);
      const machine = new Machine({ harts: 4, ramSize: 256 << 20, deterministic: true });
      const hv = Hypervisor.install(machine);
      let result: number;
      try {
        result = hv.enableFromHost(input);
      } catch (e) {
        throw new Error(`lab-system.yaml mutation #${n}: enable threw ${e instanceof Error ? e.stack : String(e)}`);
      }
      expect(result, `mutation #${n}`).toBeLessThanOrEqual(0);
      results.set(result, (results.get(result) ?? 0) + 1);
    }
    expect(results.get(0) ?? 0, 'some mutations still enable').toBeGreaterThan(0);
    expect(results.get(-22) ?? 0, 'some are refused with -EINVAL').toBeGreaterThan(0);
  }, 120_000);
});
