import { describe, expect, it } from 'vitest';
import { TraceLog } from '../../core/machine/trace-log.ts';

const rec = (at: number) => ({ at, hart: 0, kind: 'ecall' as const, detail: String(at) });

describe('TraceLog', () => {
  it('keeps the newest records in order and counts the dropped ones', () => {
    const log = new TraceLog(4);
    for (let k = 1; k <= 10; k++) log.record(rec(k));
    expect(log.drain().map((r) => r.at)).toEqual([7, 8, 9, 10]);
    expect(log.dropped).toBe(6);
    expect(log.drain()).toEqual([]);
    log.record(rec(11));
    expect(log.drain().map((r) => r.at)).toEqual([11]);
  });

  it('keeps the newest 65536 of a million records', () => {
    const log = new TraceLog(65536);
    for (let k = 0; k < 1_000_000; k++) log.record(rec(k));
    const out = log.drain();
    expect(out.length).toBe(65536);
    expect(out[0]!.at).toBe(1_000_000 - 65536);
  });
});
