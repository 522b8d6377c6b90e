/*
 * One end of an ivshmem-net link as Linux's drivers/net/ivshmem-net.c (ivshmem 2.0 version) drives it,
 * written from the driver's code for the tests: it lays out rings and frames in a byte array exactly as
 * the driver would, independently of core/links, so the inspector is checked against the real layout.
 *   ivshm_net_calc_qsize: qlen 4096 halved until vring_size(qlen, 64) aligned to 64 < section / 8
 *   ivshm_net_init_queues: memset own section; vring_init(tx, own), vring_init(rx, peer's); swap used
 *   ivshm_net_xmit: desc from the free list, data at tx_advance(head, len), desc.addr = offset in the
 *                   own section, desc.len = len, flags 0, avail.ring[idx & (qlen-1)] = desc, avail.idx++
 *   ivshm_net_rx_finish: used.ring[..] = { id, len: 1 } in the receiver's own section, used.idx++
 */
export class LinuxNetPeer {
  qlen = 0;
  vrsize = 0;
  private lastAvail = 0;
  private lastUsedTx = 0;
  private lastAvailRx = 0;
  private lastUsedRx = 0;
  private head = 0;
  private tail = 0;
  private freeHead = 0;
  private numFree = 0;
  private readonly dv: DataView;

  /** `own`/`peer`: byte offsets of the two output sections in `mem`, each `shmlen` bytes. */
  constructor(readonly mem: Uint8Array, readonly own: number, readonly peer: number, readonly shmlen: number) {
    this.dv = new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
    let qlen = 4096;
    for (; qlen > 32; qlen >>= 1) {
      this.vrsize = this.align(this.usedAt(qlen) + 6 + 8 * qlen, 64);
      if (this.vrsize < shmlen / 8) break;
    }
    this.qlen = qlen;
  }

  private align(v: number, a: number): number { return Math.ceil(v / a) * a; }
  private availAt(q = this.qlen): number { return 16 * q; }
  private usedAt(q = this.qlen): number { return this.align(16 * q + 2 * (3 + q), 64); }
  get qsize(): number { return this.shmlen - this.vrsize; }

  init(): void {
    this.mem.fill(0, this.own, this.own + this.shmlen);
    this.numFree = this.qlen;
    for (let i = 0; i < this.qlen - 1; i++) this.dv.setUint16(this.own + 16 * i + 14, i + 1, true);
    this.lastAvail = this.lastUsedTx = this.lastAvailRx = this.lastUsedRx = this.head = this.tail = this.freeHead = 0;
  }

  private advance(pos: number, len: number): [number, number] {
    const slot = this.align(18 + len, 64);
    const p = this.qsize - pos < slot ? 0 : pos;
    return [p, p + slot];
  }

  /** Transmits one frame (after cleaning what the peer consumed); false when the ring is full. */
  xmit(frame: Uint8Array): boolean {
    this.txClean();
    if (this.numFree < 1) return false;
    const d = this.freeHead;
    const descAt = this.own + 16 * d;
    this.freeHead = this.dv.getUint16(descAt + 14, true);
    this.numFree--;
    const [at, next] = this.advance(this.head, frame.length);
    this.head = next;
    const offset = this.vrsize + at;
    this.mem.set(frame, this.own + offset);
    this.dv.setBigUint64(descAt, BigInt(offset), true);
    this.dv.setUint32(descAt + 8, frame.length, true);
    this.dv.setUint16(descAt + 12, 0, true);
    this.dv.setUint16(this.own + this.availAt() + 4 + 2 * (this.lastAvail & (this.qlen - 1)), d, true);
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    this.dv.setUint16(this.own + this.availAt() + 2, this.lastAvail, true);
    return true;
  }

  /** Frees descriptors the peer marked used (the TX used ring lives in the peer's section). */
  private txClean(): void {
    const used = this.peer + this.usedAt();
    while (this.lastUsedTx !== this.dv.getUint16(used + 2, true)) {
      const id = this.dv.getUint32(used + 4 + 8 * (this.lastUsedTx % this.qlen), true);
      const len = this.dv.getUint32(this.own + 16 * id + 8, true);
      this.tail = this.advance(this.tail, len)[1];
      this.dv.setUint16(this.own + 16 * id + 14, this.freeHead, true);
      this.freeHead = id;
      this.numFree++;
      this.lastUsedTx = (this.lastUsedTx + 1) & 0xffff;
    }
  }

  /** Receives every frame the peer announced; marks them used in the own section. */
  receive(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const avail = this.peer + this.availAt();
    while (this.lastAvailRx !== this.dv.getUint16(avail + 2, true)) {
      const id = this.dv.getUint16(avail + 4 + 2 * (this.lastAvailRx & (this.qlen - 1)), true);
      this.lastAvailRx = (this.lastAvailRx + 1) & 0xffff;
      const off = Number(this.dv.getBigUint64(this.peer + 16 * id, true));
      const len = this.dv.getUint32(this.peer + 16 * id + 8, true);
      out.push(this.mem.slice(this.peer + off, this.peer + off + len));
      const used = this.own + this.usedAt();
      this.dv.setUint32(used + 4 + 8 * (this.lastUsedRx & (this.qlen - 1)), id, true);
      this.dv.setUint32(used + 8 + 8 * (this.lastUsedRx & (this.qlen - 1)), 1, true);
      this.lastUsedRx = (this.lastUsedRx + 1) & 0xffff;
      this.dv.setUint16(used + 2, this.lastUsedRx, true);
    }
    return out;
  }
}

/** Builds an Ethernet + IPv4 + ICMP echo frame with correct checksums. */
export function icmpEcho(opts: { request: boolean; src: string; dst: string; id: number; seq: number; data?: Uint8Array }): Uint8Array {
  const data = opts.data ?? Uint8Array.from({ length: 56 }, (_, k) => k);
  const f = new Uint8Array(14 + 20 + 8 + data.length);
  f.set([0x02, 0, 0, 0, 0, opts.request ? 2 : 1, 0x02, 0, 0, 0, 0, opts.request ? 1 : 2, 0x08, 0x00]);
  ipv4Header(f, 14, 1, opts.src, opts.dst, 20 + 8 + data.length);
  f[34] = opts.request ? 8 : 0;
  f[38] = opts.id >> 8; f[39] = opts.id & 0xff; f[40] = opts.seq >> 8; f[41] = opts.seq & 0xff;
  f.set(data, 42);
  const c = checksum(f, 34, 8 + data.length);
  f[36] = c >> 8; f[37] = c & 0xff;
  return f;
}

export function udpFrame(src: string, dst: string, srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + payload.length);
  f.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
  ipv4Header(f, 14, 17, src, dst, 28 + payload.length);
  f[34] = srcPort >> 8; f[35] = srcPort & 0xff; f[36] = dstPort >> 8; f[37] = dstPort & 0xff;
  f[38] = (8 + payload.length) >> 8; f[39] = (8 + payload.length) & 0xff;
  f.set(payload, 42);
  return f;
}

function ipv4Header(f: Uint8Array, at: number, proto: number, src: string, dst: string, total: number): void {
  f[at] = 0x45; f[at + 2] = total >> 8; f[at + 3] = total & 0xff; f[at + 8] = 64; f[at + 9] = proto;
  f.set(src.split('.').map(Number), at + 12);
  f.set(dst.split('.').map(Number), at + 16);
  const c = checksum(f, at, 20);
  f[at + 10] = c >> 8; f[at + 11] = c & 0xff;
}

function checksum(b: Uint8Array, at: number, len: number): number {
  let sum = 0;
  for (let k = 0; k < len; k += 2) sum += (b[at + k]! << 8) | (k + 1 < len ? b[at + k + 1]! : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
