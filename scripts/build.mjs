// Bundles the Node-side entry points (CLI, machine worker, benchmark) into dist/.
// The core is plain TypeScript; esbuild strips the types and resolves the imports.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = {
  cli: 'core/cli/main.ts',
  'machine-worker': 'core/cli/machine-worker.ts',
  bench: 'bench/main.ts',
};

const entryPoints = Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)));

await build({
  entryPoints,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  packages: 'external',
  logLevel: 'warning',
});
