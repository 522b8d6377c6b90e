import { ImageError } from '../machine/elf.ts';
import { Machine } from '../machine/machine.ts';
import type { BootImage } from '../machine/machine.ts';
import type { MachineConfig, WorkerCommand, WorkerEvent } from './protocol.ts';

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

/** Host time spent running guest code before looking at messages again. */
const SLICE_MS = 8;
/** Output is flushed at least this often (and whenever a stream holds this many bytes). */
const FLUSH_MS = 16;
const FLUSH_BYTES = 64 * 1024;
const CHUNK = 200_000;

/**
 * Drives one machine inside a worker: runs it in short slices between messages, batches console
 * output into events, sleeps while every hart waits, and turns guest endings into events.
 */
export class MachineHost {
  private machine: Machine | undefined;
  private config: MachineConfig | undefined;
  private bootRequest: BootImage | undefined;
  private paused = false;
  private done = false;
  private scheduled = false;
  private sleeping: { cancel(): void } | undefined;
  private lastFlush = 0;
  private lastStatus = { at: 0, instructions: 0 };

  constructor(private readonly env: HostEnvironment) {}

  handle(command: WorkerCommand): void {
    try {
      switch (command.type) {
        case 'boot': return this.boot(command.config, command.boot);
        case 'input':
          this.machine?.input(command.uart, command.bytes);
          return this.wake();
        case 'pause':
          this.paused = true;
          this.machine?.clock.pause();
          return this.postStatus('paused');
        case 'resume':
          this.paused = false;
          this.machine?.clock.resume();
          return this.wake();
        case 'stop':
          this.done = true;
          this.sleeping?.cancel();
          return this.flush();
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private boot(config: MachineConfig, request: BootImage): void {
    this.config = config;
    this.bootRequest = request;
    this.machine = new Machine({
      harts: config.harts, ramSize: config.ramSize, deterministic: config.deterministic,
      extraUarts: config.extraUarts, trace: config.trace,
    });
    this.machine.boot(request);
    this.done = false;
    this.lastStatus = { at: this.env.now(), instructions: 0 };
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

  private readonly tick = (): void => {
    this.scheduled = false;
    const machine = this.machine;
    if (!machine || this.done || this.paused) return;
    try {
      const limit = this.config!.maxInstructions;
      const until = this.env.now() + SLICE_MS;
      for (;;) {
        const budget = limit > 0 ? Math.min(CHUNK, limit - machine.executed) : CHUNK;
        const outcome = budget > 0 ? machine.run(budget) : { kind: 'budget' as const };
        if (outcome.kind === 'finished') {
          this.flush();
          if (outcome.result.kind === 'reset') return this.reset();
          this.done = true;
          this.env.post({ type: 'finished', kind: outcome.result.kind, code: outcome.result.code, instructions: machine.executed });
          return;
        }
        if (outcome.kind === 'fault') {
          this.flush();
          this.done = true;
          this.env.post({ type: 'fault', message: outcome.message, instructions: machine.executed });
          return;
        }
        if (limit > 0 && machine.executed >= limit) {
          this.flush();
          this.done = true;
          const pcs = machine.harts.map((h) => `hart ${h.id}: ${h.running ? 'pc 0x' + h.pc.toString(16) : 'stopped'}`);
          this.env.post({ type: 'hang', instructions: machine.executed, pcs });
          return;
        }
        if (outcome.kind === 'idle') {
          this.maybeFlush(true);
          this.postStatus('idle');
          if (outcome.wakeAt !== Infinity) {
            const ms = Math.max(0, (outcome.wakeAt - machine.clock.now(0)) / 10_000);
            this.sleeping = this.env.sleep(ms, () => this.wake());
          }
          return; // input or the timer wakes us
        }
        this.maybeFlush(false);
        if (this.env.now() >= until) break;
      }
      this.postStatusEvery();
      this.wake();
    } catch (error) {
      this.fail(error);
    }
  };

  private reset(): void {
    this.env.post({ type: 'reset' });
    this.boot(this.config!, this.bootRequest!);
  }

  private maybeFlush(force: boolean): void {
    const now = this.env.now();
    let big = false;
    for (const buffer of this.machine!.output.values()) if (buffer.size >= FLUSH_BYTES) big = true;
    if (force || big || now - this.lastFlush >= FLUSH_MS) this.flush();
  }

  private flush(): void {
    this.lastFlush = this.env.now();
    const machine = this.machine;
    if (!machine) return;
    for (const [stream, buffer] of machine.output) {
      if (buffer.size === 0) continue;
      const bytes = buffer.drain();
      this.env.post({ type: 'output', stream, bytes }, [bytes.buffer as ArrayBuffer]);
    }
    const records = machine.trace?.drain();
    if (records && records.length > 0) this.env.post({ type: 'trace', records });
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
    this.env.post({ type: 'status', instructions: machine.executed, mips, virtualTimeNs: machine.clock.now(0) * 100, state });
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
