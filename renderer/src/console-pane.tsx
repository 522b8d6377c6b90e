// One console stream in an xterm.js terminal: output flows in through the stream's queue (batched, with
// xterm's write callback as backpressure), keys go out to the machine, and the pane offers search, copy,
// clear and maximise. WebGL rendering when the GPU allows it, the DOM renderer otherwise.
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebglAddon } from '@xterm/addon-webgl';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { registerTerminal, setRenderer } from './debug-hooks.ts';
import type { Session } from './session.ts';
import { Icon, type IconName } from './icons.tsx';
import { describeStream } from './streams.ts';
import { DARK, LIGHT } from './theme.ts';

export interface ConsolePaneProps {
  session: Session;
  stream: string;
  resets: number;
  dark: boolean;
  maximised: boolean;
  onToggleMaximise(): void;
  /** Whether typing goes to the machine (false for output-only streams). */
  writable: boolean;
  /** Another pane is maximised: this one stays mounted (and keeps receiving output) but is not shown. */
  hidden?: boolean;
  /** Grid rows the pane spans (the root console fills the gap a short last row leaves). */
  rowSpan?: number;
  /** The cell that owns this UART right now (shown in the header). */
  owner?: string;
  /** Take the keyboard when the terminal opens (the root console after boot). */
  autoFocus?: boolean;
  /** What the console carries, from the lab file (`consoles:`); replaces the default detail. */
  detail?: string;
}

const SEARCH_DECORATIONS = {
  matchBackground: '#e3b34155', matchOverviewRuler: '#e3b341',
  activeMatchBackground: '#ff9f1c', activeMatchColorOverviewRuler: '#ff9f1c',
};

export function ConsolePane(props: ConsolePaneProps) {
  const { session, stream, resets, dark, maximised, onToggleMaximise, writable, hidden, rowSpan = 1, owner, autoFocus = false, detail } = props;
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | undefined>(undefined);
  const search = useRef<SearchAddon | undefined>(undefined);
  const [searchOpen, setSearchOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<{ index: number; count: number } | undefined>();
  const [notice, setNotice] = useState('');
  const [focused, setFocused] = useState(false);
  const searchInput = useRef<HTMLInputElement>(null);
  const info = describeStream(stream);

  // The terminal lives as long as the pane; the stream queue feeds it.
  useEffect(() => {
    const element = host.current!;
    const terminal = new Terminal({
      convertEol: true,
      scrollback: 10_000,
      fontFamily: '"DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, monospace',
      fontSize: 13,
      cursorBlink: writable,
      disableStdin: !writable,
      allowProposedApi: true,
      theme: dark ? DARK : LIGHT,
      screenReaderMode: false,
    });
    const fit = new FitAddon();
    const searchAddon = new SearchAddon({ highlightLimit: 1000 });
    terminal.loadAddon(fit);
    terminal.loadAddon(searchAddon);
    terminal.open(element);
    let renderer: 'webgl' | 'dom' = 'dom';
    try {
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => {
        webgl.dispose();
        setRenderer(stream, 'dom');
      });
      terminal.loadAddon(webgl);
      renderer = 'webgl';
    } catch {
      renderer = 'dom'; // no WebGL2 here: xterm's DOM renderer draws the text
    }
    term.current = terminal;
    search.current = searchAddon;
    const unregister = registerTerminal(stream, terminal, renderer, session.queue(stream));
    const results = searchAddon.onDidChangeResults((r) => setResults({ index: r.resultIndex, count: r.resultCount }));

    const refit = () => {
      if (element.clientWidth > 0 && element.clientHeight > 0) {
        try { fit.fit(); } catch { /* not laid out yet */ }
      }
    };
    const observer = new ResizeObserver(refit);
    observer.observe(element);
    refit();
    // The hint that says how to leave shows while the terminal has the keyboard.
    const textarea = terminal.textarea;
    const onFocus = () => setFocused(true), onBlur = () => setFocused(false);
    textarea?.addEventListener('focus', onFocus);
    textarea?.addEventListener('blur', onBlur);
    if (autoFocus) terminal.focus();

    const detach = session.queue(stream).attach((data, done) => terminal.write(data, done));
    const input = terminal.onData((data) => session.input(stream, data));
    // Ctrl+Shift+F searches, Ctrl+Shift+C copies; Shift+Tab leaves the terminal (back to the pane's
    // tools), F6 / Shift+F6 move to the next / previous area, and the app's shortcuts (F8, Ctrl+Shift+R)
    // reach the app; everything else, Tab included, goes to the guest. Returning false lets the browser
    // (and the app's listeners) have the key.
    terminal.attachCustomKeyEventHandler((event) => {
      if (event.key === 'Tab' && event.shiftKey && !event.ctrlKey && !event.altKey) return false;
      if (event.key === 'F8' || event.key === 'F6') return false;
      if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
      if (event.code === 'KeyR') return false;
      if (event.code === 'KeyF') { setSearchOpen(true); event.preventDefault(); return false; }
      if (event.code === 'KeyC') { void copy(); event.preventDefault(); return false; }
      return true;
    });
    return () => {
      textarea?.removeEventListener('focus', onFocus);
      textarea?.removeEventListener('blur', onBlur);
      detach();
      input.dispose();
      results.dispose();
      observer.disconnect();
      unregister();
      terminal.dispose();
      term.current = undefined;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- one terminal per pane
  }, [session, stream]);

  useEffect(() => {
    if (term.current) term.current.options.theme = dark ? DARK : LIGHT;
  }, [dark]);

  useEffect(() => {
    if (resets > 0) term.current?.reset();
  }, [resets]);

  useEffect(() => {
    if (searchOpen) searchInput.current?.focus();
  }, [searchOpen]);

  async function copy(): Promise<void> {
    const terminal = term.current;
    if (!terminal) return;
    const text = terminal.hasSelection() ? terminal.getSelection() : allText(terminal);
    try {
      await navigator.clipboard.writeText(text);
      flash(terminal.hasSelection() ? 'Selection copied' : 'Console copied');
    } catch {
      flash('Copy was refused');
    }
  }

  function flash(message: string): void {
    setNotice(message);
    setTimeout(() => setNotice(''), 1500);
  }

  function find(backwards: boolean, text = query, incremental = false): void {
    const options = { decorations: SEARCH_DECORATIONS, incremental };
    if (!text) {
      search.current?.clearDecorations();
      return setResults(undefined);
    }
    if (backwards) search.current?.findPrevious(text, options);
    else search.current?.findNext(text, options);
  }

  function onSearchKey(event: KeyboardEvent<HTMLInputElement>): void {
    if (event.key === 'Enter') { find(event.shiftKey); event.preventDefault(); }
    if (event.key === 'Escape') closeSearch();
  }

  function closeSearch(): void {
    setSearchOpen(false);
    search.current?.clearDecorations();
    setResults(undefined);
    term.current?.focus();
  }

  return (
    <section className={`pane${maximised ? ' maximised' : ''}`} aria-label={`${info.title} console`} data-stream={stream}
      hidden={hidden} style={rowSpan > 1 ? { gridRow: `span ${rowSpan}` } : undefined}>
      <header className="pane-header">
        <h2 className="pane-title" onClick={() => term.current?.focus()}>
          {info.title} <span className="pane-detail">{detail ?? (owner && stream !== 'uart0' ? `serial port of ${owner}` : info.detail)}</span>
        </h2>
        {!writable && <span className="pane-readonly" title="This console takes no input: a cell's virtual console and the hypervisor console are output-only (type into the cell's UART, if it has one)">output only</span>}
        <span className="pane-notice" role="status">{notice}</span>
        <div className="pane-tools" role="toolbar" aria-label={`${info.title} console tools`}>
          <ToolButton icon="search" label="Search" title="Search (Ctrl+Shift+F)" pressed={searchOpen}
            onClick={() => (searchOpen ? closeSearch() : setSearchOpen(true))} />
          <ToolButton icon="copy" label="Copy" title="Copy the selection, or the whole console (Ctrl+Shift+C)" onClick={() => void copy()} />
          <ToolButton icon="clear" label="Clear" title="Clear the scrollback" onClick={() => term.current?.clear()} />
          <ToolButton icon={maximised ? 'restore' : 'maximise'} label={maximised ? 'Restore' : 'Maximise'} pressed={maximised}
            title={maximised ? 'Show all consoles' : 'Maximise this console'} onClick={onToggleMaximise} />
        </div>
      </header>
      {searchOpen && (
        <div className="pane-search" role="search">
          <input ref={searchInput} type="search" placeholder={`Search ${info.title}`} aria-label={`Search ${info.title}`}
            value={query} onChange={(e) => { setQuery(e.target.value); find(false, e.target.value, true); }} onKeyDown={onSearchKey} />
          <button type="button" onClick={() => find(true)} aria-label="Previous match">↑</button>
          <button type="button" onClick={() => find(false)} aria-label="Next match">↓</button>
          <span className="pane-search-count" aria-live="polite">
            {results ? (results.count === 0 ? 'no matches' : `${results.index + 1} of ${results.count}`) : ''}
          </span>
          <button type="button" onClick={closeSearch} aria-label="Close search">✕</button>
        </div>
      )}
      <div className="pane-terminal" ref={host} onClick={() => term.current?.focus()} />
      {focused && (
        <p className="pane-keys" data-testid="terminal-keys">
          {writable ? 'Keys go to the guest. ' : ''}<kbd>Shift+Tab</kbd> leaves · <kbd>F6</kbd> next area
        </p>
      )}
    </section>
  );
}

/** A pane tool: icon and word; in a narrow pane only the icon shows (the word stays its name and tooltip). */
function ToolButton({ icon, label, title, pressed, onClick }: { icon: IconName; label: string; title: string; pressed?: boolean; onClick(): void }) {
  return (
    <button type="button" onClick={onClick} aria-pressed={pressed} aria-label={label} title={title}>
      <Icon name={icon} /><span className="label">{label}</span>
    </button>
  );
}

function allText(terminal: Terminal): string {
  const buffer = terminal.buffer.active;
  const out: string[] = [];
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i);
    if (!line) continue;
    if (line.isWrapped && out.length > 0) out[out.length - 1] += line.translateToString(true);
    else out.push(line.translateToString(true));
  }
  return out.join('\n').replace(/\n+$/, '\n');
}
