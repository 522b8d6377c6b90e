// Types of scripts/build-app.mjs for the TypeScript that imports it (e2e/).
export function buildElectron(): Promise<void>;
export function buildApp(options?: { renderer?: boolean; electron?: boolean }): Promise<void>;
