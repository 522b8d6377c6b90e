import type { CellStateName, Lab, LabExpectation, LabStep } from './lab-file.ts';

/** What a lab script needs from the running machine. */
export interface LabMachine {
  /** Instructions executed since power-on: the lab's clock. */
  readonly executed: number;
  input(uart: number, bytes: Uint8Array): void;
  /** A cell's state as `jailhouse cell list` prints it, or undefined when there is no such cell. */
  cellState(name: string): CellStateName | undefined;
}

export interface ExpectationResult {
  description: string;
  passed: boolean;
  /** Why it failed, with the end of the console it looked at. */
  detail: string;
}

export interface LabReport {
  lab: string;
  passed: boolean;
  /** The step that failed (a wait that timed out), if any. */
  failedStep?: { index: number; description: string; detail: string };
  results: ExpectationResult[];
  instructions: number;
}

/** Console names in lab files → machine output streams. */
export function streamOf(console: string): string {
  if (console === 'root') return 'uart0';
  if (console === 'hypervisor' || /^uart\d$/.test(console)) return console;
  return `cell:${console}`;
}

export function describeStep(step: LabStep): string {
  switch (step.kind) {
    case 'type': return `type ${JSON.stringify(step.text)}${step.console === 'root' ? '' : ` into ${step.console}`}`;
    case 'wait': return `wait for ${JSON.stringify(step.text)} on ${step.console}`;
    case 'run': return `run ${step.instructions} instructions`;
  }
}

export function describeExpectation(e: LabExpectation): string {
  return e.kind === 'console' ? `console ${e.console} contains ${JSON.stringify(e.contains)}` : `cell ${e.cell} state is ${e.state}`;
}

const TAIL = 600;

/**
 * How a lab runs: `test` types the steps and the walkthrough and decides every expectation within its
 * bound; `interactive` types only the steps (the person does the walkthrough) and treats expectations
 * as goals that are reported once reached, never failed.
 */
export type LabMode = 'test' | 'interactive';

/**
 * Runs a lab's steps and checks its expectations against the machine's consoles. It only looks at
 * instruction counts and console bytes, never at host time, so in deterministic mode a lab behaves the
 * same on every run.
 */
export class LabScript {
  private readonly transcripts = new Map<string, string>();
  /** Per stream: where the next wait starts searching (after the text the last wait matched). */
  private readonly searchFrom = new Map<string, number>();
  private step = 0;
  private stepStart = 0;
  private expectStart = -1;
  private readonly results: (ExpectationResult | undefined)[];
  /** Expectations whose success was already handed out by `newlyReached`. */
  private readonly announced = new Set<number>();
  private failedStep: LabReport['failedStep'];

  /** The steps this mode types: setup, plus the walkthrough when testing. */
  readonly steps: LabStep[];

  constructor(readonly lab: Lab, readonly mode: LabMode = 'test') {
    this.results = lab.expect.map(() => undefined);
    this.steps = mode === 'test' ? [...lab.steps, ...lab.walkthrough] : lab.steps;
  }

  /** Console bytes the machine produced (call for every stream, in order). */
  observe(stream: string, bytes: Uint8Array): void {
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    this.transcripts.set(stream, (this.transcripts.get(stream) ?? '') + text);
  }

  transcript(console: string): string {
    return this.transcripts.get(streamOf(console)) ?? '';
  }

  get finished(): boolean {
    return this.failedStep !== undefined || this.results.every((r) => r !== undefined) && this.step >= this.steps.length;
  }

  /** The index of the step being carried out (= steps.length once all are done). */
  get currentStep(): number {
    return this.step;
  }

  /**
   * Carries out whatever the machine's state allows: types input, completes waits, checks expectations.
   * Returns how many more instructions may run before the script must look again (a wait's or
   * expectation's deadline), or Infinity.
   */
  advance(machine: LabMachine): number {
    const now = machine.executed;
    while (this.step < this.steps.length && !this.failedStep) {
      const step = this.steps[this.step]!;
      if (step.kind === 'type') {
        machine.input(step.console === 'root' ? 0 : Number(step.console.replace('uart', '')), encodeText(step.text));
      } else if (step.kind === 'wait') {
        const stream = streamOf(step.console);
        const text = this.transcripts.get(stream) ?? '';
        const at = text.indexOf(step.text, this.searchFrom.get(stream) ?? 0);
        if (at < 0) {
          if (now - this.stepStart >= step.within) {
            this.failedStep = { index: this.step, description: describeStep(step),
              detail: `not seen within ${step.within} instructions; ${step.console} ends with:\n${tail(text)}` };
            return Infinity;
          }
          return this.stepStart + step.within - now;
        }
        this.searchFrom.set(stream, at + step.text.length);
      } else if (now - this.stepStart < step.instructions) {
        return this.stepStart + step.instructions - now;
      }
      this.step++;
      this.stepStart = now;
    }
    if (this.failedStep) return Infinity;

    if (this.expectStart < 0) this.expectStart = now;
    let next = Infinity;
    this.lab.expect.forEach((e, k) => {
      if (this.results[k]) return;
      const seen = e.kind === 'console'
        ? this.transcript(e.console).includes(e.contains)
        : machine.cellState(e.cell) === e.state;
      if (seen) {
        this.results[k] = { description: describeExpectation(e), passed: true, detail: '' };
      } else if (this.mode === 'test' && now - this.expectStart >= e.within) {
        const detail = e.kind === 'console'
          ? `not seen within ${e.within} instructions; ${e.console} ends with:\n${tail(this.transcript(e.console))}`
          : `state is ${machine.cellState(e.cell) ?? 'absent (no such cell)'} after ${e.within} instructions`;
        this.results[k] = { description: describeExpectation(e), passed: false, detail };
      } else if (this.mode === 'test') next = Math.min(next, this.expectStart + e.within - now);
    });
    return next;
  }

  /**
   * The machine went idle with nothing that could ever wake it (no timer, no input to come): whatever
   * is still awaited fails now instead of at its instruction bound.
   */
  stall(machine: LabMachine): void {
    const why = 'the machine went idle waiting for input that will not come';
    if (this.step < this.steps.length) {
      const step = this.steps[this.step]!;
      const console = step.kind === 'wait' || step.kind === 'type' ? step.console : 'root';
      this.failedStep = { index: this.step, description: describeStep(step), detail: `${why}; ${console} ends with:\n${tail(this.transcript(console))}` };
      return;
    }
    this.lab.expect.forEach((e, k) => {
      if (this.results[k]) return;
      const detail = e.kind === 'console'
        ? `${why}; ${e.console} ends with:\n${tail(this.transcript(e.console))}`
        : `${why}; state is ${machine.cellState(e.cell) ?? 'absent (no such cell)'}`;
      this.results[k] = { description: describeExpectation(e), passed: false, detail };
    });
  }

  /** Expectations met since the last call (goals ticked as the person reaches them). */
  newlyReached(): { index: number; description: string }[] {
    const out: { index: number; description: string }[] = [];
    this.results.forEach((r, index) => {
      if (r?.passed && !this.announced.has(index)) {
        this.announced.add(index);
        out.push({ index, description: r.description });
      }
    });
    return out;
  }

  report(instructions: number): LabReport {
    const results = this.results.map((r, k) => r ?? { description: describeExpectation(this.lab.expect[k]!), passed: false, detail: 'not evaluated: the run ended first' });
    return {
      lab: this.lab.name,
      passed: !this.failedStep && results.every((r) => r.passed),
      failedStep: this.failedStep,
      results,
      instructions,
    };
  }
}

function tail(text: string): string {
  const t = text.length > TAIL ? '...' + text.slice(-TAIL) : text;
  return t.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split('\n').map((l) => `    | ${l}`).join('\n');
}

/** Lab text is typed as a terminal would send it: "\n" becomes Enter (carriage return). */
function encodeText(text: string): Uint8Array {
  return new TextEncoder().encode(text.replace(/\n/g, '\r'));
}
