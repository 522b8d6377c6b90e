import { describe, expect, it } from 'vitest';
import { MEM_WRITE } from '../../core/hypervisor/config/types.ts';
import {
  IVSHMEM_CFG_VNDR_CAP, IVSHMEM_MAX_PEERS, Ivshmem, IvshmemReg, formatBdf, intxPin,
} from '../../core/hypervisor/ivshmem.ts';
import { BDF, FakeHost, OUT_SIZE, RW_SIZE, SHMEM, STATE_SIZE, cell, link, peerConfig } from './helpers.ts';

const V = IVSHMEM_CFG_VNDR_CAP;

function ep(l: ReturnType<typeof link>, i: number) {
  return l.ivshmem.endpoint(l.cells[i]!, BDF)!;
}

/** Peer i enables memory decoding at `bar` and interrupts. */
function up(l: ReturnType<typeof link>, i: number, bar = 0x4000_0000 + i * 0x1000) {
  const e = ep(l, i);
  e.configWrite(0x10, 4, bar);
  e.configWrite(0x04, 2, 0x0002);
  e.mmioWrite(IvshmemReg.IntCtrl, 4, 1);
  return e;
}

describe('ivshmem config space', () => {
  it('identity, class, status, header, subsystem, capability pointer, interrupt pin', () => {
    const l = link(2);
    const e = ep(l, 0);
    expect(e.configRead(0x00, 4)).toBe(0x4106_110a);
    expect(e.configRead(0x00, 2)).toBe(0x110a);
    expect(e.configRead(0x02, 2)).toBe(0x4106);
    expect(e.configRead(0x04, 4)).toBe(0x0010_0000);
    expect(e.configRead(0x06, 2)).toBe(0x0010);
    expect(e.configRead(0x08, 4)).toBe(0xff00_0000); // protocol 0, revision 0
    expect(e.configRead(0x08, 1)).toBe(0); // revision
    expect(e.configRead(0x0b, 1)).toBe(0xff); // base class
    expect(e.configRead(0x0c, 4)).toBe(0); // header type 0
    expect(e.configRead(0x0e, 1)).toBe(0);
    expect(e.configRead(0x2c, 4)).toBe(0x4106_110a);
    expect(e.configRead(0x34, 1)).toBe(0x40);
    expect(e.configRead(0x3d, 1)).toBe(intxPin(BDF));
    expect(intxPin(BDF)).toBe(3);
    expect(e.configRead(0x14, 4)).toBe(0); // no BAR1 (no MSI-X), no BAR2
    expect(e.configRead(0x18, 4)).toBe(0);
    expect(e.configRead(0x100, 4)).toBe(0);
  });

  it('class code carries the protocol', () => {
    const host = new FakeHost();
    const iv = new Ivshmem(host);
    const a = cell(peerConfig('a', 0, 2, { protocol: 0x0001 })), b = cell(peerConfig('b', 1, 2, { protocol: 0x0001 }));
    iv.attach(a); expect(iv.check(b)).toBeUndefined(); iv.attach(b);
    expect(iv.endpoint(a, BDF)!.configRead(0x08, 4)).toBe(0xff00_0100);
    expect(iv.endpoint(b, BDF)!.configRead(0x09, 1)).toBe(0x01);
    expect(iv.endpoint(b, BDF)!.configRead(0x0a, 1)).toBe(0x00);
    const c = cell(peerConfig('c', 0, 2, { protocol: 0x8003, bdf: 1 << 3 }));
    iv.attach(c);
    expect(iv.endpoint(c, 1 << 3)!.configRead(0x08, 4)).toBe(0xff80_0300);
  });

  it('vendor capability: id, next, length, sizes, address', () => {
    const e = ep(link(3), 1);
    expect(e.configRead(V, 1)).toBe(0x09);
    expect(e.configRead(V + 1, 1)).toBe(0); // last capability
    expect(e.configRead(V + 2, 1)).toBe(0x20);
    expect(e.configRead(V + 3, 1)).toBe(0);
    expect(e.configRead(V + 4, 4)).toBe(STATE_SIZE);
    expect(e.configRead(V + 8, 4)).toBe(RW_SIZE);
    expect(e.configRead(V + 12, 4)).toBe(0);
    expect(e.configRead(V + 0x10, 4)).toBe(OUT_SIZE);
    expect(e.configRead(V + 0x14, 4)).toBe(0);
    expect(e.configRead(V + 0x18, 4)).toBe(SHMEM);
    expect(e.configRead(V + 0x1c, 4)).toBe(0);
    expect(e.configRead(V + 0x20, 4)).toBe(0); // nothing after the capability
  });

  it('privileged control: only the one-shot bit is writable', () => {
    const e = ep(link(2), 0);
    e.configWrite(V + 3, 1, 0xff);
    expect(e.configRead(V + 3, 1)).toBe(1);
    expect(e.oneShot).toBe(true);
    e.configWrite(V, 4, 0x0000_0000);
    expect(e.configRead(V, 4)).toBe(0x0020_0009);
    e.configWrite(V, 2, 0xffff); // id/next are read-only, byte 3 untouched
    expect(e.configRead(V, 4)).toBe(0x0020_0009);
    e.configWrite(V + 4, 4, 0x1234); // sizes are read-only
    expect(e.configRead(V + 4, 4)).toBe(STATE_SIZE);
  });

  it('command register: only I/O, memory, bus master and INTx disable are writable, 0 at reset', () => {
    const e = ep(link(2), 0);
    expect(e.configRead(0x04, 2)).toBe(0);
    e.configWrite(0x04, 2, 0xffff);
    expect(e.configRead(0x04, 2)).toBe(0x0407);
    e.configWrite(0x04, 4, 0xffff_0000); // status is read-only
    expect(e.configRead(0x04, 4)).toBe(0x0010_0000);
    e.configWrite(0x05, 1, 0x04);
    expect(e.configRead(0x04, 2)).toBe(0x0400);
  });

  it('BAR0 sizing and relocation', () => {
    const e = ep(link(2), 0);
    expect(e.configRead(0x10, 4)).toBe(0);
    e.configWrite(0x10, 4, 0xffff_ffff);
    expect(e.configRead(0x10, 4)).toBe(0xffff_f000); // 4 KiB, 32-bit memory, not prefetchable
    e.configWrite(0x10, 4, 0x4000_0123);
    expect(e.configRead(0x10, 4)).toBe(0x4000_0000);
    e.configWrite(0x04, 2, 0x0002);
    expect(e.barContains(0x4000_0000)).toBe(true);
    expect(e.barContains(0x4000_0fff)).toBe(true);
    expect(e.barContains(0x4000_1000)).toBe(false);
    e.configWrite(0x10, 4, 0x4010_0000); // relocate
    expect(e.barContains(0x4000_0000)).toBe(false);
    expect(e.barContains(0x4010_0010)).toBe(true);
    e.configWrite(0x12, 2, 0x4020); // upper half only
    expect(e.configRead(0x10, 4)).toBe(0x4020_0000);
    e.configWrite(0x04, 2, 0); // memory decoding off
    expect(e.barContains(0x4020_0000)).toBe(false);
  });

  it('BAR0 size follows bar_mask (larger windows, default 4 KiB)', () => {
    const host = new FakeHost();
    const iv = new Ivshmem(host);
    const a = cell(peerConfig('a', 0, 2, { barMask: 0xffff_0000 })), b = cell(peerConfig('b', 1, 2, { barMask: 0 }));
    iv.attach(a); iv.attach(b);
    const ea = iv.endpoint(a, BDF)!, eb = iv.endpoint(b, BDF)!;
    ea.configWrite(0x10, 4, 0xffff_ffff); eb.configWrite(0x10, 4, 0xffff_ffff);
    expect(ea.configRead(0x10, 4)).toBe(0xffff_0000);
    expect(eb.configRead(0x10, 4)).toBe(0xffff_f000);
    ea.configWrite(0x10, 4, 0x4001_0000); ea.configWrite(0x04, 2, 2);
    expect(ea.barContains(0x4001_ff00)).toBe(true);
    expect(ea.mmioRead(0xff00, 4)).toEqual({ ok: true, value: 0 });
  });

  it('interrupt line is a scratch byte; pin is read-only', () => {
    const e = ep(link(2), 0);
    e.configWrite(0x3c, 1, 0x2a);
    e.configWrite(0x3d, 1, 0x7);
    expect(e.configRead(0x3c, 2)).toBe(0x032a);
  });
});

describe('ivshmem registers', () => {
  it('ID and Maximum Peers are read-only', () => {
    const l = link(3);
    const e = ep(l, 2);
    expect(e.mmioRead(IvshmemReg.Id, 4)).toEqual({ ok: true, value: 2 });
    expect(e.mmioRead(IvshmemReg.MaxPeers, 4)).toEqual({ ok: true, value: 3 });
    e.mmioWrite(IvshmemReg.Id, 4, 7);
    e.mmioWrite(IvshmemReg.MaxPeers, 4, 7);
    expect(e.mmioRead(IvshmemReg.Id, 4)).toEqual({ ok: true, value: 2 });
    expect(e.mmioRead(IvshmemReg.MaxPeers, 4)).toEqual({ ok: true, value: 3 });
  });

  it('Interrupt Control: bit 0 only, reset 0', () => {
    const e = ep(link(2), 0);
    expect(e.mmioRead(IvshmemReg.IntCtrl, 4)).toEqual({ ok: true, value: 0 });
    e.mmioWrite(IvshmemReg.IntCtrl, 4, 0xffff_ffff);
    expect(e.mmioRead(IvshmemReg.IntCtrl, 4)).toEqual({ ok: true, value: 1 });
  });

  it('Doorbell reads 0; unbacked offsets read 0 and ignore writes', () => {
    const l = link(2);
    const e = up(l, 0);
    expect(e.mmioRead(IvshmemReg.Doorbell, 4)).toEqual({ ok: true, value: 0 });
    for (const off of [0x14, 0x100, 0xffc]) {
      expect(e.mmioWrite(off, 4, 0x1234)).toEqual({ ok: true, value: 0 });
      expect(e.mmioRead(off, 4)).toEqual({ ok: true, value: 0 });
    }
  });

  it('only aligned 32-bit accesses', () => {
    const e = ep(link(2), 0);
    expect(e.mmioRead(0, 1).ok).toBe(false);
    expect(e.mmioRead(0, 8).ok).toBe(false);
    expect(e.mmioRead(2, 4).ok).toBe(false);
    expect(e.mmioWrite(IvshmemReg.State, 2, 1).ok).toBe(false);
    expect(e.state).toBe(0);
  });

  it('Doorbell raises vpci_irq_base + pin - 1 at an enabled target', () => {
    const l = link(3);
    up(l, 0); up(l, 1); up(l, 2);
    const e0 = ep(l, 0), e2 = ep(l, 2);
    expect(e2.irq).toBe(42);
    l.host.take();
    e0.mmioWrite(IvshmemReg.Doorbell, 4, (2 << 16) | 0);
    expect(l.host.take()).toEqual([42]);
    expect(l.host.raised).toEqual([]);
    const link0 = l.ivshmem.links.get(BDF)!;
    expect(link0.doorbells).toBe(1);
    expect(link0.interrupts).toBe(1);
    expect(e0.sent).toBe(1);
    expect(e2.received).toBe(1);
    // a peer may ring itself
    e2.mmioWrite(IvshmemReg.Doorbell, 4, 2 << 16);
    expect(l.host.take('peer2')).toEqual([42]);
  });

  it('doorbells to absent, disabled or INTx-masked peers and to other vectors have no effect', () => {
    const host = new FakeHost();
    const iv = new Ivshmem(host);
    const a = cell(peerConfig('a', 0, 3)), b = cell(peerConfig('b', 1, 3));
    iv.attach(a); iv.attach(b);
    const ea = iv.endpoint(a, BDF)!, eb = iv.endpoint(b, BDF)!;
    ea.mmioWrite(IvshmemReg.Doorbell, 4, 2 << 16); // peer 2 absent
    ea.mmioWrite(IvshmemReg.Doorbell, 4, 9 << 16); // beyond Maximum Peers
    ea.mmioWrite(IvshmemReg.Doorbell, 4, 1 << 16); // b has interrupts disabled
    eb.mmioWrite(IvshmemReg.IntCtrl, 4, 1);
    ea.mmioWrite(IvshmemReg.Doorbell, 4, (1 << 16) | 1); // INTx has vector 0 only
    eb.configWrite(0x04, 2, 0x0400); // INTx disabled in the command register
    ea.mmioWrite(IvshmemReg.Doorbell, 4, 1 << 16);
    expect(host.raised).toEqual([]);
    expect(iv.links.get(BDF)!.doorbells).toBe(5);
    expect(iv.links.get(BDF)!.interrupts).toBe(0);
    eb.configWrite(0x04, 2, 0x0002);
    ea.mmioWrite(IvshmemReg.Doorbell, 4, 1 << 16);
    expect(host.take()).toEqual([41]);
  });

  it('one-shot mode: Interrupt Control clears on each delivery', () => {
    const l = link(2);
    up(l, 0);
    const e1 = up(l, 1);
    e1.configWrite(V + 3, 1, 1);
    l.host.take();
    const e0 = ep(l, 0);
    e0.mmioWrite(IvshmemReg.Doorbell, 4, 1 << 16);
    expect(l.host.take()).toEqual([41]);
    expect(e1.mmioRead(IvshmemReg.IntCtrl, 4)).toEqual({ ok: true, value: 0 });
    e0.mmioWrite(IvshmemReg.Doorbell, 4, 1 << 16);
    expect(l.host.take()).toEqual([]);
    e1.mmioWrite(IvshmemReg.IntCtrl, 4, 1); // re-arm
    e0.mmioWrite(IvshmemReg.Doorbell, 4, 1 << 16);
    expect(l.host.take()).toEqual([41]);
    // without one-shot, the enable stays
    e1.configWrite(V + 3, 1, 0);
    e1.mmioWrite(IvshmemReg.IntCtrl, 4, 1);
    e0.mmioWrite(IvshmemReg.Doorbell, 4, 1 << 16);
    e0.mmioWrite(IvshmemReg.Doorbell, 4, 1 << 16);
    expect(l.host.take()).toEqual([41, 41]);
  });

  it('State: a different value updates the table and interrupts every other enabled peer', () => {
    const l = link(3);
    up(l, 0); up(l, 1);
    const e2 = ep(l, 2); // interrupts disabled
    l.host.take();
    const e0 = ep(l, 0);
    e0.mmioWrite(IvshmemReg.State, 4, 0x1234_5678);
    expect(e0.mmioRead(IvshmemReg.State, 4)).toEqual({ ok: true, value: 0x1234_5678 });
    expect(l.host.memory.get(SHMEM)).toBe(0x1234_5678);
    expect(l.host.take()).toEqual([41]); // not peer 0 itself, not the disabled peer 2
    e0.mmioWrite(IvshmemReg.State, 4, 0x1234_5678); // same value: nothing
    expect(l.host.take()).toEqual([]);
    expect(l.ivshmem.links.get(BDF)!.stateChanges).toBe(1);
    e2.mmioWrite(IvshmemReg.State, 4, 3);
    expect(l.host.memory.get(SHMEM + 8)).toBe(3);
    expect(l.host.take().sort()).toEqual([40, 41]);
  });

  it('a reset or destroyed peer leaves the state table and the others are told', () => {
    const l = link(3);
    const [e0, e1] = [up(l, 0), up(l, 1)];
    const e2 = up(l, 2);
    e1.mmioWrite(IvshmemReg.State, 4, 1);
    e2.mmioWrite(IvshmemReg.State, 4, 2);
    l.host.take();
    l.ivshmem.reset(l.cells[2]!); // shut down
    expect(l.host.memory.get(SHMEM + 8)).toBe(0);
    expect(l.host.take().sort()).toEqual([40, 41]);
    expect(e2.state).toBe(0);
    expect(e2.intCtrl).toBe(0);
    expect(e2.bar0).toBe(0);
    expect(e2.command).toBe(0);
    // still a peer (the cell exists) but with interrupts off: doorbells have no effect
    e0.mmioWrite(IvshmemReg.Doorbell, 4, 2 << 16);
    expect(l.host.take()).toEqual([]);
    l.ivshmem.reset(l.cells[2]!); // state already 0: nobody is told again
    expect(l.host.take()).toEqual([]);
    l.ivshmem.detach(l.cells[1]!); // destroyed
    expect(l.host.memory.get(SHMEM + 4)).toBe(0);
    expect(l.host.take()).toEqual([40]);
    expect(l.ivshmem.endpoint(l.cells[1]!, BDF)).toBeUndefined();
    e0.mmioWrite(IvshmemReg.Doorbell, 4, 1 << 16);
    expect(l.host.take()).toEqual([]);
    expect(l.ivshmem.snapshot()[0]!.endpoints.map((x) => x.cell)).toEqual(['peer0', 'peer2']);
    l.ivshmem.detach(l.cells[0]!);
    l.ivshmem.detach(l.cells[2]!);
    expect(l.ivshmem.links.size).toBe(0);
  });

  it('a peer that rejoins gets a fresh device', () => {
    const l = link(2);
    up(l, 0); up(l, 1).mmioWrite(IvshmemReg.State, 4, 5);
    l.ivshmem.detach(l.cells[1]!);
    const again = cell(peerConfig('peer1', 1, 2));
    expect(l.ivshmem.check(again)).toBeUndefined();
    l.ivshmem.attach(again);
    const e = l.ivshmem.endpoint(again, BDF)!;
    expect([e.state, e.intCtrl, e.command, e.bar0]).toEqual([0, 0, 0, 0]);
  });
});

describe('ivshmem links', () => {
  it('16 peers: every peer rings every other one', () => {
    const l = link(IVSHMEM_MAX_PEERS);
    for (let i = 0; i < 16; i++) up(l, i);
    l.host.take();
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 16; j++) if (i !== j) ep(l, i).mmioWrite(IvshmemReg.Doorbell, 4, j << 16);
    }
    for (let j = 0; j < 16; j++) expect(l.host.take(`peer${j}`)).toEqual(new Array(15).fill(40 + j));
    const s = l.ivshmem.snapshot()[0]!;
    expect(s.doorbells).toBe(240);
    expect(s.interrupts).toBe(240);
    expect(s.endpoints).toHaveLength(16);
    expect(s.endpoints.every((e) => e.sent === 15 && e.received === 15)).toBe(true);
    expect(s.bdf).toBe('00:0e.0');
    expect(s.start).toBe(SHMEM);
    expect(s.end).toBe(SHMEM + STATE_SIZE + RW_SIZE + 16 * OUT_SIZE);
    ep(l, 15).mmioWrite(IvshmemReg.State, 4, 1);
    expect(l.host.memory.get(SHMEM + 60)).toBe(1);
    expect(l.host.raised).toHaveLength(15);
  });

  it('more than 16 peers, or fewer than 2, is refused', () => {
    const iv = new Ivshmem(new FakeHost());
    expect(iv.check(cell(peerConfig('x', 0, 17)))).toMatch(/shmem_peers 17 is not 2\.\.16/);
    expect(iv.check(cell(peerConfig('x', 0, 1)))).toMatch(/shmem_peers 1 is not 2\.\.16/);
  });

  it('messages: Adding virtual PCI device, connection established', () => {
    const l = link(2);
    expect(l.host.lines).toEqual([
      'Adding virtual PCI device 00:0e.0 to cell "peer0"',
      'Adding virtual PCI device 00:0e.0 to cell "peer1"',
      'Shared memory connection established, peer cells:',
      ' "peer0"',
      ' "peer1"',
    ]);
    expect(formatBdf(0x0110 | 3)).toBe('01:02.3');
  });

  it('peers that disagree are refused with both cells and the bdf named', () => {
    const l = link(2);
    const fresh = () => { l.ivshmem.detach(l.cells[1]!); };
    fresh();
    expect(l.ivshmem.check(cell(peerConfig('x', 1, 3)))).toBe('ivshmem 00:0e.0: cells "x" and "peer0" disagree on the number of peers (3 vs 2)');
    expect(l.ivshmem.check(cell(peerConfig('x', 1, 2, { protocol: 1 })))).toMatch(/cells "x" and "peer0" disagree on the protocol/);
    const moved = cell(peerConfig('x', 1, 2));
    moved.config.memory_regions[3]!.size = 0x4000n;
    expect(l.ivshmem.check(moved)).toMatch(/cells "x" and "peer0" disagree on shared memory region 2/);
    expect(l.ivshmem.check(cell(peerConfig('x', 0, 2)))).toBe('ivshmem 00:0e.0: cells "x" and "peer0" both use peer id 0');
    expect(l.ivshmem.check(cell(peerConfig('x', 1, 2)))).toBeUndefined();
  });

  it('section permissions are enforced at creation: state table RO, own output RW, others RO', () => {
    const iv = new Ivshmem(new FakeHost());
    const st = cell(peerConfig('x', 0, 2));
    st.config.memory_regions[1]!.flags |= MEM_WRITE;
    expect(iv.check(st)).toMatch(/state table \(region 1\) must be a read-only/);
    const own = cell(peerConfig('x', 0, 2));
    own.config.memory_regions[3]!.flags &= ~MEM_WRITE;
    expect(iv.check(own)).toMatch(/its own output section \(region 3\) is not writable/);
    const other = cell(peerConfig('x', 0, 2));
    other.config.memory_regions[4]!.flags |= MEM_WRITE;
    expect(iv.check(other)).toMatch(/output section of peer 1 \(region 4\) is writable/);
    const irq = cell(peerConfig('x', 0, 2));
    irq.config.vpci_irq_base = 8; // INTx pin 3 -> virtual interrupt 10, the cell's UART pin
    expect(iv.check(irq)).toMatch(/INTx is virtual interrupt 10 \(vpci_irq_base 8 \+ pin 3 - 1\), which is also one of the cell's irqchip pins/);
    irq.config.vpci_irq_base = 94; // 96: beyond max_irq
    expect(iv.check(irq)).toMatch(/INTx is virtual interrupt 96 .*, outside the irqchip's sources 1-95/);
    irq.config.pci_devices[0]!.num_msix_vectors = 1; // MSI-X: no INTx, nothing to check
    expect(iv.check(irq)).toBeUndefined();
    const id = cell(peerConfig('x', 0, 2));
    id.config.pci_devices[0]!.shmem_dev_id = 2;
    expect(iv.check(id)).toMatch(/shmem_dev_id 2 is not below shmem_peers 2/);
  });
});

describe('the cell seams: virtual PCI function and BAR0 window', () => {
  it('the endpoint is the cell\'s virtual PCI function at its bdf, and leaves with the cell', () => {
    const l = link(2);
    const c = l.cells[0]!;
    const fn = c.virtualPci.get(BDF)!;
    expect(fn).toBe(ep(l, 0));
    expect(fn.read(0, 4)).toBe(0x4106_110a);
    expect(fn.read(2, 2)).toBe(0x4106);
    expect(c.virtualPci.size).toBe(1);
    l.ivshmem.detach(c);
    expect(c.virtualPci.size).toBe(0);
  });

  it('BAR0 is an MMIO window while memory decoding is on, and moves with relocation', () => {
    const l = link(2);
    const c = l.cells[0]!;
    const fn = c.virtualPci.get(BDF)!;
    fn.write(0x10, 4, 0x4000_0000);
    expect(c.windows).toEqual([]); // memory space still off
    fn.write(0x04, 2, 0x0002);
    expect(c.windows.map((w) => [w.start, w.end])).toEqual([[0x4000_0000, 0x4000_1000]]);
    const at = c.windowAt(0x4000_0004)!;
    expect(at.handler.read(at.offset, 4)).toBe(2); // Maximum Peers
    expect(at.handler.read(at.offset, 2)).toBeUndefined(); // a violation for the exit path
    expect(at.handler.write(at.offset, 1, 0, 0)).toBe(false);
    fn.write(0x10, 4, 0x4020_0000);
    expect(c.windows.map((w) => [w.start, w.end])).toEqual([[0x4020_0000, 0x4020_1000]]);
    expect(c.windowAt(0x4000_0004)).toBeUndefined();
    const bell = c.windowAt(0x4020_000c)!;
    ep(l, 1).mmioWrite(IvshmemReg.IntCtrl, 4, 1);
    l.host.take();
    expect(bell.handler.write(bell.offset, 4, 1 << 16, 0)).toBe(true);
    expect(l.host.take()).toEqual([41]);
    fn.write(0x04, 2, 0); // decoding off
    expect(c.windows).toEqual([]);
    fn.write(0x04, 2, 2);
    expect(c.windows).toHaveLength(1);
    l.ivshmem.reset(c); // reset: BAR unmapped
    expect(c.windows).toEqual([]);
  });

  it('doorbells and state changes are traced while tracing', () => {
    const l = link(2);
    l.host.tracing = true;
    up(l, 1);
    ep(l, 0).mmioWrite(IvshmemReg.Doorbell, 4, 1 << 16);
    ep(l, 0).mmioWrite(IvshmemReg.Doorbell, 4, 0 << 16);
    ep(l, 0).mmioWrite(IvshmemReg.State, 4, 1);
    l.ivshmem.reset(l.cells[0]!);
    expect(l.host.traces).toEqual([
      '[peer0] ivshmem 00:0e.0: doorbell 0 -> 1 vector 0',
      '[peer0] ivshmem 00:0e.0: doorbell 0 -> 0 vector 0 (no effect)',
      '[peer0] ivshmem 00:0e.0: peer 0 state 0x1',
      '[peer0] ivshmem 00:0e.0: peer 0 reset, state 0',
    ]);
  });
});
