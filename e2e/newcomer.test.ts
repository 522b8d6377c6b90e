// The app as a first-time user meets it (issue 13): terminals that fill their panes at every size,
// keyboard paths out of the terminals and between the areas, a lab opened from the person's own files,
// dead states explained with a way out, toolbars that fit at 1280×720, and a remembered theme.
// Screenshots of each land in test-results/newcomer-*.png.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromiumAvailable, launchBrowser, openApp, screenshot, SKIP_REASON, typeCommand, waitForConsole, type PageProblems } from './support/browser.ts';

const available = chromiumAvailable();
if (!available) console.warn(`newcomer e2e skipped: ${SKIP_REASON}`);

const LAB_ASSETS = {
  'rootos.elf': 'assets/guests/rootos/rootos.elf',
  'sysconfig.cell': 'assets/guests/configs/sysconfig.cell',
  'tiny-demo.cell': 'assets/guests/configs/tiny-demo.cell',
  'tiny-demo.bin': 'assets/guests/inmates/tiny-demo.bin',
} as const;

/** A lab of the person's own, naming its files beside it (in `folder`, when given). */
function ownLab(folder = ''): string {
  return `name: my-lab
title: "My own lab"
tutorial: |
  1. Enable the hypervisor.

         jailhouse enable /etc/jailhouse/sysconfig.cell
board:
  harts: 6
  ram: 1G
root:
  image: ${folder}rootos.elf
files:
  /etc/jailhouse/sysconfig.cell: ${folder}sysconfig.cell
  /etc/jailhouse/tiny-demo.cell: ${folder}tiny-demo.cell
  /usr/libexec/jailhouse/demos/tiny-demo.bin: ${folder}tiny-demo.bin
steps:
  - wait: "~# "
    within: 50M
expect:
  - console: hypervisor
    contains: "Activating hypervisor"
`;
}

// A lab is several machines' worth of work for a shared CI machine: generous bounds, asserting nothing on time.
describe.skipIf(!available)('a first-time user', { timeout: 180_000 }, () => {
  let browser: Browser;
  const url = inject('baseURL');
  const problems: PageProblems[] = [];
  let current: Page | undefined;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const p of problems) expect(p).toEqual({ errors: [], csp: [] });
    await browser?.close();
  });
  // Each test's machine stops with it: a page left running would take CPU from the next test.
  afterEach(async () => {
    await current?.context().close();
    current = undefined;
  });

  async function open(viewport = { width: 1280, height: 720 }, scheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const opened = await openApp(browser, url, scheme, viewport);
    problems.push(opened.problems);
    current = opened.page;
    return opened.page;
  }

  async function openLab(page: Page, name: string): Promise<void> {
    await page.getByTestId(`entry-lab/${name}`).click();
    await ready(page);
  }

  async function ready(page: Page): Promise<void> {
    await page.getByTestId('lab-status').getByText('Ready: the root console is yours.').waitFor({ timeout: 30_000 });
  }

  /** How the terminal of a pane sits in it: the space under its last row, and one row's height. */
  function fill(page: Page, stream: string) {
    return page.evaluate((s) => {
      const pane = document.querySelector(`[data-stream="${s}"]`)!;
      const screen = pane.querySelector('.xterm-screen')!.getBoundingClientRect();
      const size = window.jailhouseLabDebug!.size(s)!;
      return { below: pane.getBoundingClientRect().bottom - screen.bottom, row: screen.height / size.rows, rows: size.rows };
    }, stream);
  }

  /** Waits until the pane's terminal leaves less than one row (plus its 4 px margin and border) unused. */
  async function expectFilled(page: Page, stream: string): Promise<void> {
    await expect.poll(async () => {
      const f = await fill(page, stream);
      return f.below >= 0 && f.below < f.row + 6;
    }, { timeout: 5_000 }).toBe(true);
  }

  it('terminal rows fill the pane at 1600×1000 and 1280×720, after maximise and with the search bar', async () => {
    const page = await open({ width: 1600, height: 1000 });
    await page.getByTestId('entry-ui/consoles').click();
    for (const stream of ['uart0', 'uart1', 'uart2']) await waitForConsole(page, stream, new RegExp(`this is ${stream}`));
    for (const stream of ['uart0', 'uart1', 'uart2']) await expectFilled(page, stream);
    const tall = await fill(page, 'uart0');
    expect(tall.rows).toBeGreaterThan(40); // the root console spans both rows of a 2×2 grid
    await screenshot(page, 'newcomer-fill-1600x1000');

    await page.setViewportSize({ width: 1280, height: 720 });
    for (const stream of ['uart0', 'uart1', 'uart2']) await expectFilled(page, stream);
    await screenshot(page, 'newcomer-fill-1280x720');

    const uart2 = page.locator('[data-stream="uart2"]');
    await uart2.getByRole('button', { name: 'Maximise' }).click();
    await expectFilled(page, 'uart2');
    expect((await fill(page, 'uart2')).rows).toBeGreaterThan(30);
    await screenshot(page, 'newcomer-fill-maximised');

    // The search bar takes its row; closing it gives the row back.
    await uart2.getByRole('button', { name: 'Search', exact: true }).click();
    await expectFilled(page, 'uart2');
    const withSearch = (await fill(page, 'uart2')).rows;
    await page.keyboard.press('Escape');
    await expectFilled(page, 'uart2');
    expect((await fill(page, 'uart2')).rows).toBeGreaterThan(withSearch);
    await uart2.getByRole('button', { name: 'Restore' }).click();
    for (const stream of ['uart0', 'uart1', 'uart2']) await expectFilled(page, stream);
  });

  it('a keyboard-only user boots a lab, leaves the terminal with F6, and reaches the first Type button and a cell\'s Start button', async () => {
    const page = await open({ width: 1280, height: 800 });
    const active = () => page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return { label: el?.getAttribute('aria-label') ?? '', region: el?.dataset.region ?? '', text: el?.textContent ?? '', terminal: !!el?.classList.contains('xterm-helper-textarea'), testid: el?.dataset.testid ?? '' };
    });
    // Tab from the top to the tiny-demo lab card, Enter boots it.
    for (let i = 0; i < 30 && (await active()).testid !== 'entry-lab/tiny-demo'; i++) await page.keyboard.press('Tab');
    expect((await active()).testid).toBe('entry-lab/tiny-demo');
    await page.keyboard.press('Enter');
    await ready(page);
    // After boot the root console has the keyboard, and says how to leave it.
    expect((await active()).terminal).toBe(true);
    await expect(page.getByTestId('terminal-keys').textContent()).resolves.toMatch(/Shift\+Tab leaves · F6 next area/);
    await screenshot(page, 'newcomer-keyboard-terminal');
    // F6: the cells, F6 again: the tutorial; Tab: its first Type button.
    await page.keyboard.press('F6');
    expect((await active()).region).toBe('cells');
    await page.keyboard.press('F6');
    expect((await active()).region).toBe('tutorial');
    await page.keyboard.press('Tab');
    expect((await active()).label).toBe('Type jailhouse enable /etc/jailhouse/sysconfig.cell');
    await screenshot(page, 'newcomer-keyboard-type-button');
    await page.keyboard.press('Enter');
    await waitForConsole(page, 'hypervisor', /Activating hypervisor/);
    await waitForConsole(page, 'uart0', /sysconfig\.cell\n[^]*~# $/);
    // The next Type buttons: create and load the cell.
    for (const command of ['jailhouse cell create /etc/jailhouse/tiny-demo.cell', 'jailhouse cell load tiny-demo /usr/libexec/jailhouse/demos/tiny-demo.bin']) {
      await page.keyboard.press('Tab');
      expect((await active()).label).toBe(`Type ${command}`);
      await page.keyboard.press('Enter');
      await waitForConsole(page, 'uart0', new RegExp(`${command.split(' ').slice(-1)[0]!.replace(/[./]/g, '\\$&')}\\n[^]*~# $`));
    }
    await expect.poll(() => page.getByTestId('cell-state-tiny-demo').textContent()).toBe('shut down');
    // Shift+F6 back to the cells; Tab to the cell's Start button.
    await page.keyboard.press('Shift+F6');
    expect((await active()).region).toBe('cells');
    for (let i = 0; i < 20 && !(await active()).label.startsWith('Start:'); i++) await page.keyboard.press('Tab');
    expect((await active()).label).toBe('Start: jailhouse cell start tiny-demo');
    await screenshot(page, 'newcomer-keyboard-start-button');
    await page.keyboard.press('Enter');
    await waitForConsole(page, 'cell:tiny-demo', /Hello from this tiny cell!/);
    // F6 from anywhere reaches the consoles again: the keyboard is back in the root console.
    for (let i = 0; i < 5 && !(await active()).terminal; i++) await page.keyboard.press('F6');
    expect((await active()).terminal).toBe(true);
  });

  it('opens a lab from the files the person picks, by name, and names a missing one', async () => {
    const page = await open();
    // The bundled lab file with the four files it names, picked together (no folders: matched by name).
    const files = ['assets/labs/tiny-demo.yaml', ...Object.values(LAB_ASSETS)];
    await page.getByTestId('file-input').setInputFiles(files.filter((f) => !f.endsWith('tiny-demo.bin')));
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/tiny-demo\.bin is not among the files you opened/);
    expect(await alert.textContent()).toContain('files./usr/libexec/jailhouse/demos/tiny-demo.bin');
    await screenshot(page, 'newcomer-open-lab-missing-file');
    await page.getByTestId('file-input').setInputFiles(files);
    await ready(page);
    await expect(page.locator('.machine-title').textContent()).resolves.toBe('Your first cell: tiny-demo');
    await typeCommand(page, 'jailhouse enable /etc/jailhouse/sysconfig.cell');
    await waitForConsole(page, 'hypervisor', /Activating hypervisor/);
    await screenshot(page, 'newcomer-open-lab-files');
  });

  it('opens a lab folder, and a lab dropped on the start screen', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'jhlab-own-'));
    mkdirSync(join(folder, 'my-lab', 'files'), { recursive: true });
    writeFileSync(join(folder, 'my-lab', 'my-lab.yaml'), ownLab('files/'));
    for (const [name, source] of Object.entries(LAB_ASSETS)) writeFileSync(join(folder, 'my-lab', 'files', name), readFileSync(source));
    const page = await open();
    await page.getByTestId('folder-input').setInputFiles(join(folder, 'my-lab'));
    await ready(page);
    await expect(page.locator('.machine-title').textContent()).resolves.toBe('My own lab');
    await typeCommand(page, 'jailhouse enable /etc/jailhouse/sysconfig.cell');
    await expect.poll(() => page.locator('.goals li.goal-done').count(), { timeout: 20_000 }).toBe(1);
    await screenshot(page, 'newcomer-open-lab-folder');

    // Dropped files: the same lab, flat.
    await page.getByRole('button', { name: '← Start' }).click();
    const payload = [{ name: 'my-lab.yaml', data: [...Buffer.from(ownLab())] },
      ...Object.entries(LAB_ASSETS).map(([name, source]) => ({ name, data: [...readFileSync(source)] }))];
    const transfer = await page.evaluateHandle((list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([new Uint8Array(f.data)], f.name));
      return dt;
    }, payload);
    await page.getByTestId('start-screen').dispatchEvent('dragover', { dataTransfer: transfer });
    await page.getByText('Drop to open').waitFor();
    await page.getByTestId('start-screen').dispatchEvent('drop', { dataTransfer: transfer });
    await ready(page);
    await expect(page.locator('.machine-title').textContent()).resolves.toBe('My own lab');
  });

  it('a parked root CPU is explained in the status bar and the lab panel, and Reset brings the machine back without blank panes', async () => {
    const page = await open();
    await openLab(page, 'tiny-demo');
    await typeCommand(page, 'jailhouse enable /etc/jailhouse/sysconfig.cell');
    await page.locator('[data-stream="uart0"] .pane-terminal').click();
    await page.keyboard.type('mw 0x1000 1');
    await page.keyboard.press('Enter');
    await waitForConsole(page, 'hypervisor', /Parking CPU 0/);
    const trouble = page.getByTestId('trouble');
    await trouble.waitFor();
    await expect(trouble.textContent()).resolves.toMatch(/The root cell's CPU 0 is parked.*root console no longer answers/);
    await expect(page.getByTestId('ending').textContent()).resolves.toBe('Root cell CPU 0 parked by the hypervisor');
    await expect(page.getByTestId('lab-status').textContent()).resolves.toMatch(/parked/);
    await expect(page.getByRole('button', { name: 'Type jailhouse cell create /etc/jailhouse/tiny-demo.cell' }).isDisabled()).resolves.toBe(true);
    await screenshot(page, 'newcomer-parked-root');
    expect(await page.locator('.pane').count()).toBe(2);
    await trouble.getByRole('button', { name: 'Reset the machine' }).click();
    await ready(page);
    await expect(trouble.count()).resolves.toBe(0);
    // Only the root console: the hypervisor pane comes back when the hypervisor speaks again.
    await expect(page.locator('.pane').count()).resolves.toBe(1);
    await screenshot(page, 'newcomer-after-reset');
  });

  it('a machine that stopped on a fault says so, with Reset, in the status bar and above the consoles', async () => {
    const page = await open();
    // Zeros are not an instruction: hart 0 traps to address 0, where nothing runs, again and again.
    await page.getByTestId('file-input').setInputFiles({ name: 'zeros.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(4096) });
    const trouble = page.getByTestId('trouble');
    await trouble.waitFor({ timeout: 30_000 });
    await expect(trouble.textContent()).resolves.toMatch(/The machine stopped on a fault.*stuck.*Reset boots it again/);
    // Shown, not squeezed: the notice takes its height above the consoles.
    expect((await trouble.boundingBox())!.height).toBeGreaterThan(60);
    await expect(page.getByTestId('ending').textContent()).resolves.toMatch(/^Guest fault: /);
    await expect(page.getByTestId('status-reset').isVisible()).resolves.toBe(true);
    await screenshot(page, 'newcomer-machine-fault');
  });

  it('a cell whose CPU is parked shows 0 exits/s', async () => {
    const page = await open();
    await openLab(page, 'mem-violation');
    await typeCommand(page, 'jailhouse enable /etc/jailhouse/sysconfig.cell');
    await typeCommand(page, 'jailhouse cell create /etc/jailhouse/mem-violation.cell');
    await typeCommand(page, 'jailhouse cell load mem-violation /usr/libexec/jailhouse/demos/mem-violation.bin');
    await typeCommand(page, 'jailhouse cell start mem-violation');
    await expect.poll(() => page.getByTestId('cell-state-mem-violation').textContent()).toBe('failed');
    await expect.poll(() => page.getByTestId('hart-2').textContent()).toContain('parked');
    await expect.poll(async () => (await page.locator('[data-cell="mem-violation"] summary').textContent()) ?? '').toMatch(/^\d+ exits, 0\.0\/s$/);
    await screenshot(page, 'newcomer-parked-cell');
  });

  it('pausing while the lab sets up says paused, not setting up', async () => {
    const page = await open();
    await page.getByTestId('entry-lab/tiny-demo').click();
    await page.getByTestId('pause-resume').click();
    await expect.poll(() => page.getByTestId('lab-status').textContent()).toMatch(/^Paused/);
    await page.waitForTimeout(500);
    expect(await page.getByTestId('lab-status').textContent()).not.toMatch(/^Setting up/);
    await page.keyboard.press('F8');
    await ready(page);
  });

  it('has no toolbar overflow at 1280×720 with five consoles and the lab panel, and readable hart labels', async () => {
    const page = await open({ width: 1280, height: 720 });
    await openLab(page, 'ivshmem-demo');
    await typeCommand(page, 'jailhouse enable /etc/jailhouse/sysconfig.cell');
    await typeCommand(page, 'jailhouse cell create /etc/jailhouse/ivshmem-demo-1.cell');
    await typeCommand(page, 'jailhouse cell create /etc/jailhouse/ivshmem-demo-2.cell');
    await typeCommand(page, 'jailhouse cell load ivshmem-demo-1 /usr/libexec/jailhouse/demos/ivshmem-demo.bin');
    await typeCommand(page, 'jailhouse cell load ivshmem-demo-2 /usr/libexec/jailhouse/demos/ivshmem-demo.bin -s "vpci_irq_base=35" -a 0x100');
    await typeCommand(page, 'jailhouse cell start ivshmem-demo-1');
    await typeCommand(page, 'jailhouse cell start ivshmem-demo-2');
    await waitForConsole(page, 'cell:ivshmem-demo-2', /IVSHMEM/, { timeout: 60_000 });
    await expect.poll(() => page.locator('.pane').count()).toBeGreaterThanOrEqual(4);
    await expect.poll(() => page.locator('.harts').textContent()).toMatch(/ivshmem-demo-1[^]*ivshmem-demo-2/);
    await screenshot(page, 'newcomer-toolbars-1280x720');
    const overflow = await page.evaluate(() => {
      const bad: string[] = [];
      const boxes = Array.from(document.querySelectorAll('[role="toolbar"], .pane-header, .statusbar, .hart')) as HTMLElement[];
      for (const box of boxes) {
        const outer = box.getBoundingClientRect();
        const name = box.getAttribute('aria-label') ?? box.className;
        if (box.scrollWidth > box.clientWidth + 1) bad.push(`${name}: content ${box.scrollWidth} px wide in ${box.clientWidth} px`);
        for (const child of Array.from(box.querySelectorAll('button, .hart-id, .hart-state, .hart-cell, .pane-title')) as HTMLElement[]) {
          const r = child.getBoundingClientRect();
          if (r.width === 0) continue;
          if (r.left < outer.left - 1 || r.right > outer.right + 1) bad.push(`${name}: ${child.getAttribute('aria-label') ?? child.textContent} sticks out (${Math.round(r.left)}..${Math.round(r.right)} of ${Math.round(outer.left)}..${Math.round(outer.right)})`);
          if (child.scrollWidth > child.clientWidth + 1) bad.push(`${name}: ${child.textContent} is cut (${child.scrollWidth} in ${child.clientWidth} px)`);
        }
      }
      return bad;
    });
    expect(overflow).toEqual([]);
  });

  it('remembers the theme chosen in the settings across runs', async () => {
    const page = await open({ width: 1280, height: 720 }, 'light');
    await expect(page.locator('.app').getAttribute('class')).resolves.toContain('light');
    await page.getByTestId('open-settings').click();
    await page.getByTestId('settings-dialog').getByLabel('Dark').check();
    await expect(page.locator('.app').getAttribute('class')).resolves.toContain('dark');
    await screenshot(page, 'newcomer-settings-dark');
    await page.keyboard.press('Escape');
    await page.reload();
    await page.getByRole('heading', { name: 'Jailhouse Lab' }).waitFor();
    await expect(page.locator('.app').getAttribute('class')).resolves.toContain('dark');
    // "System" follows the system's preference again.
    await page.getByTestId('open-settings').click();
    await page.getByTestId('settings-dialog').getByLabel('System').check();
    await expect(page.locator('.app').getAttribute('class')).resolves.toContain('light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => page.locator('.app').getAttribute('class')).toContain('dark');
  });
});
