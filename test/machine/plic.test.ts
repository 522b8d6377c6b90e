import { describe, expect, it } from 'vitest';
import { MMIO_FAULT } from '../../core/machine/device.ts';
import { Plic, machineContext, supervisorContext } from '../../core/machine/plic.ts';

const priorityReg = (source: number) => 4 * source;
const enableReg = (context: number, word = 0) => 0x2000 + 0x80 * context + 4 * word;
const thresholdReg = (context: number) => 0x200000 + 0x1000 * context;
const claimReg = (context: number) => 0x200004 + 0x1000 * context;

function makePlic(harts = 2) {
  const changes: [number, boolean][] = [];
  const plic = new Plic({ harts, onContextChange: (context, asserted) => changes.push([context, asserted]) });
  const rd = (offset: number) => plic.read(offset, 4);
  const wr = (offset: number, value: number) => expect(plic.write(offset, 4, value)).toBe(true);
  return { plic, changes, rd, wr };
}

describe('Plic registers', () => {
  it('has two contexts per hart: 2h for M-mode, 2h+1 for S-mode', () => {
    const { plic } = makePlic(3);
    expect(plic.numSources).toBe(96);
    expect(plic.numContexts).toBe(6);
    expect(machineContext(2)).toBe(4);
    expect(supervisorContext(2)).toBe(5);
  });

  it('stores 3-bit priorities, hardwires source 0 and ignores out-of-range thresholds', () => {
    const { rd, wr } = makePlic();
    wr(priorityReg(10), 5);
    expect(rd(priorityReg(10))).toBe(5);
    wr(priorityReg(10), 0xf);
    expect(rd(priorityReg(10))).toBe(7);
    wr(priorityReg(0), 3);
    expect(rd(priorityReg(0))).toBe(0);
    wr(thresholdReg(1), 4);
    expect(rd(thresholdReg(1))).toBe(4);
    wr(thresholdReg(1), 9);
    expect(rd(thresholdReg(1))).toBe(4);
  });

  it('masks the enable bit of source 0 and keeps enables per context', () => {
    const { rd, wr } = makePlic();
    wr(enableReg(1, 0), 0xffffffff);
    wr(enableReg(3, 2), 0x80000001);
    expect(rd(enableReg(1, 0))).toBe(0xfffffffe);
    expect(rd(enableReg(3, 2))).toBe(0x80000001);
    expect(rd(enableReg(0, 0))).toBe(0);
  });

  it('faults on non-32-bit and misaligned accesses and ignores unknown registers', () => {
    const { plic, rd, wr } = makePlic();
    expect(plic.read(0, 1)).toBe(MMIO_FAULT);
    expect(plic.read(2, 4)).toBe(MMIO_FAULT);
    expect(plic.write(4, 2, 1)).toBe(false);
    expect(rd(0x1000 + 4 * 3)).toBe(0); // pending word past the 96 sources
    expect(rd(thresholdReg(8))).toBe(0); // context 8 does not exist with 2 harts
    wr(thresholdReg(8), 1);
    wr(0x200008, 7);
    expect(rd(0x200008)).toBe(0);
  });

  it('rejects line(0) and sources past numSources', () => {
    const { plic } = makePlic();
    expect(() => plic.line(0)).toThrow(RangeError);
    expect(() => plic.line(96)).toThrow(RangeError);
    expect(plic.line(10)).toBe(plic.line(10));
  });
});

describe('Plic gateway and claim', () => {
  it('shows an asserted source as pending (read-only) and clears it when the level drops unclaimed', () => {
    const { plic, rd, wr } = makePlic();
    plic.line(33).set(true);
    expect(rd(0x1004)).toBe(1 << 1);
    wr(0x1004, 0);
    expect(rd(0x1004)).toBe(1 << 1);
    plic.line(33).set(false);
    expect(rd(0x1004)).toBe(0);
    expect(plic.isPending(33)).toBe(false);
  });

  it('asserts a context only for an enabled pending source with priority above threshold', () => {
    const { plic, changes, wr } = makePlic();
    const ctx = supervisorContext(0);
    plic.line(10).set(true);
    expect(changes).toEqual([]); // priority 0 and not enabled
    wr(enableReg(ctx), 1 << 10);
    expect(changes).toEqual([]); // still priority 0: never interrupts
    wr(priorityReg(10), 1);
    expect(changes).toEqual([[ctx, true]]);
    expect(plic.isAsserted(ctx)).toBe(true);
    wr(thresholdReg(ctx), 1);
    expect(changes).toEqual([[ctx, true], [ctx, false]]);
    wr(priorityReg(10), 2);
    expect(plic.isAsserted(ctx)).toBe(true);
    expect(plic.isAsserted(machineContext(0))).toBe(false);
    wr(enableReg(ctx), 0);
    expect(plic.isAsserted(ctx)).toBe(false);
    expect(changes.length).toBe(4);
  });

  it('claims the highest priority first and the lowest id on ties', () => {
    const { plic, rd, wr } = makePlic();
    const ctx = 1;
    wr(enableReg(ctx, 0), 0xfffffffe);
    wr(enableReg(ctx, 1), 0xffffffff);
    for (const [source, priority] of [[5, 2], [40, 6], [7, 6], [3, 2], [20, 1]] as const) {
      wr(priorityReg(source), priority);
      plic.line(source).set(true);
    }
    const order = [rd(claimReg(ctx)), rd(claimReg(ctx)), rd(claimReg(ctx)), rd(claimReg(ctx)), rd(claimReg(ctx))];
    expect(order).toEqual([7, 40, 3, 5, 20]);
    expect(rd(claimReg(ctx))).toBe(0);
    expect(plic.isAsserted(ctx)).toBe(false);
  });

  it('only claims above the threshold, as QEMU does', () => {
    const { plic, rd, wr } = makePlic();
    wr(enableReg(1), (1 << 4) | (1 << 6));
    wr(priorityReg(4), 3);
    wr(priorityReg(6), 5);
    wr(thresholdReg(1), 3);
    plic.line(4).set(true);
    plic.line(6).set(true);
    expect(rd(claimReg(1))).toBe(6);
    expect(rd(claimReg(1))).toBe(0);
    expect(plic.isPending(4)).toBe(true);
  });

  it('re-pends a still-asserted level source on complete, not before', () => {
    const { plic, changes, rd, wr } = makePlic();
    const ctx = supervisorContext(1);
    wr(enableReg(ctx), 1 << 10);
    wr(priorityReg(10), 1);
    plic.line(10).set(true);
    expect(plic.isAsserted(ctx)).toBe(true);
    expect(rd(claimReg(ctx))).toBe(10);
    expect(plic.isAsserted(ctx)).toBe(false);
    expect(plic.isPending(10)).toBe(false);
    plic.line(10).set(true); // the device keeps its line high while in service: no new request
    expect(plic.isAsserted(ctx)).toBe(false);
    wr(claimReg(ctx), 10);
    expect(plic.isPending(10)).toBe(true);
    expect(plic.isAsserted(ctx)).toBe(true);
    expect(rd(claimReg(ctx))).toBe(10);
    plic.line(10).set(false); // the handler serviced the device
    wr(claimReg(ctx), 10);
    expect(plic.isPending(10)).toBe(false);
    expect(plic.isAsserted(ctx)).toBe(false);
    expect(changes).toEqual([[ctx, true], [ctx, false], [ctx, true], [ctx, false]]);
  });

  it('ignores a completion for a source the context does not enable', () => {
    const { plic, rd, wr } = makePlic();
    wr(enableReg(1), 1 << 9);
    wr(priorityReg(9), 1);
    plic.line(9).set(true);
    expect(rd(claimReg(1))).toBe(9);
    wr(claimReg(3), 9); // hart 1's S context does not enable source 9
    expect(plic.isPending(9)).toBe(false);
    wr(claimReg(1), 9);
    expect(plic.isPending(9)).toBe(true);
  });

  it('lets any context that enables a source take it, and deasserts the others when claimed', () => {
    const { plic, changes, rd, wr } = makePlic();
    wr(enableReg(1), 1 << 12);
    wr(enableReg(3), 1 << 12);
    wr(priorityReg(12), 4);
    plic.line(12).set(true);
    expect(plic.isAsserted(1) && plic.isAsserted(3)).toBe(true);
    expect(rd(claimReg(3))).toBe(12);
    expect(plic.isAsserted(1)).toBe(false);
    expect(rd(claimReg(1))).toBe(0);
    expect(changes).toEqual([[1, true], [3, true], [1, false], [3, false]]);
  });

  it('keeps a context asserted while another source remains after a claim', () => {
    const { plic, changes, rd, wr } = makePlic();
    wr(enableReg(1), (1 << 1) | (1 << 2));
    wr(priorityReg(1), 1);
    wr(priorityReg(2), 1);
    plic.line(1).set(true);
    plic.line(2).set(true);
    expect(rd(claimReg(1))).toBe(1);
    expect(plic.isAsserted(1)).toBe(true);
    expect(rd(claimReg(1))).toBe(2);
    expect(plic.isAsserted(1)).toBe(false);
    expect(changes).toEqual([[1, true], [1, false]]);
  });

  it('lowers the output when the priority of the only pending source drops to the threshold', () => {
    const { plic, wr } = makePlic();
    wr(enableReg(1), 1 << 3);
    wr(priorityReg(3), 2);
    plic.line(3).set(true);
    expect(plic.isAsserted(1)).toBe(true);
    wr(priorityReg(3), 0);
    expect(plic.isAsserted(1)).toBe(false);
  });

  it('reset clears registers and re-pends lines that are still high', () => {
    const { plic, rd, wr } = makePlic();
    wr(enableReg(1), 1 << 3);
    wr(priorityReg(3), 2);
    plic.line(3).set(true);
    expect(rd(claimReg(1))).toBe(3);
    plic.reset();
    expect(plic.isPending(3)).toBe(true);
    expect(rd(priorityReg(3))).toBe(0);
    expect(plic.isAsserted(1)).toBe(false);
  });
});

describe('Plic edges (trigger: virtual interrupts such as ivshmem INTx)', () => {
  it('an edge pends the source without asserting its level; claim clears it for good', () => {
    const { plic, rd, wr } = makePlic();
    const ctx = supervisorContext(0);
    wr(priorityReg(36), 1);
    wr(enableReg(ctx, 1), 1 << 4);
    plic.trigger(36);
    expect(plic.isPending(36)).toBe(true);
    expect(plic.isAsserted(ctx)).toBe(true);
    expect(rd(claimReg(ctx))).toBe(36);
    wr(claimReg(ctx), 36);
    expect(plic.isPending(36)).toBe(false); // no level behind it: nothing re-pends
    expect(plic.isAsserted(ctx)).toBe(false);
  });

  it('an edge while the source is in service pends it again on complete (once)', () => {
    const { plic, rd, wr } = makePlic();
    const ctx = supervisorContext(0);
    wr(priorityReg(36), 1);
    wr(enableReg(ctx, 1), 1 << 4);
    plic.trigger(36);
    expect(rd(claimReg(ctx))).toBe(36);
    plic.trigger(36);
    plic.trigger(36);
    expect(plic.isPending(36)).toBe(false);
    wr(claimReg(ctx), 36);
    expect(plic.isPending(36)).toBe(true);
    expect(rd(claimReg(ctx))).toBe(36);
    wr(claimReg(ctx), 36);
    expect(plic.isPending(36)).toBe(false);
  });

  it('ignores sources out of range; reset forgets latched edges', () => {
    const { plic, rd, wr } = makePlic();
    plic.trigger(0);
    plic.trigger(96);
    const ctx = supervisorContext(0);
    wr(priorityReg(5), 1);
    wr(enableReg(ctx), 1 << 5);
    plic.trigger(5);
    expect(rd(claimReg(ctx))).toBe(5);
    plic.trigger(5);
    plic.reset();
    expect(plic.isPending(5)).toBe(false);
  });
});
