// The command-line edge: the only place (with its siblings) that touches process, fs and threads.
import { readFile, writeFile } from 'node:fs/promises';
import { BOOT_USAGE, runBootCommand, type Terminal } from './boot-command.ts';
import { LAB_USAGE, runRunCommand, runTestCommand } from './lab-command.ts';

const USAGE = `usage: jailhouse-lab <command> [args]
commands:
  boot IMAGE [options]      boot a guest image on the board (see: jailhouse-lab boot --help)
  run LAB.yaml              run a lab interactively: its consoles here, your keys to the root console
  test LAB.yaml...          run labs headless and deterministically, check their expectations
  config compile|decompile|check ...   Jailhouse cell configurations
  help                      this text`;

function nodeTerminal(): Terminal {
  return {
    stdout: (bytes) => { process.stdout.write(bytes); },
    stderr: (text) => { process.stderr.write(text); },
    onInput: (fn) => {
      const stdin = process.stdin;
      const raw = stdin.isTTY === true;
      let ctrlA = false;
      const listener = (chunk: Buffer) => {
        if (raw) {
          // Like QEMU: Ctrl-A x leaves.
          for (const byte of chunk) {
            if (ctrlA && byte === 0x78) { process.stderr.write('\r\njailhouse-lab: terminated by Ctrl-A x\r\n'); process.exit(130); }
            ctrlA = byte === 0x01;
          }
        }
        fn(new Uint8Array(chunk));
      };
      if (raw) stdin.setRawMode(true);
      stdin.on('data', listener);
      return () => {
        stdin.off('data', listener);
        if (raw) stdin.setRawMode(false);
        stdin.pause();
      };
    },
  };
}

export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  const term = nodeTerminal();
  const worker = new URL('./machine-worker.mjs', import.meta.url);
  switch (command) {
    case 'boot':
      return runBootCommand(rest, term, worker);
    case 'run':
      return runRunCommand(rest, term, worker);
    case 'test':
      return runTestCommand(rest, term, worker);
    case 'config': {
      const { runConfigCommand } = await import('./config-command.ts');
      return runConfigCommand(rest, {
        readFile: async (path) => new Uint8Array(await readFile(path)),
        writeFile: (path, data) => writeFile(path, data),
        stdout: (s) => process.stdout.write(s),
        stderr: (s) => process.stderr.write(s),
      });
    }
    case 'help': case '--help': case '-h': case undefined:
      process.stdout.write(`${USAGE}\n\n${BOOT_USAGE}\n\n${LAB_USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`jailhouse-lab: unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}
