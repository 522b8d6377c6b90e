/* net-hostile - an ivshmem-net peer gone bad, for the robustness test of the other end: it brings the
 * link up like net-demo, then scribbles random bytes over its own output section `rounds` times (default
 * 1000; a random stretch of up to 4 KiB each time, mostly over the rings), kicking the peer after each.  Every other round is made "plausible": the available index
 * moves a few entries past what the peer consumed and the descriptors point at random lengths and
 * offsets, some inside the data area, with random frames there, so the peer's checks beyond the indices
 * get exercised too.  Afterwards it resets the link, comes up again cleanly and answers ping, so the peer
 * can show it recovered.  Command line: rounds=N seed=N ip=... vpci_irq_base=N (as net-demo). */
#include "inmate.h"
#include "net/net.h"

CMDLINE_BUFFER(128);

static struct netif eth0;
static struct ivshmem_device dev;
static volatile u32 irq_events;
static unsigned int dev_irq;
static u64 rng;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void handle_irq(unsigned int irq)
{
	if (irq == dev_irq)
		irq_events++;
}

static void link_changed(void *ctx, int carrier)
{
	printk("net-hostile: eth0: link %s\n", carrier ? "up" : "down");
}

/* Polls the link and sleeps until an interrupt or `ticks` pass. */
static void idle(u64 ticks)
{
	u32 seen = irq_events;
	if (net_poll(&eth0))
		return;
	if (comm_region_handle_message(0) == JAILHOUSE_MSG_SHUTDOWN_REQUEST)
		stop();
	disable_irqs();
	if (irq_events == seen) {
		timer_start(ticks);
		irq_enable(IRQ_TIMER);
		wait_for_interrupt();
	}
	enable_irqs();
}

static void attach(void)
{
	struct ivnet_config cfg;
	const char *why;
	net_config_from_ivshmem(&cfg, &dev);
	if (net_attach(&eth0, "eth0", &cfg, link_changed, 0, &why)) {
		printk("net-hostile: %s\n", why);
		stop();
	}
	ivnet_open(&eth0.dev);
}

static void scribble(u32 round)
{
	struct ivnet *n = &eth0.dev;
	/* a random stretch of up to 4 KiB: mostly the ring (indices, descriptors), every 8th round the data */
	u32 len = 64 + (u32)(rnd() % 4032) / 8 * 8;
	u32 area = (round & 7) == 7 ? n->cfg.output_size : n->vrsize;
	u32 start = (u32)(rnd() % (area - len)) / 8 * 8;
	volatile u64 *out = (volatile u64 *)(n->tx_section + start);
	for (u32 i = 0; i < len / 8; i++)
		out[i] = rnd();
	if (!(round & 3))                       /* and the available index itself */
		n->tx.avail[1] = (u16)rnd();
	if (!(round & 1))
		return;
	/* plausible: a few new entries past what the peer consumed (its used index for our ring) */
	struct ivnet_queue *q = &n->tx;
	u16 base = q->used[1];
	u32 k = 1 + (u32)(rnd() % 8);
	for (u32 j = 0; j < k; j++) {
		u32 d = (u32)(rnd() % q->num);
		q->avail[2 + ((base + j) & (q->num - 1))] = (u16)d;
		u64 r = rnd();
		u32 offs = (r & 3) ? q->data + (u32)(rnd() % (q->end - q->data)) : (u32)rnd();
		u32 len = (r & 12) ? (u32)(rnd() % 2048) : (u32)rnd();
		*(volatile u64 *)(q->desc + 16 * d) = (r & 16) ? offs : (u64)rnd();
		*(volatile u32 *)(q->desc + 16 * d + 8) = len;
		*(volatile u16 *)(q->desc + 16 * d + 12) = (r & 32) ? 0 : (u16)rnd();
		if (offs >= q->data && offs + 64 <= q->end) {
			/* a frame that gets past the Ethernet filter, with a random rest */
			for (u32 b = 0; b < 64; b += 8)
				*(volatile u64 *)(n->tx_section + offs + b) = rnd();
			u8 *f = n->tx_section + offs;
			for (int b = 0; b < 6; b++)
				f[b] = 0xff;                       /* broadcast */
			f[12] = 0x08;
			f[13] = (r & 64) ? 0x00 : 0x06;       /* IPv4 or ARP */
		}
	}
	asm volatile("fence rw, rw" ::: "memory");
	q->avail[1] = (u16)(base + k);
}

void inmate_main(void)
{
	u32 rounds = (u32)cmdline_parse_int("rounds", 1000);
	rng = (u64)cmdline_parse_int("seed", 1) * 0x9e3779b97f4a7c15ull | 1;
	long irq_base = cmdline_parse_int("vpci_irq_base", 38);
	net_configure(&eth0, cmdline);
	if (!eth0.ip)
		net_parse_ip("192.168.19.2/24", &eth0.ip, &eth0.prefix);
	if (ivshmem_find(&dev, (int)cmdline_parse_int("bdf", 0), 0x40000000) < 0) {
		printk("net-hostile: no ivshmem device found\n");
		return;
	}
	dev_irq = (unsigned int)(irq_base + dev.interrupt_pin - 1);
	irq_init(handle_irq);
	irq_enable(dev_irq);
	enable_irqs();
	attach();
	while (!eth0.dev.carrier)
		idle(timer_get_frequency() / 20);
	printk("net-hostile: scribbling over my output section %u times\n", rounds);
	for (u32 r = 0; r < rounds; r++) {
		scribble(r);
		ivshmem_doorbell(&dev, !dev.id, 0);
		u64 until = timer_get_ticks() + timer_get_frequency() / 5000;   /* 200 us */
		while (timer_get_ticks() < until) {
			if (comm_region_handle_message(0) == JAILHOUSE_MSG_SHUTDOWN_REQUEST)
				stop();
			timer_start(until - timer_get_ticks());
			irq_enable(IRQ_TIMER);
			wait_for_interrupt();
		}
	}
	printk("net-hostile: done, %u rounds; resetting the link\n", rounds);
	ivnet_remove(&eth0.dev);
	while (((volatile u32 *)dev.shmem)[!dev.id] != IVNET_STATE_RESET)
		idle(timer_get_frequency() / 20);
	attach();
	for (;;)
		idle(timer_get_frequency() / 20);
}
