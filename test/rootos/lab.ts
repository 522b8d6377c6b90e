/**
 * Test support for the root-cell OS (guests/rootos): an initrd writer (cpio newc), an in-process board
 * booted with assets/guests/rootos/rootos.elf, typed input, and helpers that run until the shell prompt
 * comes back.  The console output is normalised ("\r\n" -> "\n", the runtime's marker dropped).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Hypervisor } from '../../core/hypervisor/hypervisor.ts';
import { Machine, type RunOutcome } from '../../core/machine/machine.ts';

export const root = resolve(import.meta.dirname, '../..');
export const ROOTOS_ELF = resolve(root, 'assets/guests/rootos/rootos.elf');
export const PROMPT = 'root@jailhouse-lab:~# ';
const MARKER = '\x1b[0m';
const encoder = new TextEncoder();
const decoder = new TextDecoder('latin1');

/** A cpio archive in newc format (what guests/rootos/mkcpio.py writes): sorted, parents included. */
export function cpio(files: Record<string, Uint8Array | string>): Uint8Array {
  const entries = new Map<string, { mode: number; data: Uint8Array }>();
  for (const [name, content] of Object.entries(files)) {
    const path = name.replace(/^\/+/, '');
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) entries.set(parts.slice(0, i).join('/'), { mode: 0o040755, data: new Uint8Array() });
    entries.set(path, { mode: 0o100644, data: typeof content === 'string' ? encoder.encode(content) : content });
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const push = (b: Uint8Array) => {
    chunks.push(b);
    size += b.length;
  };
  const pad = () => {
    if (size % 4) push(new Uint8Array(4 - (size % 4)));
  };
  const member = (ino: number, name: string, mode: number, data: Uint8Array) => {
    const fields = [ino, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length + 1, 0];
    push(encoder.encode('070701' + fields.map((f) => f.toString(16).toUpperCase().padStart(8, '0')).join('')));
    push(encoder.encode(name + '\0'));
    pad();
    push(data);
    pad();
  };
  [...entries.keys()].sort().forEach((name, i) => member(i + 1, name, entries.get(name)!.mode, entries.get(name)!.data));
  member(0, 'TRAILER!!!', 0, new Uint8Array());
  const out = new Uint8Array(Math.ceil(size / 512) * 512);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export interface RootOsOptions {
  harts?: number;
  ramSize?: number;
  files?: Record<string, Uint8Array | string>;
  /** Install the hypervisor model as the firmware extension (the lab's enable call). */
  hypervisor?: boolean;
  /** Time from executed instructions (default true). */
  deterministic?: boolean;
  bootargs?: string;
}

export interface RootOsLab {
  machine: Machine;
  hv: Hypervisor | undefined;
  /** Everything UART0 printed so far (normalised). */
  output(): string;
  /** Another stream (e.g. "hypervisor", "cell:NAME"), accumulated. */
  stream(name: string): string;
  type(text: string): void;
  /** Runs until `done()` or the budget; stops early when the machine waits for input or finished. */
  runUntil(done: () => boolean, budget?: number): RunOutcome | undefined;
  /** Runs until the output (from `from` on) ends with the prompt. */
  waitForPrompt(from?: number, budget?: number): boolean;
  /** Types a command line, runs to the next prompt, returns what the command printed. */
  command(line: string, budget?: number): string;
  /** Instructions executed when the first prompt appeared. */
  bootInstructions: number;
  last: RunOutcome | undefined;
}

export function bootRootOs(opts: RootOsOptions = {}): RootOsLab {
  const machine = new Machine({
    harts: opts.harts ?? 4, ramSize: opts.ramSize ?? 256 << 20, deterministic: opts.deterministic ?? true, quantum: 2000,
  });
  const hv = opts.hypervisor ? Hypervisor.install(machine) : undefined;
  machine.boot({
    bytes: new Uint8Array(readFileSync(ROOTOS_ELF)),
    initrd: opts.files ? cpio(opts.files) : undefined,
    bootargs: opts.bootargs,
  });
  const streams = new Map<string, string>();
  const collect = () => {
    for (const [name, buffer] of machine.output) {
      if (buffer.size > 0) streams.set(name, (streams.get(name) ?? '') + decoder.decode(buffer.drain()));
    }
  };
  const output = () => {
    collect();
    return (streams.get('uart0') ?? '').replace(MARKER, '').replace(/\r\n/g, '\n');
  };
  const lab: RootOsLab = {
    machine, hv, output, bootInstructions: 0, last: undefined,
    stream: (name) => {
      collect();
      return streams.get(name) ?? '';
    },
    type: (text) => machine.input(0, encoder.encode(text)),
    runUntil: (done, budget = 500_000_000) => {
      const start = machine.executed;
      const hostDeadline = Date.now() + 60_000;   // host time: an idle machine in host-time mode runs nothing
      while (machine.executed - start < budget && Date.now() < hostDeadline) {
        if (done()) return lab.last;
        const outcome = machine.run(100_000);
        lab.last = outcome;
        if (outcome.kind === 'finished' || outcome.kind === 'fault') return outcome;
        if (outcome.kind === 'idle' && (outcome.wakeAt === Infinity || !machine.clock.deterministic)) {
          if (done()) return outcome;
          if (machine.clock.deterministic) return outcome;   // waits for input that will not come
        }
      }
      return lab.last;
    },
    waitForPrompt: (from = 0, budget) => {
      lab.runUntil(() => output().length > from && output().endsWith(PROMPT), budget);
      return output().endsWith(PROMPT);
    },
    command: (line, budget) => {
      const from = output().length;
      lab.type(line + '\n');
      lab.runUntil(() => {
        const o = output();
        return o.length > from + line.length && o.endsWith(PROMPT);
      }, budget);
      const o = output().slice(from);
      const body = o.startsWith(line + '\n') ? o.slice(line.length + 1) : o;
      return body.endsWith(PROMPT) ? body.slice(0, -PROMPT.length) : body;
    },
  };
  lab.waitForPrompt();
  lab.bootInstructions = machine.executed;
  return lab;
}
