// `--pcap DIR`: one pcap file per ivshmem-net link, appended to as the worker streams frames.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CapturedFrame } from '../links/inspection.ts';
import { pcapHeader, pcapRecord } from '../links/pcap.ts';
import type { MachineSnapshot } from '../worker/machine-snapshot.ts';

export class PcapDirectory {
  private readonly files = new Map<string, { path: string; frames: number }>();
  dropped = 0;

  /** Creates DIR if needed; throws an Error naming DIR and the reason when it cannot. */
  constructor(private readonly dir: string, private readonly prefix: string) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new Error(`--pcap ${dir}: cannot create the directory: ${(error as Error).message}`);
    }
  }

  /** "<lab>-00_10.0.pcap" for link 00:10.0. */
  private file(bdf: string): { path: string; frames: number } {
    let f = this.files.get(bdf);
    if (f === undefined) {
      f = { path: join(this.dir, `${this.prefix}-${bdf.replace(/:/g, '_')}.pcap`), frames: 0 };
      writeFileSync(f.path, pcapHeader());
      this.files.set(bdf, f);
    }
    return f;
  }

  /** Every ivshmem-net link gets its file as soon as it exists, frames or not. */
  noteLinks(snapshot: MachineSnapshot): void {
    for (const link of snapshot.links) if (link.inspection?.kind === 'ivshmem-net') this.file(link.bdf);
  }

  write(frames: CapturedFrame[], dropped: number): void {
    this.dropped += dropped;
    const byLink = new Map<string, Uint8Array[]>();
    for (const f of frames) {
      const list = byLink.get(f.link) ?? [];
      list.push(pcapRecord(f.timeNs, f.bytes, f.length));
      byLink.set(f.link, list);
    }
    for (const [bdf, records] of byLink) {
      const file = this.file(bdf);
      appendFileSync(file.path, Buffer.concat(records));
      file.frames += records.length;
    }
  }

  /** "wrote 12 frames to DIR/x.pcap" per file. */
  summary(): string[] {
    const lines = [...this.files.values()].map((f) => `pcap: ${f.frames} frames in ${f.path}`);
    if (this.dropped > 0) lines.push(`pcap: ${this.dropped} frames dropped (the capture fell behind)`);
    return lines;
  }
}
