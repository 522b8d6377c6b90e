// The frames of the session's ivshmem-net links, as the worker streams them (capture is on in the app),
// kept per link for "Save capture": a pcap file with the machine's virtual time stamps.
import type { CapturedFrame } from '../../core/links/inspection.ts';
import { pcapFile } from '../../core/links/pcap.ts';

/** Frames kept per link; older ones are let go (and counted) so a long run cannot fill memory. */
export const CAPTURE_KEEP = 20000;

export interface CaptureCounts {
  /** Per link bdf: frames held, and frames let go or dropped by the worker. */
  readonly [bdf: string]: { frames: number; dropped: number } | undefined;
}

export class CaptureStore {
  private readonly frames = new Map<string, CapturedFrame[]>();
  private counts: CaptureCounts = {};
  private readonly listeners = new Set<() => void>();
  private workerDropped = 0;

  add(frames: CapturedFrame[], dropped: number): void {
    this.workerDropped += dropped;
    const next: Record<string, { frames: number; dropped: number } | undefined> = { ...this.counts };
    for (const f of frames) {
      let list = this.frames.get(f.link);
      if (list === undefined) this.frames.set(f.link, (list = []));
      list.push(f);
      const c = next[f.link] ?? { frames: 0, dropped: 0 };
      next[f.link] = { frames: c.frames + 1, dropped: c.dropped };
    }
    for (const [bdf, list] of this.frames) {
      if (list.length <= CAPTURE_KEEP) continue;
      const over = list.length - CAPTURE_KEEP;
      list.splice(0, over);
      next[bdf] = { frames: list.length, dropped: (next[bdf]?.dropped ?? 0) + over };
    }
    this.counts = next;
    for (const l of this.listeners) l();
  }

  clear(): void {
    this.frames.clear();
    this.counts = {};
    for (const l of this.listeners) l();
  }

  /** The link's frames as a pcap file (LINKTYPE_ETHERNET). */
  pcap(bdf: string): Uint8Array {
    return pcapFile((this.frames.get(bdf) ?? []).map((f) => ({ timeNs: f.timeNs, bytes: f.bytes, length: f.length })));
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getCounts = (): CaptureCounts => this.counts;
}

/** Offers bytes as a download (the browser's save flow; Electron shows its save dialog). */
export function saveBytes(name: string, bytes: Uint8Array, type = 'application/vnd.tcpdump.pcap'): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
