// The security headers of the app shell, shared by the Electron app:// protocol and the web-mode server.
// No 'unsafe-eval' anywhere: neither the renderer nor the machine worker generates code at run time.
// Styles allow 'unsafe-inline' because xterm.js writes its theme and geometry into <style> elements.

/** Content-Security-Policy of every page and worker script. `dev` adds the Vite dev server's websocket. */
export function contentSecurityPolicy(dev = false): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
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
 * Headers sent with every response of the app shell: the CSP plus cross-origin isolation (COOP/COEP),
 * so that SharedArrayBuffer is available should the core want it.
 */
export function securityHeaders(dev = false): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(dev),
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}
