import { describe, expect, it } from 'vitest';
import { Cause } from '../../core/cpu/trap.ts';
import { SSIP } from '../../core/cpu/trap.ts';
import { b, EBREAK, ECALL, i, j, r, s, SRET, WFI } from '../support/encode.ts';
import { HartHarness, RAM_BASE } from '../support/hart-harness.ts';

const ld = (rd: number, rs1: number, imm: number) => i(imm, rs1, 3, rd, 0x03);
const lw = (rd: number, rs1: number, imm: number) => i(imm, rs1, 2, rd, 0x03);
const lbu = (rd: number, rs1: number, imm: number) => i(imm, rs1, 4, rd, 0x03);
const sd = (rs2: number, rs1: number, imm: number) => s(imm, rs2, rs1, 3);
const amoaddD = (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 3, rd, 0x2f);
const lrD = (rd: number, rs1: number) => r(0x02 << 2, 0, rs1, 3, rd, 0x2f);
const scD = (rd: number, rs1: number, rs2: number) => r(0x03 << 2, rs2, rs1, 3, rd, 0x2f);
const csrrw = (rd: number, csr: number, rs1: number) => i(csr, rs1, 1, rd, 0x73);
const csrrs = (rd: number, csr: number, rs1: number) => i(csr, rs1, 2, rd, 0x73);
const HANDLER = RAM_BASE + 0x800;

/** A harness whose stvec points at HANDLER. */
function withHandler(): HartHarness {
  const h = new HartHarness();
  h.start();
  h.hart.stvec[0] = HANDLER | 0;
  h.hart.stvec[1] = 0;
  return h;
}

describe('loads and stores', () => {
  it('misaligned loads and stores work, also across a page boundary (documented choice, as QEMU)', () => {
    const h = withHandler();
    const data = RAM_BASE + 0x1ffd; // crosses into the next page after 3 bytes
    h.program([sd(6, 5, 0), ld(7, 5, 0), lw(8, 5, 1)]);
    h.setReg(5, BigInt(data));
    h.setReg(6, 0x1122334455667788n);
    expect(h.run(3)).toBe(3);
    expect(h.reg(7)).toBe(0x1122334455667788n);
    expect(h.reg(8)).toBe(0x44556677n); // bytes 1..4 of the stored value
    expect(h.ram.u8[0x1ffd]).toBe(0x88);
    expect(h.ram.u8[0x2004]).toBe(0x11);
  });

  it('a load from an address with no device raises a load access fault with stval = address', () => {
    const h = withHandler();
    h.program([ld(7, 0, 0x10)]);
    h.run(1);
    expect(h.hart.pc).toBe(HANDLER);
    expect(h.csr('scause')).toBe(BigInt(Cause.LoadAccessFault));
    expect(h.csr('stval')).toBe(0x10n);
    expect(h.csr('sepc')).toBe(BigInt(RAM_BASE));
  });

  it('device accesses go through the exits with their width', () => {
    const h = withHandler();
    h.program([lbu(7, 5, 0), lw(8, 5, 4), sd(6, 5, 8)]);
    h.setReg(5, 0x10000000n);
    h.setReg(6, 0xdeadbeefcafef00dn);
    h.run(3);
    expect(h.reg(7)).toBe(0x44n);
    expect(h.reg(8)).toBe(0x11223344n);
    expect(h.deviceWrites).toEqual([{ gpa: 0x10000008, size: 8, lo: 0xcafef00d | 0, hi: 0xdeadbeef | 0 }]);
  });

  it('misaligned AMOs and LR raise address-misaligned (6 and 4); aligned ones are atomic read-modify-writes', () => {
    const h = withHandler();
    h.program([amoaddD(7, 5, 6)]);
    h.setReg(5, BigInt(RAM_BASE + 0x1004));
    h.run(1);
    expect(h.csr('scause')).toBe(BigInt(Cause.StoreMisaligned));
    expect(h.csr('stval')).toBe(BigInt(RAM_BASE + 0x1004));

    const h2 = withHandler();
    h2.program([lrD(7, 5)]);
    h2.setReg(5, BigInt(RAM_BASE + 0x1001));
    h2.run(1);
    expect(h2.csr('scause')).toBe(BigInt(Cause.LoadMisaligned));

    const h3 = withHandler();
    h3.program([sd(6, 5, 0), amoaddD(7, 5, 6), ld(8, 5, 0)]);
    h3.setReg(5, BigInt(RAM_BASE + 0x1000));
    h3.setReg(6, 0xffffffffffffffffn);
    h3.run(3);
    expect(h3.reg(7)).toBe(0xffffffffffffffffn);
    expect(h3.reg(8)).toBe(0xfffffffffffffffen);
  });

  it('SC succeeds only on the reservation of the preceding LR', () => {
    const h = withHandler();
    h.program([lrD(7, 5), scD(8, 5, 6), scD(9, 5, 6)]);
    h.setReg(5, BigInt(RAM_BASE + 0x1000));
    h.setReg(6, 42n);
    h.run(3);
    expect(h.reg(8)).toBe(0n); // success
    expect(h.reg(9)).toBe(1n); // reservation consumed
  });

  it('a store into decoded code is seen by the next execution (self-modifying code)', () => {
    const h = withHandler();
    // 0: li t2, 1 ; 4: sw t3, 0(t0) (overwrites 0 with "li t2, 2") ; 8: j 0
    h.program([i(1, 0, 0, 7, 0x13), s(0, 28, 5, 2), j(-8, 0)]);
    h.setReg(5, BigInt(RAM_BASE));
    h.setReg(28, BigInt(i(2, 0, 0, 7, 0x13)));
    h.run(4);
    expect(h.reg(7)).toBe(2n);
  });
});

describe('traps and privilege', () => {
  it('illegal instructions report their bits in stval (32-bit and 16-bit)', () => {
    const h = withHandler();
    h.program([0xffffffff]);
    h.run(1);
    expect(h.csr('scause')).toBe(BigInt(Cause.IllegalInstruction));
    expect(h.csr('stval')).toBe(0xffffffffn);
    const h2 = withHandler();
    h2.program([0x00000000]);
    h2.run(1);
    expect(h2.csr('stval')).toBe(0n);
    expect(h2.csr('scause')).toBe(BigInt(Cause.IllegalInstruction));
  });

  it('ebreak traps with stval = pc; S-mode ecall exits to the firmware and continues', () => {
    const h = withHandler();
    h.program([ECALL, EBREAK]);
    h.hart.xlo[17] = 0x10;
    h.run(2);
    expect(h.ecalls).toEqual([0x10]);
    expect(h.csr('scause')).toBe(BigInt(Cause.Breakpoint));
    expect(h.csr('sepc')).toBe(BigInt(RAM_BASE + 4));
    expect(h.csr('stval')).toBe(BigInt(RAM_BASE + 4));
  });

  it('sret drops to U-mode; U-mode ecall traps to S with cause 8 and SPP = 0; S-only CSRs are illegal in U', () => {
    const h = withHandler();
    const user = RAM_BASE + 0x400;
    h.program([csrrw(0, 0x141, 5), SRET]); // sepc = t0, sret (sstatus.SPP = 0 after start)
    h.program([ECALL], user);
    h.setReg(5, BigInt(user));
    h.run(3);
    expect(h.csr('scause')).toBe(BigInt(Cause.EcallFromU));
    expect(h.csr('sepc')).toBe(BigInt(user));
    expect(h.hart.priv).toBe(1);
    expect(h.hart.sstatus & (1 << 8)).toBe(0);

    const h2 = withHandler();
    h2.program([csrrw(0, 0x141, 5), SRET]);
    h2.program([csrrs(6, 0x100, 0)], user); // read sstatus in U-mode
    h2.setReg(5, BigInt(user));
    h2.run(3);
    expect(h2.csr('scause')).toBe(BigInt(Cause.IllegalInstruction));
    expect(h2.csr('stval')).toBe(BigInt(csrrs(6, 0x100, 0)));
  });

  it('a pending, enabled software interrupt traps at the vectored entry when SIE is set', () => {
    const h = withHandler();
    h.hart.stvec[0] = (HANDLER | 1) | 0; // vectored
    h.program([csrrs(0, 0x104, 5), csrrs(0, 0x100, 6), 0x00000013]);
    h.program([j(0, 0)], HANDLER + 4); // the software-interrupt vector spins in place
    h.setReg(5, BigInt(SSIP));
    h.setReg(6, 2n); // sstatus.SIE
    h.hart.mip = SSIP;
    h.run(3);
    expect(h.hart.pc).toBe(HANDLER + 4 * 1);
    expect(h.csr('scause')).toBe((1n << 63n) | 1n);
    expect(h.csr('sepc')).toBe(BigInt(RAM_BASE + 8));
  });

  it('WFI idles the hart until an enabled interrupt is pending', () => {
    const h = withHandler();
    h.program([WFI, b(-4, 0, 0, 0)]);
    expect(h.run(100)).toBe(1);
    expect(h.hart.idle).toBe(true);
  });

  it('a hart whose trap handler itself faults is reported as stuck, not spinning silently', () => {
    const h = new HartHarness();
    h.start(0x1000); // no RAM, stvec = 0: every fetch faults at the handler address
    h.run(200);
    expect(h.hart.stuckTraps).toBeGreaterThan(100);
    expect(h.csr('scause')).toBe(BigInt(Cause.InstructionAccessFault));
  });
});
