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

#define JAILHOUSE_CELL_TEST_DEVICE        0x00000002

#define JAILHOUSE_CON_TYPE_NONE           0x0000
#define JAILHOUSE_CON_TYPE_8250           0x0002
#define JAILHOUSE_CON_TYPE_RISCV_SBI      0x000b

#define JAILHOUSE_RISCV_PLIC              0
#define JAILHOUSE_RISCV_APLIC             1

#define JAILHOUSE_PCI_TYPE_DEVICE         0x01
#define JAILHOUSE_PCI_TYPE_BRIDGE         0x02
#define JAILHOUSE_PCI_TYPE_IVSHMEM        0x03
#define JAILHOUSE_SHMEM_PROTO_UNDEFINED   0x0000
#define JAILHOUSE_SHMEM_PROTO_VETH        0x0001
#define JAILHOUSE_PCI_EXT_CAP             0x8000
#define JAILHOUSE_PCICAPS_WRITE           0x0001

/* PCI capability ids (PCI Local Bus / PCIe specs) */
#define PCI_CAP_ID_PM                     0x01
#define PCI_CAP_ID_MSI                    0x05
#define PCI_CAP_ID_EXP                    0x10
#define PCI_CAP_ID_MSIX                   0x11
#define PCI_EXT_CAP_ID_ERR                0x01
#define PCI_EXT_CAP_ID_DSN                0x03

/* ivshmem BAR masks: 4 KiB register BAR0 (INTx), plus a 4 KiB MSI-X BAR1 */
#define JAILHOUSE_IVSHMEM_BAR_MASK_INTX   { 0xfffff000, 0, 0, 0, 0, 0 }
#define JAILHOUSE_IVSHMEM_BAR_MASK_MSIX   { 0xfffff000, 0xfffff000, 0, 0, 0, 0 }

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

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
/* The ivshmem-net link's four regions at `start` for peer `id` (state table, empty R/W, two outputs). */
#define JAILHOUSE_SHMEM_NET_REGIONS(start, id) \
	{ .phys_start = (start), .virt_start = (start), .size = 0x1000, \
	  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_ROOTSHARED }, \
	{ 0 }, \
	{ .phys_start = (start) + 0x1000, .virt_start = (start) + 0x1000, .size = 0x7f000, \
	  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_ROOTSHARED | ((id) == 0 ? JAILHOUSE_MEM_WRITE : 0) }, \
	{ .phys_start = (start) + 0x80000, .virt_start = (start) + 0x80000, .size = 0x7f000, \
	  .flags = JAILHOUSE_MEM_READ | JAILHOUSE_MEM_ROOTSHARED | ((id) == 1 ? JAILHOUSE_MEM_WRITE : 0) }

struct jailhouse_cache {
	uint32_t start, size;
	uint8_t type, padding;
	uint16_t flags;
} __attribute__((packed));

struct jailhouse_irqchip {
	uint64_t address;
	uint32_t id;
	uint32_t pin_base;
	uint32_t pin_bitmap[4];    /* bit i: interrupt source pin_base + i */
} __attribute__((packed));

struct jailhouse_pio {
	uint16_t base, length;
} __attribute__((packed));

struct jailhouse_pci_device {
	uint8_t type;
	uint8_t iommu;
	uint16_t domain;
	uint16_t bdf;
	uint32_t bar_mask[6];
	uint16_t caps_start;
	uint16_t num_caps;
	uint8_t num_msi_vectors;
	uint8_t msi_64bits:1, msi_maskable:1;
	uint16_t num_msix_vectors;
	uint16_t msix_region_size;
	uint64_t msix_address;
	uint32_t shmem_regions_start;
	uint8_t shmem_dev_id;
	uint8_t shmem_peers;
	uint16_t shmem_protocol;
} __attribute__((packed));

struct jailhouse_pci_capability {
	uint16_t id, start, len, flags;
} __attribute__((packed));

/* The RISC-V platform information (the iommu units are unused on RISC-V but keep their 8 x 28 bytes). */
struct jailhouse_platform_info {
	uint64_t pci_mmconfig_base;
	uint8_t pci_mmconfig_end_bus;
	uint8_t pci_is_virtual;
	uint16_t pci_domain;
	uint8_t iommu_units[8][28];
	struct {
		struct {
			uint16_t max_irq;
			uint8_t type;                  /* JAILHOUSE_RISCV_PLIC / _APLIC */
			uint8_t reserved0;
			uint64_t base_address;
			uint32_t size;
			uint32_t max_priority;
			uint16_t imsic_stride;
			uint16_t reserved1;
			uint64_t imsic_base;
			uint64_t imsic_size;
			int16_t hart_to_context[32];   /* PLIC S-mode context of each hart, -1: none */
		} __attribute__((packed)) irqchip;
	} __attribute__((packed)) riscv;
} __attribute__((packed));

struct jailhouse_system {
	char signature[5];
	uint8_t architecture;
	uint16_t revision;
	uint32_t flags;
	struct jailhouse_memory hypervisor_memory;
	struct jailhouse_console debug_console;
	struct jailhouse_platform_info platform_info;
	struct jailhouse_cell_desc root_cell;
} __attribute__((packed));

_Static_assert(sizeof(struct jailhouse_cell_desc) == 132, "cell descriptor size");
_Static_assert(sizeof(struct jailhouse_system) == 548, "system descriptor size");
_Static_assert(sizeof(struct jailhouse_platform_info) == 340, "platform info size");
_Static_assert(sizeof(struct jailhouse_irqchip) == 32, "irqchip size");
_Static_assert(sizeof(struct jailhouse_pci_device) == 56, "pci device size");
_Static_assert(sizeof(struct jailhouse_cache) == 12, "cache region size");

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
