// The security headers of the app shell, shared by the Electron app:// protocol and the web-mode server.
// No 'unsafe-eval' anywhere. The machine worker's own script alone gets 'wasm-unsafe-eval': its block
// translator compiles guest code to WebAssembly (a worker runs under the CSP of its script's response);
// the renderer page stays strict.
// Styles allow 'unsafe-inline' because xterm.js writes its theme and geometry into <style> elements.

/** Whether a served path is the machine worker's script (built: assets/machine.worker-<hash>.js). */
export function isMachineWorkerScript(path: string): boolean {
  return /(^|\/)machine\.worker[^/]*\.(js|ts)$/.test(path.split('?')[0]!);
}

/**
 * Content-Security-Policy of every page and worker script. `dev` adds the Vite dev server's websocket;
 * `machineWorker` allows compiling WebAssembly (the translator), and nothing else beyond the page's.
 */
export function contentSecurityPolicy(dev = false, machineWorker = false): string {
  return [
    "default-src 'none'",
    machineWorker ? "script-src 'self' 'wasm-unsafe-eval'" : "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * Headers sent with every response of the app shell (`path`: the response's URL path): the CSP plus
 * cross-origin isolation (COOP/COEP), so that SharedArrayBuffer is available should the core want it.
 */
export function securityHeaders(dev = false, path = ''): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(dev, isMachineWorkerScript(path)),
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}
