// The start screen: the bundled examples by group, and "open files" (a dialog in Electron, a file input
// in the browser; a lab folder; files or folders dropped on the window). Booting an entry fetches its
// bytes and hands them to the App.
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { bridge, type OpenedFile, type RecentFile } from './bridge.ts';
import { GROUPS, entriesOf, type CatalogEntry, type CatalogGroup } from './catalog.ts';
import { Icon } from './icons.tsx';
import { droppedFiles, pickedFiles, type PickedFile } from './lab-files.ts';
import { SettingsButton } from './settings-dialog.tsx';
import type { SettingsStore } from './settings.ts';

export interface StartScreenProps {
  onOpenEntry(entry: CatalogEntry): void;
  /** An image, or a lab file with the files it names. */
  onOpenFiles(files: PickedFile[]): void;
  error: string | undefined;
  /** Bumped by the native menu's File > Open. */
  openRequests: number;
  settings: SettingsStore;
  jit: boolean;
  onJitChange(on: boolean): void;
}

const GROUP_ORDER: CatalogGroup[] = ['labs', 'interactive', 'conformance', 'bench'];

export function StartScreen({ onOpenEntry, onOpenFiles, error, openRequests, settings, jit, onJitChange }: StartScreenProps) {
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
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

  function opened(file: OpenedFile): void {
    onOpenFiles([{ path: file.name, bytes: file.bytes }, ...(file.labFiles ?? [])]);
  }

  async function onFilesChosen(input: HTMLInputElement | null): Promise<void> {
    if (!input?.files || input.files.length === 0) return;
    onOpenFiles(await pickedFiles(input.files));
    input.value = '';
  }

  function onDragOver(event: DragEvent): void {
    if (!event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  }

  async function onDrop(event: DragEvent): Promise<void> {
    event.preventDefault();
    setDragging(false);
    const files = await droppedFiles(event.dataTransfer);
    if (files.length > 0) onOpenFiles(files);
  }

  return (
    <div className={`start${dragging ? ' dragging' : ''}`} onDragOver={onDragOver} onDragLeave={() => setDragging(false)}
      onDrop={(e) => void onDrop(e)} data-testid="start-screen">
      <header className="start-header">
        <div>
          <h1>Jailhouse Lab</h1>
          <p className="tagline">An emulated RISC-V board and a Jailhouse hypervisor, in one window.</p>
        </div>
        <div className="start-actions">
          <button type="button" className="primary" onClick={() => void openDialog()} data-testid="open-file"
            title="An ELF image, or a lab file together with the files it names (select them all)">
            <Icon name="open" />Open image or lab file…
          </button>
          <button type="button" onClick={() => folderInput.current?.click()} data-testid="open-folder"
            title="A folder that holds a lab file and the files it names">Open lab folder…</button>
          <SettingsButton store={settings} />
          <input ref={fileInput} type="file" multiple accept=".elf,.bin,.img,.yaml,.yml,.cell,application/octet-stream"
            hidden onChange={(e) => void onFilesChosen(e.target)} data-testid="file-input" aria-hidden="true" tabIndex={-1} />
          <input ref={folderInput} type="file" hidden {...{ webkitdirectory: '' }} onChange={(e) => void onFilesChosen(e.target)}
            data-testid="folder-input" aria-hidden="true" tabIndex={-1} />
          <label className="setting" title="Off: the interpreter runs everything (same results, slower)">
            <input type="checkbox" checked={jit} onChange={(e) => onJitChange(e.target.checked)} data-testid="jit-setting" />
            Translate hot code to WebAssembly
          </label>
        </div>
      </header>
      <p className="start-drop-hint">{dragging ? 'Drop to open: an image, or a lab file with the files it names (or its folder).' : 'Or drop an image, a lab with its files, or a lab folder anywhere here.'}</p>
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
