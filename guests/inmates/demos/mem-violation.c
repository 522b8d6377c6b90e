/* mem-violation - writes outside its memory: the hypervisor must stop it, and only it.
 * Parameter: address=GPA (default 0x200000, just past the cell's RAM and comm region). */
#include "inmate.h"

void inmate_main(void)
{
	unsigned long address = (unsigned long)cmdline_parse_int("address", 0x200000);
	printk("Memory violation demo: writing to 0x%lx, which this cell does not own\n", address);
	*(volatile u32 *)address = 0xdeadbeef;
	printk("The write went through: isolation is broken!\n");
}
