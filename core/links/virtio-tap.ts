import type { PeerEnd, VirtioLinkInspection, VirtioQueue } from './inspection.ts';
import type { SharedSection } from './section.ts';
import {
  VIRTIO_DEVICE_NAMES, VirtioHeaderField as F, featureHex, readVirtioHeader, virtioFeatureNames, virtioFieldName,
  virtioFieldValue, virtioStatusNames,
} from './virtio-header.ts';
import { SplitRing } from './vring.ts';

/** Queues the view follows at most (queue_sel beyond this is shown only in lastWrite). */
const MAX_QUEUES = 16;
/** Rates are taken over windows of at least this much virtual time. */
const RATE_WINDOW_NS = 100_000_000;

interface QueueShadow { size: number; enabled: boolean; desc: number; driver: number; device: number }

/**
 * Follows a virtio-over-ivshmem link from the outside. The header multiplexes the queue and feature
 * registers through selectors, so the tap keeps what the front-end configured: at each front-end
 * doorbell it reads `write_transaction` (the field just written) and records the value per selector.
 * Queue indices are then read from the rings at those offsets. Read-only, bounds-checked.
 */
export class VirtioLinkTap {
  writeTransactions = 0;
  kicks = 0;
  notifications = 0;
  private lastWrite: string | undefined;
  private readonly queues = new Map<number, QueueShadow>();
  private deviceFeatures: [number, number] = [0, 0];
  /** device_features_sel at the last transaction: the selector device_features answers once that is done. */
  private answeredSel = 0;
  private driverFeatures: [number, number] = [0, 0];
  private window = { timeNs: 0, writeTransactions: 0, kicks: 0, notifications: 0 };
  private rates = { writeTransactions: 0, kicks: 0, notifications: 0 };

  constructor(
    readonly bdf: string,
    readonly device: number,
    readonly frontEnd: number,
    readonly backEnd: number,
    private readonly stateTable: SharedSection,
    private readonly rw: SharedSection,
  ) {}

  /** A doorbell from peer `from`; returns a line for the trace describing it. */
  doorbell(from: number): string {
    const h = readVirtioHeader(this.rw);
    if (from === this.backEnd) {
      this.notifications++;
      return h ? `back-end notifies front-end (queue_event ${h.queueEvent}, config_event ${h.configEvent})` : 'back-end notifies front-end';
    }
    if (from !== this.frontEnd) return `doorbell from peer ${from}`;
    if (h === undefined || h.writeTransaction === 0) {
      this.kicks++;
      return 'front-end kicks the back-end';
    }
    this.writeTransactions++;
    const offset = h.writeTransaction;
    const value = virtioFieldValue(this.rw, offset);
    this.lastWrite = `${virtioFieldName(offset)} = ${value === undefined ? '?' : `0x${value.toString(16)}`}`;
    // device_features answers the selector of the transaction before this one (the front-end waited for it).
    if (this.answeredSel < 2) this.deviceFeatures[this.answeredSel] = h.deviceFeatures;
    this.answeredSel = h.deviceFeaturesSel;
    if (offset === F.driverFeatures && h.driverFeaturesSel < 2) this.driverFeatures[h.driverFeaturesSel] = h.driverFeatures;
    if (offset >= F.queueSize && offset < F.configEvent && h.queueSel < MAX_QUEUES) {
      this.queues.set(h.queueSel, { size: h.queueSize, enabled: h.queueEnable !== 0, desc: h.queueDesc, driver: h.queueDriver, device: h.queueDevice });
    }
    if (offset === F.deviceStatus && h.deviceStatus === 0) { // reset: everything negotiated is gone
      this.queues.clear();
      this.driverFeatures = [0, 0];
    }
    return `write transaction: ${this.lastWrite}`;
  }

  inspect(peers: PeerEnd[], timeNs: number): VirtioLinkInspection {
    const h = readVirtioHeader(this.rw);
    if (h !== undefined && h.writeTransaction === 0 && h.deviceFeaturesSel < 2) this.deviceFeatures[h.deviceFeaturesSel] = h.deviceFeatures;
    const elapsed = timeNs - this.window.timeNs;
    if (elapsed >= RATE_WINDOW_NS) {
      const per = (now: number, then: number) => Math.round(((now - then) * 1e9) / elapsed);
      this.rates = {
        writeTransactions: per(this.writeTransactions, this.window.writeTransactions), kicks: per(this.kicks, this.window.kicks),
        notifications: per(this.notifications, this.window.notifications),
      };
      this.window = { timeNs, writeTransactions: this.writeTransactions, kicks: this.kicks, notifications: this.notifications };
    }
    const queues: VirtioQueue[] = [...this.queues].sort(([a], [b]) => a - b).map(([index, q]) => {
      const ring = q.size > 0 && q.size <= 32768 ? new SplitRing(q.size, { section: this.rw, offset: q.desc }, { section: this.rw, offset: q.driver }, { section: this.rw, offset: q.device }) : undefined;
      return { index, ...q, availIdx: ring?.availIdx(), usedIdx: ring?.usedIdx() };
    });
    const status = h?.deviceStatus ?? 0;
    return {
      kind: 'virtio', bdf: this.bdf, device: this.device, deviceName: VIRTIO_DEVICE_NAMES[this.device] ?? `device ${this.device}`,
      frontEnd: this.frontEnd, backEnd: this.backEnd, peers, revision: h?.revision, deviceStatus: status, statusNames: virtioStatusNames(status),
      deviceFeatures: featureHex(this.deviceFeatures), driverFeatures: featureHex(this.driverFeatures),
      negotiated: virtioFeatureNames(this.device, this.driverFeatures), configGeneration: h?.configGeneration, queues,
      writeTransactions: this.writeTransactions, kicks: this.kicks, notifications: this.notifications, rates: { ...this.rates },
      lastWrite: this.lastWrite,
    };
  }

  peerState(id: number): number {
    return this.stateTable.u32(4 * id) ?? 0;
  }
}
