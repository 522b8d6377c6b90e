/* interrupts - S-mode interrupts: the timer through SBI set_timer (STIP pending, gated by sie.STIE and
 * sstatus.SIE, cleared by a new set_timer), WFI waking on a pending-but-disabled interrupt, software
 * interrupts (sip.SSIP written directly and SBI send_ipi to self, with hart_mask_base = -1 too), sip.STIP
 * being read-only, scause values of interrupts, and the vectored stvec mode (interrupt `cause` enters
 * base + 4*cause, exceptions enter base).  No times are printed. */
#include "guest.h"

static volatile unsigned long last_irq_cause;

static int record_hook(struct trap_frame *f)
{
	if (f->scause & CAUSE_INTERRUPT)
		last_irq_cause = f->scause;
	return 0; /* continue with the default handling */
}

#define IRQS(code) (irq_count[current_hartid()][code])

/* spin until cond or a generous bound; returns cond */
#define WAIT_FOR(cond) ({ unsigned long _n = 0; while (!(cond) && ++_n < 50000000UL) cpu_relax(); (cond); })

static void test_timer(void)
{
	puts("[timer]");
	csr_write(sie, 0);
	csr_set(sstatus, SSTATUS_SIE);
	sbi_set_timer(0);                     /* in the past: pending at once */
	CHECK(WAIT_FOR(csr_read(sip) & SIP_STIP));
	CHECK_EQ(IRQS(IRQ_S_TIMER), 0);      /* sie.STIE = 0: no trap */
	csr_set(sie, SIE_STIE);
	CHECK(WAIT_FOR(IRQS(IRQ_S_TIMER) == 1));
	CHECK_EQ(IRQS(IRQ_S_TIMER), 1);
	CHECK_EQ(last_irq_cause, CAUSE_INTERRUPT | IRQ_S_TIMER);
	CHECK_EQ(csr_read(sip) & SIP_STIP, 0);     /* the handler's set_timer(-1) cleared it */

	/* gated by sstatus.SIE */
	csr_clear(sstatus, SSTATUS_SIE);
	sbi_set_timer(read_time());
	CHECK(WAIT_FOR(csr_read(sip) & SIP_STIP));
	CHECK_EQ(IRQS(IRQ_S_TIMER), 1);
	csr_set(sstatus, SSTATUS_SIE);
	CHECK(WAIT_FOR(IRQS(IRQ_S_TIMER) == 2));
	CHECK_EQ(IRQS(IRQ_S_TIMER), 2);

	/* a new set_timer in the future clears a pending timer interrupt */
	csr_clear(sstatus, SSTATUS_SIE);
	sbi_set_timer(0);
	CHECK(WAIT_FOR(csr_read(sip) & SIP_STIP));
	sbi_set_timer(read_time() + 10000000UL * 100);   /* 100 s ahead */
	CHECK_EQ(csr_read(sip) & SIP_STIP, 0);
	sbi_set_timer(~0UL);

	/* sip.STIP is read-only for S-mode */
	csr_set(sip, SIP_STIP);
	CHECK_EQ(csr_read(sip) & SIP_STIP, 0);

	/* a future deadline fires later, and only once */
	csr_set(sstatus, SSTATUS_SIE);
	sbi_set_timer(read_time() + 20000);   /* 2 ms */
	CHECK(WAIT_FOR(IRQS(IRQ_S_TIMER) == 3));
	for (volatile int i = 0; i < 100000; i++)
		;
	CHECK_EQ(IRQS(IRQ_S_TIMER), 3);
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
}

static void test_wfi(void)
{
	puts("[wfi]");
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, SIE_STIE);
	unsigned long before = IRQS(IRQ_S_TIMER);
	sbi_set_timer(read_time() + 50000);   /* 5 ms */
	int loops = 0;
	while (!(csr_read(sip) & SIP_STIP) && loops < 1000000) {
		asm volatile("wfi");
		loops++;
	}
	CHECK(csr_read(sip) & SIP_STIP);
	CHECK_EQ(IRQS(IRQ_S_TIMER), before);      /* SIE = 0: wfi woke up but no trap was taken */
	csr_set(sstatus, SSTATUS_SIE);
	CHECK_EQ(IRQS(IRQ_S_TIMER), before + 1);
	csr_clear(sstatus, SSTATUS_SIE);
	/* wfi with the interrupt enabled: the trap is taken, then execution continues after wfi */
	csr_set(sstatus, SSTATUS_SIE);
	sbi_set_timer(read_time() + 50000);
	loops = 0;
	while (IRQS(IRQ_S_TIMER) == before + 1 && loops < 1000000) {
		asm volatile("wfi");
		loops++;
	}
	CHECK_EQ(IRQS(IRQ_S_TIMER), before + 2);
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
}

static void test_software(void)
{
	unsigned long me = current_hartid();
	puts("[software]");
	csr_write(sie, SIE_SSIE);
	csr_set(sstatus, SSTATUS_SIE);
	csr_set(sip, SIP_SSIP);                /* SSIP is writable by S-mode: immediate trap */
	CHECK_EQ(IRQS(IRQ_S_SOFT), 1);
	CHECK_EQ(last_irq_cause, CAUSE_INTERRUPT | IRQ_S_SOFT);
	CHECK_EQ(csr_read(sip) & SIP_SSIP, 0);
	struct sbiret r = sbi_send_ipi(1UL << me, 0);
	CHECK_EQ(r.error, 0);
	CHECK(WAIT_FOR(IRQS(IRQ_S_SOFT) == 2));
	CHECK_EQ(IRQS(IRQ_S_SOFT), 2);
	r = sbi_send_ipi(1, me);               /* mask relative to base */
	CHECK_EQ(r.error, 0);
	CHECK(WAIT_FOR(IRQS(IRQ_S_SOFT) == 3));
	r = sbi_send_ipi(0, -1UL);             /* all harts */
	CHECK_EQ(r.error, 0);
	CHECK(WAIT_FOR(IRQS(IRQ_S_SOFT) == 4));

	/* gated: pending without a trap while SIE = 0, cleared by writing sip */
	csr_clear(sstatus, SSTATUS_SIE);
	sbi_send_ipi(1UL << me, 0);
	CHECK(WAIT_FOR(csr_read(sip) & SIP_SSIP));
	CHECK_EQ(IRQS(IRQ_S_SOFT), 4);
	csr_clear(sip, SIP_SSIP);
	CHECK_EQ(csr_read(sip) & SIP_SSIP, 0);
	csr_set(sstatus, SSTATUS_SIE);
	CHECK_EQ(IRQS(IRQ_S_SOFT), 4);
	/* gated by sie.SSIE */
	csr_write(sie, 0);
	csr_set(sip, SIP_SSIP);
	CHECK_EQ(IRQS(IRQ_S_SOFT), 4);
	csr_write(sie, SIE_SSIE);
	CHECK_EQ(IRQS(IRQ_S_SOFT), 5);
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
}

static void test_priority(void)
{
	puts("[priority]");
	/* both pending: the handler sees both, one after the other (the order is not printed) */
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, SIE_SSIE | SIE_STIE);
	unsigned long t0 = IRQS(IRQ_S_TIMER), s0 = IRQS(IRQ_S_SOFT);
	sbi_set_timer(0);
	csr_set(sip, SIP_SSIP);
	CHECK(WAIT_FOR(csr_read(sip) & SIP_STIP));
	csr_set(sstatus, SSTATUS_SIE);
	CHECK_EQ(IRQS(IRQ_S_TIMER), t0 + 1);
	CHECK_EQ(IRQS(IRQ_S_SOFT), s0 + 1);
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
}

static void test_vectored(void)
{
	puts("[vectored]");
	csr_write(stvec, (unsigned long)trap_vector_table | 1);
	CHECK_EQ(csr_read(stvec), (unsigned long)trap_vector_table | 1);
	trap_last_vector = -1;
	struct trap_record t = EXPECT_TRAP(asm volatile("ebreak"));
	CHECK_EQ(t.scause, CAUSE_BREAKPOINT);
	CHECK_EQ(trap_last_vector, 0);         /* exceptions: base */
	trap_last_vector = -1;
	csr_write(sie, SIE_SSIE);
	csr_set(sstatus, SSTATUS_SIE);
	csr_set(sip, SIP_SSIP);
	CHECK_EQ(trap_last_vector, IRQ_S_SOFT);
	csr_clear(sstatus, SSTATUS_SIE);
	trap_last_vector = -1;
	csr_write(sie, SIE_STIE);
	sbi_set_timer(0);
	csr_set(sstatus, SSTATUS_SIE);
	CHECK(WAIT_FOR(trap_last_vector != -1));
	CHECK_EQ(trap_last_vector, IRQ_S_TIMER);
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
	csr_write(stvec, (unsigned long)trap_entry);
	trap_last_vector = -1;
	t = EXPECT_TRAP(asm volatile("ebreak"));
	CHECK_EQ(trap_last_vector, -1);        /* direct mode again */
}

int main(unsigned long hartid, unsigned long dtb)
{
	puts("interrupts: start");
	trap_hook = record_hook;
	test_timer();
	test_wfi();
	test_software();
	test_priority();
	test_vectored();
	printf("timer interrupts %lu, software interrupts %lu\n", IRQS(IRQ_S_TIMER), IRQS(IRQ_S_SOFT));
	test_done("interrupts");
}
