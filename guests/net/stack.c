/* stack.c - Ethernet, ARP, IPv4, ICMP echo and UDP for one interface (net.h).  Frames are parsed from the
 * driver's private copy, every length checked against what arrived; replies are built in nif->out. */
#include "net.h"

void *memcpy(void *d, const void *s, unsigned long n);
void *memset(void *s, int c, unsigned long n);
int memcmp(const void *a, const void *b, unsigned long n);

/* memcpy for payloads: Ethernet puts them 2 bytes off an 8-byte boundary, where the library's memcpy
 * falls back to bytes; this one stores aligned words, merging two aligned loads when the source is off. */
static void copy(uint8_t *d, const uint8_t *s, uint32_t n)
{
	for (; n && ((uintptr_t)d & 7); n--)
		*d++ = *s++;
	uint32_t shift = (uint32_t)((uintptr_t)s & 7) * 8;
	if (n >= 8 && !shift) {
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
	} else if (n >= 8) {
		/* the last load is the word holding the last byte needed: no read past the source's word */
		const uint64_t *w = (const uint64_t *)((uintptr_t)s & ~(uintptr_t)7);
		uint64_t lo = *w++;
		for (; n >= 8; n -= 8, d += 8, s += 8) {
			uint64_t hi = *w++;
			*(uint64_t *)d = lo >> shift | hi << (64 - shift);
			lo = hi;
		}
	}
	while (n--)
		*d++ = *s++;
}

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

/* The Internet checksum (RFC 1071) of `len` bytes, continuing `sum` (folded later by csum_fold).
 * Modulo 65535 a byte at an even distance from the start counts 256 times, at an odd one once; 256 * 256
 * is 1, so an aligned stretch can be summed in native little-endian 64-bit loads and rotated by a byte
 * when it starts at an even distance. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, uint32_t len)
{
	uint32_t head = (uint32_t)(-(uintptr_t)p & 7);
	if (head > len)
		head = len;
	for (uint32_t i = 0; i < head; i++)
		sum += (uint32_t)p[i] << (i & 1 ? 0 : 8);
	p += head;
	len -= head;
	uint64_t acc = 0;
	const uint64_t *w = (const uint64_t *)p;
	for (; len >= 8; len -= 8) {
		uint64_t v = *w++;
		acc += (v & 0xffffffff) + (v >> 32);
	}
	for (p = (const uint8_t *)w; len >= 2; len -= 2, p += 2)
		acc += (uint32_t)(p[0] | p[1] << 8);
	if (len)
		acc += p[0];
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return sum + (uint32_t)(head & 1 ? acc : ((acc << 8) | (acc >> 8)) & 0xffff);
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t netmask(const struct netif *nif)
{
	return nif->prefix ? ~0u << (32 - nif->prefix) : 0;
}

static int same_subnet(const struct netif *nif, uint32_t ip)
{
	return nif->ip && ((ip ^ nif->ip) & netmask(nif)) == 0;
}

static int is_broadcast(const struct netif *nif, uint32_t ip)
{
	return ip == 0xffffffffu || (nif->prefix < 31 && nif->ip && same_subnet(nif, ip) && (ip | netmask(nif)) == 0xffffffffu);
}

/* ---- Ethernet and ARP ---- */

static int eth_send(struct netif *nif, const uint8_t *dst, uint16_t type, uint8_t *frame, uint32_t len)
{
	memcpy(frame, dst, 6);
	memcpy(frame + 6, nif->mac, 6);
	put16(frame + 12, type);
	return ivnet_xmit(&nif->dev, frame, len) ? NET_ENOBUFS : 0;
}

static const uint8_t *arp_lookup(const struct netif *nif, uint32_t ip)
{
	for (int i = 0; i < NET_ARP_ENTRIES; i++)
		if (nif->arp[i].valid && nif->arp[i].ip == ip)
			return nif->arp[i].mac;
	return 0;
}

static uint32_t align8(uint32_t n) { return (n + 7) & ~7u; }

/* Empties the ARP queue, counting its packets as lost when `lost`. */
static void pending_clear(struct netif *nif, int lost)
{
	if (lost)
		nif->stats.arp_failed += nif->pending.count;
	nif->pending.count = nif->pending.used = 0;
}

/* Queues a frame for an unresolved next hop, dropping the oldest ones while it does not fit (as Linux
 * does); 1 when an ARP request should go out now (the queue was empty or waited for another hop). */
static int pending_add(struct netif *nif, uint32_t dst, const uint8_t *frame, uint32_t len)
{
	int ask = !nif->pending.used || nif->pending.ip != dst;
	if (ask)
		pending_clear(nif, 1);
	while (nif->pending.count == NET_ARP_QUEUE || nif->pending.used + align8(len) > NET_ARP_QUEUE_BYTES) {
		uint32_t first = align8(nif->pending.len[0]);
		memmove(nif->pending.data, nif->pending.data + first, nif->pending.used - first);
		memmove(nif->pending.len, nif->pending.len + 1, (nif->pending.count - 1) * sizeof(nif->pending.len[0]));
		nif->pending.used -= first;
		nif->pending.count--;
		nif->stats.arp_failed++;
	}
	memcpy(nif->pending.data + nif->pending.used, frame, len);
	put16(nif->pending.data + nif->pending.used + 12, ETH_P_IP);
	nif->pending.len[nif->pending.count++] = len;
	nif->pending.used += align8(len);
	nif->pending.ip = dst;
	return ask;
}

static void arp_learn(struct netif *nif, uint32_t ip, const uint8_t *mac, int create)
{
	int slot = -1;
	for (int i = 0; i < NET_ARP_ENTRIES && slot < 0; i++)
		if (nif->arp[i].valid && nif->arp[i].ip == ip)
			slot = i;
	if (slot < 0) {
		if (!create)
			return;
		for (int i = 0; i < NET_ARP_ENTRIES && slot < 0; i++)
			if (!nif->arp[i].valid)
				slot = i;
		if (slot < 0)
			slot = (int)(nif->arp_next++ % NET_ARP_ENTRIES);
	}
	nif->arp[slot].ip = ip;
	memcpy(nif->arp[slot].mac, mac, 6);
	nif->arp[slot].valid = 1;
	/* the packets waiting for this neighbour can go now, in order */
	if (nif->pending.used && nif->pending.ip == ip) {
		uint8_t *frame = nif->pending.data;
		for (uint32_t i = 0; i < nif->pending.count; frame += align8(nif->pending.len[i]), i++)
			eth_send(nif, mac, get16(frame + 12), frame, nif->pending.len[i]);
		pending_clear(nif, 0);
	}
}

static void arp_send(struct netif *nif, uint16_t op, const uint8_t *eth_dst, const uint8_t *tha, uint32_t tip)
{
	uint8_t frame[ETH_HLEN + 28];
	uint8_t *a = frame + ETH_HLEN;
	put16(a, 1);                 /* Ethernet */
	put16(a + 2, ETH_P_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, nif->mac, 6);
	put32(a + 14, nif->ip);
	memcpy(a + 18, tha, 6);
	put32(a + 24, tip);
	eth_send(nif, eth_dst, ETH_P_ARP, frame, sizeof(frame));
}

static void arp_input(struct netif *nif, const uint8_t *a, uint32_t len)
{
	if (len < 28 || get16(a) != 1 || get16(a + 2) != ETH_P_IP || a[4] != 6 || a[5] != 4) {
		nif->stats.rx_dropped++;
		return;
	}
	uint16_t op = get16(a + 6);
	uint32_t sip = get32(a + 14), tip = get32(a + 24);
	int for_us = nif->ip && tip == nif->ip;
	if (sip)
		arp_learn(nif, sip, a + 8, for_us);
	if (op == 1 && for_us)
		arp_send(nif, 2, a + 8, a + 8, sip);
}

/* Sends an IPv4 packet whose payload is already at nif->out + 34: resolves the next hop, or queues the
 * packet and asks for it. */
static int ip_output(struct netif *nif, uint32_t dst, uint8_t proto, uint32_t payload_len)
{
	if (!nif->dev.running || !nif->dev.carrier)
		return NET_ENETDOWN;
	if (!nif->ip || (!same_subnet(nif, dst) && dst != 0xffffffffu))
		return NET_EUNREACH;
	if (20 + payload_len > nif->dev.mtu)
		return NET_EMSGSIZE;
	uint8_t *ip = nif->out + ETH_HLEN;
	uint32_t total = 20 + payload_len;
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)total);
	put16(ip + 4, nif->ip_id++);
	put16(ip + 6, 0x4000);       /* DF: no fragments here */
	ip[8] = NET_TTL;
	ip[9] = proto;
	put16(ip + 10, 0);
	put32(ip + 12, nif->ip);
	put32(ip + 16, dst);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	uint32_t len = ETH_HLEN + total;
	if (is_broadcast(nif, dst))
		return eth_send(nif, broadcast, ETH_P_IP, nif->out, len);
	const uint8_t *mac = arp_lookup(nif, dst);
	if (mac)
		return eth_send(nif, mac, ETH_P_IP, nif->out, len);
	if (pending_add(nif, dst, nif->out, len)) {
		nif->pending.tries = 1;
		nif->pending.retry_at = net_now() + net_tick_rate();
		arp_send(nif, 1, broadcast, (const uint8_t[6]){ 0 }, dst);
	}
	return 1;
}

/* ---- ICMP and UDP ---- */

static void icmp_input(struct netif *nif, uint32_t src, uint8_t ttl, const uint8_t *icmp, uint32_t len)
{
	if (len < 8 || csum_fold(csum_add(0, icmp, len)) != 0) {
		nif->stats.rx_dropped++;
		return;
	}
	if (icmp[0] == 8 && icmp[1] == 0) {            /* echo request: the same message back as a reply */
		if (len > nif->dev.mtu - 20)
			return;
		uint8_t *reply = nif->out + ETH_HLEN + 20;
		copy(reply, icmp, len);
		reply[0] = 0;
		put16(reply + 2, 0);
		put16(reply + 2, csum_fold(csum_add(0, reply, len)));
		nif->stats.echo_requests++;
		ip_output(nif, src, IPPROTO_ICMP, len);
	} else if (icmp[0] == 0 && icmp[1] == 0 && nif->echo_fn) {
		nif->echo_fn(nif->echo_ctx, src, get16(icmp + 4), get16(icmp + 6), icmp + 8, len - 8, ttl);
	}
}

static uint32_t udp_pseudo(uint32_t src, uint32_t dst, uint32_t len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + IPPROTO_UDP + len;
}

static void udp_input(struct netif *nif, uint32_t src, uint32_t dst, const uint8_t *udp, uint32_t len)
{
	if (len < 8 || get16(udp + 4) < 8 || get16(udp + 4) > len) {
		nif->stats.rx_dropped++;
		return;
	}
	len = get16(udp + 4);
	if (get16(udp + 6) && csum_fold(csum_add(udp_pseudo(src, dst, len), udp, len)) != 0) {
		nif->stats.rx_dropped++;
		return;
	}
	uint16_t dport = get16(udp + 2);
	for (int i = 0; i < NET_UDP_SOCKETS; i++) {
		if (nif->udp[i].fn && nif->udp[i].port == dport) {
			nif->udp[i].fn(nif->udp[i].ctx, src, get16(udp), dport, udp + 8, len - 8);
			return;
		}
	}
	nif->stats.rx_dropped++;     /* no socket (Linux would answer "port unreachable") */
}

static void ip_input(struct netif *nif, const uint8_t *ip, uint32_t len)
{
	if (len < 20 || (ip[0] >> 4) != 4 || (ip[0] & 15) < 5) {
		nif->stats.rx_dropped++;
		return;
	}
	uint32_t hlen = (ip[0] & 15) * 4u, total = get16(ip + 2);
	if (hlen > len || total < hlen || total > len || csum_fold(csum_add(0, ip, hlen)) != 0 ||
	    (get16(ip + 6) & 0x3fff)) {                  /* fragments are not reassembled */
		nif->stats.rx_dropped++;
		return;
	}
	uint32_t src = get32(ip + 12), dst = get32(ip + 16);
	if (!nif->ip || (dst != nif->ip && !is_broadcast(nif, dst))) {
		nif->stats.rx_dropped++;
		return;
	}
	if (ip[9] == IPPROTO_ICMP && dst == nif->ip)
		icmp_input(nif, src, ip[8], ip + hlen, total - hlen);
	else if (ip[9] == IPPROTO_UDP)
		udp_input(nif, src, dst, ip + hlen, total - hlen);
	else
		nif->stats.rx_dropped++;
}

/* The driver's receive callback. */
static void eth_input(void *ctx, const uint8_t *frame, uint32_t len)
{
	struct netif *nif = ctx;
	if (memcmp(frame, nif->mac, 6) && memcmp(frame, broadcast, 6)) {
		nif->stats.rx_dropped++;
		return;
	}
	uint16_t type = get16(frame + 12);
	if (type == ETH_P_ARP)
		arp_input(nif, frame + ETH_HLEN, len - ETH_HLEN);
	else if (type == ETH_P_IP)
		ip_input(nif, frame + ETH_HLEN, len - ETH_HLEN);
	else
		nif->stats.rx_dropped++;
}

/* ---- the interface ---- */

static void link_changed(void *ctx, int carrier)
{
	struct netif *nif = ctx;
	if (!carrier)
		pending_clear(nif, 1);
	if (nif->link_fn)
		nif->link_fn(nif->link_ctx, carrier);
}

int net_attach(struct netif *nif, const char *name, const struct ivnet_config *cfg, ivnet_link_fn link, void *ctx,
	       const char **why)
{
	/* addresses, sockets and the echo handler may be set before the device comes up: they stay */
	nif->name = name;
	nif->attached = 0;
	memset(nif->arp, 0, sizeof(nif->arp));
	memset(&nif->stats, 0, sizeof(nif->stats));
	nif->pending.count = nif->pending.used = 0;
	nif->link_fn = link;
	nif->link_ctx = ctx;
	if (ivnet_init(&nif->dev, cfg, eth_input, link_changed, nif, why))
		return -1;
	static const uint8_t none[6];
	if (!memcmp(nif->mac, none, 6)) {
		const uint8_t def[6] = { 0x02, 0, 0, (uint8_t)(cfg->bdf >> 8), (uint8_t)cfg->bdf, (uint8_t)(cfg->id + 1) };
		memcpy(nif->mac, def, 6);
	}
	nif->attached = 1;
	return 0;
}

int net_poll(struct netif *nif)
{
	if (!nif->attached)
		return 0;
	int more = ivnet_poll(&nif->dev);
	if (nif->pending.used && net_now() >= nif->pending.retry_at) {
		if (nif->pending.tries >= 3 || !nif->dev.carrier) {
			pending_clear(nif, 1);
		} else {
			nif->pending.tries++;
			nif->pending.retry_at = net_now() + net_tick_rate();
			arp_send(nif, 1, broadcast, (const uint8_t[6]){ 0 }, nif->pending.ip);
		}
	}
	return more;
}

uint64_t net_next_timer(const struct netif *nif)
{
	return nif->pending.used ? nif->pending.retry_at : ~0ull;
}

int net_udp_bind(struct netif *nif, uint16_t port, net_udp_fn fn, void *ctx)
{
	int slot = -1;
	for (int i = 0; i < NET_UDP_SOCKETS; i++) {
		if (nif->udp[i].fn && nif->udp[i].port == port)
			return -1;
		if (!nif->udp[i].fn && slot < 0)
			slot = i;
	}
	if (slot < 0)
		return -1;
	nif->udp[slot].port = port;
	nif->udp[slot].ctx = ctx;
	nif->udp[slot].fn = fn;
	return 0;
}

void net_udp_unbind(struct netif *nif, uint16_t port)
{
	for (int i = 0; i < NET_UDP_SOCKETS; i++)
		if (nif->udp[i].fn && nif->udp[i].port == port)
			nif->udp[i].fn = 0;
}

int net_udp_send(struct netif *nif, uint32_t dst, uint16_t sport, uint16_t dport, const void *data, uint32_t len)
{
	if (len + 28 > nif->dev.mtu)
		return NET_EMSGSIZE;
	uint8_t *udp = nif->out + ETH_HLEN + 20;
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)(8 + len));
	put16(udp + 6, 0);
	copy(udp + 8, data, len);
	uint16_t sum = csum_fold(csum_add(udp_pseudo(nif->ip, dst, 8 + len), udp, 8 + len));
	put16(udp + 6, sum ? sum : 0xffff);
	return ip_output(nif, dst, IPPROTO_UDP, 8 + len);
}

int net_echo_request(struct netif *nif, uint32_t dst, uint16_t id, uint16_t seq, const void *data, uint32_t len)
{
	if (len + 28 > nif->dev.mtu)
		return NET_EMSGSIZE;
	uint8_t *icmp = nif->out + ETH_HLEN + 20;
	icmp[0] = 8;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, id);
	put16(icmp + 6, seq);
	copy(icmp + 8, data, len);
	put16(icmp + 2, csum_fold(csum_add(0, icmp, 8 + len)));
	return ip_output(nif, dst, IPPROTO_ICMP, 8 + len);
}

const char *net_strerror(int err)
{
	switch (err) {
	case NET_EUNREACH: return "Network is unreachable";
	case NET_EMSGSIZE: return "Message too long";
	case NET_ENOBUFS: return "No buffer space available";
	case NET_ENETDOWN: return "Network is down";
	default: return "error";
	}
}

/* ---- addresses ---- */

static const char *parse_num(const char *s, uint32_t *v, uint32_t max)
{
	uint32_t n = 0;
	const char *start = s;
	while (*s >= '0' && *s <= '9' && s - start < 4)
		n = n * 10 + (uint32_t)(*s++ - '0');
	if (s == start || n > max)
		return 0;
	*v = n;
	return s;
}

int net_parse_ip(const char *s, uint32_t *ip, uint32_t *prefix)
{
	uint32_t v = 0, part;
	for (int i = 0; i < 4; i++) {
		if (!(s = parse_num(s, &part, 255)))
			return -1;
		v = v << 8 | part;
		if (i < 3 && *s++ != '.')
			return -1;
	}
	if (*s == '/') {
		if (!prefix || !(s = parse_num(s + 1, &part, 32)))
			return -1;
		*prefix = part;
	}
	if (*s && *s != ' ')
		return -1;
	*ip = v;
	return 0;
}

char *net_format_ip(char *buf, uint32_t ip)
{
	char *p = buf;
	for (int i = 3; i >= 0; i--) {
		uint32_t b = (ip >> (8 * i)) & 255;
		if (b >= 100)
			*p++ = (char)('0' + b / 100);
		if (b >= 10)
			*p++ = (char)('0' + b / 10 % 10);
		*p++ = (char)('0' + b % 10);
		if (i)
			*p++ = '.';
	}
	*p = 0;
	return buf;
}

static int hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10 : -1;
}

int net_parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int h = hex(s[0]), l = hex(s[1]);
		if (h < 0 || l < 0 || (i < 5 && s[2] != ':'))
			return -1;
		mac[i] = (uint8_t)(h << 4 | l);
		s += i < 5 ? 3 : 2;
	}
	return *s && *s != ' ' ? -1 : 0;
}

/* Finds `key=` at the start of a word of the command line. */
static const char *param(const char *cmdline, const char *key, unsigned long klen)
{
	for (const char *p = cmdline; p && *p;) {
		while (*p == ' ')
			p++;
		if (!memcmp(p, key, klen))
			return p + klen;
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

int net_configure(struct netif *nif, const char *cmdline)
{
	const char *v = param(cmdline, "ip=", 3);
	if (v) {
		uint32_t ip, prefix = 24;
		if (net_parse_ip(v, &ip, &prefix))
			return -1;
		nif->ip = ip;
		nif->prefix = prefix;
	}
	v = param(cmdline, "mac=", 4);
	if (v && net_parse_mac(v, nif->mac))
		return -1;
	return 0;
}
