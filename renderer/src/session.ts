// One running machine as the UI sees it: owns the Web Worker, sends it commands, turns its events into a
// snapshot for React and into per-stream byte queues for the console panes.
import type { PreparedLab } from '../../core/lab/prepare.ts';
import type { LabReport } from '../../core/lab/script.ts';
import type { MachineSnapshot } from '../../core/worker/machine-snapshot.ts';
import type { MachineConfig, TraceRecord, WorkerCommand, WorkerEvent } from '../../core/worker/protocol.ts';
import type { LabControls } from './lab-controls.ts';
import { StreamQueue } from './stream-queue.ts';

/** What the user asked to boot: a guest image, or a lab (its board, root OS, RAM disk and tutorial). */
export type BootSpec = (
  | { kind: 'image'; title: string; bytes: Uint8Array; harts: number }
  | { kind: 'lab'; title: string; prepared: PreparedLab; controls: LabControls }
) & { /** Translate hot guest code to WebAssembly (the start screen's setting; default on). */ jit?: boolean };

export function hartsOf(spec: BootSpec): number {
  return spec.kind === 'lab' ? spec.prepared.lab.board.harts : spec.harts;
}

/** A hart as the strip shows it. */
export interface HartView {
  id: number;
  state: 'running' | 'idle' | 'parked' | 'stopped' | 'paused' | 'unknown';
  /** The owning cell while the hypervisor is enabled. */
  cell?: string;
}

export type Ending =
  | { kind: 'pass' | 'fail'; code: number; instructions: number }
  | { kind: 'fault'; message: string; instructions: number }
  | { kind: 'hang'; instructions: number; pcs: string[] }
  | { kind: 'error'; message: string };

export interface SessionSnapshot {
  title: string;
  /** Console streams in the order they first produced output; uart0 is always there. */
  streams: readonly string[];
  state: 'booting' | 'running' | 'idle' | 'paused' | 'ended';
  instructions: number;
  mips: number;
  virtualTimeNs: number;
  /** The block translator as the last status reported it (undefined: switched off). */
  jit: { pages: number; disabled: string | undefined } | undefined;
  harts: readonly HartView[];
  /** True once harts come from the worker's machine snapshots rather than the machine-wide state. */
  hartsLive: boolean;
  /** The latest machine snapshot: cells, memory by owner, hypervisor pools. */
  machine: MachineSnapshot | undefined;
  /** Per cell name: each statistics counter's rate (per second of host time) between the last two snapshots. */
  cellRates: Record<string, number[]>;
  ending: Ending | undefined;
  resets: number;
  /** Labs: the setup step the lab script is at, and its report once every goal is decided. */
  labStep: { index: number; total: number; description: string } | undefined;
  labReport: LabReport | undefined;
}

export const RAM_SIZE = 256 * 1024 * 1024;

export function machineConfig(harts: number, jit = true): MachineConfig {
  return { harts, ramSize: RAM_SIZE, deterministic: false, maxInstructions: 0, trace: false, jit };
}

/** The UART number a console stream's input goes to, or undefined when it takes no input. */
export function uartOf(stream: string): number | undefined {
  const match = /^uart(\d+)$/.exec(stream);
  return match ? Number(match[1]) : undefined;
}

/** What the trace pane shows: the newest records (at most TRACE_KEEP), and how many were lost. */
export interface TraceView {
  on: boolean;
  records: readonly TraceRecord[];
  /** Records the worker's log dropped (too many between flushes) or this view let go (over TRACE_KEEP). */
  dropped: number;
}

export const TRACE_KEEP = 1000;
/** How often the trace pane gets new records. */
const TRACE_MS = 200;

/** A read-memory answer. */
export type MemoryRead = { address: number; bytes: Uint8Array; error?: undefined } | { address: number; bytes?: undefined; error: string };

export type WorkerFactory = () => Worker;

export const defaultWorkerFactory: WorkerFactory = () =>
  new Worker(new URL('../worker/machine.worker.ts', import.meta.url), { type: 'module', name: 'machine' });

let sessions = 0;

export class Session {
  /** Distinct per session, for React keys. */
  readonly id = ++sessions;
  private worker: Worker | undefined;
  private readonly queues = new Map<string, StreamQueue>();
  private readonly listeners = new Set<() => void>();
  private snapshot: SessionSnapshot;
  private readonly encoder = new TextEncoder();
  private userPaused = false;
  /** A reset command is on its way: output of the old machine is dropped until the worker's reset event. */
  private resetting = false;
  private workerFailed = false;
  private trace: TraceView = { on: false, records: [], dropped: 0 };
  private readonly traceListeners = new Set<() => void>();
  private readonly reads = new Map<number, (read: MemoryRead) => void>();
  private nextRead = 1;

  constructor(readonly spec: BootSpec, private readonly createWorker: WorkerFactory = defaultWorkerFactory) {
    this.snapshot = this.initial(0);
    this.queue('uart0');
  }

  private initial(resets: number): SessionSnapshot {
    return {
      title: this.spec.title,
      streams: ['uart0'],
      state: 'booting',
      instructions: 0,
      mips: 0,
      virtualTimeNs: 0,
      jit: undefined,
      harts: Array.from({ length: hartsOf(this.spec) }, (_, id) => ({ id, state: 'unknown' as const })),
      hartsLive: false,
      machine: undefined,
      cellRates: {},
      ending: undefined,
      resets,
      labStep: undefined,
      labReport: undefined,
    };
  }

  start(): void {
    const worker = this.createWorker();
    this.worker = worker;
    worker.onmessage = (message: MessageEvent<WorkerEvent>) => this.onEvent(message.data);
    this.workerFailed = false;
    worker.onerror = (error) => {
      this.workerFailed = true;
      this.end({ kind: 'error', message: `machine worker failed: ${error.message}` });
    };
    // Nothing is transferred: reset boots the same bytes again.
    if (this.spec.kind === 'lab') {
      const board = this.spec.prepared.lab.board;
      const config = { ...machineConfig(board.harts, this.spec.jit), ramSize: board.ramSize };
      this.send({ type: 'lab', config, lab: this.spec.prepared, mode: 'interactive' });
    } else {
      this.send({ type: 'boot', config: machineConfig(this.spec.harts, this.spec.jit), boot: { bytes: this.spec.bytes.slice() } });
    }
  }

  /**
   * Power-cycles the machine: the worker boots the same image or lab again (a `reset` command; a fresh
   * worker if the old one died); the consoles are cleared; the trace setting stays.
   */
  reset(): void {
    this.userPaused = false;
    this.lastMachine = undefined;
    for (const queue of this.queues.values()) queue.clear();
    this.snapshot = { ...this.initial(this.snapshot.resets + 1), streams: this.snapshot.streams };
    this.clearTrace();
    this.emit();
    if (this.workerFailed || !this.worker) {
      this.worker?.terminate();
      this.start();
      if (this.trace.on) this.send({ type: 'set-trace', enabled: true });
      return;
    }
    this.resetting = true;
    this.send({ type: 'resume' });
    this.send({ type: 'reset' });
  }

  /** Switches the worker's exit trace on or off (the trace pane shows what arrives). */
  setTrace(on: boolean): void {
    if (on === this.trace.on) return;
    this.send({ type: 'set-trace', enabled: on });
    this.setTraceView({ ...this.trace, on });
  }

  clearTrace(): void {
    this.traceInbox = [];
    this.traceInboxDropped = 0;
    this.setTraceView({ ...this.trace, records: [], dropped: 0 });
  }

  subscribeTrace = (listener: () => void): (() => void) => {
    this.traceListeners.add(listener);
    return () => this.traceListeners.delete(listener);
  };

  getTrace = (): TraceView => this.trace;

  /** A copy of physical memory (RAM only, at most 64 KiB), taken between two run slices. */
  readMemory(address: number, length: number): Promise<MemoryRead> {
    if (!this.worker) return Promise.resolve({ address, error: 'no machine is running' });
    const id = this.nextRead++;
    return new Promise((resolve) => {
      this.reads.set(id, resolve);
      this.send({ type: 'read-memory', id, address, length });
    });
  }

  private setTraceView(view: TraceView): void {
    this.trace = view;
    for (const listener of this.traceListeners) listener();
  }

  pause(): void {
    if (this.snapshot.state === 'ended') return;
    this.userPaused = true;
    this.send({ type: 'pause' });
    this.update({ state: 'paused' });
  }

  resume(): void {
    if (this.snapshot.state !== 'paused') return;
    this.userPaused = false;
    this.send({ type: 'resume' });
    this.update({ state: 'running' });
  }

  /** Sends what was typed into a console to its stream (UARTs take input; other streams do not). */
  input(stream: string, text: string): void {
    if (uartOf(stream) === undefined) return;
    this.send({ type: 'input', stream, bytes: this.encoder.encode(text) });
  }

  dispose(): void {
    this.send({ type: 'stop' });
    this.worker?.terminate();
    this.worker = undefined;
    this.listeners.clear();
    this.traceListeners.clear();
    if (this.traceTimer !== undefined) clearTimeout(this.traceTimer);
    for (const resolve of this.reads.values()) resolve({ address: 0, error: 'the machine was closed' });
    this.reads.clear();
  }

  queue(stream: string): StreamQueue {
    let queue = this.queues.get(stream);
    if (!queue) {
      queue = new StreamQueue();
      this.queues.set(stream, queue);
    }
    return queue;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): SessionSnapshot => this.snapshot;

  private send(command: WorkerCommand): void {
    const transfer = command.type === 'input' ? [command.bytes.buffer as ArrayBuffer] : [];
    this.worker?.postMessage(command, transfer);
  }

  private lastMachine: { at: number; stats: Map<string, number[]> } | undefined;

  private onEvent(event: WorkerEvent): void {
    if (this.resetting) {
      // Everything before the reset event is from the old machine (except memory answers).
      if (event.type === 'reset' && event.by === 'command') this.resetting = false;
      else if (event.type === 'memory') this.onMemory(event);
      return;
    }
    switch (event.type) {
      case 'output':
        this.queue(event.stream).push(event.bytes);
        if (!this.snapshot.streams.includes(event.stream)) this.update({ streams: [...this.snapshot.streams, event.stream] });
        return;
      case 'status': {
        if (this.snapshot.state === 'ended') return;
        // The user's intent decides paused or not: a status posted before a pause/resume command was
        // handled may arrive after it.
        const state = this.userPaused ? 'paused' : event.state === 'paused' ? 'running' : event.state;
        this.update({
          instructions: event.instructions,
          mips: event.mips,
          virtualTimeNs: event.virtualTimeNs,
          jit: event.jit,
          state,
          harts: this.snapshot.hartsLive ? this.snapshot.harts : this.snapshot.harts.map((h) => ({ ...h, state })),
        });
        return;
      }
      case 'machine':
        return this.onMachine(event.snapshot);
      case 'trace':
        return this.onTrace(event.records, event.dropped);
      case 'memory':
        return this.onMemory(event);
      case 'lab-step':
        this.update({ labStep: { index: event.index, total: event.total, description: event.description } });
        return;
      case 'lab-report':
        this.update({ labReport: event.report });
        return;
      case 'finished':
        return this.end({ kind: event.kind, code: event.code, instructions: event.instructions });
      case 'fault':
        return this.end({ kind: 'fault', message: event.message, instructions: event.instructions });
      case 'hang':
        return this.end({ kind: 'hang', instructions: event.instructions, pcs: event.pcs });
      case 'error':
        return this.end({ kind: 'error', message: event.message });
      case 'reset':
        if (event.by !== 'guest') return;
        this.queue('uart0').push(this.encoder.encode('\r\n\x1b[2m— the guest reset the machine —\x1b[0m\r\n'));
        return;
    }
  }

  private traceInbox: TraceRecord[] = [];
  private traceInboxDropped = 0;
  private traceTimer: ReturnType<typeof setTimeout> | undefined;

  /** Trace records are gathered and shown at most every TRACE_MS, so a trace flood never floods React. */
  private onTrace(records: TraceRecord[], dropped: number): void {
    if (!this.trace.on) return;
    this.traceInbox = this.traceInbox.concat(records);
    this.traceInboxDropped += dropped;
    if (this.traceInbox.length > TRACE_KEEP) {
      this.traceInboxDropped += this.traceInbox.length - TRACE_KEEP;
      this.traceInbox = this.traceInbox.slice(-TRACE_KEEP);
    }
    this.traceTimer ??= setTimeout(() => this.publishTrace(), TRACE_MS);
  }

  private publishTrace(): void {
    this.traceTimer = undefined;
    const inbox = this.traceInbox, dropped = this.traceInboxDropped;
    this.traceInbox = [];
    this.traceInboxDropped = 0;
    if (!this.trace.on || inbox.length === 0) return;
    const all = this.trace.records.concat(inbox);
    const over = Math.max(0, all.length - TRACE_KEEP);
    this.setTraceView({ on: true, records: over > 0 ? all.slice(over) : all, dropped: this.trace.dropped + dropped + over });
  }

  private onMemory(event: Extract<WorkerEvent, { type: 'memory' }>): void {
    const resolve = this.reads.get(event.id);
    if (!resolve) return;
    this.reads.delete(event.id);
    resolve(event.error !== undefined ? { address: event.address, error: event.error } : { address: event.address, bytes: event.bytes });
  }

  private onMachine(machine: MachineSnapshot): void {
    const now = performance.now();
    const stats = new Map(machine.cells.map((c) => [c.name, c.stats]));
    let cellRates = this.snapshot.cellRates;
    const last = this.lastMachine;
    if (!last || now - last.at >= 200) {
      // Rates over at least 200 ms of host time, so they do not jitter with every status event.
      if (last) {
        const seconds = (now - last.at) / 1000;
        cellRates = {};
        for (const [name, values] of stats) {
          const before = last.stats.get(name);
          cellRates[name] = values.map((v, i) => (before ? Math.max(0, v - before[i]!) / seconds : 0));
        }
      }
      this.lastMachine = { at: now, stats };
    }
    const paused = this.userPaused;
    this.update({
      machine,
      cellRates,
      hartsLive: true,
      harts: machine.harts.map((h) => ({ id: h.id, state: paused && h.state === 'running' ? 'paused' : h.state, cell: h.cell })),
    });
  }

  private end(ending: Ending): void {
    const instructions = 'instructions' in ending ? ending.instructions : this.snapshot.instructions;
    this.update({
      state: 'ended', ending, instructions, mips: 0,
      harts: this.snapshot.harts.map((h) => ({ ...h, state: 'stopped' })),
    });
  }

  private update(change: Partial<SessionSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
