import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../core/links/ethernet.ts';
import type { CapturedFrame } from '../../core/links/inspection.ts';
import { netFrameSlot, netQueueGeometry } from '../../core/links/ivshmem-net-layout.ts';
import { NetLinkTap } from '../../core/links/net-tap.ts';
import { SharedSection } from '../../core/links/section.ts';
import { vringLayout } from '../../core/links/vring.ts';
import { LinuxNetPeer, icmpEcho, udpFrame } from './linux-net-peer.ts';

// JAILHOUSE_SHMEM_NET_REGIONS at BASE: state table page, empty R/W section, two 0x7F000 output sections.
const BASE = 0xbf70_0000, OUT = 0x7f000;
const GUARD = 0x1000, GUARD_BYTE = 0xa5;

function net() {
  const mem = new Uint8Array(GUARD + 0x100000 + GUARD).fill(GUARD_BYTE);
  mem.fill(0, GUARD, GUARD + 0x100000);
  const ram = { u8: mem, offsetOf: (hpa: number) => hpa - (BASE - GUARD) };
  const state = SharedSection.of(ram, BASE, 0x1000);
  const out0 = SharedSection.of(ram, BASE + 0x1000, OUT), out1 = SharedSection.of(ram, BASE + 0x80000, OUT);
  const tap = new NetLinkTap('00:10.0', state, [out0, out1]);
  const dv = new DataView(mem.buffer);
  const setState = (id: number, value: number) => {
    const old = dv.getUint32(GUARD + 4 * id, true);
    dv.setUint32(GUARD + 4 * id, value, true);
    tap.stateChanged(id, old, value, 0, undefined);
  };
  const a = new LinuxNetPeer(mem, GUARD + 0x1000, GUARD + 0x80000, OUT);
  const b = new LinuxNetPeer(mem, GUARD + 0x80000, GUARD + 0x1000, OUT);
  return { mem, tap, setState, a, b, up: () => { a.init(); b.init(); for (const v of [1, 2, 3]) { setState(0, v); setState(1, v); } } };
}

describe('ivshmem-net queue geometry (the Linux driver\'s ivshm_net_calc_qsize)', () => {
  it('0x7F000-byte sections: qlen 2048, ring 53376 bytes, used ring at 36928', () => {
    const g = netQueueGeometry(0x7f000);
    expect(g).toEqual({ qlen: 2048, usedOffset: 36928, vrsize: 53376, dataSize: 0x7f000 - 53376 });
    expect(new LinuxNetPeer(new Uint8Array(0), 0, 0, 0x7f000)).toMatchObject({ qlen: 2048, vrsize: 53376 });
  });

  it('vring_init offsets with 64-byte alignment', () => {
    expect(vringLayout(2048, 64)).toEqual({ desc: 0, avail: 32768, used: 36928, size: 36928 + 6 + 8 * 2048 });
    expect(vringLayout(256, 64)).toEqual({ desc: 0, avail: 4096, used: 4672, size: 4672 + 6 + 2048 });
  });

  it('smaller and larger sections halve less or more; too small a section is refused with a reason', () => {
    for (const size of [0x2000, 0x10000, 0x40000, 0x100000, 0x400000]) {
      const g = netQueueGeometry(size);
      const peer = new LinuxNetPeer(new Uint8Array(0), 0, 0, size);
      expect(g, `section 0x${size.toString(16)}`).toMatchObject({ qlen: peer.qlen, vrsize: peer.vrsize });
    }
    expect(netQueueGeometry(0x100)).toMatch(/cannot hold|no room/);
  });

  it('frame slots are align(18 + len, 64)', () => {
    expect([netFrameSlot(0), netFrameSlot(46), netFrameSlot(47), netFrameSlot(98), netFrameSlot(1514)]).toEqual([64, 64, 128, 128, 1536]);
  });
});

describe('NetLinkTap reads both directions from shared memory laid out as Linux does', () => {
  it('frames, bytes, avail/used indices of each direction and the frames themselves', () => {
    const { tap, a, b, up } = net();
    up();
    const frames: CapturedFrame[] = [];
    const req = icmpEcho({ request: true, src: '192.168.19.1', dst: '192.168.19.2', id: 7, seq: 1 });
    const rep = icmpEcho({ request: false, src: '192.168.19.2', dst: '192.168.19.1', id: 7, seq: 1 });
    expect(a.xmit(req)).toBe(true);
    tap.scan(1000, (f) => frames.push(f));
    expect(b.receive()).toEqual([req]);
    expect(b.xmit(rep)).toBe(true);
    tap.scan(2000, (f) => frames.push(f));
    expect(a.receive()).toEqual([rep]);
    expect(frames.map((f) => [f.from, f.to, f.timeNs, f.length, f.seq])).toEqual([[0, 1, 1000, req.length, 0], [1, 0, 2000, rep.length, 1]]);
    expect(frames[0]!.bytes).toEqual(req);
    expect(frames[1]!.bytes).toEqual(rep);
    const view = tap.inspect([]);
    expect(view.qlen).toBe(2048);
    expect(view.directions.map((d) => ({ ...d, lastProblem: undefined }))).toEqual([
      { from: 0, to: 1, availIdx: 1, usedIdx: 1, usedEvent: 0, availEvent: 0, frames: 1, bytes: req.length, missed: 0, invalid: 0, lastProblem: undefined },
      { from: 1, to: 0, availIdx: 1, usedIdx: 1, usedEvent: 0, availEvent: 0, frames: 1, bytes: rep.length, missed: 0, invalid: 0, lastProblem: undefined },
    ]);
    expect(decodeFrame(view.recent[0]!.bytes).summary).toBe('192.168.19.1 > 192.168.19.2: ICMP echo request, id 7, seq 1, length 64');
  });

  it('follows the ring through many wraps of indices and data area without losing or garbling a frame', () => {
    const { tap, a, b, up } = net();
    up();
    const got: CapturedFrame[] = [];
    let sent = 0, bytes = 0;
    for (let round = 0; round < 200; round++) {
      for (let k = 0; k < 500; k++) {
        const payload = new Uint8Array(1 + ((sent * 37) % 1400)).fill(sent & 0xff);
        const f = udpFrame('10.0.0.1', '10.0.0.2', 1000, 2000 + (sent % 100), payload);
        if (!a.xmit(f)) break;
        sent++;
        bytes += f.length;
      }
      tap.scan(round, (f) => got.push(f));
      b.receive();
    }
    expect(sent).toBeGreaterThan(65536 * 1.2); // the 16-bit index wrapped
    expect(got.length).toBe(sent);
    const wrong = got.filter((f, n) => {
      const udp = decodeFrame(f.bytes).udp;
      return udp?.dstPort !== 2000 + (n % 100) || udp.payload.length !== 1 + ((n * 37) % 1400) || !udp.payload.every((v) => v === (n & 0xff));
    });
    expect(wrong.length).toBe(0);
    const d = tap.inspect([]).directions[0]!;
    expect([d.frames, d.bytes, d.missed, d.invalid]).toEqual([sent, bytes, 0, 0]);
    expect(d.availIdx).toBe(sent & 0xffff);
  });

  it('counts what it missed when the ring moved more than its length between two looks', () => {
    const { tap, a, b, up } = net();
    up();
    let sent = 0;
    for (let k = 0; k < 3000; k++) {
      if (a.xmit(udpFrame('10.0.0.1', '10.0.0.2', 1, 2, new Uint8Array(10)))) sent++;
      if (k % 100 === 99) b.receive();
    }
    const got: CapturedFrame[] = [];
    tap.scan(0, (f) => got.push(f));
    const d = tap.inspect([]).directions[0]!;
    expect(sent).toBe(3000);
    expect(d.missed).toBe(3000 - 2048);
    expect(d.frames).toBe(2048);
    expect(got.length).toBe(2048);
  });

  it('a peer that resets and comes back starts a fresh ring; frames before READY are not counted', () => {
    const { tap, a, b, up, setState } = net();
    up();
    a.xmit(udpFrame('10.0.0.1', '10.0.0.2', 1, 2, new Uint8Array(4)));
    tap.scan(0, undefined);
    setState(0, 0); // the cell was shut down: its table entry returns to 0
    a.init();
    setState(0, 1);
    setState(0, 2);
    setState(0, 3);
    b.receive();
    a.xmit(udpFrame('10.0.0.1', '10.0.0.2', 1, 2, new Uint8Array(4)));
    tap.scan(1, undefined);
    const d = tap.inspect([]).directions[0]!;
    expect([d.frames, d.missed, d.invalid, d.availIdx]).toEqual([2, 0, 0, 1]);
  });

  it('a frame announced just before the sender resets is still seen (a last look at the state change)', () => {
    const { tap, a, up, setState } = net();
    up();
    a.xmit(udpFrame('10.0.0.1', '10.0.0.2', 1, 2, new Uint8Array(4)));
    const got: CapturedFrame[] = [];
    const old = 3;
    tap.stateChanged(0, old, 0, 5, (f) => got.push(f));
    setState(0, 0);
    expect(got.length).toBe(1);
  });

  it('a hostile peer scribbling its section 1,000 times: no exception, nothing read outside the sections, problems counted', () => {
    const { mem, tap, up } = net();
    up();
    let seed = 12345;
    const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed; };
    const got: CapturedFrame[] = [];
    const section0 = GUARD + 0x1000;
    for (let k = 0; k < 1000; k++) {
      // Random bytes over the ring area (never the guard value, so any guard byte in a capture is a leak),
      // plus descriptors aimed at the section's edges and beyond.
      for (let n = 0; n < 4096; n++) {
        const at = section0 + (rnd() % (OUT / (k % 2 === 0 ? 8 : 1)));
        const v = rnd() & 0xff;
        mem[at] = v === GUARD_BYTE ? 0 : v;
      }
      const dv = new DataView(mem.buffer);
      const d = rnd() % 2048;
      dv.setUint16(section0 + 32768 + 4 + 2 * (rnd() % 2048), d, true);
      dv.setBigUint64(section0 + 16 * d, BigInt([OUT - 10, OUT, 0xffff_ffff_ffff, 53376][rnd() % 4]!), true);
      dv.setUint32(section0 + 16 * d + 8, [1, 100, 0xffff_ffff, 65536][rnd() % 4]!, true);
      dv.setUint16(section0 + 16 * d + 12, rnd() % 3 === 0 ? 1 : 0, true);
      expect(() => tap.scan(k, (f) => got.push(f))).not.toThrow();
      expect(() => tap.inspect([])).not.toThrow();
    }
    const d = tap.inspect([]).directions[0]!;
    expect(d.invalid).toBeGreaterThan(0);
    expect(d.lastProblem).toMatch(/avail\[\d+\]: /);
    for (const f of got) {
      expect(f.bytes.length).toBeLessThanOrEqual(65535);
      expect(f.bytes.includes(GUARD_BYTE)).toBe(false);
    }
    expect(mem.subarray(0, GUARD).every((v) => v === GUARD_BYTE)).toBe(true);
  });
});
