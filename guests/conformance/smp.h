/* smp.h - helpers shared by the multi-hart programs. */
#ifndef SMP_H
#define SMP_H
#include "guest.h"

#define WAIT_FOR(cond) ({ unsigned long _n = 0; while (!(cond) && ++_n < 200000000UL) cpu_relax(); (cond); })

/* Harts of the machine: ids 0..n-1 answer hart_get_status; the others are reported as INVALID_PARAM. */
static inline unsigned count_harts(void)
{
	unsigned n = 0;
	while (n < GUEST_MAX_HARTS && sbi_hart_get_status(n).error == 0)
		n++;
	return n;
}
#endif
