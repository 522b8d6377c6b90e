/* touch16m - writes one byte per 4 KiB page over 16 MiB of RAM after the image (not in .bss, so nothing
 * else touches it), for a memory footprint measurement. */
#include "bench.h"

#define SIZE (16UL << 20)

int main(unsigned long hartid, unsigned long dtb)
{
	volatile uint8_t *base = (volatile uint8_t *)(((unsigned long)_end + 0xfffff) & ~0xfffffUL);
	unsigned long sum = 0;
	for (unsigned long off = 0; off < SIZE; off += 4096)
		base[off] = (uint8_t)(off >> 12);
	for (unsigned long off = 0; off < SIZE; off += 4096)
		sum += base[off];
	bench_done("touch16m", sum);
}
