/* memory - memset, memcpy and a STREAM-like triad over 4 MiB buffers. */
#include "bench.h"

#ifndef PASSES
#define PASSES 12
#endif
#define N (512 * 1024)                 /* 64-bit words: 4 MiB per array */

static uint64_t a[N], b[N], c[N];

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long sum = 0;
	for (int p = 0; p < PASSES; p++) {
		memset(a, p + 1, sizeof(a));
		memcpy(b, a, sizeof(a));
		for (unsigned i = 0; i < N; i++)
			c[i] = a[i] + 3 * b[i];                 /* triad */
		for (unsigned i = 0; i < N; i += 1)
			b[i] = c[N - 1 - i] ^ i;                /* reversed copy */
		for (unsigned i = 0; i < N; i += 97)
			sum += b[i] + c[i];
	}
	bench_done("memory", sum);
}
