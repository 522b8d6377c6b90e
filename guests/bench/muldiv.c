/* muldiv - multiplication and division heavy (mul, mulhu, div, remu, divuw, remw: 64- and 32-bit). */
#include "bench.h"

#ifndef ITERS
#define ITERS 12000000
#endif

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long x = 0x123456789abcdefUL, acc = 0;
	uint32_t w = 12345;
	for (long i = 1; i <= ITERS; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		unsigned long hi = (unsigned long)(((unsigned __int128)x * (unsigned long)i) >> 64);
		long d = (long)(x >> 1) / (i | 1);
		unsigned long r = x % (unsigned long)(i + 7);
		w = w * 1664525u + 1013904223u;
		uint32_t q = w / ((uint32_t)i | 3);
		int32_t s = (int32_t)w % ((int32_t)i | 5);
		acc += hi ^ (unsigned long)d ^ r ^ q ^ (unsigned long)(long)s;
	}
	bench_done("muldiv", acc);
}
