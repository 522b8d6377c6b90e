import type { AccessSize, MmioDevice } from './device.ts';

/**
 * The configuration space of one PCI function, as seen through the host bridge.
 * `reg` is the byte offset in the function's 4 KiB extended configuration space, naturally aligned to
 * `size`; read returns the value zero-extended.
 */
export interface PciConfigSpace {
  read(reg: number, size: AccessSize): number;
  write(reg: number, size: AccessSize, value: number): void;
}

/** Packs bus, device and function numbers into a BDF (bus << 8 | device << 3 | function). */
export function pciBdf(bus: number, device: number, fn: number): number {
  return ((bus & 0xff) << 8) | ((device & 0x1f) << 3) | (fn & 7);
}

/**
 * A PCIe ECAM host bridge ("pci-host-ecam-generic") covering buses 0..255: the function with BDF `b` owns
 * the 4 KiB at offset `b << 12`.
 *
 * Functions are provided by attaching a PciConfigSpace per BDF. Config reads of absent functions return
 * all ones truncated to the access size (what enumeration takes as "no device") and writes to them are
 * dropped. Misaligned accesses, which PCIe leaves undefined, are treated the same way and never reach a
 * provider.
 */
export class PciEcamHost implements MmioDevice {
  readonly name: string;
  private readonly functions = new Map<number, PciConfigSpace>();

  constructor(options: { name?: string } = {}) {
    this.name = options.name ?? 'pcie-ecam';
  }

  /** Makes `space` answer config accesses for `bdf`; replaces any function attached there. */
  attach(bdf: number, space: PciConfigSpace): void {
    if (!Number.isInteger(bdf) || bdf < 0 || bdf > 0xffff) {
      throw new RangeError(`PCI: BDF must be 0..0xffff, got ${bdf}`);
    }
    this.functions.set(bdf, space);
  }

  detach(bdf: number): void {
    this.functions.delete(bdf);
  }

  read(offset: number, size: AccessSize): number {
    const space = this.functions.get(offset >>> 12);
    const reg = offset & 0xfff;
    if (!space || reg % size !== 0) return ALL_ONES[size];
    return space.read(reg, size);
  }

  write(offset: number, size: AccessSize, value: number): boolean {
    const space = this.functions.get(offset >>> 12);
    const reg = offset & 0xfff;
    if (space && reg % size === 0) space.write(reg, size, value);
    return true;
  }
}

const ALL_ONES = { 1: 0xff, 2: 0xffff, 4: 0xffffffff } as const;
