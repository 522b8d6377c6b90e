/**
 * Test support for the hypervisor: a deterministic board booted with the root-cell test OS
 * (guests/hypervisor/root.c), files placed in root RAM (configs compiled from YAML, inmate images,
 * the script), helpers to run until a condition holds and to read the consoles.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeCellConfig, writeSystemConfig } from '../../core/hypervisor/config/binary.ts';
import { parseConfigYaml } from '../../core/hypervisor/config/yaml.ts';
import { Hypervisor } from '../../core/hypervisor/hypervisor.ts';
import { parseElf } from '../../core/machine/elf.ts';
import { Machine } from '../../core/machine/machine.ts';

export const root = resolve(import.meta.dirname, '../..');
export const FILES_BASE = 0x8800_0000;
const decoder = new TextDecoder();
const GUEST_OUTPUT_MARKER = '\x1b[0m';

/** A YAML config (file under test/hypervisor/configs or text) compiled to its binary form. */
export function compileConfig(nameOrText: string, edit?: (c: any) => void): Uint8Array {
  const text = nameOrText.includes('\n') ? nameOrText : readFileSync(resolve(import.meta.dirname, 'configs', nameOrText), 'utf8');
  const parsed = parseConfigYaml(text);
  edit?.(parsed.config);
  return parsed.kind === 'system' ? writeSystemConfig(parsed.config) : writeCellConfig(parsed.config);
}

/** An inmate ELF linked at 0, flattened to the raw image `jailhouse cell load` copies. */
export function inmateImage(name = 'inmate'): Uint8Array {
  const elf = parseElf(new Uint8Array(readFileSync(resolve(root, `assets/guests/hypervisor/${name}.elf`))));
  const end = Math.max(...elf.segments.map((s) => s.paddr + s.data.length));
  const image = new Uint8Array(end);
  for (const s of elf.segments) image.set(s.data, s.paddr);
  return image;
}

export interface HvLab {
  machine: Machine;
  hv: Hypervisor;
  /** Everything a stream printed so far (accumulated across drains). */
  out(stream: string): string;
  /** Runs until `done()` holds (checked every `step` instructions) or `budget` instructions passed. */
  runUntil(done: () => boolean, budget?: number): boolean;
  /** Runs the script to its end ("= ..." of the last command), returns the root console. */
  results(): Array<{ command: string; value: number }>;
  /** Reads host-physical memory. */
  peek(hpa: number, length: number): Uint8Array;
}

/**
 * Boots the root-cell test OS with `files` and `script` (one command per line, see guests/hypervisor/root.c)
 * on a deterministic 4-hart, 256 MiB board with the hypervisor installed as firmware extension.
 */
export function bootLab(script: string[], files: Record<string, Uint8Array>, opts: { harts?: number; trace?: boolean } = {}): HvLab {
  const machine = new Machine({ harts: opts.harts ?? 4, ramSize: 256 << 20, deterministic: true, trace: opts.trace ?? false, quantum: 2000 });
  const hv = Hypervisor.install(machine);
  const all: Record<string, Uint8Array> = { ...files, script: new TextEncoder().encode(script.join('\n') + '\n') };
  const names = Object.keys(all);
  const table = new Uint8Array(16 + names.length * 64);
  const view = new DataView(table.buffer);
  table.set(new TextEncoder().encode('JLFILES\0'));
  view.setBigUint64(8, BigInt(names.length), true);
  let at = FILES_BASE + 0x10000;
  names.forEach((name, i) => {
    const bytes = all[name]!;
    table.set(new TextEncoder().encode(name), 16 + i * 64);
    view.setBigUint64(16 + i * 64 + 48, BigInt(at), true);
    view.setBigUint64(16 + i * 64 + 56, BigInt(bytes.length), true);
    machine.writePhysical(at, bytes);
    at += Math.ceil((bytes.length + 1) / 4096) * 4096;
  });
  machine.writePhysical(FILES_BASE, table);
  machine.boot({ bytes: new Uint8Array(readFileSync(resolve(root, 'assets/guests/hypervisor/root.elf'))) });

  const collected = new Map<string, string>();
  const out = (stream: string): string => {
    for (const [name, buffer] of machine.output) {
      if (buffer.size > 0) collected.set(name, (collected.get(name) ?? '') + decoder.decode(buffer.drain()));
    }
    return collected.get(stream) ?? '';
  };
  const runUntil = (done: () => boolean, budget = 200_000_000): boolean => {
    let spent = 0;
    while (spent < budget) {
      if (done()) return true;
      const before = machine.executed;
      const outcome = machine.run(200_000);
      spent += machine.executed - before + 1;
      if (outcome.kind !== 'budget' && outcome.kind !== 'idle') return done();
      if (outcome.kind === 'idle' && outcome.wakeAt === Infinity) return done();
    }
    return done();
  };
  const results = () => {
    const lines = out('uart0').replace(GUEST_OUTPUT_MARKER, '').split('\n');
    const list: Array<{ command: string; value: number }> = [];
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (!l.startsWith('> ')) continue;
      const r = lines.slice(i + 1).find((x) => x.startsWith('= ') || x.startsWith('> '));
      if (r?.startsWith('= ')) list.push({ command: l.slice(2), value: Number(r.slice(2)) });
    }
    return list;
  };
  const peek = (hpa: number, length: number) => machine.ram.u8.slice(hpa - machine.ram.base, hpa - machine.ram.base + length);
  return { machine, hv, out, runUntil, results, peek };
}

/**
 * Runs the lab until the script's `end` (the finisher) or until the root OS's CPU 0 is parked by the
 * hypervisor, and returns the command results by command.
 */
export function runScript(lab: HvLab, budget?: number): Map<string, number> {
  lab.runUntil(() => lab.hv.failed[0] === true, budget);
  return new Map(lab.results().map((r) => [r.command, r.value]));
}
