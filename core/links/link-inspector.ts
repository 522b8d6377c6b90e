import { formatBdf, type Ivshmem, type IvshmemCell, type IvshmemEndpoint, type IvshmemLink, type IvshmemObserver } from '../hypervisor/ivshmem.ts';
import { decodeFrame } from './ethernet.ts';
import type { CapturedFrame, LinkInspection, PeerEnd } from './inspection.ts';
import { NetLinkTap, netStateName } from './net-tap.ts';
import { SharedSection } from './section.ts';
import { VirtioLinkTap } from './virtio-tap.ts';

export const PROTOCOL_IVSHMEM_NET = 0x0001;
const VIRTIO_FRONT = 0x8000, VIRTIO_BACK = 0xc000;
/** Frames a capture holds between two takeFrames() at most; beyond, the oldest are dropped and counted. */
const CAPTURE_QUEUE = 65536;

/** What the inspector needs from the machine around it. */
export interface LinkInspectorHost {
  ram: { u8: Uint8Array; offsetOf(hpa: number): number };
  /** Virtual time in nanoseconds as a CPU of `cell` sees it now (the round's start without a cell). */
  nowNs(cell?: IvshmemCell): number;
  readonly tracing: boolean;
  trace(cell: IvshmemCell, detail: string): void;
}

type Tap = NetLinkTap | VirtioLinkTap;

/**
 * The host's view into ivshmem links whose protocol it knows: ivshmem-net (rings, frames, capture) and
 * virtio over ivshmem (status, features, queues, transactions). It observes the ivshmem model
 * (doorbells, state changes, scheduling rounds) and reads shared memory; it never writes it, so guests
 * behave the same with or without it.
 */
export class LinkInspector implements IvshmemObserver {
  private readonly taps = new Map<IvshmemLink, Tap | undefined>();
  private capturing = false;
  private captured: CapturedFrame[] = [];
  private dropped = 0;

  constructor(private readonly host: LinkInspectorHost, private readonly ivshmem: Ivshmem) {}

  /** Whether frames are collected for takeFrames() (a pcap); counters and the recent frames always are. */
  setCapture(on: boolean): void {
    this.capturing = on;
    if (!on) this.captured = [];
  }

  /** The frames captured since the last call, oldest first, and how many were dropped for lack of room. */
  takeFrames(): { frames: CapturedFrame[]; dropped: number } {
    const out = { frames: this.captured, dropped: this.dropped };
    this.captured = [];
    this.dropped = 0;
    return out;
  }

  // ---- IvshmemObserver ----

  doorbell(link: IvshmemLink, from: IvshmemEndpoint, target: number, _vector: number): void {
    const tap = this.tap(link);
    if (tap instanceof NetLinkTap) {
      tap.scan(this.host.nowNs(from.cell), this.sink, this.host.tracing ? this.traceFrame(link) : undefined);
    } else if (tap instanceof VirtioLinkTap) {
      const what = tap.doorbell(from.id);
      if (this.host.tracing) this.host.trace(from.cell, `virtio-${tap.device === 2 ? 'blk' : tap.device === 3 ? 'console' : tap.device} ${tap.bdf}: ${what} (doorbell ${from.id} -> ${target})`);
    }
  }

  stateChange(link: IvshmemLink, peer: IvshmemEndpoint, old: number, now: number): void {
    const tap = this.tap(link);
    if (tap instanceof NetLinkTap) tap.stateChanged(peer.id, old, now, this.host.nowNs(peer.cell), this.sink);
  }

  round(): void {
    if (this.taps.size === 0 && this.ivshmem.links.size === 0) return;
    let time: number | undefined;
    for (const link of this.ivshmem.links.values()) {
      const tap = this.tap(link);
      if (tap instanceof NetLinkTap) tap.scan(time ??= this.host.nowNs(), this.sink, this.host.tracing ? this.traceFrame(link) : undefined);
    }
  }

  /** Every link the inspector understands, by bdf. */
  inspect(): Map<string, LinkInspection> {
    const out = new Map<string, LinkInspection>();
    for (const link of this.taps.keys()) if (this.ivshmem.links.get(link.bdf) !== link) this.taps.delete(link);
    for (const link of this.ivshmem.links.values()) {
      const tap = this.tap(link);
      if (tap === undefined) continue;
      const peers: PeerEnd[] = Array.from({ length: link.peers }, (_, id) => ({ id, cell: link.endpoints[id]?.cell.name, state: tap.peerState(id) }));
      out.set(tap.bdf, tap instanceof NetLinkTap ? tap.inspect(peers) : tap.inspect(peers, this.host.nowNs()));
    }
    return out;
  }

  private readonly sink = (frame: CapturedFrame): void => {
    if (!this.capturing) return;
    if (this.captured.length >= CAPTURE_QUEUE) { this.captured.shift(); this.dropped++; }
    this.captured.push(frame);
  };

  private traceFrame(link: IvshmemLink): (from: number, frame: CapturedFrame) => void {
    return (from, frame) => {
      const ep = link.endpoints[from];
      if (ep) this.host.trace(ep.cell, `ivshmem-net ${frame.link}: frame ${frame.from} -> ${frame.to}, ${frame.length} bytes: ${decodeFrame(frame.bytes).summary}`);
    };
  }

  /** The tap of `link`, made on first sight (undefined: a protocol the inspector does not read). */
  private tap(link: IvshmemLink): Tap | undefined {
    if (this.taps.has(link)) return this.taps.get(link);
    const tap = makeTap(link, this.host.ram);
    this.taps.set(link, tap);
    return tap;
  }
}

function makeTap(link: IvshmemLink, ram: LinkInspectorHost['ram']): Tap | undefined {
  const section = (k: number) => {
    const r = link.regions[k];
    return r === undefined ? new SharedSection(ram.u8, 0, 0) : SharedSection.of(ram, Number(r.phys_start), Number(r.size));
  };
  const bdf = formatBdf(link.bdf);
  if (link.protocol === PROTOCOL_IVSHMEM_NET && link.peers === 2) return new NetLinkTap(bdf, section(0), [section(2), section(3)]);
  // virtio: the front-end's protocol is 0x8000 + device, the back-end's 0xC000 + device; two peers.
  const protocols = link.endpoints.map((e) => e?.dev.shmem_protocol);
  const known = protocols.find((p) => p !== undefined && p >= VIRTIO_FRONT) ?? link.protocol;
  if (known < VIRTIO_FRONT || link.peers !== 2) return undefined;
  const device = known & 0x3fff;
  const backIndex = protocols.findIndex((p) => p !== undefined && p >= VIRTIO_BACK);
  const frontIndex = protocols.findIndex((p) => p !== undefined && p >= VIRTIO_FRONT && p < VIRTIO_BACK);
  const backEnd = backIndex >= 0 ? backIndex : frontIndex >= 0 ? 1 - frontIndex : 0;
  return new VirtioLinkTap(bdf, device, 1 - backEnd, backEnd, section(0), section(1));
}

export { netStateName };
