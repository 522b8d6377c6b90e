/* pci.c - PCI configuration space through ECAM at the comm region's pci_mmconfig_base. */
#include "inmate.h"

static unsigned long config_address(u16 bdf, unsigned int addr)
{
	return comm_region->pci_mmconfig_base + ((unsigned long)bdf << 12) + addr;
}

u32 pci_read_config(u16 bdf, unsigned int addr, unsigned int size)
{
	unsigned long a = config_address(bdf, addr);
	switch (size) {
	case 1: return *(volatile u8 *)a;
	case 2: return *(volatile u16 *)a;
	default: return *(volatile u32 *)a;
	}
}

void pci_write_config(u16 bdf, unsigned int addr, u32 value, unsigned int size)
{
	unsigned long a = config_address(bdf, addr);
	switch (size) {
	case 1: *(volatile u8 *)a = (u8)value; break;
	case 2: *(volatile u16 *)a = (u16)value; break;
	default: *(volatile u32 *)a = value; break;
	}
}

int pci_find_device(u16 vendor, u16 device, u16 start_bdf)
{
	if (!comm_region->pci_mmconfig_base)
		return -1;
	for (unsigned int bdf = start_bdf; bdf < 0x100; bdf++) { /* bus 0 */
		u32 id = pci_read_config(bdf, 0, 4);
		if (id == 0xffffffff)
			continue;
		if ((vendor == 0xffff || (id & 0xffff) == vendor) && (device == 0xffff || (id >> 16) == device))
			return (int)bdf;
	}
	return -1;
}

int pci_find_cap(u16 bdf, u16 cap)
{
	if (!(pci_read_config(bdf, 0x06, 2) & 0x10)) /* status: capability list */
		return -1;
	unsigned int pos = pci_read_config(bdf, 0x34, 1) & ~3u;
	for (int guard = 0; pos && guard < 48; guard++) {
		if (pci_read_config(bdf, pos, 1) == cap)
			return (int)pos;
		pos = pci_read_config(bdf, pos + 1, 1) & ~3u;
	}
	return -1;
}
