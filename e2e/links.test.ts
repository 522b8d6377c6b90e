// The link inspector in the app: the ivshmem-net lab's link goes up, its frame counters move with a ping,
// an ICMP frame appears decoded (hex on a click), and "Save capture" downloads a pcap file an independent
// reader finds the echo pairs in. Skips when the lab is not in the tree.
import { existsSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { icmpEchoOf, readPcap } from '../test/links/pcap-reader.ts';
import { chromiumAvailable, launchBrowser, openApp, screenshot, SKIP_REASON, typeCommand, waitForConsole, type PageProblems } from './support/browser.ts';

const haveLab = existsSync('assets/labs/ivshmem-net.yaml');
const reason = !chromiumAvailable() ? SKIP_REASON : !haveLab ? 'assets/labs/ has no ivshmem-net lab' : undefined;
if (reason) console.warn(`link inspector e2e skipped: ${reason}`);

const LINK = '00:10.0';

describe.skipIf(reason !== undefined)('link inspector in the app', () => {
  let browser: Browser;
  const problems: PageProblems[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const p of problems) expect(p).toEqual({ errors: [], csp: [] });
    await browser?.close();
  });

  // The tutorial shows some commands twice; the command echoed is enough (the prompt may come back later).
  const type = (page: Page, command: string) => typeCommand(page, command, { repeated: true, until: 'echo' });

  const framesOf = async (page: Page, from: number) => Number(await page.getByTestId(`link-dir-${LINK}-${from}`).getAttribute('data-frames'));

  it('ivshmem-net: link up, counters moving, a decoded ICMP frame, Save capture', async () => {
    const opened = await openApp(browser, inject('baseURL'));
    problems.push(opened.problems);
    const page = opened.page;
    await page.getByTestId('entry-lab/ivshmem-net').click();
    await page.getByTestId('lab-status').getByText('Ready: the root console is yours.').waitFor({ timeout: 30_000 });
    await type(page, 'jailhouse enable /etc/jailhouse/sysconfig.cell');
    const inspector = page.getByTestId(`link-inspector-${LINK}`);
    await inspector.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId(`link-state-${LINK}`).textContent()).toBe('link down');
    await type(page, 'ip addr add 192.168.19.1/24 dev eth0');
    await type(page, 'ip link set eth0 up');
    await type(page, 'jailhouse cell create /etc/jailhouse/ivshmem-net.cell');
    await type(page, 'jailhouse cell load ivshmem-net /usr/libexec/jailhouse/demos/net-demo.bin -s "ip=192.168.19.2/24" -a 0x100');
    await type(page, 'jailhouse cell start ivshmem-net');
    await waitForConsole(page, 'uart0', /eth0: link up/);
    await expect.poll(() => page.getByTestId(`link-state-${LINK}`).textContent(), { timeout: 15_000 }).toBe('link up');
    await expect.poll(() => inspector.textContent()).toContain('peer 1 ivshmem-net: RUN');

    const before = await framesOf(page, 0);
    await type(page, 'ping -c 5 192.168.19.2');
    await waitForConsole(page, 'uart0', /5 packets transmitted, 5 received/, { timeout: 60_000 });
    await expect.poll(() => framesOf(page, 0), { timeout: 15_000 }).toBeGreaterThanOrEqual(before + 5);
    await expect.poll(() => framesOf(page, 1)).toBeGreaterThanOrEqual(5);
    const frames = page.getByTestId(`link-frames-${LINK}`);
    await expect.poll(() => frames.textContent()).toMatch(/192\.168\.19\.1 > 192\.168\.19\.2: ICMP echo request, id \d+, seq 5, length 64/);
    await expect.poll(() => frames.textContent()).toMatch(/192\.168\.19\.2 > 192\.168\.19\.1: ICMP echo reply, id \d+, seq 5, length 64/);
    await screenshot(page, 'link-inspector');
    await frames.getByRole('button', { name: /ICMP echo reply, id \d+, seq 5/ }).first().click();
    await expect.poll(() => page.getByTestId('frame-hex').textContent()).toMatch(/^00000000  [0-9a-f]{2} [0-9a-f]{2} /);
    await screenshot(page, 'link-inspector-hex');

    const save = page.getByTestId(`save-capture-${LINK}`);
    await expect.poll(() => save.isEnabled()).toBe(true);
    const [download] = await Promise.all([page.waitForEvent('download'), save.click()]);
    expect(download.suggestedFilename()).toBe('00_10.0.pcap');
    const path = await download.path();
    const pcap = readPcap(new Uint8Array(readFileSync(path)));
    expect(pcap.linkType).toBe(1);
    const echoes = pcap.packets.map((p) => icmpEchoOf(p.bytes)).filter((e) => e !== undefined);
    for (let seq = 1; seq <= 5; seq++) {
      expect(echoes.some((e) => e.type === 'request' && e.seq === seq && e.dst === '192.168.19.2'), `request ${seq}`).toBe(true);
      expect(echoes.some((e) => e.type === 'reply' && e.seq === seq && e.src === '192.168.19.2'), `reply ${seq}`).toBe(true);
    }
  }, 240_000);
});
