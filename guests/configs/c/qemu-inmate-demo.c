/*
 * The demo inmate cell of Jailhouse's RISC-V port for QEMU (its configs/riscv/qemu-inmate-demo.c): one
 * hart (2), 1 MiB of loadable RAM at GPA 0 and the communication region at GPA 0x100000, written for this
 * project with the same values and layout. Built into assets/guests/configs/qemu-inmate-demo.cell.
 */
#include <jailhouse/cell-config.h>
#include "qemu-layout.h"

struct {
	struct jailhouse_cell_desc cell;
	struct jailhouse_cpu cpus[1];
	struct jailhouse_memory mem_regions[2];
} __attribute__((packed)) config = {
	.cell = {
		.signature = JAILHOUSE_CELL_DESC_SIGNATURE,
		.architecture = JAILHOUSE_ARCH_RISCV64,
		.revision = JAILHOUSE_CONFIG_REVISION,
		.name = "qemu-inmate-demo",
		.flags = JAILHOUSE_CELL_PASSIVE_COMMREG | JAILHOUSE_CELL_TEST_DEVICE |
			 JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED | JAILHOUSE_CELL_VIRTUAL_CONSOLE_ACTIVE,
		.num_cpus = 1,
		.num_memory_regions = 2,
		.console = { .type = JAILHOUSE_CON_TYPE_RISCV_SBI },
	},
	.cpus = { { .phys_id = 2 } },
	.mem_regions = {
		{
			.phys_start = TINY_RAM_BASE, .virt_start = 0, .size = TINY_RAM_SIZE,
			.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_EXECUTE | JAILHOUSE_MEM_LOADABLE,
		},
		{
			/* communication region: the hypervisor backs it, phys_start unused */
			.virt_start = 0x100000, .size = 0x1000,
			.flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_WRITE | JAILHOUSE_MEM_COMM_REGION,
		},
	},
};
