// The preload of the sandboxed renderer: exposes window.jailhouse (renderer/src/bridge.ts) and nothing
// else. Runs with contextIsolation and sandbox on, so it may only use contextBridge and ipcRenderer.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { JailhouseBridge, MenuCommand, OpenedFile, RecentFile } from '../renderer/src/bridge.ts';
import { Channels } from './channels.ts';

const api: JailhouseBridge = {
  platform: 'electron',
  openFile: () => ipcRenderer.invoke(Channels.openFile) as Promise<OpenedFile | null>,
  recentFiles: () => ipcRenderer.invoke(Channels.recentFiles) as Promise<RecentFile[]>,
  openRecent: (path: string) => ipcRenderer.invoke(Channels.openRecent, String(path)) as Promise<OpenedFile | null>,
  onMenu: (listener: (command: MenuCommand) => void) => {
    const handler = (_event: IpcRendererEvent, command: MenuCommand) => listener(command);
    ipcRenderer.on(Channels.menu, handler);
    return () => {
      ipcRenderer.removeListener(Channels.menu, handler);
    };
  },
};

contextBridge.exposeInMainWorld('jailhouse', api);
