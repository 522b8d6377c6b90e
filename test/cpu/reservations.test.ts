/**
 * LR/SC reservations (docs/board.md "LR/SC"): they survive the scheduler's slice ends and end only on
 * the hart's own SC, trap or SRET (as QEMU, whose every privilege-mode change clears load_res), or when
 * anything writes the reserved granule: another hart's store or AMO, or a host-side write.
 */
import { describe, expect, it } from 'vitest';
import { Hart } from '../../core/cpu/hart.ts';
import { EBREAK, i, r, s, SRET } from '../support/encode.ts';
import { HartHarness, RAM_BASE } from '../support/hart-harness.ts';

const lrD = (rd: number, rs1: number) => r(0x02 << 2, 0, rs1, 3, rd, 0x2f);
const scD = (rd: number, rs1: number, rs2: number) => r(0x03 << 2, rs2, rs1, 3, rd, 0x2f);
const amoaddW = (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 2, rd, 0x2f);
const sw = (rs2: number, rs1: number, imm: number) => s(imm, rs2, rs1, 2);
const sb = (rs2: number, rs1: number, imm: number) => s(imm, rs2, rs1, 0);
const addi = (rd: number, rs1: number, imm: number) => i(imm, rs1, 0, rd, 0x13);
const DATA = RAM_BASE + 0x4000;
const HANDLER = RAM_BASE + 0x800;

/** Hart 0 runs LR at RAM_BASE and SC at RAM_BASE + 4 (x8 = SC result); hart 1 runs `other` at 0x2000. */
function twoHarts(other: number[]): { h: HartHarness; other: Hart } {
  const h = new HartHarness();
  h.program([lrD(7, 5), scD(8, 5, 6)]);
  h.program(other, RAM_BASE + 0x2000);
  h.start();
  h.hart.stvec[0] = HANDLER;
  h.setReg(5, BigInt(DATA));
  h.setReg(6, 42n);
  const hart1 = new Hart(1, h.ram, h.code, h, h);
  hart1.start(RAM_BASE + 0x2000, 0, 0);
  hart1.xlo[5] = DATA;
  hart1.xlo[6] = 7;
  return { h, other: hart1 };
}

describe('LR/SC reservations', () => {
  it('survive the end of a slice when nothing else writes (one hart)', () => {
    const h = new HartHarness();
    h.program([lrD(7, 5), scD(8, 5, 6)]);
    h.start();
    h.setReg(5, BigInt(DATA));
    h.setReg(6, 42n);
    expect(h.run(1)).toBe(1); // LR, then the slice ends
    expect(h.run(1)).toBe(1); // SC in the next slice
    expect(h.reg(8)).toBe(0n);
    expect(h.ram.view.getBigUint64(DATA - RAM_BASE, true)).toBe(42n);
  });

  it('another hart writing elsewhere (same page, next granule) leaves the reservation alone', () => {
    const { h, other } = twoHarts([sw(6, 5, 8), sb(6, 5, -1)]);
    h.run(1);
    other.run(2);
    h.run(1);
    expect(h.reg(8)).toBe(0n);
  });

  it('another hart storing into the reserved granule makes the SC fail and keeps its value', () => {
    const { h, other } = twoHarts([sb(6, 5, 7)]);
    h.run(1);
    other.run(1);
    h.run(1);
    expect(h.reg(8)).toBe(1n);
    expect(h.ram.u8[DATA - RAM_BASE + 7]).toBe(7);
    expect(h.ram.u8[DATA - RAM_BASE]).toBe(0); // the SC wrote nothing
  });

  it('another hart\'s AMO or successful SC on the granule makes the SC fail', () => {
    const amo = twoHarts([amoaddW(9, 5, 6)]);
    amo.h.run(1);
    amo.other.run(1);
    amo.h.run(1);
    expect(amo.h.reg(8)).toBe(1n);
    const sc = twoHarts([lrD(9, 5), scD(10, 5, 6)]);
    sc.h.run(1);
    sc.other.run(2);
    expect(sc.other.xlo[10]).toBe(0);
    sc.h.run(1);
    expect(sc.h.reg(8)).toBe(1n);
  });

  it('a host-side write (loader, device, hypervisor) to the granule ends it', () => {
    const h = new HartHarness();
    h.program([lrD(7, 5), scD(8, 5, 6)]);
    h.start();
    h.setReg(5, BigInt(DATA));
    h.run(1);
    h.bytes(DATA + 3, [1]);
    h.run(1);
    expect(h.reg(8)).toBe(1n);
  });

  it('a trap or SRET ends it (as QEMU: every trap and xRET clears the reservation)', () => {
    const h = new HartHarness();
    // LR; ebreak -> handler: addi sepc-skip is not needed, the handler does the SC itself
    h.program([lrD(7, 5), EBREAK]);
    h.program([scD(8, 5, 6)], HANDLER);
    h.start();
    h.hart.stvec[0] = HANDLER;
    h.setReg(5, BigInt(DATA));
    h.run(3);
    expect(h.reg(8)).toBe(1n);

    const h2 = new HartHarness();
    h2.program([lrD(7, 5), SRET]); // sepc = 0x100: SRET to an SC there
    h2.program([scD(8, 5, 6), addi(0, 0, 0)], RAM_BASE + 0x100);
    h2.start();
    h2.hart.sepc[0] = RAM_BASE + 0x100;
    h2.hart.sstatus |= 1 << 8; // SPP = S
    h2.setReg(5, BigInt(DATA));
    h2.run(3);
    expect(h2.hart.pc).toBe(RAM_BASE + 0x104);
    expect(h2.reg(8)).toBe(1n);
  });
});

describe('illegal instructions across a page boundary', () => {
  it('report all 32 bits in stval, for an undecodable word and for an illegal CSR access', () => {
    for (const insn of [0xffffffff, i(0xf14, 0, 2, 7, 0x73) /* csrr t2, mhartid (M-mode only) */]) {
      const h = new HartHarness();
      const at = RAM_BASE + 0xffe;
      h.bytes(at, [insn & 0xff, (insn >>> 8) & 0xff, (insn >>> 16) & 0xff, insn >>> 24]);
      h.start(at);
      h.hart.stvec[0] = HANDLER;
      h.run(1);
      expect(h.csr('scause')).toBe(2n);
      expect(h.csr('sepc')).toBe(BigInt(at));
      expect(h.csr('stval'), `0x${insn.toString(16)}`).toBe(BigInt(insn));
    }
  });
});

describe('page-crossing stores whose bytes are not all RAM', () => {
  it('send the non-RAM bytes through the exits one by one; a refused byte faults with its address', () => {
    const h = new HartHarness();
    h.program([sw(6, 5, 0)]);
    h.start();
    h.hart.stvec[0] = HANDLER;
    h.setReg(5, BigInt(RAM_BASE + 0xffffe)); // the last two bytes of RAM, then nothing
    h.setReg(6, 0x11223344n);
    h.run(1);
    expect(h.csr('scause')).toBe(7n);
    expect(h.csr('stval')).toBe(BigInt(RAM_BASE + 0x100000));
    expect([h.ram.u8[0xffffe], h.ram.u8[0xfffff]]).toEqual([0x44, 0x33]); // written in order before the fault
  });
});
