// Types of scripts/electron-binary.mjs for the TypeScript that imports it (e2e/).
export function electronBinary(): string | undefined;
export function electronUnavailableReason(): string | undefined;
export function electronSwitches(): string[];
