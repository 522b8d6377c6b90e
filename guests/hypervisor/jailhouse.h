/* jailhouse.h - the Jailhouse RISC-V ABI as guests see it (see /work/shared/spec/jailhouse-abi.md) and the
 * lab firmware's enable call (docs/firmware.md). Shared by the root-cell test OS and the inmates. */
#ifndef JAILHOUSE_H
#define JAILHOUSE_H

#define JAILHOUSE_EID          0x4A484F55UL   /* 'JHOU' */
#define LAB_FIRMWARE_EID       0x4A4C4142UL   /* 'JLAB': the board firmware's own extension */
#define LAB_FW_HYPERVISOR_ENABLE 0

#define JAILHOUSE_HC_DISABLE             0
#define JAILHOUSE_HC_CELL_CREATE         1
#define JAILHOUSE_HC_CELL_START          2
#define JAILHOUSE_HC_CELL_SET_LOADABLE   3
#define JAILHOUSE_HC_CELL_DESTROY        4
#define JAILHOUSE_HC_HYPERVISOR_GET_INFO 5
#define JAILHOUSE_HC_CELL_GET_STATE      6
#define JAILHOUSE_HC_CPU_GET_INFO        7
#define JAILHOUSE_HC_DEBUG_CONSOLE_PUTC  8

#define JAILHOUSE_CELL_RUNNING         0
#define JAILHOUSE_CELL_RUNNING_LOCKED  1
#define JAILHOUSE_CELL_SHUT_DOWN       2
#define JAILHOUSE_CELL_FAILED          3
#define JAILHOUSE_CELL_FAILED_COMM_REV 4

#define JAILHOUSE_MSG_NONE              0
#define JAILHOUSE_MSG_SHUTDOWN_REQUEST  1
#define JAILHOUSE_MSG_RECONFIG_COMPLETED 2

#define JAILHOUSE_MSG_UNKNOWN           1
#define JAILHOUSE_MSG_REQUEST_DENIED    2
#define JAILHOUSE_MSG_REQUEST_APPROVED  3
#define JAILHOUSE_MSG_RECEIVED          4

#define JAILHOUSE_COMM_FLAG_DBG_PUTC_PERMITTED 1
#define JAILHOUSE_COMM_FLAG_DBG_PUTC_ACTIVE    2

struct jailhouse_comm_region {
	char signature[6];
	unsigned short revision;
	volatile unsigned int cell_state;
	volatile unsigned int msg_to_cell;
	volatile unsigned int reply_from_cell;
	unsigned int flags;
	unsigned char console[32];
	unsigned long pci_mmconfig_base;
} __attribute__((packed));

static inline long jailhouse_call(unsigned long code, unsigned long arg0, unsigned long arg1)
{
	register unsigned long a0 asm("a0") = arg0;
	register unsigned long a1 asm("a1") = arg1;
	register unsigned long a6 asm("a6") = code;
	register unsigned long a7 asm("a7") = JAILHOUSE_EID;
	asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
	return (long)a0;
}

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
