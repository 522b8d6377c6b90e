// The example labs in the app: boot one, follow its tutorial with the Type buttons and the keyboard,
// and see each console in its own pane. Skips when the lab assets are not in the tree.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromiumAvailable, consoleTail, launchBrowser, openApp, screenshot, SKIP_REASON, typeCommand, waitForConsole, type PageProblems } from './support/browser.ts';

const haveLabs = existsSync('assets/labs/tiny-demo.yaml') && existsSync('assets/labs/mem-violation.yaml');
const reason = !chromiumAvailable() ? SKIP_REASON : !haveLabs ? 'assets/labs/ has no tiny-demo and mem-violation labs' : undefined;
if (reason) console.warn(`lab e2e skipped: ${reason}`);

describe.skipIf(reason !== undefined)('labs in the app', () => {
  let browser: Browser;
  const problems: PageProblems[] = [];
  let current: Page | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const p of problems) expect(p).toEqual({ errors: [], csp: [] });
    await browser?.close();
  });
  // Each test's machine stops with it: a page left running takes the CPU the next test needs.
  afterEach(async () => {
    await current?.context().close();
    current = undefined;
  });

  async function openLab(name: string, scheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const opened = await openApp(browser, inject('baseURL'), scheme);
    problems.push(opened.problems);
    const page = opened.page;
    current = page;
    await page.getByTestId(`entry-lab/${name}`).click();
    await page.getByTestId('lab-status').getByText('Ready: the root console is yours.').waitFor({ timeout: 30_000 });
    return page;
  }

  it('tiny-demo: the tutorial\'s commands start a cell whose greeting appears in its own pane', async () => {
    const page = await openLab('tiny-demo');
    await waitForConsole(page, 'uart0', /~# $/);
    await typeCommand(page, 'jailhouse enable /etc/jailhouse/sysconfig.cell');
    await waitForConsole(page, 'hypervisor', /Activating hypervisor/);
    await typeCommand(page, 'jailhouse cell create /etc/jailhouse/tiny-demo.cell');
    await typeCommand(page, 'jailhouse cell load tiny-demo /usr/libexec/jailhouse/demos/tiny-demo.bin');
    await typeCommand(page, 'jailhouse cell start tiny-demo');
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
    await typeCommand(page, 'jailhouse enable /etc/jailhouse/sysconfig.cell');
    await typeCommand(page, 'jailhouse cell create /etc/jailhouse/mem-violation.cell');
    await typeCommand(page, 'jailhouse cell load mem-violation /usr/libexec/jailhouse/demos/mem-violation.bin');
    await typeCommand(page, 'jailhouse cell start mem-violation');
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

  it.skipIf(!existsSync('assets/labs/ivshmem-demo.yaml'))('ivshmem-demo: the map shows the link between the cells, its doorbells counting, and its shared memory', async () => {
    const page = await openLab('ivshmem-demo');
    await waitForConsole(page, 'uart0', /~# $/);
    await typeCommand(page, 'jailhouse enable /etc/jailhouse/sysconfig.cell');
    await typeCommand(page, 'jailhouse cell create /etc/jailhouse/ivshmem-demo-1.cell');
    await typeCommand(page, 'jailhouse cell create /etc/jailhouse/ivshmem-demo-2.cell');
    await typeCommand(page, 'jailhouse cell load ivshmem-demo-1 /usr/libexec/jailhouse/demos/ivshmem-demo.bin');
    await typeCommand(page, 'jailhouse cell load ivshmem-demo-2 /usr/libexec/jailhouse/demos/ivshmem-demo.bin -s "vpci_irq_base=35" -a 0x100');
    await typeCommand(page, 'jailhouse cell start ivshmem-demo-1');
    await typeCommand(page, 'jailhouse cell start ivshmem-demo-2');
    await waitForConsole(page, 'cell:ivshmem-demo-2', /IVSHMEM: interrupt from peer 1/, { timeout: 60_000 });
    // The link graph: three peers, two of them connected cells, and a doorbell count that grows.
    const link = page.getByTestId('link-00:0e.0');
    await link.waitFor();
    const label = (await link.locator('svg').getAttribute('aria-label')) ?? '';
    expect(label).toContain('3 of 3 peers connected');
    expect(label).toContain('peer 1 ivshmem-demo-1');
    expect(label).toContain('peer 2 ivshmem-demo-2');
    const doorbells = async () => Number(await link.getAttribute('data-doorbells'));
    const before = await doorbells();
    await expect.poll(doorbells, { timeout: 20_000 }).toBeGreaterThan(before);
    await expect.poll(async () => Number((await page.getByTestId('link-doorbells-00:0e.0').textContent())?.match(/\d+/)?.[0])).toBeGreaterThan(before);
    // Each cell's PCI devices; the shared sections listed with their owners; the devices by owner.
    await expect(page.getByTestId('pci-ivshmem-demo-1').textContent()).resolves.toMatch(/00:0e\.0 ivshmem · peer 1\/3 · INTx 36 · BAR0 0x40000000/);
    await expect(page.getByTestId('pci-ivshmem-demo-2').textContent()).resolves.toContain('peer 2/3');
    await expect(page.getByTestId('shared-memory').textContent()).resolves.toMatch(/0xbef00000 64 KiB ivshmem 00:0e\.0: qemu-riscv64, ivshmem-demo-1, ivshmem-demo-2/);
    await expect(page.getByTestId('device-list').textContent()).resolves.toContain('UART0');
    await page.getByTestId('link-00:0e.0').scrollIntoViewIfNeeded();
    await screenshot(page, 'lab-ivshmem-demo');
    await page.getByTestId('device-list').scrollIntoViewIfNeeded();
    await screenshot(page, 'lab-ivshmem-demo-memory-map');
    // The memory inspector jumps to the link's state table: peers 1 and 2 wrote their states there.
    await page.getByTestId('toggle-memory').click();
    await page.getByLabel('Jump to a region').selectOption({ label: 'ivshmem 00:0e.0 state table' });
    const hex = page.getByTestId('hex-view');
    await expect.poll(() => hex.textContent()).toMatch(/^bef00000  00 00 00 00 0[1-9] 00 00 00  0[1-9] 00 00 00/);
    await screenshot(page, 'lab-ivshmem-demo-memory');
    // The exit trace shows the hypervisor's side of it: doorbells between the peers.
    await page.getByTestId('toggle-trace').click();
    await page.getByLabel('Filter the trace').fill('doorbell');
    await expect.poll(() => page.getByTestId('trace-list').textContent(), { timeout: 20_000 }).toMatch(/hypervisor +\[ivshmem-demo-\d\] ivshmem 00:0e\.0: doorbell \d -> \d vector 0/);
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'lab-ivshmem-demo-dark');
  });
});
