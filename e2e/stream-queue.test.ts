// The console flow control on its own: batches, backpressure through the write callback, no byte lost
// when a terminal goes away mid-write.
import { describe, expect, it } from 'vitest';
import { BATCH_BYTES, StreamQueue } from '../renderer/src/stream-queue.ts';

function bytes(n: number, fill = 1): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

describe('StreamQueue', () => {
  it('hands one batch at a time and waits for the write callback', () => {
    const queue = new StreamQueue();
    const writes: Array<{ data: Uint8Array; done: () => void }> = [];
    queue.attach((data, done) => writes.push({ data, done }));
    for (let i = 0; i < 40; i++) queue.push(bytes(4096));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.data.length).toBe(4096);
    writes[0]!.done();
    expect(writes).toHaveLength(2);
    expect(writes[1]!.data.length).toBe(BATCH_BYTES);
    while (writes.length < 100 && queue.pending > 0) writes[writes.length - 1]!.done();
    writes[writes.length - 1]!.done();
    expect(queue.written).toBe(40 * 4096);
    expect(queue.received).toBe(40 * 4096);
  });

  it('keeps output until a terminal attaches', () => {
    const queue = new StreamQueue();
    queue.push(new TextEncoder().encode('hello '));
    queue.push(new TextEncoder().encode('world'));
    let text = '';
    queue.attach((data, done) => { text += new TextDecoder().decode(data); done(); });
    expect(text).toBe('hello world');
  });

  it('gives an unconfirmed batch to the next terminal when the first one goes away', () => {
    const queue = new StreamQueue();
    const first: Uint8Array[] = [];
    const detach = queue.attach((data) => first.push(data)); // never confirms
    queue.push(bytes(10, 7));
    queue.push(bytes(5, 8));
    expect(first).toHaveLength(1);
    detach();
    const second: number[] = [];
    queue.attach((data, done) => { second.push(...data); done(); });
    expect(second).toEqual([...bytes(10, 7), ...bytes(5, 8)]);
    expect(queue.written).toBe(15);
  });

  it('splits chunks larger than a batch and forgets everything on clear', () => {
    const queue = new StreamQueue();
    const sizes: number[] = [];
    queue.push(bytes(BATCH_BYTES * 2 + 3));
    queue.attach((data, done) => { sizes.push(data.length); if (sizes.length < 2) done(); });
    expect(sizes).toEqual([BATCH_BYTES, BATCH_BYTES]);
    queue.clear();
    expect(queue.pending).toBe(0);
    expect(queue.received).toBe(0);
  });
});
