#!/usr/bin/env node
// The command-line entry: the bundled CLI lives in dist/ (built by `npm run build`, also on install).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('jailhouse-lab: the CLI is not built yet; run `npm run build` in the project folder\n');
  process.exit(2);
}
const { main } = await import(cli);
process.exitCode = await main(process.argv.slice(2));
