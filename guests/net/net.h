/* net.h - a small IPv4 stack over the ivshmem-net driver, one source for the root OS and the inmate
 * library: Ethernet, ARP (a cache, requests and retries), IPv4 (no fragments, no routing beyond the own
 * subnet), ICMP echo and UDP.  The host provides time (platform below) and calls net_poll() after every
 * interrupt of the device and by net_next_timer(). */
#ifndef NET_NET_H
#define NET_NET_H

#include "ivshmem-net.h"

/* ---- what the host provides ---- */
uint64_t net_now(void);              /* the time CSR */
uint64_t net_tick_rate(void);        /* its frequency (Hz) */

#define NET_ARP_ENTRIES 8
#define NET_UDP_SOCKETS 8
/* Like Linux's unresolved-neighbour queue: a ping's first packets wait for ARP instead of being lost
 * when the answer takes longer than the next packet (a cell still starting, a slow host). */
#define NET_ARP_QUEUE       8
#define NET_ARP_QUEUE_BYTES (2 * IVNET_FRAME_MAX)
#define NET_TTL         64
#define ETH_HLEN        14
#define ETH_P_IP        0x0800
#define ETH_P_ARP       0x0806
#define IPPROTO_ICMP    1
#define IPPROTO_UDP     17

typedef void (*net_udp_fn)(void *ctx, uint32_t src, uint16_t sport, uint16_t dport, const uint8_t *data, uint32_t len);
/* An ICMP echo reply arrived (for ping): id, sequence, payload, TTL. */
typedef void (*net_echo_fn)(void *ctx, uint32_t src, uint16_t id, uint16_t seq, const uint8_t *data, uint32_t len,
			    uint8_t ttl);

struct netif {
	const char *name;
	struct ivnet dev;
	int attached;
	uint8_t mac[6];
	uint32_t ip, prefix;                /* host byte order; ip 0: no address */
	struct { uint32_t ip; uint8_t mac[6]; int valid; } arp[NET_ARP_ENTRIES];
	unsigned arp_next;                  /* the entry replaced next when the cache is full */
	struct {                            /* packets waiting for one next hop's ARP reply (oldest first) */
		uint32_t ip, count, used, tries;   /* used: bytes of data; 0 when nothing waits */
		uint64_t retry_at;
		uint32_t len[NET_ARP_QUEUE];
		uint8_t data[NET_ARP_QUEUE_BYTES] __attribute__((aligned(8)));
	} pending;
	struct { uint16_t port; net_udp_fn fn; void *ctx; } udp[NET_UDP_SOCKETS];
	net_echo_fn echo_fn;
	void *echo_ctx;
	ivnet_link_fn link_fn;              /* carrier changes, for the host to report */
	void *link_ctx;
	struct {
		uint64_t rx_dropped;        /* frames the stack discarded (not for us, bad header or checksum, no socket) */
		uint64_t arp_failed;        /* packets dropped because their next hop never answered */
		uint64_t echo_requests;     /* pings answered */
	} stats;
	uint16_t ip_id;
	uint8_t out[IVNET_FRAME_MAX] __attribute__((aligned(8)));   /* the frame being built */
};

/* Attaches the stack to a device the host found (ivnet_init); the MAC is 02:00:00:<bus>:<devfn>:<id + 1>
 * unless set afterwards.  0, or -1 with the reason. */
int net_attach(struct netif *nif, const char *name, const struct ivnet_config *cfg, ivnet_link_fn link, void *ctx,
	       const char **why);
int net_poll(struct netif *nif);                    /* nonzero: more to do at once */
uint64_t net_next_timer(const struct netif *nif);   /* time the stack wants a poll by, ~0: none */

int net_udp_bind(struct netif *nif, uint16_t port, net_udp_fn fn, void *ctx);   /* 0, or -1 (taken / full) */
void net_udp_unbind(struct netif *nif, uint16_t port);
/* Sends a datagram / an echo request: 0 sent, 1 queued until the next hop answers ARP, negative when it
 * cannot go: NET_EUNREACH (not in the own subnet, no address), NET_EMSGSIZE, NET_ENOBUFS (ring full). */
#define NET_EUNREACH (-1)
#define NET_EMSGSIZE (-2)
#define NET_ENOBUFS  (-3)
#define NET_ENETDOWN (-4)
int net_udp_send(struct netif *nif, uint32_t dst, uint16_t sport, uint16_t dport, const void *data, uint32_t len);
int net_echo_request(struct netif *nif, uint32_t dst, uint16_t id, uint16_t seq, const void *data, uint32_t len);
const char *net_strerror(int err);

/* "a.b.c.d[/prefix]" -> host order; 0, or -1 when malformed.  *prefix is left alone without "/". */
int net_parse_ip(const char *s, uint32_t *ip, uint32_t *prefix);
/* "a.b.c.d" into buf (16 bytes). */
char *net_format_ip(char *buf, uint32_t ip);
/* Finds "ip=..." (and "mac=...") in a command line and applies them to the interface. */
int net_configure(struct netif *nif, const char *cmdline);
int net_parse_mac(const char *s, uint8_t mac[6]);

#endif
