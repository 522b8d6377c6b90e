// The machine view: run controls, the hart strip, one console pane per stream (tiled, one can be
// maximised) and the status bar. Everything shown comes from the session's snapshot.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { ConsolePane } from './console-pane.tsx';
import type { Ending, HartView, Session, SessionSnapshot } from './session.ts';
import { uartOf } from './session.ts';
import { Tutorial } from './tutorial.tsx';
import { Board } from '../../core/machine/board.ts';
import { MachinePanel, cellColour } from './machine-panel.tsx';
import type { MachineSnapshot } from '../../core/worker/machine-snapshot.ts';
import { MemoryInspector, TracePane } from './tools.tsx';

export interface MachineViewProps {
  session: Session;
  dark: boolean;
  onHome(): void;
}

export function MachineView({ session, dark, onHome }: MachineViewProps) {
  const snapshot = useSyncExternalStore(session.subscribe, session.getSnapshot);
  const [maximised, setMaximised] = useState<string | undefined>();
  const lab = session.spec.kind === 'lab' ? session.spec.prepared.lab : undefined;
  const [tutorialOpen, setTutorialOpen] = useState(true);
  const [traceOpen, setTraceOpen] = useState(false);
  const [memoryOpen, setMemoryOpen] = useState(false);
  const type = (command: string) => session.input('uart0', `${command}\r`);
  const labReady = lab !== undefined && (lab.steps.length === 0 || (snapshot.labStep !== undefined && snapshot.labStep.index >= snapshot.labStep.total));
  const paused = snapshot.state === 'paused';
  const ended = snapshot.state === 'ended';

  useEffect(() => {
    if (maximised && !snapshot.streams.includes(maximised)) setMaximised(undefined);
  }, [maximised, snapshot.streams]);

  // Tiles: a near-square grid; the root console takes the rows the last line leaves empty.
  const count = snapshot.streams.length;
  const columns = maximised ? 1 : Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const firstSpan = maximised ? 1 : 1 + (columns * rows - count);
  return (
    <div className="machine">
      <header className="toolbar" role="toolbar" aria-label="Machine controls">
        <button type="button" className="ghost" onClick={onHome} title="Back to the start screen">← Start</button>
        <h1 className="machine-title">{snapshot.title}</h1>
        <div className="run-controls">
          {lab && (
            <button type="button" onClick={() => setTutorialOpen(!tutorialOpen)} aria-pressed={tutorialOpen}
              aria-controls="tutorial">Lab panel</button>
          )}
          <button type="button" onClick={() => setTraceOpen(!traceOpen)} aria-pressed={traceOpen} aria-controls="tool-dock"
            data-testid="toggle-trace" title="Show the exit trace (recorded while shown)">Trace</button>
          <button type="button" onClick={() => setMemoryOpen(!memoryOpen)} aria-pressed={memoryOpen} aria-controls="tool-dock"
            data-testid="toggle-memory" title="Inspect physical memory">Memory</button>
          <button type="button" onClick={() => (paused ? session.resume() : session.pause())} disabled={ended}
            aria-pressed={paused} aria-keyshortcuts="F8" className="primary" data-testid="pause-resume">
            {paused ? 'Resume' : 'Pause'}
          </button>
          <button type="button" onClick={() => session.reset()} aria-keyshortcuts="Control+Shift+R" data-testid="reset">Reset</button>
        </div>
      </header>
      <HartStrip harts={snapshot.harts} live={snapshot.hartsLive} machine={snapshot.machine} />
      <div className={`machine-body${lab && tutorialOpen ? ' with-tutorial' : ''}`}>
      <div className={`work${traceOpen || memoryOpen ? ' with-dock' : ''}`}>
      <main className="panes" style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` }} aria-label="Consoles">
        {snapshot.streams.map((stream, index) => (
          <ConsolePane key={stream} rowSpan={index === 0 ? firstSpan : 1} session={session} stream={stream} resets={snapshot.resets} dark={dark}
            maximised={maximised === stream}
            onToggleMaximise={() => setMaximised(maximised === stream ? undefined : stream)}
            writable={uartOf(stream) !== undefined}
            owner={uartOwner(snapshot.machine, stream)}
            hidden={maximised !== undefined && maximised !== stream} />
        ))}
      </main>
      {(traceOpen || memoryOpen) && (
        <div id="tool-dock" className="dock" style={{ gridTemplateColumns: traceOpen && memoryOpen ? 'minmax(0, 1fr) minmax(0, 1fr)' : 'minmax(0, 1fr)' }}>
          {traceOpen && <TracePane session={session} />}
          {memoryOpen && <MemoryInspector session={session} machine={snapshot.machine} ramBase={Board.ram.base} />}
        </div>
      )}
      </div>
      {lab && tutorialOpen && session.spec.kind === 'lab' && (
        <div id="tutorial" className="tutorial-column">
          <MachinePanel machine={snapshot.machine} rates={snapshot.cellRates} controls={session.spec.controls}
            ramBase={Board.ram.base} ramSize={lab.board.ramSize} ready={labReady && !ended && !paused} onType={type} />
          <Tutorial lab={lab} step={snapshot.labStep} report={snapshot.labReport} ready={labReady && !ended && !paused}
            onType={type} />
        </div>
      )}
      </div>
      <StatusBar snapshot={snapshot} />
    </div>
  );
}

/** The cell that maps a UART's registers (a cell's own serial port), from the machine snapshot. */
function uartOwner(machine: MachineSnapshot | undefined, stream: string): string | undefined {
  const uart = uartOf(stream);
  if (uart === undefined || !machine) return undefined;
  const base = uart === 0 ? Board.uart0.base : Board.extraUart.base + (uart - 1) * Board.extraUart.stride;
  const owners = machine.memory.filter((m) => m.kind === 'io' && m.start <= base && base < m.start + m.size).map((m) => m.owner);
  return owners.length === 1 ? owners[0] : undefined;
}

const HART_LABEL: Record<HartView['state'], string> = {
  running: 'running', idle: 'idle (WFI)', parked: 'parked', stopped: 'stopped', paused: 'paused', unknown: 'starting',
};

function HartStrip({ harts, live, machine }: { harts: readonly HartView[]; live: boolean; machine: MachineSnapshot | undefined }) {
  return (
    <ol className="harts" aria-label={live ? 'Harts' : 'Harts (machine-wide state)'}>
      {harts.map((hart) => {
        const colour = cellColour(machine, hart.cell);
        return (
          <li key={hart.id} className={`hart hart-${hart.state}`} data-testid={`hart-${hart.id}`}
            style={colour ? { borderLeftColor: colour, borderLeftWidth: 4 } : undefined}
            title={`hart ${hart.id}: ${HART_LABEL[hart.state]}${hart.cell ? `, cell ${hart.cell}` : ''}`}>
            <span className="hart-id">hart {hart.id}</span>
            <span className="hart-state">{HART_LABEL[hart.state]}</span>
            {hart.cell && <span className="hart-cell">{hart.cell}</span>}
          </li>
        );
      })}
    </ol>
  );
}

function StatusBar({ snapshot }: { snapshot: SessionSnapshot }) {
  return (
    <footer className="statusbar" aria-label="Machine status">
      <span className={`state state-${snapshot.state}`} data-testid="machine-state">{stateLabel(snapshot)}</span>
      <span className="metric" title="guest instructions per second, millions">
        <span className="metric-value" data-testid="mips">{(snapshot.state === 'running' ? snapshot.mips : 0).toFixed(1)}</span> MIPS
      </span>
      <span className="metric" title="virtual time since power-on">
        <span className="metric-value" data-testid="virtual-time">{formatTime(snapshot.virtualTimeNs)}</span> virtual
      </span>
      <span className="metric" title="instructions retired by all harts">
        <span className="metric-value">{formatCount(snapshot.instructions)}</span> instructions
      </span>
      <span className="metric" title={snapshot.jit?.disabled ?? 'pages of guest code translated to WebAssembly (off: interpreter only)'}>
        <span className="metric-value" data-testid="jit">{snapshot.jit === undefined || snapshot.jit.disabled ? 'off' : snapshot.jit.pages}</span> translated
      </span>
      <span className="ending" role="status" aria-live="polite" data-testid="ending">{endingLabel(snapshot.ending)}</span>
    </footer>
  );
}

function stateLabel(s: SessionSnapshot): string {
  switch (s.state) {
    case 'booting': return 'Booting';
    case 'running': return 'Running';
    case 'idle': return 'Idle';
    case 'paused': return 'Paused';
    case 'ended': return 'Stopped';
  }
}

function endingLabel(ending: Ending | undefined): string {
  if (!ending) return '';
  switch (ending.kind) {
    case 'pass': return 'Guest finished: pass';
    case 'fail': return `Guest finished: fail (code ${ending.code})`;
    case 'fault': return `Guest fault: ${ending.message}`;
    case 'hang': return `Instruction limit reached (${ending.pcs.join(', ')})`;
    case 'error': return `Error: ${ending.message}`;
  }
}

export function formatTime(ns: number): string {
  if (ns < 1e6) return `${(ns / 1e3).toFixed(0).padStart(3, ' ')} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(1)} ms`;
  const s = ns / 1e9;
  if (s < 60) return `${s.toFixed(2)} s`;
  return `${Math.floor(s / 60)} min ${(s % 60).toFixed(0).padStart(2, '0')} s`;
}

export function formatCount(n: number): string {
  if (n < 1e4) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(1)}k`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)}M`;
  return `${(n / 1e9).toFixed(2)}G`;
}
