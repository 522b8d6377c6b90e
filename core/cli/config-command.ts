/**
 * `jailhouse-lab config ...`: compile / decompile / check Jailhouse configurations.
 * File access goes through `io` so this also runs in tests and in the browser.
 *
 * Exit status: 0 success (check: no errors), 1 check found errors, 2 usage or parse failure.
 */

import { ConfigError, parseCellConfig, parseSystemConfig, sniffBinaryConfig, writeCellConfig, writeSystemConfig } from '../hypervisor/config/binary.js';
import { checkConfigs, formatFinding, type CheckImage } from '../hypervisor/config/check.js';
import { CELL_DESC_SIZE, type CellConfig, type SystemConfig } from '../hypervisor/config/types.js';
import { YamlConfigError, cellConfigToYaml, parseConfigYaml, systemConfigToYaml, type ParsedConfig } from '../hypervisor/config/yaml.js';

export interface ConfigCommandIo {
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  stdout(s: string): void;
  stderr(s: string): void;
}

export const CONFIG_USAGE = `usage: jailhouse-lab config compile CONFIG.yaml [-o CONFIG.cell]
       jailhouse-lab config decompile CONFIG.cell [-o CONFIG.yaml]
       jailhouse-lab config check SYSCONFIG [CELLCONFIG ...] [--harts N] [--image CELL=FILE[@ADDRESS] ...]

Configurations may be given as binary .cell files or as YAML (docs/config-format.md).
compile writes the binary (default output: the input name with .cell);
decompile prints YAML to stdout unless -o is given.
check exits 0 when there are no errors, 1 when there are, 2 on usage or parse errors.
`;

class UsageError extends Error {}
class InputError extends Error {}

async function load(io: ConfigCommandIo, path: string): Promise<ParsedConfig> {
  let bytes: Uint8Array;
  try {
    bytes = await io.readFile(path);
  } catch (e) {
    throw new InputError(`${path}: cannot read: ${(e as Error).message}`);
  }
  try {
    const kind = sniffBinaryConfig(bytes);
    if (kind === 'system') return { kind, config: parseSystemConfig(bytes) };
    if (kind === 'cell') return { kind, config: parseCellConfig(bytes) };
    if (bytes[0] === 0x4a && bytes[1] === 0x48 && bytes.subarray(0, CELL_DESC_SIZE).includes(0)) {
      // "JH..." binary data with an unknown signature: report it as a binary error
      return { kind: 'cell', config: parseCellConfig(bytes) };
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new InputError(`${path}: neither a Jailhouse binary configuration nor UTF-8 YAML text`);
    }
    return parseConfigYaml(text);
  } catch (e) {
    if (e instanceof YamlConfigError) {
      throw new InputError(e.issues.map((i) =>
        `${path}${i.line !== undefined ? `:${i.line}:${i.column ?? 1}` : ''}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'));
    }
    if (e instanceof ConfigError) throw new InputError(`${path}: ${e.message}`);
    throw e;
  }
}

function parseOptions(args: string[], valued: string[]): { positional: string[]; opts: Map<string, string[]> } {
  const positional: string[] = [];
  const opts = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') { positional.push(...args.slice(i + 1)); break; }
    if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const name = eq > 0 && a.startsWith('--') ? a.slice(0, eq) : a;
      if (!valued.includes(name)) throw new UsageError(`unknown option ${a}`);
      let value: string | undefined = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : undefined;
      if (value === undefined) {
        value = args[++i];
        if (value === undefined) throw new UsageError(`option ${name} needs a value`);
      }
      opts.set(name, [...(opts.get(name) ?? []), value]);
    } else positional.push(a);
  }
  return { positional, opts };
}

function one(opts: Map<string, string[]>, ...names: string[]): string | undefined {
  let v: string | undefined;
  for (const n of names) {
    const l = opts.get(n);
    if (l?.length) {
      if (l.length > 1 || v !== undefined) throw new UsageError(`option ${n} given more than once`);
      v = l[0];
    }
  }
  return v;
}

function toBinary(p: ParsedConfig): Uint8Array {
  return p.kind === 'system' ? writeSystemConfig(p.config) : writeCellConfig(p.config);
}

function toYaml(p: ParsedConfig): string {
  return p.kind === 'system' ? systemConfigToYaml(p.config) : cellConfigToYaml(p.config);
}

function defaultOutput(input: string, ext: string): string {
  const m = /\.(ya?ml|cell|json)$/i.exec(input);
  return (m ? input.slice(0, m.index) : input) + ext;
}

async function compile(args: string[], io: ConfigCommandIo): Promise<number> {
  const { positional, opts } = parseOptions(args, ['-o', '--output']);
  if (positional.length !== 1) throw new UsageError('compile takes exactly one input file');
  const input = positional[0]!;
  const output = one(opts, '-o', '--output') ?? defaultOutput(input, '.cell');
  const cfg = await load(io, input);
  let bytes: Uint8Array;
  try {
    bytes = toBinary(cfg);
  } catch (e) {
    if (e instanceof ConfigError) throw new InputError(`${input}: ${e.message}`);
    throw e;
  }
  await io.writeFile(output, bytes);
  return 0;
}

async function decompile(args: string[], io: ConfigCommandIo): Promise<number> {
  const { positional, opts } = parseOptions(args, ['-o', '--output']);
  if (positional.length !== 1) throw new UsageError('decompile takes exactly one input file');
  const input = positional[0]!;
  const output = one(opts, '-o', '--output');
  const text = toYaml(await load(io, input));
  if (output === undefined || output === '-') io.stdout(text);
  else await io.writeFile(output, new TextEncoder().encode(text));
  return 0;
}

function parseImageSpec(spec: string): { cell: string; file: string; address?: bigint } {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--image expects CELL=FILE[@ADDRESS], got "${spec}"`);
  const cell = spec.slice(0, eq);
  let file = spec.slice(eq + 1);
  let address: bigint | undefined;
  const at = file.lastIndexOf('@');
  if (at > 0) {
    const a = file.slice(at + 1);
    if (!/^(0[xX][0-9a-fA-F]+|[0-9]+)$/.test(a)) throw new UsageError(`bad image address "${a}"`);
    address = BigInt(a);
    file = file.slice(0, at);
  }
  return address === undefined ? { cell, file } : { cell, file, address };
}

async function check(args: string[], io: ConfigCommandIo): Promise<number> {
  const { positional, opts } = parseOptions(args, ['--harts', '--image']);
  if (positional.length < 1) throw new UsageError('check needs a system configuration');
  const hartsText = one(opts, '--harts');
  let harts: number | undefined;
  if (hartsText !== undefined) {
    if (!/^[0-9]+$/.test(hartsText) || Number(hartsText) < 1 || Number(hartsText) > 32) {
      throw new UsageError(`--harts expects a number 1..32, got "${hartsText}"`);
    }
    harts = Number(hartsText);
  }
  const sys = await load(io, positional[0]!);
  if (sys.kind !== 'system') throw new InputError(`${positional[0]}: not a system configuration (kind: cell)`);
  const cells: CellConfig[] = [];
  for (const p of positional.slice(1)) {
    const c = await load(io, p);
    if (c.kind !== 'cell') throw new InputError(`${p}: not a cell configuration (kind: system)`);
    cells.push(c.config);
  }
  const images: CheckImage[] = [];
  for (const spec of opts.get('--image') ?? []) {
    const s = parseImageSpec(spec);
    let bytes: Uint8Array;
    try {
      bytes = await io.readFile(s.file);
    } catch (e) {
      throw new InputError(`${s.file}: cannot read: ${(e as Error).message}`);
    }
    images.push(s.address === undefined ? { cell: s.cell, size: bytes.length } : { cell: s.cell, size: bytes.length, address: s.address });
  }
  const findings = checkConfigs(sys.config as SystemConfig, cells, {
    ...(harts !== undefined ? { harts } : {}), images,
  });
  for (const f of findings) io.stdout(`${formatFinding(f)}\n`);
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  io.stdout(findings.length
    ? `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`
    : `no problems found (${1 + cells.length} configuration${cells.length ? 's' : ''})\n`);
  return errors ? 1 : 0;
}

/** Entry point of `jailhouse-lab config ...` (args without the leading "config"). */
export async function runConfigCommand(args: string[], io: ConfigCommandIo): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'compile': return await compile(rest, io);
      case 'decompile': return await decompile(rest, io);
      case 'check': return await check(rest, io);
      case 'help': case '-h': case '--help':
        io.stdout(CONFIG_USAGE);
        return 0;
      case undefined:
        throw new UsageError('missing subcommand');
      default:
        throw new UsageError(`unknown subcommand "${sub}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`config: ${e.message}\n${CONFIG_USAGE}`);
      return 2;
    }
    if (e instanceof InputError) {
      io.stderr(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
