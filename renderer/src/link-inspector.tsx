// The link inspector under a link's graph: for ivshmem-net, both ends' states, each direction's ring
// indices and counters, the newest frames decoded (hex on a click) and "Save capture"; for virtio over
// ivshmem, device status, features, queues and transaction/notification rates. All from the snapshots
// the worker posts (core/links reads the shared memory), frames from the session's capture.
import { useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import { decodeFrame } from '../../core/links/ethernet.ts';
import { NET_STATE_NAMES, type CapturedFrame, type NetLinkInspection, type PeerEnd, type VirtioLinkInspection } from '../../core/links/inspection.ts';
import type { LinkSnapshot } from '../../core/worker/machine-snapshot.ts';
import { saveBytes } from './capture-store.ts';
import type { Session } from './session.ts';
import { hexLines } from './tools.tsx';
import './link-inspector.css';

const netState = (s: number) => NET_STATE_NAMES[s] ?? `0x${s.toString(16)}`;
const idx = (v: number | undefined) => (v === undefined ? '—' : String(v));

function bytesLabel(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`;
}

function peerLabel(p: PeerEnd): string {
  return `peer ${p.id}${p.cell ? ` ${p.cell}` : ' (no cell)'}`;
}

export function LinkInspectorView({ link, session }: { link: LinkSnapshot; session: Session }) {
  const inspection = link.inspection;
  if (inspection?.kind === 'ivshmem-net') return <NetInspector view={inspection} session={session} />;
  if (inspection?.kind === 'virtio') return <VirtioInspector view={inspection} />;
  return null;
}

function NetInspector({ view, session }: { view: NetLinkInspection; session: Session }) {
  const counts = useSyncExternalStore(session.captures.subscribe, session.captures.getCounts);
  const [open, setOpen] = useState<number | undefined>(undefined);
  const up = view.peers.length === 2 && view.peers.every((p) => p.state === 3);
  const captured = counts[view.bdf];
  const total = view.directions.reduce((n, d) => n + d.frames, 0);
  return (
    <section className="link-inspector" aria-label={`ivshmem-net link ${view.bdf}`} data-testid={`link-inspector-${view.bdf}`}>
      <header className="link-inspector-head">
        <strong>ivshmem-net {view.bdf}</strong>
        <span className={up ? 'link-up' : 'link-down'} data-testid={`link-state-${view.bdf}`}>{up ? 'link up' : 'link down'}</span>
        <span className="link-detail">{view.qlen !== undefined ? `${view.qlen} descriptors per ring` : view.problem}</span>
      </header>
      <ul className="link-ends">
        {view.peers.map((p) => <li key={p.id}>{peerLabel(p)}: <b>{netState(p.state)}</b></li>)}
      </ul>
      <table className="link-table">
        <thead><tr><th>dir</th><th title="available ring index (sender's section)">avail</th><th title="used ring index (receiver's section)">used</th><th>frames</th><th>bytes</th><th title="missed: frames gone before the host looked">miss</th><th title="invalid: descriptors the receiver would refuse">bad</th></tr></thead>
        <tbody>
          {view.directions.map((d) => (
            <tr key={d.from} data-testid={`link-dir-${view.bdf}-${d.from}`} data-frames={d.frames} title={d.lastProblem ?? `event indices: used_event ${idx(d.usedEvent)}, avail_event ${idx(d.availEvent)}`}>
              <td>{d.from} → {d.to}</td><td>{idx(d.availIdx)}</td><td>{idx(d.usedIdx)}</td><td>{d.frames}</td><td>{bytesLabel(d.bytes)}</td>
              <td className={d.missed ? 'link-bad' : undefined}>{d.missed}</td><td className={d.invalid ? 'link-bad' : undefined}>{d.invalid}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ol className="link-frames" data-testid={`link-frames-${view.bdf}`} data-total={total} aria-label="Newest frames, oldest first">
        {view.recent.length === 0 && <li className="tool-hint">no frames yet</li>}
        {view.recent.map((f) => <FrameRow key={f.seq} frame={f} open={open === f.seq} onToggle={() => setOpen(open === f.seq ? undefined : f.seq)} />)}
      </ol>
      <div className="link-actions">
        <button type="button" data-testid={`save-capture-${view.bdf}`} disabled={!captured || captured.frames === 0}
          onClick={() => saveBytes(`${view.bdf.replace(/:/g, '_')}.pcap`, session.captures.pcap(view.bdf))}
          title="A pcap file of every frame since the machine started (tcpdump -r, Wireshark)">
          Save capture{captured ? ` (${captured.frames} frames${captured.dropped ? `, ${captured.dropped} let go` : ''})` : ''}
        </button>
      </div>
    </section>
  );
}

function FrameRow({ frame, open, onToggle }: { frame: CapturedFrame; open: boolean; onToggle(): void }) {
  const decoded = decodeFrame(frame.bytes);
  const ms = (frame.timeNs / 1e6).toFixed(3);
  const hex = useRef<HTMLPreElement>(null);
  useLayoutEffect(() => { if (open) hex.current?.scrollIntoView?.({ block: 'nearest' }); }, [open]);
  return (
    <li className="link-frame">
      <button type="button" className="link-frame-line" aria-expanded={open} onClick={onToggle} title="Show the bytes">
        <span className="link-frame-meta">{ms} ms · {frame.from}→{frame.to} · {frame.length} B</span><br />{decoded.summary}
      </button>
      {open && <pre ref={hex} className="hex" data-testid="frame-hex">{hexLines(0, frame.bytes).join('\n')}{frame.bytes.length < frame.length ? `\n… ${frame.length - frame.bytes.length} more bytes` : ''}</pre>}
    </li>
  );
}

function VirtioInspector({ view }: { view: VirtioLinkInspection }) {
  const end = (id: number) => view.peers.find((p) => p.id === id);
  const front = end(view.frontEnd), back = end(view.backEnd);
  return (
    <section className="link-inspector" aria-label={`virtio ${view.deviceName} link ${view.bdf}`} data-testid={`link-inspector-${view.bdf}`}>
      <header className="link-inspector-head">
        <strong>virtio-{view.deviceName} {view.bdf}</strong>
        <span className={view.deviceStatus & 4 ? 'link-up' : 'link-down'} data-testid={`virtio-status-${view.bdf}`}>
          status 0x{view.deviceStatus.toString(16)} {view.statusNames.join(' ')}
        </span>
      </header>
      <ul className="link-ends">
        <li>front-end {front ? peerLabel(front) : `peer ${view.frontEnd}`}: {front?.state === 1 ? 'ready' : `state ${front?.state ?? 0}`}</li>
        <li>back-end {back ? peerLabel(back) : `peer ${view.backEnd}`}: {back?.state === 1 ? 'ready' : `state ${back?.state ?? 0}`}</li>
      </ul>
      <p className="link-detail">
        features: device {view.deviceFeatures}, driver {view.driverFeatures}{view.negotiated.length > 0 ? ` (${view.negotiated.join(', ')})` : ''}
        {view.revision !== undefined ? ` · revision ${view.revision}` : ''}{view.configGeneration !== undefined ? ` · config generation ${view.configGeneration}` : ''}
      </p>
      <table className="link-table">
        <thead><tr><th>queue</th><th>size</th><th>enabled</th><th>avail</th><th>used</th><th>desc / driver / device</th></tr></thead>
        <tbody>
          {view.queues.length === 0 && <tr><td colSpan={6} className="tool-hint">no queue configured yet</td></tr>}
          {view.queues.map((q) => (
            <tr key={q.index} data-testid={`virtio-queue-${view.bdf}-${q.index}`}>
              <td>{q.index}</td><td>{q.size}</td><td>{q.enabled ? 'yes' : 'no'}</td><td>{idx(q.availIdx)}</td><td>{idx(q.usedIdx)}</td>
              <td className="mono">0x{q.desc.toString(16)} / 0x{q.driver.toString(16)} / 0x{q.device.toString(16)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="link-detail" data-testid={`virtio-counters-${view.bdf}`}>
        {view.writeTransactions} write transactions ({view.rates.writeTransactions}/s) · {view.kicks} kicks ({view.rates.kicks}/s) ·{' '}
        {view.notifications} notifications ({view.rates.notifications}/s){view.lastWrite ? ` · last write ${view.lastWrite}` : ''}
      </p>
    </section>
  );
}
