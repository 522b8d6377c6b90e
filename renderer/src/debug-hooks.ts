// A read-only window into the consoles for the end-to-end tests: the WebGL renderer draws text on a canvas,
// so tests read the terminal buffer through this instead of the DOM. Exposes no way to change anything.
import type { Terminal } from '@xterm/xterm';

const terminals = new Map<string, Terminal>();

export interface LabDebug {
  /** The text of a console pane's buffer (scrollback included), lines joined with "\n". */
  text(stream: string): string;
  /** The last `lines` lines of a console. */
  tail(stream: string, lines: number): string;
  streams(): string[];
  renderer(stream: string): 'webgl' | 'dom' | undefined;
  /** Bytes of a stream received from the machine and written (parsed) into the terminal. */
  bytes(stream: string): { received: number; written: number; pending: number };
  /** The terminal's size in character cells. */
  size(stream: string): { rows: number; cols: number } | undefined;
}

/** The byte counters of a stream's queue. */
export interface ByteCounts {
  readonly received: number;
  readonly written: number;
  readonly pending: number;
}

const counters = new Map<string, ByteCounts>();

const renderers = new Map<string, 'webgl' | 'dom'>();

function lines(stream: string, last?: number): string {
  const term = terminals.get(stream);
  if (!term) return '';
  const buffer = term.buffer.active;
  const out: string[] = [];
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i);
    if (!line) continue;
    const text = line.translateToString(true);
    if (line.isWrapped && out.length > 0) out[out.length - 1] += text;
    else out.push(text);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return (last === undefined ? out : out.slice(-last)).join('\n');
}

export function registerTerminal(stream: string, term: Terminal, renderer: 'webgl' | 'dom', counts: ByteCounts): () => void {
  terminals.set(stream, term);
  renderers.set(stream, renderer);
  counters.set(stream, counts);
  return () => {
    if (terminals.get(stream) === term) {
      terminals.delete(stream);
      renderers.delete(stream);
      counters.delete(stream);
    }
  };
}

export function setRenderer(stream: string, renderer: 'webgl' | 'dom'): void {
  renderers.set(stream, renderer);
}

const debug: LabDebug = {
  text: (stream) => lines(stream),
  tail: (stream, n) => lines(stream, n),
  streams: () => [...terminals.keys()],
  renderer: (stream) => renderers.get(stream),
  size: (stream) => {
    const term = terminals.get(stream);
    return term ? { rows: term.rows, cols: term.cols } : undefined;
  },
  bytes: (stream) => {
    const c = counters.get(stream);
    return { received: c?.received ?? 0, written: c?.written ?? 0, pending: c?.pending ?? 0 };
  },
};

declare global {
  interface Window {
    jailhouseLabDebug?: LabDebug;
  }
}

if (typeof window !== 'undefined') window.jailhouseLabDebug = debug;
