import type { PreparedLab } from '../lab/prepare.ts';
import { LabScript, describeStep, type LabMachine, type LabMode } from '../lab/script.ts';
import { ImageError } from '../machine/elf.ts';
import { Machine, type BootImage } from '../machine/machine.ts';
import { snapshotMachine, type MachineSnapshot } from './machine-snapshot.ts';
import { MAX_MEMORY_READ, type CapturedFrame, type MachineConfig, type WorkerCommand, type WorkerEvent } from './protocol.ts';

/** How the host reaches its environment (a Node worker thread or a browser Web Worker). */
export interface HostEnvironment {
  post(event: WorkerEvent, transfer?: ArrayBuffer[]): void;
  /** Milliseconds from a monotonic clock. */
  now(): number;
  /** Runs `fn` soon, after pending messages have been handled. */
  yield(fn: () => void): void;
  /** Runs `fn` after `ms` milliseconds unless cancelled. */
  sleep(ms: number, fn: () => void): { cancel(): void };
}

/** What the host can ask installed firmware (the hypervisor) about. */
export interface FirmwareView {
  cellState: LabMachine['cellState'];
  snapshot(): MachineSnapshot;
  /** The link inspector's capture (ivshmem-net frames), when the firmware has one. */
  links?: { setCapture(on: boolean): void; takeFrames(): { frames: CapturedFrame[]; dropped: number } };
}

/** Installs firmware beyond the board's own on a new machine (the hypervisor), returning its view. */
export type FirmwareInstaller = (machine: Machine) => FirmwareView | undefined;

/** Host time spent running guest code before looking at messages again. */
const SLICE_MS = 8;
/** Output is flushed at least this often (and whenever a stream holds this many bytes). */
const FLUSH_MS = 16;
const FLUSH_BYTES = 64 * 1024;
/** Instructions per run call; lab scripts look at the consoles after each, so it must not depend on time. */
const CHUNK = 200_000;
/** Records the exit trace keeps between flushes when switched on at run time (the newest are kept). */
const TRACE_CAPACITY = 1024;

/**
 * Drives one machine inside a worker: runs it in short slices between messages, batches console
 * output into events, sleeps while every hart waits, runs a lab's script, and turns guest endings into
 * events.
 */
export class MachineHost {
  private machine: Machine | undefined;
  private firmware: FirmwareView | undefined;
  private config: MachineConfig | undefined;
  private start: (() => void) | undefined;
  private lab: { script: LabScript; view: LabMachine; reported: boolean; step: number } | undefined;
  private typed = false;
  private paused = false;
  private done = false;
  private scheduled = false;
  private sleeping: { cancel(): void } | undefined;
  private pending = new Map<string, Uint8Array[]>();
  private pendingBytes = 0;
  private lastFlush = 0;
  private lastStatus = { at: 0, instructions: 0 };
  /** The trace as the last set-trace asked (undefined: as the config says). */
  private traceWanted: boolean | undefined;
  private traceDropped = 0;
  /** Frame capture as the last set-capture asked (undefined: as the config says). */
  private captureWanted: boolean | undefined;

  constructor(private readonly env: HostEnvironment, private readonly installFirmware: FirmwareInstaller = () => undefined) {}

  /**
   * Warms the run loop up before any command (Machine.warmUp) and says so with a `ready` event. Worker
   * entries call it once they listen: commands that arrive meanwhile wait for it, then run at full speed.
   */
  warmUp(): void {
    Machine.warmUp(this.installFirmware);
    this.env.post({ type: 'ready' });
  }

  handle(command: WorkerCommand): void {
    try {
      switch (command.type) {
        case 'boot':
          this.start = () => this.boot(command.config, command.boot);
          return this.start();
        case 'lab':
          this.start = () => this.bootLab(command.config, command.lab, command.mode);
          return this.start();
        case 'input': {
          const uart = 'uart' in command ? command.uart : uartOf(command.stream);
          if (uart === undefined) return; // an output-only stream
          this.machine?.input(uart, command.bytes);
          return this.wake();
        }
        case 'pause':
          this.paused = true;
          this.machine?.clock.pause();
          return this.postStatus('paused');
        case 'resume':
          this.paused = false;
          this.machine?.clock.resume();
          return this.wake();
        case 'reset':
          if (!this.start) return;
          this.flush(); // the old machine's last output and trace, before the reset event
          this.sleeping?.cancel();
          this.sleeping = undefined;
          this.pending.clear();
          this.pendingBytes = 0;
          this.env.post({ type: 'reset', by: 'command' });
          this.start();
          if (this.paused) this.machine?.clock.pause();
          return this.postStatus(this.paused ? 'paused' : 'running');
        case 'set-trace':
          this.traceWanted = command.enabled;
          if (this.machine) this.applyTrace(this.machine);
          return;
        case 'set-capture':
          this.captureWanted = command.enabled;
          this.firmware?.links?.setCapture(command.enabled);
          return;
        case 'read-memory':
          return this.readMemory(command.id, command.address, command.length);
        case 'stop':
          this.done = true;
          this.sleeping?.cancel();
          return this.flush();
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private boot(config: MachineConfig, image: BootImage): void {
    this.config = config;
    this.traceDropped = 0;
    this.machine = new Machine({
      harts: config.harts, ramSize: config.ramSize, deterministic: config.deterministic,
      extraUarts: config.extraUarts, trace: config.trace, jit: config.jit,
    });
    this.firmware = this.installFirmware(this.machine);
    this.firmware?.links?.setCapture(this.captureWanted ?? config.capture ?? false);
    this.applyTrace(this.machine);
    this.machine.boot(image);
    this.done = false;
    this.lab = undefined;
    this.lastStatus = { at: this.env.now(), instructions: 0 };
    this.wake();
  }

  private bootLab(config: MachineConfig, prepared: PreparedLab, mode: LabMode): void {
    const { board, root } = prepared.lab;
    const labConfig = { ...config, harts: board.harts, ramSize: board.ramSize, extraUarts: board.extraUarts };
    this.config = labConfig;
    this.traceDropped = 0;
    const machine = new Machine({ harts: board.harts, ramSize: board.ramSize, deterministic: config.deterministic, extraUarts: board.extraUarts, trace: config.trace, jit: config.jit });
    this.machine = machine;
    const firmware = this.installFirmware(machine);
    this.firmware = firmware;
    firmware?.links?.setCapture(this.captureWanted ?? config.capture ?? false);
    this.applyTrace(machine);
    machine.boot({ bytes: prepared.rootImage, initrd: prepared.initrd, bootargs: root.bootargs });
    const view: LabMachine = {
      get executed() { return machine.executed; },
      input: (uart, bytes) => { machine.input(uart, bytes); this.typed = true; },
      cellState: (name) => firmware?.cellState(name),
    };
    this.lab = { script: new LabScript(prepared.lab, mode), view, reported: false, step: -1 };
    this.done = false;
    this.lastStatus = { at: this.env.now(), instructions: 0 };
    this.advanceLab();
    this.wake();
  }

  private wake(): void {
    this.sleeping?.cancel();
    this.sleeping = undefined;
    if (!this.scheduled && !this.done && !this.paused && this.machine) {
      this.scheduled = true;
      this.env.yield(this.tick);
    }
  }

  /** Lets the lab script act on what the machine printed; returns how far the machine may run. */
  private advanceLab(): number {
    const lab = this.lab;
    if (!lab || lab.reported) return Infinity;
    const budget = lab.script.advance(lab.view);
    this.reportLab();
    return budget;
  }

  private reportLab(): void {
    const lab = this.lab!;
    const total = lab.script.steps.length;
    if (lab.script.currentStep !== lab.step) {
      lab.step = lab.script.currentStep;
      const step = lab.script.steps[lab.step];
      this.env.post({ type: 'lab-step', index: lab.step, total, description: step ? describeStep(step) : 'all steps done' });
    }
    const reached = lab.script.newlyReached();
    if (reached.length > 0) this.flush(); // the output that met the goal comes first
    for (const goal of reached) this.env.post({ type: 'lab-goal', ...goal });
    if (lab.script.finished && !lab.reported) {
      lab.reported = true;
      this.flush();
      this.env.post({ type: 'lab-report', report: lab.script.report(this.machine!.executed) });
    }
  }

  private readonly tick = (): void => {
    this.scheduled = false;
    const machine = this.machine;
    if (!machine || this.done || this.paused) return;
    try {
      const limit = this.config!.maxInstructions;
      const until = this.env.now() + SLICE_MS;
      let labBudget = Infinity;
      for (;;) {
        let budget = Math.min(CHUNK, labBudget);
        if (limit > 0) budget = Math.min(budget, limit - machine.executed);
        const outcome = budget > 0 ? machine.run(budget) : { kind: 'budget' as const };
        this.collect();
        this.typed = false;
        labBudget = this.advanceLab();
        if (outcome.kind === 'finished') {
          this.flush();
          this.postStatus('idle'); // the final count and virtual time, also for guests that end at once
          if (outcome.result.kind === 'reset') return this.reset();
          this.done = true;
          this.env.post({ type: 'finished', kind: outcome.result.kind, code: outcome.result.code, instructions: machine.executed });
          return this.endLab();
        }
        if (outcome.kind === 'fault') {
          this.flush();
          this.done = true;
          this.env.post({ type: 'fault', message: outcome.message, instructions: machine.executed });
          return this.endLab();
        }
        if (limit > 0 && machine.executed >= limit) {
          this.flush();
          this.done = true;
          const pcs = machine.harts.map((h) => `hart ${h.id}: ${h.running ? 'pc 0x' + h.pc.toString(16) : 'stopped'}`);
          this.env.post({ type: 'hang', instructions: machine.executed, pcs });
          return this.endLab();
        }
        if (outcome.kind === 'idle') {
          if (this.typed) continue; // the lab typed something: the machine has work again
          if (this.lab && !this.lab.reported && machine.clock.deterministic && outcome.wakeAt === Infinity) {
            this.lab.script.stall(this.lab.view); // nothing can ever happen: decide now
            this.reportLab();
          }
          this.flush();
          this.postStatus('idle');
          if (outcome.wakeAt !== Infinity) {
            const ms = Math.max(0, (outcome.wakeAt - machine.clock.now(0)) / 10_000);
            this.sleeping = this.env.sleep(ms, () => this.wake());
          }
          return; // input or the timer wakes us
        }
        if (this.pendingBytes >= FLUSH_BYTES || this.env.now() - this.lastFlush >= FLUSH_MS) this.flush();
        if (this.env.now() >= until) break;
      }
      this.postStatusEvery();
      this.wake();
    } catch (error) {
      this.fail(error);
    }
  };

  /** A run that ended before the lab's script did: report what was decided. */
  private endLab(): void {
    const lab = this.lab;
    if (lab && !lab.reported) {
      lab.reported = true;
      this.env.post({ type: 'lab-report', report: lab.script.report(this.machine!.executed) });
    }
  }

  private reset(): void {
    this.env.post({ type: 'reset', by: 'guest' });
    this.start!();
  }

  private applyTrace(machine: Machine): void {
    if (this.traceWanted === undefined) return;
    if (machine.trace === undefined) this.traceDropped = 0;
    machine.setTrace(this.traceWanted, TRACE_CAPACITY);
  }

  /** Answers read-memory: a copy of RAM, or an error naming the range and RAM's bounds. */
  private readMemory(id: number, address: number, length: number): void {
    const post = (bytes: Uint8Array, error?: string) =>
      this.env.post(error === undefined ? { type: 'memory', id, address, bytes } : { type: 'memory', id, address, bytes, error }, [bytes.buffer as ArrayBuffer]);
    const machine = this.machine;
    const hex = (v: number) => `0x${v.toString(16)}`;
    if (!machine) return post(new Uint8Array(0), 'no machine is running');
    if (!Number.isSafeInteger(address) || address < 0 || !Number.isSafeInteger(length) || length <= 0) {
      return post(new Uint8Array(0), `${hex(Math.max(0, address || 0))}+${length}: address and length must be non-negative integers, length at least 1`);
    }
    if (length > MAX_MEMORY_READ) return post(new Uint8Array(0), `${length} bytes is more than the ${MAX_MEMORY_READ / 1024} KiB one read may take`);
    const ram = machine.ram;
    const offset = ram.offsetOf(address);
    if (offset < 0 || offset + length > ram.size) {
      return post(new Uint8Array(0), `${hex(address)}..${hex(address + length)} is not in RAM (${hex(ram.base)}..${hex(ram.base + ram.size)}); only RAM can be read`);
    }
    post(ram.u8.slice(offset, offset + length));
  }

  /** Takes the machine's console bytes: to the lab script now, to the viewers at the next flush. */
  private collect(): void {
    for (const [stream, buffer] of this.machine!.output) {
      if (buffer.size === 0) continue;
      const bytes = buffer.drain();
      this.lab?.script.observe(stream, bytes);
      const list = this.pending.get(stream);
      if (list) list.push(bytes); else this.pending.set(stream, [bytes]);
      this.pendingBytes += bytes.length;
    }
  }

  private flush(): void {
    this.lastFlush = this.env.now();
    if (!this.machine) return;
    this.collect();
    for (const [stream, chunks] of this.pending) {
      const bytes = concat(chunks);
      this.env.post({ type: 'output', stream, bytes }, [bytes.buffer as ArrayBuffer]);
    }
    this.pending.clear();
    this.pendingBytes = 0;
    const captured = this.firmware?.links?.takeFrames();
    if (captured && (captured.frames.length > 0 || captured.dropped > 0)) {
      this.env.post({ type: 'frames', frames: captured.frames, dropped: captured.dropped }, captured.frames.map((f) => f.bytes.buffer as ArrayBuffer));
    }
    const trace = this.machine.trace;
    const records = trace?.drain();
    if (trace && records && records.length > 0) {
      this.env.post({ type: 'trace', records, dropped: trace.dropped - this.traceDropped });
      this.traceDropped = trace.dropped;
    }
  }

  private postStatusEvery(): void {
    if (this.env.now() - this.lastStatus.at >= 250) this.postStatus('running');
  }

  private postStatus(state: 'running' | 'idle' | 'paused'): void {
    const machine = this.machine;
    if (!machine) return;
    const now = this.env.now();
    const elapsed = now - this.lastStatus.at;
    const mips = elapsed > 0 ? (machine.executed - this.lastStatus.instructions) / elapsed / 1000 : 0;
    this.lastStatus = { at: now, instructions: machine.executed };
    const t = machine.translator?.stats;
    this.env.post({ type: 'status', instructions: machine.executed, mips, virtualTimeNs: machine.clock.now(0) * 100, state,
      jit: t && { pages: t.pages, disabled: t.disabled } });
    this.env.post({ type: 'machine', snapshot: this.firmware?.snapshot() ?? snapshotMachine(machine, undefined) });
  }

  private fail(error: unknown): void {
    this.done = true;
    try { this.flush(); } catch { /* the error below matters more */ }
    const message = error instanceof ImageError || error instanceof RangeError
      ? (error as Error).message
      : `internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`;
    this.env.post({ type: 'error', message });
  }
}

/** The UART a console stream's input goes to ("uart2" → 2), or undefined for output-only streams. */
export function uartOf(stream: string): number | undefined {
  const match = /^uart(\d+)$/.exec(stream);
  return match ? Number(match[1]) : undefined;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}
