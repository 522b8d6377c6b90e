// npm start: builds the app and launches Electron. Where Electron cannot run (its binary was never
// downloaded, or there is no display), says so and serves web mode instead, printing the URL.
import { spawn } from 'node:child_process';
import { buildApp } from './build-app.mjs';
import { electronBinary, electronSwitches, electronUnavailableReason } from './electron-binary.mjs';
import { runWebMode } from './web.mjs';

await buildApp();

const reason = electronUnavailableReason();
if (reason) {
  console.log(`Electron cannot start: ${reason}.`);
  console.log('Starting web mode instead: the same app in your browser, the machine in a Web Worker.');
  await runWebMode({ build: false, port: Number(process.env.PORT ?? 5173) });
} else {
  const switches = electronSwitches();
  if (switches.includes('--no-sandbox')) console.log('Running as root: Electron starts with --no-sandbox (Chromium requires it).');
  const child = spawn(electronBinary(), [...switches, '.'], { stdio: 'inherit' });
  child.on('error', async (error) => {
    console.log(`Electron failed to start (${error.message}); starting web mode instead.`);
    await runWebMode({ build: false, port: Number(process.env.PORT ?? 5173) });
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
}
