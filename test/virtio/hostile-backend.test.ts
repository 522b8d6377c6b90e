/**
 * A hostile virtio back-end against the inmate library's front-end (guests/inmates/lib/virtio-*.c): the
 * demo reports what the back-end did wrong, stops using the device and stays a well-behaved cell (it
 * answers the shutdown request), instead of hanging or running off the rings.
 *
 * The back-end here is the test itself, playing the root cell's peer of link 00:0f.0 through the
 * hypervisor's device model (its State and Doorbell registers) and the shared R/W section, so it can
 * misbehave in ways the root OS's back-end never would.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RootOsLab } from '../rootos/lab.ts';
import type { IvshmemEndpoint } from '../../core/hypervisor/ivshmem.ts';
import { BLOCK_LINK, bootVirtioLab, H, shell, Shm } from './lab.ts';

type Misbehaviour = 'never-complete' | 'no-version-1' | 'bad-revision' | 'used-index-jump' | 'used-id-bogus' | 'used-len-huge' | 'leave';

const REG_DOORBELL = 0x0c, REG_STATE = 0x10;
const FEATURES = (1 << 1) | (1 << 2) | (1 << 9);   // SIZE_MAX, SEG_MAX, FLUSH

/** A block back-end that follows the protocol up to the point where it was told to misbehave. */
class HostBackend {
  misbehave: Misbehaviour = 'never-complete';
  private ready = false;
  private nextAvail = 0;
  private queue = { desc: 0, driver: 0, device: 0, enabled: false };
  private readonly rw = BLOCK_LINK.rw;

  constructor(private readonly shm: Shm, private readonly ep: IvshmemEndpoint) {}

  private frontState(): number { return this.shm.u32(BLOCK_LINK.state + 0); }   // the front-end is peer 0

  /** One look at the link, as a back-end's loop would do after an interrupt. */
  step(): void {
    const { shm, rw } = this;
    if (this.ready && this.frontState() !== 1 && this.frontState() !== 0) return;
    if (!this.ready) {
      if (this.frontState() !== 0) return;
      for (let i = 0; i < 0x100; i += 4) shm.set32(rw + i, 0);
      shm.set32(rw + H.revision, this.misbehave === 'bad-revision' ? 0 : 1);
      shm.set32(rw + H.size, H.config + 16);
      shm.set32(rw + H.deviceFeatures, FEATURES);
      shm.set16(rw + H.queueSize, 8);
      shm.set32(rw + H.config, 512);            // capacity
      shm.set32(rw + H.config + 8, 0x1d000);    // size_max
      shm.set32(rw + H.config + 12, 1);         // seg_max
      this.nextAvail = 0;
      this.queue.enabled = false;
      this.ready = true;
      this.ep.mmioWrite(REG_STATE, 4, 1);
      return;
    }
    if (this.misbehave === 'leave' && this.queue.enabled && shm.u16(rw + this.queue.driver + 2) !== this.nextAvail) {
      this.ep.mmioWrite(REG_STATE, 4, 0);    // gone in the middle of a request
      return;
    }
    const wt = shm.u32(rw + H.writeTransaction);
    if (wt !== 0 && this.misbehave !== 'never-complete') {
      if (wt === H.deviceFeaturesSel) {
        const sel = shm.u32(rw + H.deviceFeaturesSel);
        shm.set32(rw + H.deviceFeatures, sel === 0 ? FEATURES : sel === 1 && this.misbehave !== 'no-version-1' ? 1 : 0);
      } else if (wt === H.queueEnable) {
        this.queue = { desc: shm.u64(rw + H.queueDesc), driver: shm.u64(rw + H.queueDriver), device: shm.u64(rw + H.queueDevice), enabled: true };
      }
      shm.set32(rw + H.writeTransaction, 0);
    }
    if (!this.queue.enabled || shm.u32(rw + H.deviceStatus) !== 0xf) return;
    const avail = rw + this.queue.driver, used = rw + this.queue.device;
    if (shm.u16(avail + 2) === this.nextAvail) return;
    const head = shm.u16(avail + 4 + 2 * (this.nextAvail % 8));
    this.nextAvail++;
    // the request's status byte: the last descriptor of the chain
    let d = head, n = 0, written = 0;
    const desc = (i: number, off: number) => rw + this.queue.desc + 16 * i + off;
    for (;;) {
      if (shm.u16(desc(d, 12)) & 2) written += shm.u32(desc(d, 8));    // device-writable: filled
      if (!(shm.u16(desc(d, 12)) & 1) || n++ >= 8) break;
      d = shm.u16(desc(d, 14));
    }
    shm.set8(rw + shm.u64(desc(d, 0)), 0);
    const idx = shm.u16(used + 2);
    const entry = used + 4 + 8 * (idx % 8);
    shm.set32(entry, this.misbehave === 'used-id-bogus' ? (head === 7 ? 6 : 7) : head);
    shm.set32(entry + 4, this.misbehave === 'used-len-huge' ? 0x100000 : written);
    shm.set16(used + 2, idx + (this.misbehave === 'used-index-jump' ? 5 : 1));
    shm.set8(rw + H.queueEvent, 1);
    this.ep.mmioWrite(REG_DOORBELL, 4, 0 << 16);
  }

  /** The front-end restarts: the back-end starts over. */
  restart(): void {
    this.ready = false;
    this.ep.mmioWrite(REG_STATE, 4, 0);
  }
}

describe('the inmate virtio front-end against a hostile back-end', () => {
  let lab: RootOsLab;
  let backend: HostBackend;
  let started = false;

  beforeAll(() => {
    lab = bootVirtioLab();
    const link = lab.hv!.ivshmem.links.get(0x0f << 3)!;
    backend = new HostBackend(new Shm(lab), link.endpoints[1]!);
    shell(lab, 'jailhouse cell create /etc/jailhouse/virtio-blk.cell', ['Created Jailhouse cell "virtio-blk"', '~# ']);
  }, 300_000);

  /** Runs the demo against the back-end misbehaving as told; returns the demo's console. */
  function demoAgainst(misbehave: Misbehaviour): string {
    if (started) shell(lab, 'jailhouse cell shutdown virtio-blk', ['~# ']);
    backend.misbehave = misbehave;
    backend.restart();
    shell(lab, 'jailhouse cell load virtio-blk /demos/virtio-blk-demo.bin', ['~# ']);
    const from = lab.stream('cell:virtio-blk').length;
    lab.type('jailhouse cell start virtio-blk\n');
    started = true;
    const console = () => lab.stream('cell:virtio-blk').slice(from);
    // small slices: the host back-end only looks between them, and a deterministic board skips idle time
    // (the front-end's 10 ms ticks) within a slice; 2000 instructions keep its answers within the
    // front-end's 1 s bounds
    for (let budget = 0; budget < 100_000_000 && !/failed: |done/.test(console()); budget += 2000) {
      backend.step();
      lab.machine.run(2000);
    }
    // the cell is still well: running, and it approves a shutdown (the root's shell gets its prompt back)
    const list = shell(lab, 'jailhouse cell list', ['virtio-blk', '~# ']);
    expect(list).toMatch(/virtio-blk\s+running/);
    return console();
  }

  it('a write transaction the back-end never completes is a timeout, not a hang', () => {
    expect(demoAgainst('never-complete')).toContain('virtio-blk-demo: setup failed: the back-end did not complete the write of register 0x44');
  }, 300_000);

  it('a back-end without VIRTIO_F_VERSION_1 is refused', () => {
    expect(demoAgainst('no-version-1')).toContain('virtio-blk-demo: setup failed: the back-end does not offer VIRTIO_F_VERSION_1 (features 0x206)');
  }, 300_000);

  it('a header with revision 0 is refused', () => {
    expect(demoAgainst('bad-revision')).toContain('virtio-blk-demo: setup failed: bad header (revision 0, size 92)');
  }, 300_000);

  it('a used index that runs ahead of the requests in flight is caught', () => {
    expect(demoAgainst('used-index-jump')).toContain('virtio-blk-demo: read failed: queue 0: used index 5 runs 5 ahead of 0, with 1 buffers in flight');
  }, 300_000);

  it('a used entry naming a descriptor that is not in flight is caught', () => {
    expect(demoAgainst('used-id-bogus')).toContain('virtio-blk-demo: read failed: queue 0: used entry names descriptor 7, which is not in flight');
  }, 300_000);

  it('a used length beyond the buffers is caught', () => {
    expect(demoAgainst('used-len-huge')).toContain('virtio-blk-demo: read failed: queue 0: used length 1048576 exceeds the 513 writable bytes of buffer 0');
  }, 300_000);

  it('a back-end that leaves in the middle of a request is noticed', () => {
    expect(demoAgainst('leave')).toContain('virtio-blk-demo: read failed: the back-end left (state 0)');
  }, 300_000);

  it('an honest run of the same host back-end works (the misbehaviour is what the demo caught)', () => {
    backend.misbehave = 'used-len-huge';
    const out = demoAgainst('honest' as Misbehaviour);
    expect(out).toContain('virtio-blk-demo: run 1 wrote sector 1, read back ok');
  }, 300_000);
});
