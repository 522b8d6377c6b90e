/**
 * A memory-mapped device on the board's bus.
 *
 * Offsets are relative to the device's base address. Accesses are 1, 2 or 4 bytes wide; the bus splits a
 * 64-bit access into two 32-bit ones (low word first), which is what every device on this board expects.
 */
export interface MmioDevice {
  /** Short name used in traces and error messages, e.g. "uart0", "plic". */
  readonly name: string;
  /** Returns the value zero-extended to an unsigned 32-bit number, or MMIO_FAULT for a bus error. */
  read(offset: number, size: AccessSize): number;
  /** Returns false for a bus error (the access faults). */
  write(offset: number, size: AccessSize, value: number): boolean;
}

export type AccessSize = 1 | 2 | 4;

/** Returned by MmioDevice.read for an access the device rejects: the hart takes an access fault. */
export const MMIO_FAULT = -1;

/** A level-triggered interrupt wire from a device to the interrupt controller. */
export interface IrqLine {
  set(level: boolean): void;
}
