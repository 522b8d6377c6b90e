// Link throughput for `npm run bench`: ping round trips and UDP frames/bytes over an ivshmem-net link,
// and virtio-blk transfers over virtio-ivshmem, in host time. Traffic is counted by the link inspector
// (frames and bytes it saw on the rings), not by the guests' own reports.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { NetLinkInspection, VirtioLinkInspection } from '../core/links/inspection.ts';
import { bootLabBoard, type LabBoard } from './lab-board.ts';

function netView(board: LabBoard, bdf: string): NetLinkInspection | undefined {
  const i = board.firmware.snapshot().links.find((l) => l.bdf === bdf)?.inspection;
  return i?.kind === 'ivshmem-net' ? i : undefined;
}

/** The root (peer 0) and the net-demo cell (peer 1) of the ivshmem-net lab, link up. */
async function netLab(labFile: string): Promise<LabBoard> {
  const board = await bootLabBoard(labFile, { deterministic: false });
  for (const line of [
    'jailhouse enable /etc/jailhouse/sysconfig.cell', 'ip addr add 192.168.19.1/24 dev eth0', 'ip link set eth0 up',
    'jailhouse cell create /etc/jailhouse/ivshmem-net.cell',
    'jailhouse cell load ivshmem-net /usr/libexec/jailhouse/demos/net-demo.bin -s "ip=192.168.19.2/24" -a 0x100',
  ]) board.shell(line);
  board.machine.input(0, new TextEncoder().encode('jailhouse cell start ivshmem-net\r'));
  board.waitFor('eth0: link up');
  // ARP resolved before measuring; the shell may or may not draw its prompt again after "link up".
  board.machine.input(0, new TextEncoder().encode('ping -c 1 192.168.19.2\r'));
  board.waitFor('1 packets transmitted');
  board.waitFor('~# ');
  return board;
}

export interface PingResult { trips: number; seconds: number; perSecond: number }

/** `ping -f` (the next request when the reply is in) from the root to the cell: round trips per host second. */
export async function pingRoundTrips(labFile: string, count = 500): Promise<PingResult | string> {
  if (!existsSync(labFile)) return `no ${basename(labFile)} in assets/labs`;
  const board = await netLab(labFile);
  const before = netView(board, '00:10.0')?.directions[1]?.frames ?? 0;
  const t0 = performance.now();
  board.machine.input(0, new TextEncoder().encode(`ping -f -q -c ${count} 192.168.19.2\r`));
  if (!board.waitFor('packets transmitted', 120_000)) return `ping -f did not finish within 2 minutes: ${board.transcript().slice(-300)}`;
  const seconds = (performance.now() - t0) / 1000;
  const replies = (netView(board, '00:10.0')?.directions[1]?.frames ?? 0) - before;
  if (replies === 0) return `no replies: ${board.transcript().slice(-400)}`;
  return { trips: replies, seconds, perSecond: replies / seconds };
}

export interface UdpResult { frames: number; bytes: number; seconds: number; framesPerSecond: number; mbPerSecond: number }

/** `udp send -n COUNT -s 1400` from the root to the cell's echo port: frames and bytes the root sent per host second. */
export async function udpThroughput(labFile: string, count = 2000, size = 1400): Promise<UdpResult | string> {
  if (!existsSync(labFile)) return `no ${basename(labFile)} in assets/labs`;
  const board = await netLab(labFile);
  const dir = () => netView(board, '00:10.0')?.directions[0];
  const f0 = dir()?.frames ?? 0, b0 = dir()?.bytes ?? 0;
  const t0 = performance.now();
  board.machine.input(0, new TextEncoder().encode(`udp send -n ${count} -s ${size} 192.168.19.2 7\r`));
  if (!board.waitFor('udp: sent', 120_000)) return `udp send did not finish within 2 minutes: ${board.transcript().slice(-300)}`;
  const seconds = (performance.now() - t0) / 1000;
  const frames = (dir()?.frames ?? 0) - f0, bytes = (dir()?.bytes ?? 0) - b0;
  return { frames, bytes, seconds, framesPerSecond: frames / seconds, mbPerSecond: bytes / seconds / 1e6 };
}

export interface BlkResult { bytes: number; seconds: number; mbPerSecond: number; requests: number }

/**
 * virtio-blk over virtio-ivshmem: the block lab's demo with `mib=N` writes and reads N MiB through the
 * root's back-end; MB/s of host time over that transfer, and the requests the inspector saw completed.
 */
export async function virtioBlkThroughput(labFile: string, mib = 4): Promise<BlkResult | string> {
  if (!existsSync(labFile)) return `no ${basename(labFile)} in assets/labs`;
  const board = await bootLabBoard(labFile, { deterministic: false });
  for (const line of [
    'jailhouse enable /etc/jailhouse/sysconfig.cell', 'virtio-ivshmem-block 00:0f.0 /var/lib/disks/virtio-blk.img &',
    'jailhouse cell create /etc/jailhouse/virtio-blk.cell',
    `jailhouse cell load virtio-blk /usr/libexec/jailhouse/demos/virtio-blk-demo.bin -s "mib=${mib}" -a 0x100`,
  ]) board.shell(line);
  board.machine.input(0, new TextEncoder().encode('jailhouse cell start virtio-blk\r'));
  if (!board.waitFor('read back ok', 120_000, 'cell:virtio-blk')) return `the block demo did not start within 2 minutes: ${board.transcript().slice(-300)}`;
  const t0 = performance.now();
  if (!board.waitFor(`wrote ${mib} MiB`, 300_000, 'cell:virtio-blk')) return `the block demo did not move ${mib} MiB within 5 minutes`;
  const seconds = (performance.now() - t0) / 1000;
  const view = board.firmware.snapshot().links.map((l) => l.inspection).find((i): i is VirtioLinkInspection => i?.kind === 'virtio' && i.device === 2);
  const requests = view?.queues.reduce((n, q) => n + (q.usedIdx ?? 0), 0) ?? 0;
  const bytes = 2 * mib * (1 << 20);
  return { bytes, seconds, mbPerSecond: bytes / seconds / 1e6, requests };
}
