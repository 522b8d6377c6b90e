/* ivshmem-net.h - the ivshmem-net driver (Ethernet between two cells over an ivshmem 2.0 link), one source
 * for the root OS and the inmate library.  Layout and protocol: docs/ivshmem-net.md (those of Linux's
 * drivers/net/ivshmem-net.c, so either end may be a real Linux peer).
 *
 * The driver owns no interrupt and no PCI code: its host finds the device, fills `struct ivnet_config`
 * and calls ivnet_poll() after every interrupt of the device (and whenever it likes). */
#ifndef NET_IVSHMEM_NET_H
#define NET_IVSHMEM_NET_H

#include <stdint.h>

#define IVNET_STATE_RESET 0
#define IVNET_STATE_INIT  1
#define IVNET_STATE_READY 2
#define IVNET_STATE_RUN   3
#define IVNET_STATE_UNKNOWN 0xffffffffu

#define IVNET_VQ_ALIGN   64
#define IVNET_MTU_DEF    16384
#define IVNET_MTU_MIN    68
#define IVNET_FRAME_MAX  (IVNET_MTU_DEF + 18)   /* largest frame taken in: MTU + Ethernet (+ VLAN) header */
#define IVNET_RX_BUDGET  64                     /* frames per ivnet_poll, so a flood never starves the host */

/* What the host found: the device's registers and its view of the shared memory (identity mapped). */
struct ivnet_config {
	uintptr_t registers;         /* BAR0 */
	uint32_t id;                 /* this peer (0 or 1); the other is !id */
	uintptr_t state_table;
	uintptr_t output_sections;   /* output section of peer 0; peer 1's follows after output_size */
	uint32_t output_size;
	uint16_t bdf;                /* for names only */
};

/* One split virtqueue (virtio 1.0 "legacy" layout, vring_init with 64-byte alignment). */
struct ivnet_queue {
	volatile uint8_t *desc;      /* 16-byte descriptors: u64 addr (offset in the section), u32 len, u16 flags, u16 next */
	volatile uint16_t *avail;    /* flags, idx, ring[num], used_event */
	volatile uint16_t *used;     /* flags, idx, then {u32 id, u32 len}[num], avail_event */
	uint8_t *section;            /* the section the descriptors point into */
	uint32_t data, end;          /* the data area: offsets in the section */
	uint32_t num;
	uint16_t last_avail_idx, last_used_idx;
	uint16_t bad_used_idx;       /* TX: a used index of the peer already counted as bad */
	uint32_t free_head, num_free, head, tail;   /* TX only: free descriptors, data area ring */
};

struct ivnet_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t rx_dropped, tx_dropped;   /* frames lost: bad descriptors, too long, no room in the ring */
	uint64_t rx_errors, tx_errors;     /* protocol violations of the peer seen (bad index, used entry...) */
	uint64_t interrupts, tx_notify, rx_notify;
};

typedef void (*ivnet_rx_fn)(void *ctx, const uint8_t *frame, uint32_t len);
typedef void (*ivnet_link_fn)(void *ctx, int carrier);

struct ivnet {
	struct ivnet_config cfg;
	volatile uint32_t *regs;
	uint8_t *tx_section, *rx_section;
	uint32_t peer, vrsize, qlen, qsize, mtu;
	uint32_t state, last_peer_state;
	int admin_up, running, carrier;
	struct ivnet_queue tx, rx;
	struct ivnet_stats stats;
	ivnet_rx_fn rx_fn;
	ivnet_link_fn link_fn;
	void *ctx;
	uint8_t frame[IVNET_FRAME_MAX];    /* a received frame, copied out of the peer's section */
};

/* Checks the layout (-1 with the reason in *why when the sections cannot hold the queues), resets the
 * device state and enables its interrupts.  The interface starts administratively down. */
int ivnet_init(struct ivnet *n, const struct ivnet_config *cfg, ivnet_rx_fn rx, ivnet_link_fn link, void *ctx,
	       const char **why);
void ivnet_open(struct ivnet *n);                  /* ip link set up */
void ivnet_stop(struct ivnet *n);                  /* ip link set down */
void ivnet_remove(struct ivnet *n);                /* state RESET, interrupts off */
/* Runs the state machine, reclaims sent frames and delivers up to IVNET_RX_BUDGET received ones.
 * Returns nonzero when more received frames wait (poll again soon). */
int ivnet_poll(struct ivnet *n);
/* Queues one Ethernet frame: 0, or -1 when the link is not running or the ring is full (counted). */
int ivnet_xmit(struct ivnet *n, const void *frame, uint32_t len);
int ivnet_tx_ready(struct ivnet *n);               /* a frame of MTU size would fit now */
const char *ivnet_state_name(uint32_t state);

#endif
