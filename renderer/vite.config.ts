// Vite builds the renderer (React UI + the machine Web Worker) into dist/renderer, for web mode and for
// the Electron app:// protocol alike. JSX is compiled by Vite's built-in transform (no React plugin).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { securityHeaders } from './security.ts';
import { labsPlugin } from './vite-plugin-labs.ts';
import { validatorsPlugin } from './vite-plugin-validators.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig(({ command }) => ({
  root,
  base: './',
  publicDir: false,
  clearScreen: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [validatorsPlugin(), labsPlugin(repo)],
  build: {
    outDir: `${repo}/dist/renderer`,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
  worker: { format: 'es' },
  server: {
    headers: securityHeaders(command === 'serve'),
    fs: { allow: [repo] },
  },
  preview: { headers: securityHeaders(false) },
}));
