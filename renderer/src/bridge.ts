// The only API the Electron preload exposes to the renderer (window.jailhouse). In web mode it is absent
// and the renderer falls back to a file input. electron/preload.ts implements exactly this interface.

/** A file the user picked: its name for display and its bytes. */
export interface OpenedFile {
  name: string;
  path: string;
  bytes: Uint8Array;
  /** For a lab file: the files it names that could be read from beside it, keyed as the lab names them (relative to `name`). */
  labFiles?: { path: string; bytes: Uint8Array }[];
}

export interface RecentFile {
  name: string;
  path: string;
}

/** Commands of the native menu, delivered to the renderer. */
export type MenuCommand = 'open' | 'home' | 'toggle-pause' | 'reset';

export interface JailhouseBridge {
  readonly platform: 'electron';
  /** Shows the open dialog (ELF images and lab files); null when cancelled. */
  openFile(): Promise<OpenedFile | null>;
  /** Most recent first, at most ten. */
  recentFiles(): Promise<RecentFile[]>;
  /** Opens a file of the recent list (any other path is refused); null when it is gone. */
  openRecent(path: string): Promise<OpenedFile | null>;
  /** Subscribes to native menu commands; returns the unsubscribe function. */
  onMenu(listener: (command: MenuCommand) => void): () => void;
}

declare global {
  interface Window {
    jailhouse?: JailhouseBridge;
  }
}

export function bridge(): JailhouseBridge | undefined {
  return typeof window !== 'undefined' ? window.jailhouse : undefined;
}
