import type { AccessSize, MmioDevice } from './device.ts';

/** fw_dynamic_info magic ("OSBI") and version, as OpenSBI's fw_dynamic expects them. */
const FW_DYNAMIC_MAGIC = 0x4942_534f;
const FW_DYNAMIC_VERSION = 2;
const NEXT_MODE_S = 1;

/** What the reset vector points at: the firmware, the device tree, and what the firmware starts next. */
export interface BootRomContents {
  firmwareAddress: number;
  dtbAddress: number;
  /** The kernel entry (fw_dynamic_info.next_addr), started in S-mode. */
  kernelEntry: number;
  bootHart: number;
}

/**
 * The mask ROM of QEMU's virt machine (hw/riscv/boot.c, riscv_setup_rom_reset_vec): the reset vector
 * that jumps to the firmware with a0 = hartid, a1 = the device tree, a2 = the fw_dynamic_info that
 * follows it, and zeros to its end. A guest can read it (OpenSBI's PMP leaves it open) and cannot
 * change it: writes are ignored, as for QEMU's ROM. The lab's harts never execute it (docs/board.md).
 */
export class BootRom implements MmioDevice {
  readonly name = 'mrom';
  private readonly bytes: Uint8Array;

  constructor(readonly size: number) {
    this.bytes = new Uint8Array(size);
  }

  /** Writes the reset vector and fw_dynamic_info for one boot. */
  program(c: BootRomContents): void {
    const view = new DataView(this.bytes.buffer);
    this.bytes.fill(0);
    const code = [
      0x0000_0297, // 1: auipc t0, %pcrel_hi(fw_dyn)
      0x0282_8613, //    addi  a2, t0, %pcrel_lo(1b)
      0xf140_2573, //    csrr  a0, mhartid
      0x0202_b583, //    ld    a1, 32(t0)
      0x0182_b283, //    ld    t0, 24(t0)
      0x0002_8067, //    jr    t0
    ];
    code.forEach((word, i) => view.setUint32(i * 4, word, true));
    const u64 = (at: number, v: number) => view.setBigUint64(at, BigInt(v), true);
    u64(0x18, c.firmwareAddress);
    u64(0x20, c.dtbAddress);
    u64(0x28, FW_DYNAMIC_MAGIC);
    u64(0x30, FW_DYNAMIC_VERSION);
    u64(0x38, c.kernelEntry);
    u64(0x40, NEXT_MODE_S);
    u64(0x48, 0); // options
    u64(0x50, c.bootHart);
  }

  read(offset: number, size: AccessSize): number {
    const v = new DataView(this.bytes.buffer);
    if (offset + size > this.size) return 0;
    return size === 4 ? v.getUint32(offset, true) : size === 2 ? v.getUint16(offset, true) : v.getUint8(offset);
  }

  write(): boolean {
    return true;
  }
}
