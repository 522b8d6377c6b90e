// `npm run bench`: the guest workloads on the lab and on qemu-system-riscv64, side by side, from the same
// ELF in the same run. Each lab run is a fresh process with the machine in a worker thread (as the CLI
// and the app run it), so numbers include no warm-up from earlier workloads.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { MachineConfig, WorkerCommand, WorkerEvent } from '../core/worker/protocol.ts';
import { bootLabBoard } from './lab-board.ts';
import { pingRoundTrips, udpThroughput, virtioBlkThroughput } from './links.ts';
import { qemuArgs, qemuAvailable, QEMU_BINARY } from '../test/support/qemu.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '..');
const guest = (name: string) => resolve(root, 'assets/guests/bench', `${name}.elf`);

interface Workload { name: string; what: string }
const WORKLOADS: Workload[] = [
  { name: 'intloop', what: 'integer/branchy' },
  { name: 'memory', what: 'memcpy/memset/stream' },
  { name: 'muldiv', what: 'multiply/divide' },
  { name: 'calls', what: 'calls, recursion' },
  { name: 'mmio', what: '10M UART register reads' },
  { name: 'sbi', what: '1M SBI calls' },
];

interface LabResult { instructions: number; runSeconds: number; wallSeconds: number; maxRssMiB: number; status: string }

/** Child mode: boot one ELF in a machine worker, print a LabResult as JSON. */
async function runChild(elf: string, ramSize: number): Promise<void> {
  const started = performance.now();
  const worker = new Worker(resolve(here, 'machine-worker.mjs'));
  await new Promise((ok) => worker.once('online', ok));
  const config: MachineConfig = { harts: 1, ramSize, deterministic: false, maxInstructions: 0, trace: false };
  const bootAt = performance.now();
  worker.postMessage({ type: 'boot', config, boot: { bytes: new Uint8Array(readFileSync(elf)) } } satisfies WorkerCommand);
  const result = await new Promise<LabResult>((ok) => {
    worker.on('message', (e: WorkerEvent) => {
      const done = (status: string, instructions: number) => {
        const now = performance.now();
        ok({ instructions, runSeconds: (now - bootAt) / 1000, wallSeconds: (now - started) / 1000,
          maxRssMiB: process.resourceUsage().maxRSS / 1024, status });
      };
      if (e.type === 'finished') done(e.kind === 'pass' ? 'pass' : `fail ${e.code}`, e.instructions);
      else if (e.type === 'fault' || e.type === 'error') done(`${e.type}: ${e.message}`, 0);
    });
  });
  await worker.terminate();
  process.stdout.write(JSON.stringify(result) + '\n');
}

function runLab(name: string, ramSize = 1 << 30): LabResult {
  const started = performance.now();
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--run', guest(name), String(ramSize)], { encoding: 'utf8' });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{')) throw new Error(`lab run of ${name} failed: ${child.stderr}`);
  const result = JSON.parse(line) as LabResult;
  result.wallSeconds = (performance.now() - started) / 1000; // the whole process, like QEMU's
  return result;
}

function runQemu(name: string): Promise<number> {
  return new Promise((ok, fail) => {
    const started = performance.now();
    const child = spawn(QEMU_BINARY, qemuArgs(guest(name), { harts: 1, memoryMiB: 1024 }), { stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', fail);
    child.on('exit', () => ok((performance.now() - started) / 1000));
  });
}

/** Median of a few runs: the machine is shared, single runs are noisy. */
async function median(runs: number, f: () => Promise<number> | number): Promise<number> {
  const xs: number[] = [];
  for (let k = 0; k < runs; k++) xs.push(await f());
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (x: number, digits = 2) => x.toFixed(digits);

async function main(): Promise<void> {
  const haveQemu = qemuAvailable();
  console.log(`Jailhouse Lab benchmark: lab (interpreter, 1 hart, 1 GiB RAM) vs ${haveQemu ? QEMU_BINARY + ' (TCG)' : 'no QEMU (not installed)'}`);
  console.log('Each workload is one ELF from assets/guests/bench; times are medians of 3 whole-process runs; "net" subtracts');
  console.log('the start-up cost measured with the empty guest on the same emulator.\n');

  const labEmpty = await median(3, () => runLab('empty').wallSeconds);
  const qemuEmpty = haveQemu ? await median(3, () => runQemu('empty')) : NaN;
  console.log(`start-up (empty guest): lab ${num(labEmpty)} s, QEMU ${haveQemu ? num(qemuEmpty) + ' s' : 'n/a'}\n`);

  console.log(`${pad('workload', 10)}${pad('what', 24)}${pad('instructions', 14)}${pad('lab MIPS', 10)}${pad('lab net s', 11)}${pad('QEMU net s', 12)}lab/QEMU`);
  for (const w of WORKLOADS) {
    let last: LabResult | undefined;
    const labWall = await median(3, () => (last = runLab(w.name)).wallSeconds);
    if (last!.status !== 'pass') throw new Error(`${w.name}: ${last!.status}`);
    const labNet = Math.max(labWall - labEmpty, 1e-3);
    const mips = last!.instructions / last!.runSeconds / 1e6;
    const qemuNet = haveQemu ? Math.max((await median(3, () => runQemu(w.name))) - qemuEmpty, 1e-3) : NaN;
    console.log(`${pad(w.name, 10)}${pad(w.what, 24)}${pad(String(last!.instructions), 14)}${pad(num(mips, 1), 10)}` +
      `${pad(num(labNet), 11)}${pad(haveQemu ? num(qemuNet) : 'n/a', 12)}${haveQemu ? num(labNet / qemuNet) : 'n/a'}`);
  }

  const touch = runLab('touch16m');
  const idle = runLab('empty');
  console.log(`\nhost memory: machine with 1 GiB RAM configured, guest touched 16 MiB: max RSS ${num(touch.maxRssMiB, 0)} MiB ` +
    `(same process with the empty guest: ${num(idle.maxRssMiB, 0)} MiB; goal < 200 MiB)`);
  const qemuRss = haveQemu ? qemuMaxRss('touch16m') : undefined;
  if (qemuRss !== undefined) console.log(`QEMU on the same guest: max RSS ${num(qemuRss, 0)} MiB`);

  const mipsOf = (c: { instructions: number; seconds: number }) => c.instructions / c.seconds / 1e6;
  const bare = await median(3, () => mipsOf(hypervisorCase(false)));
  const withCell = await median(3, () => mipsOf(hypervisorCase(true)));
  console.log(`\nroot OS 'bench 20' (integer loop), 6 harts: bare board ${num(bare, 1)} MIPS; hypervisor enabled with the ` +
    `timer-demo cell running ${num(withCell, 1)} MIPS (${num((withCell / bare - 1) * 100, 1)}%; goal: no drop beyond -10%)`);

  const doorbells = await doorbellRoundTrips();
  console.log(`\nivshmem doorbell round trips (two ivshmem-demo cells in pingpong mode, each answering the other's ` +
    `doorbell from its interrupt handler): ${num(doorbells.perSecond, 0)} per second (${doorbells.trips} in ${num(doorbells.seconds)} s)`);
  await printLinkThroughput(doorbells.perSecond);

  const boot = await bootToPrompt();
  console.log(`\nroot OS boot to the shell prompt (6 harts, 1 GiB, with its RAM disk): ${boot.instructions} instructions ` +
    `(${num(boot.seconds * 1000, 0)} ms; goal < 50 000 000)`);
}

/** ivshmem-net between the root and a cell, beside the raw doorbell round trips (traffic counted by the link inspector). */
async function printLinkThroughput(doorbellsPerSecond: number): Promise<void> {
  const lab = resolve(root, 'assets/labs/ivshmem-net.yaml');
  const ping = await pingRoundTrips(lab);
  console.log(typeof ping === 'string' ? `ivshmem-net ping: n/a (${ping})`
    : `ivshmem-net ping -f root -> cell: ${num(ping.perSecond, 0)} round trips per second (${ping.trips} in ${num(ping.seconds)} s; ` +
      `raw doorbell round trips ${num(doorbellsPerSecond, 0)} per second)`);
  const udp = await udpThroughput(lab);
  console.log(typeof udp === 'string' ? `ivshmem-net UDP: n/a (${udp})`
    : `ivshmem-net UDP root -> cell (1400-byte payloads, echoed): ${num(udp.framesPerSecond, 0)} frames/s, ${num(udp.mbPerSecond)} MB/s ` +
      `(${udp.frames} frames, ${udp.bytes} bytes in ${num(udp.seconds)} s)`);
  const blk = await virtioBlkThroughput(resolve(root, 'assets/labs/virtio-blk.yaml'));
  console.log(typeof blk === 'string' ? `virtio-blk: n/a (${blk})`
    : `virtio-blk over virtio-ivshmem (block demo, mib=4: 4 MiB written + 4 MiB read): ${num(blk.mbPerSecond)} MB/s host time ` +
      `(${blk.bytes} bytes in ${num(blk.seconds)} s, ${blk.requests} requests)`);
}

/** Instructions from power-on to the root OS's shell prompt, booting the tiny-demo lab's board. */
async function bootToPrompt(): Promise<{ instructions: number; seconds: number }> {
  const started = performance.now();
  const board = await bootLabBoard(resolve(root, 'assets/labs/tiny-demo.yaml'), { deterministic: true, chunk: 10_000 });
  return { instructions: board.machine.executed, seconds: (performance.now() - started) / 1000 };
}

/**
 * Doorbell round trips per host second: the ivshmem-demo lab's two cells in pingpong mode (each rings the
 * other back from its interrupt handler: MMIO exit, doorbell, PLIC, interrupt, claim, ...), counted by the
 * link's own interrupt counter in the machine snapshot.
 */
async function doorbellRoundTrips(): Promise<{ trips: number; seconds: number; perSecond: number }> {
  const { machine, firmware, shell } = await bootLabBoard(resolve(root, 'assets/labs/ivshmem-demo.yaml'), { deterministic: false });
  const demo = '/usr/libexec/jailhouse/demos/ivshmem-demo.bin';
  for (const line of [
    'jailhouse enable /etc/jailhouse/sysconfig.cell', 'jailhouse cell create /etc/jailhouse/ivshmem-demo-1.cell',
    'jailhouse cell create /etc/jailhouse/ivshmem-demo-2.cell',
    `jailhouse cell load ivshmem-demo-1 ${demo} -s "pingpong=1 target=2" -a 0x100`,
    `jailhouse cell load ivshmem-demo-2 ${demo} -s "vpci_irq_base=35 pingpong=1 target=1" -a 0x100`,
    'jailhouse cell start ivshmem-demo-1', 'jailhouse cell start ivshmem-demo-2',
  ]) shell(line);
  const interrupts = () => firmware.snapshot().links.find((l) => l.bdf === '00:0e.0')?.interrupts ?? 0;
  const deadline = performance.now() + 1000;
  while (interrupts() < 100 && performance.now() < deadline) machine.run(100_000);
  const i0 = interrupts(), t0 = performance.now();
  while (performance.now() - t0 < 2000) machine.run(100_000);
  const seconds = (performance.now() - t0) / 1000;
  const trips = Math.floor((interrupts() - i0) / 2);
  return { trips, seconds, perSecond: trips / seconds };
}

/**
 * Child mode for the hypervisor comparison: boots the root OS (tiny-demo lab's board and files), optionally
 * enables the hypervisor and starts the timer-demo cell, then times the root OS's `bench` command.
 */
async function runHypervisorCase(withCell: boolean): Promise<void> {
  const { machine, shell, waitFor } = await bootLabBoard(resolve(root, 'assets/labs/timer-demo.yaml'), { deterministic: false });
  if (withCell) {
    for (const line of [
      'jailhouse enable /etc/jailhouse/sysconfig.cell', 'jailhouse cell create /etc/jailhouse/timer-demo.cell',
      'jailhouse cell load timer-demo /usr/libexec/jailhouse/demos/timer-demo.bin', 'jailhouse cell start timer-demo',
    ]) shell(line);
  }
  machine.input(0, new TextEncoder().encode('bench 20\r'));
  const i0 = machine.executed, t0 = performance.now();
  waitFor('checksum');
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ instructions: machine.executed - i0, seconds }) + '\n');
}

function hypervisorCase(withCell: boolean): { instructions: number; seconds: number } {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--hv', withCell ? 'cell' : 'bare'], { encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`hypervisor bench failed: ${r.stderr}`);
  return JSON.parse(line);
}

/** QEMU's peak RSS for a guest, via GNU time when it is installed. */
function qemuMaxRss(name: string): number | undefined {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', QEMU_BINARY, ...qemuArgs(guest(name), { harts: 1, memoryMiB: 1024 })], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  const kib = Number(r.stderr.trim().split('\n').pop());
  return Number.isFinite(kib) ? kib / 1024 : undefined;
}

if (process.argv[2] === '--run') await runChild(process.argv[3]!, Number(process.argv[4]));
else if (process.argv[2] === '--hv') await runHypervisorCase(process.argv[3] === 'cell');
else if (process.argv[2] === '--doorbells') console.log(await doorbellRoundTrips());
else if (process.argv[2] === '--links') await printLinkThroughput((await doorbellRoundTrips()).perSecond);
else await main();
