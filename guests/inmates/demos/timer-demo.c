/* timer-demo - a periodic timer interrupt and how late it arrives (jitter), like Jailhouse's
 * apic-demo / gic-demo. Shutdown requests are approved. Parameter: beats=N per second (default 10). */
#include "inmate.h"

static u64 ticks_per_beat;
static u64 expected;
static long min_ns = 0x7fffffffffffffffL, max_ns;

static void handle_irq(unsigned int irq)
{
	if (irq != IRQ_TIMER)
		return;
	u64 now = timer_get_ticks();
	long jitter = (long)timer_ticks_to_ns(now - expected);
	if (jitter < min_ns)
		min_ns = jitter;
	if (jitter > max_ns)
		max_ns = jitter;
	printk("Timer fired, jitter: %6ld ns, min: %6ld ns, max: %6ld ns\n", jitter, min_ns, max_ns);
	expected += ticks_per_beat;
	timer_start(expected > now ? expected - now : 0);
}

void inmate_main(void)
{
	long beats = cmdline_parse_int("beats", 10);
	if (beats < 1)
		beats = 1;
	ticks_per_beat = timer_get_frequency() / beats;
	printk("Timer demo: %ld beats per second\n", beats);
	irq_init(handle_irq);
	irq_enable(IRQ_TIMER);
	expected = timer_get_ticks() + ticks_per_beat;
	timer_start(ticks_per_beat);
	enable_irqs();
	for (;;) {
		wait_for_interrupt();
		comm_region_handle_message(0);
	}
}
