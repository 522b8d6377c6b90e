// The main window's size, position and maximised state, kept in userData/window-state.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { screen, type BrowserWindow, type Rectangle } from 'electron';

export interface WindowState {
  bounds: Rectangle;
  maximised: boolean;
}

const DEFAULT: WindowState = { bounds: { x: 0, y: 0, width: 1280, height: 820 }, maximised: false };

export function loadWindowState(userData: string): WindowState & { placed: boolean } {
  try {
    const saved = JSON.parse(readFileSync(join(userData, 'window-state.json'), 'utf8')) as WindowState;
    const { x, y, width, height } = saved.bounds;
    if (![x, y, width, height].every(Number.isFinite) || width < 400 || height < 300) throw new Error('bad state');
    // Only restore a position that is still on some display (monitors come and go).
    const visible = screen.getAllDisplays().some(({ workArea: a }) =>
      x < a.x + a.width && x + width > a.x && y < a.y + a.height && y + height > a.y);
    return { bounds: saved.bounds, maximised: Boolean(saved.maximised), placed: visible };
  } catch {
    return { ...DEFAULT, placed: false };
  }
}

/** Saves the window's state whenever it moves or resizes (debounced) and when it closes. */
export function trackWindowState(window: BrowserWindow, userData: string): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    if (window.isDestroyed()) return;
    const state: WindowState = { bounds: window.getNormalBounds(), maximised: window.isMaximized() };
    try {
      writeFileSync(join(userData, 'window-state.json'), JSON.stringify(state));
    } catch { /* a read-only profile: the next start uses the defaults */ }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  window.on('resize', later);
  window.on('move', later);
  window.on('maximize', later);
  window.on('unmaximize', later);
  window.on('close', () => {
    clearTimeout(timer);
    save();
  });
}
