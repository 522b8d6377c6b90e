/* pci.c - `lspci` and `ivshmem-demo`: the PCI functions the root cell sees through ECAM, and the root cell as
 * a peer of an ivshmem 2.0 link (shared/spec/ivshmem.md), printing what Jailhouse's ivshmem-demo prints. */
#include <jailhouse/ivshmem.h>
#include "rootos.h"

#define PCI_ECAM_BASE  0x30000000UL   /* board.md: pci_mmconfig_base */
#define PCI_WINDOW     0x40000000UL   /* the 32-bit MMIO window: where ivshmem-demo places BAR0 */
#define VPCI_IRQ_BASE  32             /* the root cell's vpci_irq_base in guests/configs/sysconfig.yaml */


static inline uint32_t rd32(unsigned long a) { return *(volatile uint32_t *)a; }
static inline void wr32(unsigned long a, uint32_t v) { *(volatile uint32_t *)a = v; }

static unsigned long cfg(unsigned bdf, unsigned reg) { return PCI_ECAM_BASE + ((unsigned long)bdf << 12) + reg; }
static uint32_t cfg_read32(unsigned bdf, unsigned reg) { return rd32(cfg(bdf, reg)); }
static uint8_t cfg_read8(unsigned bdf, unsigned reg) { return *(volatile uint8_t *)cfg(bdf, reg); }
static uint64_t cfg_read64(unsigned bdf, unsigned reg) { return cfg_read32(bdf, reg) | (uint64_t)cfg_read32(bdf, reg + 4) << 32; }

static int find_cap(unsigned bdf, unsigned id)
{
	if (!((cfg_read32(bdf, 0x04) >> 16) & 0x10))
		return -1;
	unsigned pos = cfg_read8(bdf, 0x34) & ~3u;
	for (int guard = 0; pos && guard < 48; guard++) {
		if (cfg_read8(bdf, pos) == id)
			return (int)pos;
		pos = cfg_read8(bdf, pos + 1) & ~3u;
	}
	return -1;
}

static void print_bdf(unsigned bdf)
{
	con_printf("%02x:%02x.%x", bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
}

/* lspci [-v]: bus 0 of the ECAM, as the cell sees it (the hypervisor shows each cell only its devices). */
int cmd_lspci(int argc, char **argv)
{
	int verbose = argc > 1 && !strcmp(argv[1], "-v");
	int found = 0;
	for (unsigned bdf = 0; bdf < 0x100; bdf++) {
		uint32_t id = cfg_read32(bdf, 0);
		if (id == 0xffffffff || id == 0)
			continue;
		found++;
		uint32_t class = cfg_read32(bdf, 0x08);
		print_bdf(bdf);
		if ((id & 0xffff) == IVSHMEM_VENDOR && (id >> 16) == IVSHMEM_DEVICE)
			con_printf(" Unassigned class [ff%02x]: Siemens AG Device 4106 (prog-if %02x) [ivshmem 2.0, protocol 0x%04x]\n",
				   (class >> 16) & 0xff, (class >> 8) & 0xff, (class >> 8) & 0xffff);
		else
			con_printf(" Class %06x: Device %04x:%04x (rev %02x)\n", class >> 8, id & 0xffff, id >> 16, class & 0xff);
		if (!verbose)
			continue;
		uint32_t pin = cfg_read8(bdf, 0x3d);
		con_printf("\tControl: %04x, Status: %04x, Interrupt: pin %c\n", cfg_read32(bdf, 4) & 0xffff,
			   cfg_read32(bdf, 4) >> 16, pin ? 'A' + (int)pin - 1 : '-');
		con_printf("\tRegion 0: Memory at %08x [size=4K]\n", cfg_read32(bdf, 0x10));
		int cap = find_cap(bdf, IVSHMEM_CAP_VENDOR);
		if (cap >= 0)
			con_printf("\tCapabilities: [%02x] Vendor Specific: state table 0x%x, R/W 0x%lx, output 0x%lx, address 0x%lx\n",
				   cap, cfg_read32(bdf, cap + IVSHMEM_CAP_STATE_TAB_SZ), (unsigned long)cfg_read64(bdf, cap + IVSHMEM_CAP_RW_SZ),
				   (unsigned long)cfg_read64(bdf, cap + IVSHMEM_CAP_OUTPUT_SZ), (unsigned long)cfg_read64(bdf, cap + IVSHMEM_CAP_ADDR));
	}
	if (!found)
		con_puts("lspci: no PCI functions\n");
	return 0;
}

static volatile uint32_t irqs;      /* interrupts of the device (counted in the trap handler) */
static unsigned long demo_irq;

static void demo_irq_hook(uint32_t src, void *ctx)
{
	irqs++;
}

/* ivshmem-demo [-t TARGET] [-b BDF] [-i VPCI_IRQ_BASE]: the root cell as a peer, like the inmate demo. */
int cmd_ivshmem_demo(int argc, char **argv)
{
	long target = -1;
	unsigned long start = 0, irq_base = VPCI_IRQ_BASE, v;
	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "-t") && !parse_ulong(argv[i + 1], &v)) {
			target = (long)v;
			i++;
		} else if (i + 1 < argc && !strcmp(argv[i], "-b") && !parse_ulong(argv[i + 1], &v)) {
			start = v;
			i++;
		} else if (i + 1 < argc && !strcmp(argv[i], "-i") && !parse_ulong(argv[i + 1], &v)) {
			irq_base = v;
			i++;
		} else {
			con_puts("usage: ivshmem-demo [-t TARGET] [-b BDF] [-i VPCI_IRQ_BASE]\n");
			return 1;
		}
	}
	unsigned bdf;
	for (bdf = (unsigned)start; bdf < 0x100; bdf++) {
		uint32_t id = cfg_read32(bdf, 0);
		if ((id & 0xffff) == IVSHMEM_VENDOR && (id >> 16) == IVSHMEM_DEVICE && ((cfg_read32(bdf, 0x08) >> 8) & 0xffff) == 0)
			break;
	}
	int cap = bdf < 0x100 ? find_cap(bdf, IVSHMEM_CAP_VENDOR) : -1;
	if (cap < 0) {
		con_puts("IVSHMEM: no device found\n");
		return 1;
	}
	unsigned long regs = PCI_WINDOW + ((unsigned long)bdf << 12);
	wr32(cfg(bdf, 0x10), (uint32_t)regs);
	*(volatile uint16_t *)cfg(bdf, 0x04) = 0x0002;
	uint32_t id = rd32(regs + IVSHMEM_REG_ID), peers = rd32(regs + IVSHMEM_REG_MAX_PEERS);
	uint32_t pin = cfg_read8(bdf, 0x3d);
	unsigned long shmem = (unsigned long)cfg_read64(bdf, cap + IVSHMEM_CAP_ADDR);
	unsigned long state_size = (cfg_read32(bdf, cap + IVSHMEM_CAP_STATE_TAB_SZ) + 0xfff) & ~0xfffUL;
	unsigned long rw_size = ((unsigned long)cfg_read64(bdf, cap + IVSHMEM_CAP_RW_SZ) + 0xfff) & ~0xfffUL;
	unsigned long out_size = ((unsigned long)cfg_read64(bdf, cap + IVSHMEM_CAP_OUTPUT_SZ) + 0xfff) & ~0xfffUL;
	volatile uint32_t *state = (volatile uint32_t *)shmem;
	volatile uint32_t *rw = (volatile uint32_t *)(shmem + state_size);
	unsigned long outputs = shmem + state_size + rw_size;
#define OUT(p) ((volatile uint32_t *)(outputs + (p) * out_size))
	demo_irq = irq_base + pin - 1;
	con_puts("IVSHMEM: Found device at ");
	print_bdf(bdf);
	con_printf("\nIVSHMEM: ID is %u, max peers %u\n", id, peers);
	con_printf("IVSHMEM: registers at 0x%lx, interrupt %lu (pin %u)\n", regs, demo_irq, pin);
	con_printf("IVSHMEM: state table at 0x%lx, R/W section at 0x%lx, output sections at 0x%lx\n", shmem,
		   (unsigned long)rw, outputs);
	if (peers > IVSHMEM_MAX_PEERS || id >= peers || !pin)
		return 1;

	uint32_t seen[IVSHMEM_MAX_PEERS], known[IVSHMEM_MAX_PEERS], handled = 0, count = 0;
	for (uint32_t p = 0; p < peers; p++) {
		seen[p] = OUT(p)[id];
		known[p] = state[p];
	}
	irqs = 0;
	if (irq_register(demo_irq, demo_irq_hook, 0)) {
		con_printf("IVSHMEM: interrupt %lu is taken\n", demo_irq);
		return 1;
	}
	wr32(regs + IVSHMEM_REG_INT_CTRL, 1);
	wr32(regs + IVSHMEM_REG_STATE, id + 1);

	con_set_busy(1);
	unsigned long period = board.timebase, next = read_time() + period;
	uint32_t to = id;
	while (!con_interrupted()) {
		if (irqs != handled) {
			handled = irqs;
			con_printf("IVSHMEM: got interrupt 0 (#%u)\n", ++count);
			for (uint32_t p = 0; p < peers; p++) {
				if (p == id)
					continue;
				if (OUT(p)[id] != seen[p]) {
					seen[p] = OUT(p)[id];
					con_printf("IVSHMEM: interrupt from peer %u (#%u)\n", p, seen[p]);
				}
				if (state[p] != known[p]) {
					known[p] = state[p];
					if (known[p])
						con_printf("IVSHMEM: peer %u is up (state %u)\n", p, known[p]);
					else
						con_printf("IVSHMEM: peer %u left\n", p);
				}
			}
			con_puts("IVSHMEM: state");
			for (uint32_t p = 0; p < peers; p++)
				con_printf(" %u", state[p]);
			con_puts(", rw");
			for (uint32_t p = 0; p < peers; p++)
				con_printf(" %u", rw[p]);
			con_puts(", out");
			for (uint32_t p = 0; p < peers; p++)
				con_printf(" %u", OUT(p)[id]);
			con_puts("\n");
			continue;
		}
		if (read_time() >= next) {
			next += period;
			if (target >= 0) {
				to = (uint32_t)target;
			} else {
				to = (to + 1) % peers;
				if (to == id)
					to = (to + 1) % peers;
			}
			rw[id]++;
			OUT(id)[to]++;
			con_printf("IVSHMEM: sending IRQ 0 to peer %u\n", to);
			wr32(regs + IVSHMEM_REG_DOORBELL, to << 16);
			continue;
		}
		csr_set(sie, SIE_STIE);
		sbi_set_timer(next);
		csr_clear(sstatus, SSTATUS_SIE);
		if (irqs == handled && read_time() < next && !con_interrupted())
			asm volatile("wfi");
		csr_set(sstatus, SSTATUS_SIE);
	}
	sbi_set_timer(~0UL);
	csr_clear(sie, SIE_STIE);
	con_set_busy(0);
	wr32(regs + IVSHMEM_REG_INT_CTRL, 0);
	wr32(regs + IVSHMEM_REG_STATE, 0);
	irq_unregister(demo_irq);
	con_puts("IVSHMEM: done\n");
	return 130;
#undef OUT
}
