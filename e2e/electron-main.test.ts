// The bundled Electron main process, run under Node against a recording stand-in for the `electron`
// module: checks what it asks of Electron (security settings, the app:// protocol and its headers, the
// IPC surface, the menu) on machines where the Electron binary is missing. electron.test.ts checks the
// same against real Electron where it exists.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildElectron } from '../scripts/build-app.mjs';

type Handler = (...args: any[]) => any;

const recorded = {
  schemes: [] as any[],
  protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
  windows: [] as any[],
  ipc: new Map<string, Handler>(),
  menu: undefined as any,
  sandboxEnabled: false,
  permissionHandler: undefined as Handler | undefined,
  /** What the stand-in's open dialog answers (cancelled unless a test picks a file). */
  picked: undefined as string | undefined,
};

function fakeElectron(userData: string) {
  class BrowserWindow {
    webContents = { send: () => {}, on: () => {}, setWindowOpenHandler: () => {} };
    constructor(readonly options: any) { recorded.windows.push(this); }
    static fromWebContents() { return undefined; }
    on() { return this; }
    once() { return this; }
    maximize() {}
    isDestroyed() { return false; }
    loadURL(url: string) { (this as any).url = url; return Promise.resolve(); }
  }
  return {
    app: {
      setPath: () => {}, enableSandbox: () => { recorded.sandboxEnabled = true; }, requestSingleInstanceLock: () => true,
      on: () => {}, whenReady: () => Promise.resolve(), getPath: () => userData, isPackaged: false,
      getVersion: () => '0.0.0', quit: () => {}, exit: () => {},
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: any[]) => recorded.schemes.push(...schemes),
      handle: (scheme: string, fn: any) => recorded.protocolHandlers.set(scheme, fn),
    },
    session: { defaultSession: { setPermissionRequestHandler: (fn: Handler) => { recorded.permissionHandler = fn; }, setPermissionCheckHandler: () => {} } },
    ipcMain: { handle: (channel: string, fn: Handler) => recorded.ipc.set(channel, fn) },
    Menu: { buildFromTemplate: (template: any) => template, setApplicationMenu: (menu: any) => { recorded.menu = menu; } },
    dialog: { showErrorBox: () => {}, showOpenDialog: async () => (recorded.picked ? { canceled: false, filePaths: [recorded.picked] } : { canceled: true, filePaths: [] }), showMessageBox: async () => ({}) },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    BrowserWindow,
  };
}

describe('Electron main process (under a stand-in for electron)', () => {
  const userData = mkdtempSync(join(tmpdir(), 'jailhouse-lab-main-'));

  beforeAll(async () => {
    await buildElectron();
    const electron = fakeElectron(userData);
    const load = (Module as any)._load;
    (Module as any)._load = function (request: string, ...rest: unknown[]) {
      return request === 'electron' ? electron : load.call(this, request, ...rest);
    };
    try {
      createRequire(import.meta.url)(resolve('dist/electron/main.cjs'));
      await new Promise((r) => setTimeout(r, 50)); // whenReady().then(start)
    } finally {
      (Module as any)._load = load;
    }
  });
  afterAll(() => rmSync(userData, { recursive: true, force: true }));

  it('turns on the sandbox and opens one isolated window on app://lab/', () => {
    expect(recorded.sandboxEnabled).toBe(true);
    expect(recorded.windows).toHaveLength(1);
    const window = recorded.windows[0];
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, webSecurity: true, webviewTag: false,
    });
    expect(window.options.webPreferences.preload).toMatch(/dist[/\\]electron[/\\]preload\.cjs$/);
    expect(window.url).toBe('app://lab/index.html');
    expect(recorded.schemes[0]).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true } });
  });

  it('serves the built renderer with the CSP and cross-origin isolation headers, and nothing else', async () => {
    const serve = recorded.protocolHandlers.get('app')!;
    const index = await serve(new Request('app://lab/index.html'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(index.headers.get('content-security-policy')).not.toContain('unsafe-eval');
    expect(index.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(index.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await index.text()).toContain('<div id="root">');
    expect((await serve(new Request('app://lab/%2e%2e/%2e%2e/package.json'))).status).toBeGreaterThanOrEqual(403);
    expect((await serve(new Request('app://lab/../../package.json'))).status).toBe(404);
    expect((await serve(new Request('app://elsewhere/index.html'))).status).toBe(404);
  });

  it('answers only its three IPC channels; openRecent refuses paths outside the recent list', async () => {
    expect([...recorded.ipc.keys()].sort()).toEqual(['jailhouse:open-file', 'jailhouse:open-recent', 'jailhouse:recent-files']);
    expect(await recorded.ipc.get('jailhouse:recent-files')!({})).toEqual([]);
    await expect(recorded.ipc.get('jailhouse:open-recent')!({}, '/etc/passwd')).resolves.toBeNull();
    await expect(recorded.ipc.get('jailhouse:open-recent')!({}, 42)).resolves.toBeNull();
    await expect(recorded.ipc.get('jailhouse:open-file')!({ sender: {} })).resolves.toBeNull(); // dialog cancelled
  });

  it('reads the files a chosen lab names from beside it, leaving out the ones that are missing', async () => {
    recorded.picked = resolve('assets/labs/tiny-demo.yaml');
    const opened = await recorded.ipc.get('jailhouse:open-file')!({ sender: {} });
    recorded.picked = undefined;
    expect(opened.name).toBe('tiny-demo.yaml');
    expect(opened.labFiles.map((f: { path: string }) => f.path)).toEqual([
      'guests/rootos/rootos.elf', 'guests/configs/sysconfig.cell', 'guests/configs/tiny-demo.cell', 'guests/inmates/tiny-demo.bin',
    ]);
    expect(Buffer.from(opened.labFiles[0].bytes).equals(readFileSync('assets/guests/rootos/rootos.elf'))).toBe(true);

    const lab = join(userData, 'mine.yaml');
    writeFileSync(lab, 'name: mine\nroot:\n  image: gone.elf\nfiles:\n  /etc/x.cell: x.cell\n');
    writeFileSync(join(userData, 'x.cell'), 'x');
    recorded.picked = lab;
    const mine = await recorded.ipc.get('jailhouse:open-file')!({ sender: {} });
    recorded.picked = undefined;
    expect(mine.labFiles.map((f: { path: string }) => f.path)).toEqual(['x.cell']);
  });

  it('grants no permission but clipboard writes, and builds the native menu', () => {
    const answers: Record<string, boolean> = {};
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-sanitized-write']) {
      recorded.permissionHandler!({}, permission, (granted: boolean) => { answers[permission] = granted; });
    }
    expect(answers).toEqual({ media: false, geolocation: false, notifications: false, 'clipboard-sanitized-write': true });
    expect(recorded.menu.map((item: any) => item.label)).toEqual(['&File', '&Machine', '&View', '&Help']);
  });
});
