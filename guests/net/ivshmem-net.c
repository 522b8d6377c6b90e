/* ivshmem-net.c - Ethernet between two cells over an ivshmem 2.0 link, as Linux's ivshmem-net driver does
 * it (docs/ivshmem-net.md has every offset).  Each side transmits through a split virtqueue in its own
 * output section and receives through the peer's; the two used rings are swapped, so each side only ever
 * writes its own section.  Everything read from the peer's section is checked before use: a peer that
 * writes garbage costs dropped frames and counters, never an access outside the sections or a hang. */
#include <jailhouse/ivshmem.h>
#include "ivshmem-net.h"

void *memcpy(void *d, const void *s, unsigned long n);
void *memset(void *s, int c, unsigned long n);

#define ALIGN(x, a)        (((x) + (a) - 1) & ~((uint32_t)(a) - 1))
#define FRAME_SIZE(len)    ALIGN(18 + (len), 64)    /* a frame's slot in the data area */

static inline void mb(void) { asm volatile("fence rw, rw" ::: "memory"); }

/* ---- the split ring (vring_init layout) ---- */

static uint32_t vring_used_offset(uint32_t num)
{
	return ALIGN(16 * num + 2 * (3 + num), IVNET_VQ_ALIGN);
}

static uint32_t vring_size(uint32_t num)
{
	return vring_used_offset(num) + 2 * 3 + 8 * num;
}

static inline volatile uint64_t *desc_addr(const struct ivnet_queue *q, uint32_t i) { return (volatile uint64_t *)(q->desc + 16 * i); }
static inline volatile uint32_t *desc_len(const struct ivnet_queue *q, uint32_t i) { return (volatile uint32_t *)(q->desc + 16 * i + 8); }
static inline volatile uint16_t *desc_flags(const struct ivnet_queue *q, uint32_t i) { return (volatile uint16_t *)(q->desc + 16 * i + 12); }
static inline volatile uint16_t *desc_next(const struct ivnet_queue *q, uint32_t i) { return (volatile uint16_t *)(q->desc + 16 * i + 14); }
static inline volatile uint16_t *avail_idx(const struct ivnet_queue *q) { return &q->avail[1]; }
static inline volatile uint16_t *avail_ring(const struct ivnet_queue *q, uint32_t i) { return &q->avail[2 + (i & (q->num - 1))]; }
static inline volatile uint16_t *used_event(const struct ivnet_queue *q) { return &q->avail[2 + q->num]; }
static inline volatile uint16_t *used_idx(const struct ivnet_queue *q) { return &q->used[1]; }
static inline volatile uint32_t *used_id(const struct ivnet_queue *q, uint32_t i) { return (volatile uint32_t *)&q->used[2 + 4 * (i & (q->num - 1))]; }
static inline volatile uint32_t *used_len(const struct ivnet_queue *q, uint32_t i) { return (volatile uint32_t *)&q->used[4 + 4 * (i & (q->num - 1))]; }
static inline volatile uint16_t *avail_event(const struct ivnet_queue *q) { return &q->used[2 + 4 * q->num]; }

/* virtio's vring_need_event: did [old, new) pass the index the other side asked to be woken at? */
static int need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

static void init_queue(struct ivnet *n, struct ivnet_queue *q, uint8_t *section)
{
	memset(q, 0, sizeof(*q));
	q->num = n->qlen;
	q->section = section;
	q->desc = section;
	q->avail = (volatile uint16_t *)(section + 16 * q->num);
	q->used = (volatile uint16_t *)(section + vring_used_offset(q->num));
	q->data = n->vrsize;
	q->end = n->vrsize + n->qsize;
}

static void init_queues(struct ivnet *n)
{
	memset(n->tx_section, 0, n->cfg.output_size);
	init_queue(n, &n->tx, n->tx_section);
	init_queue(n, &n->rx, n->rx_section);
	volatile uint16_t *swap = n->tx.used;     /* each side writes only its own section */
	n->tx.used = n->rx.used;
	n->rx.used = swap;
	n->tx.num_free = n->tx.num;
	for (uint32_t i = 0; i + 1 < n->tx.num; i++)
		*desc_next(&n->tx, i) = (uint16_t)(i + 1);
	mb();
}

/* The data of descriptor `i` of queue `q`, or -1 when it points outside the queue's data area. */
static long desc_data(const struct ivnet *n, const struct ivnet_queue *q, uint32_t i, uint32_t *len)
{
	uint64_t offs = *desc_addr(q, i);
	uint32_t dlen = *desc_len(q, i);
	uint16_t flags = *desc_flags(q, i);
	if (flags || offs >= n->cfg.output_size || offs < q->data || offs >= q->end || dlen > q->end - offs)
		return -1;
	*len = dlen;
	return (long)offs;
}

/* ---- state ---- */

const char *ivnet_state_name(uint32_t state)
{
	static const char *const names[] = { "RESET", "INIT", "READY", "RUN" };
	return state <= IVNET_STATE_RUN ? names[state] : "INVALID";
}

static void set_state(struct ivnet *n, uint32_t state)
{
	mb();
	n->state = state;
	n->regs[IVSHMEM_REG_STATE / 4] = state;
}

static void set_carrier(struct ivnet *n, int on)
{
	if (n->carrier == on)
		return;
	n->carrier = on;
	if (n->link_fn)
		n->link_fn(n->ctx, on);
}

static void run(struct ivnet *n)
{
	if (n->state < IVNET_STATE_READY || !n->admin_up)
		return;
	if (n->last_peer_state == IVNET_STATE_RUN)
		set_carrier(n, 1);
	if (n->running)
		return;
	n->running = 1;
	set_state(n, IVNET_STATE_RUN);
}

static void do_stop(struct ivnet *n)
{
	set_state(n, IVNET_STATE_RESET);
	if (!n->running)
		return;
	n->running = 0;
	set_carrier(n, 0);
}

/* The state machine of docs/ivshmem-net.md, driven by the peer's entry in the state table. */
static void check_state(struct ivnet *n)
{
	uint32_t peer_state = ((volatile uint32_t *)n->cfg.state_table)[n->peer];
	if (peer_state == n->last_peer_state)
		return;
	n->last_peer_state = peer_state;
	switch (n->state) {
	case IVNET_STATE_RESET:
		if (peer_state < IVNET_STATE_READY)
			set_state(n, IVNET_STATE_INIT);
		break;
	case IVNET_STATE_INIT:
		if (peer_state > IVNET_STATE_RESET) {
			init_queues(n);
			set_state(n, IVNET_STATE_READY);
		}
		break;
	default:
		if (peer_state >= IVNET_STATE_READY)
			run(n);
		else if (peer_state == IVNET_STATE_RESET)
			do_stop(n);
		break;
	}
}

/* ---- transmit ---- */

static uint32_t tx_space(const struct ivnet_queue *tx)
{
	if (tx->head < tx->tail)
		return tx->tail - tx->head;
	uint32_t size = tx->end - tx->data;
	return size - tx->head > tx->tail ? size - tx->head : tx->tail;
}

static int tx_ok(const struct ivnet *n)
{
	return n->tx.num_free >= 2 && tx_space(&n->tx) >= 2 * FRAME_SIZE(n->mtu);
}

/* Where a frame of `len` bytes goes in the data area (0 again when it would not fit before the end). */
static uint32_t tx_advance(const struct ivnet_queue *q, uint32_t *pos, uint32_t len)
{
	uint32_t p = *pos, size = q->end - q->data;
	len = FRAME_SIZE(len);
	if (size - p < len)
		p = 0;
	*pos = p + len;
	return p;
}

/* Takes back the descriptors the peer has used.  A used entry the peer made up stops the cleaning (the
 * ring stays full until the peer resets): only our own descriptors in flight are ever freed. */
static void tx_clean(struct ivnet *n)
{
	struct ivnet_queue *tx = &n->tx;
	uint16_t idx = *used_idx(tx);
	mb();
	uint16_t last = tx->last_used_idx;
	if ((uint16_t)(idx - last) > tx->num - tx->num_free) {
		if (idx != tx->bad_used_idx) {        /* count each bad index once, not every poll */
			n->stats.tx_errors++;
			tx->bad_used_idx = idx;
		}
		return;
	}
	uint32_t fhead = 0, first = ~0u, num = 0;
	while (last != idx) {
		uint32_t id = *used_id(tx, last), ulen = *used_len(tx, last), len, tail = tx->tail;
		long offs;
		if (id >= tx->num || ulen != 1 || (offs = desc_data(n, tx, id, &len)) < 0 ||
		    (uint32_t)offs != tx->data + tx_advance(tx, &tail, len)) {
			n->stats.tx_errors++;
			break;
		}
		tx->tail = tail;
		if (first == ~0u)
			first = id;
		else
			*desc_next(tx, id) = (uint16_t)fhead;
		fhead = id;
		last++;
		num++;
	}
	tx->last_used_idx = last;
	if (num) {
		*desc_next(tx, first) = (uint16_t)tx->free_head;
		tx->free_head = fhead;
		tx->num_free += num;
	}
}

static void enable_tx_irq(struct ivnet *n)
{
	*used_event(&n->tx) = n->tx.last_used_idx;
	mb();
}

static void doorbell(struct ivnet *n)
{
	n->regs[IVSHMEM_REG_DOORBELL / 4] = 0 | n->peer << 16;   /* vector 0: INTx (no MSI-X here) */
}

int ivnet_tx_ready(struct ivnet *n)
{
	if (!n->running || !n->carrier)
		return 0;
	tx_clean(n);
	if (tx_ok(n))
		return 1;
	enable_tx_irq(n);
	return 0;
}

int ivnet_xmit(struct ivnet *n, const void *frame, uint32_t len)
{
	struct ivnet_queue *tx = &n->tx;
	if (len > n->mtu + 14 || !ivnet_tx_ready(n)) {
		n->stats.tx_dropped++;
		return -1;
	}
	uint32_t d = tx->free_head;
	tx->free_head = *desc_next(tx, d);
	tx->num_free--;
	uint32_t offs = tx->data + tx_advance(tx, &tx->head, len);
	memcpy(tx->section + offs, frame, len);
	*desc_addr(tx, d) = offs;
	*desc_len(tx, d) = len;
	*desc_flags(tx, d) = 0;
	*avail_ring(tx, tx->last_avail_idx) = (uint16_t)d;
	tx->last_avail_idx++;
	mb();
	*avail_idx(tx) = tx->last_avail_idx;
	n->stats.tx_packets++;
	n->stats.tx_bytes += len;
	mb();
	if (need_event(*avail_event(tx), tx->last_avail_idx, (uint16_t)(tx->last_avail_idx - 1))) {
		doorbell(n);
		n->stats.tx_notify++;
	}
	return 0;
}

/* ---- receive ---- */

static void rx_finish(struct ivnet *n, uint32_t id)
{
	struct ivnet_queue *rx = &n->rx;
	*used_id(rx, rx->last_used_idx) = id;
	*used_len(rx, rx->last_used_idx) = 1;
	rx->last_used_idx++;
	mb();
	*used_idx(rx) = rx->last_used_idx;
}

static int rx_receive(struct ivnet *n)
{
	struct ivnet_queue *rx = &n->rx;
	uint32_t received = 0, finished = 0;
	while (received < IVNET_RX_BUDGET) {
		uint16_t idx = *avail_idx(rx);
		mb();
		if (idx == rx->last_avail_idx)
			break;
		received++;
		if ((uint16_t)(idx - rx->last_avail_idx) > rx->num) {
			/* more frames than the ring holds: the index is garbage; skip to it */
			n->stats.rx_errors++;
			n->stats.rx_dropped++;
			rx->last_avail_idx = idx;
			break;
		}
		uint32_t id = *avail_ring(rx, rx->last_avail_idx);
		rx->last_avail_idx++;
		if (id >= rx->num) {
			n->stats.rx_errors++;
			n->stats.rx_dropped++;
			continue;
		}
		uint32_t len;
		long offs = desc_data(n, rx, id, &len);
		if (offs < 0 || len < 14 || len > IVNET_FRAME_MAX) {
			if (offs < 0)
				n->stats.rx_errors++;
			n->stats.rx_dropped++;
		} else {
			/* copied first: the peer may change its section while the stack looks at the frame */
			memcpy(n->frame, rx->section + offs, len);
			n->stats.rx_packets++;
			n->stats.rx_bytes += len;
		}
		rx_finish(n, id);
		finished++;
		if (offs >= 0 && len >= 14 && len <= IVNET_FRAME_MAX && n->rx_fn)
			n->rx_fn(n->ctx, n->frame, len);
		if (!n->running)        /* the frame's handler may have taken the link down */
			return 0;
	}
	int more = 0;
	if (received < IVNET_RX_BUDGET) {
		*avail_event(rx) = rx->last_avail_idx;   /* wake me at the next frame */
		mb();
		more = *avail_idx(rx) != rx->last_avail_idx;
	} else {
		more = 1;
	}
	if (finished) {
		mb();
		if (need_event(*used_event(rx), rx->last_used_idx, (uint16_t)(rx->last_used_idx - finished))) {
			doorbell(n);
			n->stats.rx_notify++;
		}
	}
	return more;
}

/* ---- the device ---- */

int ivnet_init(struct ivnet *n, const struct ivnet_config *cfg, ivnet_rx_fn rx, ivnet_link_fn link, void *ctx,
	       const char **why)
{
	memset(n, 0, sizeof(*n));
	n->cfg = *cfg;
	n->rx_fn = rx;
	n->link_fn = link;
	n->ctx = ctx;
	if (cfg->id > 1) {
		*why = "invalid ID (only 2 peers supported)";
		return -1;
	}
	uint32_t shmlen = cfg->output_size, qlen, vrsize = 0;
	for (qlen = 4096; qlen > 32; qlen >>= 1) {
		vrsize = ALIGN(vring_size(qlen), IVNET_VQ_ALIGN);
		if (vrsize < shmlen / 8)
			break;
	}
	if (!shmlen || vrsize > shmlen || shmlen - vrsize < 4 * IVNET_MTU_MIN) {
		*why = "output sections too small for the queues";
		return -1;
	}
	n->regs = (volatile uint32_t *)cfg->registers;
	n->peer = !cfg->id;
	n->tx_section = (uint8_t *)(cfg->output_sections + (uintptr_t)cfg->output_size * cfg->id);
	n->rx_section = (uint8_t *)(cfg->output_sections + (uintptr_t)cfg->output_size * n->peer);
	n->qlen = qlen;
	n->vrsize = vrsize;
	n->qsize = shmlen - vrsize;
	n->mtu = n->qsize / 16 < IVNET_MTU_DEF ? n->qsize / 16 : IVNET_MTU_DEF;
	n->last_peer_state = IVNET_STATE_UNKNOWN;
	n->regs[IVSHMEM_REG_INT_CTRL / 4] = 1;
	set_state(n, IVNET_STATE_RESET);
	check_state(n);
	return 0;
}

void ivnet_open(struct ivnet *n)
{
	n->admin_up = 1;
	run(n);
}

void ivnet_stop(struct ivnet *n)
{
	n->admin_up = 0;
	do_stop(n);
}

void ivnet_remove(struct ivnet *n)
{
	ivnet_stop(n);
	n->regs[IVSHMEM_REG_INT_CTRL / 4] = 0;
}

int ivnet_poll(struct ivnet *n)
{
	check_state(n);
	if (!n->running)
		return 0;
	tx_clean(n);
	return rx_receive(n);
}
