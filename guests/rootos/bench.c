/* bench.c - `bench [MILLIONS]`: a fixed integer workload (xorshift, branches, a small table), the same code
 * whether the hypervisor is enabled or not, so the host can compare the board's speed in both cases. */
#include "rootos.h"

int cmd_bench(int argc, char **argv)
{
	unsigned long millions = 20;
	if (argc > 1 && (parse_ulong(argv[1], &millions) != 0 || millions == 0 || millions > 100000)) {
		printf("bench: expected a count of million iterations (1..100000), got '%s'\n", argv[1]);
		return 1;
	}
	static unsigned int table[256];
	unsigned long x = 0x9e3779b97f4a7c15UL, sum = 0;
	for (unsigned long i = 0; i < millions * 1000000UL; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		unsigned int k = x & 255;
		if (x & 0x100)
			table[k] += (unsigned int)i;
		else
			sum += table[k] ^ k;
	}
	printf("bench: %lu million iterations, checksum %016lx\n", millions, sum ^ x);
	return 0;
}
