// Builds the desktop app: the renderer (Vite → dist/renderer) and the Electron main process and preload
// (esbuild → dist/electron/*.cjs; a sandboxed preload must be one CommonJS file).
//   node scripts/build-app.mjs [--electron-only | --renderer-only]
import { build } from 'esbuild';
import { pathToFileURL } from 'node:url';
import { buildRenderer } from './web.mjs';

export async function buildElectron() {
  await build({
    entryPoints: { main: 'electron/main.ts', preload: 'electron/preload.ts' },
    outdir: 'dist/electron',
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['electron'],
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

export async function buildApp({ renderer = true, electron = true } = {}) {
  if (renderer) await buildRenderer({ quiet: true });
  if (electron) await buildElectron();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  await buildApp({ renderer: !args.includes('--electron-only'), electron: !args.includes('--renderer-only') });
  console.log('built dist/renderer and dist/electron');
}
