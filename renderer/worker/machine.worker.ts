// The browser edge of the machine worker: adapts a Web Worker to the environment-neutral MachineHost.
// The same core that runs in Node's worker_threads (core/cli/machine-worker.ts) runs here unchanged.
import { installHypervisor } from '../../core/worker/firmware.ts';
import { MachineHost } from '../../core/worker/machine-host.ts';
import type { WorkerCommand } from '../../core/worker/protocol.ts';

/** The part of DedicatedWorkerGlobalScope used here (the renderer's tsconfig has the DOM library). */
interface WorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((message: MessageEvent<WorkerCommand>) => void) | null;
}
const scope = self as unknown as WorkerScope;

// A MessageChannel message is a task of its own, so a yielded slice runs only after the commands that
// arrived meanwhile (pause, input) have been handled, without setTimeout's 4 ms clamp.
const pending: Array<() => void> = [];
const channel = new MessageChannel();
channel.port1.onmessage = () => pending.shift()?.();

const host = new MachineHost({
  post: (event, transfer) => scope.postMessage(event, transfer ?? []),
  now: () => performance.now(),
  yield: (fn) => {
    pending.push(fn);
    channel.port2.postMessage(null);
  },
  sleep: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(timer) };
  },
}, installHypervisor);

scope.onmessage = (message: MessageEvent<WorkerCommand>) => host.handle(message.data);
host.warmUp();
