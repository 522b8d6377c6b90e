import type { AccessSize, IrqLine, MmioDevice } from './device.ts';

/**
 * An NS16550A UART with the register semantics of QEMU's hw/char/serial.c, so guest drivers written for
 * `qemu-system-riscv64 -M virt` (Linux 8250, OpenSBI, bare-metal polling loops) behave the same here.
 *
 * Modelling choices, all consequences of the emulator having no notion of line time:
 * - Transmission is instantaneous: a THR write hands the byte to `onTransmit` at once, LSR.THRE and
 *   LSR.TEMT never drop, and the THR-empty interrupt re-arms immediately after every write.
 * - The receive FIFO holds 16 bytes in FIFO mode and 1 byte otherwise. Host bytes that do not fit wait in
 *   a host-side queue (unbounded: it only grows with what the user typed or pasted) and enter the FIFO as
 *   the guest drains it, so input is never lost to an overrun.
 * - The character-timeout interrupt (IIR 0xCC) fires as soon as the FIFO holds data below the trigger
 *   level: with no line time, "no new character for four character times" is always already true.
 * - Loopback (MCR bit 4) routes transmitted bytes back into the receive FIFO and reflects MCR into MSR,
 *   as QEMU does; modem status lines otherwise read DCD|DSR|CTS and never change.
 *
 * Registers are one byte apart (regshift 0, as on QEMU virt). Offsets 8 and above read 0 and ignore
 * writes. Only byte accesses are meaningful; a 2- or 4-byte read returns the register at `offset`
 * zero-extended (with that register's read side effects), and a wider write writes its low byte there.
 */
export class Uart16550 implements MmioDevice {
  readonly name: string;

  private readonly irq: IrqLine;
  private readonly onTransmit: (byte: number) => void;

  private ier = 0;
  private iir = IIR_NO_INT;
  private fcr = 0;
  private lcr = 0;
  private mcr = MCR_OUT2;
  /** LSR bits other than DR, THRE and TEMT (which are derived): only the sticky error bits BI and OE. */
  private lsrErrors = 0;
  private msrDeltas = 0;
  private scr = 0;
  private divisor = 0x0c;
  /** THR-empty interrupt pending (QEMU's thr_ipending): cleared by an IIR read that reports it. */
  private thrPending = false;
  /** Last byte taken from the receive path; a non-FIFO RBR read with no data returns it again. */
  private rbr = 0;
  private irqLevel = false;

  private readonly rxFifo = new Uint8Array(FIFO_SIZE);
  private rxHead = 0;
  private rxCount = 0;
  private triggerLevel = 1;

  /** Host input not yet in the receive FIFO, oldest chunk first; `hostOffset` indexes the first chunk. */
  private hostQueue: Uint8Array[] = [];
  private hostOffset = 0;
  private hostBytes = 0;

  constructor(options: { name: string; irq: IrqLine; onTransmit: (byte: number) => void }) {
    this.name = options.name;
    this.irq = options.irq;
    this.onTransmit = options.onTransmit;
  }

  /** Host input (keyboard, paste, a scripted console). The bytes are copied. */
  receive(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.hostQueue.push(bytes.slice());
    this.hostBytes += bytes.length;
    this.refillFifo();
    this.updateIrq();
  }

  /** True while some received byte has not been read by the guest yet (in the FIFO or the host queue). */
  get hasPendingInput(): boolean {
    return this.rxCount > 0 || this.hostBytes > 0;
  }

  /** Bytes received from the host that still wait outside the FIFO. */
  get queuedInputBytes(): number {
    return this.hostBytes;
  }

  /** Power-on state; queued host input is kept (it was typed, the guest may still want it). */
  reset(): void {
    this.ier = 0;
    this.iir = IIR_NO_INT;
    this.fcr = 0;
    this.lcr = 0;
    this.mcr = MCR_OUT2;
    this.lsrErrors = 0;
    this.msrDeltas = 0;
    this.scr = 0;
    this.divisor = 0x0c;
    this.thrPending = false;
    this.rbr = 0;
    this.rxHead = 0;
    this.rxCount = 0;
    this.triggerLevel = 1;
    this.refillFifo();
    this.updateIrq();
  }

  read(offset: number, _size: AccessSize): number {
    switch (offset) {
      case 0:
        return this.dlab ? this.divisor & 0xff : this.readRbr();
      case 1:
        return this.dlab ? this.divisor >>> 8 : this.ier;
      case 2:
        return this.readIir();
      case 3:
        return this.lcr;
      case 4:
        return this.mcr;
      case 5:
        return this.readLsr();
      case 6:
        return this.readMsr();
      case 7:
        return this.scr;
      default:
        return 0;
    }
  }

  write(offset: number, _size: AccessSize, value: number): boolean {
    const byte = value & 0xff;
    switch (offset) {
      case 0:
        if (this.dlab) this.divisor = (this.divisor & 0xff00) | byte;
        else this.writeThr(byte);
        break;
      case 1:
        if (this.dlab) this.divisor = (this.divisor & 0x00ff) | (byte << 8);
        else this.writeIer(byte);
        break;
      case 2:
        this.writeFcr(byte);
        break;
      case 3:
        this.lcr = byte;
        break;
      case 4:
        this.mcr = byte & 0x1f;
        break;
      case 7:
        this.scr = byte;
        break;
      default:
        // LSR and MSR are read-only; offsets past the register file are ignored.
        break;
    }
    return true;
  }

  private get dlab(): boolean {
    return (this.lcr & LCR_DLAB) !== 0;
  }

  private get fifoEnabled(): boolean {
    return (this.fcr & FCR_FE) !== 0;
  }

  private get loopback(): boolean {
    return (this.mcr & MCR_LOOP) !== 0;
  }

  private readRbr(): number {
    if (this.rxCount > 0) {
      this.rbr = this.rxFifo[this.rxHead]!;
      this.rxHead = (this.rxHead + 1) % FIFO_SIZE;
      this.rxCount--;
    } else if (this.fifoEnabled) {
      this.rbr = 0;
    }
    this.lsrErrors &= ~LSR_BI;
    this.refillFifo();
    this.updateIrq();
    return this.rbr;
  }

  private readIir(): number {
    const value = this.iir;
    if ((value & 0x0f) === IIR_THRI) {
      this.thrPending = false;
      this.updateIrq();
    }
    return value;
  }

  private readLsr(): number {
    const value = this.lsr;
    if (this.lsrErrors & (LSR_BI | LSR_OE)) {
      this.lsrErrors &= ~(LSR_BI | LSR_OE);
      this.updateIrq();
    }
    return value;
  }

  private readMsr(): number {
    if (this.loopback) {
      // DTR→DSR, RTS→CTS, OUT1→RI, OUT2→DCD, as a real 16550 wires them internally.
      return ((this.mcr & 0x0c) << 4) | ((this.mcr & 0x02) << 3) | ((this.mcr & 0x01) << 5);
    }
    const value = MSR_DCD | MSR_DSR | MSR_CTS | this.msrDeltas;
    if (this.msrDeltas) {
      this.msrDeltas = 0;
      this.updateIrq();
    }
    return value;
  }

  private get lsr(): number {
    return LSR_THRE | LSR_TEMT | this.lsrErrors | (this.rxCount > 0 ? LSR_DR : 0);
  }

  private writeThr(byte: number): void {
    if (this.loopback) this.pushReceived(byte);
    else this.onTransmit(byte);
    // The byte left at once: THR is empty again, so the THR-empty interrupt is pending anew.
    this.thrPending = true;
    this.updateIrq();
  }

  private writeIer(byte: number): void {
    const value = byte & 0x0f;
    const changed = this.ier ^ value;
    this.ier = value;
    // Enabling THRI while THR is empty raises the interrupt even if an IIR read had cleared it
    // (QEMU and Bochs behaviour that drivers depend on to kick-start transmission).
    if (changed & IER_THRI) this.thrPending = (value & IER_THRI) !== 0;
    if (changed) this.updateIrq();
  }

  private writeFcr(byte: number): void {
    let value = byte;
    if (value === this.fcr) return;
    // Toggling FIFO enable flushes both FIFOs.
    if ((value ^ this.fcr) & FCR_FE) value |= FCR_RFR | FCR_XFR;
    if (value & FCR_RFR) {
      this.lsrErrors &= ~LSR_BI;
      this.rxHead = 0;
      this.rxCount = 0;
    }
    if (value & FCR_XFR) this.thrPending = true;
    this.fcr = value & 0xc9;
    this.triggerLevel = TRIGGER_LEVELS[value >>> 6]!;
    this.iir = (this.iir & 0x0f) | (this.fifoEnabled ? IIR_FIFO_BITS : 0);
    this.refillFifo();
    this.updateIrq();
  }

  private get fifoCapacity(): number {
    return this.fifoEnabled ? FIFO_SIZE : 1;
  }

  /** A byte from loopback; unlike host input it can overrun, as on hardware. */
  private pushReceived(byte: number): void {
    if (this.rxCount >= this.fifoCapacity) {
      this.lsrErrors |= LSR_OE;
      if (!this.fifoEnabled) this.rxFifo[this.rxHead] = byte;
      return;
    }
    this.rxFifo[(this.rxHead + this.rxCount) % FIFO_SIZE] = byte;
    this.rxCount++;
  }

  /** Moves host bytes into the FIFO while it has room. */
  private refillFifo(): void {
    const capacity = this.fifoCapacity;
    while (this.rxCount < capacity && this.hostBytes > 0) {
      const chunk = this.hostQueue[0]!;
      this.rxFifo[(this.rxHead + this.rxCount) % FIFO_SIZE] = chunk[this.hostOffset++]!;
      this.rxCount++;
      this.hostBytes--;
      if (this.hostOffset === chunk.length) {
        this.hostQueue.shift();
        this.hostOffset = 0;
      }
    }
  }

  /** Recomputes IIR by interrupt priority and drives the IRQ line when its level changes. */
  private updateIrq(): void {
    let id = IIR_NO_INT;
    if (this.ier & IER_RLSI && this.lsrErrors & LSR_INT_ANY) {
      id = IIR_RLSI;
    } else if (this.ier & IER_RDI && this.rxCount > 0) {
      id = this.fifoEnabled && this.rxCount < this.triggerLevel ? IIR_CTI : IIR_RDI;
    } else if (this.ier & IER_THRI && this.thrPending) {
      id = IIR_THRI;
    } else if (this.ier & IER_MSI && this.msrDeltas) {
      id = IIR_MSI;
    }
    this.iir = (this.iir & 0xf0) | id;
    const level = id !== IIR_NO_INT;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irq.set(level);
    }
  }
}

const FIFO_SIZE = 16;
const TRIGGER_LEVELS = [1, 4, 8, 14];

const IER_RDI = 0x01;
const IER_THRI = 0x02;
const IER_RLSI = 0x04;
const IER_MSI = 0x08;

const IIR_NO_INT = 0x01;
const IIR_MSI = 0x00;
const IIR_THRI = 0x02;
const IIR_RDI = 0x04;
const IIR_RLSI = 0x06;
const IIR_CTI = 0x0c;
const IIR_FIFO_BITS = 0xc0;

const FCR_FE = 0x01;
const FCR_RFR = 0x02;
const FCR_XFR = 0x04;

const LCR_DLAB = 0x80;

const MCR_OUT2 = 0x08;
const MCR_LOOP = 0x10;

const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_BI = 0x10;
const LSR_INT_ANY = 0x1e;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;

const MSR_CTS = 0x10;
const MSR_DSR = 0x20;
const MSR_DCD = 0x80;
