/* driver.c - see driver.h.  Mirrors the structure of Jailhouse's driver/main.c (enable, disable) and
 * driver/cell.c (create, load, start, destroy). */
#include "driver.h"
#include <jailhouse/hypercall.h>

static int enabled;
static struct jh_cell cells[JH_MAX_CELLS];     /* [0] = the root cell */
static unsigned long root_config_cpus;         /* the root cell's CPUs according to the system config */

static unsigned long read_mask(const struct jailhouse_cell_desc *desc, int *bad)
{
	unsigned long mask = 0;
	const struct jailhouse_cpu *cpu = jailhouse_cell_cpus(desc);
	for (uint32_t i = 0; i < desc->num_cpus; i++) {
		if (cpu[i].phys_id >= 64)
			*bad = 1;
		else
			mask |= 1UL << cpu[i].phys_id;
	}
	return mask;
}

void pr_info(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	unsigned long t = read_time(), tb = board.timebase ? board.timebase : 10000000;
	con_printf("[%5lu.%06lu] %s\n", t / tb, (t % tb) * 1000000 / tb, buf);
}

int jh_enabled(void) { return enabled; }

/* ---- enable / disable (driver/main.c: jailhouse_cmd_enable, jailhouse_cmd_disable) ---- */

static long enter_hypervisor(void *config)
{
	return sbi_ecall(LAB_FIRMWARE_EID, LAB_FW_HYPERVISOR_ENABLE, (unsigned long)config, 0, 0, 0, 0, 0).error;
}

static long leave_hypervisor(void *unused)
{
	return jailhouse_call(JAILHOUSE_HC_DISABLE, 0, 0);
}

/* on_each_cpu: runs fn on every online CPU at once; the first error, or 0.  The other CPUs are
 * released only when this one is about to call fn, so that this CPU (the boot CPU) usually enters
 * first and the hypervisor reports "Initializing ... on CPU 0" as on the familiar boards. */
static volatile int each_go;
static cpu_fn each_fn;

static long each_wrapper(void *arg)
{
	while (!__atomic_load_n(&each_go, __ATOMIC_ACQUIRE))
		cpu_relax();
	return each_fn(arg);
}

static long on_each_cpu(cpu_fn fn, void *arg)
{
	unsigned long me = current_hartid(), online = cpus_online();
	long err = 0;
	each_fn = fn;
	each_go = 0;
	for (unsigned long cpu = 0; cpu < MAX_CPUS; cpu++)
		if ((online >> cpu & 1) && cpu != me)
			smp_call_post(cpu, each_wrapper, arg);
	__atomic_store_n(&each_go, 1, __ATOMIC_RELEASE);
	long mine = fn(arg);
	for (unsigned long cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!(online >> cpu & 1) || cpu == me)
			continue;
		long r = smp_call_wait(cpu);
		if (r && !err)
			err = r;
	}
	return mine ? mine : err;
}

long jh_enable(const void *config, unsigned long size)
{
	const struct jailhouse_system *sys = config;
	if (enabled)
		return -EBUSY;
	if (size < sizeof(*sys) || memcmp(sys->signature, JAILHOUSE_SYSTEM_SIGNATURE, 5)) {
		pr_info("jailhouse: Not a system configuration");
		return -EINVAL;
	}
	if (sys->revision != JAILHOUSE_CONFIG_REVISION) {
		pr_info("jailhouse: Configuration revision mismatch");
		return -EINVAL;
	}
	if (sys->architecture != JAILHOUSE_ARCH_RISCV64) {
		pr_info("jailhouse: Configuration architecture mismatch");
		return -EINVAL;
	}
	unsigned long config_size = offsetof(struct jailhouse_system, root_cell) + jailhouse_cell_config_size(&sys->root_cell);
	if (config_size > size) {
		pr_info("jailhouse: Truncated system configuration (%lu of %lu bytes)", size, config_size);
		return -EINVAL;
	}
	if (!sbi_probe_extension(LAB_FIRMWARE_EID).value) {
		pr_info("jailhouse: Missing hypervisor image (the firmware offers no enable call, SBI extension 'JLAB')");
		return -ENOENT;
	}
	unsigned long hv_start = sys->hypervisor_memory.phys_start, hv_size = sys->hypervisor_memory.size;
	const char *what;
	if (hv_start < board.ram_base || hv_start + hv_size > board.ram_base + board.ram_size || hv_size < config_size) {
		pr_info("jailhouse: hypervisor memory 0x%lx-0x%lx is not in RAM or too small", hv_start, hv_start + hv_size - 1);
		return -EINVAL;
	}
	if (overlaps_kernel(hv_start, hv_size, &what)) {
		pr_info("jailhouse: hypervisor memory 0x%lx-0x%lx overlaps %s", hv_start, hv_start + hv_size - 1, what);
		return -EBUSY;
	}
	int bad = 0;
	unsigned long root_cpus = read_mask(&sys->root_cell, &bad);
	if (bad) {
		pr_info("jailhouse: root cell CPU out of range");
		return -EINVAL;
	}

	/* Remember what the root cell is before its memory becomes the hypervisor's. */
	struct jh_cell *root = &cells[0];
	memset(root, 0, offsetof(struct jh_cell, config));
	strncpy0(root->name, sys->root_cell.name, sizeof(root->name));
	root->cpus = root_cpus;
	/* The system configuration goes to the start of hypervisor memory (Linux puts it behind the
	 * hypervisor image, which this hypervisor does not have), then every online CPU enters. */
	memcpy((void *)hv_start, config, config_size);
	long err = on_each_cpu(enter_hypervisor, (void *)hv_start);
	if (err) {
		if (err == SBI_ERR_NOT_SUPPORTED)
			err = -ENOSYS;
		return err;
	}
	root->used = 1;
	root_config_cpus = root_cpus;
	enabled = 1;
	pr_info("The Jailhouse is opening.");
	return 0;
}

long jh_disable(void)
{
	if (!enabled)
		return -EINVAL;
	long err = on_each_cpu(leave_hypervisor, 0);
	if (err)
		return err;
	enabled = 0;
	cells[0].used = 0;
	pr_info("The Jailhouse was closed.");
	return 0;
}

/* ---- cells (driver/cell.c) ---- */

struct jh_cell *jh_cell_find(const struct jh_cell_id *id)
{
	if (!enabled)
		return 0;
	for (int i = 0; i < JH_MAX_CELLS; i++) {
		struct jh_cell *c = &cells[i];
		if (c->used && (id->id >= 0 ? c->id == id->id : !strcmp(c->name, id->name)))
			return c;
	}
	return 0;
}

struct jh_cell *jh_cell_at(int index)
{
	if (!enabled)
		return 0;
	for (int i = 0; i < JH_MAX_CELLS; i++)
		if (cells[i].used && index-- == 0)
			return &cells[i];
	return 0;
}

static void online_cpus(unsigned long mask)
{
	for (unsigned long cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!(mask >> cpu & 1))
			continue;
		if (cpu_up(cpu))
			pr_info("Jailhouse: failed to bring CPU %lu back online", cpu);
		else
			pr_info("CPU%lu: online", cpu);
	}
}

long jh_cell_create(const void *config, unsigned long size)
{
	const struct jailhouse_cell_desc *desc = config;
	if (!enabled)
		return -EINVAL;
	if (size < sizeof(*desc) || memcmp(desc->signature, JAILHOUSE_CELL_DESC_SIGNATURE, 5)) {
		pr_info("jailhouse: Not a cell configuration");
		return -EINVAL;
	}
	if (desc->revision != JAILHOUSE_CONFIG_REVISION) {
		pr_info("jailhouse: Configuration revision mismatch");
		return -EINVAL;
	}
	unsigned long config_size = jailhouse_cell_config_size(desc);
	if (config_size > size)
		return -EINVAL;
	if (config_size > JH_CELL_CONFIG_MAX)
		return -E2BIG;
	struct jh_cell_id by_name = { -1, "" };
	strncpy0(by_name.name, desc->name, sizeof(by_name.name));
	if (jh_cell_find(&by_name))
		return -EEXIST;
	struct jh_cell *cell = 0;
	for (int i = 1; i < JH_MAX_CELLS && !cell; i++)
		if (!cells[i].used)
			cell = &cells[i];
	if (!cell)
		return -ENOMEM;
	int bad = 0;
	unsigned long cpus = read_mask(desc, &bad);
	if (bad)
		return -EINVAL;
	if (cpus & ~cells[0].cpus)
		return -EBUSY;                 /* not (any more) a CPU of the root cell */

	memcpy(cell->config, config, config_size);
	cell->config_size = config_size;
	strncpy0(cell->name, by_name.name, sizeof(cell->name));
	cell->cpus = cpus;
	cell->offlined = 0;
	/* Take the cell's CPUs away from the root OS (Linux: remove_cpu -> HSM hart_stop on that CPU). */
	long err = 0;
	for (unsigned long cpu = 0; cpu < 64 && !err; cpu++) {
		if (!(cpus >> cpu & 1) || !cpu_online(cpu))
			continue;
		err = cpu_down(cpu, cpus);
		if (!err) {
			cell->offlined |= 1UL << cpu;
			pr_info("CPU%lu: off", cpu);
		}
	}
	long id = err ? err : jailhouse_call(JAILHOUSE_HC_CELL_CREATE, (unsigned long)cell->config, 0);
	if (id < 0) {
		online_cpus(cell->offlined);
		cell->offlined = 0;
		return id;
	}
	cell->id = id;
	cell->used = 1;
	cells[0].cpus &= ~cpus;
	pr_info("Created Jailhouse cell \"%s\"", cell->name);
	return 0;
}

/* The physical address of [target, target + size) of a cell's guest memory in a LOADABLE region. */
static long loadable_phys(const struct jh_cell *cell, unsigned long target, unsigned long size, unsigned long *phys)
{
	const struct jailhouse_cell_desc *desc = (const void *)cell->config;
	const struct jailhouse_memory *mem = jailhouse_cell_mem_regions(desc);
	for (uint32_t n = 0; n < desc->num_memory_regions; n++, mem++) {
		if (!(mem->flags & JAILHOUSE_MEM_LOADABLE))
			continue;
		if (target >= mem->virt_start && target < mem->virt_start + mem->size) {
			unsigned long offset = target - mem->virt_start;
			if (size > mem->size - offset)
				return -EINVAL;
			*phys = mem->phys_start + offset;
			return 0;
		}
	}
	return -EINVAL;
}

long jh_cell_load(const struct jh_cell_id *id, const struct jh_image *images, int count)
{
	if (!enabled)
		return -EINVAL;
	struct jh_cell *cell = jh_cell_find(id);
	if (!cell)
		return -ENOENT;
	if (cell == &cells[0])
		return -EINVAL;
	/* check every image before anything happens */
	for (int i = 0; i < count; i++) {
		unsigned long phys;
		if (loadable_phys(cell, images[i].target, images[i].size, &phys))
			return -EINVAL;
	}
	long err = jailhouse_call(JAILHOUSE_HC_CELL_SET_LOADABLE, cell->id, 0);
	if (err)
		return err;
	for (int i = 0; i < count; i++) {
		unsigned long phys = 0;
		loadable_phys(cell, images[i].target, images[i].size, &phys);
		memcpy((void *)phys, images[i].source, images[i].size);
	}
	fence_i();
	return 0;
}

long jh_cell_start(const struct jh_cell_id *id)
{
	if (!enabled)
		return -EINVAL;
	struct jh_cell *cell = jh_cell_find(id);
	if (!cell)
		return -ENOENT;
	return jailhouse_call(JAILHOUSE_HC_CELL_START, cell->id, 0);
}

long jh_cell_destroy(const struct jh_cell_id *id)
{
	if (!enabled)
		return -EINVAL;
	struct jh_cell *cell = jh_cell_find(id);
	if (!cell)
		return -ENOENT;
	if (cell == &cells[0])
		return -EINVAL;
	long err = jailhouse_call(JAILHOUSE_HC_CELL_DESTROY, cell->id, 0);
	if (err)
		return err;
	cells[0].cpus |= cell->cpus & root_config_cpus;
	online_cpus(cell->offlined);
	pr_info("Destroyed Jailhouse cell \"%s\"", cell->name);
	cell->used = 0;
	return 0;
}

const char *jailhouse_cpu_owner(unsigned long cpu)
{
	static char buf[48];
	if (!enabled)
		return "";
	for (int i = 0; i < JH_MAX_CELLS; i++) {
		if (cells[i].used && (cells[i].cpus >> cpu & 1)) {
			if (i == 0)
				return "root cell";
			snprintf(buf, sizeof(buf), "cell \"%s\"", cells[i].name);
			return buf;
		}
	}
	return "";
}

unsigned long jh_console_page(void)
{
	struct sbiret r = sbi_ecall(LAB_FIRMWARE_EID, LAB_FW_CONSOLE_PAGE, 0, 0, 0, 0, 0, 0);
	return r.error ? 0 : (unsigned long)r.value;
}
