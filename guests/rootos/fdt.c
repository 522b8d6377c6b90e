/* fdt.c - a small flattened device tree (DTB v17) reader: memory, harts, UART0, the PLIC, /chosen.
 *
 * One pass over the structure block with a stack of open nodes; a node's facts (reg, interrupts,
 * compatible, status) are collected while its properties pass and used when the node ends, so property
 * order does not matter.  #address-cells/#size-cells are honoured per parent. */
#include "rootos.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9
#define MAX_DEPTH      8

struct board board;

struct node {
	const char *name;
	int addr_cells, size_cells;      /* for this node's children */
	unsigned long reg_addr, reg_size;
	int has_reg;
	unsigned long irq;
	int is_memory, is_uart, is_plic, disabled;
};

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static unsigned long read_cells(const uint8_t *p, int n)
{
	unsigned long v = 0;
	for (int i = 0; i < n; i++)
		v = v << 32 | be32(p + 4 * i);
	return v;
}

/* Whether a string list property (compatible) contains `s`. */
static int has_string(const char *list, unsigned len, const char *s)
{
	for (unsigned i = 0; i < len;) {
		if (!strcmp(list + i, s))
			return 1;
		i += strlen(list + i) + 1;
	}
	return 0;
}

/* The last path component of stdout-path, without options ("/soc/serial@10000000:115200"). */
static int same_node(const char *path, const char *name)
{
	const char *last = path;
	for (const char *p = path; *p && *p != ':'; p++)
		if (*p == '/')
			last = p + 1;
	size_t n = 0;
	while (last[n] && last[n] != ':')
		n++;
	return strlen(name) == n && !strncmp(last, name, n);
}

int fdt_parse(unsigned long dtb, struct board *b)
{
	const uint8_t *base = (const uint8_t *)dtb;
	if (!dtb || be32(base) != FDT_MAGIC)
		return -1;
	const uint8_t *p = base + be32(base + 8);              /* off_dt_struct */
	const char *strings = (const char *)base + be32(base + 12);
	struct node stack[MAX_DEPTH];
	const char *stdout_path = "";
	unsigned long uart_cand_addr[8], uart_cand_irq[8];
	const char *uart_cand_name[8];
	int uart_cands = 0, depth = -1;

	memset(b, 0, sizeof(*b));
	b->dtb = dtb;
	b->dtb_size = be32(base + 4);
	b->bootargs = "";
	b->model = "";
	b->timebase = 10000000;
	for (;;) {
		uint32_t token = be32(p);
		p += 4;
		if (token == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			p += (strlen(name) + 4) & ~3UL;
			if (++depth >= MAX_DEPTH)
				return -1;
			struct node *n = &stack[depth];
			memset(n, 0, sizeof(*n));
			n->name = name;
			n->addr_cells = 2;
			n->size_cells = 1;
			continue;
		}
		if (token == FDT_END_NODE) {
			if (depth < 0)
				return -1;
			struct node *n = &stack[depth];
			const char *parent = depth >= 1 ? stack[depth - 1].name : "";
			if (n->is_memory && n->has_reg && !b->ram_size) {
				b->ram_base = n->reg_addr;
				b->ram_size = n->reg_size;
			}
			if (depth == 2 && !strcmp(parent, "cpus") && !strncmp(n->name, "cpu@", 4) && n->has_reg &&
			    !n->disabled && n->reg_addr < 64)
				b->harts |= 1UL << n->reg_addr;
			if (n->is_plic && n->has_reg)
				b->plic_base = n->reg_addr;
			if (n->is_uart && n->has_reg && uart_cands < 8) {
				uart_cand_addr[uart_cands] = n->reg_addr;
				uart_cand_irq[uart_cands] = n->irq;
				uart_cand_name[uart_cands++] = n->name;
			}
			if (--depth < 0)
				break;
			continue;
		}
		if (token == FDT_NOP)
			continue;
		if (token != FDT_PROP)
			break;                                   /* FDT_END or garbage */
		uint32_t len = be32(p), nameoff = be32(p + 4);
		const uint8_t *val = p + 8;
		p += 8 + ((len + 3) & ~3U);
		if (depth < 0)
			return -1;
		const char *prop = strings + nameoff;
		struct node *n = &stack[depth];
		struct node *parent = depth ? &stack[depth - 1] : n;
		if (!strcmp(prop, "#address-cells"))
			n->addr_cells = be32(val);
		else if (!strcmp(prop, "#size-cells"))
			n->size_cells = be32(val);
		else if (!strcmp(prop, "reg") && len >= 4 * (unsigned)(parent->addr_cells + parent->size_cells)) {
			n->reg_addr = read_cells(val, parent->addr_cells);
			n->reg_size = read_cells(val + 4 * parent->addr_cells, parent->size_cells);
			n->has_reg = 1;
		} else if (!strcmp(prop, "interrupts") && len >= 4)
			n->irq = be32(val);
		else if (!strcmp(prop, "device_type") && !strcmp((const char *)val, "memory"))
			n->is_memory = 1;
		else if (!strcmp(prop, "status"))
			n->disabled = strcmp((const char *)val, "okay") && strcmp((const char *)val, "ok");
		else if (!strcmp(prop, "compatible")) {
			if (has_string((const char *)val, len, "ns16550a"))
				n->is_uart = 1;
			if (has_string((const char *)val, len, "riscv,plic0") ||
			    has_string((const char *)val, len, "sifive,plic-1.0.0"))
				n->is_plic = 1;
		} else if (depth == 0 && !strcmp(prop, "model"))
			b->model = (const char *)val;
		else if (depth == 1 && !strcmp(n->name, "cpus") && !strcmp(prop, "timebase-frequency"))
			b->timebase = read_cells(val, len >= 8 ? 2 : 1);
		else if (depth == 1 && !strcmp(n->name, "chosen")) {
			if (!strcmp(prop, "bootargs"))
				b->bootargs = (const char *)val;
			else if (!strcmp(prop, "stdout-path"))
				stdout_path = (const char *)val;
			else if (!strcmp(prop, "linux,initrd-start"))
				b->initrd_start = read_cells(val, len >= 8 ? 2 : 1);
			else if (!strcmp(prop, "linux,initrd-end"))
				b->initrd_end = read_cells(val, len >= 8 ? 2 : 1);
		}
	}
	/* UART0: the stdout-path node, else the UART at the lowest address. */
	for (int i = 0; i < uart_cands; i++) {
		int better = !b->uart_base || uart_cand_addr[i] < b->uart_base;
		if (*stdout_path ? same_node(stdout_path, uart_cand_name[i]) : better) {
			b->uart_base = uart_cand_addr[i];
			b->uart_irq = uart_cand_irq[i];
			if (*stdout_path)
				break;
		}
	}
	if (!b->uart_base) {
		b->uart_base = UART0_BASE;
		b->uart_irq = 10;
	}
	return 0;
}
