import type { PreparedLab } from '../lab/prepare.ts';
import type { LabMode, LabReport } from '../lab/script.ts';
import type { BootImage } from '../machine/machine.ts';
import type { TraceRecord } from '../machine/trace-log.ts';
import type { CapturedFrame } from '../links/inspection.ts';
import type { MachineSnapshot } from './machine-snapshot.ts';

export type { CapturedFrame, MachineSnapshot, TraceRecord };

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
  /** Stream every frame of the ivshmem-net links as `frames` events (a pcap's worth; see set-capture). */
  capture?: boolean;
  /** Translate hot guest code to WebAssembly (default true); false runs the interpreter only. */
  jit?: boolean;
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
  /**
   * Typed input for a console stream ("uart0".."uart4"; the index form names the UART directly). Streams
   * that take no input (the hypervisor console, a cell's virtual console "cell:<name>") ignore it.
   */
  | { type: 'input'; stream: string; bytes: Uint8Array }
  | { type: 'input'; uart: number; bytes: Uint8Array }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Power-cycles the machine in place: the same image or lab boots again (answered by a `reset` event). */
  | { type: 'reset' }
  /**
   * Switches the exit trace on or off at run time (`trace` events follow while it is on). It starts as
   * the config's `trace` says and survives resets.
   */
  | { type: 'set-trace'; enabled: boolean }
  /**
   * A copy of physical memory [address, address + length) taken between run slices; answered by a
   * `memory` event with the same id. RAM only, at most MAX_MEMORY_READ bytes.
   */
  | { type: 'read-memory'; id: number; address: number; length: number }
  /** Starts or stops streaming ivshmem-net frames as `frames` events (the config's `capture` at boot). */
  | { type: 'set-capture'; enabled: boolean }
  | { type: 'stop' };
// TODO(issue 6): `{ type: 'ack'; stream; bytes }` flow control (docs/app.md, "Protocol additions still proposed").

/** The largest `read-memory` (64 KiB). */
export const MAX_MEMORY_READ = 64 * 1024;

export type WorkerEvent =
  /** The worker has warmed its run loop up (MachineHost.warmUp): what comes now starts at full speed. */
  | { type: 'ready' }
  | { type: 'output'; stream: string; bytes: Uint8Array }
  | {
    type: 'status'; instructions: number; mips: number; virtualTimeNs: number; state: 'running' | 'idle' | 'paused';
    /** The block translator: pages of guest code translated so far, or why it is off (absent: switched off). */
    jit?: { pages: number; disabled: string | undefined };
  }
  /** Exit trace records, oldest first; `dropped`: records lost to the log's bound since the last event. */
  | { type: 'trace'; records: TraceRecord[]; dropped: number }
  /**
   * The answer to `read-memory`: the bytes (transferred), or `error` (and no bytes) when the range is not
   * RAM or too long. Ranges are never clipped: the bytes are exactly the asked-for range.
   */
  | { type: 'memory'; id: number; address: number; bytes: Uint8Array; error?: string }
  /**
   * Frames the host saw on ivshmem-net links since the last event (while capture is on), oldest first,
   * stamped with virtual time; `dropped`: frames lost because the viewer did not keep up.
   */
  | { type: 'frames'; frames: CapturedFrame[]; dropped: number }
  /** Who owns which hart and which memory, cell states and statistics (with every status, and at rest). */
  | { type: 'machine'; snapshot: MachineSnapshot }
  /** The guest powered off through the finisher or SBI. */
  | { type: 'finished'; kind: 'pass' | 'fail'; code: number; instructions: number }
  /**
   * The machine was rebuilt and booted again: the guest asked for it (`by: 'guest'`), or a `reset`
   * command did (`by: 'command'`; every event after this one is from the new machine).
   */
  | { type: 'reset'; by: 'guest' | 'command' }
  /** The guest cannot go on (e.g. it faults inside its own trap handler forever). */
  | { type: 'fault'; message: string; instructions: number }
  /** --max-instructions passed without the guest finishing. */
  | { type: 'hang'; instructions: number; pcs: string[] }
  /** A lab moved on to step `index` (= total when every step is done). */
  | { type: 'lab-step'; index: number; total: number; description: string }
  /** Every expectation of the lab was decided (or a step failed). */
  | { type: 'lab-report'; report: LabReport }
  /** A lab's expectation was met (interactive labs: a goal the person reached), before the report. */
  | { type: 'lab-goal'; index: number; description: string }
  /** Bad input (image, configuration) or an internal error; the message names the thing and the reason. */
  | { type: 'error'; message: string };
