// Builds the renderer once and serves it on a free localhost port for the whole e2e run; stops it after.
import type { TestProject } from 'vitest/node';
import { chromiumAvailable, CHROMIUM } from './support/browser.ts';
import { startWebServer } from '../scripts/web.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!chromiumAvailable()) {
    console.warn(`e2e: ${CHROMIUM} is missing, so the browser tests skip (install Debian's chromium package).`);
  }
  const server = await startWebServer({ port: 0, quiet: true });
  project.provide('baseURL', server.url);
  return () => server.close();
}
