// Light and dark palettes for the terminals, and which of the two is in use: the theme setting, or the
// system's preference when the setting says "system". The rest of the UI switches with the .dark class.
import type { ITheme } from '@xterm/xterm';
import { useSyncExternalStore } from 'react';
import type { ThemeSetting } from './settings.ts';

export const DARK: ITheme = {
  background: '#14161b', foreground: '#d8dde6', cursor: '#8fb8ff', cursorAccent: '#14161b',
  selectionBackground: '#3b5b8c', black: '#1c1f26', red: '#ff7b72', green: '#7ee787', yellow: '#e3b341',
  blue: '#79c0ff', magenta: '#d2a8ff', cyan: '#76e3ea', white: '#d8dde6', brightBlack: '#6e7681',
  brightRed: '#ffa198', brightGreen: '#aff5b4', brightYellow: '#f8e3a1', brightBlue: '#a5d6ff',
  brightMagenta: '#e2c5ff', brightCyan: '#b3f0ff', brightWhite: '#ffffff',
};

export const LIGHT: ITheme = {
  background: '#fbfbfc', foreground: '#1f2328', cursor: '#0b5cd5', cursorAccent: '#fbfbfc',
  selectionBackground: '#b6d3ff', black: '#24292f', red: '#c21f2c', green: '#116329', yellow: '#7d4e00',
  blue: '#0550ae', magenta: '#8250df', cyan: '#1b7c83', white: '#6e7781', brightBlack: '#57606a',
  brightRed: '#a40e26', brightGreen: '#1a7f37', brightYellow: '#633c01', brightBlue: '#0969da',
  brightMagenta: '#a475f9', brightCyan: '#3192aa', brightWhite: '#8c959f',
};

const query = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;

function subscribe(listener: () => void): () => void {
  query?.addEventListener('change', listener);
  return () => query?.removeEventListener('change', listener);
}

/** True while the system prefers a dark theme; re-renders on change. */
export function usePrefersDark(): boolean {
  return useSyncExternalStore(subscribe, () => query?.matches ?? false);
}

/** Whether the UI is dark: the setting, or the system preference for "system". */
export function useDarkTheme(theme: ThemeSetting): boolean {
  const prefersDark = usePrefersDark();
  return theme === 'system' ? prefersDark : theme === 'dark';
}
