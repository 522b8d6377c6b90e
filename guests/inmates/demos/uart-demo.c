/* uart-demo - a cell that owns a UART outright (its console in the cell config) and counts on it,
 * like Jailhouse's uart-demo. */
#include "inmate.h"

void inmate_main(void)
{
	long count = cmdline_parse_int("count", 1000000);
	printk("UART demo: this cell owns the UART at 0x%lx\n", (unsigned long)comm_region->console.address);
	for (long i = 1; i <= count; i++) {
		printk("Hello %ld from cell!\n", i);
		u64 until = timer_get_ticks() + timer_get_frequency() / 2;
		while (timer_get_ticks() < until)
			comm_region_handle_message(0);
	}
}
