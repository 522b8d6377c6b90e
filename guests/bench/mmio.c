/* mmio - 10M reads of the UART line status register (every one is an MMIO exit on the lab). */
#include "bench.h"

#define READS 10000000

int main(unsigned long hartid, unsigned long dtb)
{
	volatile uint8_t *lsr = (volatile uint8_t *)(UART0_BASE + 5);
	unsigned long thre = 0;
	for (long i = 0; i < READS; i++)
		thre += (*lsr >> 5) & 1;         /* THR empty: always set when idle */
	bench_done("mmio", thre);
}
