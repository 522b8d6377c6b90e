import { FdtNode, PhandleAllocator, u64Cells, writeFdt } from './fdt-writer.ts';

/** What the generated device tree describes; everything else is fixed by the board. */
export interface BoardDescription {
  harts: number;
  ramBase: number;
  ramSize: number;
  bootargs?: string;
  /** Physical range of the initial RAM disk, end exclusive. */
  initrd?: { start: number; end: number };
  /** Additional NS16550A UARTs (0..4), the i-th at 0x10100000 + i * 0x1000 with PLIC source 12 + i. */
  extraUarts: number;
}

/**
 * Builds the DTB the board hands to a guest in `a1` at boot. It mirrors what QEMU's virt machine
 * generates (hw/riscv/virt.c) for the devices this board has, so Linux and other guests bring them up
 * with their stock drivers; the extra UARTs are this project's addition.
 */
export function buildBoardDeviceTree(desc: BoardDescription): Uint8Array {
  if (!Number.isInteger(desc.harts) || desc.harts < 1 || desc.harts > 32) {
    throw new RangeError(`device tree: harts must be 1..32, got ${desc.harts}`);
  }
  if (!Number.isInteger(desc.extraUarts) || desc.extraUarts < 0 || desc.extraUarts > 4) {
    throw new RangeError(`device tree: extraUarts must be 0..4, got ${desc.extraUarts}`);
  }
  const phandles = new PhandleAllocator();
  const root = new FdtNode('');
  root.u32('#address-cells', 2).u32('#size-cells', 2);
  root.string('compatible', 'riscv-virtio').string('model', 'riscv-virtio,qemu');

  const cpuIntcPhandles = addCpus(root, desc.harts, phandles);

  root
    .child(`memory@${hex(desc.ramBase)}`)
    .string('device_type', 'memory')
    .u64('reg', desc.ramBase, desc.ramSize);

  const soc = root.child('soc');
  soc.u32('#address-cells', 2).u32('#size-cells', 2).string('compatible', 'simple-bus').empty('ranges');

  const testPhandle = phandles.allocate();
  soc
    .child(`test@${hex(TEST_BASE)}`)
    .strings('compatible', 'sifive,test1', 'sifive,test0', 'syscon')
    .u64('reg', TEST_BASE, 0x1000)
    .phandle(testPhandle);

  soc
    .child(`clint@${hex(CLINT_BASE)}`)
    .strings('compatible', 'sifive,clint0', 'riscv,clint0')
    .u64('reg', CLINT_BASE, 0x10000)
    .u32('interrupts-extended', ...cpuIntcPhandles.flatMap((intc) => [intc, IRQ_M_SOFT, intc, IRQ_M_TIMER]));

  const plicPhandle = phandles.allocate();
  soc
    .child(`plic@${hex(PLIC_BASE)}`)
    .strings('compatible', 'sifive,plic-1.0.0', 'riscv,plic0')
    .u64('reg', PLIC_BASE, 0x600000)
    .u32('#address-cells', 0)
    .u32('#interrupt-cells', 1)
    .empty('interrupt-controller')
    .u32('interrupts-extended', ...cpuIntcPhandles.flatMap((intc) => [intc, IRQ_M_EXT, intc, IRQ_S_EXT]))
    .u32('riscv,ndev', PLIC_SOURCES - 1)
    .phandle(plicPhandle);

  const uartPaths: string[] = [];
  const addUart = (base: number, irq: number): void => {
    const name = `serial@${hex(base)}`;
    soc
      .child(name)
      .string('compatible', 'ns16550a')
      .u64('reg', base, 0x100)
      .u32('clock-frequency', UART_CLOCK_HZ)
      .u32('interrupts', irq)
      .u32('interrupt-parent', plicPhandle);
    uartPaths.push(`/soc/${name}`);
  };
  addUart(UART0_BASE, UART0_IRQ);
  for (let index = 0; index < desc.extraUarts; index++) {
    addUart(EXTRA_UART_BASE + index * 0x1000, EXTRA_UART_IRQ + index);
  }

  addPciHost(soc, plicPhandle);

  // syscon-poweroff/-reboot let Linux power off and reboot through the test finisher, as on QEMU virt.
  root
    .child('poweroff')
    .string('compatible', 'syscon-poweroff')
    .u32('regmap', testPhandle)
    .u32('offset', 0)
    .u32('value', 0x5555);
  root
    .child('reboot')
    .string('compatible', 'syscon-reboot')
    .u32('regmap', testPhandle)
    .u32('offset', 0)
    .u32('value', 0x7777);

  const aliases = root.child('aliases');
  uartPaths.forEach((path, index) => aliases.string(`serial${index}`, path));

  const chosen = root.child('chosen');
  chosen.string('stdout-path', uartPaths[0]!);
  if (desc.bootargs !== undefined) chosen.string('bootargs', desc.bootargs);
  if (desc.initrd) {
    chosen.u64('linux,initrd-start', desc.initrd.start).u64('linux,initrd-end', desc.initrd.end);
  }

  return writeFdt(root, { bootCpuId: 0 });
}

/** Adds /cpus and returns the phandle of each hart's interrupt controller, by hart id. */
function addCpus(root: FdtNode, harts: number, phandles: PhandleAllocator): number[] {
  const cpus = root.child('cpus');
  cpus.u32('#address-cells', 1).u32('#size-cells', 0).u32('timebase-frequency', TIMEBASE_HZ);
  const cpuPhandles: number[] = [];
  const intcPhandles: number[] = [];
  for (let hart = 0; hart < harts; hart++) {
    const cpuPhandle = phandles.allocate();
    const cpu = cpus
      .child(`cpu@${hart.toString(16)}`)
      .string('device_type', 'cpu')
      .u32('reg', hart)
      .string('status', 'okay')
      .string('compatible', 'riscv')
      .string('riscv,isa', RISCV_ISA)
      .string('riscv,isa-base', 'rv64i')
      .strings('riscv,isa-extensions', ...RISCV_ISA_EXTENSIONS)
      .string('mmu-type', 'riscv,sv39')
      .phandle(cpuPhandle);
    const intcPhandle = phandles.allocate();
    cpu
      .child('interrupt-controller')
      .u32('#address-cells', 0)
      .u32('#interrupt-cells', 1)
      .empty('interrupt-controller')
      .string('compatible', 'riscv,cpu-intc')
      .phandle(intcPhandle);
    cpuPhandles.push(cpuPhandle);
    intcPhandles.push(intcPhandle);
  }
  const cluster = cpus.child('cpu-map').child('cluster0');
  cpuPhandles.forEach((phandle, hart) => cluster.child(`core${hart}`).u32('cpu', phandle));
  return intcPhandles;
}

/**
 * The ECAM host bridge with its 32-bit MMIO window. Legacy INTx is swizzled across slots exactly as QEMU
 * virt does: pin p of slot s goes to PLIC source 32 + (p + s) % 4, listed for slots 0..3 and masked by
 * the slot's low two bits.
 */
function addPciHost(soc: FdtNode, plicPhandle: number): void {
  const interruptMap: number[] = [];
  for (let slot = 0; slot < 4; slot++) {
    for (let pin = 0; pin < 4; pin++) {
      interruptMap.push(slot << 11, 0, 0, pin + 1, plicPhandle, PCI_INTX_IRQ + ((pin + slot) % 4));
    }
  }
  soc
    .child(`pci@${hex(PCI_ECAM_BASE)}`)
    .string('compatible', 'pci-host-ecam-generic')
    .string('device_type', 'pci')
    .u32('#address-cells', 3)
    .u32('#size-cells', 2)
    .u32('#interrupt-cells', 1)
    .u32('linux,pci-domain', 0)
    .u32('bus-range', 0, 0xff)
    .empty('dma-coherent')
    .u64('reg', PCI_ECAM_BASE, PCI_ECAM_SIZE)
    .u32(
      'ranges',
      PCI_SPACE_MMIO32,
      ...u64Cells('pci mmio', PCI_MMIO_BASE),
      ...u64Cells('pci mmio', PCI_MMIO_BASE),
      ...u64Cells('pci mmio size', PCI_MMIO_SIZE),
    )
    .u32('interrupt-map-mask', 0x1800, 0, 0, 7)
    .u32('interrupt-map', ...interruptMap);
}

function hex(value: number): string {
  return value.toString(16);
}

const TIMEBASE_HZ = 10_000_000;
const RISCV_ISA = 'rv64imac_zicsr_zifencei';
const RISCV_ISA_EXTENSIONS = ['i', 'm', 'a', 'c', 'zicsr', 'zifencei'];

/** Local interrupt numbers on a hart's interrupt controller (mcause/scause codes). */
const IRQ_M_SOFT = 3;
const IRQ_M_TIMER = 7;
const IRQ_S_EXT = 9;
const IRQ_M_EXT = 11;

const TEST_BASE = 0x100000;
const CLINT_BASE = 0x2000000;
const PLIC_BASE = 0xc000000;
const PLIC_SOURCES = 96;
const UART0_BASE = 0x10000000;
const UART0_IRQ = 10;
const EXTRA_UART_BASE = 0x10100000;
const EXTRA_UART_IRQ = 12;
const UART_CLOCK_HZ = 0x384000;
const PCI_ECAM_BASE = 0x30000000;
const PCI_ECAM_SIZE = 0x10000000;
const PCI_MMIO_BASE = 0x40000000;
const PCI_MMIO_SIZE = 0x40000000;
const PCI_INTX_IRQ = 32;
/** phys.hi of a PCI address: space code 0b10 = 32-bit memory, non-prefetchable. */
const PCI_SPACE_MMIO32 = 0x02000000;
