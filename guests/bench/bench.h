/* bench.h - common helpers of the benchmark workloads: each runs a fixed amount of work, prints one
 * checksum line "<name>: checksum <hex>" and passes through the finisher. */
#ifndef BENCH_H
#define BENCH_H
#include "guest.h"

static inline NORETURN void bench_done(const char *name, unsigned long checksum)
{
	printf("%s: checksum %016lx\n", name, checksum);
#ifdef BENCH_STATS   /* development only: instret is not part of the deterministic output */
	printf("instret %lu\n", csr_read(instret));
#endif
	finish_pass();
}
#endif
