/* hsm - SBI HSM with several harts (run with -smp 4): initial states (boot hart STARTED, others
 * STOPPED), hart_start with a0 = hart id and a1 = opaque, ALREADY_AVAILABLE for a running hart,
 * INVALID_PARAM for a hart that does not exist, hart_stop and restarting a stopped hart, IPIs to other
 * harts (single-hart masks, mask_base, broadcast), remote fences on other harts.  Output does not name
 * hart ids (OpenSBI may pick any hart as the boot hart); only the boot hart prints. */
#include "smp.h"

static volatile unsigned long arrived[GUEST_MAX_HARTS], seen_id[GUEST_MAX_HARTS], seen_opaque[GUEST_MAX_HARTS];
static volatile unsigned long ipis[GUEST_MAX_HARTS], run_count[GUEST_MAX_HARTS];
static volatile int release;

#define OPAQUE 0x0123456789abcdefUL

/* entered directly (not through secondary_entry) to check a0/a1 */
void raw_entry(void);
asm(".text\n.align 2\nraw_entry:\n"
    "  mv tp, a0\n"
    "  lla sp, __stacks_start\n addi t0, a0, 1\n slli t0, t0, 14\n add sp, sp, t0\n"
    "  lla t0, trap_entry\n csrw stvec, t0\n csrw sscratch, zero\n"
    "  call raw_main\n"
    "1: li a7, 0x48534D\n li a6, 1\n ecall\n j 1b\n");

void raw_main(unsigned long hartid, unsigned long opaque)
{
	seen_id[hartid] = hartid;
	seen_opaque[hartid] = opaque;
	__atomic_fetch_add(&arrived[hartid], 1, __ATOMIC_SEQ_CST);
	/* wait for IPIs until released */
	csr_write(sie, SIE_SSIE);
	while (!release) {
		/* wfi with SIE = 0 wakes on a pending IPI without losing it; then take it */
		asm volatile("wfi");
		csr_set(sstatus, SSTATUS_SIE);
		csr_clear(sstatus, SSTATUS_SIE);
	}
	ipis[hartid] = irq_count[hartid][IRQ_S_SOFT];
	CHECK_EQ(sbi_hart_get_status(hartid).value, SBI_HSM_STARTED);
	__atomic_fetch_add(&arrived[hartid], 1, __ATOMIC_SEQ_CST);
	/* returning stops the hart */
}

static void second_run(unsigned long hartid)
{
	__atomic_fetch_add(&run_count[hartid], 1, __ATOMIC_SEQ_CST);
}

int main(unsigned long boot, unsigned long dtb)
{
	puts("hsm: start");
	unsigned n = count_harts();
	printf("harts: %u\n", n);
	CHECK(n >= 2);

	puts("[status]");
	CHECK_EQ(sbi_hart_get_status(boot).value, SBI_HSM_STARTED);
	for (unsigned h = 0; h < n; h++)
		if (h != boot)
			CHECK_EQ(sbi_hart_get_status(h).value, SBI_HSM_STOPPED);
	struct sbiret r = sbi_hart_get_status(GUEST_MAX_HARTS + 100);
	CHECK_EQ(r.error, SBI_ERR_INVALID_PARAM);

	puts("[start]");
	for (unsigned h = 0; h < n; h++) {
		if (h == boot)
			continue;
		r = sbi_hart_start(h, (unsigned long)raw_entry, OPAQUE + h);
		CHECK_EQ(r.error, 0);
	}
	for (unsigned h = 0; h < n; h++) {
		if (h == boot)
			continue;
		CHECK(WAIT_FOR(arrived[h] == 1));
		CHECK_EQ(seen_id[h], h);
		CHECK_EQ(seen_opaque[h], OPAQUE + h);
		CHECK(WAIT_FOR(sbi_hart_get_status(h).value == SBI_HSM_STARTED));
		r = sbi_hart_start(h, (unsigned long)raw_entry, 0);
		CHECK_EQ(r.error, SBI_ERR_ALREADY_AVAILABLE);
	}
	r = sbi_hart_start(boot, (unsigned long)raw_entry, 0);
	CHECK_EQ(r.error, SBI_ERR_ALREADY_AVAILABLE);
	r = sbi_hart_start(GUEST_MAX_HARTS + 100, (unsigned long)raw_entry, 0);
	CHECK_EQ(r.error, SBI_ERR_INVALID_PARAM);

	puts("[ipi]");
	/* one IPI to each other hart, each through a different mask encoding */
	for (unsigned h = 0; h < n; h++) {
		if (h == boot)
			continue;
		r = (h & 1) ? sbi_send_ipi(1UL << h, 0) : sbi_send_ipi(1, h);
		CHECK_EQ(r.error, 0);
		CHECK(WAIT_FOR(irq_count[h][IRQ_S_SOFT] == 1));
	}
	/* broadcast: every hart, including this one (which has interrupts off and just sees SSIP) */
	r = sbi_send_ipi(0, -1UL);
	CHECK_EQ(r.error, 0);
	for (unsigned h = 0; h < n; h++)
		if (h != boot)
			CHECK(WAIT_FOR(irq_count[h][IRQ_S_SOFT] == 2));
	CHECK(WAIT_FOR(csr_read(sip) & SIP_SSIP));
	csr_clear(sip, SIP_SSIP);
	/* a mask with all harts */
	r = sbi_send_ipi((1UL << n) - 1, 0);
	CHECK_EQ(r.error, 0);
	for (unsigned h = 0; h < n; h++)
		if (h != boot)
			CHECK(WAIT_FOR(irq_count[h][IRQ_S_SOFT] == 3));
	CHECK(WAIT_FOR(csr_read(sip) & SIP_SSIP));
	csr_clear(sip, SIP_SSIP);

	puts("[rfence]");
	unsigned long all = (1UL << n) - 1;
	CHECK_EQ(sbi_remote_fence_i(all, 0).error, 0);
	CHECK_EQ(sbi_remote_sfence_vma(all, 0, 0, -1UL).error, 0);
	CHECK_EQ(sbi_remote_sfence_vma(0, -1UL, 0x80000000UL, 0x1000).error, 0);
	CHECK_EQ(sbi_remote_sfence_vma_asid(all, 0, 0, -1UL, 0).error, 0);

	puts("[stop]");
	release = 1;
	CHECK_EQ(sbi_send_ipi(all & ~(1UL << boot), 0).error, 0);   /* wake them up */
	for (unsigned h = 0; h < n; h++) {
		if (h == boot)
			continue;
		CHECK(WAIT_FOR(arrived[h] == 2));
		CHECK_EQ(ipis[h], 4);
		CHECK(WAIT_FOR(sbi_hart_get_status(h).value == SBI_HSM_STOPPED));
	}

	puts("[restart]");
	for (int round = 0; round < 3; round++) {
		for (unsigned h = 0; h < n; h++)
			if (h != boot)
				CHECK_EQ(start_hart(h, second_run), 0);
		for (unsigned h = 0; h < n; h++) {
			if (h == boot)
				continue;
			CHECK(WAIT_FOR(run_count[h] == (unsigned long)round + 1));
			CHECK(WAIT_FOR(sbi_hart_get_status(h).value == SBI_HSM_STOPPED));
		}
	}
	printf("restarts: %d rounds on %u harts\n", 3, n - 1);
	test_done("hsm");
}
