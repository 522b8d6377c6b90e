// The Electron main process: one window showing the renderer from the app:// protocol, with the sandbox,
// context isolation and a strict CSP; a native menu; the open dialog and recent files behind a narrow
// IPC API (preload.ts); a single instance whose window keeps its size and place.
import { readFile } from 'node:fs/promises';
import { basename, extname, join, normalize, sep } from 'node:path';
import { BrowserWindow, Menu, app, dialog, ipcMain, protocol, session, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand, OpenedFile } from '../renderer/src/bridge.ts';
import { securityHeaders } from '../renderer/security.ts';
import { Channels } from './channels.ts';
import { RecentFiles } from './recent-files.ts';
import { loadWindowState, trackWindowState } from './window-state.ts';

const SCHEME = 'app';
const ORIGIN = `${SCHEME}://lab`;
/** dist/electron/main.cjs → dist/renderer (inside app.asar when packaged). */
const RENDERER_DIR = join(__dirname, '..', 'renderer');
/** Images larger than this are refused by the open dialog (RAM is 256 MiB). */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.woff2': 'font/woff2', '.wasm': 'application/wasm', '.elf': 'application/octet-stream',
  '.yaml': 'text/yaml; charset=utf-8',
};

// Tests and portable setups may point the profile elsewhere; must happen before 'ready'.
if (process.env.JAILHOUSE_LAB_USER_DATA) app.setPath('userData', process.env.JAILHOUSE_LAB_USER_DATA);

protocol.registerSchemesAsPrivileged([
  { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true } },
]);
app.enableSandbox();

let mainWindow: BrowserWindow | undefined;
let recent: RecentFiles;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.whenReady().then(start).catch((error: unknown) => {
    dialog.showErrorBox('Jailhouse Lab could not start', String(error instanceof Error ? error.stack : error));
    app.exit(1);
  });
}

async function start(): Promise<void> {
  recent = new RecentFiles(app.getPath('userData'));
  protocol.handle(SCHEME, serveRenderer);
  lockDownSessions();
  registerIpc();
  Menu.setApplicationMenu(buildMenu());
  mainWindow = createWindow();
}

/** app://lab/<path> → dist/renderer/<path>, with the security headers; nothing outside that folder. */
async function serveRenderer(request: Request): Promise<Response> {
  const url = new URL(request.url);
  if (url.host !== 'lab') return new Response('not found', { status: 404 });
  const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
  const file = normalize(join(RENDERER_DIR, relative));
  if (!file.startsWith(RENDERER_DIR + sep)) return new Response('forbidden', { status: 403 });
  try {
    const body = await readFile(file);
    const headers = { ...securityHeaders(false, relative), 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' };
    return new Response(new Uint8Array(body), { status: 200, headers });
  } catch {
    return new Response('not found', { status: 404 });
  }
}

function lockDownSessions(): void {
  // No permission prompts: the renderer needs none but writing to the clipboard.
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(permission === 'clipboard-sanitized-write'));
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => permission === 'clipboard-sanitized-write');
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(`${ORIGIN}/`)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

function createWindow(): BrowserWindow {
  const userData = app.getPath('userData');
  const state = loadWindowState(userData);
  const window = new BrowserWindow({
    ...(state.placed ? state.bounds : { width: state.bounds.width, height: state.bounds.height }),
    minWidth: 720,
    minHeight: 480,
    title: 'Jailhouse Lab',
    show: false,
    backgroundColor: '#14161b',
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  if (state.maximised) window.maximize();
  trackWindowState(window, userData);
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = undefined;
  });
  void window.loadURL(`${ORIGIN}/index.html`);
  return window;
}

async function readOpened(path: string): Promise<OpenedFile> {
  const bytes = await readFile(path);
  if (bytes.length > MAX_FILE_BYTES) throw new Error(`${basename(path)} is larger than 256 MiB`);
  recent.add(path);
  Menu.setApplicationMenu(buildMenu());
  return { name: basename(path), path, bytes: new Uint8Array(bytes) };
}

function registerIpc(): void {
  ipcMain.handle(Channels.openFile, async (event) => {
    const window = BrowserWindow.fromWebContents(event.sender) ?? undefined;
    const options = {
      title: 'Open an image or a lab',
      properties: ['openFile' as const],
      filters: [
        { name: 'Images and labs', extensions: ['elf', 'bin', 'img', 'yaml', 'yml'] },
        { name: 'All files', extensions: ['*'] },
      ],
    };
    const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    const path = result.filePaths[0];
    if (result.canceled || !path) return null;
    return readOpened(path);
  });
  ipcMain.handle(Channels.recentFiles, () => recent.all());
  ipcMain.handle(Channels.openRecent, async (_event, path: unknown) => {
    if (typeof path !== 'string' || !recent.has(path)) return null;
    try {
      return await readOpened(path);
    } catch {
      recent.remove(path);
      Menu.setApplicationMenu(buildMenu());
      return null;
    }
  });
}

function send(command: MenuCommand): void {
  mainWindow?.webContents.send(Channels.menu, command);
}

function buildMenu(): Menu {
  const dev = !app.isPackaged;
  const template: MenuItemConstructorOptions[] = [
    {
      label: '&File',
      submenu: [
        { label: 'Open Image or Lab…', accelerator: 'CmdOrCtrl+O', click: () => send('open') },
        { label: 'Start Screen', accelerator: 'CmdOrCtrl+Shift+H', click: () => send('home') },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      label: '&Machine',
      submenu: [
        // The renderer handles these keys itself (web mode has no menu), so they are shown, not registered.
        { label: 'Pause / Resume', accelerator: 'F8', registerAccelerator: false, click: () => send('toggle-pause') },
        { label: 'Reset', accelerator: 'CmdOrCtrl+Shift+R', registerAccelerator: false, click: () => send('reset') },
      ],
    },
    {
      label: '&View',
      submenu: [
        { role: 'zoomIn' }, { role: 'zoomOut' }, { role: 'resetZoom' }, { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(dev ? [{ type: 'separator' as const }, { role: 'toggleDevTools' as const }] : []),
      ],
    },
    {
      label: '&Help',
      submenu: [
        {
          label: 'About Jailhouse Lab',
          click: () => void dialog.showMessageBox({
            type: 'info', title: 'About Jailhouse Lab', message: `Jailhouse Lab ${app.getVersion()}`,
            detail: `Electron ${process.versions.electron} · Chromium ${process.versions.chrome}`,
          }),
        },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
