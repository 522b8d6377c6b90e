// Vite builds the renderer (React UI + the machine Web Worker) into dist/renderer, for web mode and for
// the Electron app:// protocol alike. JSX is compiled by Vite's built-in transform (no React plugin).
import { fileURLToPath } from 'node:url';
import { type Connect, defineConfig, type Plugin } from 'vite';
import { securityHeaders } from './security.ts';
import { labsPlugin } from './vite-plugin-labs.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig(({ command }) => ({
  root,
  base: './',
  publicDir: false,
  clearScreen: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [labsPlugin(repo), securityHeadersPlugin(command === 'serve')],
  build: {
    outDir: `${repo}/dist/renderer`,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
  worker: { format: 'es' },
  server: { fs: { allow: [repo] } },
}));

/** The security headers per response, so the machine worker's script gets its own CSP (security.ts). */
function securityHeadersPlugin(dev: boolean): Plugin {
  const headers: Connect.NextHandleFunction = (req, res, next) => {
    for (const [name, value] of Object.entries(securityHeaders(dev, req.url ?? ''))) res.setHeader(name, value);
    next();
  };
  return {
    name: 'jailhouse-lab-security-headers',
    configureServer: (server) => { server.middlewares.use(headers); },
    configurePreviewServer: (server) => { server.middlewares.use(headers); },
  };
}
