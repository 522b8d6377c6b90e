/**
 * Virtual interrupt sources in a cell's view of the PLIC (Jailhouse's vIRQs, used for ivshmem INTx):
 * enable/pending/claim/complete, delivery to the first enabling CPU, dropping when nobody enabled it,
 * physical sources first, and isolation from the physical PLIC and other cells.
 */
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../core/hypervisor/cell.ts';
import { VirtualPlic } from '../../core/hypervisor/virtual-plic.ts';
import { Plic } from '../../core/machine/plic.ts';

const ENABLE = (context: number, word: number) => 0x2000 + context * 0x80 + word * 4;
const CLAIM = (context: number) => 0x20_0000 + context * 0x1000 + 4;

function setup() {
  const lines = new Map<number, boolean>();
  const plic = new Plic({ harts: 4, numSources: 96, onContextChange: () => {} });
  const board = { plic, setVirtualExternal: (hart: number, on: boolean) => { lines.set(hart, on); } };
  const vplic = new VirtualPlic(board, [1, 3, 5, 7]);
  const cell = (cpus: number[], pins: number[]) =>
    ({ cpus: new Set(cpus), pins: new Set(pins), virqs: new Set<number>() }) as unknown as Cell;
  const ignored: string[] = [];
  const note = (what: string) => { ignored.push(what); };
  const rd = (c: Cell, off: number) => { const r = vplic.read(c, off, 4, note); if (!r.ok) throw new Error(r.reason); return r.value >>> 0; };
  const wr = (c: Cell, off: number, v: number) => { const r = vplic.write(c, off, 4, v, note); if (!r.ok) throw new Error(r.reason); };
  return { plic, vplic, lines, cell, rd, wr, ignored };
}

describe('virtual PLIC sources', () => {
  it('a vIRQ is delivered to the first CPU of the cell that enabled it, claimed and completed there', () => {
    const { plic, vplic, lines, cell, rd, wr } = setup();
    const c = cell([1, 2], [10]);
    vplic.registerVirq(c, 34);
    // nobody enabled it: the edge is dropped, as Jailhouse's plic_send_virq does
    expect(vplic.sendVirq(c, 34)).toBe(false);
    expect(lines.get(1) ?? false).toBe(false);
    wr(c, ENABLE(5, 1), 1 << 2); // CPU 2 (context 5) enables source 34
    expect(rd(c, ENABLE(5, 1))).toBe(1 << 2); // reads back
    expect(plic.read(ENABLE(5, 1), 4)).toBe(0); // the physical PLIC never saw it
    expect(vplic.sendVirq(c, 34)).toBe(true);
    expect(lines.get(2)).toBe(true);
    expect(lines.get(1) ?? false).toBe(false);
    expect(rd(c, 0x1004) & (1 << 2)).toBe(1 << 2); // pending bits show it
    expect(rd(c, CLAIM(5))).toBe(34);
    expect(lines.get(2)).toBe(false);
    // a second edge while in service pends but is claimable only after the completion
    vplic.sendVirq(c, 34);
    expect(lines.get(2)).toBe(false);
    expect(rd(c, CLAIM(5))).toBe(0);
    wr(c, CLAIM(5), 34);
    expect(lines.get(2)).toBe(true);
    expect(rd(c, CLAIM(5))).toBe(34);
    wr(c, CLAIM(5), 34);
    expect(lines.get(2)).toBe(false);
  });

  it('a physical source is claimed before a virtual one; priorities of vIRQs are ignored', () => {
    const { plic, vplic, cell, rd, wr, ignored } = setup();
    const c = cell([0], [10]);
    vplic.registerVirq(c, 33);
    wr(c, 10 * 4, 1); // priority of the physical pin 10
    wr(c, 33 * 4, 5); // priority of the vIRQ: ignored
    expect(ignored.some((l) => l.includes('virtual source 33'))).toBe(true);
    expect(plic.read(33 * 4, 4)).toBe(0);
    wr(c, ENABLE(1, 0), 1 << 10);
    wr(c, ENABLE(1, 1), 1 << 1);
    plic.line(10).set(true);
    vplic.sendVirq(c, 33);
    expect(rd(c, CLAIM(1))).toBe(10);
    expect(rd(c, CLAIM(1))).toBe(33);
    wr(c, CLAIM(1), 33);
    plic.line(10).set(false);
    wr(c, CLAIM(1), 10);
    expect(rd(c, CLAIM(1))).toBe(0);
  });

  it('only registered sources can be enabled; unregistering and CPU hand-over forget the state', () => {
    const { plic, vplic, lines, cell, rd, wr, ignored } = setup();
    const a = cell([0], [10]), b = cell([3], []);
    vplic.registerVirq(a, 36);
    wr(b, ENABLE(7, 1), 1 << 4); // b has no vIRQ 36 and no pin 36: ignored
    expect(rd(b, ENABLE(7, 1))).toBe(0);
    expect(ignored.some((l) => l.includes('foreign sources 0x10'))).toBe(true);
    expect(vplic.sendVirq(b, 36)).toBe(false); // not b's
    wr(a, ENABLE(1, 1), 1 << 4);
    vplic.sendVirq(a, 36);
    expect(lines.get(0)).toBe(true);
    expect(plic.isPending(36)).toBe(false);
    vplic.resetVirtual([0]);
    expect(lines.get(0)).toBe(false);
    expect(rd(a, ENABLE(1, 1))).toBe(0);
    wr(a, ENABLE(1, 1), 1 << 4);
    vplic.sendVirq(a, 36);
    vplic.unregisterVirq(a, 36);
    expect(lines.get(0)).toBe(false);
    expect(vplic.sendVirq(a, 36)).toBe(false);
    expect(vplic.virqInRange(0)).toBe(false);
    expect(vplic.virqInRange(95)).toBe(true);
    expect(vplic.virqInRange(96)).toBe(false);
  });
});
