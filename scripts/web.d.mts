// Types of scripts/web.mjs for the TypeScript that imports it (e2e/).
export interface WebServer {
  url: string;
  close(): Promise<void>;
}
export function buildRenderer(options?: { quiet?: boolean }): Promise<void>;
export function startWebServer(options?: { dev?: boolean; port?: number; strictPort?: boolean; build?: boolean; quiet?: boolean }): Promise<WebServer>;
export function runWebMode(options: { dev?: boolean; port?: number; build?: boolean }): Promise<void>;
