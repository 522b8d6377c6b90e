/* ivshmem-demo - one peer of an ivshmem 2.0 link (shared/spec/ivshmem.md), like Jailhouse's ivshmem-demo.
 *
 * Finds the ivshmem device, places its register BAR, announces itself in the state table (state = id + 1)
 * and rings a peer every second (all other peers in turn, or only target=N). Before each doorbell it counts
 * the doorbell in its own output section (word `target`), so the receiver can tell who rang: on an
 * interrupt it prints the vector, the senders whose counters moved, peers that joined or left (state
 * table), and the state/rw/output words as Jailhouse's demo does.
 *
 * Command line (image offset 0x100): vpci_irq_base=N (the cell config's, default 34), target=N,
 * bdf=N (first bdf to search, default 0), bar=ADDR (BAR0 GPA, default 0x40000000), period_ms=N.
 * pingpong=1 (with target=N): no timer; every doorbell from the target is answered at once with one back,
 * quietly (a line per 100000 round trips); the peer with the lower id serves first once the target is up.
 * This is the doorbell round trip `npm run bench` measures. */
#include "inmate.h"

CMDLINE_BUFFER(128);

#define MAX_PEERS 16

static struct ivshmem_device dev;
static unsigned int dev_irq;
static u32 interrupts;
static u32 seen[MAX_PEERS];      /* doorbells to us counted in each peer's output section */
static u32 known_state[MAX_PEERS];
static bool pingpong, served;
static u32 pong_target;

static volatile u32 *output(u32 peer)
{
	return (volatile u32 *)ivshmem_output_section(&dev, peer);
}

static void print_shmem(void)
{
	volatile u32 *state = ivshmem_state_table(&dev);
	volatile u32 *rw = ivshmem_rw_section(&dev);
	printk("IVSHMEM: state");
	for (u32 p = 0; p < dev.peers; p++)
		printk(" %u", state[p]);
	printk(", rw");
	for (u32 p = 0; p < dev.peers; p++)
		printk(" %u", rw[p]);
	printk(", out");
	for (u32 p = 0; p < dev.peers; p++)
		printk(" %u", output(p)[dev.id]);
	printk("\n");
}

static void ring(u32 target)
{
	output(dev.id)[target]++;
	ivshmem_doorbell(&dev, target, 0);
}

/* pingpong mode: answer every doorbell of the target with one back. */
static void handle_pingpong(void)
{
	volatile u32 *state = ivshmem_state_table(&dev);
	u32 rang = output(pong_target)[dev.id];
	if (rang != seen[pong_target]) {
		seen[pong_target] = rang;
		if (rang % 100000 == 0)
			printk("IVSHMEM: %u round trips\n", rang);
		ring(pong_target);
	} else if (!served && dev.id < pong_target && state[pong_target] != 0) {
		served = true;
		printk("IVSHMEM: peer %u is up, serving\n", pong_target);
		ring(pong_target);
	}
}

static void handle_irq(unsigned int irq)
{
	if (irq != dev_irq)
		return;
	if (pingpong) {
		handle_pingpong();
		return;
	}
	volatile u32 *state = ivshmem_state_table(&dev);
	printk("IVSHMEM: got interrupt 0 (#%u)\n", ++interrupts);
	for (u32 p = 0; p < dev.peers && p < MAX_PEERS; p++) {
		if (p == dev.id)
			continue;
		u32 rang = output(p)[dev.id];
		if (rang != seen[p]) {
			printk("IVSHMEM: interrupt from peer %u (#%u)\n", p, rang);
			seen[p] = rang;
		}
		u32 s = state[p];
		if (s != known_state[p]) {
			if (s == 0)
				printk("IVSHMEM: peer %u left\n", p);
			else
				printk("IVSHMEM: peer %u is up (state %u)\n", p, s);
			known_state[p] = s;
		}
	}
	print_shmem();
}

void inmate_main(void)
{
	long irq_base = cmdline_parse_int("vpci_irq_base", 34);
	long fixed_target = cmdline_parse_int("target", -1);
	long period_ms = cmdline_parse_int("period_ms", 1000);
	unsigned long bar = (unsigned long)cmdline_parse_int("bar", 0x40000000);
	int bdf = ivshmem_find(&dev, (int)cmdline_parse_int("bdf", 0), bar);
	if (bdf < 0) {
		printk("IVSHMEM: no device found\n");
		return;
	}
	dev_irq = (unsigned int)(irq_base + dev.interrupt_pin - 1);
	printk("IVSHMEM: Found device at %02x:%02x.%x\n", bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
	printk("IVSHMEM: ID is %u, max peers %u\n", dev.id, dev.peers);
	printk("IVSHMEM: registers at 0x%lx, interrupt %u (pin %u)\n", dev.registers, dev_irq, dev.interrupt_pin);
	printk("IVSHMEM: state table at 0x%lx, size 0x%x\n", dev.shmem, dev.state_table_size);
	printk("IVSHMEM: R/W section at 0x%lx, size 0x%lx\n", (unsigned long)ivshmem_rw_section(&dev), (unsigned long)dev.rw_size);
	printk("IVSHMEM: output sections at 0x%lx, size 0x%lx each\n", (unsigned long)ivshmem_output_section(&dev, 0),
	       (unsigned long)dev.output_size);
	if (dev.peers > MAX_PEERS || dev.id >= dev.peers)
		return;

	volatile u32 *state = ivshmem_state_table(&dev);
	for (u32 p = 0; p < dev.peers; p++) {
		known_state[p] = state[p];
		seen[p] = output(p)[dev.id];
	}
	irq_init(handle_irq);
	irq_enable(dev_irq);
	enable_irqs();
	ivshmem_enable_interrupts(&dev, true);
	ivshmem_set_state(&dev, dev.id + 1);

	pingpong = cmdline_parse_bool("pingpong", false) && fixed_target >= 0 && fixed_target < (long)dev.peers &&
		   fixed_target != (long)dev.id;
	if (pingpong) {
		pong_target = (u32)fixed_target;
		handle_pingpong(); /* the target may be up already */
		for (;;) {
			wait_for_interrupt();
			if (comm_region_handle_message(0) == JAILHOUSE_MSG_SHUTDOWN_REQUEST)
				stop();
		}
	}

	u64 period = timer_get_frequency() / 1000 * (u64)(period_ms > 0 ? period_ms : 1000);
	u64 next = timer_get_ticks() + period;
	u32 target = dev.id;
	for (;;) {
		while (timer_get_ticks() < next) {
			u32 msg = comm_region_handle_message(0);
			if (msg == JAILHOUSE_MSG_SHUTDOWN_REQUEST)
				stop();
			timer_start(next - timer_get_ticks());
			irq_enable(IRQ_TIMER);
			wait_for_interrupt();
		}
		next += period;
		if (fixed_target >= 0) {
			target = (u32)fixed_target;
		} else {
			target = (target + 1) % dev.peers;
			if (target == dev.id)
				target = (target + 1) % dev.peers;
		}
		volatile u32 *rw = ivshmem_rw_section(&dev);
		rw[dev.id]++;
		output(dev.id)[target]++;
		printk("IVSHMEM: sending IRQ 0 to peer %u\n", target);
		ivshmem_doorbell(&dev, target, 0);
	}
}
