// The example labs in the app: boot one, follow its tutorial with the Type buttons and the keyboard,
// and see each console in its own pane. Skips when the lab assets are not in the tree.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromiumAvailable, consoleTail, launchBrowser, openApp, screenshot, SKIP_REASON, waitForConsole, type PageProblems } from './support/browser.ts';

const haveLabs = existsSync('assets/labs/tiny-demo.yaml') && existsSync('assets/labs/mem-violation.yaml');
const reason = !chromiumAvailable() ? SKIP_REASON : !haveLabs ? 'assets/labs/ has no tiny-demo and mem-violation labs' : undefined;
if (reason) console.warn(`lab e2e skipped: ${reason}`);

describe.skipIf(reason !== undefined)('labs in the app', () => {
  let browser: Browser;
  const problems: PageProblems[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const p of problems) expect(p).toEqual({ errors: [], csp: [] });
    await browser?.close();
  });

  async function openLab(name: string, scheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const opened = await openApp(browser, inject('baseURL'), scheme);
    problems.push(opened.problems);
    const page = opened.page;
    await page.getByTestId(`entry-lab/${name}`).click();
    await page.getByTestId('lab-status').getByText('Ready: the root console is yours.').waitFor({ timeout: 30_000 });
    return page;
  }

  async function type(page: Page, command: string): Promise<void> {
    await page.getByRole('button', { name: `Type ${command}`, exact: true }).click();
    await waitForConsole(page, 'uart0', new RegExp(`~# ${command.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n[^]*~# $`), { lines: 60 });
  }

  it('tiny-demo: the tutorial\'s commands start a cell whose greeting appears in its own pane', async () => {
    const page = await openLab('tiny-demo');
    await waitForConsole(page, 'uart0', /~# $/);
    await type(page, 'jailhouse enable /etc/jailhouse/sysconfig.cell');
    await waitForConsole(page, 'hypervisor', /Activating hypervisor/);
    await type(page, 'jailhouse cell create /etc/jailhouse/tiny-demo.cell');
    await type(page, 'jailhouse cell load tiny-demo /usr/libexec/jailhouse/demos/tiny-demo.bin');
    await type(page, 'jailhouse cell start tiny-demo');
    await waitForConsole(page, 'cell:tiny-demo', /Hello from this tiny cell!/);
    await expect(page.getByRole('region', { name: 'tiny-demo console' }).isVisible()).resolves.toBe(true);
    // The keyboard works in the root console too.
    await page.locator('[data-stream="uart0"] .pane-terminal').click();
    await page.keyboard.type('jailhouse cell list');
    await page.keyboard.press('Enter');
    await waitForConsole(page, 'uart0', /tiny-demo\s+running/);
    // The machine view follows: hart 2 belongs to the cell, the cell list shows it running.
    await expect.poll(() => page.getByTestId('hart-2').textContent()).toContain('tiny-demo');
    await expect.poll(() => page.getByTestId('cell-state-tiny-demo').textContent()).toBe('running');
    await screenshot(page, 'lab-tiny-demo');
    // A lifecycle button types its command into the root console, where the person sees it.
    await page.getByRole('button', { name: 'Shutdown: jailhouse cell shutdown tiny-demo' }).click();
    await waitForConsole(page, 'uart0', /~# jailhouse cell shutdown tiny-demo\n/);
    await expect.poll(() => page.getByTestId('cell-state-tiny-demo').textContent()).toBe('shut down');
    await page.getByRole('button', { name: 'Destroy: jailhouse cell destroy tiny-demo' }).click();
    await waitForConsole(page, 'uart0', /~# jailhouse cell destroy tiny-demo\n/);
    await expect.poll(() => page.getByTestId('cell-list').textContent()).toContain('not created');
    await expect.poll(() => page.getByTestId('hart-2').textContent()).not.toContain('tiny-demo');
  });

  it('mem-violation: the cell fails and the hypervisor pane shows why', async () => {
    const page = await openLab('mem-violation', 'dark');
    await type(page, 'jailhouse enable /etc/jailhouse/sysconfig.cell');
    await type(page, 'jailhouse cell create /etc/jailhouse/mem-violation.cell');
    await type(page, 'jailhouse cell load mem-violation /usr/libexec/jailhouse/demos/mem-violation.bin');
    await type(page, 'jailhouse cell start mem-violation');
    await waitForConsole(page, 'hypervisor', /FATAL: Invalid MMIO write/);
    await waitForConsole(page, 'hypervisor', /Parking CPU 2 \(Cell: "mem-violation"\)/);
    await page.locator('[data-stream="uart0"] .pane-terminal').click();
    await page.keyboard.type('jailhouse cell list');
    await page.keyboard.press('Enter');
    await waitForConsole(page, 'uart0', /mem-violation\s+failed/);
    expect(await consoleTail(page, 'hypervisor', 40)).toMatch(/FATAL/);
    await expect.poll(() => page.getByTestId('cell-state-mem-violation').textContent()).toBe('failed');
    await expect.poll(() => page.getByTestId('hart-2').textContent()).toContain('parked');
    await screenshot(page, 'lab-mem-violation-dark');
  });
});
