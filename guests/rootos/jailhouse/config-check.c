/* config-check.c - `jailhouse config check SYSCONFIG [CELLCONFIG ...]`, after Jailhouse's
 * jailhouse-config-check: reads a configuration set and reports overlapping memory inside a cell, memory
 * overlapping the hypervisor, and conflicts between cells (memory, CPUs). The host's
 * `jailhouse-lab config check` checks more (interrupts, PCI, ivshmem links, images). */
#include <stdbool.h>
#include <jailhouse/cell-config.h>
#include "tool.h"

#define MAX_CELLS 16

struct checked_cell {
	const char *file;
	const struct jailhouse_cell_desc *desc;
};

static int findings;

/* The file's descriptor, or NULL with the reason printed. */
static const struct jailhouse_cell_desc *read_config(const char *path, bool system, const struct jailhouse_system **sys)
{
	const struct file *f = file_lookup(path);
	if (!f || (f->mode & S_IFMT) == S_IFDIR) {
		con_printf("opening %s: No such file or directory\n", path);
		return 0;
	}
	const char *sig = system ? JAILHOUSE_SYSTEM_SIGNATURE : JAILHOUSE_CELL_DESC_SIGNATURE;
	unsigned long header = system ? sizeof(struct jailhouse_system) : sizeof(struct jailhouse_cell_desc);
	if (f->size < header || memcmp(f->data, sig, 5) != 0) {
		con_printf("%s: not a %s configuration (signature \"%s\" expected)\n", path, system ? "system" : "cell", sig);
		return 0;
	}
	if (f->data[5] != JAILHOUSE_ARCH_RISCV64 || (f->data[6] | f->data[7] << 8) != JAILHOUSE_CONFIG_REVISION) {
		con_printf("%s: architecture %u revision %u, expected riscv64 (3) revision %u\n", path, f->data[5],
			   f->data[6] | f->data[7] << 8, JAILHOUSE_CONFIG_REVISION);
		return 0;
	}
	const struct jailhouse_cell_desc *desc = system ? &((const struct jailhouse_system *)f->data)->root_cell
							: (const struct jailhouse_cell_desc *)f->data;
	if ((const uint8_t *)desc - f->data + jailhouse_cell_config_size(desc) > f->size) {
		con_printf("%s: truncated (its arrays need more bytes than the file has)\n", path);
		return 0;
	}
	if (system)
		*sys = (const struct jailhouse_system *)f->data;
	return desc;
}

static bool overlaps(const struct jailhouse_memory *a, const struct jailhouse_memory *b)
{
	return a->size && b->size && a->phys_start < b->phys_start + b->size && b->phys_start < a->phys_start + a->size;
}

static bool is_comm(const struct jailhouse_memory *m)
{
	return (m->flags & JAILHOUSE_MEM_COMM_REGION) != 0;
}

static void report_region(const char *what, const struct checked_cell *c, unsigned int i, const struct jailhouse_memory *m)
{
	con_printf("  %s \"%s\", region %u: 0x%lx..0x%lx\n", what, c->desc->name, i,
		   (unsigned long)m->phys_start, (unsigned long)(m->phys_start + m->size - 1));
}

static void check_inside(const struct checked_cell *cells, int n)
{
	int before = findings;
	con_puts("Overlapping memory regions inside cell: ");
	for (int c = 0; c < n; c++) {
		const struct jailhouse_memory *m = jailhouse_cell_mem_regions(cells[c].desc);
		for (unsigned int i = 0; i < cells[c].desc->num_memory_regions; i++)
			for (unsigned int j = i + 1; j < cells[c].desc->num_memory_regions; j++)
				if (!is_comm(&m[i]) && !is_comm(&m[j]) && overlaps(&m[i], &m[j])) {
					if (findings++ == before)
						con_puts("\n");
					report_region("In cell", &cells[c], i, &m[i]);
					report_region("overlaps", &cells[c], j, &m[j]);
				}
	}
	if (findings == before)
		con_puts("None\n");
}

static void check_hypervisor(const struct checked_cell *cells, int n, const struct jailhouse_memory *hv)
{
	int before = findings;
	con_puts("Overlapping memory regions with hypervisor: ");
	for (int c = 0; c < n; c++) {
		const struct jailhouse_memory *m = jailhouse_cell_mem_regions(cells[c].desc);
		for (unsigned int i = 0; i < cells[c].desc->num_memory_regions; i++)
			if (!is_comm(&m[i]) && overlaps(&m[i], hv)) {
				if (findings++ == before)
					con_puts("\n");
				report_region("In cell", &cells[c], i, &m[i]);
			}
	}
	if (findings == before)
		con_puts("None\n");
}

/* Between non-root cells: memory (unless both sides are ROOTSHARED) and CPUs. */
static void check_between(const struct checked_cell *cells, int n)
{
	int before = findings;
	con_puts("Conflicts between non-root cells: ");
	for (int a = 1; a < n; a++)
		for (int b = a + 1; b < n; b++) {
			const struct jailhouse_memory *ma = jailhouse_cell_mem_regions(cells[a].desc);
			const struct jailhouse_memory *mb = jailhouse_cell_mem_regions(cells[b].desc);
			for (unsigned int i = 0; i < cells[a].desc->num_memory_regions; i++)
				for (unsigned int j = 0; j < cells[b].desc->num_memory_regions; j++) {
					bool shared = (ma[i].flags & mb[j].flags & JAILHOUSE_MEM_ROOTSHARED) != 0;
					if (is_comm(&ma[i]) || is_comm(&mb[j]) || shared || !overlaps(&ma[i], &mb[j]))
						continue;
					if (findings++ == before)
						con_puts("\n");
					report_region("Cell", &cells[a], i, &ma[i]);
					report_region("overlaps cell", &cells[b], j, &mb[j]);
				}
			const struct jailhouse_cpu *ca = jailhouse_cell_cpus(cells[a].desc), *cb = jailhouse_cell_cpus(cells[b].desc);
			for (unsigned int i = 0; i < cells[a].desc->num_cpus; i++)
				for (unsigned int j = 0; j < cells[b].desc->num_cpus; j++)
					if (ca[i].phys_id == cb[j].phys_id) {
						if (findings++ == before)
							con_puts("\n");
						con_printf("  CPU %lu is claimed by \"%s\" and \"%s\"\n", (unsigned long)ca[i].phys_id,
							   cells[a].desc->name, cells[b].desc->name);
					}
		}
	if (findings == before)
		con_puts("None\n");
}

/* A non-root cell's CPUs must come from the root cell. */
static void check_cpus(const struct checked_cell *cells, int n)
{
	int before = findings;
	con_puts("Cell CPUs not in the root cell: ");
	const struct jailhouse_cpu *root = jailhouse_cell_cpus(cells[0].desc);
	for (int c = 1; c < n; c++) {
		const struct jailhouse_cpu *cpus = jailhouse_cell_cpus(cells[c].desc);
		for (unsigned int i = 0; i < cells[c].desc->num_cpus; i++) {
			bool found = false;
			for (unsigned int r = 0; r < cells[0].desc->num_cpus; r++)
				found |= root[r].phys_id == cpus[i].phys_id;
			if (!found) {
				if (findings++ == before)
					con_puts("\n");
				con_printf("  CPU %lu of \"%s\"\n", (unsigned long)cpus[i].phys_id, cells[c].desc->name);
			}
		}
	}
	if (findings == before)
		con_puts("None\n");
}

int jailhouse_config_check(int argc, char **argv)
{
	if (argc - 3 > MAX_CELLS) {
		con_printf("jailhouse config check: at most %d configurations at once\n", MAX_CELLS);
		return 1;
	}
	struct checked_cell cells[MAX_CELLS] = { 0 };
	const struct jailhouse_system *sys = 0;
	int n = 0;
	for (int a = 3; a < argc; a++, n++) {
		cells[n].file = argv[a];
		cells[n].desc = read_config(argv[a], a == 3, &sys);
		if (!cells[n].desc)
			return 1;
	}
	if (!sys)
		return 1;
	con_puts("Reading configuration set:\n");
	con_printf("  Root cell:     %s (%s)\n", cells[0].desc->name, cells[0].file);
	for (int c = 1; c < n; c++)
		con_printf("  Non-root cell: %s (%s)\n", cells[c].desc->name, cells[c].file);
	findings = 0;
	check_inside(cells, n);
	check_hypervisor(cells, n, &sys->hypervisor_memory);
	check_between(cells, n);
	check_cpus(cells, n);
	return findings ? 1 : 0;
}
