import { readFileSync } from 'node:fs';
import { parseLab } from '../core/lab/lab-file.ts';
import { prepareLab } from '../core/lab/prepare.ts';
import { Machine } from '../core/machine/machine.ts';
import { installHypervisor } from '../core/worker/firmware.ts';
import type { FirmwareView } from '../core/worker/machine-host.ts';

/** A lab's board in this process, driven through the root OS's console as a person would. */
export interface LabBoard {
  machine: Machine;
  firmware: FirmwareView;
  /**
   * Runs until `text` appears on `stream` (the root console by default) after what the previous wait on
   * that stream matched (false: `hostMs` passed first).
   */
  waitFor(text: string, hostMs?: number, stream?: string): boolean;
  /** Types a line and waits for the next prompt. */
  shell(line: string): void;
  /** The root console so far. */
  transcript(): string;
}

/** Boots `labFile`'s board, root OS and RAM disk (with the hypervisor installed), up to the first prompt. */
export async function bootLabBoard(labFile: string, opts: { deterministic: boolean; chunk?: number }): Promise<LabBoard> {
  const lab = parseLab(readFileSync(labFile, 'utf8'), labFile);
  const prepared = await prepareLab(lab, labFile, async (p) => new Uint8Array(readFileSync(p)));
  const machine = new Machine({ harts: lab.board.harts, ramSize: lab.board.ramSize, deterministic: opts.deterministic });
  const firmware = installHypervisor(machine)!;
  machine.boot({ bytes: prepared.rootImage, initrd: prepared.initrd, bootargs: lab.root.bootargs });
  const texts = new Map<string, string>();
  const seen = new Map<string, number>();
  const waitFor = (text: string, hostMs = Infinity, stream = 'uart0') => {
    const until = performance.now() + hostMs;
    for (;;) {
      const console = texts.get(stream) ?? '';
      const at = console.indexOf(text, seen.get(stream) ?? 0);
      if (at >= 0) { seen.set(stream, at + text.length); return true; }
      if (performance.now() > until) return false;
      const outcome = machine.run(opts.chunk ?? 100_000);
      for (const [name, buffer] of machine.output) {
        const bytes = buffer.drain();
        if (bytes.length > 0) texts.set(name, (texts.get(name) ?? '') + new TextDecoder().decode(bytes));
      }
      if (outcome.kind === 'finished' || outcome.kind === 'fault') throw new Error(`${outcome.kind} while waiting for ${text}:\n${console}`);
      if (machine.executed > 5e9) throw new Error(`"${text}" did not appear within 5e9 instructions:\n${console.slice(-2000)}`);
    }
  };
  const board: LabBoard = {
    machine, firmware, waitFor, transcript: () => texts.get('uart0') ?? '',
    shell: (line) => { machine.input(0, new TextEncoder().encode(line + '\r')); waitFor('~# '); },
  };
  waitFor('~# ');
  return board;
}
