// The renderer's Session against a stand-in worker: input by stream, reset in place (the old machine's
// output dropped until the worker's reset event), the trace view (gathered, bounded, off means off) and
// memory reads answered by id.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WorkerCommand, WorkerEvent } from '../core/worker/protocol.ts';
import { Session, TRACE_KEEP } from '../renderer/src/session.ts';

class FakeWorker {
  readonly sent: WorkerCommand[] = [];
  onmessage: ((message: MessageEvent<WorkerEvent>) => void) | null = null;
  onerror: ((error: ErrorEvent) => void) | null = null;
  terminated = false;
  postMessage(command: WorkerCommand): void { this.sent.push(command); }
  terminate(): void { this.terminated = true; }
  emit(event: WorkerEvent): void { this.onmessage?.({ data: event } as MessageEvent<WorkerEvent>); }
}

function session() {
  const workers: FakeWorker[] = [];
  const s = new Session({ kind: 'image', title: 'test', bytes: new Uint8Array(4), harts: 1 }, () => {
    const w = new FakeWorker();
    workers.push(w);
    return w as unknown as Worker;
  });
  s.start();
  return { s, workers };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('Session', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('sends typing by stream name, and nothing for output-only streams', () => {
    const { s, workers } = session();
    s.input('uart2', 'hi');
    s.input('cell:demo', 'no');
    s.input('hypervisor', 'no');
    const inputs = workers[0]!.sent.filter((c) => c.type === 'input');
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toMatchObject({ type: 'input', stream: 'uart2' });
  });

  it('resets in place: the old machine\'s output is dropped until the reset event', () => {
    const { s, workers } = session();
    const w = workers[0]!;
    const seen: number[] = [];
    s.queue('uart0').attach((data, done) => { seen.push(data.length); done(); });
    w.emit({ type: 'output', stream: 'uart0', bytes: bytes('before') });
    s.reset();
    expect(workers).toHaveLength(1); // no new worker
    expect(w.sent.at(-1)).toEqual({ type: 'reset' });
    w.emit({ type: 'output', stream: 'uart0', bytes: bytes('old machine, late') });
    w.emit({ type: 'reset', by: 'command' });
    w.emit({ type: 'output', stream: 'uart0', bytes: bytes('new') });
    expect(seen).toEqual([6, 3]);
    expect(s.getSnapshot().resets).toBe(1);
  });

  it('starts a fresh worker when the old one died', () => {
    const { s, workers } = session();
    workers[0]!.onerror?.({ message: 'boom' } as ErrorEvent);
    expect(s.getSnapshot().state).toBe('ended');
    s.reset();
    expect(workers).toHaveLength(2);
    expect(workers[0]!.terminated).toBe(true);
  });

  it('gathers trace records, keeps the newest, and ignores them while off', () => {
    const { s, workers } = session();
    const w = workers[0]!;
    const record = (k: number) => ({ at: k, hart: 0, kind: 'ecall' as const, detail: String(k) });
    w.emit({ type: 'trace', records: [record(0)], dropped: 0 });
    vi.advanceTimersByTime(500);
    expect(s.getTrace().records).toHaveLength(0); // not asked for
    s.setTrace(true);
    expect(w.sent.at(-1)).toEqual({ type: 'set-trace', enabled: true });
    let updates = 0;
    s.subscribeTrace(() => updates++);
    for (let k = 0; k < 30; k++) w.emit({ type: 'trace', records: Array.from({ length: 100 }, (_, j) => record(k * 100 + j)), dropped: 5 });
    expect(updates).toBe(0); // gathered, not published per event
    vi.advanceTimersByTime(250);
    expect(updates).toBe(1);
    const view = s.getTrace();
    expect(view.records).toHaveLength(TRACE_KEEP);
    expect(view.records.at(-1)!.at).toBe(2999);
    expect(view.dropped).toBe(30 * 5 + 3000 - TRACE_KEEP);
    s.setTrace(false);
    expect(w.sent.at(-1)).toEqual({ type: 'set-trace', enabled: false });
    s.clearTrace();
    expect(s.getTrace()).toEqual({ on: false, records: [], dropped: 0 });
  });

  it('answers memory reads by id', async () => {
    const { s, workers } = session();
    const w = workers[0]!;
    const a = s.readMemory(0x8000_0000, 4);
    const b = s.readMemory(0x1000_0000, 4);
    const [ra, rb] = w.sent.filter((c) => c.type === 'read-memory') as Array<Extract<WorkerCommand, { type: 'read-memory' }>>;
    w.emit({ type: 'memory', id: rb!.id, address: 0x1000_0000, bytes: new Uint8Array(0), error: 'not in RAM' });
    w.emit({ type: 'memory', id: ra!.id, address: 0x8000_0000, bytes: new Uint8Array([1, 2, 3, 4]) });
    await expect(a).resolves.toEqual({ address: 0x8000_0000, bytes: new Uint8Array([1, 2, 3, 4]) });
    await expect(b).resolves.toEqual({ address: 0x1000_0000, error: 'not in RAM' });
  });
});

describe('memory inspector helpers', () => {
  it('formats 16 bytes a row: address, hex in two groups, ASCII', async () => {
    const { hexLines } = await import('../renderer/src/tools.tsx');
    const lines = hexLines(0xbef00000, new Uint8Array([0x4a, 0x48, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0x7e]));
    expect(lines).toEqual([
      'bef00000  4a 48 00 00 02 00 00 00  03 00 00 00 00 00 00 00  JH..............',
      'bef00010  7e                                                ~',
    ]);
  });
});
