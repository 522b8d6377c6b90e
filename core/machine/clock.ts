import { Board } from './board.ts';

/**
 * The source of the `time` CSR (10 MHz ticks).
 *
 * Deterministic clocks derive time from executed instructions, so a run is reproducible byte for byte;
 * host clocks follow real time, so guests' timers feel right to a person.
 */
export interface Clock {
  readonly deterministic: boolean;
  /** Ticks at the start of the current scheduling round plus `retiredInSlice` instructions of one hart. */
  now(retiredInSlice: number): number;
  /** Called after every round in which harts executed `instructions` each at most. */
  advance(instructions: number): void;
  /** Moves time forward to `ticks` (all harts idle until then): instantly, or by waiting for the host. */
  skipTo(ticks: number): void;
  /** Stops/continues the flow of time (pause in the UI). */
  pause(): void;
  resume(): void;
}

/** Virtual harts retire this many instructions per 100 ns tick (a 100 MIPS machine). */
export const INSTRUCTIONS_PER_TICK = 10;

export class InstructionClock implements Clock {
  readonly deterministic = true;
  private ticks = 0;
  /** Instructions of the current round not yet turned into whole ticks. */
  private remainder = 0;

  now(retiredInSlice: number): number {
    return this.ticks + Math.floor((this.remainder + retiredInSlice) / INSTRUCTIONS_PER_TICK);
  }

  advance(instructions: number): void {
    const total = this.remainder + instructions;
    this.ticks += Math.floor(total / INSTRUCTIONS_PER_TICK);
    this.remainder = total % INSTRUCTIONS_PER_TICK;
  }

  skipTo(ticks: number): void {
    if (ticks > this.ticks) {
      this.ticks = ticks;
      this.remainder = 0;
    }
  }

  pause(): void {}
  resume(): void {}
}

/** One function for every HostClock, so V8's call feedback in now() stays valid for a new machine. */
const hostNow = (): number => performance.now();

/** Time from the host's monotonic clock, counted from machine start, excluding paused periods. */
export class HostClock implements Clock {
  readonly deterministic = false;
  private origin: number;
  private pausedAt: number | undefined;

  constructor(private readonly hostNowMs: () => number = hostNow) {
    this.origin = hostNowMs();
  }

  now(): number {
    const at = this.pausedAt ?? this.hostNowMs();
    return Math.floor((at - this.origin) * (Board.timebaseHz / 1000));
  }

  advance(): void {}

  /** Host time cannot be skipped; the scheduler sleeps until then instead. */
  skipTo(): void {}

  pause(): void {
    this.pausedAt ??= this.hostNowMs();
  }

  resume(): void {
    if (this.pausedAt !== undefined) {
      this.origin += this.hostNowMs() - this.pausedAt;
      this.pausedAt = undefined;
    }
  }
}
