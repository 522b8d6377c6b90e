import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Board } from '../machine/board.ts';
import type { MachineConfig, WorkerCommand, WorkerEvent } from '../worker/protocol.ts';
import { parseSize } from '../hypervisor/config/yaml.ts';

export const BOOT_USAGE = `usage: jailhouse-lab boot IMAGE [options]
  Boots IMAGE (an S-mode ELF, or a raw binary with --load-address) on the board and connects
  UART0 to this terminal. Exits with the guest's finisher status.
options:
  --harts N               harts on the board (1..32, default ${Board.defaultHarts})
  --ram SIZE              RAM size, e.g. 256M or 1G (default 1G)
  --deterministic         time follows executed instructions: identical output on every run
  --max-instructions N    give up (exit 3) if the guest has not finished after N instructions
  --trace                 print a log of exits and traps to stderr
  --no-jit                interpret only: do not translate hot code to WebAssembly
  --load-address ADDR     load a raw image at ADDR (default 0x80200000)
  --initrd FILE           initial RAM disk (its range goes into the device tree)
  --append ARGS           kernel command line (/chosen/bootargs)
exit status: the finisher's code (0 = pass); 2 bad usage or image; 3 instruction limit reached;
  4 the guest is stuck (faults in its own trap handler); 70 internal error.`;

/** Exit statuses of `boot` besides the guest's own. */
export const enum BootExit {
  Usage = 2,
  Hang = 3,
  Stuck = 4,
  Internal = 70,
}

export interface Terminal {
  stdout(bytes: Uint8Array | string): void;
  stderr(text: string): void;
  /** Keys typed by the user; returns a function that stops listening. */
  onInput(fn: (bytes: Uint8Array) => void): () => void;
}

function fail(term: Terminal, message: string): number {
  term.stderr(`jailhouse-lab: ${message}\n`);
  return BootExit.Usage;
}

/** `jailhouse-lab boot`: runs an image in a machine worker until the guest finishes. */
export async function runBootCommand(args: string[], term: Terminal, workerUrl: URL): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args, allowPositionals: true, strict: true,
      options: {
        harts: { type: 'string' }, ram: { type: 'string' }, deterministic: { type: 'boolean' },
        'max-instructions': { type: 'string' }, trace: { type: 'boolean' }, 'load-address': { type: 'string' },
        initrd: { type: 'string' }, append: { type: 'string' }, 'no-jit': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail(term, `${(error as Error).message}\n${BOOT_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) { term.stdout(BOOT_USAGE + '\n'); return 0; }
  if (positionals.length !== 1) return fail(term, `boot needs exactly one IMAGE\n${BOOT_USAGE}`);

  const harts = values.harts === undefined ? Board.defaultHarts : Number(values.harts);
  if (!Number.isInteger(harts) || harts < 1 || harts > Board.maxHarts) return fail(term, `--harts: expected 1..${Board.maxHarts}, got "${values.harts}"`);
  const ramBytes = values.ram === undefined ? BigInt(Board.ram.defaultSize) : parseSize(values.ram);
  const ramSize = ramBytes === undefined ? NaN : Number(ramBytes);
  if (!(ramSize >= 1 << 20 && ramSize <= 2 ** 31 && ramSize % 4096 === 0)) {
    return fail(term, `--ram: expected a size from 1M to 2G in whole pages, e.g. 256M, got "${values.ram}"`);
  }
  const maxInstructions = values['max-instructions'] === undefined ? 0 : Number(values['max-instructions']);
  if (!Number.isSafeInteger(maxInstructions) || maxInstructions < 0) {
    return fail(term, `--max-instructions: expected a non-negative integer, got "${values['max-instructions']}"`);
  }
  const loadAddress = values['load-address'] === undefined ? undefined : Number(values['load-address']);
  if (loadAddress !== undefined && !Number.isSafeInteger(loadAddress)) return fail(term, `--load-address: expected an address like 0x80200000, got "${values['load-address']}"`);

  const image = positionals[0]!;
  let bytes: Uint8Array, initrd: Uint8Array | undefined;
  try {
    bytes = new Uint8Array(await readFile(image));
    if (values.initrd) initrd = new Uint8Array(await readFile(values.initrd));
  } catch (error) {
    return fail(term, `${(error as NodeJS.ErrnoException).message}`);
  }
  if (bytes.length === 0) return fail(term, `${image}: the image is empty`);

  const config: MachineConfig = { harts, ramSize, deterministic: values.deterministic ?? false, maxInstructions, trace: values.trace ?? false,
    jit: !values['no-jit'] };
  return runInWorker(workerUrl, { type: 'boot', config, boot: { bytes, loadAddress, initrd, bootargs: values.append } }, term, image);
}

function runInWorker(workerUrl: URL, boot: WorkerCommand, term: Terminal, image: string): Promise<number> {
  return new Promise((resolve) => {
    const worker = new Worker(workerUrl);
    let stopInput = (): void => {};
    const finish = (status: number) => {
      stopInput();
      void worker.terminate();
      resolve(status);
    };
    worker.on('message', (event: WorkerEvent) => {
      switch (event.type) {
        case 'output':
          if (event.stream === 'uart0') term.stdout(event.bytes);
          else term.stderr(`[${event.stream}] ${new TextDecoder().decode(event.bytes)}`);
          return;
        case 'trace':
          for (const r of event.records) term.stderr(`trace: @${r.at} hart ${r.hart} ${r.kind} ${r.detail}\n`);
          return;
        case 'finished':
          return finish(event.kind === 'pass' ? 0 : event.code);
        case 'reset':
          term.stderr('jailhouse-lab: the guest reset the board; booting again\n');
          return;
        case 'fault':
          term.stderr(`jailhouse-lab: ${image}: ${event.message} (after ${event.instructions} instructions)\n`);
          return finish(BootExit.Stuck);
        case 'hang':
          term.stderr(`jailhouse-lab: ${image}: no finish after ${event.instructions} instructions (--max-instructions); ${event.pcs.join(', ')}\n`);
          return finish(BootExit.Hang);
        case 'error':
          term.stderr(`jailhouse-lab: ${image}: ${event.message}\n`);
          return finish(event.message.startsWith('internal error') ? BootExit.Internal : BootExit.Usage);
        case 'status':
          return;
      }
    });
    worker.on('error', (error) => {
      term.stderr(`jailhouse-lab: internal error in the machine worker: ${error.stack ?? error.message}\n`);
      finish(BootExit.Internal);
    });
    stopInput = term.onInput((bytes) => worker.postMessage({ type: 'input', uart: 0, bytes } satisfies WorkerCommand));
    worker.postMessage(boot);
  });
}
