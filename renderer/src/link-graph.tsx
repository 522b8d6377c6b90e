// One ivshmem link as a graph: the link (its bdf and doorbell count) at the top, each peer slot in a
// row below it joined by an edge labelled with the doorbells the peer rang and the interrupts it
// received. Peers that are not connected yet are drawn dashed. Numbers come live from the snapshots.
import type { LinkSnapshot, MachineSnapshot } from '../../core/worker/machine-snapshot.ts';
import { cellColour } from './machine-panel.tsx';

const WIDTH = 348;
const HEIGHT = 124;
const CX = WIDTH / 2;
/** The link's box at the top, the peers in a row below it. */
const HUB_Y = 4, HUB_H = 36, NODE_Y = 84, NODE_H = 36;

/** A peer's State register (0 after reset; other values are the application protocol's). */
function stateLabel(state: number): string {
  return `state ${state}`;
}

export function LinkGraph({ link, machine }: { link: LinkSnapshot; machine: MachineSnapshot }) {
  const slots = Array.from({ length: link.peers }, (_, id) => link.endpoints.find((e) => e.id === id));
  const gap = 8;
  const nodeW = Math.min(120, (WIDTH - gap * (link.peers - 1)) / link.peers);
  const rowW = nodeW * link.peers + gap * (link.peers - 1);
  const at = (k: number) => ({ x: (WIDTH - rowW) / 2 + k * (nodeW + gap) + nodeW / 2, y: NODE_Y });
  const chars = Math.max(4, Math.floor(nodeW / 7.2));
  const summary = `ivshmem ${link.bdf}: ${link.endpoints.length} of ${link.peers} peers connected` +
    `${link.endpoints.length > 0 ? ` (${link.endpoints.map((e) => `peer ${e.id} ${e.cell}`).join(', ')})` : ''}; ` +
    `${link.doorbells} doorbells, ${link.interrupts} interrupts, ${link.stateChanges} state changes`;
  return (
    <figure className="link" data-testid={`link-${link.bdf}`} data-doorbells={link.doorbells}>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" role="img" aria-label={summary}>
        {slots.map((ep, k) => {
          const p = at(k);
          const colour = ep ? cellColour(machine, ep.cell) ?? 'currentColor' : 'currentColor';
          return (
            <g key={k}>
              <line x1={CX} y1={HUB_Y + HUB_H} x2={p.x} y2={p.y} stroke={colour} strokeWidth={ep ? 2 : 1}
                strokeDasharray={ep ? undefined : '4 3'} opacity={ep ? 1 : 0.5} />
              {ep && (
                <text x={p.x} y={p.y - 6} textAnchor="middle" className="link-edge-label">
                  <title>{`${ep.cell} rang ${ep.sent} doorbells and received ${ep.received} interrupts`}</title>
                  ↑{ep.sent} ↓{ep.received}
                </text>
              )}
            </g>
          );
        })}
        <rect x={CX - 60} y={HUB_Y} width={120} height={HUB_H} rx={6} className="link-hub" />
        <text x={CX} y={HUB_Y + 15} textAnchor="middle" className="link-hub-title">ivshmem {link.bdf}</text>
        <text x={CX} y={HUB_Y + 29} textAnchor="middle" className="link-hub-count" data-testid={`link-doorbells-${link.bdf}`}>
          {link.doorbells} doorbells
        </text>
        {slots.map((ep, k) => {
          const p = at(k);
          const colour = ep ? cellColour(machine, ep.cell) ?? 'currentColor' : 'currentColor';
          return (
            <g key={`n${k}`} opacity={ep ? 1 : 0.55}>
              <title>{ep ? `peer ${k}: cell ${ep.cell}, state ${ep.state}, interrupts ${ep.interruptsEnabled ? 'enabled' : 'disabled'}${ep.memoryEnabled ? `, BAR0 at 0x${ep.bar0.toString(16)}` : ''}` : `peer ${k}: no cell connected`}</title>
              <rect x={p.x - nodeW / 2} y={p.y} width={nodeW} height={NODE_H} rx={5} className="link-node"
                stroke={colour} strokeDasharray={ep ? undefined : '4 3'} />
              <text x={p.x} y={p.y + 15} textAnchor="middle" className="link-node-name">
                {ep ? truncate(ep.cell, chars) : 'not connected'}
              </text>
              <text x={p.x} y={p.y + 29} textAnchor="middle" className="link-node-detail">
                peer {k}{ep ? ` · ${stateLabel(ep.state)}` : ''}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="link-caption">
        protocol 0x{link.protocol.toString(16)} · 0x{link.start.toString(16)}–0x{link.end.toString(16)} ·{' '}
        {link.interrupts} interrupts · {link.stateChanges} state changes
      </figcaption>
    </figure>
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
