import { describe, expect, it } from 'vitest';
import { IvshmemReg, type IvshmemCell, type IvshmemObserver } from '../../core/hypervisor/ivshmem.ts';
import { LinkInspector } from '../../core/links/link-inspector.ts';
import type { NetLinkInspection } from '../../core/links/inspection.ts';
import { FakeHost, OUT_SIZE, RW_SIZE, SHMEM, STATE_SIZE, cell, peerConfig } from '../ivshmem/helpers.ts';
import { Ivshmem } from '../../core/hypervisor/ivshmem.ts';
import { LinuxNetPeer, icmpEcho } from './linux-net-peer.ts';

/** A host whose state table lives in RAM, as the hypervisor's does, and that has an observer. */
class RamHost extends FakeHost {
  observer: IvshmemObserver | undefined;
  constructor(readonly mem: Uint8Array) { super(); }
  override writeU32(hpa: number, value: number): void {
    super.writeU32(hpa, value);
    new DataView(this.mem.buffer).setUint32(hpa - SHMEM, value, true);
  }
}

function setup() {
  const mem = new Uint8Array(STATE_SIZE + RW_SIZE + 2 * OUT_SIZE);
  const host = new RamHost(mem);
  const ivshmem = new Ivshmem(host);
  let time = 0;
  const inspector = new LinkInspector({
    ram: { u8: mem, offsetOf: (hpa) => hpa - SHMEM },
    nowNs: () => time,
    get tracing() { return host.tracing; },
    trace: (c: IvshmemCell, detail) => host.trace(c, detail),
  }, ivshmem);
  host.observer = inspector;
  const cells = [0, 1].map((id) => cell(peerConfig(id === 0 ? 'root' : 'net-demo', id, 2, { protocol: 1 })));
  for (const c of cells) ivshmem.attach(c);
  const ep = (k: number) => ivshmem.endpoint(cells[k]!, cells[k]!.config.pci_devices[0]!.bdf)!;
  for (const k of [0, 1]) { ep(k).mmioWrite(IvshmemReg.IntCtrl, 4, 1); }
  const out = (p: number) => STATE_SIZE + RW_SIZE + p * OUT_SIZE;
  const peers = [new LinuxNetPeer(mem, out(0), out(1), OUT_SIZE), new LinuxNetPeer(mem, out(1), out(0), OUT_SIZE)];
  const state = (k: number, v: number) => ep(k).mmioWrite(IvshmemReg.State, 4, v);
  const up = () => {
    state(0, 1); state(1, 1);
    peers[0]!.init(); state(0, 2); peers[1]!.init(); state(1, 2);
    state(0, 3); state(1, 3);
  };
  const kick = (k: number) => ep(k).mmioWrite(IvshmemReg.Doorbell, 4, (1 - k) << 16);
  return { host, ivshmem, inspector, peers, state, up, kick, setTime: (t: number) => { time = t; } };
}

describe('LinkInspector on the ivshmem model', () => {
  it('sees both ends\' states, and frames at the doorbell that announces them, stamped with its time', () => {
    const { inspector, peers, up, kick, setTime } = setup();
    inspector.setCapture(true);
    up();
    setTime(5_000);
    peers[0]!.xmit(icmpEcho({ request: true, src: '192.168.19.1', dst: '192.168.19.2', id: 1, seq: 1 }));
    kick(0);
    setTime(9_000);
    peers[1]!.receive();
    peers[1]!.xmit(icmpEcho({ request: false, src: '192.168.19.2', dst: '192.168.19.1', id: 1, seq: 1 }));
    kick(1);
    const { frames, dropped } = inspector.takeFrames();
    expect(dropped).toBe(0);
    expect(frames.map((f) => [f.link, f.from, f.to, f.timeNs, f.length])).toEqual([['00:0e.0', 0, 1, 5000, 98], ['00:0e.0', 1, 0, 9000, 98]]);
    const view = inspector.inspect().get('00:0e.0') as NetLinkInspection;
    expect(view.peers).toEqual([{ id: 0, cell: 'root', state: 3 }, { id: 1, cell: 'net-demo', state: 3 }]);
    expect(view.qlen).toBe(32); // the test link's 8 KiB output sections
    expect(view.directions.map((d) => [d.frames, d.bytes, d.availIdx, d.usedIdx])).toEqual([[1, 98, 1, 1], [1, 98, 1, 0]]);
    expect(view.recent).toHaveLength(2);
  });

  it('frames a sender announces without a doorbell (event-index suppression) are found at the next round', () => {
    const { inspector, peers, up } = setup();
    inspector.setCapture(true);
    up();
    peers[0]!.xmit(icmpEcho({ request: true, src: '10.0.0.1', dst: '10.0.0.2', id: 1, seq: 1 }));
    expect(inspector.takeFrames().frames).toHaveLength(0);
    inspector.round();
    expect(inspector.takeFrames().frames).toHaveLength(1);
  });

  it('the trace records each frame decoded; capture off keeps counters but no frames', () => {
    const { host, inspector, peers, up, kick } = setup();
    up();
    host.tracing = true;
    peers[0]!.xmit(icmpEcho({ request: true, src: '192.168.19.1', dst: '192.168.19.2', id: 1, seq: 4 }));
    kick(0);
    expect(host.traces.at(-1)).toBe('[root] ivshmem-net 00:0e.0: frame 0 -> 1, 98 bytes: 192.168.19.1 > 192.168.19.2: ICMP echo request, id 1, seq 4, length 64');
    expect(inspector.takeFrames().frames).toHaveLength(0);
    expect((inspector.inspect().get('00:0e.0') as NetLinkInspection).directions[0]!.frames).toBe(1);
  });

  it('a cell that leaves: its end reads RESET and no cell; links of other protocols are not inspected', () => {
    const { ivshmem, inspector, up } = setup();
    up();
    const cells = [...ivshmem.links.values()][0]!.connected.map((e) => e.cell);
    ivshmem.detach(cells[1]!);
    const view = inspector.inspect().get('00:0e.0') as NetLinkInspection;
    expect(view.peers).toEqual([{ id: 0, cell: 'root', state: 3 }, { id: 1, cell: undefined, state: 0 }]);

    const other = new Ivshmem(new FakeHost());
    const plain = new LinkInspector({ ram: { u8: new Uint8Array(0), offsetOf: () => -1 }, nowNs: () => 0, tracing: false, trace: () => {} }, other);
    for (const id of [0, 1]) other.attach(cell(peerConfig(`p${id}`, id, 2, { protocol: 0 })));
    expect(plain.inspect().size).toBe(0);
  });
});
