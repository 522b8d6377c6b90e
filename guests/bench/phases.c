/* phases - short phases of different kinds, each a few million instructions: integer/branchy, 64-bit
 * multiply/divide, deep calls, AMOs, CSR accesses, memory copies.  A cold run meets every kind of
 * instruction for the first time within a fraction of a second, which is what the "cold" column of the
 * bench is about (a guest booting, a cell starting). */
#include "bench.h"

#ifndef SCALE
#define SCALE 8
#endif

static uint8_t buf_a[65536], buf_b[65536];
static volatile uint64_t counter ALIGNED(64);

static NOINLINE unsigned long fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static unsigned long integer_phase(void)
{
	uint32_t crc = ~0U;
	for (unsigned i = 0; i < 24000 * SCALE; i++) {
		crc ^= i;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
	}
	return crc;
}

static unsigned long muldiv_phase(void)
{
	unsigned long x = 0x9e3779b97f4a7c15UL, acc = 0;
	for (unsigned long i = 1; i <= 150000 * SCALE; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		acc += (unsigned long)(((unsigned __int128)x * i) >> 64);
		acc ^= x / (i | 1) + (long)x % (long)(i + 3);
	}
	return acc;
}

static unsigned long amo_phase(void)
{
	unsigned long sum = 0, old;
	for (unsigned long i = 0; i < 200000 * SCALE; i++) {
		asm volatile("amoadd.d %0, %2, (%1)" : "=r"(old) : "r"(&counter), "r"(i) : "memory");
		sum += old;
	}
	return sum;
}

static unsigned long csr_phase(void)
{
	unsigned long sum = 0;
	for (unsigned long i = 0; i < 200000 * SCALE; i++) {
		sum += csr_swap(sscratch, i);
		sum ^= csr_read(sscratch) >> 3;
	}
	return sum;
}

static unsigned long memory_phase(void)
{
	unsigned long sum = 0;
	for (int r = 0; r < 12 * SCALE; r++) {
		memset(buf_a, r, sizeof(buf_a));
		memcpy(buf_b, buf_a, sizeof(buf_a));
		sum += buf_b[r * 97];
	}
	return sum;
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long sum = integer_phase();
	sum = sum * 31 + muldiv_phase();
	sum = sum * 31 + fib(22 + SCALE);
	sum = sum * 31 + amo_phase();
	sum = sum * 31 + csr_phase();
	sum = sum * 31 + memory_phase();
	bench_done("phases", sum);
}
