import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBoardDeviceTree } from '../../core/machine/device-tree.ts';
import { FdtError, readFdt, type FdtTreeNode } from '../../core/machine/fdt-reader.ts';
import { FdtNode, writeFdt } from '../../core/machine/fdt-writer.ts';

const DTC = '/usr/bin/dtc';

function node(root: FdtTreeNode, path: string): FdtTreeNode {
  const found = root.find(path);
  if (!found) throw new Error(`missing node ${path}`);
  return found;
}

describe('FDT writer and reader', () => {
  it('round-trips nodes, every property kind, reservations and the boot cpu id', () => {
    const root = new FdtNode('');
    root.u32('#address-cells', 2).strings('compatible', 'a,b', 'c');
    root
      .child('dev@1000')
      .u32('reg', 0x1000, 0x10)
      .u64('big', 2 ** 40 + 5)
      .string('status', 'okay')
      .empty('interrupt-controller')
      .bytes('blob', new Uint8Array([1, 2, 3]))
      .phandle(7);
    root.child('other').u32('#address-cells', 1);
    const blob = writeFdt(root, { reservations: [{ address: 0x80000000, size: 0x200000 }], bootCpuId: 3 });
    const view = new DataView(blob.buffer);
    expect(view.getUint32(0)).toBe(0xd00dfeed);
    expect(view.getUint32(4)).toBe(blob.length);
    expect(view.getUint32(20)).toBe(17);
    expect(view.getUint32(24)).toBe(16);

    const doc = readFdt(blob);
    expect(doc.version).toBe(17);
    expect(doc.bootCpuId).toBe(3);
    expect(doc.reservations).toEqual([{ address: 0x80000000, size: 0x200000 }]);
    expect(doc.root.strings('compatible')).toEqual(['a,b', 'c']);
    const dev = node(doc.root, '/dev@1000');
    expect(dev.u32s('reg')).toEqual([0x1000, 0x10]);
    expect(dev.u64('big')).toBe(2 ** 40 + 5);
    expect(dev.string('status')).toBe('okay');
    expect(dev.properties.get('interrupt-controller')!.length).toBe(0);
    expect(Array.from(dev.properties.get('blob')!)).toEqual([1, 2, 3]);
    expect(dev.u32('phandle')).toBe(7);
    expect(doc.root.find('/dev')).toBe(dev);
  });

  it('stores each property name once in the strings block', () => {
    const root = new FdtNode('');
    for (let index = 0; index < 5; index++) root.child(`n${index}`).u32('#address-cells', 1);
    const blob = writeFdt(root);
    const view = new DataView(blob.buffer);
    expect(view.getUint32(32)).toBe('#address-cells\0'.length);
  });

  it('rejects values that do not fit their cells', () => {
    expect(() => new FdtNode('x').u32('a', 2 ** 32)).toThrow(RangeError);
    expect(() => new FdtNode('x').u64('a', -1)).toThrow(RangeError);
  });

  it('reports malformed blobs with the offending field', () => {
    expect(() => readFdt(new Uint8Array(10))).toThrow(/shorter than the 40-byte header/);
    const blob = writeFdt(new FdtNode(''));
    blob[0] = 0;
    expect(() => readFdt(blob)).toThrow(FdtError);
    expect(() => readFdt(blob)).toThrow(/magic at byte 0/);
  });
});

describe('buildBoardDeviceTree', () => {
  const desc = {
    harts: 2,
    ramBase: 0x80000000,
    ramSize: 0x40000000,
    bootargs: 'console=ttyS0 earlycon',
    initrd: { start: 0x88000000, end: 0x88100000 },
    extraUarts: 2,
  };
  const doc = readFdt(buildBoardDeviceTree(desc));
  const root = doc.root;

  it('describes the harts with their interrupt controllers', () => {
    const cpus = node(root, '/cpus');
    expect(cpus.u32('timebase-frequency')).toBe(10_000_000);
    expect(cpus.u32('#address-cells')).toBe(1);
    expect(cpus.u32('#size-cells')).toBe(0);
    for (const hart of [0, 1]) {
      const cpu = node(root, `/cpus/cpu@${hart}`);
      expect(cpu.string('device_type')).toBe('cpu');
      expect(cpu.u32('reg')).toBe(hart);
      expect(cpu.string('status')).toBe('okay');
      expect(cpu.string('compatible')).toBe('riscv');
      expect(cpu.string('riscv,isa')).toBe('rv64imac_zicsr_zifencei');
      expect(cpu.string('mmu-type')).toBe('riscv,sv39');
      const intc = node(cpu, 'interrupt-controller');
      expect(intc.string('compatible')).toBe('riscv,cpu-intc');
      expect(intc.u32('#interrupt-cells')).toBe(1);
      expect(intc.has('interrupt-controller')).toBe(true);
      expect(intc.has('phandle')).toBe(true);
    }
    expect(root.find('/cpus/cpu@2')).toBeUndefined();
  });

  it('describes memory and the chosen node', () => {
    const memory = node(root, '/memory@80000000');
    expect(memory.string('device_type')).toBe('memory');
    expect(memory.u64s('reg')).toEqual([0x80000000, 0x40000000]);
    const chosen = node(root, '/chosen');
    expect(chosen.string('stdout-path')).toBe('/soc/serial@10000000');
    expect(chosen.string('bootargs')).toBe('console=ttyS0 earlycon');
    expect(chosen.u64('linux,initrd-start')).toBe(0x88000000);
    expect(chosen.u64('linux,initrd-end')).toBe(0x88100000);
  });

  it('wires the PLIC to M and S external interrupts of every hart', () => {
    const plic = node(root, '/soc/plic@c000000');
    expect(plic.strings('compatible')).toEqual(['sifive,plic-1.0.0', 'riscv,plic0']);
    expect(plic.u64s('reg')).toEqual([0xc000000, 0x600000]);
    expect(plic.u32('riscv,ndev')).toBe(95);
    expect(plic.u32('#interrupt-cells')).toBe(1);
    expect(plic.has('interrupt-controller')).toBe(true);
    const intc0 = node(root, '/cpus/cpu@0/interrupt-controller').u32('phandle');
    const intc1 = node(root, '/cpus/cpu@1/interrupt-controller').u32('phandle');
    expect(plic.u32s('interrupts-extended')).toEqual([intc0, 11, intc0, 9, intc1, 11, intc1, 9]);
    const clint = node(root, '/soc/clint@2000000');
    expect(clint.strings('compatible')).toEqual(['sifive,clint0', 'riscv,clint0']);
    expect(clint.u64s('reg')).toEqual([0x2000000, 0x10000]);
    expect(clint.u32s('interrupts-extended')).toEqual([intc0, 3, intc0, 7, intc1, 3, intc1, 7]);
  });

  it('describes UART0 and the extra UARTs on the PLIC', () => {
    const plicPhandle = node(root, '/soc/plic@c000000').u32('phandle');
    const expected = [
      ['serial@10000000', 0x10000000, 10],
      ['serial@10100000', 0x10100000, 12],
      ['serial@10101000', 0x10101000, 13],
    ] as const;
    for (const [name, base, irq] of expected) {
      const uart = node(root, `/soc/${name}`);
      expect(uart.string('compatible')).toBe('ns16550a');
      expect(uart.u64s('reg')).toEqual([base, 0x100]);
      expect(uart.u32('clock-frequency')).toBe(0x384000);
      expect(uart.u32('interrupts')).toBe(irq);
      expect(uart.u32('interrupt-parent')).toBe(plicPhandle);
    }
    expect(root.find('/soc/serial@10102000')).toBeUndefined();
    expect(node(root, '/aliases').string('serial2')).toBe('/soc/serial@10101000');
  });

  it('describes the test device with its poweroff and reboot syscons', () => {
    const test = node(root, '/soc/test@100000');
    expect(test.strings('compatible')).toEqual(['sifive,test1', 'sifive,test0', 'syscon']);
    expect(test.u64s('reg')).toEqual([0x100000, 0x1000]);
    expect(node(root, '/poweroff').u32('regmap')).toBe(test.u32('phandle'));
    expect(node(root, '/poweroff').u32('value')).toBe(0x5555);
    expect(node(root, '/reboot').u32('value')).toBe(0x7777);
  });

  it('describes the ECAM host with the MMIO window and the INTx swizzle of QEMU virt', () => {
    const pci = node(root, '/soc/pci@30000000');
    expect(pci.string('compatible')).toBe('pci-host-ecam-generic');
    expect(pci.string('device_type')).toBe('pci');
    expect(pci.u32s('bus-range')).toEqual([0, 255]);
    expect(pci.u64s('reg')).toEqual([0x30000000, 0x10000000]);
    expect(pci.u32('#address-cells')).toBe(3);
    expect(pci.u32('#size-cells')).toBe(2);
    expect(pci.u32s('ranges')).toEqual([0x02000000, 0, 0x40000000, 0, 0x40000000, 0, 0x40000000]);
    expect(pci.u32s('interrupt-map-mask')).toEqual([0x1800, 0, 0, 7]);
    const plicPhandle = node(root, '/soc/plic@c000000').u32('phandle');
    const map = pci.u32s('interrupt-map');
    expect(map.length).toBe(16 * 6);
    const entry = (slot: number, pin: number) => map.slice((slot * 4 + pin) * 6, (slot * 4 + pin + 1) * 6);
    expect(entry(0, 0)).toEqual([0, 0, 0, 1, plicPhandle, 32]);
    expect(entry(0, 3)).toEqual([0, 0, 0, 4, plicPhandle, 35]);
    expect(entry(1, 0)).toEqual([0x800, 0, 0, 1, plicPhandle, 33]);
    expect(entry(3, 2)).toEqual([0x1800, 0, 0, 3, plicPhandle, 33]);
  });

  it('omits bootargs and initrd when not given, and validates the description', () => {
    const plain = readFdt(buildBoardDeviceTree({ harts: 1, ramBase: 0x80000000, ramSize: 2 ** 33, extraUarts: 0 }));
    const chosen = node(plain.root, '/chosen');
    expect(chosen.has('bootargs')).toBe(false);
    expect(chosen.has('linux,initrd-start')).toBe(false);
    expect(node(plain.root, '/memory@80000000').u64s('reg')).toEqual([0x80000000, 2 ** 33]);
    expect(() => buildBoardDeviceTree({ ...desc, extraUarts: 5 })).toThrow(/extraUarts/);
    expect(() => buildBoardDeviceTree({ ...desc, harts: 0 })).toThrow(/harts/);
  });

  if (!existsSync(DTC)) console.warn(`skipping the dtc check: ${DTC} not found (Debian package device-tree-compiler)`);

  it.skipIf(!existsSync(DTC))('passes dtc decompilation and its checks without errors or warnings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dtb-'));
    try {
      const variants = [desc, { harts: 32, ramBase: 0x80000000, ramSize: 0x100000000, extraUarts: 4 }];
      variants.forEach((variant, index) => {
        const path = join(dir, `board${index}.dtb`);
        writeFileSync(path, buildBoardDeviceTree(variant));
        const dts = spawnSync(DTC, ['-I', 'dtb', '-O', 'dts', '-o', '-', path], { encoding: 'utf8' });
        expect(dts.stderr).toBe('');
        expect(dts.status).toBe(0);
        expect(dts.stdout).toContain('serial@10000000 {');
        // dtb -> dtb runs dtc's semantic checks (phandle references, unit addresses, interrupt providers).
        const checked = spawnSync(DTC, ['-I', 'dtb', '-O', 'dtb', '-o', '/dev/null', path], { encoding: 'utf8' });
        expect(checked.stderr).toBe('');
        expect(checked.status).toBe(0);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
