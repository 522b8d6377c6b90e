import { describe, expect, it } from 'vitest';
import type { AccessSize } from '../../core/machine/device.ts';
import { PciEcamHost, pciBdf, type PciConfigSpace } from '../../core/machine/pci-host.ts';

const ecamOffset = (bus: number, dev: number, fn: number, reg: number) => (bus << 20) | (dev << 15) | (fn << 12) | reg;

describe('PciEcamHost', () => {
  it('reads all ones of the access size for absent functions and accepts writes', () => {
    const host = new PciEcamHost();
    expect(host.read(ecamOffset(0, 0, 0, 0), 4)).toBe(0xffffffff);
    expect(host.read(ecamOffset(0, 3, 0, 0), 2)).toBe(0xffff);
    expect(host.read(ecamOffset(255, 31, 7, 0xfff), 1)).toBe(0xff);
    expect(host.write(ecamOffset(0, 0, 0, 4), 4, 0)).toBe(true);
  });

  it('routes accesses by bus/device/function to an attached config space', () => {
    const calls: string[] = [];
    const space: PciConfigSpace = {
      read: (reg: number, size: AccessSize) => {
        calls.push(`r${reg}/${size}`);
        return reg === 0 ? 0x11101af4 : 0;
      },
      write: (reg: number, size: AccessSize, value: number) => {
        calls.push(`w${reg}/${size}=${value.toString(16)}`);
      },
    };
    const host = new PciEcamHost();
    const bdf = pciBdf(1, 2, 3);
    expect(bdf).toBe(0x113);
    host.attach(bdf, space);
    expect(host.read(ecamOffset(1, 2, 3, 0), 4)).toBe(0x11101af4);
    host.write(ecamOffset(1, 2, 3, 0x104), 2, 0xbeef);
    expect(host.read(ecamOffset(1, 2, 2, 0), 4)).toBe(0xffffffff); // neighbouring function is absent
    expect(host.read(ecamOffset(1, 2, 3, 1), 2)).toBe(0xffff); // misaligned: never reaches the provider
    expect(calls).toEqual(['r0/4', 'w260/2=beef']);
    host.detach(bdf);
    expect(host.read(ecamOffset(1, 2, 3, 0), 4)).toBe(0xffffffff);
  });

  it('rejects BDFs outside 16 bits', () => {
    const host = new PciEcamHost();
    expect(() => host.attach(0x10000, { read: () => 0, write: () => {} })).toThrow(RangeError);
  });
});
