/* net.c - eth0: the root cell's end of the ivshmem-net link (guests/net), with Linux-like commands:
 * `ip addr|link|neigh`, `ping`, `udp send|listen`.  The driver runs as a background job once the link is
 * set up (`ip link set eth0 up` prints its job number); the job answers ARP and pings while the shell
 * idles, foreground commands wait through jobs_poll like every other wait. */
#include <jailhouse/ivshmem.h>
#include "../net/net.h"
#include "rootos.h"

#define PCI_ECAM_BASE  0x30000000UL
#define PCI_WINDOW     0x40000000UL   /* BAR0 at PCI_WINDOW + bdf << 12, as `ivshmem-demo` places it */
#define VPCI_IRQ_BASE  32             /* the root cell's vpci_irq_base (guests/configs/sysconfig.yaml) */
#define IVSHMEM_PROTO_NET 0x0001

static struct netif eth0 = { .name = "eth0" };
static int probed, job = -1;
static uint32_t irq;
static volatile uint32_t irq_events;   /* interrupts of the device, counted in the trap handler */
static struct ivnet_config config;

uint64_t net_now(void) { return read_time(); }
uint64_t net_tick_rate(void) { return board.timebase; }

static unsigned long ecam(unsigned bdf, unsigned reg) { return PCI_ECAM_BASE + ((unsigned long)bdf << 12) + reg; }
static uint32_t cfg32(unsigned bdf, unsigned reg) { return *(volatile uint32_t *)ecam(bdf, reg); }
static uint64_t cfg64(unsigned bdf, unsigned reg) { return cfg32(bdf, reg) | (uint64_t)cfg32(bdf, reg + 4) << 32; }
static unsigned long page_up(uint64_t v) { return (v + 0xfff) & ~0xfffUL; }

/* Finds the first ivshmem device with the Ethernet protocol and reads its layout. */
static int probe(void)
{
	if (probed)
		return 0;
	for (unsigned bdf = 0; bdf < 0x100; bdf++) {
		uint32_t id = cfg32(bdf, 0);
		if ((id & 0xffff) != IVSHMEM_VENDOR || (id >> 16) != IVSHMEM_DEVICE ||
		    ((cfg32(bdf, 0x08) >> 8) & 0xffff) != IVSHMEM_PROTO_NET)
			continue;
		unsigned cap = cfg32(bdf, 0x34) & 0xfc;
		for (int guard = 0; cap && guard < 48 && (cfg32(bdf, cap) & 0xff) != IVSHMEM_CAP_VENDOR; guard++)
			cap = (cfg32(bdf, cap) >> 8) & 0xfc;
		if (!cap)
			continue;
		unsigned long regs = PCI_WINDOW + ((unsigned long)bdf << 12);
		*(volatile uint32_t *)ecam(bdf, 0x10) = (uint32_t)regs;
		*(volatile uint16_t *)ecam(bdf, 0x04) = 0x0006;         /* memory, bus master */
		unsigned long shmem = (unsigned long)cfg64(bdf, cap + IVSHMEM_CAP_ADDR);
		unsigned long state_size = page_up(cfg32(bdf, cap + IVSHMEM_CAP_STATE_TAB_SZ));
		config = (struct ivnet_config){
			.registers = regs,
			.id = *(volatile uint32_t *)(regs + IVSHMEM_REG_ID),
			.state_table = shmem,
			.output_sections = shmem + state_size + page_up(cfg64(bdf, cap + IVSHMEM_CAP_RW_SZ)),
			.output_size = (uint32_t)cfg64(bdf, cap + IVSHMEM_CAP_OUTPUT_SZ),
			.bdf = (uint16_t)bdf,
		};
		if (!eth0.mac[0] && !eth0.mac[5]) {
			const uint8_t mac[6] = { 0x02, 0, 0, (uint8_t)(bdf >> 8), (uint8_t)bdf, (uint8_t)(config.id + 1) };
			memcpy(eth0.mac, mac, 6);
		}
		if (!eth0.ip)                  /* "ip=A.B.C.D/N" on the kernel command line */
			net_configure(&eth0, board.bootargs);
		irq = VPCI_IRQ_BASE + ((cfg32(bdf, 0x3c) >> 8) & 0xff) - 1;
		probed = 1;
		return 0;
	}
	return -1;
}

static void link_changed(void *ctx, int carrier)
{
	con_printf("%s: link %s\n", eth0.name, carrier ? "up" : "down");
}

static void device_irq(uint32_t src, void *ctx)
{
	irq_events++;
	eth0.dev.stats.interrupts++;
}

static int eth0_poll(void *ctx)
{
	uint32_t seen = irq_events;
	int more = net_poll(&eth0);
	if (more || irq_events != seen)
		job_wake_at(read_time());
	else if (net_next_timer(&eth0) != ~0ull)
		job_wake_at(net_next_timer(&eth0));
	return -1;
}

static void eth0_remove(void *ctx)
{
	ivnet_remove(&eth0.dev);
	irq_unregister(irq);
	eth0.attached = 0;
	job = -1;
}

static const struct job_ops eth0_job = { eth0_poll, eth0_remove };

/* Waits (running the jobs, so the link keeps working) until done() holds, the deadline passes or
 * Ctrl-C; returns 1 on Ctrl-C. */
static int net_wait(unsigned long deadline, int (*done)(void))
{
	while (!done() && read_time() < deadline) {
		uint32_t seen = irq_events;
		jobs_poll();
		if (done() || con_interrupted())
			break;
		unsigned long wake = jobs_next_wake();
		if (wake > deadline)
			wake = deadline;
		csr_set(sie, SIE_STIE);
		sbi_set_timer(wake);
		csr_clear(sstatus, SSTATUS_SIE);
		if (irq_events == seen && read_time() < wake && !con_interrupted())
			asm volatile("wfi");
		csr_set(sstatus, SSTATUS_SIE);
	}
	sbi_set_timer(~0UL);
	csr_clear(sie, SIE_STIE);
	return con_interrupted();
}

static int no_device(const char *cmd)
{
	con_printf("%s: eth0: no ivshmem-net device (protocol 0x0001) on the PCI bus\n", cmd);
	return 1;
}

/* ---- ip ---- */

static void print_link(int stats)
{
	struct ivnet *d = &eth0.dev;
	int up = eth0.attached && d->admin_up, lower = up && d->carrier;
	con_printf("1: eth0: <BROADCAST,MULTICAST%s%s%s> mtu %u state %s\n", up && !lower ? ",NO-CARRIER" : "",
		   up ? ",UP" : "", lower ? ",LOWER_UP" : "", eth0.attached ? d->mtu : IVNET_MTU_DEF,
		   lower ? "UP" : "DOWN");
	const uint8_t *m = eth0.mac;
	con_printf("    link/ether %02x:%02x:%02x:%02x:%02x:%02x brd ff:ff:ff:ff:ff:ff\n", m[0], m[1], m[2], m[3], m[4], m[5]);
	uint32_t peer_state = ((volatile uint32_t *)config.state_table)[!config.id];
	con_printf("    ivshmem-net %02x:%02x.%x peer %u, state %s, peer state %s, queue %u\n", config.bdf >> 8,
		   (config.bdf >> 3) & 0x1f, config.bdf & 7, !config.id, ivnet_state_name(eth0.attached ? d->state : 0),
		   ivnet_state_name(peer_state), eth0.attached ? d->qlen : 0);
	if (!stats)
		return;
	const struct ivnet_stats *s = &d->stats;
	con_printf("    RX:  bytes packets errors dropped\n    %10lu %7lu %6lu %7lu\n", (unsigned long)s->rx_bytes,
		   (unsigned long)s->rx_packets, (unsigned long)s->rx_errors,
		   (unsigned long)(s->rx_dropped + eth0.stats.rx_dropped));
	con_printf("    TX:  bytes packets errors dropped\n    %10lu %7lu %6lu %7lu\n", (unsigned long)s->tx_bytes,
		   (unsigned long)s->tx_packets, (unsigned long)s->tx_errors,
		   (unsigned long)(s->tx_dropped + eth0.stats.arp_failed));
	con_printf("    interrupts %lu, kicks sent %lu\n", (unsigned long)s->interrupts,
		   (unsigned long)(s->tx_notify + s->rx_notify));
}

static void print_addr(int stats)
{
	print_link(stats);
	if (eth0.ip) {
		char a[16], b[16];
		uint32_t mask = eth0.prefix ? ~0u << (32 - eth0.prefix) : 0;
		con_printf("    inet %s/%u brd %s scope global eth0\n", net_format_ip(a, eth0.ip), eth0.prefix,
			   net_format_ip(b, eth0.ip | ~mask));
	}
}

static int link_up(void)
{
	if (job >= 0) {
		ivnet_open(&eth0.dev);
		return 0;
	}
	const char *why;
	if (net_attach(&eth0, "eth0", &config, link_changed, 0, &why)) {
		con_printf("ip: eth0: %s\n", why);
		return 1;
	}
	if (irq_register(irq, device_irq, 0)) {
		con_printf("ip: eth0: interrupt %u is taken\n", irq);
		ivnet_remove(&eth0.dev);
		eth0.attached = 0;
		return 1;
	}
	job = job_start("ip link set eth0 up", &eth0_job, 0);
	if (job < 0) {
		con_puts("ip: no free job slot\n");
		eth0_remove(0);
		return 1;
	}
	ivnet_open(&eth0.dev);
	return 0;
}

static int ip_usage(void)
{
	con_puts("usage: ip [-s] addr|link|neigh [show]\n"
		 "       ip addr add|del ADDR/PREFIX dev eth0\n"
		 "       ip link set eth0 up|down\n");
	return 1;
}

int cmd_ip(int argc, char **argv)
{
	int stats = 0, a = 1;
	if (a < argc && !strcmp(argv[a], "-s")) {
		stats = 1;
		a++;
	}
	if (a >= argc)
		return ip_usage();
	if (probe())
		return no_device("ip");
	const char *obj = argv[a++];
	int show = a >= argc || !strcmp(argv[a], "show");
	if (!strcmp(obj, "addr") || !strcmp(obj, "a") || !strcmp(obj, "address")) {
		if (show) {
			print_addr(stats);
			return 0;
		}
		uint32_t ip, prefix = 32;
		int add = !strcmp(argv[a], "add");
		if ((!add && strcmp(argv[a], "del")) || a + 1 >= argc || net_parse_ip(argv[a + 1], &ip, &prefix) ||
		    (a + 2 < argc && (a + 4 != argc || strcmp(argv[a + 2], "dev") || strcmp(argv[a + 3], "eth0"))))
			return ip_usage();
		if (add && eth0.ip) {
			con_puts("RTNETLINK answers: File exists\n");
			return 2;
		}
		if (!add && (ip != eth0.ip || prefix != eth0.prefix)) {
			con_puts("RTNETLINK answers: Cannot assign requested address\n");
			return 2;
		}
		eth0.ip = add ? ip : 0;
		eth0.prefix = add ? prefix : 0;
		return 0;
	}
	if (!strcmp(obj, "link") || !strcmp(obj, "l")) {
		if (show) {
			print_link(1);
			return 0;
		}
		if (strcmp(argv[a], "set") || a + 3 != argc || strcmp(argv[a + 1], "eth0"))
			return ip_usage();
		if (!strcmp(argv[a + 2], "up"))
			return link_up();
		if (!strcmp(argv[a + 2], "down")) {
			if (eth0.attached)
				ivnet_stop(&eth0.dev);
			return 0;
		}
		return ip_usage();
	}
	if (!strcmp(obj, "neigh") || !strcmp(obj, "n")) {
		for (int i = 0; i < NET_ARP_ENTRIES; i++) {
			if (!eth0.arp[i].valid)
				continue;
			char b[16];
			const uint8_t *m = eth0.arp[i].mac;
			con_printf("%s dev eth0 lladdr %02x:%02x:%02x:%02x:%02x:%02x REACHABLE\n", net_format_ip(b, eth0.arp[i].ip),
				   m[0], m[1], m[2], m[3], m[4], m[5]);
		}
		return 0;
	}
	return ip_usage();
}

/* ---- ping ---- */

static struct {
	uint16_t id, seq_wanted;
	uint32_t dst;
	uint64_t sent_at[65536 / 64];     /* by seq % 1024 */
	uint32_t received, size;
	int quiet, got;
	uint64_t tmin, tmax, tsum, tsum2;  /* microseconds */
} ping;

static uint64_t ticks_to_us(uint64_t t) { return t * 1000000 / board.timebase; }

static void print_ms(uint64_t us, int fixed3)
{
	if (fixed3 || us < 1000)
		con_printf("%lu.%03lu", (unsigned long)(us / 1000), (unsigned long)(us % 1000));
	else if (us < 10000)
		con_printf("%lu.%02lu", (unsigned long)(us / 1000), (unsigned long)(us % 1000 / 10));
	else if (us < 100000)
		con_printf("%lu.%01lu", (unsigned long)(us / 1000), (unsigned long)(us % 1000 / 100));
	else
		con_printf("%lu", (unsigned long)(us / 1000));
}

static void echo_reply(void *ctx, uint32_t src, uint16_t id, uint16_t seq, const uint8_t *data, uint32_t len, uint8_t ttl)
{
	if (id != ping.id || src != ping.dst || len != ping.size)
		return;
	uint64_t rtt = ticks_to_us(read_time() - ping.sent_at[seq % 1024]);
	ping.received++;
	ping.tsum += rtt;
	ping.tsum2 += rtt * rtt;
	if (!ping.tmin || rtt < ping.tmin)
		ping.tmin = rtt;
	if (rtt > ping.tmax)
		ping.tmax = rtt;
	if (seq == ping.seq_wanted)
		ping.got = 1;
	if (!ping.quiet) {
		char b[16];
		con_printf("%u bytes from %s: icmp_seq=%u ttl=%u time=", len + 8, net_format_ip(b, src), seq, ttl);
		print_ms(rtt, 0);
		con_puts(" ms\n");
	}
}

static int ping_done(void) { return ping.got; }
static int never(void) { return 0; }

static uint64_t isqrt(uint64_t v)
{
	uint64_t r = 0;
	for (uint64_t bit = 1ull << 62; bit; bit >>= 2) {
		if (v >= r + bit) {
			v -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

static int parse_seconds_ms(const char *s, unsigned long *ms)
{
	unsigned long whole = 0, frac = 0, scale = 1000;
	const char *p = s;
	while (*p >= '0' && *p <= '9')
		whole = whole * 10 + (unsigned long)(*p++ - '0');
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale > 1)
				frac += (unsigned long)(*p - '0') * (scale /= 10);
	if (*p || p == s)
		return -1;
	*ms = whole * 1000 + frac;
	return 0;
}

int cmd_ping(int argc, char **argv)
{
	unsigned long count = 0, size = 56, interval_ms = 1000, wait_ms = 1000, v;
	int quiet = 0, a;
	const char *host = 0;
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-q")) {
			quiet = 1;
		} else if (!strcmp(argv[a], "-f")) {
			quiet = 1;
			interval_ms = 0;
		} else if (a + 1 < argc && !strcmp(argv[a], "-c") && !parse_ulong(argv[a + 1], &v) && v) {
			count = v;
			a++;
		} else if (a + 1 < argc && !strcmp(argv[a], "-s") && !parse_ulong(argv[a + 1], &v) && v >= 8 && v <= 16000) {
			size = v;
			a++;
		} else if (a + 1 < argc && !strcmp(argv[a], "-i") && !parse_seconds_ms(argv[a + 1], &interval_ms)) {
			a++;
		} else if (a + 1 < argc && !strcmp(argv[a], "-W") && !parse_seconds_ms(argv[a + 1], &wait_ms)) {
			a++;
		} else if (!host && argv[a][0] != '-') {
			host = argv[a];
		} else {
			host = 0;
			break;
		}
	}
	uint32_t dst;
	if (!host || a < argc || net_parse_ip(host, &dst, 0)) {
		con_puts("usage: ping [-c COUNT] [-i SECONDS] [-s SIZE] [-W SECONDS] [-q] [-f] ADDRESS\n");
		return 2;
	}
	if (probe())
		return no_device("ping");
	static uint8_t payload[16000];
	static uint16_t next_id = 0x4a48;
	ping.id = next_id++;
	ping.dst = dst;
	ping.size = (uint32_t)size;
	ping.quiet = quiet;
	ping.received = 0;
	ping.tmin = ping.tmax = ping.tsum = ping.tsum2 = 0;
	for (unsigned long i = 0; i < size; i++)
		payload[i] = (uint8_t)i;
	eth0.echo_fn = echo_reply;
	con_printf("PING %s (%s) %lu(%lu) bytes of data.\n", host, host, size, size + 28);
	unsigned long rate = board.timebase, start = read_time(), transmitted = 0, end = start;
	int interrupted = 0;
	for (uint32_t seq = 1; !count || seq <= count; seq++) {
		unsigned long now = read_time();
		ping.sent_at[seq % 1024] = now;
		ping.seq_wanted = (uint16_t)seq;
		ping.got = 0;
		int r = net_echo_request(&eth0, dst, ping.id, (uint16_t)seq, payload, (uint32_t)size);
		if (r < 0 && r != NET_ENOBUFS) {
			con_printf("ping: sendmsg: %s\n", net_strerror(r));
			if (!transmitted) {
				eth0.echo_fn = 0;
				return 2;
			}
		}
		transmitted++;
		int last = count && seq == count;
		unsigned long deadline = now + (last ? wait_ms : interval_ms) * (rate / 1000);
		if (!interval_ms && !last)   /* flood: the next one when this one is answered (or lost) */
			deadline = now + wait_ms * (rate / 1000);
		if ((interrupted = net_wait(deadline, interval_ms && !last ? never : ping_done)))
			break;
		end = read_time();
		if (interval_ms && !last && read_time() < deadline)
			if ((interrupted = net_wait(deadline, never)))
				break;
	}
	if (interrupted)
		end = read_time();
	eth0.echo_fn = 0;
	char b[16];
	con_printf("\n--- %s ping statistics ---\n", net_format_ip(b, dst));
	unsigned long lost = transmitted - ping.received;
	con_printf("%lu packets transmitted, %u received, ", transmitted, ping.received);
	if (lost * 100 % (transmitted ? transmitted : 1) == 0)
		con_printf("%lu%% packet loss", transmitted ? lost * 100 / transmitted : 0);
	else
		con_printf("%lu.%04lu%% packet loss", lost * 100 / transmitted, lost * 1000000 / transmitted % 10000);
	con_printf(", time %lums\n", (unsigned long)ticks_to_us(end - start) / 1000);
	if (ping.received) {
		uint64_t avg = ping.tsum / ping.received, var = ping.tsum2 / ping.received - avg * avg;
		con_puts("rtt min/avg/max/mdev = ");
		print_ms(ping.tmin, 1);
		con_puts("/");
		print_ms(avg, 1);
		con_puts("/");
		print_ms(ping.tmax, 1);
		con_puts("/");
		print_ms(isqrt(var), 1);
		con_puts(" ms\n");
	}
	return ping.received ? 0 : 1;
}

/* ---- udp ---- */

static struct {
	uint32_t dst, replies, count, size, intact;
	uint64_t reply_bytes;
	uint16_t port;
	const uint8_t *sent;
	uint32_t sent_len;
	int text;
} send;

static void print_payload(const uint8_t *data, uint32_t len)
{
	uint32_t n = len < 64 ? len : 64;
	for (uint32_t i = 0; i < n; i++)
		con_putc(data[i] >= 32 && data[i] < 127 ? (char)data[i] : '.');
	if (n < len)
		con_puts("...");
}

static void send_reply(void *ctx, uint32_t src, uint16_t sport, uint16_t dport, const uint8_t *data, uint32_t len)
{
	send.replies++;
	send.reply_bytes += len;
	int same = len == send.sent_len && !memcmp(data, send.sent, len);
	send.intact += same;
	if (send.count > 1)
		return;
	char b[16];
	con_printf("udp: reply from %s:%u: %u bytes", net_format_ip(b, src), sport, len);
	if (send.text) {
		con_puts(": ");
		print_payload(data, len);
		con_puts("\n");
	} else {
		con_printf(", payload %s\n", same ? "intact" : "differs");
	}
}

static int replies_done(void) { return send.replies >= send.count; }
static int arp_resolved(void) { return !eth0.pending.used; }
static int tx_room(void) { return ivnet_tx_ready(&eth0.dev) || !eth0.dev.carrier; }

static int udp_usage(void)
{
	con_puts("usage: udp send [-n COUNT] [-s SIZE] ADDRESS PORT [TEXT...]\n"
		 "       udp listen [-e] PORT    (Ctrl-C ends; with & it goes on as a job)\n");
	return 2;
}

static int udp_send(int argc, char **argv)
{
	unsigned long count = 1, size = 0, port, v;
	int a = 2;
	for (; a + 1 < argc && argv[a][0] == '-'; a += 2) {
		if (!strcmp(argv[a], "-n") && !parse_ulong(argv[a + 1], &v) && v)
			count = v;
		else if (!strcmp(argv[a], "-s") && !parse_ulong(argv[a + 1], &v) && v <= 16000)
			size = v;
		else
			return udp_usage();
	}
	uint32_t dst;
	if (a + 2 > argc || net_parse_ip(argv[a], &dst, 0) || parse_ulong(argv[a + 1], &port) || !port || port > 65535)
		return udp_usage();
	static uint8_t payload[16000];
	uint32_t len = 0;
	if (a + 2 < argc) {
		for (int i = a + 2; i < argc; i++) {
			size_t n = strlen(argv[i]);
			if (len + n + 1 > sizeof(payload))
				return udp_usage();
			if (i > a + 2)
				payload[len++] = ' ';
			memcpy(payload + len, argv[i], n);
			len += (uint32_t)n;
		}
		send.text = 1;
	} else {
		for (uint32_t i = 0; i < size; i++)
			payload[i] = (uint8_t)('a' + i % 26);
		len = (uint32_t)size;
		send.text = 0;
	}
	static uint16_t next_port = 49152;
	uint16_t sport = next_port++;
	if (next_port == 0)
		next_port = 49152;
	send.dst = dst;
	send.count = (uint32_t)count;
	send.replies = send.intact = 0;
	send.reply_bytes = 0;
	send.sent = payload;
	send.sent_len = len;
	if (net_udp_bind(&eth0, sport, send_reply, 0)) {
		con_puts("udp: no free socket\n");
		return 1;
	}
	unsigned long rate = board.timebase, start = read_time();
	unsigned long sent = 0;
	int r = 0;
	for (; sent < count; sent++) {
		if (!tx_room() && net_wait(read_time() + rate, tx_room))
			break;
		r = net_udp_send(&eth0, dst, sport, (uint16_t)port, payload, len);
		if (r == 1)     /* waiting for ARP: let the first one through before the rest */
			net_wait(read_time() + 4 * rate, arp_resolved);
		if (r < 0)
			break;
	}
	unsigned long sent_end = read_time();
	char b[16];
	if (r < 0 && r != NET_ENOBUFS) {
		con_printf("udp: send: %s\n", net_strerror(r));
	} else {
		con_printf("udp: sent %lu datagram%s, %lu bytes to %s:%lu", sent, sent == 1 ? "" : "s", sent * len,
			   net_format_ip(b, dst), port);
		if (count > 1) {
			unsigned long us = (unsigned long)ticks_to_us(sent_end - start);
			con_printf(" in %lu.%03lu ms", us / 1000, us % 1000);
		}
		con_puts("\n");
		net_wait(read_time() + rate, replies_done);
		if (count > 1)
			con_printf("udp: %u replies, %lu bytes, %u intact\n", send.replies, (unsigned long)send.reply_bytes,
				   send.intact);
	}
	net_udp_unbind(&eth0, sport);
	return r < 0 ? 1 : 0;
}

/* udp listen: one socket per job (or the foreground command). */
struct listener {
	uint16_t port;
	int echo;
	uint64_t datagrams, bytes;
};
static struct listener listeners[NET_UDP_SOCKETS];

static void listen_rx(void *ctx, uint32_t src, uint16_t sport, uint16_t dport, const uint8_t *data, uint32_t len)
{
	struct listener *l = ctx;
	l->datagrams++;
	l->bytes += len;
	char b[16];
	con_printf("udp: %u bytes from %s:%u: ", len, net_format_ip(b, src), sport);
	print_payload(data, len);
	con_puts("\n");
	if (l->echo)
		net_udp_send(&eth0, src, dport, sport, data, len);
}

static int listen_poll(void *ctx) { return -1; }   /* the eth0 job delivers; this job only holds the socket */

static void listen_stop(void *ctx)
{
	struct listener *l = ctx;
	net_udp_unbind(&eth0, l->port);
	l->port = 0;
}

static const struct job_ops listen_job = { listen_poll, listen_stop };

static int udp_listen(int argc, char **argv)
{
	unsigned long port;
	int echo = argc > 3 && !strcmp(argv[2], "-e");
	if (argc != 3 + echo || parse_ulong(argv[2 + echo], &port) || !port || port > 65535)
		return udp_usage();
	struct listener *l = 0;
	for (int i = 0; i < NET_UDP_SOCKETS && !l; i++)
		if (!listeners[i].port)
			l = &listeners[i];
	if (!l || net_udp_bind(&eth0, (uint16_t)port, listen_rx, l)) {
		con_printf("udp: port %lu: Address already in use\n", port);
		return 1;
	}
	*l = (struct listener){ .port = (uint16_t)port, .echo = echo };
	if (shell_background) {
		char name[40];
		snprintf(name, sizeof(name), "udp listen %s%lu", echo ? "-e " : "", port);
		if (job_start(name, &listen_job, l) < 0) {
			listen_stop(l);
			con_puts("udp: no free job slot\n");
			return 1;
		}
		return 0;
	}
	net_wait(~0UL, never);
	listen_stop(l);
	con_printf("udp: %lu datagrams, %lu bytes\n", (unsigned long)l->datagrams, (unsigned long)l->bytes);
	return 130;
}

int cmd_udp(int argc, char **argv)
{
	if (argc < 2)
		return udp_usage();
	if (probe())
		return no_device("udp");
	if (!strcmp(argv[1], "send"))
		return udp_send(argc, argv);
	if (!strcmp(argv[1], "listen"))
		return udp_listen(argc, argv);
	return udp_usage();
}
