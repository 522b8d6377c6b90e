// npm run bench:app — how fast the app shell comes up, measured in headless Debian Chromium (web mode,
// production build on localhost). Not a test: prints numbers, asserts nothing.
//   shell:  navigation start → the start screen's cards are on screen (fresh browser context each run)
//   prompt: click on an example → its prompt (a lab's root shell prompt) or result line is in the console pane
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { startWebServer } from '../scripts/web.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUNS = Number(process.env.RUNS ?? 5);

if (!existsSync(CHROMIUM)) {
  console.error(`bench:app needs ${CHROMIUM} (Debian package chromium)`);
  process.exit(1);
}

const server = await startWebServer({ port: 0, quiet: true });
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});

const TARGETS = [
  { id: 'lab/tiny-demo', label: 'tiny-demo: root prompt', pattern: '~# $' },
  { id: 'ui/echo', label: 'echo: prompt', pattern: '^> $' },
  { id: 'conformance/rv64i', label: 'rv64i: checks passed', pattern: 'checks passed' },
];

const shell = [];
const prompts = Object.fromEntries(TARGETS.map((t) => [t.label, []]));
const available = async (page, id) => (await page.locator(`[data-testid="entry-${id}"]`).count()) > 0;
for (let run = 0; run < RUNS; run++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.waitForSelector('[data-testid="entry-conformance/rv64i"]');
  shell.push(await page.evaluate(() => performance.now()));
  let first = true;
  for (const target of TARGETS) {
    if (!first) {
      await page.getByRole('button', { name: '← Start' }).click();
      await page.waitForSelector('[data-testid="entry-conformance/rv64i"]');
    }
    if (!(await available(page, target.id))) continue; // e.g. no labs bundled
    first = false;
    const started = await page.evaluate(() => performance.now());
    await page.click(`[data-testid="entry-${target.id}"]`);
    const reached = await page.waitForFunction((source) => {
      const text = window.jailhouseLabDebug?.tail('uart0', 50) ?? '';
      return new RegExp(source, 'm').test(text) ? performance.now() : false;
    }, target.pattern, { polling: 'raf', timeout: 30_000 });
    prompts[target.label].push((await reached.jsonValue()) - started);
  }
  await context.close();
}
await browser.close();
await server.close();

const stats = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `median ${median.toFixed(0).padStart(5)} ms   min ${sorted[0].toFixed(0).padStart(5)} ms   max ${sorted[sorted.length - 1].toFixed(0).padStart(5)} ms`;
};
console.log(`Jailhouse Lab app shell, ${RUNS} runs, headless Chromium, web mode (production build)`);
console.log(`  shell → start screen           ${stats(shell)}`);
for (const [label, values] of Object.entries(prompts)) if (values.length > 0) console.log(`  open → ${label.padEnd(24)}${stats(values)}`);
