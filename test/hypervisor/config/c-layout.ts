/**
 * Test helper: builds binary configurations "the way Jailhouse's C configs are written" —
 * a packed struct filled field by field at explicit offsets (jailhouse-abi.md), everything not
 * set left zero (so the root cell's signature/architecture/revision inside a system file are 0).
 * Deliberately independent of core/hypervisor/config/binary.ts.
 */

export class CStruct {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }
  u8(o: number, v: number): this { this.dv.setUint8(o, v); return this; }
  u16(o: number, v: number): this { this.dv.setUint16(o, v, true); return this; }
  s16(o: number, v: number): this { this.dv.setInt16(o, v, true); return this; }
  u32(o: number, v: number): this { this.dv.setUint32(o, v >>> 0, true); return this; }
  u64(o: number, v: bigint): this { this.dv.setBigUint64(o, v, true); return this; }
  str(o: number, s: string): this { for (let i = 0; i < s.length; i++) this.bytes[o + i] = s.charCodeAt(i); return this; }
}

export interface CMem { phys: bigint; virt: bigint; size: bigint; flags: bigint }

/** struct jailhouse_memory at `o` */
export function cMem(s: CStruct, o: number, m: CMem): void {
  s.u64(o, m.phys).u64(o + 8, m.virt).u64(o + 16, m.size).u64(o + 24, m.flags);
}

/** JAILHOUSE_SHMEM_NET_REGIONS(start, dev_id) */
export function shmemNetRegions(start: bigint, devId: number): CMem[] {
  const R = 0x1n, W = 0x2n, RS = 0x80n;
  return [
    { phys: start, virt: start, size: 0x1000n, flags: R | RS },
    { phys: 0n, virt: 0n, size: 0n, flags: 0n },
    { phys: start + 0x1000n, virt: start + 0x1000n, size: 0x7f000n, flags: R | RS | (devId === 0 ? W : 0n) },
    { phys: start + 0x80000n, virt: start + 0x80000n, size: 0x7f000n, flags: R | RS | (devId === 1 ? W : 0n) },
  ];
}

/** configs/riscv/qemu-inmate-demo.c equivalent of test/fixtures/configs/qemu-inmate-demo.yaml */
export function cInmateDemo(): Uint8Array {
  // struct { jailhouse_cell_desc cell; jailhouse_cpu cpus[1]; jailhouse_memory mem_regions[2]; }
  const s = new CStruct(132 + 16 + 2 * 32);
  s.str(0, 'JHCLL').u8(5, 3).u16(6, 15);
  s.str(8, 'inmate-demo');
  s.u32(44, 0x1 | 0x2 | 0x4000_0000 | 0x8000_0000);
  s.u32(48, 1).u32(52, 2);
  s.u16(100 + 12, 0x0b); // console.type = JAILHOUSE_CON_TYPE_RISCV_SBI
  s.u64(132, 2n); // cpus[0].phys_id
  cMem(s, 148, { phys: 0xbf600000n, virt: 0n, size: 0x100000n, flags: 0x1n | 0x2n | 0x4n | 0x40n });
  cMem(s, 180, { phys: 0n, virt: 0x100000n, size: 0x1000n, flags: 0x1n | 0x2n | 0x20n });
  return s.bytes;
}

/** configs/riscv/qemu-riscv64.c equivalent of test/fixtures/configs/qemu-riscv64.yaml */
export function cQemuRiscv64(): Uint8Array {
  const ncpu = 6, nmem = 10, nirq = 1, npci = 1;
  const s = new CStruct(548 + ncpu * 16 + nmem * 32 + nirq * 32 + npci * 56);
  s.str(0, 'JHSYS').u8(5, 3).u16(6, 15);
  s.u32(8, 0x1); // JAILHOUSE_SYS_VIRTUAL_DEBUG_CONSOLE
  cMem(s, 12, { phys: 0xbf800000n, virt: 0n, size: 0x600000n, flags: 0n }); // hypervisor_memory
  s.u16(44 + 12, 0x0b); // debug_console.type
  s.u64(76, 0x30000000n).u8(84, 0xff); // pci_mmconfig_base, end_bus
  // riscv.irqchip
  s.u16(312, 96).u8(314, 0).u64(316, 0xc000000n).u32(324, 0x600000).u32(328, 7);
  for (let h = 0; h < 32; h++) s.s16(352 + 2 * h, h < 6 ? 2 * h + 1 : -1);
  // root_cell (signature/architecture/revision left zero, as in the C config)
  const rc = 416;
  s.str(rc + 8, 'qemu-riscv64');
  s.u32(rc + 48, ncpu).u32(rc + 52, nmem).u32(rc + 60, nirq).u32(rc + 68, npci);
  s.u32(rc + 80, 32); // vpci_irq_base
  let o = 548;
  for (let c = 0; c < ncpu; c++, o += 16) s.u64(o, BigInt(c));
  const RWX = 0x7n, RWIO = 0x1n | 0x2n | 0x10n;
  const mem: CMem[] = [
    ...shmemNetRegions(0xbf700000n, 0),
    { phys: 0x80000000n, virt: 0x80000000n, size: 0x3f700000n, flags: RWX },
    { phys: 0xbfe00000n, virt: 0xbfe00000n, size: 0x2000n, flags: RWX },
    { phys: 0x101000n, virt: 0x101000n, size: 0x1000n, flags: RWIO },
    { phys: 0x10000000n, virt: 0x10000000n, size: 0x1000n, flags: RWIO },
    { phys: 0x100000n, virt: 0x100000n, size: 0x1000n, flags: RWIO },
    { phys: 0x10100000n, virt: 0x10100000n, size: 0x4000n, flags: RWIO },
  ];
  for (const m of mem) { cMem(s, o, m); o += 32; }
  // irqchips[0]: plic
  s.u64(o, 0xc000000n).u32(o + 8, 0).u32(o + 12, 0);
  s.u32(o + 16, (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14) | (1 << 15));
  s.u32(o + 20, 0b11110); // pins 33..36 (32 is the ivshmem INTx, a virtual interrupt)
  o += 32;
  // pci_devices[0]: IVSHMEM (networking)
  s.u8(o, 3).u16(o + 2, 0).u16(o + 4, 0x10 << 3);
  s.u32(o + 6, 0xfffff000); // JAILHOUSE_IVSHMEM_BAR_MASK_INTX
  s.u32(o + 48, 0).u8(o + 52, 0).u8(o + 53, 2).u16(o + 54, 0x0001); // JAILHOUSE_SHMEM_PROTO_VETH
  o += 56;
  if (o !== s.bytes.length) throw new Error(`layout bug: ${o} != ${s.bytes.length}`);
  return s.bytes;
}
