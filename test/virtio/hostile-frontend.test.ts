/**
 * A front-end that writes nonsense into the virtio header or rings: the root cell's back-end
 * (guests/rootos/virtio) reports the error, stops serving that device, and the root shell goes on.
 * A restart of the cell (its state back to RESET) brings the device back, with the disk data kept.
 *
 * The hostile writes come from the host into the link's R/W section: the section is shared memory the
 * front-end cell may write anything into, so this is exactly what a misbehaving front-end can do.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RootOsLab } from '../rootos/lab.ts';
import { BLOCK_LINK, bootVirtioLab, CONSOLE_LINK, H, runUntilText, shell, Shm, startCell } from './lab.ts';

const rw = BLOCK_LINK.rw;

describe('the virtio-blk back-end against a hostile front-end', () => {
  let lab: RootOsLab;
  let shm: Shm;
  let run = 0;

  /** (Re)starts the demo cell and waits until it is done: the device is running, the queue idle. */
  function freshFrontEnd(): void {
    run++;
    if (run > 1) shell(lab, 'jailhouse cell shutdown virtio-blk', ['front-end reset, resetting the device']);
    startCell(lab, 'virtio-blk');
    expect(runUntilText(lab, 'cell:virtio-blk', `run ${run} wrote sector 1, read back ok`)).toBe(true);
    expect(lab.stream('cell:virtio-blk')).not.toContain('failed');
  }

  /** The root shell still answers (and the back-end's poll ran: the key woke the shell), with `expected`. */
  function shellAlive(expected?: string): string {
    const out = shell(lab, 'echo alive', ['echo alive\nalive\n', ...(expected ? [expected] : [])], 50_000_000);
    expect(out).toContain('echo alive\nalive\n');
    if (expected) expect(out).toContain(expected);
    return out;
  }

  beforeAll(() => {
    lab = bootVirtioLab();
    shm = new Shm(lab);
    expect(lab.command('virtio-ivshmem-block 00:0f.0 /disk.img &')).toContain('[1] virtio-ivshmem-block 00:0f.0 /disk.img');
  }, 300_000);

  it('a write transaction for no register stops the device until the front-end resets', () => {
    freshFrontEnd();
    shm.set32(rw + H.writeTransaction, 0x99);
    shellAlive('virtio-ivshmem-block 00:0f.0: front-end error: write transaction 0x99 names no writable register; device stopped until the front-end resets');
    expect(shm.u32(rw + H.deviceStatus) & 0x40).toBe(0x40);    // DEVICE_NEEDS_RESET
    // stopped: a well-formed write transaction is no longer answered
    shm.set32(rw + H.writeTransaction, H.driverFeaturesSel);
    shellAlive();
    expect(shm.u32(rw + H.writeTransaction)).toBe(H.driverFeaturesSel);
    shell(lab, 'jobs', ['Running  virtio-ivshmem-block 00:0f.0 /disk.img']);
    expect(lab.output()).toContain('Running  virtio-ivshmem-block 00:0f.0 /disk.img');
  }, 300_000);

  it('an avail index far ahead of the ring is an error, not a loop over stale entries', () => {
    freshFrontEnd();   // the restart resets the device: served again, and the disk kept run 1's data
    expect(lab.stream('cell:virtio-blk')).toContain('sector 1 holds the pattern of run 1');
    const avail = rw + shm.u64(rw + H.queueDriver);
    shm.set16(avail + 2, shm.u16(avail + 2) + 1000);
    shellAlive('front-end error: queue 0: avail index 1');
  }, 300_000);

  it('a descriptor pointing outside the R/W section is refused', () => {
    freshFrontEnd();
    const desc = rw + shm.u64(rw + H.queueDesc), avail = rw + shm.u64(rw + H.queueDriver);
    shm.set64(desc, 0xffff_f000);          // addr far outside
    shm.set32(desc + 8, 512);
    shm.set16(desc + 12, 1);               // NEXT
    const idx = shm.u16(avail + 2);
    shm.set16(avail + 4 + 2 * (idx % 8), 0);
    shm.set16(avail + 2, idx + 1);
    // the doorbell a front-end would ring: any interrupt of the root makes it poll, a key will do
    shellAlive('front-end error: queue 0: descriptor 0: buffer 0xfffff000 (512 bytes) is outside the R/W section');
  }, 300_000);

  it('rings placed over the header are refused when the queue is enabled', () => {
    freshFrontEnd();
    // select queue 0 again, disable nothing: a new enable with the descriptor table at offset 0
    shm.set32(rw + H.deviceStatus, 0);
    shm.set32(rw + H.writeTransaction, H.deviceStatus);           // device reset
    shellAlive();
    expect(shm.u32(rw + H.writeTransaction)).toBe(0);
    shm.set16(rw + H.queueSize, 8);
    shm.set64(rw + H.queueDesc, 0);
    shm.set32(rw + H.writeTransaction, H.queueDesc);
    shellAlive();
    shm.set16(rw + H.queueEnable, 1);
    shm.set32(rw + H.writeTransaction, H.queueEnable);
    shellAlive('front-end error: queue 0: descriptor table at 0x0 (0x80 bytes) is not inside the R/W section after the header');
  }, 300_000);

  it('after all that, a restarted front-end is served and the data is still there', () => {
    freshFrontEnd();
    expect(lab.stream('cell:virtio-blk')).toContain(`sector 1 holds the pattern of run ${run - 1}`);
    expect(lab.output()).toContain('virtio-ivshmem-block 00:0f.0: front-end reset, resetting the device');
  }, 300_000);
});

describe('the virtio console back-end against a hostile front-end', () => {
  it('a transmit descriptor chain that loops is refused, and the shell and the other device go on', () => {
    const lab = bootVirtioLab();
    const shm = new Shm(lab);
    const rw = CONSOLE_LINK.rw;
    shell(lab, 'virtio-ivshmem-console 00:0d.0 /dev/ttyS1 &', ['[1] virtio-ivshmem-console', '~# ']);
    startCell(lab, 'virtio-console');
    expect(runUntilText(lab, 'uart1', 'virtio> ')).toBe(true);
    // the header shows the queue selected last: the transmit queue (1)
    expect(shm.u32(rw + H.queueSel)).toBe(1);
    const desc = rw + shm.u64(rw + H.queueDesc), avail = rw + shm.u64(rw + H.queueDriver);
    shm.set16(desc + 12, 1);                 // NEXT ...
    shm.set16(desc + 14, 0);                 // ... to itself
    const idx = shm.u16(avail + 2);
    shm.set16(avail + 4 + 2 * (idx % shm.u16(rw + H.queueSize)), 0);
    shm.set16(avail + 2, idx + 1);
    const out = shell(lab, 'echo alive', ['echo alive\nalive\n', 'front-end error'], 50_000_000);
    expect(out).toContain('virtio-ivshmem-console 00:0d.0: front-end error: transmitq: descriptor chain from 0 loops; device stopped until the front-end resets');
    expect(out).toContain('echo alive\nalive\n');
  }, 300_000);
});
