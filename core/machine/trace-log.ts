/** One record of the exit trace. */
export interface TraceRecord {
  /** Instructions executed by the machine when it happened. */
  at: number;
  hart: number;
  kind: 'ecall' | 'mmio-read' | 'mmio-write' | 'fetch-fault' | 'trap' | 'interrupt' | 'hypervisor';
  /** Address, SBI extension or cause, depending on the kind. */
  detail: string;
}

/**
 * A bounded log of exits: a ring of the newest `capacity` records; older ones are counted as dropped.
 * The machine only keeps one while tracing is on, so it costs nothing otherwise.
 */
export class TraceLog {
  private readonly ring: (TraceRecord | undefined)[];
  /** Index of the oldest undrained record, and how many there are. */
  private head = 0;
  private count = 0;
  dropped = 0;

  constructor(readonly capacity = 65536) {
    this.ring = new Array<TraceRecord | undefined>(capacity);
  }

  record(record: TraceRecord): void {
    if (this.count === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      this.dropped++;
    }
    this.ring[(this.head + this.count) % this.capacity] = record;
    this.count++;
  }

  /** Returns and forgets the records, oldest first. */
  drain(): TraceRecord[] {
    const out: TraceRecord[] = new Array(this.count);
    for (let k = 0; k < this.count; k++) {
      const at = (this.head + k) % this.capacity;
      out[k] = this.ring[at]!;
      this.ring[at] = undefined;
    }
    this.head = 0;
    this.count = 0;
    return out;
  }
}
