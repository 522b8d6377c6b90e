/* The QEMU virt memory layout that Jailhouse's RISC-V port uses for its qemu-plic configs (1 GiB RAM,
 * 6 harts), as address facts for the two C configs in this directory. */
#ifndef QEMU_LAYOUT_H
#define QEMU_LAYOUT_H

#define RAM_BASE        0x80000000UL
#define RAM_END         0xc0000000UL                    /* 1 GiB */
#define HV_SIZE         0x600000UL                      /* 6 MiB, 2 MiB aligned */
#define HV_BASE         (RAM_END - 0x200000UL - HV_SIZE) /* below the 2 MiB OpenSBI leaves for the DTB */
#define NET_SHMEM_BASE  (HV_BASE - 0x100000UL)         /* ivshmem-net link 00:10.0 */
#define TINY_RAM_BASE   (NET_SHMEM_BASE - 0x100000UL)  /* the 1 MiB of the demo inmate */
#define TINY_RAM_SIZE   0x100000UL

#endif
