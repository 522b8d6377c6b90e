// Where the Electron binary is, without triggering the electron package's lazy download (which
// `require('electron')` does since Electron 42): undefined when it was never downloaded.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function electronBinary() {
  let dir;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined; // the package itself is not installed
  }
  const pathFile = join(dir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override ? join(override, executable ?? 'electron') : executable && join(dir, 'dist', executable);
  return binary && existsSync(binary) ? binary : undefined;
}

/** Why Electron cannot start here, or undefined when it can. */
export function electronUnavailableReason() {
  if (!electronBinary()) {
    return 'the Electron binary is not installed (node_modules/electron has no dist/: its download ' +
      'did not run or could not reach the release server; `npx install-electron --no` fetches it where the network allows)';
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
  }
  return undefined;
}

/** Command-line switches Electron needs here: Chromium refuses to run as root without --no-sandbox. */
export function electronSwitches() {
  return process.getuid?.() === 0 ? ['--no-sandbox'] : [];
}
