// The tool dock under the consoles: the exit trace (switched on in the worker while recording) and a
// memory inspector (a hex view of a physical RAM range, read between run slices, optionally live).
import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore, type FormEvent } from 'react';
import type { MachineSnapshot } from '../../core/worker/machine-snapshot.ts';
import { MAX_MEMORY_READ } from '../../core/worker/protocol.ts';
import type { MemoryRead, Session } from './session.ts';

export function TracePane({ session }: { session: Session }) {
  const trace = useSyncExternalStore(session.subscribeTrace, session.getTrace);
  const [filter, setFilter] = useState('');
  const list = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  const needle = filter.trim().toLowerCase();
  const shown = needle ? trace.records.filter((r) => `${r.kind} ${r.detail}`.toLowerCase().includes(needle)) : trace.records;
  const text = shown.map((r) => `${String(r.at).padStart(9)} hart ${r.hart} ${r.kind.padEnd(10)} ${r.detail}`).join('\n');

  // Recording starts with the pane and stops when it closes: the trace costs guest speed.
  useEffect(() => {
    session.setTrace(true);
    return () => session.setTrace(false);
  }, [session]);

  // Newest last: follow the end unless the person scrolled up to read.
  useLayoutEffect(() => {
    const el = list.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [text]);

  return (
    <section className="tool trace-pane" aria-label="Exit trace" data-testid="trace-pane">
      <header className="tool-header">
        <h2>Exit trace</h2>
        <span className="tool-detail" data-testid="trace-count">
          {trace.records.length} records{trace.dropped > 0 ? `, ${trace.dropped} dropped` : ''}
        </span>
        <input type="search" placeholder="Filter" aria-label="Filter the trace" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <button type="button" aria-pressed={trace.on} onClick={() => session.setTrace(!trace.on)} data-testid="trace-record"
          title="Record exits (slows the guest while on)">{trace.on ? 'Recording' : 'Record'}</button>
        <button type="button" onClick={() => session.clearTrace()}>Clear</button>
      </header>
      <pre ref={list} className="tool-body trace-list" tabIndex={0} aria-label="Trace records, newest last" data-testid="trace-list"
        onScroll={(e) => { const el = e.currentTarget; stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 4; }}>
        {text || (trace.on ? 'waiting for exits…' : 'not recording')}
      </pre>
    </section>
  );
}

interface Pick {
  label: string;
  address: number;
  length: number;
}

/** Places worth a look: each ivshmem link's sections, each cell's RAM and communication region. */
export function memoryPicks(machine: MachineSnapshot | undefined): Pick[] {
  if (!machine) return [];
  const picks: Pick[] = [];
  for (const link of machine.links) {
    const starts = [...new Set(machine.memory.filter((m) => m.kind === 'ram' && m.start >= link.start && m.start < link.end).map((m) => m.start))].sort((a, b) => a - b);
    starts.forEach((start, k) => {
      const size = machine.memory.find((m) => m.start === start)!.size;
      const what = k === 0 ? 'state table' : k === 1 ? 'R/W section' : `output of peer ${k - 2}`;
      picks.push({ label: `ivshmem ${link.bdf} ${what}`, address: start, length: Math.min(size, 256) });
    });
  }
  for (const m of machine.memory) {
    if (m.owner === 'hypervisor' || m.shared || m.owner === machine.cells.find((c) => c.id === 0)?.name) continue;
    if (m.kind === 'ram') picks.push({ label: `${m.owner} RAM (guest 0x${m.guest.toString(16)})`, address: m.start, length: 256 });
    if (m.kind === 'comm') picks.push({ label: `${m.owner} communication region`, address: m.start, length: 256 });
  }
  return picks;
}

function parseNumber(text: string): number | undefined {
  const t = text.trim().replace(/_/g, '').toLowerCase();
  const v = /^0x[0-9a-f]+$/.test(t) ? parseInt(t.slice(2), 16) : /^[0-9]+$/.test(t) ? Number(t) : /^[0-9a-f]+$/.test(t) ? parseInt(t, 16) : NaN;
  return Number.isSafeInteger(v) ? v : undefined;
}

export function MemoryInspector({ session, machine, ramBase }: { session: Session; machine: MachineSnapshot | undefined; ramBase: number }) {
  const [address, setAddress] = useState(`0x${ramBase.toString(16)}`);
  const [length, setLength] = useState('256');
  const [read, setRead] = useState<MemoryRead | undefined>();
  const [live, setLive] = useState(false);
  const [problem, setProblem] = useState('');
  const picks = memoryPicks(machine);
  const request = useRef<{ address: number; length: number } | undefined>(undefined);

  async function fetchNow(target = request.current): Promise<void> {
    if (!target) return;
    const answer = await session.readMemory(target.address, target.length);
    if (request.current === target) setRead(answer);
  }

  function submit(event?: FormEvent, a = address, l = length): void {
    event?.preventDefault();
    const at = parseNumber(a), len = parseNumber(l);
    if (at === undefined) return setProblem(`"${a}" is not an address (hex like 0xbef00000, or decimal)`);
    if (len === undefined || len < 1 || len > MAX_MEMORY_READ) return setProblem(`length must be 1..${MAX_MEMORY_READ}`);
    setProblem('');
    request.current = { address: at, length: len };
    void fetchNow(request.current);
  }

  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => void fetchNow(), 500);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- fetchNow reads the current request
  }, [live]);

  return (
    <section className="tool memory-inspector" aria-label="Memory inspector" data-testid="memory-inspector">
      <header className="tool-header">
        <h2>Memory</h2>
        <form className="memory-form" onSubmit={submit}>
          <label>address <input className="mono" value={address} onChange={(e) => setAddress(e.target.value)} size={12} aria-label="Address" /></label>
          <label>length <input className="mono" value={length} onChange={(e) => setLength(e.target.value)} size={6} aria-label="Length" /></label>
          <button type="submit" data-testid="memory-read">Read</button>
          <label className="memory-live"><input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> live</label>
        </form>
        {picks.length > 0 && (
          <select aria-label="Jump to a region" value="" onChange={(e) => {
            const pick = picks[Number(e.target.value)];
            if (!pick) return;
            const a = `0x${pick.address.toString(16)}`, l = String(pick.length);
            setAddress(a); setLength(l); submit(undefined, a, l);
          }}>
            <option value="">Jump to…</option>
            {picks.map((p, k) => <option key={k} value={k}>{p.label}</option>)}
          </select>
        )}
      </header>
      <div className="tool-body" tabIndex={0} aria-label="Memory contents" data-testid="memory-view">
        {problem ? <p className="tool-error" role="alert">{problem}</p>
          : read?.error !== undefined ? <p className="tool-error" role="alert">{read.error}</p>
            : read?.bytes ? <HexView address={read.address} bytes={read.bytes} />
              : <p className="tool-hint">Physical RAM from 0x{ramBase.toString(16)}; up to 64 KiB at a time. Pick a region or type an address.</p>}
      </div>
    </section>
  );
}

/** 16 bytes a row: address, hex, ASCII. */
export function hexLines(address: number, bytes: Uint8Array): string[] {
  const lines: string[] = [];
  const width = Math.max(8, (address + bytes.length).toString(16).length);
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.subarray(at, at + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0'));
    const left = hex.slice(0, 8).join(' '), right = hex.slice(8).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${(address + at).toString(16).padStart(width, '0')}  ${left.padEnd(23)}  ${right.padEnd(23)}  ${ascii}`);
  }
  return lines;
}

function HexView({ address, bytes }: { address: number; bytes: Uint8Array }) {
  return <pre className="hex" data-testid="hex-view">{hexLines(address, bytes).join('\n')}</pre>;
}
