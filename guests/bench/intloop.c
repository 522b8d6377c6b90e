/* intloop - integer and branch heavy: bitwise CRC-32, a sieve of Eratosthenes and Collatz chains. */
#include "bench.h"

#ifndef ROUNDS
#define ROUNDS 18
#endif

static uint8_t sieve[200000];
static uint8_t data[65536];

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

static unsigned long primes(unsigned n)
{
	unsigned long count = 0;
	for (unsigned i = 0; i < n; i++)
		sieve[i] = 1;
	for (unsigned i = 2; i < n; i++) {
		if (!sieve[i])
			continue;
		count++;
		for (unsigned j = i * 2; j < n; j += i)
			sieve[j] = 0;
	}
	return count;
}

static unsigned long collatz(unsigned long from, unsigned long to)
{
	unsigned long total = 0;
	for (unsigned long n = from; n < to; n++) {
		unsigned long x = n;
		while (x != 1) {
			x = (x & 1) ? 3 * x + 1 : x >> 1;
			total++;
		}
	}
	return total;
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long sum = 0;
	uint32_t seed = 1;
	for (unsigned i = 0; i < sizeof(data); i++) {
		seed = seed * 1103515245 + 12345;
		data[i] = seed >> 16;
	}
	for (int r = 0; r < ROUNDS; r++) {
		sum = sum * 31 + crc32(data, sizeof(data), r);
		sum = sum * 31 + primes(sizeof(sieve) - r);
		sum = sum * 31 + collatz(1 + r * 1000, 30001 + r * 1000);
	}
	bench_done("intloop", sum);
}
