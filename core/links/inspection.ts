/*
 * What the link inspector tells a viewer (worker protocol, structured-clonable): per ivshmem link whose
 * protocol the lab understands, the state of both ends and what its shared memory says right now.
 */

/** A frame seen on an ivshmem-net link (bytes possibly cut: `length` is the frame's real length). */
export interface CapturedFrame {
  /** The link's bdf, "00:10.0". */
  link: string;
  /** Sender and receiver peer ids. */
  from: number;
  to: number;
  /** Virtual time when the host saw the frame announced, in nanoseconds since power-on. */
  timeNs: number;
  length: number;
  bytes: Uint8Array;
  /** Frames the link carried before this one (both directions). */
  seq: number;
}

/** ivshmem-net device states (the State register / state table). */
export const NET_STATE_NAMES = ['RESET', 'INIT', 'READY', 'RUN'] as const;

export interface PeerEnd {
  id: number;
  /** The cell connected as this peer, if any. */
  cell: string | undefined;
  /** Its state table entry. */
  state: number;
}

export interface NetDirection {
  from: number;
  to: number;
  /** avail.idx in the sender's section and used.idx in the receiver's (undefined: unreadable). */
  availIdx: number | undefined;
  usedIdx: number | undefined;
  /** Event-index suppression: the sender's used_event, the receiver's avail_event. */
  usedEvent: number | undefined;
  availEvent: number | undefined;
  /** Frames announced on the ring (avail.idx advanced) and their bytes. */
  frames: number;
  bytes: number;
  /** Frames announced but gone before the host could look (the ring moved more than its length at once). */
  missed: number;
  /** Descriptors the receiver would refuse (bad id, flags, offset or length). */
  invalid: number;
  /** The last invalid descriptor, described. */
  lastProblem: string | undefined;
}

export interface NetLinkInspection {
  kind: 'ivshmem-net';
  bdf: string;
  /** Ring entries per direction (2048 for the usual 0x7F000-byte output sections). */
  qlen: number | undefined;
  /** Why the sections cannot carry the driver's rings (no directions then). */
  problem: string | undefined;
  peers: PeerEnd[];
  /** 0 → 1, then 1 → 0. */
  directions: NetDirection[];
  /** The newest frames (at most RECENT_FRAMES, oldest first), each cut to RECENT_BYTES. */
  recent: CapturedFrame[];
}

export interface VirtioQueue {
  index: number;
  size: number;
  enabled: boolean;
  /** Offsets of the descriptor table, driver (available) and device (used) rings in the R/W section. */
  desc: number;
  driver: number;
  device: number;
  availIdx: number | undefined;
  usedIdx: number | undefined;
}

export interface VirtioLinkInspection {
  kind: 'virtio';
  bdf: string;
  /** Virtio device id (1 net, 2 block, 3 console) and its name. */
  device: number;
  deviceName: string;
  /** Peer ids of the driver (front-end) and device (back-end) side. */
  frontEnd: number;
  backEnd: number;
  peers: PeerEnd[];
  /** The header as it is now (undefined fields: the R/W section is too small or unmapped). */
  revision: number | undefined;
  deviceStatus: number;
  statusNames: string[];
  /** Feature bits as hex strings (64-bit), as far as the front-end selected them. */
  deviceFeatures: string;
  driverFeatures: string;
  /** Names of the features the driver accepted. */
  negotiated: string[];
  configGeneration: number | undefined;
  queues: VirtioQueue[];
  writeTransactions: number;
  /** Front-end → back-end kicks and back-end → front-end notifications. */
  kicks: number;
  notifications: number;
  /** Per virtual second, over the last inspection window. */
  rates: { writeTransactions: number; kicks: number; notifications: number };
  /** The last register write, described ("device_status = 0xf"). */
  lastWrite: string | undefined;
}

export type LinkInspection = NetLinkInspection | VirtioLinkInspection;
