/* jailhouse/ivshmem.h - the ivshmem 2.0 device as a peer sees it (shared/spec/ivshmem.md): PCI identity,
 * the registers of BAR0, and the vendor capability's fields. One definition for the inmate library and
 * the root-cell OS. */
#ifndef JAILHOUSE_IVSHMEM_H
#define JAILHOUSE_IVSHMEM_H

#define IVSHMEM_VENDOR 0x110a
#define IVSHMEM_DEVICE 0x4106
#define IVSHMEM_MAX_PEERS 16

/* BAR0 registers (aligned 32-bit accesses). */
#define IVSHMEM_REG_ID        0x00
#define IVSHMEM_REG_MAX_PEERS 0x04
#define IVSHMEM_REG_INT_CTRL  0x08
#define IVSHMEM_REG_DOORBELL  0x0c
#define IVSHMEM_REG_STATE     0x10

/* The vendor capability (ID 0x09): offsets from its start. */
#define IVSHMEM_CAP_VENDOR        0x09
#define IVSHMEM_CAP_PRIV_CTRL     0x03
#define IVSHMEM_CAP_STATE_TAB_SZ  0x04
#define IVSHMEM_CAP_RW_SZ         0x08
#define IVSHMEM_CAP_OUTPUT_SZ     0x10
#define IVSHMEM_CAP_ADDR          0x18

#endif
