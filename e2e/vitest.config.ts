// The UI end-to-end suite: the renderer in headless Debian Chromium (web mode) through playwright-core,
// the Electron spec where the Electron binary exists, and the packaging config check.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['e2e/**/*.test.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // One browser at a time: the machine worker wants a core of its own.
    fileParallelism: false,
    pool: 'forks',
  },
});
