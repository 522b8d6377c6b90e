// The start screen: the bundled examples by group, and "open a file" (a dialog in Electron, a file input
// in the browser). Booting an entry fetches its bytes and hands them to the App.
import { useEffect, useRef, useState } from 'react';
import { bridge, type OpenedFile, type RecentFile } from './bridge.ts';
import { GROUPS, entriesOf, type CatalogEntry, type CatalogGroup } from './catalog.ts';

export interface StartScreenProps {
  onOpenEntry(entry: CatalogEntry): void;
  onOpenFile(file: { name: string; bytes: Uint8Array }): void;
  error: string | undefined;
  /** Bumped by the native menu's File > Open. */
  openRequests: number;
  /** The setting "translate hot guest code to WebAssembly" for the machines booted from here. */
  jit: boolean;
  onJitChange(on: boolean): void;
}

const GROUP_ORDER: CatalogGroup[] = ['labs', 'interactive', 'conformance', 'bench'];

export function StartScreen({ onOpenEntry, onOpenFile, error, openRequests, jit, onJitChange }: StartScreenProps) {
  const fileInput = useRef<HTMLInputElement>(null);
  const [recent, setRecent] = useState<RecentFile[]>([]);
  const native = bridge();

  useEffect(() => {
    native?.recentFiles().then(setRecent, () => setRecent([]));
  }, [native]);

  useEffect(() => {
    if (openRequests > 0) void openDialog();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only on a new request
  }, [openRequests]);

  async function openDialog(): Promise<void> {
    if (native) {
      const file = await native.openFile();
      if (file) opened(file);
    } else {
      fileInput.current?.click();
    }
  }

  function opened(file: OpenedFile | { name: string; bytes: Uint8Array }): void {
    onOpenFile({ name: file.name, bytes: file.bytes });
  }

  async function onFileChosen(files: FileList | null): Promise<void> {
    const file = files?.[0];
    if (!file) return;
    opened({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
    if (fileInput.current) fileInput.current.value = '';
  }

  return (
    <div className="start">
      <header className="start-header">
        <div>
          <h1>Jailhouse Lab</h1>
          <p className="tagline">An emulated RISC-V board and a Jailhouse hypervisor, in one window.</p>
        </div>
        <div className="start-actions">
          <button type="button" className="primary" onClick={() => void openDialog()} data-testid="open-file">
            Open image or lab file…
          </button>
          <input ref={fileInput} type="file" accept=".elf,.bin,.img,.yaml,.yml,application/octet-stream"
            hidden onChange={(e) => void onFileChosen(e.target.files)} data-testid="file-input" aria-hidden="true" tabIndex={-1} />
          <label className="setting" title="Off: the interpreter runs everything (same results, slower)">
            <input type="checkbox" checked={jit} onChange={(e) => onJitChange(e.target.checked)} data-testid="jit-setting" />
            Translate hot code to WebAssembly
          </label>
        </div>
      </header>
      {error && <p className="start-error" role="alert">{error}</p>}
      <main className="catalog">
        {native && recent.length > 0 && (
          <section className="group" aria-labelledby="group-recent">
            <h2 id="group-recent">Recent files</h2>
            <ul className="cards">
              {recent.map((file) => (
                <li key={file.path} className="card">
                  <button type="button" className="card-button" title={file.path}
                    onClick={() => native.openRecent(file.path).then((f) => f && opened(f))}>
                    <span className="card-title">{file.name}</span>
                    <span className="card-summary">{file.path}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
        {GROUP_ORDER.map((group) => {
          const entries = entriesOf(group);
          if (entries.length === 0) return null;
          return (
            <section key={group} className="group" aria-labelledby={`group-${group}`}>
              <h2 id={`group-${group}`}>{GROUPS[group].title}</h2>
              <p className="group-blurb">{GROUPS[group].blurb}</p>
              <ul className="cards">
                {entries.map((entry) => (
                  <li key={entry.id} className="card">
                    <button type="button" className="card-button" onClick={() => onOpenEntry(entry)}
                      data-testid={`entry-${entry.id}`} aria-label={`Boot ${entry.title}: ${entry.summary}`}>
                      <span className="card-title">{entry.title}</span>
                      <span className="card-summary">{entry.summary}</span>
                      <span className="card-meta">{entry.harts === 1 ? '1 hart' : `${entry.harts} harts`}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
      </main>
    </div>
  );
}
