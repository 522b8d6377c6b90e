import { describe, expect, it } from 'vitest';
import { SharedSection } from '../../core/links/section.ts';
import { VirtioLinkTap } from '../../core/links/virtio-tap.ts';

// A virtio-blk link: back-end peer 0 (root), front-end peer 1; header at the R/W section's start.
const RW = 0x1000, RW_SIZE = 0x4000;

function blkLink() {
  const mem = new Uint8Array(RW + RW_SIZE);
  const dv = new DataView(mem.buffer);
  const ram = { u8: mem, offsetOf: (hpa: number) => hpa };
  const tap = new VirtioLinkTap('00:0f.0', 2, 1, 0, SharedSection.of(ram, 0, 0x1000), SharedSection.of(ram, RW, RW_SIZE));
  const put = (off: number, width: 1 | 2 | 4 | 8, v: number) => {
    if (width === 1) dv.setUint8(RW + off, v);
    else if (width === 2) dv.setUint16(RW + off, v, true);
    else if (width === 4) dv.setUint32(RW + off, v, true);
    else dv.setBigUint64(RW + off, BigInt(v), true);
  };
  const get = (off: number) => dv.getUint32(RW + off, true);
  const queueSizes = [16, 8];
  // The back-end's side of a transaction: answer selectors, then clear write_transaction.
  const backEnd = (off: number) => {
    if (off === 16) put(12, 4, get(16) === 1 ? 0x1 : 0x206); // VERSION_1 | SIZE_MAX, SEG_MAX, FLUSH
    if (off === 28) { put(32, 2, queueSizes[get(28)] ?? 0); put(38, 2, 0); put(40, 8, 0); put(48, 8, 0); put(56, 8, 0); }
    put(8, 4, 0);
  };
  const write = (off: number, width: 1 | 2 | 4 | 8, v: number) => {
    put(off, width, v);
    put(8, 4, off);
    const line = tap.doorbell(1);
    backEnd(off);
    return line;
  };
  put(0, 4, 1); put(4, 4, RW_SIZE); put(12, 4, 0x206);
  return { tap, write, put, dv };
}

describe('virtio over ivshmem, seen from the host', () => {
  it('follows a front-end\'s negotiation: status, features, queues, indices, transactions and notifications', () => {
    const { tap, write, put } = blkLink();
    expect(write(68, 4, 0)).toBe('write transaction: device_status = 0x0');
    write(68, 4, 1); write(68, 4, 3);
    write(16, 4, 1); write(16, 4, 0);
    write(24, 4, 1); write(20, 4, 1);
    write(24, 4, 0); write(20, 4, 0x206);
    write(68, 4, 0xb);
    write(28, 4, 0);
    write(40, 8, 0x100); write(48, 8, 0x200); write(56, 8, 0x240); write(38, 2, 1);
    write(28, 4, 1);
    write(40, 8, 0x400); write(48, 8, 0x480); write(56, 8, 0x4c0); write(38, 2, 1);
    expect(write(68, 4, 0xf)).toBe('write transaction: device_status = 0xf');
    put(0x200 + 2, 2, 5); put(0x240 + 2, 2, 4); // queue 0: 5 requests made available, 4 completed
    expect(tap.doorbell(1)).toBe('front-end kicks the back-end');
    put(65, 1, 1);
    expect(tap.doorbell(0)).toBe('back-end notifies front-end (queue_event 1, config_event 0)');
    const v = tap.inspect([], 1_000_000_000);
    expect(v).toMatchObject({
      kind: 'virtio', device: 2, deviceName: 'block', frontEnd: 1, backEnd: 0, revision: 1, deviceStatus: 0xf,
      statusNames: ['ACKNOWLEDGE', 'DRIVER', 'FEATURES_OK', 'DRIVER_OK'], deviceFeatures: '0x100000206', driverFeatures: '0x100000206',
      negotiated: ['SIZE_MAX', 'SEG_MAX', 'FLUSH', 'VERSION_1'], writeTransactions: 21, kicks: 1, notifications: 1, lastWrite: 'device_status = 0xf',
    });
    expect(v.queues).toEqual([
      { index: 0, size: 16, enabled: true, desc: 0x100, driver: 0x200, device: 0x240, availIdx: 5, usedIdx: 4 },
      { index: 1, size: 8, enabled: true, desc: 0x400, driver: 0x480, device: 0x4c0, availIdx: 0, usedIdx: 0 },
    ]);
    expect(v.rates).toEqual({ writeTransactions: 21, kicks: 1, notifications: 1 });
  });

  it('a reset forgets queues and driver features', () => {
    const { tap, write } = blkLink();
    write(28, 4, 0); write(40, 8, 0x100); write(24, 4, 0); write(20, 4, 6);
    write(68, 4, 0);
    const v = tap.inspect([], 0);
    expect([v.queues.length, v.driverFeatures, v.statusNames]).toEqual([0, '0x0', ['RESET']]);
  });

  it('nonsense in the header or ring offsets beyond the section: no exception, unreadable indices are undefined', () => {
    const { tap, write, put, dv } = blkLink();
    write(28, 4, 0); write(32, 2, 0xffff); write(40, 8, 2 ** 52);
    write(28, 4, 1); write(32, 2, 16); write(48, 8, RW_SIZE - 3); write(56, 8, 0xffff_ffff);
    write(28, 4, 0xffff_fff0); write(38, 2, 1);
    expect(tap.inspect([], 0).queues.map((q) => [q.index, q.size, q.availIdx, q.usedIdx])).toEqual([[0, 0xffff, undefined, undefined], [1, 16, undefined, undefined]]);
    put(8, 4, 0x7fff_ffff);
    expect(tap.doorbell(1)).toMatch(/config space \+2147483571 = \?/);
    let seed = 99;
    for (let k = 0; k < 2000; k++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      dv.setUint32(RW + (seed % 76 & ~3), Math.imul(seed, 2654435761) >>> 0, true);
      expect(() => tap.doorbell(k % 2)).not.toThrow();
      expect(() => tap.inspect([], k * 1e6)).not.toThrow();
    }
  });

  it('a section too small for the header reads as unknown, not as an error', () => {
    const ram = { u8: new Uint8Array(64), offsetOf: (hpa: number) => hpa };
    const tap = new VirtioLinkTap('00:0f.0', 3, 1, 0, SharedSection.of(ram, 0, 0), SharedSection.of(ram, 0, 64));
    expect(tap.doorbell(1)).toBe('front-end kicks the back-end');
    expect(tap.inspect([], 0)).toMatchObject({ revision: undefined, deviceStatus: 0, deviceName: 'console' });
  });
});
