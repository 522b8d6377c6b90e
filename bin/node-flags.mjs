// Node flags for a process that runs a machine (the CLI, the benchmark's lab processes).
import { availableParallelism } from 'node:os';

/**
 * V8 compiles in the background on a pool of threads, four by default, beside the thread that runs the
 * machine. On a host with few cores they took turns with the machine's thread while its translations
 * were optimized: measured on two cores, the first run of a 4-hart workload took 0.20 s with four and
 * 0.14 s with one (warm runs the same). So the pool gets the cores the machine leaves, at most four.
 */
export function machineNodeFlags() {
  return [`--v8-pool-size=${Math.max(1, Math.min(4, availableParallelism() - 1))}`];
}

/** Whether this process was started with the flags (or chose its own pool size). */
export function hasMachineNodeFlags() {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((flag) => flag.startsWith('--v8-pool-size'));
}
