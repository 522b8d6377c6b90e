/** Bytes a console produced since the host last drained it; grows as needed, never drops a byte. */
export class ConsoleBuffer {
  private bytes = new Uint8Array(256);
  private length = 0;

  push(byte: number): void {
    if (this.length === this.bytes.length) {
      const bigger = new Uint8Array(this.bytes.length * 2);
      bigger.set(this.bytes);
      this.bytes = bigger;
    }
    this.bytes[this.length++] = byte;
  }

  append(data: Uint8Array): void {
    for (const b of data) this.push(b);
  }

  get size(): number {
    return this.length;
  }

  /** Returns and forgets the buffered bytes (a copy the caller may transfer). */
  drain(): Uint8Array {
    const out = this.bytes.slice(0, this.length);
    this.length = 0;
    return out;
  }
}
