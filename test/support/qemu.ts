/**
 * Running guest programs on the reference machine: QEMU's `virt` board with OpenSBI (Debian package
 * qemu-system-misc), `qemu-system-riscv64 -M virt -nographic -bios default -smp N -m 256M -kernel ELF`.
 *
 * Banner-stripping rule: OpenSBI prints its banner on the UART before the guest starts, the lab prints
 * nothing.  The guest runtime (guests/lib/start.S -> runtime_init in guests/lib/uart.c) writes exactly one
 * marker, GUEST_OUTPUT_MARKER = "\x1b[0m" (an SGR reset: invisible on a terminal, never produced by
 * OpenSBI), to the UART before main() runs.  The guest's output is everything after the FIRST occurrence
 * of the marker; the marker itself is removed.  Apply the same function (guestOutput) to the lab's
 * console output before comparing, so both sides are cut the same way.  When the marker is missing (a
 * program not built with guests/lib), the whole text is returned unchanged.
 *
 * Output is byte-exact otherwise: the guests write "\n" (no "\r"), and QEMU's stdio serial backend does
 * not translate.
 */
import { spawn, spawnSync } from 'node:child_process';

export const QEMU_BINARY = 'qemu-system-riscv64';
export const GUEST_OUTPUT_MARKER = '\x1b[0m';

export interface QemuRunOptions {
  /** number of harts (-smp) */
  harts: number;
  /** kill QEMU after this many milliseconds (default 60 000); the result then has timedOut = true */
  timeoutMs?: number;
  /** RAM in MiB (default 256) */
  memoryMiB?: number;
}

export interface QemuRunResult {
  /** the guest's UART output after the marker (see guestOutput) */
  output: string;
  /** QEMU's exit status: the finisher's code (0 = pass), or -1 when QEMU was killed (timeout/signal) */
  exitCode: number;
  /** everything QEMU wrote to stdout, banner included */
  raw: string;
  timedOut: boolean;
}

let available: boolean | undefined;

/** true when qemu-system-riscv64 can be started (the result is cached) */
export function qemuAvailable(): boolean {
  if (available === undefined) {
    try {
      const r = spawnSync(QEMU_BINARY, ['--version'], { stdio: 'ignore', timeout: 10_000 });
      available = r.status === 0;
    } catch {
      available = false;
    }
  }
  return available;
}

/** Cut a console transcript at the guest runtime's marker (see the rule at the top of this file). */
export function guestOutput(raw: string): string {
  const i = raw.indexOf(GUEST_OUTPUT_MARKER);
  return i < 0 ? raw : raw.slice(i + GUEST_OUTPUT_MARKER.length);
}

export function qemuArgs(elfPath: string, opts: QemuRunOptions): string[] {
  return [
    '-M', 'virt',
    '-nographic',
    '-bios', 'default',
    '-smp', String(opts.harts),
    '-m', `${opts.memoryMiB ?? 256}M`,
    '-kernel', elfPath,
    '-monitor', 'none',
    '-serial', 'stdio',
  ];
}

/** Run one ELF on QEMU until it ends through the finisher (or SBI SRST), or until the timeout. */
export function runOnQemu(elfPath: string, opts: QemuRunOptions): Promise<QemuRunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(QEMU_BINARY, qemuArgs(elfPath, opts), { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // latin1 keeps every byte as one char (guests print ASCII; nothing is lost or merged)
      const raw = Buffer.concat(out).toString('latin1');
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (code !== 0 && code !== null && raw.indexOf(GUEST_OUTPUT_MARKER) < 0 && stderr) {
        reject(new Error(`${QEMU_BINARY} failed (${code}): ${stderr}`));
        return;
      }
      resolve({ output: guestOutput(raw), exitCode: code ?? -1, raw, timedOut });
    });
  });
}
