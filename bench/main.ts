// `npm run bench`: the guest workloads on the lab and on qemu-system-riscv64, side by side, from the same
// ELF in the same run. Every lab sample is a fresh process with the machine in a worker thread (as the CLI
// and the app run it): its first run is "cold" (V8 has seen none of the guest's code paths yet), a second
// run of the same ELF in the same worker is "warm" (both after the worker's start-up warm-up, MachineHost.warmUp,
// which the start-up line includes). Each workload runs on the interpreter alone and with
// the block translator (MachineConfig.jit). `npm run bench -- csr amo` runs only the named workloads.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { MachineConfig, WorkerCommand, WorkerEvent } from '../core/worker/protocol.ts';
import { bootLabBoard } from './lab-board.ts';
import { pingRoundTrips, udpThroughput, virtioBlkThroughput } from './links.ts';
import { qemuArgs, qemuAvailable, QEMU_BINARY } from '../test/support/qemu.ts';
import { machineNodeFlags } from '../bin/node-flags.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '..');
const guest = (name: string) => resolve(root, 'assets/guests/bench', `${name}.elf`);

interface Workload { name: string; what: string; harts?: number }
const WORKLOADS: Workload[] = [
  { name: 'intloop', what: 'integer/branchy' },
  { name: 'memory', what: 'memcpy/memset/stream' },
  { name: 'muldiv', what: 'multiply/divide' },
  { name: 'calls', what: 'calls, recursion' },
  { name: 'mmio', what: '10M UART register reads' },
  { name: 'sbi', what: '1M SBI calls' },
  { name: 'amo', what: 'AMOs, LR/SC, spinlock' },
  { name: 'csr', what: 'S-mode CSR accesses' },
  { name: 'smp4', what: '4 harts busy (int/mem)', harts: 4 },
  { name: 'phases', what: 'short mixed phases' },
];

/** The two executors: the interpreter alone, and with hot code translated to WebAssembly (MachineConfig.jit). */
const EXECUTORS = [{ name: 'interpreter', jit: false }, { name: 'translator', jit: true }] as const;
/**
 * Fresh processes per measurement. Five, not three: on a host whose cores differ in speed (a VM's vCPUs
 * sharing physical cores unevenly: measured here, one runs guests 1.7x slower than the other) a median
 * of three still lands on the slow core about a quarter of the time.
 */
const SAMPLES = 5;

interface LabResult { instructions: number; runSeconds: number; wallSeconds: number; maxRssMiB: number; status: string }

/**
 * Child mode: boots one ELF `runs` times in a single machine worker (a new machine each time) and prints
 * one LabResult per run as a JSON array. runSeconds spans the boot command to the finished event.
 */
async function runChild(elf: string, ramSize: number, harts: number, jit: boolean, runs: number): Promise<void> {
  const started = performance.now();
  const worker = new Worker(resolve(here, 'machine-worker.mjs'));
  // The worker warms its run loop up when it starts (part of the start-up, measured on its own line)
  await new Promise<void>((ok) => worker.on('message', function ready(e: WorkerEvent) {
    if (e.type === 'ready') { worker.off('message', ready); ok(); }
  }));
  const config: MachineConfig = { harts, ramSize, deterministic: false, maxInstructions: 0, trace: false, jit };
  const bytes = new Uint8Array(readFileSync(elf));
  const results: LabResult[] = [];
  for (let run = 0; run < runs; run++) {
    const bootAt = performance.now();
    const result = await new Promise<LabResult>((ok) => {
      const onMessage = (e: WorkerEvent) => {
        const done = (status: string, instructions: number) => {
          worker.off('message', onMessage);
          const now = performance.now();
          ok({ instructions, runSeconds: (now - bootAt) / 1000, wallSeconds: (now - started) / 1000,
            maxRssMiB: process.resourceUsage().maxRSS / 1024, status });
        };
        if (e.type === 'finished') done(e.kind === 'pass' ? 'pass' : `fail ${e.code}`, e.instructions);
        else if (e.type === 'fault' || e.type === 'error') done(`${e.type}: ${e.message}`, 0);
      };
      worker.on('message', onMessage);
      worker.postMessage({ type: 'boot', config, boot: { bytes: bytes.slice() } } satisfies WorkerCommand);
    });
    results.push(result);
  }
  await worker.terminate();
  process.stdout.write(JSON.stringify(results) + '\n');
}

/** One fresh lab process: `runs` runs of a workload, the first cold. wallSeconds of the first is the whole process. */
function runLab(name: string, opts: { ramSize?: number; harts?: number; jit?: boolean; runs?: number } = {}): LabResult[] {
  const started = performance.now();
  const args = [fileURLToPath(import.meta.url), '--run', guest(name), String(opts.ramSize ?? 1 << 30),
    String(opts.harts ?? 1), String(opts.jit ?? false), String(opts.runs ?? 1)];
  const child = spawnSync(process.execPath, [...machineNodeFlags(), ...args], { encoding: 'utf8' }); // as the CLI runs
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('[')) throw new Error(`lab run of ${name} failed: ${child.stderr}`);
  const results = JSON.parse(line) as LabResult[];
  for (const r of results) if (r.status !== 'pass') throw new Error(`${name}: ${r.status}`);
  if (opts.runs === undefined || opts.runs === 1) results[0]!.wallSeconds = (performance.now() - started) / 1000;
  return results;
}

function runQemu(name: string, harts = 1): Promise<number> {
  return new Promise((ok, fail) => {
    const started = performance.now();
    const child = spawn(QEMU_BINARY, qemuArgs(guest(name), { harts, memoryMiB: 1024 }), { stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', fail);
    child.on('exit', () => ok((performance.now() - started) / 1000));
  });
}

interface Timing { instructions: number; coldSeconds: number; warmSeconds: number }

/** SAMPLES fresh processes, each a cold and a warm run; medians of each. */
function timeLab(w: Workload, jit: boolean): Timing {
  const cold: number[] = [], warm: number[] = [];
  let instructions = 0;
  for (let k = 0; k < SAMPLES; k++) {
    const [first, second] = runLab(w.name, { harts: w.harts, jit, runs: 2 });
    cold.push(first!.runSeconds);
    warm.push(second!.runSeconds);
    instructions = second!.instructions;
  }
  return { instructions, coldSeconds: middle(cold), warmSeconds: middle(warm) };
}

function middle(xs: number[]): number {
  const sorted = xs.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
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

async function main(only: string[]): Promise<void> {
  const workloads = only.length > 0 ? WORKLOADS.filter((w) => only.includes(w.name)) : WORKLOADS;
  if (workloads.length < only.length) throw new Error(`unknown workload in ${only.join(' ')}: the workloads are ${WORKLOADS.map((w) => w.name).join(', ')}`);
  const haveQemu = qemuAvailable();
  const executors = EXECUTORS;
  console.log(`Jailhouse Lab benchmark: lab (1 GiB RAM; ${executors.map((e) => e.name).join(' and ')}) vs ` +
    `${haveQemu ? QEMU_BINARY + ' (TCG)' : 'no QEMU (not installed)'}`);
  console.log(`Medians of ${SAMPLES} samples. Lab: each sample is a fresh process whose first run of the ELF is "cold" and ` +
    'whose second run (a new machine in the same worker, which reuses the worker\'s compiled translations) is "warm", both after the worker\'s start-up warm-up; MIPS and times span boot to power-off, ' +
    'machine creation included. QEMU: whole-process time minus the empty guest\'s ("net"). cold/warm: how much ' +
    'slower the cold run is (goal <= 2). lab/QEMU: lab run time over QEMU net time.\n');

  const labEmpty = middle(Array.from({ length: SAMPLES }, () => runLab('empty')[0]!.wallSeconds));
  const qemuEmpty = haveQemu ? await median(SAMPLES, () => runQemu('empty')) : NaN;
  console.log(`start-up (empty guest, whole process): lab ${num(labEmpty)} s, QEMU ${haveQemu ? num(qemuEmpty) + ' s' : 'n/a'}\n`);

  const cols = (xs: string[], widths: number[]) => xs.map((x, i) => pad(x, widths[i]!)).join('');
  const widths = [10, 25, 13, 28, 28, 9, 16, 16];
  console.log(cols(['', '', '', 'interpreter MIPS', 'translator MIPS', 'QEMU', 'lab/QEMU interp', 'lab/QEMU transl'], widths));
  console.log(cols(['workload', 'what', 'instructions', 'cold    warm    cold/warm', 'cold    warm    cold/warm', 'net s',
    'cold    warm', 'cold    warm'], widths));
  for (const w of workloads) {
    const timings = new Map<boolean, Timing>();
    for (const e of executors) timings.set(e.jit, timeLab(w, e.jit));
    // QEMU's net time; below 50 ms it is within the start-up's noise and no ratio is printed
    const qemuNet = haveQemu ? (await median(SAMPLES, () => runQemu(w.name, w.harts ?? 1))) - qemuEmpty : NaN;
    const instructions = timings.get(false)!.instructions;
    const mips = (t: Timing | undefined) => t === undefined ? pad('n/a', 28)
      : pad(num(t.instructions / t.coldSeconds / 1e6, 1), 8) + pad(num(t.instructions / t.warmSeconds / 1e6, 1), 8) +
        pad(num(t.coldSeconds / t.warmSeconds), 12);
    const ratio = (t: Timing | undefined) => t === undefined || !(qemuNet >= 0.05) ? pad('n/a', 16)
      : pad(num(t.coldSeconds / qemuNet), 8) + pad(num(t.warmSeconds / qemuNet), 8);
    console.log(pad(w.name, 10) + pad(w.what, 25) + pad(String(instructions), 13) + mips(timings.get(false)) +
      mips(timings.get(true)) + pad(qemuNet >= 0.05 ? num(qemuNet) : haveQemu ? '<0.05' : 'n/a', 9) + ratio(timings.get(false)) + ratio(timings.get(true)));
  }

  if (only.length > 0) return;
  const touch = runLab('touch16m')[0]!;
  const idle = runLab('empty')[0]!;
  console.log(`\nhost memory: machine with 1 GiB RAM configured, guest touched 16 MiB: max RSS ${num(touch.maxRssMiB, 0)} MiB ` +
    `(same process with the empty guest: ${num(idle.maxRssMiB, 0)} MiB; goal < 200 MiB)`);
  const qemuRss = haveQemu ? qemuMaxRss('touch16m') : undefined;
  if (qemuRss !== undefined) console.log(`QEMU on the same guest: max RSS ${num(qemuRss, 0)} MiB`);

  const mipsOf = (c: { instructions: number; seconds: number }) => c.instructions / c.seconds / 1e6;
  // Alternated, so a slow spell of the host (or the slower core) does not fall on one case only.
  const bares: number[] = [], withCells: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    bares.push(mipsOf(hypervisorCase(false)));
    withCells.push(mipsOf(hypervisorCase(true)));
  }
  const bare = middle(bares), withCell = middle(withCells);
  console.log(`\nroot OS 'bench 20' (integer loop; its third run), 6 harts: bare board ${num(bare, 1)} MIPS; hypervisor enabled with the ` +
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
  // The third run is timed: code the commands before it ran (the jailhouse tool, the driver, the
  // hypervisor's) is optimized by V8 in the background for a while after, and with one background thread
  // (bin/node-flags.mjs on two cores) the translated loop's own optimizing waits behind it through the
  // first run and into the second (measured with the cell: its second run 40% below bare's, the third 5-10%).
  shell('bench 20');
  shell('bench 20');
  machine.input(0, new TextEncoder().encode('bench 20\r'));
  const i0 = machine.executed, t0 = performance.now();
  waitFor('checksum');
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ instructions: machine.executed - i0, seconds }) + '\n');
}

function hypervisorCase(withCell: boolean): { instructions: number; seconds: number } {
  const r = spawnSync(process.execPath, [...machineNodeFlags(), fileURLToPath(import.meta.url), '--hv', withCell ? 'cell' : 'bare'], { encoding: 'utf8' });
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

if (process.argv[2] === '--run') {
  const [elf, ramSize, harts, jit, runs] = process.argv.slice(3);
  await runChild(elf!, Number(ramSize), Number(harts), jit === 'true', Number(runs));
}
else if (process.argv[2] === '--hv') await runHypervisorCase(process.argv[3] === 'cell');
else if (process.argv[2] === '--doorbells') console.log(await doorbellRoundTrips());
else if (process.argv[2] === '--links') await printLinkThroughput((await doorbellRoundTrips()).perSecond);
else await main(process.argv.slice(2));
