/* smp.c - the harts: bring-up through SBI HSM, a mailbox per hart, CPU offline/online.
 *
 * A secondary hart idles in WFI with only the software interrupt enabled (sie.SSIE, sstatus.SIE = 0:
 * the IPI wakes WFI without being taken).  To make it work, the caller writes fn/arg into the hart's
 * mailbox, marks it POSTED and sends an IPI; the hart runs fn(arg), stores the result and marks it DONE.
 * This is how `jailhouse enable` enters the hypervisor on every CPU and how CPUs go offline (the hart
 * calls HSM hart_stop itself, as Linux's CPU hotplug does on RISC-V). */
#include "rootos.h"

enum { MB_IDLE, MB_POSTED, MB_RUNNING, MB_DONE };

struct mailbox {
	volatile int state;
	cpu_fn fn;
	void *arg;
	volatile long result;
} ALIGNED(64);

static struct mailbox mailbox[MAX_CPUS];
static volatile unsigned long online_mask;

unsigned long cpus_online(void) { return online_mask; }
int cpu_online(unsigned long cpu) { return cpu < MAX_CPUS && (online_mask >> cpu & 1); }

static void secondary_main(unsigned long hartid)
{
	struct mailbox *mb = &mailbox[hartid];
	csr_write(sie, SIE_SSIE);
	__atomic_or_fetch(&online_mask, 1UL << hartid, __ATOMIC_SEQ_CST);
	for (;;) {
		csr_clear(sip, SIP_SSIP);
		if (__atomic_load_n(&mb->state, __ATOMIC_ACQUIRE) == MB_POSTED) {
			mb->state = MB_RUNNING;
			mb->result = mb->fn(mb->arg);
			__atomic_store_n(&mb->state, MB_DONE, __ATOMIC_RELEASE);
			continue;
		}
		asm volatile("wfi");
	}
}

static int start_secondary(unsigned long cpu)
{
	mailbox[cpu].state = MB_IDLE;
	long err = sbi_hart_start(cpu, (unsigned long)secondary_entry, (unsigned long)secondary_main).error;
	if (err)
		return err;
	/* bounded wait (one second) for the hart to report itself online */
	unsigned long t0 = read_time();
	while (!cpu_online(cpu))
		if (read_time() - t0 > board.timebase)
			return SBI_ERR_FAILED;
	return 0;
}

void smp_init(void)
{
	unsigned long me = current_hartid();
	online_mask = 1UL << me;
	for (unsigned long cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (cpu == me || !(board.harts >> cpu & 1))
			continue;
		long err = start_secondary(cpu);
		if (err)
			con_printf("smp: CPU %lu failed to come online (SBI error %ld)\n", cpu, err);
	}
}

void smp_call_post(unsigned long cpu, cpu_fn fn, void *arg)
{
	struct mailbox *mb = &mailbox[cpu];
	if (cpu == current_hartid()) {
		mb->result = fn(arg);
		mb->state = MB_DONE;
		return;
	}
	mb->fn = fn;
	mb->arg = arg;
	__atomic_store_n(&mb->state, MB_POSTED, __ATOMIC_RELEASE);
	sbi_send_ipi(1UL << cpu, 0);
}

long smp_call_wait(unsigned long cpu)
{
	struct mailbox *mb = &mailbox[cpu];
	while (__atomic_load_n(&mb->state, __ATOMIC_ACQUIRE) != MB_DONE)
		cpu_relax();
	mb->state = MB_IDLE;
	return mb->result;
}

long smp_call(unsigned long cpu, cpu_fn fn, void *arg)
{
	smp_call_post(cpu, fn, arg);
	return smp_call_wait(cpu);
}

static long stop_self(void *arg)
{
	unsigned long me = current_hartid();
	__atomic_and_fetch(&online_mask, ~(1UL << me), __ATOMIC_SEQ_CST);
	csr_write(sie, 0);
	struct sbiret r = sbi_hart_stop();
	/* only reached if HSM refused: come back online */
	__atomic_or_fetch(&online_mask, 1UL << me, __ATOMIC_SEQ_CST);
	csr_write(sie, SIE_SSIE);
	return r.error;
}

long cpu_down(unsigned long cpu)
{
	if (!cpu_online(cpu))
		return 0;
	if (cpu == current_hartid())
		return -EBUSY;                     /* the shell runs here */
	smp_call_post(cpu, stop_self, 0);
	/* wait until HSM reports the hart STOPPED (or the hart came back because the stop failed) */
	for (;;) {
		struct mailbox *mb = &mailbox[cpu];
		if (__atomic_load_n(&mb->state, __ATOMIC_ACQUIRE) == MB_DONE) {
			long err = smp_call_wait(cpu);
			return err ? -EIO : 0;
		}
		if (!cpu_online(cpu) && sbi_hart_get_status(cpu).value == SBI_HSM_STOPPED) {
			mb->state = MB_IDLE;
			return 0;
		}
		cpu_relax();
	}
}

long cpu_up(unsigned long cpu)
{
	if (cpu >= MAX_CPUS || !(board.harts >> cpu & 1))
		return -EINVAL;
	if (cpu_online(cpu))
		return 0;
	return start_secondary(cpu) ? -EIO : 0;
}
