// IPC channel names shared by the main process and the preload (one definition of each).
export const Channels = {
  openFile: 'jailhouse:open-file',
  recentFiles: 'jailhouse:recent-files',
  openRecent: 'jailhouse:open-recent',
  menu: 'jailhouse:menu',
} as const;
