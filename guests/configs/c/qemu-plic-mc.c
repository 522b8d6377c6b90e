/*
 * The system configuration of Jailhouse's RISC-V port for QEMU virt with a PLIC, 6 harts and an
 * ivshmem-net link (its configs/riscv/qemu-plic-mc.c): the same values in the same layout, written for
 * this project, so that the lab can show that the real file works unmodified. Built into
 * assets/guests/configs/qemu-plic-mc.cell by guests/configs/c/configs.mk.
 *
 * The ivshmem-net INTx is virtual interrupt 32 (vpci_irq_base 32 + pin 1 - 1), which is not one of the
 * root cell's pins (10: UART, 34: PCI INT C): the hypervisor injects it.
 */
#include <jailhouse/cell-config.h>
#include "qemu-layout.h"

#define RWX  (JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_EXECUTE)
#define RW   (JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE)
#define RWIO (RW | JAILHOUSE_MEM_IO)
#define SAME(base, len, fl) { .phys_start = (base), .virt_start = (base), .size = (len), .flags = (fl) }

struct {
	struct jailhouse_system header;
	struct jailhouse_cpu cpus[6];
	struct jailhouse_memory mem_regions[13];
	struct jailhouse_irqchip irqchips[1];
	struct jailhouse_pci_device pci_devices[2];
	struct jailhouse_pci_capability pci_caps[6];
} __attribute__((packed)) config = {
	.header = {
		.signature = JAILHOUSE_SYSTEM_SIGNATURE,
		.architecture = JAILHOUSE_ARCH_RISCV64,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.flags = JAILHOUSE_SYS_VIRTUAL_DEBUG_CONSOLE,
		.hypervisor_memory = { .phys_start = HV_BASE, .size = HV_SIZE },
		.debug_console = { .type = JAILHOUSE_CON_TYPE_RISCV_SBI },
		.platform_info = {
			.pci_mmconfig_base = 0x30000000,
			.pci_mmconfig_end_bus = 0xff,
			.riscv.irqchip = {
				.type = JAILHOUSE_RISCV_PLIC,
				.base_address = 0x0c000000,
				.size = 0x600000,
				.max_irq = 96,
				.max_priority = 7,
				/* S-mode context 2h+1 of harts 0..5; no further harts */
				.hart_to_context = { 1, 3, 5, 7, 9, 11, [6 ... 31] = -1 },
			},
		},
		.root_cell = {
			.name = "qemu-riscv64",
			.num_cpus = 6,
			.num_memory_regions = 13,
			.num_irqchips = 1,
			.num_pci_devices = 2,
			.num_pci_caps = 6,
			.vpci_irq_base = 32,
		},
	},
	.cpus = { { .phys_id = 0 }, { .phys_id = 1 }, { .phys_id = 2 }, { .phys_id = 3 }, { .phys_id = 4 }, { .phys_id = 5 } },
	.mem_regions = {
		JAILHOUSE_SHMEM_NET_REGIONS(NET_SHMEM_BASE, 0),
		SAME(RAM_BASE, NET_SHMEM_BASE - RAM_BASE, RWX),  /* RAM up to the ivshmem-net memory */
		SAME(0xbfe00000, 0x2000, RWX),                    /* the DTB OpenSBI left in RAM */
		SAME(0x00101000, 0x1000, RWIO),                   /* rtc */
		SAME(0x10000000, 0x1000, RWIO),                   /* uart0 */
		SAME(0x00100000, 0x1000, RWIO),                   /* test device (poweroff/reset) */
		SAME(0x20000000, 0x2000000, RWX),                 /* flash bank 0 */
		SAME(0x22000000, 0x2000000, RWX),                 /* flash bank 1 */
		SAME(0x40040000, 0x20000, RW),                    /* e1000e BAR0 */
		SAME(0x40060000, 0x20000, RW),                    /* e1000e BAR1 */
	},
	.irqchips = {
		{
			.address = 0x0c000000,
			.pin_base = 0,
			.pin_bitmap = { 1u << 10 /* uart0 */, 1u << (34 - 32) /* PCI INT C */, 0, 0 },
		},
	},
	.pci_devices = {
		{
			/* e1000e at 00:02.0 with PM, MSI, PCIe, MSI-X, AER and DSN capabilities */
			.type = JAILHOUSE_PCI_TYPE_DEVICE,
			.bdf = 0x0010,
			.bar_mask = { 0xfffe0000, 0xfffe0000, 0xffffffe0, 0xffffc000, 0, 0 },
			.caps_start = 0,
			.num_caps = 6,
			.num_msi_vectors = 1,
			.msi_64bits = 1,
			.num_msix_vectors = 5,
			.msix_region_size = 0x1000,
			.msix_address = 0x40080000,
		},
		{
			/* ivshmem-net 00:10.0, the root cell is peer 0 of 2 */
			.type = JAILHOUSE_PCI_TYPE_IVSHMEM,
			.bdf = 0x10 << 3,
			.bar_mask = JAILHOUSE_IVSHMEM_BAR_MASK_INTX,
			.shmem_regions_start = 0,
			.shmem_dev_id = 0,
			.shmem_peers = 2,
			.shmem_protocol = JAILHOUSE_SHMEM_PROTO_VETH,
		},
	},
	.pci_caps = {
		{ .id = PCI_CAP_ID_PM, .start = 0xc8, .len = 8, .flags = JAILHOUSE_PCICAPS_WRITE },
		{ .id = PCI_CAP_ID_MSI, .start = 0xd0, .len = 14, .flags = JAILHOUSE_PCICAPS_WRITE },
		{ .id = PCI_CAP_ID_EXP, .start = 0xe0, .len = 20, .flags = JAILHOUSE_PCICAPS_WRITE },
		{ .id = PCI_CAP_ID_MSIX, .start = 0xa0, .len = 12, .flags = JAILHOUSE_PCICAPS_WRITE },
		{ .id = PCI_EXT_CAP_ID_ERR | JAILHOUSE_PCI_EXT_CAP, .start = 0x100, .len = 4 },
		{ .id = PCI_EXT_CAP_ID_DSN | JAILHOUSE_PCI_EXT_CAP, .start = 0x140, .len = 4 },
	},
};
