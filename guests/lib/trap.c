/* trap.c - the C side of trap handling (see trap.h). */
#include "guest.h"

trap_hook_t trap_hook;
volatile unsigned long irq_count[GUEST_MAX_HARTS][16];
volatile long trap_last_vector = -1;
volatile unsigned long user_exit_sstatus;

static volatile int expecting[GUEST_MAX_HARTS];
static volatile struct trap_record records[GUEST_MAX_HARTS];

extern char run_user_return[];

void trap_expect_begin(void)
{
	unsigned long h = current_hartid();
	records[h].count = 0;
	records[h].scause = records[h].stval = records[h].sepc = records[h].sstatus = 0;
	asm volatile("" ::: "memory");
	expecting[h] = 1;
	asm volatile("" ::: "memory");
}

struct trap_record trap_expect_end(void)
{
	unsigned long h = current_hartid();
	asm volatile("" ::: "memory");
	expecting[h] = 0;
	struct trap_record r;
	r.count = records[h].count;
	r.scause = records[h].scause;
	r.stval = records[h].stval;
	r.sepc = records[h].sepc;
	r.sstatus = records[h].sstatus;
	return r;
}

/* Length of the instruction at pc (2 or 4).  The halfword is read with SUM and MXR set so that this
 * also works for U-mode and execute-only pages under paging. */
static unsigned insn_length(unsigned long pc)
{
	unsigned long old = csr_read(sstatus);
	csr_set(sstatus, SSTATUS_SUM | SSTATUS_MXR);
	uint16_t lo = *(volatile uint16_t *)pc;
	csr_write(sstatus, old);
	return (lo & 3) == 3 ? 4 : 2;
}

void trap_handler(struct trap_frame *f)
{
	unsigned long cause = f->scause;
	unsigned long h = current_hartid();

	if (trap_hook && trap_hook(f))
		return;

	if (cause & CAUSE_INTERRUPT) {
		unsigned long code = cause & ~CAUSE_INTERRUPT;
		if (code < 16)
			irq_count[h][code]++;
		if (code == IRQ_S_TIMER)
			sbi_set_timer(~0UL);
		else if (code == IRQ_S_SOFT)
			csr_clear(sip, SIP_SSIP);
		else
			csr_clear(sie, 1UL << code);
		return;
	}

	if (cause == CAUSE_USER_ECALL && f->x[17] == USER_EXIT_MAGIC) {
		user_exit_sstatus = f->sstatus;
		f->sepc = (unsigned long)run_user_return;
		f->sstatus |= SSTATUS_SPP;
		return;
	}

	if (h < GUEST_MAX_HARTS && expecting[h]) {
		records[h].count++;
		records[h].scause = cause;
		records[h].stval = f->stval;
		records[h].sepc = f->sepc;
		records[h].sstatus = f->sstatus;
		if (cause == CAUSE_FETCH_ACCESS || cause == CAUSE_FETCH_PAGE_FAULT || cause == CAUSE_MISALIGNED_FETCH)
			f->sepc = f->x[1];
		else
			f->sepc += insn_length(f->sepc);
		return;
	}

	printf("UNEXPECTED TRAP hart %lu scause %lx sepc %lx stval %lx\n", h, cause, f->sepc, f->stval);
	finish_fail(0x7f);
}
