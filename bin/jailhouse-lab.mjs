#!/usr/bin/env node
// The command-line entry: the bundled CLI lives in dist/ (built by `npm run build`, also on install).
// It runs in a Node process with the flags a machine wants (node-flags.mjs): started without them, this
// starts itself again with them, passing the terminal, arguments and exit status through.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hasMachineNodeFlags, machineNodeFlags } from './node-flags.mjs';

const cli = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('jailhouse-lab: the CLI is not built yet; run `npm run build` in the project folder\n');
  process.exit(2);
}
if (hasMachineNodeFlags()) {
  const { main } = await import(cli);
  process.exitCode = await main(process.argv.slice(2));
} else {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [...machineNodeFlags(), self, ...process.argv.slice(2)], { stdio: 'inherit' });
  // A terminal's Ctrl-C reaches the child itself (same process group): it decides how to end, and this
  // waits for it. Other signals are passed on.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (code !== null) process.exit(code);
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
}
