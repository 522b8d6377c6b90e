import type { AccessSize, MmioDevice } from './device.ts';

const ALL_ONES = [0, 0xff, 0xffff, 0, 0xffff_ffff] as const;

/**
 * A PCI host bridge window (MMIO or port I/O) where no BAR is mapped: reads return all ones and writes
 * are ignored, as on a PC and as QEMU's gpex host does for its windows (no bus error).
 */
export class UnassignedPciWindow implements MmioDevice {
  constructor(readonly name: string) {}

  read(_offset: number, size: AccessSize): number {
    return ALL_ONES[size];
  }

  write(): boolean {
    return true;
  }
}
