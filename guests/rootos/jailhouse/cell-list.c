/* cell-list.c - `jailhouse cell list` (the table of tools/jailhouse.c, from what Linux shows in
 * /sys/devices/jailhouse/cells) and `jailhouse cell stats` (Jailhouse's jailhouse-cell-stats: the
 * per-CPU exit counters summed over the cell's CPUs).
 *
 * Two deliberate differences from the real tools, for people new to them: `cell list` says why it
 * prints nothing while the hypervisor is off (the real one is silent), and its columns fit 80 characters
 * (the real ones are 96 wide).  `cell stats` is the real tool's screen: the counters, most active first,
 * redrawn every second on the terminal's alternate screen until q (or Ctrl-C); `--once` (not in real
 * Jailhouse) prints the table once instead, with rates over a tenth of a second, which is what the
 * lab tests use: in deterministic mode a second of time is 100 million instructions. */

#define STATS_ONCE_DIV 10
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
	if (!jh_enabled()) {
		con_puts("No cells: the hypervisor is not enabled (jailhouse enable SYSCONFIG starts it).\n");
		return 0;
	}
	con_printf("%-8s%-24s%-16s%-16s%s\n", "ID", "Name", "State", "Assigned CPUs", "Failed CPUs");
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
		con_printf("%-8s%-24s%-16s%-16s%s\n", id, c->name, state_name(state), assigned, failed);
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

/* Counters in the real tool's order: the most increased first, then the largest, then by name. */
static void sort_counters(int *order, const unsigned long *now, const unsigned long *before)
{
	for (int n = 0; n < JAILHOUSE_NUM_CPU_STATS; n++)
		order[n] = n;
	for (int i = 1; i < JAILHOUSE_NUM_CPU_STATS; i++) {
		for (int j = i; j > 0; j--) {
			int a = order[j - 1], b = order[j];
			unsigned long da = before ? now[a] - before[a] : 0, db = before ? now[b] - before[b] : 0;
			int after = da != db ? da < db : now[a] != now[b] ? now[a] < now[b] : strcmp(stat_names[a], stat_names[b]) > 0;
			if (!after)
				break;
			order[j - 1] = b;
			order[j] = a;
		}
	}
}

/* One table: "COUNTER", "SUM" and "PER SEC" at the real tool's columns (0, 30, 40). */
static void print_table(const char *name, const unsigned long *now, const unsigned long *before, unsigned long dt,
			int screen)
{
	int order[JAILHOUSE_NUM_CPU_STATS];
	sort_counters(order, now, before);
	con_printf("Statistics for %s cell\n\n", name);
	con_printf(screen ? "\x1b[7m%-30s%10s%10s%30s\x1b[0m\n" : "%-30s%10s%10s\n", "COUNTER", "SUM", "PER SEC", "");
	for (int k = 0; k < JAILHOUSE_NUM_CPU_STATS; k++) {
		int n = order[k];
		if (before && dt)
			con_printf("%-30s%10lu%10lu\n", stat_names[n], now[n], (now[n] - before[n]) * board.timebase / dt);
		else
			con_printf("%-30s%10lu\n", stat_names[n], now[n]);
	}
}

int jailhouse_cell_stats(const struct jh_cell_id *id, int once)
{
	struct jh_cell *c = jh_cell_find(id);
	if (!c) {
		con_printf("reading stats: %s\n", strerror(ENOENT));
		return 1;
	}
	unsigned long before[JAILHOUSE_NUM_CPU_STATS], now[JAILHOUSE_NUM_CPU_STATS];
	long err = sample(c->cpus, now);
	if (err)
		goto failed;
	if (once) {
		for (int n = 0; n < JAILHOUSE_NUM_CPU_STATS; n++)
			before[n] = now[n];
		unsigned long t0 = read_time();
		sleep_ticks(board.timebase / STATS_ONCE_DIV);
		unsigned long dt = read_time() - t0;
		err = sample(c->cpus, now);
		if (err)
			goto failed;
		print_table(c->name, now, before, dt, 0);
		return 0;
	}
	/* The screen: drawn now with the sums, then every second with the rates, until q or Ctrl-C. */
	con_set_busy(1);
	con_puts("\x1b[?1049h\x1b[?25l");
	unsigned long last = read_time(), dt = 0;
	int first = 1;
	for (;;) {
		con_puts("\x1b[H\x1b[2J");
		print_table(c->name, now, first ? 0 : before, dt, 1);
		con_printf("\n\x1b[7m Q - Quit%71s\x1b[0m", "");
		int key = con_getc_within(board.timebase);
		if (key == 'q' || key == 'Q' || con_interrupted())
			break;
		for (int n = 0; n < JAILHOUSE_NUM_CPU_STATS; n++)
			before[n] = now[n];
		err = sample(c->cpus, now);
		if (err)
			break;
		unsigned long t = read_time();
		dt = t - last;
		last = t;
		first = 0;
	}
	con_puts("\x1b[?25h\x1b[?1049l");
	con_set_busy(0);
	if (!err)
		return 0;
failed:
	con_printf("reading stats: %s\n", strerror(-err));
	return 1;
}
