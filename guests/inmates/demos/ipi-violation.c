/* ipi-violation - tries to interrupt a hart of another cell: first through the SBI (which only reaches
 * the caller's harts), then directly through the CLINT, which no cell owns. Parameter: target=HART. */
#include "inmate.h"

static long sbi_send_ipi(unsigned long mask, unsigned long base)
{
	register unsigned long a0 asm("a0") = mask;
	register unsigned long a1 asm("a1") = base;
	register unsigned long a6 asm("a6") = 0;
	register unsigned long a7 asm("a7") = 0x735049; /* sPI */
	asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
	return (long)a0;
}

void inmate_main(void)
{
	unsigned long target = (unsigned long)cmdline_parse_int("target", 0);
	printk("IPI violation demo: hart %lu sends an IPI to hart %lu of another cell\n", inmate_hart_id(), target);
	printk("SBI send_ipi: error %ld\n", sbi_send_ipi(1, target));
	printk("Now writing the CLINT's msip register of hart %lu directly\n", target);
	*(volatile u32 *)(0x02000000UL + 4 * target) = 1;
	printk("The IPI went through: isolation is broken!\n");
}
