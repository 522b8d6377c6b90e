/* smp4 - four harts busy at once on integer and memory work: each hart runs CRC-32 over its own buffer,
 * a sieve in its own array and a copy/triad pass, then adds its checksum to a shared total with one AMO.
 * The boot hart waits for the others and prints the total (independent of how the harts interleave). */
#include "bench.h"

#define HARTS 4
#ifndef ROUNDS
#define ROUNDS 8
#endif
#define BYTES 32768
#define SIEVE 60000
#define WORDS 16384

static uint8_t data[HARTS][BYTES];
static uint8_t sieve[HARTS][SIEVE];
static uint64_t va[HARTS][WORDS], vb[HARTS][WORDS];
static volatile unsigned long total, done;

static uint32_t crc32(const uint8_t *p, size_t n, uint32_t crc)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & -(crc & 1));
	}
	return ~crc;
}

static unsigned long primes(uint8_t *s, unsigned n)
{
	unsigned long count = 0;
	for (unsigned i = 0; i < n; i++)
		s[i] = 1;
	for (unsigned i = 2; i < n; i++) {
		if (!s[i])
			continue;
		count++;
		for (unsigned j = i * 2; j < n; j += i)
			s[j] = 0;
	}
	return count;
}

static void work(unsigned long hartid)
{
	unsigned h = hartid % HARTS;
	uint32_t seed = 1 + h;
	unsigned long sum = 0;
	for (unsigned i = 0; i < BYTES; i++) {
		seed = seed * 1103515245 + 12345;
		data[h][i] = seed >> 16;
	}
	for (int r = 0; r < ROUNDS; r++) {
		sum = sum * 31 + crc32(data[h], BYTES, r);
		sum = sum * 31 + primes(sieve[h], SIEVE - r - h);
		for (unsigned i = 0; i < WORDS; i++)
			va[h][i] = sum + i * (r + 1);
		memcpy(vb[h], va[h], sizeof(vb[h]));
		for (unsigned i = 0; i < WORDS; i++)
			sum += vb[h][WORDS - 1 - i] ^ (va[h][i] >> 3);
	}
	__atomic_fetch_add(&total, sum * (h + 1), __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
}

int main(unsigned long hartid, unsigned long dtb)
{
	for (unsigned long h = 0; h < HARTS; h++)
		if (h != hartid && start_hart(h, work) != 0) {
			printf("smp4: cannot start hart %lu (run with 4 harts)\n", h);
			finish_fail(2);
		}
	work(hartid);
	while (done != HARTS)
		cpu_relax();
	bench_done("smp4", total);
}
