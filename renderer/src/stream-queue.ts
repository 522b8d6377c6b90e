// Flow control between the machine worker and an xterm pane. Output bytes are queued as they arrive
// (never dropped) and handed to the terminal one batch at a time: the next batch is written only when
// xterm's write callback says the previous one was parsed. A guest printing megabytes therefore costs
// memory in this queue, never a frozen UI: xterm parses each batch in frame-sized slices.

/** Bytes handed to xterm in one write; small enough for a frame, big enough to keep up. */
export const BATCH_BYTES = 64 * 1024;

export type Writer = (data: Uint8Array, done: () => void) => void;

export class StreamQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  private queued = 0;
  private writer: Writer | undefined;
  private writing = false;
  /** The batch the terminal has but has not confirmed; given back if the terminal goes away first. */
  private inFlight: Uint8Array | undefined;
  private generation = 0;
  /** Bytes received since the machine booted (for tests and the pane's counter). */
  received = 0;
  /** Bytes handed to the terminal and parsed. */
  written = 0;

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.queued += bytes.length;
    this.received += bytes.length;
    this.pump();
  }

  /** Connects the terminal; queued bytes start flowing. Returns the disconnect function. */
  attach(writer: Writer): () => void {
    this.detach();
    this.writer = writer;
    this.pump();
    return () => {
      if (this.writer === writer) this.detach();
    };
  }

  /** Disconnects the terminal; an unconfirmed batch goes back to the front of the queue. */
  private detach(): void {
    this.writer = undefined;
    this.generation++;
    this.writing = false;
    const batch = this.inFlight;
    this.inFlight = undefined;
    if (batch) {
      this.chunks.splice(this.head, 0, batch);
      this.queued += batch.length;
    }
  }

  /** Forgets everything queued (a machine reset). */
  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.queued = 0;
    this.received = 0;
    this.written = 0;
    this.writing = false;
    this.inFlight = undefined;
    this.generation++;
  }

  get pending(): number {
    return this.queued;
  }

  private pump(): void {
    const writer = this.writer;
    if (this.writing || !writer || this.queued === 0) return;
    const batch = this.take(BATCH_BYTES);
    this.writing = true;
    this.inFlight = batch;
    const generation = this.generation;
    writer(batch, () => {
      if (generation !== this.generation) return;
      this.written += batch.length;
      this.inFlight = undefined;
      this.writing = false;
      this.pump();
    });
  }

  private take(max: number): Uint8Array {
    const first = this.chunks[this.head]!;
    if (first.length <= max && (this.head + 1 === this.chunks.length || first.length + this.chunks[this.head + 1]!.length > max)) {
      this.dequeue();
      return first;
    }
    const size = Math.min(max, this.queued);
    const out = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const chunk = this.chunks[this.head]!;
      const n = Math.min(chunk.length, size - filled);
      out.set(chunk.subarray(0, n), filled);
      filled += n;
      if (n === chunk.length) this.dequeue();
      else {
        this.chunks[this.head] = chunk.subarray(n);
        this.queued -= n;
      }
    }
    return out;
  }

  private dequeue(): void {
    this.queued -= this.chunks[this.head]!.length;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
