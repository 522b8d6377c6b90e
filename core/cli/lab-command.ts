import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { LabFileError, parseLab } from '../lab/lab-file.ts';
import { prepareLab, type PreparedLab } from '../lab/prepare.ts';
import type { LabReport } from '../lab/script.ts';
import type { MachineConfig, WorkerCommand, WorkerEvent } from '../worker/protocol.ts';
import type { Terminal } from './boot-command.ts';

export const LAB_USAGE = `usage: jailhouse-lab run LAB.yaml [--trace] [--no-jit]
       jailhouse-lab test LAB.yaml... [--repeat N] [--max-instructions N] [--no-jit]
  run   boots the lab, types its start-up commands, and connects you to the root console; the other
        consoles (hypervisor, cells, extra UARTs) appear prefixed with their name. Ctrl-A x quits.
  test  runs each lab headless and deterministically, checks its expectations and prints a report;
        --repeat N runs each lab N times and fails unless every run printed the same bytes.
  --no-jit  interpret only: do not translate hot code to WebAssembly.
exit status (test): 0 all labs passed; 1 a lab failed; 2 a lab file is invalid.`;

/** No lab runs forever in `test`: a bound on top of the lab's own bounds. */
const TEST_LIMIT = 20_000_000_000;

async function loadLab(path: string): Promise<PreparedLab> {
  const text = await readFile(path, 'utf8').catch((e: Error) => { throw new LabFileError(path, [{ path: '', message: e.message }]); });
  const lab = parseLab(text, path);
  return prepareLab(lab, path, async (p) => new Uint8Array(await readFile(p)));
}

interface LabRun {
  report: LabReport | undefined;
  /** Every console's bytes, for the determinism check. */
  transcripts: Map<string, number[]>;
  ending: string;
}

/** Runs a lab in a machine worker until its report (test) or forever (run), feeding events to `onEvent`. */
function runLabInWorker(workerUrl: URL, lab: PreparedLab, config: MachineConfig, onEvent: (e: WorkerEvent, stop: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const worker = new Worker(workerUrl);
    const stop = () => { void worker.terminate(); resolve(); };
    worker.on('message', (e: WorkerEvent) => onEvent(e, stop));
    worker.on('error', (error) => {
      onEvent({ type: 'error', message: `internal error in the machine worker: ${error.stack ?? error.message}` }, stop);
      stop();
    });
    worker.postMessage({ type: 'lab', config, lab, mode: 'test' } satisfies WorkerCommand);
  });
}

function printReport(term: Terminal, report: LabReport): void {
  term.stdout(`lab ${report.lab}: ${report.passed ? 'PASS' : 'FAIL'} (${report.instructions} instructions)\n`);
  if (report.failedStep) {
    term.stdout(`  ✗ step ${report.failedStep.index + 1}: ${report.failedStep.description}: ${report.failedStep.detail}\n`);
  }
  for (const r of report.results) {
    term.stdout(`  ${r.passed ? '✓' : '✗'} ${r.description}${r.passed ? '' : `: ${r.detail}`}\n`);
  }
}

/** `jailhouse-lab test`: headless, deterministic; the report decides the exit status. */
export async function runTestCommand(args: string[], term: Terminal, workerUrl: URL): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { repeat: { type: 'string' }, 'max-instructions': { type: 'string' }, 'no-jit': { type: 'boolean' } } });
  } catch (error) {
    term.stderr(`jailhouse-lab: ${(error as Error).message}\n${LAB_USAGE}\n`);
    return 2;
  }
  const repeat = Number(parsed.values.repeat ?? 1);
  const limit = Number(parsed.values['max-instructions'] ?? TEST_LIMIT);
  if (parsed.positionals.length === 0 || !Number.isInteger(repeat) || repeat < 1 || !Number.isSafeInteger(limit)) {
    term.stderr(`${LAB_USAGE}\n`);
    return 2;
  }
  let failed = 0, invalid = 0;
  for (const file of parsed.positionals) {
    let lab: PreparedLab;
    try {
      lab = await loadLab(file);
    } catch (error) {
      term.stderr(`jailhouse-lab: ${(error as Error).message}\n`);
      invalid++;
      continue;
    }
    const runs: LabRun[] = [];
    for (let k = 0; k < repeat; k++) {
      const run: LabRun = { report: undefined, transcripts: new Map(), ending: '' };
      const config: MachineConfig = { harts: lab.lab.board.harts, ramSize: lab.lab.board.ramSize, deterministic: true, maxInstructions: limit, trace: false, jit: !parsed.values['no-jit'] };
      await runLabInWorker(workerUrl, lab, config, (e, stop) => {
        switch (e.type) {
          case 'output': {
            const t = run.transcripts.get(e.stream) ?? [];
            for (const b of e.bytes) t.push(b);
            run.transcripts.set(e.stream, t);
            return;
          }
          case 'lab-report': run.report = e.report; return stop();
          case 'error': run.ending = e.message; return stop();
          case 'fault': run.ending = `the machine stopped: ${e.message}`; return;
          case 'hang': run.ending = `no result after ${e.instructions} instructions`; return;
          case 'finished': run.ending = `the machine powered off (${e.kind}, status ${e.code})`; return;
          default: return;
        }
      });
      runs.push(run);
    }
    const first = runs[0]!;
    if (!first.report) {
      term.stdout(`lab ${lab.lab.name}: FAIL: ${first.ending || 'no report'}\n`);
      failed++;
      continue;
    }
    printReport(term, first.report);
    if (first.ending && !first.report.passed) term.stdout(`  (${first.ending})\n`);
    let ok = first.report.passed;
    for (const [k, other] of runs.entries()) {
      if (k === 0) continue;
      const differing = [...new Set([...first.transcripts.keys(), ...other.transcripts.keys()])]
        .filter((s) => Buffer.compare(Buffer.from(first.transcripts.get(s) ?? []), Buffer.from(other.transcripts.get(s) ?? [])) !== 0);
      if (differing.length > 0) {
        term.stdout(`  ✗ run ${k + 1} printed different bytes than run 1 on: ${differing.join(', ')}\n`);
        ok = false;
      } else term.stdout(`  ✓ run ${k + 1} printed the same bytes as run 1 on every console\n`);
    }
    if (!ok) failed++;
  }
  const total = parsed.positionals.length;
  term.stdout(`${total - failed - invalid} passed, ${failed + invalid} failed\n`);
  return invalid > 0 ? 2 : failed > 0 ? 1 : 0;
}

/** `jailhouse-lab run`: interactive, host time; the root console is yours. */
export async function runRunCommand(args: string[], term: Terminal, workerUrl: URL): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { trace: { type: 'boolean' }, 'no-jit': { type: 'boolean' } } });
  } catch (error) {
    term.stderr(`jailhouse-lab: ${(error as Error).message}\n${LAB_USAGE}\n`);
    return 2;
  }
  if (parsed.positionals.length !== 1) { term.stderr(`${LAB_USAGE}\n`); return 2; }
  let lab: PreparedLab;
  try {
    lab = await loadLab(parsed.positionals[0]!);
  } catch (error) {
    term.stderr(`jailhouse-lab: ${(error as Error).message}\n`);
    return 2;
  }
  term.stderr(`jailhouse-lab: ${lab.lab.title} (${lab.lab.board.harts} harts, ${lab.lab.board.ramSize >> 20} MiB). Ctrl-A x quits.\n`);
  const config: MachineConfig = { harts: lab.lab.board.harts, ramSize: lab.lab.board.ramSize, deterministic: false, maxInstructions: 0, trace: parsed.values.trace ?? false, jit: !parsed.values['no-jit'] };
  const prefixer = new Prefixer(term);
  let status = 0;
  let stopInput = () => {};
  await new Promise<void>((resolve) => {
    const worker = new Worker(workerUrl);
    const finish = (s: number) => { status = s; stopInput(); void worker.terminate(); resolve(); };
    worker.on('message', (e: WorkerEvent) => {
      switch (e.type) {
        case 'output': return prefixer.write(e.stream, e.bytes);
        case 'lab-report':
          term.stderr(`\r\n\x1b[1mYou reached every goal of this lab:\x1b[0m\r\n${e.report.results.map((r) => `  ✓ ${r.description}\r\n`).join('')}`);
          return;
        case 'finished': return finish(e.kind === 'pass' ? 0 : e.code);
        case 'fault': term.stderr(`\njailhouse-lab: ${e.message}\n`); return finish(4);
        case 'error': term.stderr(`\njailhouse-lab: ${e.message}\n`); return finish(e.message.startsWith('internal') ? 70 : 2);
        case 'trace': for (const r of e.records) term.stderr(`trace: @${r.at} hart ${r.hart} ${r.kind} ${r.detail}\n`); return;
        default: return;
      }
    });
    stopInput = term.onInput((bytes) => worker.postMessage({ type: 'input', uart: 0, bytes } satisfies WorkerCommand));
    worker.postMessage({ type: 'lab', config, lab, mode: 'interactive' } satisfies WorkerCommand);
  });
  return status;
}

/**
 * Multiplexes console streams onto one terminal: the root console as it is, every other stream line by
 * line with its name in front, so a cell's output never tears a line of another's. A prefixed line is
 * printed above the root console's unfinished line (usually the prompt), which is then drawn again.
 */
class Prefixer {
  private readonly partial = new Map<string, string>();
  /** What the root console printed since its last newline. */
  private rootLine = '';
  constructor(private readonly term: Terminal) {}

  write(stream: string, bytes: Uint8Array): void {
    if (stream === 'uart0') {
      const text = new TextDecoder().decode(bytes);
      const nl = text.lastIndexOf('\n');
      this.rootLine = nl >= 0 ? text.slice(nl + 1) : this.rootLine + text;
      return this.term.stdout(bytes);
    }
    const name = stream.startsWith('cell:') ? stream.slice(5) : stream;
    const lines = ((this.partial.get(stream) ?? '') + new TextDecoder().decode(bytes)).split('\n');
    this.partial.set(stream, lines.pop()!);
    if (lines.length === 0) return;
    const out = lines.map((line) => `\x1b[2m[${name}]\x1b[0m ${line.replace(/\r$/, '')}\r\n`).join('');
    this.term.stdout(`\r\x1b[K${out}${this.rootLine}`);
  }
}
