/* cell-list.c - `jailhouse cell list` (the table of tools/jailhouse.c, from what Linux shows in
 * /sys/devices/jailhouse/cells) and `jailhouse cell stats` (Jailhouse's jailhouse-cell-stats: the
 * per-CPU exit counters summed over the cell's CPUs, with a rate).  The rate is measured over a tenth
 * of a second (the Python tool refreshes every second): in the lab's deterministic mode a second of
 * time is 100 million instructions, too long to wait for a table. */

#define STATS_INTERVAL_DIV 10
#include "tool.h"
#include <jailhouse/hypercall.h>

static const char *state_name(long state)
{
	switch (state) {
	case JAILHOUSE_CELL_RUNNING: return "running";
	case JAILHOUSE_CELL_RUNNING_LOCKED: return "running/locked";
	case JAILHOUSE_CELL_SHUT_DOWN: return "shut down";
	case JAILHOUSE_CELL_FAILED: return "failed";
	case JAILHOUSE_CELL_FAILED_COMM_REV: return "failed/commrev";
	default: return "invalid";
	}
}

static unsigned long failed_cpus(unsigned long cpus)
{
	unsigned long failed = 0;
	for (unsigned long cpu = 0; cpu < 64; cpu++)
		if ((cpus >> cpu & 1) &&
		    jailhouse_call(JAILHOUSE_HC_CPU_GET_INFO, cpu, JAILHOUSE_CPU_INFO_STATE) == JAILHOUSE_CPU_FAILED)
			failed |= 1UL << cpu;
	return failed;
}

int jailhouse_cell_list(int argc, char **argv)
{
	if (argc != 3) {
		con_puts("Usage: jailhouse cell list\n");
		return 1;
	}
	if (!jh_enabled())
		return 0;           /* no cells while the hypervisor is off: Linux has no cells directory */
	con_printf("%-8s%-24s%-16s%-24s%-24s\n", "ID", "Name", "State", "Assigned CPUs", "Failed CPUs");
	struct jh_cell *c;
	for (int i = 0; (c = jh_cell_at(i)) != 0; i++) {
		long state = jailhouse_call(JAILHOUSE_HC_CELL_GET_STATE, c->id, 0);
		if (c->id == 0 && state < 0)
			state = JAILHOUSE_CELL_RUNNING;
		char assigned[32], failed[32];
		format_cpulist(assigned, sizeof(assigned), c->cpus);
		format_cpulist(failed, sizeof(failed), failed_cpus(c->cpus));
		char id[16];
		snprintf(id, sizeof(id), "%ld", c->id);
		con_printf("%-8s%-24s%-16s%-24s%-24s\n", id, c->name, state_name(state), assigned, failed);
	}
	return 0;
}

static const char *const stat_names[JAILHOUSE_NUM_CPU_STATS] = {
	"vmexits_total", "vmexits_mmio", "vmexits_management", "vmexits_hypercall", "vmexits_sbi_ipi",
	"vmexits_sbi_rfence", "vmexits_sbi_time", "vmexits_sbi_other", "vmexits_timer", "vmexits_ipi",
	"vmexits_virq",
};

static long sample(unsigned long cpus, unsigned long *sum)
{
	for (int n = 0; n < JAILHOUSE_NUM_CPU_STATS; n++) {
		sum[n] = 0;
		for (unsigned long cpu = 0; cpu < 64; cpu++) {
			if (!(cpus >> cpu & 1))
				continue;
			long v = jailhouse_call(JAILHOUSE_HC_CPU_GET_INFO, cpu, JAILHOUSE_CPU_INFO_STAT_BASE + n);
			if (v < 0)
				return v;
			sum[n] += (unsigned long)v;
		}
	}
	return 0;
}

int jailhouse_cell_stats(const struct jh_cell_id *id)
{
	struct jh_cell *c = jh_cell_find(id);
	if (!c) {
		con_printf("JAILHOUSE_CELL_STATS: %s\n", strerror(jh_enabled() ? ENOENT : EINVAL));
		return 1;
	}
	unsigned long before[JAILHOUSE_NUM_CPU_STATS], after[JAILHOUSE_NUM_CPU_STATS];
	long err = sample(c->cpus, before);
	unsigned long t0 = read_time();
	int interrupted = err ? 0 : sleep_ticks(board.timebase / STATS_INTERVAL_DIV);
	unsigned long dt = read_time() - t0;
	if (!err)
		err = sample(c->cpus, after);
	if (err) {
		con_printf("JAILHOUSE_CPU_GET_INFO: %s\n", strerror(-err));
		return 1;
	}
	char cpus[32];
	format_cpulist(cpus, sizeof(cpus), c->cpus);
	con_printf("Statistics for cell \"%s\" (CPUs %s)\n\n", c->name, cpus);
	con_printf("%-32s%16s%16s\n", "Statistic", "Total", "Per Second");
	for (int n = 0; n < JAILHOUSE_NUM_CPU_STATS; n++) {
		unsigned long delta = after[n] - before[n];
		unsigned long rate = dt ? delta * board.timebase / dt : 0;
		con_printf("%-32s%16lu%16lu\n", stat_names[n], after[n], rate);
	}
	if (interrupted)
		con_puts("(interrupted: the rate covers a shorter time)\n");
	return 0;
}
