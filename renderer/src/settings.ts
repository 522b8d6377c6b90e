// The app's settings: a small typed record kept in localStorage (web mode and Electron both keep it
// across runs), and the table the settings dialog is drawn from. A new setting is one field in
// `Settings`, its default, and one entry in SETTING_FIELDS.
import { useSyncExternalStore } from 'react';

export type ThemeSetting = 'system' | 'light' | 'dark';

export interface Settings {
  theme: ThemeSetting;
}

const DEFAULTS: Settings = { theme: 'system' };

/** One setting as the dialog shows it: a choice among a few values. */
export interface SettingField<K extends keyof Settings = keyof Settings> {
  key: K;
  label: string;
  hint: string;
  choices: ReadonlyArray<{ value: Settings[K]; label: string }>;
}

export const SETTING_FIELDS: readonly SettingField[] = [
  {
    key: 'theme', label: 'Theme', hint: 'System follows the desktop\'s light or dark preference.',
    choices: [{ value: 'system', label: 'System' }, { value: 'light', label: 'Light' }, { value: 'dark', label: 'Dark' }],
  },
];

const STORAGE_KEY = 'jailhouse-lab.settings';

/** Reads stored settings, keeping only known keys with allowed values (the stored text is not trusted). */
function load(storage: Storage | undefined): Settings {
  const settings = { ...DEFAULTS };
  try {
    const stored = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '{}') as Record<string, unknown>;
    for (const field of SETTING_FIELDS) {
      const value = stored[field.key];
      if (field.choices.some((c) => c.value === value)) (settings as Record<string, unknown>)[field.key] = value;
    }
  } catch { /* unreadable: the defaults */ }
  return settings;
}

/** The settings of this app instance; changes are saved at once and re-render subscribers. */
export class SettingsStore {
  private current: Settings;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly storage: Storage | undefined) {
    this.current = load(storage);
  }

  get = (): Settings => this.current;

  set(change: Partial<Settings>): void {
    this.current = { ...this.current, ...change };
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.current));
    } catch { /* storage full or refused: the setting holds for this run */ }
    for (const listener of this.listeners) listener();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

export function useSettings(store: SettingsStore): Settings {
  return useSyncExternalStore(store.subscribe, store.get);
}
