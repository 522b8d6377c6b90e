// The Node edge of the machine worker: adapts worker_threads to the environment-neutral MachineHost.
import { parentPort } from 'node:worker_threads';
import { installHypervisor } from '../worker/firmware.ts';
import { MachineHost } from '../worker/machine-host.ts';
import type { WorkerCommand } from '../worker/protocol.ts';

const port = parentPort;
if (!port) throw new Error('machine-worker must run in a worker thread');

const host = new MachineHost({
  post: (event, transfer) => port.postMessage(event, transfer ?? []),
  now: () => performance.now(),
  yield: (fn) => setImmediate(fn),
  sleep: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(timer) };
  },
}, installHypervisor);

port.on('message', (command: WorkerCommand) => host.handle(command));
host.warmUp();
