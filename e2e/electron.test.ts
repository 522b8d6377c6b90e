// The desktop app itself, through playwright's _electron. Runs where the Electron binary exists (after
// `npx install-electron --no` on a machine that can download it); skips, saying why, elsewhere.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../scripts/build-app.mjs';
import { electronBinary, electronSwitches, electronUnavailableReason } from '../scripts/electron-binary.mjs';
import { screenshot } from './support/browser.ts';

const reason = electronUnavailableReason();
if (reason) console.warn(`Electron e2e skipped: ${reason}.`);

describe.skipIf(reason !== undefined)('Electron app', () => {
  let app: ElectronApplication;
  let window: Page;
  const userData = mkdtempSync(join(tmpdir(), 'jailhouse-lab-e2e-'));

  beforeAll(async () => {
    await buildApp({ renderer: false });
    app = await _electron.launch({
      executablePath: electronBinary()!,
      args: [...electronSwitches(), '.'],
      env: { ...process.env, JAILHOUSE_LAB_USER_DATA: userData } as Record<string, string>,
    });
    window = await app.firstWindow();
    await window.getByRole('heading', { name: 'Jailhouse Lab' }).waitFor();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(userData, { recursive: true, force: true });
  });

  it('starts on the start screen from app:// with the security settings on', async () => {
    expect(window.url()).toBe('app://lab/index.html');
    // No Node in the page (nodeIntegration off, the preload isolated and sandboxed).
    await expect(window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).resolves.toBe('undefined');
    await expect(window.evaluate(() => typeof (globalThis as { process?: unknown }).process)).resolves.toBe('undefined');
    await expect(window.evaluate(() => crossOriginIsolated)).resolves.toBe(true);
    await screenshot(window, 'electron-start');
  });

  it('exposes only the preload API', async () => {
    const keys = await window.evaluate(() => Object.keys((window as unknown as { jailhouse: object }).jailhouse).sort());
    expect(keys).toEqual(['onMenu', 'openFile', 'openRecent', 'platform', 'recentFiles']);
    await expect(window.evaluate(() => (window as unknown as { jailhouse: { recentFiles(): Promise<unknown[]> } }).jailhouse.recentFiles()))
      .resolves.toEqual([]);
    // A path that is not in the recent list is refused.
    await expect(window.evaluate(() => (window as unknown as { jailhouse: { openRecent(p: string): Promise<unknown> } }).jailhouse.openRecent('/etc/passwd')))
      .resolves.toBeNull();
  });

  it('has the native menu', async () => {
    const labels = await app.evaluate(({ Menu }) => Menu.getApplicationMenu()!.items.map((item) => item.label.replace('&', '')));
    expect(labels).toEqual(['File', 'Machine', 'View', 'Help']);
  });

  it('boots an image in the machine worker', async () => {
    await window.getByTestId('entry-conformance/rv64i').click();
    await window.getByTestId('ending').getByText('Guest finished: pass').waitFor({ timeout: 30_000 });
  });
});
