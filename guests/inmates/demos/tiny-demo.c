/* tiny-demo - the smallest inmate: says hello through its console, then halts. */
#include "inmate.h"

void inmate_main(void)
{
	printk("Hello from this tiny cell!\n");
}
