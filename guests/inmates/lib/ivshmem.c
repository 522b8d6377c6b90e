/* ivshmem.c - the ivshmem 2.0 device as a peer sees it (shared/spec/ivshmem.md): find it on the PCI bus,
 * place its register BAR, read its shared memory layout from the vendor capability, ring doorbells. */
#include <jailhouse/ivshmem.h>
#include "inmate.h"

static u64 read_config64(u16 bdf, unsigned int at)
{
	return pci_read_config(bdf, at, 4) | ((u64)pci_read_config(bdf, at + 4, 4) << 32);
}

static unsigned long page_up(u64 size)
{
	return (size + 0xfff) & ~0xfffUL;
}

int ivshmem_find(struct ivshmem_device *dev, int start_bdf, unsigned long bar0)
{
	int bdf = pci_find_device(IVSHMEM_VENDOR, IVSHMEM_DEVICE, (u16)start_bdf);
	if (bdf < 0)
		return -1;
	int cap = pci_find_cap((u16)bdf, IVSHMEM_CAP_VENDOR);
	if (cap < 0)
		return -1;
	dev->bdf = (u16)bdf;
	pci_write_config(dev->bdf, 0x10, (u32)bar0, 4);     /* BAR0: the 4 KiB register region */
	pci_write_config(dev->bdf, 0x04, 0x0002, 2);        /* command: memory space */
	dev->registers = bar0;
	dev->id = mmio_read32(bar0 + IVSHMEM_REG_ID);
	dev->peers = mmio_read32(bar0 + IVSHMEM_REG_MAX_PEERS);
	dev->state_table_size = pci_read_config(dev->bdf, cap + IVSHMEM_CAP_STATE_TAB_SZ, 4);
	dev->rw_size = read_config64(dev->bdf, cap + IVSHMEM_CAP_RW_SZ);
	dev->output_size = read_config64(dev->bdf, cap + IVSHMEM_CAP_OUTPUT_SZ);
	dev->shmem = (unsigned long)read_config64(dev->bdf, cap + IVSHMEM_CAP_ADDR);
	dev->interrupt_pin = (u8)pci_read_config(dev->bdf, 0x3d, 1);
	return bdf;
}

volatile u32 *ivshmem_state_table(const struct ivshmem_device *dev)
{
	return (volatile u32 *)dev->shmem;
}

void *ivshmem_rw_section(const struct ivshmem_device *dev)
{
	return (void *)(dev->shmem + page_up(dev->state_table_size));
}

void *ivshmem_output_section(const struct ivshmem_device *dev, u32 peer)
{
	return (void *)(dev->shmem + page_up(dev->state_table_size) + page_up(dev->rw_size) + peer * page_up(dev->output_size));
}

void ivshmem_set_state(const struct ivshmem_device *dev, u32 state)
{
	mmio_write32(dev->registers + IVSHMEM_REG_STATE, state);
}

void ivshmem_enable_interrupts(const struct ivshmem_device *dev, bool enable)
{
	mmio_write32(dev->registers + IVSHMEM_REG_INT_CTRL, enable ? 1 : 0);
}

void ivshmem_doorbell(const struct ivshmem_device *dev, u32 peer, u32 vector)
{
	mmio_write32(dev->registers + IVSHMEM_REG_DOORBELL, (peer << 16) | (vector & 0xffff));
}
