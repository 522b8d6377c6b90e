import type { SharedSection } from './section.ts';
import { SplitRing, vringLayout } from './vring.ts';

/*
 * Where the Linux ivshmem-net driver (protocol 0x0001) keeps its queues (docs/ivshmem-net.md):
 * each peer's output section starts with one vring (vring_init with 64-byte alignment) followed by the
 * data area its frames are copied into. The peer transmits with that ring's descriptors and available
 * ring; the used ring of the same section belongs to the peer's *receive* direction (the driver swaps
 * the used rings), so for frames from A to B:
 *   descriptors + available ring  in A's section (A writes)
 *   used ring                     in B's section (B writes)
 *   frame bytes                   in A's data area, at descriptor.addr (an offset in A's section)
 */

export const NET_VQ_ALIGN = 64;
/** The driver's first queue length; halved until the ring takes less than 1/8 of the section. */
export const NET_QLEN_MAX = 4096;
const NET_QLEN_MIN = 32;
/** Minimum data area: 4 frames of the smallest Ethernet MTU (68), as Linux's ETH_MIN_MTU check. */
const NET_MIN_DATA = 4 * 68;

/** A frame's slot in the data area: align(18 + len, 64) (the driver's IVSHM_NET_FRAME_SIZE with 64-byte lines). */
export function netFrameSlot(len: number): number {
  return Math.ceil((18 + len) / 64) * 64;
}

export interface NetQueueGeometry {
  /** Entries of each ring. */
  qlen: number;
  /** Offset of the used ring inside a section. */
  usedOffset: number;
  /** Bytes the ring takes, 64-byte aligned: the data area starts here. */
  vrsize: number;
  /** Size of the data area (section size - vrsize). */
  dataSize: number;
}

/** The driver's ivshm_net_calc_qsize() for an output section of `sectionSize` bytes, or why it refuses it. */
export function netQueueGeometry(sectionSize: number): NetQueueGeometry | string {
  // As the driver's loop: when no length down to 64 fits, it ends with qlen 32 but the ring size of 64.
  let qlen = NET_QLEN_MAX, vrsize = 0;
  for (; qlen > NET_QLEN_MIN; qlen >>= 1) {
    vrsize = Math.ceil(vringLayout(qlen, NET_VQ_ALIGN).size / NET_VQ_ALIGN) * NET_VQ_ALIGN;
    if (vrsize < sectionSize / 8) break;
  }
  if (vrsize > sectionSize) return `an output section of ${sectionSize} bytes cannot hold a ${qlen}-entry ring`;
  if (sectionSize - vrsize < NET_MIN_DATA) return `an output section of ${sectionSize} bytes leaves no room for frames after its ring`;
  return { qlen, usedOffset: vringLayout(qlen, NET_VQ_ALIGN).used, vrsize, dataSize: sectionSize - vrsize };
}

/** The ring of the direction sender → receiver, given both output sections. */
export function netDirectionRing(geometry: NetQueueGeometry, sender: SharedSection, receiver: SharedSection): SplitRing {
  const layout = vringLayout(geometry.qlen, NET_VQ_ALIGN);
  return new SplitRing(geometry.qlen, { section: sender, offset: layout.desc }, { section: sender, offset: layout.avail },
    { section: receiver, offset: geometry.usedOffset });
}

/** Why a transmit descriptor is not a frame the receiver would accept (the driver's ivshm_net_desc_data()), or undefined. */
export function netDescriptorProblem(geometry: NetQueueGeometry, d: { addr: number; len: number; flags: number }): string | undefined {
  if (d.flags !== 0) return `flags 0x${d.flags.toString(16)} (must be 0)`;
  const end = geometry.vrsize + geometry.dataSize;
  if (d.addr < geometry.vrsize || d.addr >= end) return `offset 0x${d.addr.toString(16)} outside the data area 0x${geometry.vrsize.toString(16)}..0x${end.toString(16)}`;
  if (d.len > end - d.addr) return `length ${d.len} at 0x${d.addr.toString(16)} runs past the section's end`;
  return undefined;
}
