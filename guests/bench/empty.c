/* empty - boots and finishes at once: the start-up cost of an emulator, subtracted from the others. */
#include "bench.h"

int main(unsigned long hartid, unsigned long dtb)
{
	bench_done("empty", 0);
}
