/* amo - atomics heavy: amoadd (w, d), an amoswap spinlock around a plain increment, LR/SC increment
 * loops (w, d) and amomax/amominu/amoor/amoxor/amoand, all on one hart (no contention: the cost of the
 * instructions themselves). */
#include "bench.h"

#ifndef ITERS
#define ITERS 1500000
#endif

static volatile uint32_t cnt_w ALIGNED(64);
static volatile uint64_t cnt_d ALIGNED(64);
static volatile uint32_t lrsc_w ALIGNED(64);
static volatile uint64_t lrsc_d ALIGNED(64);
static volatile uint64_t locked ALIGNED(64);
static volatile int lock ALIGNED(64);
static volatile int64_t max_d ALIGNED(64);
static volatile uint32_t minu_w ALIGNED(64), bits_w ALIGNED(64);

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long sum = 0;
	minu_w = 0xffffffffU;
	for (long i = 0; i < ITERS; i++) {
		unsigned long old, tmp, fail;
		asm volatile("amoadd.w %0, %2, (%1)" : "=r"(old) : "r"(&cnt_w), "r"(3UL) : "memory");
		sum += old;
		asm volatile("amoadd.d.aqrl %0, %2, (%1)" : "=r"(old) : "r"(&cnt_d), "r"((unsigned long)i) : "memory");
		sum ^= old;
		asm volatile("1: lr.w %0, (%2)\n addiw %0, %0, 1\n sc.w %1, %0, (%2)\n bnez %1, 1b"
			     : "=&r"(tmp), "=&r"(fail) : "r"(&lrsc_w) : "memory");
		asm volatile("1: lr.d.aq %0, (%2)\n addi %0, %0, 5\n sc.d.rl %1, %0, (%2)\n bnez %1, 1b"
			     : "=&r"(tmp), "=&r"(fail) : "r"(&lrsc_d) : "memory");
		do {
			asm volatile("amoswap.w.aq %0, %2, (%1)" : "=r"(old) : "r"(&lock), "r"(1UL) : "memory");
		} while (old);
		locked = locked + 1;
		asm volatile("amoswap.w.rl zero, zero, (%0)" :: "r"(&lock) : "memory");
		asm volatile("amomax.d zero, %1, (%0)" :: "r"(&max_d), "r"((long)(i * 7919 % 100003) - 50000) : "memory");
		asm volatile("amominu.w zero, %1, (%0)" :: "r"(&minu_w), "r"(0xfffffff0UL - (unsigned long)(i & 0xffff)) : "memory");
		asm volatile("amoor.w zero, %1, (%0)" :: "r"(&bits_w), "r"(1UL << (i & 31)) : "memory");
		asm volatile("amoxor.w zero, %1, (%0)" :: "r"(&bits_w), "r"((unsigned long)i) : "memory");
		asm volatile("amoand.w zero, %1, (%0)" :: "r"(&bits_w), "r"(~(1UL << ((i >> 3) & 31))) : "memory");
	}
	sum = sum * 31 + cnt_w;
	sum = sum * 31 + cnt_d;
	sum = sum * 31 + lrsc_w;
	sum = sum * 31 + lrsc_d;
	sum = sum * 31 + locked;
	sum = sum * 31 + (unsigned long)max_d;
	sum = sum * 31 + minu_w;
	sum = sum * 31 + bits_w;
	bench_done("amo", sum);
}
