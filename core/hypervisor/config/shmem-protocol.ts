/**
 * Whether two peers' shmem_protocol values make one link (shared/spec/ivshmem.md, virtio-ivshmem.md).
 * Most protocols are symmetric: every peer names the same one. A virtio link is not: one peer is the
 * driver (front-end, 0x8000 + device id) and the other the device (back-end, 0xC000 + the same id).
 */
import { SHMEM_PROTO_VIRTIO_BACK, SHMEM_PROTO_VIRTIO_FRONT } from './types.js';
import { protocolName } from './names.js';

/** The smallest virtio R/W section: the header page and at least one page for rings and buffers. */
export const VIRTIO_MIN_RW_SIZE = 0x2000n;

export interface VirtioRole {
  role: 'front-end' | 'back-end';
  device: number;
}

/** The virtio role a protocol value names, or undefined for the other protocols. */
export function virtioRole(protocol: number): VirtioRole | undefined {
  if (protocol >= SHMEM_PROTO_VIRTIO_BACK && protocol <= 0xffff) return { role: 'back-end', device: protocol - SHMEM_PROTO_VIRTIO_BACK };
  if (protocol >= SHMEM_PROTO_VIRTIO_FRONT && protocol < SHMEM_PROTO_VIRTIO_BACK) return { role: 'front-end', device: protocol - SHMEM_PROTO_VIRTIO_FRONT };
  return undefined;
}

/** undefined when peers with protocols `a` and `b` can share a link, else why not (both names given). */
export function protocolMismatch(a: number, b: number): string | undefined {
  const va = virtioRole(a), vb = virtioRole(b);
  if (va === undefined || vb === undefined) {
    return a === b ? undefined : `disagree on the protocol (${protocolName(a)} vs ${protocolName(b)})`;
  }
  if (va.device !== vb.device || va.role === vb.role) {
    return `are no virtio front-end/back-end pair (${protocolName(a)} vs ${protocolName(b)}; a virtio link needs virtio-front-X on one end and virtio-back-X on the other)`;
  }
  return undefined;
}
