/* smp_atomic - LR/SC and AMO contention across all harts (run with -smp 4): every hart adds 1 to shared
 * counters ITER times with amoadd.w, amoadd.d, an LR/SC loop (w and d), and a plain increment inside an
 * amoswap spinlock; amomax/amomin/amoor with per-hart values.  Only the boot hart prints, after all
 * harts have joined, so the totals are deterministic. */
#include "smp.h"

#define ITER 10000

static volatile uint32_t cnt_w ALIGNED(64);
static volatile uint64_t cnt_d ALIGNED(64);
static volatile uint32_t cnt_lrsc_w ALIGNED(64);
static volatile uint64_t cnt_lrsc_d ALIGNED(64);
static volatile uint64_t cnt_locked ALIGNED(64);
static volatile int lock ALIGNED(64);
static volatile int64_t max_d ALIGNED(64), min_d ALIGNED(64);
static volatile uint32_t maxu_w ALIGNED(64), bits ALIGNED(64);
static volatile unsigned long done, go, sc_failures_seen;

static void work(unsigned long hartid)
{
	while (!go)
		cpu_relax();
	for (int i = 0; i < ITER; i++) {
		asm volatile("amoadd.w zero, %1, (%0)" :: "r"(&cnt_w), "r"(1UL) : "memory");
		asm volatile("amoadd.d.aqrl zero, %1, (%0)" :: "r"(&cnt_d), "r"(1UL) : "memory");
		unsigned long tmp, fail;
		asm volatile("1: lr.w %0, (%2)\n addiw %0, %0, 1\n sc.w %1, %0, (%2)\n bnez %1, 1b"
			     : "=&r"(tmp), "=&r"(fail) : "r"(&cnt_lrsc_w) : "memory");
		asm volatile("1: lr.d.aq %0, (%2)\n addi %0, %0, 1\n sc.d.rl %1, %0, (%2)\n bnez %1, 1b"
			     : "=&r"(tmp), "=&r"(fail) : "r"(&cnt_lrsc_d) : "memory");
		unsigned long old;
		do {
			asm volatile("amoswap.w.aq %0, %2, (%1)" : "=r"(old) : "r"(&lock), "r"(1UL) : "memory");
		} while (old);
		cnt_locked = cnt_locked + 1;
		asm volatile("amoswap.w.rl zero, zero, (%0)" :: "r"(&lock) : "memory");
	}
	long v = (long)(hartid + 1) * 1000;
	asm volatile("amomax.d zero, %1, (%0)" :: "r"(&max_d), "r"(v) : "memory");
	asm volatile("amomin.d zero, %1, (%0)" :: "r"(&min_d), "r"(-v) : "memory");
	asm volatile("amomaxu.w zero, %1, (%0)" :: "r"(&maxu_w), "r"(0x80000000UL + hartid) : "memory");
	asm volatile("amoor.w zero, %1, (%0)" :: "r"(&bits), "r"(1UL << hartid) : "memory");
	__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
}

int main(unsigned long boot, unsigned long dtb)
{
	puts("smp_atomic: start");
	unsigned n = count_harts();
	printf("harts: %u, %d iterations each\n", n, ITER);
	for (unsigned h = 0; h < n; h++)
		if (h != boot)
			CHECK_EQ(start_hart(h, work), 0);
	go = 1;
	work(boot);
	CHECK(WAIT_FOR(done == n));
	printf("amoadd.w total %u\n", cnt_w);
	printf("amoadd.d total %lu\n", (unsigned long)cnt_d);
	printf("lr/sc.w total %u\n", cnt_lrsc_w);
	printf("lr/sc.d total %lu\n", (unsigned long)cnt_lrsc_d);
	printf("spinlock total %lu\n", (unsigned long)cnt_locked);
	printf("amomax.d %ld amomin.d %ld amomaxu.w %x amoor.w %x\n", (long)max_d, (long)min_d, maxu_w, bits);
	CHECK_EQ(cnt_w, n * ITER);
	CHECK_EQ(cnt_d, n * ITER);
	CHECK_EQ(cnt_lrsc_w, n * ITER);
	CHECK_EQ(cnt_lrsc_d, n * ITER);
	CHECK_EQ(cnt_locked, n * ITER);
	CHECK_EQ(max_d, n * 1000);
	CHECK_EQ(min_d, -(long)n * 1000);
	CHECK_EQ(maxu_w, 0x80000000U + n - 1);
	CHECK_EQ(bits, (1U << n) - 1);
	for (unsigned h = 0; h < n; h++)
		if (h != boot)
			CHECK(WAIT_FOR(sbi_hart_get_status(h).value == SBI_HSM_STOPPED));
	test_done("smp_atomic");
}
