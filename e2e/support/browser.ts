// Headless Debian Chromium through playwright-core (never a downloaded browser), and helpers that read
// the consoles through the renderer's read-only debug hook (the WebGL renderer draws on a canvas).
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { LabDebug } from '../../renderer/src/debug-hooks.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const RESULTS = 'test-results';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export const SKIP_REASON = `${CHROMIUM} is not installed (Debian package chromium)`;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
}

export interface PageProblems {
  errors: string[];
  csp: string[];
}

/** Opens a fresh page on the app, collecting page errors and CSP violations. */
export async function openApp(browser: Browser, url: string, colorScheme: 'light' | 'dark' = 'light',
  viewport = { width: 1280, height: 800 }): Promise<{ page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const problems: PageProblems = { errors: [], csp: [] };
  page.on('pageerror', (error) => problems.errors.push(error.message));
  page.on('console', (message) => {
    if (process.env.E2E_DEBUG) console.log('browser console:', message.type(), message.text());
    if (message.type() === 'error' && /Content.Security.Policy/i.test(message.text())) problems.csp.push(message.text());
  });
  await page.goto(url);
  await page.getByRole('heading', { name: 'Jailhouse Lab' }).waitFor();
  return { page, problems };
}

declare global {
  interface Window {
    jailhouseLabDebug?: LabDebug;
  }
}

/** Waits until the last `lines` lines of a console match `pattern`. */
export async function waitForConsole(page: Page, stream: string, pattern: RegExp, { lines = 200, timeout = 30_000 } = {}): Promise<string> {
  try {
    const handle = await page.waitForFunction(
      ([s, source, flags, n]) => {
        const text = window.jailhouseLabDebug?.tail(s, n) ?? '';
        return new RegExp(source, flags).test(text) ? text : false;
      },
      [stream, pattern.source, pattern.flags, lines] as const,
      { timeout, polling: 100 },
    );
    return (await handle.jsonValue()) as string;
  } catch (error) {
    // Say what the console did show: a timeout alone does not tell a hang from a wrong message.
    const tail = await consoleTail(page, stream, 15).catch(() => '(console unreadable)');
    throw new Error(`${stream} never matched ${pattern} within ${timeout} ms; its last lines:\n${tail}`, { cause: error });
  }
}

/**
 * Clicks the lab tutorial's Type button for `command` and waits until the root console shows `until`
 * (by default: the command echoed and the prompt back; 'echo': the command echoed). `repeated`: the
 * tutorial shows the command more than once (the first button is clicked); otherwise exactly one may match.
 */
export async function typeCommand(page: Page, command: string,
  { until = 'prompt', repeated = false }: { until?: RegExp | 'prompt' | 'echo'; repeated?: boolean } = {}): Promise<void> {
  const button = page.getByRole('button', { name: `Type ${command}`, exact: true });
  await (repeated ? button.first() : button).click();
  const echoed = `~# ${command.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n`;
  const pattern = until === 'prompt' ? new RegExp(`${echoed}[^]*~# $`) : until === 'echo' ? new RegExp(echoed) : until;
  await waitForConsole(page, 'uart0', pattern, { lines: 60 });
}

export function consoleTail(page: Page, stream: string, lines: number): Promise<string> {
  return page.evaluate(([s, n]) => window.jailhouseLabDebug?.tail(s, n) ?? '', [stream, lines] as const);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: `${RESULTS}/${name}.png` });
}
