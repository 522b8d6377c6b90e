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
 * A bounded log of exits: the newest `capacity` records are kept, older ones are counted as dropped.
 * The machine only creates one when tracing is on, so it costs nothing otherwise.
 */
export class TraceLog {
  private records: TraceRecord[] = [];
  dropped = 0;

  constructor(readonly capacity = 65536) {}

  record(record: TraceRecord): void {
    if (this.records.length >= this.capacity) {
      this.records.shift();
      this.dropped++;
    }
    this.records.push(record);
  }

  drain(): TraceRecord[] {
    const out = this.records;
    this.records = [];
    return out;
  }
}
