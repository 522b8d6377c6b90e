import { MMIO_FAULT, type AccessSize, type MmioDevice } from './device.ts';

interface Mapping {
  base: number;
  end: number;
  device: MmioDevice;
}

/**
 * The board's MMIO address decoder. A handful of devices, so a linear scan with a one-entry cache of the
 * last hit (device register loops hit the same device again and again) is both simple and fast.
 * 64-bit accesses are split into two 32-bit accesses, low word first.
 */
export class Bus {
  private readonly mappings: Mapping[] = [];
  private last: Mapping | undefined;

  attach(base: number, size: number, device: MmioDevice): void {
    for (const m of this.mappings) {
      if (base < m.end && m.base < base + size) {
        throw new RangeError(`${device.name} at 0x${base.toString(16)} overlaps ${m.device.name}`);
      }
    }
    this.mappings.push({ base, end: base + size, device });
  }

  /** The device mapped at `hpa`, if any. */
  deviceAt(hpa: number): MmioDevice | undefined {
    return this.find(hpa)?.device;
  }

  /** Reads `size` bytes; returns false on a bus error. The value goes to out[0] (low) and out[1] (high). */
  read(hpa: number, size: 1 | 2 | 4 | 8, out: Int32Array): boolean {
    const m = this.find(hpa);
    if (m === undefined) return false;
    const offset = hpa - m.base;
    if (size === 8) {
      const lo = m.device.read(offset, 4), hi = m.device.read(offset + 4, 4);
      if (lo === MMIO_FAULT || hi === MMIO_FAULT) return false;
      out[0] = lo; out[1] = hi;
      return true;
    }
    const v = m.device.read(offset, size as AccessSize);
    if (v === MMIO_FAULT) return false;
    out[0] = v; out[1] = 0;
    return true;
  }

  write(hpa: number, size: 1 | 2 | 4 | 8, lo: number, hi: number): boolean {
    const m = this.find(hpa);
    if (m === undefined) return false;
    const offset = hpa - m.base;
    if (size === 8) return m.device.write(offset, 4, lo >>> 0) && m.device.write(offset + 4, 4, hi >>> 0);
    return m.device.write(offset, size, size === 4 ? lo >>> 0 : lo & ((1 << (size * 8)) - 1));
  }

  private find(hpa: number): Mapping | undefined {
    const last = this.last;
    if (last !== undefined && hpa >= last.base && hpa < last.end) return last;
    for (const m of this.mappings) {
      if (hpa >= m.base && hpa < m.end) return (this.last = m);
    }
    return undefined;
  }
}
