import { ConsoleBuffer } from '../machine/console-buffer.ts';

/** Name of the hypervisor's own console stream in Machine.output. */
export const HYPERVISOR_STREAM = 'hypervisor';

/** Name of a cell's virtual console stream. */
export function cellStream(name: string): string {
  return `cell:${name}`;
}

const encoder = new TextEncoder();

/**
 * The hypervisor's console (every printk: banners, lifecycle messages, fatal reports) and the cells'
 * virtual consoles (DEBUG_CONSOLE_PUTC, SBI DBCN and legacy putchar), as streams of the machine's output
 * map so the worker forwards them like UART output.
 */
export class Consoles {
  constructor(private readonly output: Map<string, ConsoleBuffer>) {}

  /** Appends a line (a trailing newline is added) to the hypervisor console. */
  printk(line: string): void {
    this.stream(HYPERVISOR_STREAM).append(encoder.encode(line + '\n'));
  }

  cellWrite(cellName: string, bytes: Uint8Array): void {
    this.stream(cellStream(cellName)).append(bytes);
  }

  private stream(name: string): ConsoleBuffer {
    let s = this.output.get(name);
    if (s === undefined) {
      s = new ConsoleBuffer();
      this.output.set(name, s);
    }
    return s;
  }
}
