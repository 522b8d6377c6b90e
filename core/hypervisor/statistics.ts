import { NUM_STATS, type Stat } from './abi.ts';

/**
 * The per-CPU exit counters of the ABI (CPU_GET_INFO 1000 + n). Counters are u32 as in Jailhouse and are
 * reset when a CPU changes cell; CPU_GET_INFO reports them masked to 31 bits so they stay positive.
 */
export class CpuStatistics {
  private readonly counters: Uint32Array;

  constructor(readonly cpus: number) {
    this.counters = new Uint32Array(cpus * NUM_STATS);
  }

  count(cpu: number, stat: Stat): void {
    this.counters[cpu * NUM_STATS + stat]!++;
  }

  /** Counts an exit of kind `stat`, and the total. */
  exit(cpu: number, stat: Stat): void {
    const base = cpu * NUM_STATS;
    this.counters[base]!++;
    this.counters[base + stat]!++;
  }

  get(cpu: number, stat: Stat): number {
    return this.counters[cpu * NUM_STATS + stat]!;
  }

  reset(cpu: number): void {
    this.counters.fill(0, cpu * NUM_STATS, (cpu + 1) * NUM_STATS);
  }

  /** A copy of one CPU's counters (for the worker protocol / UI). */
  snapshot(cpu: number): number[] {
    return Array.from(this.counters.subarray(cpu * NUM_STATS, (cpu + 1) * NUM_STATS));
  }
}
