// The virtio-console lab in the app: the root cell serves a cell's virtio console and relays it to UART1,
// which the app shows as its own pane (titled from the lab file); typing there reaches the cell.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromiumAvailable, launchBrowser, openApp, screenshot, SKIP_REASON, typeCommand, waitForConsole, type PageProblems } from './support/browser.ts';

const haveLab = existsSync('assets/labs/virtio-console.yaml');
const reason = !chromiumAvailable() ? SKIP_REASON : !haveLab ? 'assets/labs/ has no virtio-console lab' : undefined;
if (reason) console.warn(`virtio-console e2e skipped: ${reason}`);

describe.skipIf(reason !== undefined)('the virtio console in the app', () => {
  let browser: Browser;
  const problems: PageProblems[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const p of problems) expect(p).toEqual({ errors: [], csp: [] });
    await browser?.close();
  });

  const type = (page: Page, command: string, until: RegExp) => typeCommand(page, command, { repeated: true, until });

  it('typing into the UART1 pane reaches the cell, and its answers come back there', async () => {
    const opened = await openApp(browser, inject('baseURL'));
    problems.push(opened.problems);
    const page = opened.page;
    await page.getByTestId('entry-lab/virtio-console').click();
    await page.getByTestId('lab-status').getByText('Ready: the root console is yours.').waitFor({ timeout: 30_000 });
    await type(page, 'jailhouse enable /etc/jailhouse/sysconfig.cell', /The Jailhouse is opening\.\n[^]*~# $/);
    await type(page, 'virtio-ivshmem-console 00:0d.0 /dev/ttyS1 &', /\[1\] virtio-ivshmem-console 00:0d\.0 \/dev\/ttyS1\n[^]*~# $/);
    await type(page, 'jailhouse cell create /etc/jailhouse/virtio-console.cell', /Created Jailhouse cell "virtio-console"\n[^]*~# $/);
    await type(page, 'jailhouse cell load virtio-console /usr/libexec/jailhouse/demos/virtio-console-demo.bin', /virtio-console-demo\.bin\n[^]*~# $/);
    await type(page, 'jailhouse cell start virtio-console', /front-end ready/);
    await waitForConsole(page, 'uart1', /virtio> $/);
    const pane = page.locator('[data-stream="uart1"]');
    await expect(pane.locator('.pane-detail').textContent()).resolves.toBe('virtio console of cell virtio-console (relayed by the root cell)');
    await pane.scrollIntoViewIfNeeded();
    await pane.locator('.pane-title').click();     // focuses the pane's terminal
    await page.keyboard.type('hello');
    await page.keyboard.press('Enter');
    await waitForConsole(page, 'uart1', /Hello from cell "virtio-console" over virtio!\r?\nvirtio> $/);
    await page.keyboard.type('echo typed in the app');
    await page.keyboard.press('Enter');
    await waitForConsole(page, 'uart1', /\r?\ntyped in the app\r?\nvirtio> $/);
    await screenshot(page, 'lab-virtio-console');
  }, 240_000);
});
