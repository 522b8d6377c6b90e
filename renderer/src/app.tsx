// The app: the start screen or one running machine. Owns the session's lifetime and the native menu.
import { useCallback, useEffect, useState } from 'react';
import { bridge, type MenuCommand } from './bridge.ts';
import type { CatalogEntry } from './catalog.ts';
import { MachineView } from './machine-view.tsx';
import { Session, type BootSpec } from './session.ts';
import { StartScreen } from './start-screen.tsx';
import { usePrefersDark } from './theme.ts';

/** Harts for a file the user opened (the catalog knows its own entries' needs). */
const OPENED_FILE_HARTS = 4;
/** Where the start screen's "translate hot code" setting is kept. */
const JIT_SETTING = 'jailhouse-lab.jit';

async function fetchBytes(url: string | undefined, what: string): Promise<Uint8Array> {
  if (!url) throw new Error(`${what} is not bundled`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${what}: ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

export function App() {
  const dark = usePrefersDark();
  const [session, setSession] = useState<Session | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [openRequests, setOpenRequests] = useState(0);
  const [jit, setJit] = useState(() => localStorage.getItem(JIT_SETTING) !== 'off');
  const changeJit = (on: boolean) => {
    localStorage.setItem(JIT_SETTING, on ? 'on' : 'off');
    setJit(on);
  };

  const boot = useCallback((spec: BootSpec) => {
    setError(undefined);
    const next = new Session({ ...spec, jit });
    next.start();
    setSession((previous) => {
      previous?.dispose();
      return next;
    });
  }, [jit]);

  const home = useCallback(() => {
    setSession((previous) => {
      previous?.dispose();
      return undefined;
    });
  }, []);

  async function openEntry(entry: CatalogEntry): Promise<void> {
    try {
      if (entry.lab) {
        const { file, lab, urls } = entry.lab;
        // Loaded on demand: the configuration compiler is not needed for the start screen.
        const [{ prepareLab, resolvePath }, { labControls }] = await Promise.all([
          import('../../core/lab/prepare.ts'), import('./lab-controls.ts'),
        ]);
        const fetched = new Map<string, Uint8Array>();
        const prepared = await prepareLab(lab, file, async (path) => {
          const bytes = await fetchBytes(urls[path], path);
          fetched.set(path, bytes);
          return bytes;
        });
        const ramDisk = new Map(lab.files.flatMap((f) => {
          const bytes = fetched.get(resolvePath(file, f.source));
          return bytes ? [[f.path, bytes] as const] : [];
        }));
        boot({ kind: 'lab', title: lab.title, prepared, controls: labControls(lab, ramDisk) });
      } else {
        boot({ kind: 'image', title: entry.title, bytes: await fetchBytes(entry.url, entry.id), harts: entry.harts });
      }
    } catch (e) {
      setError(`Could not load ${entry.title}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  function openFile(file: { name: string; bytes: Uint8Array }): void {
    if (/\.ya?ml$/i.test(file.name)) {
      // TODO(labs from disk): needs the lab's neighbouring files (Electron main can read them) and a
      // lab-file validator that does not generate code (the CSP forbids eval); see docs/app.md.
      setError(`${file.name} is a lab file; opening labs from disk is not supported yet. The example labs are on the start screen; open an ELF image here.`);
      return;
    }
    boot({ kind: 'image', title: file.name, bytes: file.bytes, harts: OPENED_FILE_HARTS });
  }

  // Native menu (Electron) and keyboard shortcuts (both modes).
  useEffect(() => {
    const run = (command: MenuCommand) => {
      if (command === 'open') {
        home();
        setOpenRequests((n) => n + 1);
      } else if (command === 'home') home();
      else if (command === 'toggle-pause') {
        if (session?.getSnapshot().state === 'paused') session.resume();
        else session?.pause();
      } else if (command === 'reset') session?.reset();
    };
    const unsubscribe = bridge()?.onMenu(run);
    const onKey = (event: KeyboardEvent) => {
      if (!session) return;
      if (event.key === 'F8') {
        run('toggle-pause');
        event.preventDefault();
      } else if (event.ctrlKey && event.shiftKey && event.code === 'KeyR') {
        run('reset');
        event.preventDefault();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      unsubscribe?.();
      window.removeEventListener('keydown', onKey);
    };
  }, [session, home]);

  return (
    <div className={`app ${dark ? 'dark' : 'light'}`}>
      {session
        ? <MachineView key={session.id} session={session} dark={dark} onHome={home} />
        : <StartScreen onOpenEntry={(e) => void openEntry(e)} onOpenFile={openFile} error={error} openRequests={openRequests}
          jit={jit} onJitChange={changeJit} />}
    </div>
  );
}
