/* timer.c - time from the `time` CSR, one-shot timer interrupts through the SBI. */
#include "inmate.h"

#define TIMEBASE_HZ 10000000UL /* the board's timebase-frequency */

unsigned long timer_get_frequency(void)
{
	return TIMEBASE_HZ;
}

u64 timer_get_ticks(void)
{
	return csr_read(time);
}

u64 timer_ticks_to_ns(u64 ticks)
{
	return ticks * (1000000000UL / TIMEBASE_HZ);
}

static void sbi_set_timer(u64 when)
{
	register unsigned long a0 asm("a0") = when;
	register unsigned long a6 asm("a6") = 0;
	register unsigned long a7 asm("a7") = 0x54494D45; /* TIME */
	asm volatile("ecall" : "+r"(a0) : "r"(a6), "r"(a7) : "a1", "memory");
}

void timer_start(u64 ticks_from_now)
{
	sbi_set_timer(timer_get_ticks() + ticks_from_now);
}

void timer_stop(void)
{
	sbi_set_timer(~0UL);
}
