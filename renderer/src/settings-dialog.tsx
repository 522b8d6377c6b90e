// The settings button and its dialog (a native modal <dialog>: focus stays inside, Escape closes it).
// Each setting of SETTING_FIELDS is a group of radio buttons; a change applies and is saved at once.
import { useRef } from 'react';
import { Icon } from './icons.tsx';
import { SETTING_FIELDS, useSettings, type Settings, type SettingsStore } from './settings.ts';

export function SettingsButton({ store, compact = false }: { store: SettingsStore; compact?: boolean }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const settings = useSettings(store);
  return (
    <>
      <button type="button" className={compact ? 'icon-button' : undefined} onClick={() => dialog.current?.showModal()}
        aria-haspopup="dialog" aria-label="Settings" title="Settings (theme…)" data-testid="open-settings">
        <Icon name="settings" />{!compact && <span className="label">Settings</span>}
      </button>
      <dialog ref={dialog} className="settings" aria-labelledby="settings-title" data-testid="settings-dialog">
        <form method="dialog">
          <h2 id="settings-title">Settings</h2>
          {SETTING_FIELDS.map((field) => (
            <fieldset key={field.key}>
              <legend>{field.label}</legend>
              <div className="choices">
                {field.choices.map((choice) => (
                  <label key={String(choice.value)}>
                    <input type="radio" name={field.key} value={String(choice.value)} checked={settings[field.key] === choice.value}
                      onChange={() => store.set({ [field.key]: choice.value } as Partial<Settings>)} />
                    {choice.label}
                  </label>
                ))}
              </div>
              <p className="hint">{field.hint}</p>
            </fieldset>
          ))}
          <p className="hint">Settings are kept for the next time you open Jailhouse Lab.</p>
          <div className="dialog-actions"><button type="submit" className="primary">Close</button></div>
        </form>
      </dialog>
    </>
  );
}
