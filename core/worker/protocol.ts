import type { PreparedLab } from '../lab/prepare.ts';
import type { LabMode, LabReport } from '../lab/script.ts';
import type { BootImage } from '../machine/machine.ts';
import type { TraceRecord } from '../machine/trace-log.ts';
import type { MachineSnapshot } from './machine-snapshot.ts';

export type { MachineSnapshot, TraceRecord };

/**
 * The typed contract between a machine worker and whoever drives it (the CLI, the app's UI).
 * Commands flow in, events flow out; nothing else is shared. Byte arrays are transferred, not copied.
 */

export interface MachineConfig {
  harts: number;
  ramSize: number;
  deterministic: boolean;
  extraUarts?: number;
  /** Stop with a 'hang' event after this many instructions (0: no limit). */
  maxInstructions: number;
  trace: boolean;
}

/** An image to boot: an ELF, or raw bytes for `loadAddress`, with an optional initrd and command line. */
export type { BootImage as BootRequest } from '../machine/machine.ts';

export type WorkerCommand =
  | { type: 'boot'; config: MachineConfig; boot: BootImage }
  /**
   * Boot a lab: its board, root OS and RAM disk; then type its steps and check its expectations
   * (`test` also types the walkthrough; `interactive` leaves it to the person).
   */
  | { type: 'lab'; config: MachineConfig; lab: PreparedLab; mode: LabMode }
  | { type: 'input'; uart: number; bytes: Uint8Array }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' };

export type WorkerEvent =
  | { type: 'output'; stream: string; bytes: Uint8Array }
  | { type: 'status'; instructions: number; mips: number; virtualTimeNs: number; state: 'running' | 'idle' | 'paused' }
  | { type: 'trace'; records: TraceRecord[] }
  /** Who owns which hart and which memory, cell states and statistics (with every status, and at rest). */
  | { type: 'machine'; snapshot: MachineSnapshot }
  /** The guest powered off through the finisher or SBI. */
  | { type: 'finished'; kind: 'pass' | 'fail'; code: number; instructions: number }
  /** The guest asked for a reset; the machine was rebuilt and booted again. */
  | { type: 'reset' }
  /** The guest cannot go on (e.g. it faults inside its own trap handler forever). */
  | { type: 'fault'; message: string; instructions: number }
  /** --max-instructions passed without the guest finishing. */
  | { type: 'hang'; instructions: number; pcs: string[] }
  /** A lab moved on to step `index` (= total when every step is done). */
  | { type: 'lab-step'; index: number; total: number; description: string }
  /** Every expectation of the lab was decided (or a step failed). */
  | { type: 'lab-report'; report: LabReport }
  /** Bad input (image, configuration) or an internal error; the message names the thing and the reason. */
  | { type: 'error'; message: string };
