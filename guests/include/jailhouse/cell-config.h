/* jailhouse/cell-config.h - the binary configuration format (.cell), revision 15, RISC-V (architecture 3), as in
 * shared/spec/jailhouse-abi.md and Jailhouse's include/jailhouse/cell-config.h.  Packed,
 * little-endian; the arrays follow the cell descriptor in the order cpus, memory regions, cache regions,
 * irqchips, pio regions, pci devices, pci capabilities, stream ids. */
#ifndef JAILHOUSE_CELL_CONFIG_H
#define JAILHOUSE_CELL_CONFIG_H

#include <stdint.h>

#define JAILHOUSE_CELL_DESC_SIGNATURE   "JHCLL"
#define JAILHOUSE_SYSTEM_SIGNATURE      "JHSYS"
#define JAILHOUSE_CONFIG_REVISION       15
#define JAILHOUSE_ARCH_RISCV64          3
#define JAILHOUSE_CELL_NAME_MAXLEN      31

#define JAILHOUSE_CELL_PASSIVE_COMMREG           0x00000001
#define JAILHOUSE_CELL_VIRTUAL_CONSOLE_PERMITTED 0x40000000
#define JAILHOUSE_CELL_VIRTUAL_CONSOLE_ACTIVE    0x80000000

#define JAILHOUSE_MEM_READ        0x0001
#define JAILHOUSE_MEM_WRITE       0x0002
#define JAILHOUSE_MEM_EXECUTE     0x0004
#define JAILHOUSE_MEM_DMA         0x0008
#define JAILHOUSE_MEM_IO          0x0010
#define JAILHOUSE_MEM_COMM_REGION 0x0020
#define JAILHOUSE_MEM_LOADABLE    0x0040
#define JAILHOUSE_MEM_ROOTSHARED  0x0080

#define JAILHOUSE_SYS_VIRTUAL_DEBUG_CONSOLE 0x0001

struct jailhouse_console {
	uint64_t address;
	uint32_t size;
	uint16_t type, flags;
	uint32_t divider, gate_nr;
	uint64_t clock_reg;
} __attribute__((packed));

struct jailhouse_cell_desc {
	char signature[5];
	uint8_t architecture;
	uint16_t revision;
	char name[JAILHOUSE_CELL_NAME_MAXLEN + 1];
	uint32_t id;
	uint32_t flags;
	uint32_t num_cpus;
	uint32_t num_memory_regions;
	uint32_t num_cache_regions;
	uint32_t num_irqchips;
	uint32_t num_pio_regions;
	uint32_t num_pci_devices;
	uint32_t num_pci_caps;
	uint32_t num_stream_ids;
	uint32_t vpci_irq_base;
	uint64_t cpu_reset_address;
	uint64_t msg_reply_timeout;
	struct jailhouse_console console;
} __attribute__((packed));

struct jailhouse_cpu {
	uint64_t phys_id;          /* hart id */
	uint64_t reserved;
} __attribute__((packed));

struct jailhouse_memory {
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t size;
	uint64_t flags;
} __attribute__((packed));

/* The system descriptor: header fields up to the root cell's descriptor at offset 416. */
struct jailhouse_system {
	char signature[5];
	uint8_t architecture;
	uint16_t revision;
	uint32_t flags;
	struct jailhouse_memory hypervisor_memory;
	struct jailhouse_console debug_console;
	uint8_t platform_info[340];
	struct jailhouse_cell_desc root_cell;
} __attribute__((packed));

_Static_assert(sizeof(struct jailhouse_cell_desc) == 132, "cell descriptor size");
_Static_assert(sizeof(struct jailhouse_system) == 548, "system descriptor size");

/* Sizes of the variable arrays, in bytes. */
static inline unsigned long jailhouse_cell_config_size(const struct jailhouse_cell_desc *c)
{
	return sizeof(*c) + c->num_cpus * 16UL + c->num_memory_regions * 32UL + c->num_cache_regions * 12UL +
	       c->num_irqchips * 32UL + c->num_pio_regions * 4UL + c->num_pci_devices * 56UL +
	       c->num_pci_caps * 8UL + c->num_stream_ids * 4UL;
}

static inline const struct jailhouse_cpu *jailhouse_cell_cpus(const struct jailhouse_cell_desc *c)
{
	return (const struct jailhouse_cpu *)(c + 1);
}

static inline const struct jailhouse_memory *jailhouse_cell_mem_regions(const struct jailhouse_cell_desc *c)
{
	return (const struct jailhouse_memory *)((const uint8_t *)(c + 1) + c->num_cpus * 16UL);
}

#endif
