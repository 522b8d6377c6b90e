/* locked-demo - a cell that must not be disturbed: it runs RUNNING_LOCKED (no cell may be created or
 * destroyed meanwhile) and rejects the first shutdown request, like Jailhouse's apic-demo. */
#include "inmate.h"

static int requests;

static bool approve_shutdown(void)
{
	if (requests++ == 0) {
		printk("Rejecting first shutdown request - try again!\n");
		return false;
	}
	printk("Shutting down\n");
	return true;
}

static void handle_irq(unsigned int irq)
{
	(void)irq;
	timer_start(timer_get_frequency() / 100);
}

void inmate_main(void)
{
	comm_region_set_state(JAILHOUSE_CELL_RUNNING_LOCKED);
	printk("Locked demo: running locked, cell creation and destruction are blocked\n");
	irq_init(handle_irq);
	irq_enable(IRQ_TIMER);
	timer_start(timer_get_frequency() / 100);
	enable_irqs();
	for (;;) {
		wait_for_interrupt();
		comm_region_handle_message(approve_shutdown); /* once approved, the hypervisor stops us */
	}
}
