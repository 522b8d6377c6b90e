/* jailhouse.h - what the hypervisor test guests add to the shared ABI header (jailhouse/hypercall.h): the
 * lab firmware's enable call (docs/firmware.md). */
#ifndef JAILHOUSE_H
#define JAILHOUSE_H

#include <jailhouse/hypercall.h>

static inline long lab_hypervisor_enable(unsigned long config)
{
	register unsigned long a0 asm("a0") = config;
	register unsigned long a1 asm("a1") = 0;
	register unsigned long a6 asm("a6") = LAB_FW_HYPERVISOR_ENABLE;
	register unsigned long a7 asm("a7") = LAB_FIRMWARE_EID;
	asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
	return (long)a0;
}

#endif
