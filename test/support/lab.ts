import { readFileSync } from 'node:fs';
import { Machine, type RunOutcome } from '../../core/machine/machine.ts';

export interface LabRunResult {
  /** Everything UART0 printed. */
  output: string;
  outcome: RunOutcome;
  /** The finisher's status (0 pass) or -1 when the guest did not finish. */
  exitCode: number;
  instructions: number;
}

/** Boots an ELF on an in-process board (deterministic time) and runs it to the end or the limit. */
export function runOnLab(elfPath: string, opts: { harts: number; maxInstructions?: number; ramSize?: number }): LabRunResult {
  const machine = new Machine({ harts: opts.harts, deterministic: true, ramSize: opts.ramSize ?? 256 << 20 });
  machine.boot({ bytes: new Uint8Array(readFileSync(elfPath)) });
  const outcome = machine.run(opts.maxInstructions ?? 2_000_000_000);
  const bytes = machine.output.get('uart0')!.drain();
  const exitCode = outcome.kind === 'finished' ? (outcome.result.kind === 'pass' ? 0 : outcome.result.code) : -1;
  return { output: Buffer.from(bytes).toString('latin1'), outcome, exitCode, instructions: machine.executed };
}
