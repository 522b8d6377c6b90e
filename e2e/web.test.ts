// The app in web mode, driven like a person would: the start screen, booting images, typing, a console
// flood, the run controls, keyboard-only use, search and the security headers. Screenshots land in
// test-results/.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  chromiumAvailable, consoleTail, launchBrowser, openApp, screenshot, SKIP_REASON, waitForConsole, type PageProblems,
} from './support/browser.ts';

const available = chromiumAvailable();
if (!available) console.warn(`web e2e skipped: ${SKIP_REASON}`);

describe.skipIf(!available)('web mode', () => {
  let browser: Browser;
  const url = inject('baseURL');
  const pages: Array<{ page: Page; problems: PageProblems }> = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const { problems } of pages) {
      expect(problems.errors, 'page errors').toEqual([]);
      expect(problems.csp, 'CSP violations').toEqual([]);
    }
    await browser?.close();
  });

  async function open(scheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const opened = await openApp(browser, url, scheme);
    pages.push(opened);
    return opened.page;
  }

  async function boot(page: Page, id: string): Promise<void> {
    await page.getByTestId(`entry-${id}`).click();
    await page.getByRole('region', { name: 'UART0 console' }).waitFor();
  }

  it('lists the bundled images on the start screen', async () => {
    const page = await open('light');
    for (const id of ['ui/echo', 'ui/flood', 'conformance/rv64i', 'conformance/smp_atomic', 'bench/intloop']) {
      await expect(page.getByTestId(`entry-${id}`).isVisible()).resolves.toBe(true);
    }
    await expect(page.getByTestId('entry-conformance/hsm').textContent()).resolves.toContain('4 harts');
    await screenshot(page, 'start-light');
    const dark = await open('dark');
    await screenshot(dark, 'start-dark');
  });

  it('boots rv64i from the start screen and shows its checks passed line in the uart0 pane', async () => {
    const page = await open('dark');
    await boot(page, 'conformance/rv64i');
    const text = await waitForConsole(page, 'uart0', /rv64i: \d+ checks passed/);
    expect(text).toMatch(/^rv64i: start/m);
    await page.getByTestId('ending').getByText('Guest finished: pass').waitFor();
    await expect(page.getByTestId('machine-state').textContent()).resolves.toBe('Stopped');
    await screenshot(page, 'machine-rv64i-dark');
  });

  it('boots a multi-hart image with one chip per hart', async () => {
    const page = await open();
    await boot(page, 'conformance/smp_atomic');
    await expect(page.getByRole('list', { name: /Harts/ }).getByRole('listitem').count()).resolves.toBe(4);
    await waitForConsole(page, 'uart0', /smp_atomic: \d+ checks passed/);
  });

  it('sends what is typed in a console to the guest', async () => {
    const page = await open();
    await boot(page, 'ui/echo');
    await waitForConsole(page, 'uart0', /^> $/m);
    await page.locator('[data-stream="uart0"] .pane-terminal').click();
    await page.keyboard.type('hello lab');
    await page.keyboard.press('Enter');
    await waitForConsole(page, 'uart0', /you typed: hello lab/);
    await screenshot(page, 'machine-echo-light');
    // Copy with nothing selected copies the whole console.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.locator('[data-stream="uart0"]').getByRole('button', { name: 'Copy' }).click();
    await page.locator('[data-stream="uart0"]').getByText('Console copied').waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toContain('you typed: hello lab');
    await page.locator('[data-stream="uart0"] .pane-terminal').click();
    await page.keyboard.type('quit');
    await page.keyboard.press('Enter');
    await page.getByTestId('ending').getByText('Guest finished: pass').waitFor();
  });

  it('shows one pane per console stream, typing goes to that console, one pane can be maximised', async () => {
    const page = await open('dark');
    await boot(page, 'ui/consoles');
    for (const stream of ['uart0', 'uart1', 'uart2']) await waitForConsole(page, stream, new RegExp(`this is ${stream}`));
    await expect(page.locator('.pane').count()).resolves.toBe(3);
    await page.locator('[data-stream="uart1"] .pane-terminal').click();
    await page.keyboard.type('to one');
    await page.keyboard.press('Enter');
    await waitForConsole(page, 'uart1', /uart1 got: to one/);
    expect(await consoleTail(page, 'uart0', 10)).not.toContain('to one');
    await screenshot(page, 'machine-consoles-dark');
    const uart2 = page.locator('[data-stream="uart2"]');
    await uart2.getByRole('button', { name: 'Maximise' }).click();
    await expect(page.locator('.pane:visible').count()).resolves.toBe(1);
    await expect(uart2.isVisible()).resolves.toBe(true);
    await uart2.getByRole('button', { name: 'Restore' }).click();
    await expect(page.locator('.pane:visible').count()).resolves.toBe(3);
  });

  it('takes 1 MiB of console output without losing a byte or freezing the UI', async () => {
    const page = await open();
    await boot(page, 'ui/flood');
    // While the flood pours in, the UI still answers: the search bar opens and takes typing.
    const pane = page.locator('[data-stream="uart0"]');
    await pane.getByRole('button', { name: 'Search', exact: true }).click();
    const search = pane.getByRole('searchbox');
    await search.fill('flood: done');
    await expect(pane.getByRole('button', { name: 'Search', exact: true }).getAttribute('aria-pressed')).resolves.toBe('true');
    await waitForConsole(page, 'uart0', /^flood: done, 1048576 bytes$/m, { lines: 3 });
    const bytes = await page.evaluate(() => window.jailhouseLabDebug!.bytes('uart0'));
    const expected = 1024 * 1024 + 'flood: done, 1048576 bytes\n'.length + '\x1b[0m'.length;
    expect(bytes.received).toBe(expected);
    await page.waitForFunction((n) => window.jailhouseLabDebug!.bytes('uart0').written === n, expected);
    // The scrollback keeps the last lines in order, none missing.
    const tail = (await consoleTail(page, 'uart0', 5001)).split('\n');
    const numbers = tail.slice(0, -1).map((line) => Number(/^flood (\d{6}) /.exec(line)?.[1]));
    expect(numbers[numbers.length - 1]).toBe(16383);
    numbers.forEach((n, i) => expect(n).toBe(16383 - (numbers.length - 1) + i));
    await search.press('Enter');
    await pane.getByText('1 of 1').waitFor();
    await screenshot(page, 'machine-flood');
  });

  it('pauses, resumes and resets the machine', async () => {
    const page = await open();
    await boot(page, 'ui/echo');
    await waitForConsole(page, 'uart0', /^> $/m);
    const pause = page.getByTestId('pause-resume');
    await pause.click();
    await page.getByTestId('machine-state').getByText('Paused').waitFor();
    await expect(pause.textContent()).resolves.toBe('Resume');
    await pause.click();
    await expect(pause.textContent()).resolves.toBe('Pause');
    await page.locator('[data-stream="uart0"] .pane-terminal').click();
    await page.keyboard.type('before reset');
    await page.keyboard.press('Enter');
    await waitForConsole(page, 'uart0', /you typed: before reset/);
    await page.getByTestId('reset').click();
    await waitForConsole(page, 'uart0', /^echo: type a line/);
    expect(await consoleTail(page, 'uart0', 50)).not.toContain('before reset');
  });

  it('records the exit trace while the trace pane asks, and stops', async () => {
    const page = await open('dark');
    await boot(page, 'ui/echo');
    await waitForConsole(page, 'uart0', /^> $/m);
    const count = async () => Number((await page.getByTestId('trace-count').textContent())?.match(/^(\d+)/)?.[1] ?? 0);
    await page.getByTestId('toggle-trace').click();
    await expect.poll(count).toBeGreaterThan(10); // the echo guest polls its UART: MMIO reads
    await expect(page.getByTestId('trace-list').textContent()).resolves.toMatch(/mmio-read/);
    await expect(page.getByTestId('trace-record').getAttribute('aria-pressed')).resolves.toBe('true');
    await screenshot(page, 'machine-trace-dark');
    // Recording off: no new records arrive; Clear empties the list.
    await page.getByTestId('trace-record').click();
    await page.getByRole('button', { name: 'Clear', exact: true }).last().click();
    await page.waitForTimeout(300);
    await expect(count()).resolves.toBe(0);
    await expect(page.getByTestId('trace-list').textContent()).resolves.toBe('not recording');
    // Closing the pane leaves the consoles the whole height again; the guest still answers.
    await page.getByTestId('toggle-trace').click();
    await page.getByTestId('trace-pane').waitFor({ state: 'detached' });
    await page.locator('[data-stream="uart0"] .pane-terminal').click();
    await page.keyboard.type('still here');
    await page.keyboard.press('Enter');
    await waitForConsole(page, 'uart0', /you typed: still here/);
  });

  it('shows physical memory in the memory inspector, and says why a range cannot be read', async () => {
    const page = await open();
    await boot(page, 'ui/echo');
    await waitForConsole(page, 'uart0', /^> $/m);
    await page.getByTestId('toggle-memory').click();
    const inspector = page.getByTestId('memory-inspector');
    await inspector.getByLabel('Address').fill('0x10000000');
    await inspector.getByLabel('Address').press('Enter');
    await expect.poll(() => inspector.getByRole('alert').textContent()).toContain('is not in RAM (0x80000000..0x90000000)');
    await inspector.getByLabel('Address').fill('0x80000000');
    await inspector.getByLabel('Length').fill('64');
    await page.getByTestId('memory-read').click();
    const hex = page.getByTestId('hex-view');
    await hex.waitFor();
    const text = (await hex.textContent()) ?? '';
    expect(text.split('\n')).toHaveLength(4);
    expect(text).toMatch(/^80000000  ([0-9a-f]{2} ){7}[0-9a-f]{2}  /);
    await screenshot(page, 'machine-memory-light');
  });

  it('can be driven with the keyboard alone', async () => {
    const page = await open();
    // Tab from the top of the page to the first example and boot it with Enter.
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toContain('Open image or lab file');
    // The cards follow in reading order (labs first, when there are any); Tab on to echo.
    const focusedId = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
    await page.keyboard.press('Tab');
    await expect(focusedId()).resolves.toBe('jit-setting'); // the translation setting sits next to it
    await page.keyboard.press('Tab');
    await expect(focusedId()).resolves.toMatch(/^entry-/);
    for (let i = 0; i < 20 && (await focusedId()) !== 'entry-ui/echo'; i++) await page.keyboard.press('Tab');
    await expect(focusedId()).resolves.toBe('entry-ui/echo');
    await page.keyboard.press('Enter');
    await waitForConsole(page, 'uart0', /^> $/m);
    // The run controls are reached by Tab and work with Enter / Space; F8 toggles pause anywhere.
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? '');
    await page.locator('body').focus();
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toContain('Start');
    // The tool toggles come first: Enter opens the trace pane and closes it again.
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('Trace');
    await page.keyboard.press('Enter');
    await page.getByTestId('trace-pane').waitFor();
    await page.keyboard.press('Enter');
    await page.getByTestId('trace-pane').waitFor({ state: 'detached' });
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('Memory');
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('Pause');
    await page.keyboard.press('Enter');
    await page.getByTestId('machine-state').getByText('Paused').waitFor();
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByTestId('machine-state').textContent()).toMatch(/Running|Idle/);
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('Reset');
    // On to the console's tools: Maximise toggles with Enter.
    for (let i = 0; i < 4; i++) await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('Maximise');
    await page.keyboard.press('Enter');
    await expect(page.getByRole('button', { name: 'Restore' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await page.keyboard.press('F8');
    await page.getByTestId('machine-state').getByText('Paused').waitFor();
    await screenshot(page, 'machine-keyboard');
    // Into the terminal with Tab, out again with Shift+Tab; F8 works from inside it too.
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.classList.contains('xterm-helper-textarea'))).resolves.toBe(true);
    await page.keyboard.press('F8');
    await expect.poll(() => page.getByTestId('machine-state').textContent()).toMatch(/Running|Idle/);
    await page.keyboard.press('Shift+Tab');
    await expect(focused()).resolves.toBe('Restore');
    // Back to the start screen.
    await page.getByRole('button', { name: '← Start' }).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('entry-ui/echo').waitFor();
  });

  it('boots an image file opened through the file picker and refuses a lab file plainly', async () => {
    const page = await open();
    await page.getByTestId('file-input').setInputFiles('assets/guests/conformance/rv64m.elf');
    await waitForConsole(page, 'uart0', /rv64m: \d+ checks passed/);
    await page.getByRole('button', { name: '← Start' }).click();
    await page.getByTestId('file-input').setInputFiles({ name: 'demo.yaml', mimeType: 'text/yaml', buffer: Buffer.from('lab: 1\n') });
    await expect(page.getByRole('alert').textContent()).resolves.toContain('demo.yaml is a lab file');
  });

  it('translates hot guest code in the machine worker, whose script alone may compile WebAssembly', async () => {
    const page = await open('light');
    const workerCsp = new Promise<string>((resolve) => page.on('response', (r) => {
      if (/machine\.worker[^/]*\.js/.test(r.url())) resolve(r.headers()['content-security-policy'] ?? '');
    }));
    await boot(page, 'bench/intloop');
    expect(await workerCsp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="jit"]')?.textContent) > 0, undefined, { timeout: 90_000 });
  }, 120_000);

  it('runs the interpreter alone when the start screen setting is off', async () => {
    const page = await open('light');
    await page.getByTestId('jit-setting').uncheck();
    await boot(page, 'conformance/rv64m');
    await waitForConsole(page, 'uart0', /rv64m: \d+ checks passed/);
    await expect(page.getByTestId('jit').textContent()).resolves.toBe('off');
    await page.getByRole('button', { name: '← Start' }).click();
    await page.getByTestId('jit-setting').check();
  });

  it('serves the shell with a strict CSP and cross-origin isolation', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(url);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).not.toContain('unsafe-eval');
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
    await expect(page.evaluate(() => crossOriginIsolated)).resolves.toBe(true);
    // Code from strings (a string timer, an injected inline script) is refused by the page's own CSP.
    const outcome = await page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      const ran: string[] = [];
      (window as unknown as { ran: string[] }).ran = ran;
      (setTimeout as unknown as (code: string, ms: number) => void)('window.ran.push("string timer")', 0);
      const script = document.createElement('script');
      script.textContent = 'window.ran.push("inline script")';
      document.head.append(script);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { violations, ran };
    });
    expect(outcome.ran).toEqual([]);
    expect(outcome.violations).toContain('script-src');
    // Nor may the page compile WebAssembly: only the machine worker's script is allowed to.
    await expect(page.evaluate(() => WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(() => 'compiled', (e: Error) => e.name)))
      .resolves.toBe('CompileError');
    await context.close();
  });
});
