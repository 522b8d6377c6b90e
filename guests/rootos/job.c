/* job.c - background jobs: work a command leaves running when its line ends in "&" (a network stack, a
 * virtio back-end), as daemons run beside the shell on Linux.  The root OS has one thread of control,
 * so a job is a poll function: every place that waits (the line editor's WFI, `sleep`, a foreground
 * command's own loop) calls jobs_poll().  A job's interrupts (irq_register) and its wake-up time
 * (job_wake_at) end that wait, so a job reacts at once while the prompt stays usable and an idle shell
 * still costs the emulator nothing. */
#include "rootos.h"

#define MAX_JOBS 8

struct job {
	int number;                    /* 0: slot free */
	char cmdline[64];
	const struct job_ops *ops;
	void *ctx;
	unsigned long wake_at;         /* time CSR value the job wants to be polled by; ~0: none */
};

static struct job jobs[MAX_JOBS];
static int next_number = 1;
static int polling;                /* jobs_poll is running: a job's own waits must not re-enter it */
int shell_background;

int job_start(const char *cmdline, const struct job_ops *ops, void *ctx)
{
	for (int i = 0; i < MAX_JOBS; i++) {
		if (jobs[i].number)
			continue;
		jobs[i] = (struct job){ .number = next_number++, .ops = ops, .ctx = ctx, .wake_at = ~0UL };
		strncpy0(jobs[i].cmdline, cmdline, sizeof(jobs[i].cmdline));
		con_printf("[%d] %s\n", jobs[i].number, jobs[i].cmdline);
		return jobs[i].number;
	}
	return -1;
}

static struct job *current;

void job_wake_at(unsigned long time)
{
	if (current)
		current->wake_at = time;
}

static void job_end(struct job *j, int status)
{
	con_printf("[%d]  %s  %s\n", j->number, status == 130 ? "Terminated" : status ? "Exit 1" : "Done",
		   j->cmdline);
	j->number = 0;
}

void jobs_poll(void)
{
	if (polling)
		return;
	polling = 1;
	for (int i = 0; i < MAX_JOBS; i++) {
		struct job *j = &jobs[i];
		if (!j->number)
			continue;
		current = j;
		j->wake_at = ~0UL;
		int status = j->ops->poll(j->ctx);
		current = 0;
		if (status >= 0)
			job_end(j, status);
	}
	polling = 0;
}

unsigned long jobs_next_wake(void)
{
	unsigned long t = ~0UL;
	for (int i = 0; i < MAX_JOBS; i++)
		if (jobs[i].number && jobs[i].wake_at < t)
			t = jobs[i].wake_at;
	return t;
}

int jobs_running(void)
{
	for (int i = 0; i < MAX_JOBS; i++)
		if (jobs[i].number)
			return 1;
	return 0;
}

int cmd_jobs(int argc, char **argv)
{
	for (int i = 0; i < MAX_JOBS; i++)
		if (jobs[i].number)
			con_printf("[%d]  Running  %s\n", jobs[i].number, jobs[i].cmdline);
	return 0;
}

/* kill %N: the job's stop function releases what it holds (device state, interrupts). */
int cmd_kill(int argc, char **argv)
{
	unsigned long n;
	if (argc != 2 || argv[1][0] != '%' || parse_ulong(argv[1] + 1, &n)) {
		con_puts("usage: kill %JOB\n");
		return 1;
	}
	for (int i = 0; i < MAX_JOBS; i++) {
		struct job *j = &jobs[i];
		if (j->number != (int)n)
			continue;
		if (j->ops->stop)
			j->ops->stop(j->ctx);
		job_end(j, 130);
		return 0;
	}
	con_printf("kill: %%%lu: no such job\n", n);
	return 1;
}
