import type { HartExits } from '../cpu/environment.ts';
import type { Hart } from '../cpu/hart.ts';
import { Eid } from '../machine/sbi.ts';
import { JAILHOUSE_EID, Stat } from './abi.ts';
import type { Cell } from './cell.ts';
import { GuestFault, invalidMmioLine, panicPark } from './faults.ts';
import type { Hypervisor } from './hypervisor.ts';
import { hpaOf, ioViolation } from './mmio.ts';

const ALL_ONES = [0, 0xff, 0xffff, 0, 0xffffffff] as const;

/**
 * The exits of one cell's harts: everything a hart of the cell cannot do through its second stage
 * (device accesses, violations, ecalls) lands here. Data flows guest → exit → hypervisor → event
 * (console line, trace record, statistics).
 */
export class CellExits implements HartExits {
  /** The hart of the PLIC access in progress (for the trace of ignored foreign-source accesses). */
  private plicHart: Hart | undefined;
  private readonly plicIgnored = (what: string): void => {
    if (this.plicHart !== undefined) this.hv.trace(this.plicHart, `plic: ${what}`);
  };

  constructor(private readonly hv: Hypervisor, private readonly cell: Cell) {}

  mmioRead(hart: Hart, gpa: number, size: 1 | 2 | 4 | 8): boolean {
    const hv = this.hv;
    hv.stats.exit(hart.id, Stat.Mmio);
    const io = hart.ioData;
    if (hv.inIrqchip(gpa)) {
      this.plicHart = hart;
      const r = hv.vplic.read(this.cell, gpa - hv.irqchipBase, size, this.plicIgnored);
      if (!r.ok) return this.violation(hart, gpa, size, false, `plic: ${r.reason}`);
      io[0] = r.value; io[1] = 0;
      return true;
    }
    const emulated = this.cell.mmioRegions.length === 0 ? undefined : this.cell.mmioRegionAt(gpa);
    if (emulated !== undefined) {
      const value = emulated.handler.read(gpa - emulated.start, size);
      if (value === undefined) return this.violation(hart, gpa, size, false, 'rejected by the emulated device');
      io[0] = value; io[1] = 0;
      return true;
    }
    if (hv.inPciEcam(gpa)) {
      const bdf = Math.floor((gpa - hv.pciBase) / 4096);
      const virtual = this.cell.virtualPci.get(bdf);
      if (virtual !== undefined) {
        const reg = (gpa - hv.pciBase) % 4096;
        io[0] = size === 8 || reg % size !== 0 ? -1 : virtual.read(reg, size); io[1] = size === 8 ? -1 : 0;
        return true;
      }
      if (size === 8 || !this.cell.pciDevices.has(bdf)) {
        io[0] = size === 8 ? -1 : ALL_ONES[size]; io[1] = size === 8 ? -1 : 0;
        return true;
      }
      return hv.machine.bus.read(gpa, size, io) || this.violation(hart, gpa, size, false, 'bus error');
    }
    const m = this.cell.map.find(gpa);
    if (m === undefined) return this.violation(hart, gpa, size, false, 'not mapped');
    const why = ioViolation(m, gpa, size, false);
    if (why !== undefined) return this.violation(hart, gpa, size, false, why);
    const ok = hv.machine.bus.read(hpaOf(m, gpa), size, io);
    if (hv.tracing) hv.trace(hart, `mmio read 0x${gpa.toString(16)} size ${size} -> ${ok ? '0x' + (io[0]! >>> 0).toString(16) : 'bus error'}`);
    return ok || this.violation(hart, gpa, size, false, 'bus error');
  }

  mmioWrite(hart: Hart, gpa: number, size: 1 | 2 | 4 | 8, lo: number, hi: number): boolean {
    const hv = this.hv;
    hv.stats.exit(hart.id, Stat.Mmio);
    if (hv.inIrqchip(gpa)) {
      this.plicHart = hart;
      const r = hv.vplic.write(this.cell, gpa - hv.irqchipBase, size, lo, this.plicIgnored);
      return r.ok || this.violation(hart, gpa, size, true, `plic: ${r.reason}`);
    }
    const emulated = this.cell.mmioRegions.length === 0 ? undefined : this.cell.mmioRegionAt(gpa);
    if (emulated !== undefined) {
      return emulated.handler.write(gpa - emulated.start, size, lo, hi) ||
        this.violation(hart, gpa, size, true, 'rejected by the emulated device');
    }
    if (hv.inPciEcam(gpa)) {
      const bdf = Math.floor((gpa - hv.pciBase) / 4096);
      const virtual = this.cell.virtualPci.get(bdf);
      const reg = (gpa - hv.pciBase) % 4096;
      if (virtual !== undefined) { if (size !== 8 && reg % size === 0) virtual.write(reg, size, size === 4 ? lo >>> 0 : lo & ((1 << (size * 8)) - 1)); }
      else if (size !== 8 && this.cell.pciDevices.has(bdf)) hv.machine.bus.write(gpa, size, lo, hi);
      return true;
    }
    const m = this.cell.map.find(gpa);
    if (m === undefined) return this.violation(hart, gpa, size, true, 'not mapped');
    const why = ioViolation(m, gpa, size, true);
    if (why !== undefined) return this.violation(hart, gpa, size, true, why);
    const ok = hv.machine.bus.write(hpaOf(m, gpa), size, lo, hi);
    if (hv.tracing) hv.trace(hart, `mmio write 0x${gpa.toString(16)} size ${size} <- 0x${(lo >>> 0).toString(16)}${ok ? '' : ' bus error'}`);
    return ok || this.violation(hart, gpa, size, true, 'bus error');
  }

  fetchFault(hart: Hart, gpa: number): boolean {
    this.hv.stats.count(hart.id, Stat.VmexitsTotal);
    this.hv.trace(hart, `fetch from 0x${gpa.toString(16)}: not executable for cell "${this.cell.name}"`);
    panicPark(this.hv, hart, GuestFault.Fetch, gpa);
    return false;
  }

  ecall(hart: Hart): void {
    const hv = this.hv;
    const eid = hart.xhi[17] === 0 ? hart.xlo[17]! >>> 0 : -1;
    hv.stats.exit(hart.id, statOf(eid));
    if (hv.tracing) hv.trace(hart, `ecall eid 0x${(eid >>> 0).toString(16)} fid ${hart.xlo[16]! >>> 0}`);
    if (eid === JAILHOUSE_EID) {
      // the code is the whole of a6: one beyond 32 bits is unknown (-ENOSYS), never its low half
      hv.control.hypercall(hart, this.cell, hart.xhi[16] === 0 ? hart.xlo[16]! >>> 0 : -1);
      return;
    }
    this.cell.sbi.handleEcall(hart);
  }

  /**
   * LR/SC/AMO on anything but the cell's RAM. An IO region the cell may access that way is a device
   * (no atomics on the bus: the guest gets an access fault, as from hardware); everything else —
   * another cell's or hypervisor memory, unmapped GPAs, read-only pages, the emulated PLIC/ECAM/
   * device windows — is a violation, reported and parked like a plain access.
   */
  atomicFault(hart: Hart, gpa: number, size: 4 | 8, write: boolean): boolean {
    const hv = this.hv;
    hv.stats.exit(hart.id, Stat.Mmio);
    const emulated = hv.inIrqchip(gpa) || hv.inPciEcam(gpa) || this.cell.mmioRegionAt(gpa) !== undefined;
    const m = emulated ? undefined : this.cell.map.find(gpa);
    const why = emulated ? 'an emulated device' : m === undefined ? 'not mapped' : ioViolation(m, gpa, size, write);
    if (why === undefined) {
      hv.trace(hart, `atomic ${write ? 'write' : 'read'} 0x${gpa.toString(16)} on a device: access fault`);
      return true;
    }
    return this.violation(hart, gpa, size, write, `atomic access: ${why}`);
  }

  time(hart: Hart): number {
    return this.hv.machine.time(hart);
  }

  private violation(hart: Hart, gpa: number, size: number, write: boolean, why: string): false {
    this.hv.trace(hart, `${write ? 'write' : 'read'} 0x${gpa.toString(16)} size ${size}: ${why}`);
    panicPark(this.hv, hart, write ? GuestFault.Store : GuestFault.Load, gpa, invalidMmioLine(write, gpa, size));
    return false;
  }
}

function statOf(eid: number): Stat {
  switch (eid) {
    case JAILHOUSE_EID: case 0x01: return Stat.Hypercall; // legacy putchar is DEBUG_CONSOLE_PUTC
    case Eid.Time: case 0x00: return Stat.SbiTime;
    case Eid.Ipi: case 0x04: return Stat.SbiIpi;
    case Eid.Rfence: case 0x05: case 0x06: case 0x07: return Stat.SbiRfence;
    default: return Stat.SbiOther;
  }
}
