/** Node flags for a process that runs a machine (see node-flags.mjs). */
export function machineNodeFlags(): string[];
/** Whether this process was started with the flags (or chose its own pool size). */
export function hasMachineNodeFlags(): boolean;
