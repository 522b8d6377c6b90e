import { Access } from '../cpu/environment.ts';
import { getReg, HartState, setReg, type Hart } from '../cpu/hart.ts';
import { SSIP } from '../cpu/trap.ts';

/** SBI error codes (sbi.md). */
export const enum SbiError {
  Success = 0,
  Failed = -1,
  NotSupported = -2,
  InvalidParam = -3,
  Denied = -4,
  InvalidAddress = -5,
  AlreadyAvailable = -6,
  AlreadyStarted = -7,
  AlreadyStopped = -8,
}

/** Extension ids. */
export const enum Eid {
  Base = 0x10,
  Time = 0x5449_4d45,
  Ipi = 0x0073_5049,
  Rfence = 0x5246_4e43,
  Hsm = 0x0048_534d,
  Srst = 0x5352_5354,
  Dbcn = 0x4442_434e,
  Jailhouse = 0x4a48_4f55,
}

/** SBI implementation id of the board firmware ("JLAB"); the hypervisor answers 'JHOU' once enabled. */
export const BOARD_IMPL_ID = 0x4a4c_4142;
export const IMPL_VERSION = 0x0001_0000;

/** What the firmware needs from the board. */
export interface SbiPlatform {
  readonly harts: readonly Hart[];
  /** Arms hart's S-mode timer at `deadline` ticks (Infinity: never) and clears a pending timer interrupt. */
  setTimer(hart: Hart, deadline: number): void;
  /**
   * Bytes for the firmware console (UART0's output stream on the bare board). Returning false refuses
   * the write (a cell without console permission under the hypervisor): the call fails with DENIED.
   */
  consoleWrite(caller: Hart, bytes: Uint8Array): boolean | void;
  /** Next byte typed on the console, or -1. */
  consoleRead(caller: Hart): number;
  systemReset(caller: Hart, type: 'shutdown' | 'cold-reboot' | 'warm-reboot', failure: boolean): void;
  /** Suspends a hart until an interrupt; non-retentive suspends restart it at `resume`. */
  suspend(hart: Hart, resume?: { address: number; opaque: number }): void;
  /** Whether `caller` may address hart `target` in IPI, RFENCE and HSM calls (its cell's harts, or all). */
  mayTarget(caller: Hart, target: number): boolean;
  /**
   * The harts "all harts" (hart_mask_base -1, a legacy null mask) means for `caller`, ascending: every
   * hart of the board, or under the hypervisor the harts of the caller's cell.
   */
  everyHart(caller: Hart): readonly number[];
  /** HSM status of a hart: 0 STARTED, 1 STOPPED, 4 SUSPENDED. */
  hartStatus(id: number): number;
  /** Whether `address` is RAM the hart may execute from (HSM start addresses). */
  isExecutable(hart: Hart, address: number): boolean;
  /** Extensions beyond the board's own (the hypervisor's); returns true if it handled the call. */
  extension?(hart: Hart, eid: number, fid: number): boolean;
  /** SBI implementation id to report (changes when the hypervisor is enabled). */
  implId(): number;
  /** Whether an extension handled by `extension` is available (BASE probe_extension). */
  probeExtension?(eid: number): boolean;
}

const SUPPORTED = new Set<number>([Eid.Base, Eid.Time, Eid.Ipi, Eid.Rfence, Eid.Hsm, Eid.Srst, Eid.Dbcn]);

const A0 = 10, A1 = 11, A2 = 12, A6 = 16, A7 = 17;

/**
 * The firmware's Supervisor Binary Interface, in the role OpenSBI plays on QEMU: every S-mode `ecall`
 * lands here with arguments in a0..a5, the function in a6 and the extension in a7.
 */
export class Sbi {
  constructor(private readonly platform: SbiPlatform) {}

  handleEcall(hart: Hart): void {
    const eid = hart.xlo[A7]! >>> 0;
    const fid = hart.xlo[A6]! >>> 0;
    if (hart.xhi[A7] === 0 && eid <= 0x08) return this.legacy(hart, eid);
    if (hart.xhi[A7] !== 0) return this.ret(hart, SbiError.NotSupported);
    switch (eid) {
      case Eid.Base: return this.base(hart, fid);
      case Eid.Time:
        if (fid !== 0) return this.ret(hart, SbiError.NotSupported);
        this.setTimer(hart, A0);
        return this.ret(hart, 0);
      case Eid.Ipi: return fid === 0 ? this.sendIpi(hart) : this.ret(hart, SbiError.NotSupported);
      case Eid.Rfence: return this.rfence(hart, fid);
      case Eid.Hsm: return this.hsm(hart, fid);
      case Eid.Srst: return fid === 0 ? this.reset(hart) : this.ret(hart, SbiError.NotSupported);
      case Eid.Dbcn: return this.dbcn(hart, fid);
      default:
        if (this.platform.extension?.(hart, eid, fid)) return;
        return this.ret(hart, SbiError.NotSupported);
    }
  }

  /** Whether an extension id is implemented (BASE probe_extension). */
  probe(eid: number): boolean {
    return SUPPORTED.has(eid) || (eid === Eid.Jailhouse && this.platform.implId() === Eid.Jailhouse) ||
      this.platform.probeExtension?.(eid) === true;
  }

  private ret(hart: Hart, error: number, value = 0): void {
    setReg(hart, A0, error);
    setReg(hart, A1, value);
  }

  private base(hart: Hart, fid: number): void {
    switch (fid) {
      case 0: return this.ret(hart, 0, 0x0200_0000);
      case 1: return this.ret(hart, 0, this.platform.implId());
      case 2: return this.ret(hart, 0, IMPL_VERSION);
      case 3: return this.ret(hart, 0, this.probe(hart.xlo[A0]! >>> 0) && hart.xhi[A0] === 0 ? 1 : 0);
      case 4: case 5: case 6: return this.ret(hart, 0, 0);
      default: return this.ret(hart, SbiError.NotSupported);
    }
  }

  private setTimer(hart: Hart, reg: number): void {
    const hi = hart.xhi[reg]! >>> 0;
    this.platform.setTimer(hart, hi >= 0x200000 ? Infinity : hi * 4294967296 + (hart.xlo[reg]! >>> 0));
  }

  /**
   * The harts selected by (mask, base) as sbi.md defines them, or undefined if one is invalid or not the
   * caller's to address.
   */
  private targets(hart: Hart, maskReg: number, baseReg: number): number[] | undefined {
    const harts = this.platform.harts.length;
    const all = hart.xlo[baseReg] === -1 && hart.xhi[baseReg] === -1;
    if (all) return [...this.platform.everyHart(hart)];
    const selected: number[] = [];
    const base = getReg(hart, baseReg);
    const lo = hart.xlo[maskReg]!, hi = hart.xhi[maskReg]!;
    for (let bit = 0; bit < 64; bit++) {
      if (((bit < 32 ? lo >>> bit : hi >>> (bit - 32)) & 1) === 0) continue;
      const target = base + bit;
      if (base < 0 || target >= harts || !this.platform.mayTarget(hart, target)) return undefined;
      selected.push(target);
    }
    return selected;
  }

  private sendIpi(hart: Hart): void {
    const targets = this.targets(hart, A0, A1);
    if (targets === undefined) return this.ret(hart, SbiError.InvalidParam);
    for (const t of targets) this.raiseSoftwareInterrupt(t);
    this.ret(hart, 0);
  }

  private raiseSoftwareInterrupt(target: number): void {
    const h = this.platform.harts[target]!;
    if (h.state === HartState.Running) h.mip |= SSIP;
  }

  private rfence(hart: Hart, fid: number): void {
    if (fid > 6) return this.ret(hart, SbiError.NotSupported);
    if (fid > 2) return this.ret(hart, SbiError.NotSupported); // hypervisor fences: no H extension here
    const targets = this.targets(hart, A0, A1);
    if (targets === undefined) return this.ret(hart, SbiError.InvalidParam);
    // FENCE.I needs nothing (decoded code follows every store); SFENCE.VMA flushes the TLBs.
    if (fid !== 0) for (const t of targets) this.platform.harts[t]!.flushTlb();
    this.ret(hart, 0);
  }

  private hsm(hart: Hart, fid: number): void {
    const harts = this.platform.harts;
    switch (fid) {
      case 0: { // hart_start(hartid, start_addr, opaque)
        const id = getReg(hart, A0);
        if (id < 0 || id >= harts.length || !this.platform.mayTarget(hart, id)) return this.ret(hart, SbiError.InvalidParam);
        const target = harts[id]!;
        if (target.state !== HartState.Stopped) return this.ret(hart, SbiError.AlreadyAvailable);
        const address = getReg(hart, A1);
        if (!this.platform.isExecutable(target, address)) return this.ret(hart, SbiError.InvalidAddress);
        target.start(address, id, getReg(hart, A2));
        target.xlo[A1] = hart.xlo[A2]!; // opaque is passed through with all 64 bits
        target.xhi[A1] = hart.xhi[A2]!;
        return this.ret(hart, 0);
      }
      case 1: // hart_stop()
        hart.state = HartState.Stopped;
        hart.stopRequested = true;
        return this.ret(hart, 0);
      case 2: { // hart_get_status(hartid)
        const id = getReg(hart, A0);
        if (id < 0 || id >= harts.length || !this.platform.mayTarget(hart, id)) return this.ret(hart, SbiError.InvalidParam);
        return this.ret(hart, 0, this.platform.hartStatus(id));
      }
      case 3: { // hart_suspend(type, resume_addr, opaque)
        const type = hart.xlo[A0]! >>> 0;
        if (hart.xhi[A0] !== 0) return this.ret(hart, SbiError.InvalidParam);
        if (type === 0) {
          this.ret(hart, 0);
          this.platform.suspend(hart);
          return;
        }
        if (type === 0x8000_0000) {
          const address = getReg(hart, A1);
          if (!this.platform.isExecutable(hart, address)) return this.ret(hart, SbiError.InvalidAddress);
          this.ret(hart, 0);
          this.platform.suspend(hart, { address, opaque: getReg(hart, A2) });
          return;
        }
        return this.ret(hart, SbiError.InvalidParam);
      }
      default:
        return this.ret(hart, SbiError.NotSupported);
    }
  }

  private reset(hart: Hart): void {
    const type = getReg(hart, A0), reason = getReg(hart, A1);
    if (type < 0 || type > 2) return this.ret(hart, SbiError.InvalidParam);
    if (reason < 0 || (reason > 1 && reason < 0xf000_0000)) return this.ret(hart, SbiError.InvalidParam);
    this.platform.systemReset(hart, type === 0 ? 'shutdown' : type === 1 ? 'cold-reboot' : 'warm-reboot', reason === 1);
  }

  private dbcn(hart: Hart, fid: number): void {
    switch (fid) {
      case 0: { // console_write(num_bytes, base_lo, base_hi)
        const bytes = this.readGuest(hart, getReg(hart, A1) + getReg(hart, A2) * 4294967296, getReg(hart, A0));
        if (bytes === undefined) return this.ret(hart, SbiError.InvalidParam);
        if (this.platform.consoleWrite(hart, bytes) === false) return this.ret(hart, SbiError.Denied);
        return this.ret(hart, 0, bytes.length);
      }
      case 1: { // console_read(num_bytes, base_lo, base_hi)
        const want = getReg(hart, A0);
        const gpa = getReg(hart, A1) + getReg(hart, A2) * 4294967296;
        if (want > 0 && this.readGuest(hart, gpa, want) === undefined) return this.ret(hart, SbiError.InvalidParam);
        let count = 0;
        for (; count < want; count++) {
          const c = this.platform.consoleRead(hart);
          if (c < 0) break;
          this.writeGuestByte(hart, gpa + count, c);
        }
        return this.ret(hart, 0, count);
      }
      case 2:
        if (this.platform.consoleWrite(hart, Uint8Array.of(hart.xlo[A0]! & 0xff)) === false) return this.ret(hart, SbiError.Denied);
        return this.ret(hart, 0);
      default:
        return this.ret(hart, SbiError.NotSupported);
    }
  }

  /** The v0.1 legacy extensions: results in a0 only. */
  private legacy(hart: Hart, eid: number): void {
    switch (eid) {
      case 0x00: this.setTimer(hart, A0); setReg(hart, A0, 0); return;
      case 0x01: // refused: -1, what Jailhouse's DEBUG_CONSOLE_PUTC (-EPERM) gives for legacy putchar
        setReg(hart, A0, this.platform.consoleWrite(hart, Uint8Array.of(hart.xlo[A0]! & 0xff)) === false ? -1 : 0);
        return;
      case 0x02: setReg(hart, A0, this.platform.consoleRead(hart)); return;
      case 0x03: hart.mip &= ~SSIP; setReg(hart, A0, 0); return;
      case 0x04: case 0x05: case 0x06: case 0x07: {
        const targets = this.legacyTargets(hart);
        if (targets === undefined) { setReg(hart, A0, SbiError.InvalidParam); return; }
        for (const h of targets) {
          if (eid === 0x04) this.raiseSoftwareInterrupt(h);
          else if (eid !== 0x05) this.platform.harts[h]!.flushTlb();
        }
        setReg(hart, A0, 0);
        return;
      }
      case 0x08: this.platform.systemReset(hart, 'shutdown', false); return;
      default: setReg(hart, A0, SbiError.NotSupported); return;
    }
  }

  /**
   * Legacy calls pass a pointer to a hart mask (0 = all harts, as everyHart). Bits beyond the board are
   * ignored; a hart the caller may not address fails the call as a whole, as for the v0.2 masks.
   */
  private legacyTargets(hart: Hart): number[] | undefined {
    const pointer = getReg(hart, A0);
    if (pointer === 0) return [...this.platform.everyHart(hart)];
    const bytes = this.readGuest(hart, pointer, 8);
    if (bytes === undefined) return undefined;
    const targets: number[] = [];
    for (let h = 0; h < this.platform.harts.length; h++) {
      if (((bytes[h >> 3]! >> (h & 7)) & 1) === 0) continue;
      if (!this.platform.mayTarget(hart, h)) return undefined;
      targets.push(h);
    }
    return targets;
  }

  /** Copies guest-physical memory (through the caller's memory map); undefined if not readable RAM. */
  readGuest(hart: Hart, gpa: number, length: number): Uint8Array | undefined {
    if (length < 0 || length > 1 << 20 || !Number.isSafeInteger(gpa) || gpa < 0) return undefined;
    const out = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const at = gpa + done;
      const page = hart.memoryMap.ramPage(at - (at % 4096), Access.Read);
      if (page < 0) return undefined;
      const chunk = Math.min(length - done, 4096 - (at % 4096));
      out.set(hart.ram.u8.subarray(page + (at % 4096), page + (at % 4096) + chunk), done);
      done += chunk;
    }
    return out;
  }

  private writeGuestByte(hart: Hart, gpa: number, value: number): void {
    const page = hart.memoryMap.ramPage(gpa - (gpa % 4096), Access.Write);
    if (page < 0) return;
    const offset = page + (gpa % 4096);
    hart.ram.u8[offset] = value;
    if (hart.ram.codePages[offset >>> 12] !== 0) hart.code.invalidate(offset, 1);
  }
}
