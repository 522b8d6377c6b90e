import { NET_STATE_NAMES, type CapturedFrame, type NetDirection, type NetLinkInspection, type PeerEnd } from './inspection.ts';
import { netDescriptorProblem, netDirectionRing, netQueueGeometry, type NetQueueGeometry } from './ivshmem-net-layout.ts';
import type { SharedSection } from './section.ts';
import type { SplitRing } from './vring.ts';

/** Frames an inspection keeps for the view, and the bytes it keeps of each. */
export const RECENT_FRAMES = 16;
export const RECENT_BYTES = 2048;
/** Bytes one scan copies for the capture at most: a peer announcing huge frames costs the host little. */
const SCAN_COPY_BUDGET = 4 << 20;
/** Frame bytes a capture keeps (the pcap snap length). */
export const CAPTURE_SNAPLEN = 65535;
const STATE_READY = 2;

/** Where one direction's reading stands. */
class DirectionTap {
  /** avail.idx up to which the host has looked; undefined while the sender is below READY. */
  last: number | undefined;
  frames = 0;
  bytes = 0;
  missed = 0;
  invalid = 0;
  lastProblem: string | undefined;
  constructor(readonly from: number, readonly to: number, readonly ring: SplitRing, readonly sender: SharedSection) {}
}

/** A frame found by a scan, handed to whoever captures (the inspector). */
export type FrameSink = (frame: CapturedFrame) => void;

/**
 * Reads an ivshmem-net link from the outside: watches each sender's available ring and takes every
 * frame it announces from the sender's data area, without the guests' help or knowledge (read-only).
 *
 * A scan runs at every doorbell and every scheduling round. Frames stay in the data area until the
 * receiver marks them used and the sender reuses their slot, which takes far longer than a round, so in
 * practice none is missed; if avail.idx ever moved by more than the ring's length between two scans,
 * the surplus is counted in `missed`.
 */
export class NetLinkTap {
  readonly geometry: NetQueueGeometry | string;
  private readonly dirs: DirectionTap[] = [];
  private readonly recent: CapturedFrame[] = [];
  private seq = 0;
  private lastTime = 0;

  constructor(
    readonly bdf: string,
    /** The state table and the two output sections (peer 0, peer 1). */
    private readonly stateTable: SharedSection,
    outputs: readonly [SharedSection, SharedSection],
  ) {
    this.geometry = netQueueGeometry(Math.min(outputs[0].size, outputs[1].size));
    if (typeof this.geometry === 'string') return;
    this.dirs.push(new DirectionTap(0, 1, netDirectionRing(this.geometry, outputs[0], outputs[1]), outputs[0]));
    this.dirs.push(new DirectionTap(1, 0, netDirectionRing(this.geometry, outputs[1], outputs[0]), outputs[1]));
  }

  /** Peer `id`'s state table entry (0 when unreadable). */
  peerState(id: number): number {
    return this.stateTable.u32(4 * id) ?? 0;
  }

  /**
   * Looks at both directions; `capture` receives every new frame (full bytes up to the snap length).
   * Never throws: whatever the sections hold, the worst outcome is counted problems.
   */
  scan(timeNs: number, capture: FrameSink | undefined, note?: (from: number, frame: CapturedFrame) => void): void {
    for (const d of this.dirs) this.scanDirection(d, timeNs, capture, note, false);
  }

  /**
   * Peer `id`'s state changed from `old` to `now`: a sender leaving READY/RUN gets a last look, then the
   * direction is unwatched until it is READY again (its re-initialised ring starts where it then stands).
   */
  stateChanged(id: number, old: number, now: number, timeNs: number, capture: FrameSink | undefined): void {
    const d = this.dirs[id];
    if (d === undefined) return;
    if (old >= STATE_READY && d.last !== undefined) this.scanDirection(d, timeNs, capture, undefined, true);
    if (now < STATE_READY) d.last = undefined;
    else if (d.last === undefined) d.last = d.ring.availIdx();
  }

  private scanDirection(d: DirectionTap, timeNs: number, capture: FrameSink | undefined, note: ((from: number, f: CapturedFrame) => void) | undefined, force: boolean): void {
    const geometry = this.geometry as NetQueueGeometry;
    if (!force && this.peerState(d.from) < STATE_READY) { d.last = undefined; return; }
    const idx = d.ring.availIdx();
    if (idx === undefined) return;
    if (d.last === undefined) { d.last = idx; return; }
    let delta = (idx - d.last) & 0xffff;
    if (delta === 0) return;
    if (delta > geometry.qlen) {
      d.missed += delta - geometry.qlen;
      delta = geometry.qlen;
    }
    if (timeNs < this.lastTime) timeNs = this.lastTime; // a capture's timestamps never go back
    this.lastTime = timeNs;
    let budget = SCAN_COPY_BUDGET;
    for (let k = delta; k > 0; k--) {
      const at = (idx - k) & 0xffff;
      const id = d.ring.availEntry(at);
      const desc = id === undefined ? undefined : d.ring.descriptor(id);
      const problem = id === undefined ? 'available ring unreadable' : desc === undefined ? `descriptor id ${id} not below ${geometry.qlen}` : netDescriptorProblem(geometry, desc);
      if (problem !== undefined || desc === undefined) {
        d.invalid++;
        d.lastProblem = `avail[${at}]: ${problem}`;
        continue;
      }
      d.frames++;
      d.bytes += desc.len;
      const wanted = k <= RECENT_FRAMES || capture !== undefined || note !== undefined;
      if (!wanted) continue;
      const keep = capture !== undefined ? Math.min(desc.len, CAPTURE_SNAPLEN, Math.max(budget, 0)) : Math.min(desc.len, RECENT_BYTES);
      budget -= keep;
      if (capture !== undefined && keep < Math.min(desc.len, CAPTURE_SNAPLEN)) d.missed++;
      const bytes = d.sender.bytes(desc.addr, keep) ?? new Uint8Array(0);
      const frame: CapturedFrame = { link: this.bdf, from: d.from, to: d.to, timeNs, length: desc.len, bytes, seq: this.seq++ };
      if (capture !== undefined && bytes.length > 0) capture(frame);
      note?.(d.from, frame);
      if (k <= RECENT_FRAMES) {
        // A copy of its own: the capture's bytes are transferred to the viewer (and so detached) later.
        this.recent.push({ ...frame, bytes: bytes.slice(0, RECENT_BYTES) });
        if (this.recent.length > RECENT_FRAMES) this.recent.shift();
      }
    }
    d.last = idx;
  }

  inspect(peers: PeerEnd[]): NetLinkInspection {
    const problem = typeof this.geometry === 'string' ? this.geometry : undefined;
    const directions: NetDirection[] = this.dirs.map((d) => ({
      from: d.from, to: d.to, availIdx: d.ring.availIdx(), usedIdx: d.ring.usedIdx(), usedEvent: d.ring.usedEvent(), availEvent: d.ring.availEvent(),
      frames: d.frames, bytes: d.bytes, missed: d.missed, invalid: d.invalid, lastProblem: d.lastProblem,
    }));
    return {
      kind: 'ivshmem-net', bdf: this.bdf, qlen: typeof this.geometry === 'string' ? undefined : this.geometry.qlen, problem,
      peers, directions, recent: [...this.recent],
    };
  }
}

export function netStateName(state: number): string {
  return NET_STATE_NAMES[state] ?? `0x${state.toString(16)}`;
}
