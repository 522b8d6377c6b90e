// Web mode: the renderer in a browser, the machine in a Web Worker.
//   npm run web                  build the renderer and serve it (production build, vite preview)
//   npm run web -- --dev         the Vite dev server instead (rebuilds on change)
//   npm run web -- --port 8080   a fixed port (default 5173, the next free one if taken)
// Prints the URL and serves until interrupted. startWebServer() is also used by scripts/start.mjs and e2e/.
import { fileURLToPath, pathToFileURL } from 'node:url';

const configFile = fileURLToPath(new URL('../renderer/vite.config.ts', import.meta.url));

/** Builds the renderer into dist/renderer. */
export async function buildRenderer({ quiet = false } = {}) {
  const { build } = await import('vite');
  // A test runner's NODE_ENV=test would otherwise give React's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile, mode: 'production', logLevel: quiet ? 'error' : 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

/**
 * Serves the renderer on 127.0.0.1. `dev`: Vite's dev server; otherwise the built files (built first
 * unless `build` is false). `port` 0 picks a free port. Resolves to { url, close() }.
 */
export async function startWebServer({ dev = false, port = 5173, strictPort = false, build = true, quiet = false } = {}) {
  const vite = await import('vite');
  const logLevel = quiet ? 'error' : 'warn';
  if (dev) {
    const server = await vite.createServer({ configFile, logLevel, server: { host: '127.0.0.1', port, strictPort } });
    await server.listen();
    return { url: server.resolvedUrls.local[0], close: () => server.close() };
  }
  if (build) await buildRenderer({ quiet });
  const server = await vite.preview({ configFile, logLevel, preview: { host: '127.0.0.1', port, strictPort, open: false } });
  return { url: server.resolvedUrls.local[0], close: () => new Promise((resolve) => server.httpServer.close(() => resolve())) };
}

function parseArgs(argv) {
  const options = { dev: false, port: Number(process.env.PORT ?? 5173) };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--dev') options.dev = true;
    else if (argv[i] === '--port') options.port = Number(argv[++i]);
    else if (argv[i] === '--help' || argv[i] === '-h') {
      console.log('usage: npm run web [-- --dev] [-- --port N]');
      process.exit(0);
    } else {
      console.error(`web: unknown option ${argv[i]}`);
      process.exit(2);
    }
  }
  return options;
}

/** Serves until SIGINT/SIGTERM and prints where. */
export async function runWebMode(options) {
  const server = await startWebServer(options);
  console.log(`Jailhouse Lab (web mode${options.dev ? ', dev server' : ''}): ${server.url}`);
  console.log('Open that URL in a browser; Ctrl+C stops the server.');
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runWebMode(parseArgs(process.argv.slice(2)));
}
