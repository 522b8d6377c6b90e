/* net-demo - a cell on an ivshmem-net link (docs/ivshmem-net.md) with the shared driver and IP stack:
 * answers ping, echoes UDP on port 7 (discards port 9 quietly) and prints what it receives; optionally
 * pings and sends to another host itself, so two cells can talk without the root cell.
 *
 * Command line (image offset 0x100): ip=A.B.C.D/N (default 192.168.19.2/24), mac=XX:..,
 * vpci_irq_base=N (the cell config's, default 38), bdf=N (first bdf to search), quiet=1 (no line per
 * datagram), ping=ADDR count=N (ping ADDR N times, a second apart, once the link is up),
 * send=ADDR (then send "hello from <ip>" to ADDR port 7 and print the echo),
 * stream=ADDR stream_count=N stream_size=BYTES (then send N datagrams to ADDR's discard port 9 as fast as
 * the ring takes them and print how long that took: a throughput figure for the bench). */
#include "inmate.h"
#include "net/net.h"

CMDLINE_BUFFER(256);

#define ECHO_PORT    7
#define DISCARD_PORT 9
#define CLIENT_PORT  40000

static struct netif eth0;
static volatile u32 irq_events;
static unsigned int dev_irq;
static bool quiet;
static u64 discarded, discarded_bytes;

static char *ip_str(char *b, u32 ip) { return net_format_ip(b, ip); }

static void handle_irq(unsigned int irq)
{
	if (irq == dev_irq) {
		irq_events++;
		eth0.dev.stats.interrupts++;
	}
}

static void link_changed(void *ctx, int carrier)
{
	printk("net-demo: eth0: link %s\n", carrier ? "up" : "down");
}

static void print_payload(const u8 *data, u32 len)
{
	u32 n = len < 64 ? len : 64;
	char line[72];
	for (u32 i = 0; i < n; i++)
		line[i] = data[i] >= 32 && data[i] < 127 ? (char)data[i] : '.';
	line[n] = 0;
	printk("%s%s", line, n < len ? "..." : "");
}

static void udp_echo(void *ctx, u32 src, u16 sport, u16 dport, const u8 *data, u32 len)
{
	if (!quiet) {
		char b[16];
		printk("net-demo: udp from %s:%u to port %u, %u bytes: ", ip_str(b, src), sport, dport, len);
		print_payload(data, len);
		printk("\n");
	}
	net_udp_send(&eth0, src, dport, sport, data, len);
}

static void udp_discard(void *ctx, u32 src, u16 sport, u16 dport, const u8 *data, u32 len)
{
	discarded++;
	discarded_bytes += len;
	if (discarded % 1000 == 0)
		printk("net-demo: discarded %lu datagrams, %lu bytes\n", (unsigned long)discarded, (unsigned long)discarded_bytes);
}

/* ---- the client role: ping=ADDR count=N, send=ADDR ---- */
static struct {
	u32 dst, count, seq, received;
	u64 sent_at, next_at;
	u64 tmin, tmax, tsum;       /* microseconds */
	bool done;
} ping;
static u32 send_to;
static bool sent, echoed;
static struct {
	u32 dst, count, size, sent;
	u64 start;
} stream;
static u8 stream_data[16000];
static u8 payload[56];

static u64 us(u64 ticks) { return ticks * 1000000 / timer_get_frequency(); }

static void echo_reply(void *ctx, u32 src, u16 id, u16 seq, const u8 *data, u32 len, u8 ttl)
{
	if (src != ping.dst || seq != ping.seq || len != sizeof(payload))
		return;
	u64 rtt = us(timer_get_ticks() - ping.sent_at);
	ping.received++;
	ping.tsum += rtt;
	if (!ping.tmin || rtt < ping.tmin)
		ping.tmin = rtt;
	if (rtt > ping.tmax)
		ping.tmax = rtt;
	char b[16];
	printk("net-demo: %u bytes from %s: icmp_seq=%u ttl=%u time=%lu.%03lu ms\n", len + 8, ip_str(b, src), seq, ttl,
	       (unsigned long)(rtt / 1000), (unsigned long)(rtt % 1000));
}

static void client_reply(void *ctx, u32 src, u16 sport, u16 dport, const u8 *data, u32 len)
{
	char b[16];
	printk("net-demo: echo from %s:%u, %u bytes: ", ip_str(b, src), sport, len);
	print_payload(data, len);
	printk("\n");
	echoed = true;
}

static void client_step(void)
{
	u64 now = timer_get_ticks();
	if (!eth0.dev.carrier)
		return;
	if (ping.dst && !ping.done && now >= ping.next_at) {
		char b[16];
		if (ping.seq == ping.count) {
			ping.done = true;
			printk("net-demo: --- %s ping statistics ---\n", ip_str(b, ping.dst));
			printk("net-demo: %u packets transmitted, %u received\n", ping.count, ping.received);
			if (ping.received)
				printk("net-demo: rtt min/avg/max = %lu.%03lu/%lu.%03lu/%lu.%03lu ms\n",
				       (unsigned long)(ping.tmin / 1000), (unsigned long)(ping.tmin % 1000),
				       (unsigned long)(ping.tsum / ping.received / 1000), (unsigned long)(ping.tsum / ping.received % 1000),
				       (unsigned long)(ping.tmax / 1000), (unsigned long)(ping.tmax % 1000));
		} else {
			if (ping.seq == 0)
				printk("net-demo: PING %s: %u data bytes\n", ip_str(b, ping.dst), (u32)sizeof(payload));
			ping.seq++;
			ping.sent_at = now;
			ping.next_at = now + timer_get_frequency();
			net_echo_request(&eth0, ping.dst, 0x6e64, (u16)ping.seq, payload, sizeof(payload));
		}
	}
	if (send_to && !sent && (!ping.dst || ping.done)) {
		char text[40], b[16];
		int n = snprintf(text, sizeof(text), "hello from %s", ip_str(b, eth0.ip));
		sent = true;
		printk("net-demo: sending \"%s\" to %s:%u\n", text, ip_str(b, send_to), ECHO_PORT);
		net_udp_send(&eth0, send_to, CLIENT_PORT, ECHO_PORT, text, (u32)n);
	}
}

/* stream=: as many datagrams as the ring takes now; the receiver's kick brings us back for more. */
static void stream_step(void)
{
	if (!stream.dst || stream.sent >= stream.count || !eth0.dev.carrier || (send_to && !echoed) ||
	    (ping.dst && !ping.done))
		return;
	if (!stream.sent) {
		char b[16];
		stream.start = timer_get_ticks();
		printk("net-demo: streaming %u datagrams of %u bytes to %s:%u\n", stream.count, stream.size,
		       ip_str(b, stream.dst), DISCARD_PORT);
	}
	while (stream.sent < stream.count && ivnet_tx_ready(&eth0.dev)) {
		if (net_udp_send(&eth0, stream.dst, CLIENT_PORT + 1, DISCARD_PORT, stream_data, stream.size) < 0)
			break;
		stream.sent++;
	}
	if (stream.sent == stream.count) {
		u64 t = us(timer_get_ticks() - stream.start);
		printk("net-demo: streamed %u datagrams, %lu bytes in %lu.%03lu ms\n", stream.count,
		       (unsigned long)stream.count * stream.size, (unsigned long)(t / 1000), (unsigned long)(t % 1000));
	}
}

static u64 client_next(void)
{
	if (ping.dst && !ping.done && eth0.dev.carrier)
		return ping.next_at;
	return ~0ull;
}

void inmate_main(void)
{
	char arg[32], b[16];
	long irq_base = cmdline_parse_int("vpci_irq_base", 38);
	quiet = cmdline_parse_bool("quiet", false);
	if (net_configure(&eth0, cmdline)) {
		printk("net-demo: bad ip= or mac= on the command line\n");
		return;
	}
	if (!eth0.ip)
		net_parse_ip("192.168.19.2/24", &eth0.ip, &eth0.prefix);
	if (cmdline_parse_str("ping", arg, sizeof(arg), NULL) && net_parse_ip(arg, &ping.dst, NULL))
		printk("net-demo: bad ping= address\n");
	ping.count = (u32)cmdline_parse_int("count", 3);
	if (cmdline_parse_str("send", arg, sizeof(arg), NULL) && net_parse_ip(arg, &send_to, NULL))
		printk("net-demo: bad send= address\n");
	for (u32 i = 0; i < sizeof(payload); i++)
		payload[i] = (u8)i;
	if (cmdline_parse_str("stream", arg, sizeof(arg), NULL) && net_parse_ip(arg, &stream.dst, NULL))
		printk("net-demo: bad stream= address\n");
	stream.count = (u32)cmdline_parse_int("stream_count", 1000);
	stream.size = (u32)cmdline_parse_int("stream_size", 1400);
	if (stream.size > sizeof(stream_data))
		stream.size = sizeof(stream_data);
	for (u32 i = 0; i < stream.size; i++)
		stream_data[i] = (u8)('a' + i % 26);

	struct ivshmem_device dev;
	int bdf = ivshmem_find(&dev, (int)cmdline_parse_int("bdf", 0), 0x40000000);
	if (bdf < 0) {
		printk("net-demo: no ivshmem device found\n");
		return;
	}
	struct ivnet_config cfg;
	const char *why;
	net_config_from_ivshmem(&cfg, &dev);
	if (net_attach(&eth0, "eth0", &cfg, link_changed, 0, &why)) {
		printk("net-demo: %02x:%02x.%x: %s\n", bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7, why);
		return;
	}
	dev_irq = (unsigned int)(irq_base + dev.interrupt_pin - 1);
	const u8 *m = eth0.mac;
	printk("net-demo: eth0: ivshmem-net %02x:%02x.%x, peer %u of 2, interrupt %u\n", bdf >> 8, (bdf >> 3) & 0x1f,
	       bdf & 7, dev.id, dev_irq);
	printk("net-demo: eth0: MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u, queue %u, inet %s/%u\n", m[0], m[1], m[2],
	       m[3], m[4], m[5], eth0.dev.mtu, eth0.dev.qlen, ip_str(b, eth0.ip), eth0.prefix);
	net_udp_bind(&eth0, ECHO_PORT, udp_echo, 0);
	net_udp_bind(&eth0, DISCARD_PORT, udp_discard, 0);
	net_udp_bind(&eth0, CLIENT_PORT, client_reply, 0);
	eth0.echo_fn = echo_reply;

	irq_init(handle_irq);
	irq_enable(dev_irq);
	enable_irqs();
	ivnet_open(&eth0.dev);

	u64 period = timer_get_frequency() / 20;   /* messages from the hypervisor are polled this often */
	for (;;) {
		u32 seen = irq_events;
		int more = net_poll(&eth0);
		client_step();
		stream_step();
		if (comm_region_handle_message(0) == JAILHOUSE_MSG_SHUTDOWN_REQUEST)
			stop();
		if (more)
			continue;
		u64 now = timer_get_ticks(), next = now + period;
		if (net_next_timer(&eth0) < next)
			next = net_next_timer(&eth0);
		if (client_next() < next)
			next = client_next();
		disable_irqs();
		if (irq_events == seen && timer_get_ticks() < next) {
			timer_start(next > now ? next - now : 1);
			irq_enable(IRQ_TIMER);
			wait_for_interrupt();
		}
		enable_irqs();
	}
}
