/* smp.c - the harts: bring-up through SBI HSM, a mailbox per hart, CPU offline/online.
 *
 * A secondary hart idles in WFI with only the software interrupt enabled (sie.SSIE, sstatus.SIE = 0:
 * the IPI wakes WFI without being taken).  To make it work, the caller writes fn/arg into the hart's
 * mailbox, marks it POSTED and sends an IPI; the hart runs fn(arg), stores the result and marks it DONE.
 * This is how `jailhouse enable` enters the hypervisor on every CPU and how CPUs go offline (the hart
 * calls HSM hart_stop itself, as Linux's CPU hotplug does on RISC-V).
 *
 * The shell's own CPU can go offline too: the shell moves first.  It saves its registers, the target
 * hart (idle in its mailbox loop) restores them and goes on with the shell's stack, and the old hart
 * posts that hand-over and stops without touching the stack again (smp_handoff, registers only).  Stacks
 * therefore belong to the shell or to a hart, not to a hart id: smp_stack_top[] says which stack a hart
 * gets when it is (re)started, and the two harts of a hand-over swap theirs. */
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
unsigned long smp_stack_top[MAX_CPUS];        /* used by smp_secondary_entry */
extern char __stacks_start[], __stacks_end[];

/* The shell's registers at a hand-over: what the calling convention keeps across a call. */
struct shell_context {
	unsigned long ra, sp, s[12];
	unsigned long sie, sstatus_sie, from, to;
};
static struct shell_context handover;

long smp_shell_save(struct shell_context *c) __attribute__((returns_twice));   /* 0; 1 when resumed */
void smp_shell_resume(struct shell_context *c) __attribute__((noreturn));
void smp_handoff(volatile int *posted, unsigned long target_mask, volatile unsigned long *online,
		 unsigned long keep_mask) __attribute__((noreturn));
void smp_secondary_entry(void);

asm(
"	.text\n"
"	.globl smp_shell_save, smp_shell_resume, smp_handoff, smp_secondary_entry\n"
"	.align 2\n"
"smp_shell_save:\n"
"	sd ra, 0(a0)\n	sd sp, 8(a0)\n"
"	sd s0, 16(a0)\n	sd s1, 24(a0)\n	sd s2, 32(a0)\n	sd s3, 40(a0)\n	sd s4, 48(a0)\n	sd s5, 56(a0)\n"
"	sd s6, 64(a0)\n	sd s7, 72(a0)\n	sd s8, 80(a0)\n	sd s9, 88(a0)\n	sd s10, 96(a0)\n	sd s11, 104(a0)\n"
"	li a0, 0\n	ret\n"
"smp_shell_resume:\n"
"	ld ra, 0(a0)\n	ld sp, 8(a0)\n"
"	ld s0, 16(a0)\n	ld s1, 24(a0)\n	ld s2, 32(a0)\n	ld s3, 40(a0)\n	ld s4, 48(a0)\n	ld s5, 56(a0)\n"
"	ld s6, 64(a0)\n	ld s7, 72(a0)\n	ld s8, 80(a0)\n	ld s9, 88(a0)\n	ld s10, 96(a0)\n	ld s11, 104(a0)\n"
"	li a0, 1\n	ret\n"
/* a0 = &mailbox[to].state, a1 = 1 << to, a2 = &online_mask, a3 = ~(1 << me): post, IPI, leave, stop */
"smp_handoff:\n"
"	fence rw, rw\n	li t0, 1\n	sw t0, 0(a0)\n	fence rw, rw\n"
"	amoand.d zero, a3, (a2)\n"
"	mv a0, a1\n	li a1, 0\n	li a7, 0x735049\n	li a6, 0\n	ecall\n"
"1:	li a7, 0x48534D\n	li a6, 1\n	ecall\n	j 1b\n"
/* like the library's secondary_entry, but with the stack smp_stack_top[hart] */
"smp_secondary_entry:\n"
"	csrw sie, zero\n	csrci sstatus, 2\n	csrw sscratch, zero\n	lla t0, trap_entry\n	csrw stvec, t0\n"
"	mv tp, a0\n	lla t0, smp_stack_top\n	slli t1, a0, 3\n	add t0, t0, t1\n	ld sp, 0(t0)\n"
"	jalr a1\n"
"2:	li a7, 0x48534D\n	li a6, 1\n	ecall\n	j 2b\n"
);

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
	long err = sbi_hart_start(cpu, (unsigned long)smp_secondary_entry, (unsigned long)secondary_main).error;
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
	unsigned long stack_size = (unsigned long)(__stacks_end - __stacks_start) / MAX_CPUS;
	for (unsigned long cpu = 0; cpu < MAX_CPUS; cpu++)
		smp_stack_top[cpu] = (unsigned long)__stacks_start + (cpu + 1) * stack_size;
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

/* On the hart that takes the shell over (its mailbox call never returns): swap stacks, move the
 * console's interrupts, continue the shell where it saved itself. */
static long resume_shell(void *arg)
{
	struct shell_context *c = arg;
	unsigned long me = current_hartid();
	mailbox[me].state = MB_IDLE;
	unsigned long mine = smp_stack_top[me];
	smp_stack_top[me] = smp_stack_top[c->from];
	smp_stack_top[c->from] = mine;
	console_move_to(me);
	csr_write(sie, c->sie);
	smp_shell_resume(c);
}

/* The lowest online CPU other than `me` outside `avoid`, or MAX_CPUS. */
static __attribute__((noinline)) unsigned long shell_target(unsigned long me, unsigned long avoid)
{
	for (unsigned long cpu = 0; cpu < MAX_CPUS; cpu++)
		if (cpu != me && cpu_online(cpu) && !(avoid >> cpu & 1))
			return cpu;
	return MAX_CPUS;
}

/* Moves the shell to the lowest online CPU outside `avoid`; this CPU stops. */
static long shell_move(unsigned long avoid)
{
	const unsigned long me = current_hartid(), to = shell_target(me, avoid);
	if (to == MAX_CPUS)
		return -EBUSY;                     /* nowhere left to run the shell */
	/* nothing but `handover` is live across the save: the shell continues on another hart */
	handover.sstatus_sie = csr_read(sstatus) & SSTATUS_SIE;
	csr_clear(sstatus, SSTATUS_SIE);
	handover.from = me;
	handover.to = to;
	handover.sie = csr_read(sie);
	if (smp_shell_save(&handover) == 0) {
		csr_write(sie, 0);
		mailbox[handover.to].fn = resume_shell;
		mailbox[handover.to].arg = &handover;
		smp_handoff(&mailbox[handover.to].state, 1UL << handover.to, &online_mask, ~(1UL << handover.from));
	}
	if (handover.sstatus_sie)
		csr_set(sstatus, SSTATUS_SIE);
	return 0;
}

long cpu_down(unsigned long cpu, unsigned long avoid)
{
	if (!cpu_online(cpu))
		return 0;
	if (cpu == current_hartid()) {
		long err = shell_move(avoid | 1UL << cpu);   /* `cpu` stops as it hands over */
		if (err)
			return err;
	} else {
		smp_call_post(cpu, stop_self, 0);
	}
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
