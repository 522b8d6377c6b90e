/* jailhouse/hypercall.h - the Jailhouse RISC-V ABI as guests see it (shared/spec/jailhouse-abi.md), one
 * definition for the root-cell OS, the inmate library and the test guests, as Jailhouse shares its
 * include/jailhouse/hypercall.h between driver, hypervisor and inmates.
 *  - hypercalls: SBI extension 'JHOU' (a7), code in a6, arguments a0/a1, result a0 (>= 0 or -errno);
 *  - the lab firmware's own extension 'JLAB' enables the hypervisor (docs/firmware.md). */
#ifndef JAILHOUSE_HYPERCALL_H
#define JAILHOUSE_HYPERCALL_H

#include <stdint.h>
#include <jailhouse/cell-config.h>

#define JAILHOUSE_SBI_EID        0x4A484F55UL   /* 'JHOU' */
#define LAB_FIRMWARE_EID         0x4A4C4142UL   /* 'JLAB' */
#define LAB_FW_HYPERVISOR_ENABLE 0   /* a0 = address of the system configuration in hypervisor memory */
#define LAB_FW_CONSOLE_PAGE      1   /* the hypervisor console ring for `jailhouse console` (docs/firmware.md) */

#define JAILHOUSE_HC_DISABLE             0
#define JAILHOUSE_HC_CELL_CREATE         1
#define JAILHOUSE_HC_CELL_START          2
#define JAILHOUSE_HC_CELL_SET_LOADABLE   3
#define JAILHOUSE_HC_CELL_DESTROY        4
#define JAILHOUSE_HC_HYPERVISOR_GET_INFO 5
#define JAILHOUSE_HC_CELL_GET_STATE      6
#define JAILHOUSE_HC_CPU_GET_INFO        7
#define JAILHOUSE_HC_DEBUG_CONSOLE_PUTC  8

#define JAILHOUSE_INFO_MEM_POOL_SIZE     0
#define JAILHOUSE_INFO_MEM_POOL_USED     1
#define JAILHOUSE_INFO_REMAP_POOL_SIZE   2
#define JAILHOUSE_INFO_REMAP_POOL_USED   3
#define JAILHOUSE_INFO_NUM_CELLS         4

#define JAILHOUSE_CPU_INFO_STATE         0
#define JAILHOUSE_CPU_INFO_STAT_BASE     1000
#define JAILHOUSE_CPU_RUNNING            0
#define JAILHOUSE_CPU_FAILED             2
#define JAILHOUSE_NUM_CPU_STATS          11

#define JAILHOUSE_CELL_RUNNING           0
#define JAILHOUSE_CELL_RUNNING_LOCKED    1
#define JAILHOUSE_CELL_SHUT_DOWN         2
#define JAILHOUSE_CELL_FAILED            3
#define JAILHOUSE_CELL_FAILED_COMM_REV   4

#define JAILHOUSE_MSG_NONE               0
#define JAILHOUSE_MSG_SHUTDOWN_REQUEST   1
#define JAILHOUSE_MSG_RECONFIG_COMPLETED 2

#define JAILHOUSE_MSG_UNKNOWN            1
#define JAILHOUSE_MSG_REQUEST_DENIED     2
#define JAILHOUSE_MSG_REQUEST_APPROVED   3
#define JAILHOUSE_MSG_RECEIVED           4

#define JAILHOUSE_COMM_FLAG_DBG_PUTC_PERMITTED 0x0001
#define JAILHOUSE_COMM_FLAG_DBG_PUTC_ACTIVE    0x0002

#define JAILHOUSE_CON_TYPE_NONE      0x0000
#define JAILHOUSE_CON_TYPE_8250      0x0002
#define JAILHOUSE_CON_TYPE_RISCV_SBI 0x000b
#define JAILHOUSE_CON_ACCESS_MMIO    0x0001
#define JAILHOUSE_CON_REGDIST_4      0x0002

#define COMM_REGION_ABI_REVISION 2

struct jailhouse_comm_region {
	char signature[6];
	uint16_t revision;
	volatile uint32_t cell_state;
	volatile uint32_t msg_to_cell;
	volatile uint32_t reply_from_cell;
	uint32_t flags;
	struct jailhouse_console console;
	uint64_t pci_mmconfig_base;
} __attribute__((packed));

static inline long jailhouse_call(unsigned long code, unsigned long arg0, unsigned long arg1)
{
	register unsigned long a0 asm("a0") = arg0;
	register unsigned long a1 asm("a1") = arg1;
	register unsigned long a6 asm("a6") = code;
	register unsigned long a7 asm("a7") = JAILHOUSE_SBI_EID;
	asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a6), "r"(a7) : "memory");
	return (long)a0;
}

/* Replies to the hypervisor's message: clear the message first, then write the reply (the ABI's order). */
static inline void jailhouse_send_reply_from_cell(struct jailhouse_comm_region *comm, uint32_t reply)
{
	comm->msg_to_cell = JAILHOUSE_MSG_NONE;
	asm volatile("fence rw, rw" ::: "memory");
	comm->reply_from_cell = reply;
}

#endif
