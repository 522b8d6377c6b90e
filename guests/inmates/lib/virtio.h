/* virtio.h - virtio front-ends of the inmate library: the virtio-ivshmem transport (driver side of
 * shared/spec/virtio-ivshmem.md), split virtqueues, and the console and block drivers.
 *
 * Everything lives in the link's R/W section: the header at offset 0, rings and bounce buffers from the
 * second page on (virtio_alloc).  Whatever the back-end writes is checked before use (used index and
 * entries, lengths, write transactions that never complete, the back-end's state): a violation sets
 * `error`, every later call fails, and the demo reports it instead of hanging. */
#ifndef INMATE_VIRTIO_H
#define INMATE_VIRTIO_H

#include <jailhouse/virtio-ivshmem.h>
#include "inmate.h"

int memcmp(const void *a, const void *b, size_t n);   /* the support library's */

#define VQ_MAX_SIZE 32

struct virtio_ivshmem {
	struct ivshmem_device dev;
	unsigned int irq;             /* vpci_irq_base + pin - 1 */
	u32 peer;                     /* the back-end's peer id */
	volatile struct virtio_ivshmem_header *hdr;
	u8 *shm;                      /* R/W section */
	unsigned long shm_size, heap; /* heap: next free offset for virtio_alloc */
	u64 features;                 /* negotiated */
	volatile u32 interrupts;
	u64 timeout;                  /* ticks a write transaction or request may take */
	const char *error;            /* set once the back-end broke the protocol (or left) */
	char errbuf[128];
};

struct virtqueue {
	struct virtio_ivshmem *vi;
	u16 index, size, device_vector;
	volatile struct vring_desc *desc;
	volatile struct vring_avail *avail;
	volatile struct vring_used *used;
	u16 free_head, num_free, last_used;
	u16 chains;                   /* chains in flight */
	u16 next[VQ_MAX_SIZE];        /* private copy of the descriptors' next fields (the free list) */
	u8 chain_len[VQ_MAX_SIZE];    /* descriptors of the chain a head starts (0: not in flight) */
	u32 writable[VQ_MAX_SIZE];    /* device-writable bytes of that chain (bound of used.len) */
};

struct vq_buf {
	void *addr;                   /* inside the R/W section */
	u32 len;
};

/* Transport.  The demo's interrupt handler calls virtio_ivshmem_interrupt for vi->irq. */
int virtio_ivshmem_init(struct virtio_ivshmem *vi, u16 device_id, unsigned int vpci_irq_base, unsigned long bar0);
/* Waits (up to `timeout` ticks, 0: forever) for a READY back-end, checks its header, goes READY itself. */
int virtio_ivshmem_connect(struct virtio_ivshmem *vi, u64 timeout);
int virtio_ivshmem_negotiate(struct virtio_ivshmem *vi, u64 wanted);     /* device reset .. FEATURES_OK */
int virtio_ivshmem_driver_ok(struct virtio_ivshmem *vi);
void virtio_ivshmem_disconnect(struct virtio_ivshmem *vi);               /* own state RESET */
bool virtio_ivshmem_backend_ready(struct virtio_ivshmem *vi);
void virtio_ivshmem_interrupt(struct virtio_ivshmem *vi);
int virtio_ivshmem_fail(struct virtio_ivshmem *vi, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *virtio_alloc(struct virtio_ivshmem *vi, unsigned long size, unsigned long align);
u32 virtio_config_read32(struct virtio_ivshmem *vi, unsigned int offset);
/* Sleeps until cond(arg) holds (0), the back-end leaves or breaks (-1), or `timeout` ticks pass (-1, error
 * set when `what` is given).  Handles the hypervisor's messages meanwhile. */
int virtio_wait(struct virtio_ivshmem *vi, bool (*cond)(void *), void *arg, u64 timeout, const char *what);

/* Queues. */
int virtqueue_init(struct virtqueue *vq, struct virtio_ivshmem *vi, u16 index, u16 max_size);
int virtqueue_add(struct virtqueue *vq, const struct vq_buf *bufs, int out, int in);  /* head, or -1: full */
void virtqueue_kick(struct virtqueue *vq);
int virtqueue_get_used(struct virtqueue *vq, u32 *len);   /* head, -1: none, -2: back-end error */
bool virtqueue_has_used(void *vq);

/* virtio-console: queue 0 receive, queue 1 transmit. */
#define VCON_RX_BUFS 4
#define VCON_RX_SIZE 64
#define VCON_TX_SIZE 256
struct virtio_console {
	struct virtio_ivshmem vi;
	struct virtqueue rx, tx;
	u16 cols, rows;
	u8 *rx_buf[VCON_RX_BUFS];
	int cur;                      /* rx buffer being read (head), -1 none */
	u32 cur_len, cur_pos;
	u8 *tx_buf[VQ_MAX_SIZE];      /* one bounce buffer per transmit descriptor */
	unsigned long bytes_in, bytes_out;
};
int virtio_console_open(struct virtio_console *c, unsigned int vpci_irq_base, unsigned long bar0, u64 timeout);
int virtio_console_write(struct virtio_console *c, const char *s, unsigned long len);  /* len or -1 */
int virtio_console_getc(struct virtio_console *c);       /* a byte, -1: none yet, -2: error */
bool virtio_console_has_input(void *c);

/* virtio-blk: one request queue, synchronous requests through one bounce buffer. */
struct virtio_blk {
	struct virtio_ivshmem vi;
	struct virtqueue vq;
	u64 capacity;                 /* sectors */
	u32 size_max, seg_max;
	struct virtio_blk_req_header *req;
	u8 *status;
	u8 *data;
	u32 data_size;                /* bytes one request moves at most */
};
int virtio_blk_open(struct virtio_blk *b, unsigned int vpci_irq_base, unsigned long bar0, u64 timeout);
/* Reads or writes `len` bytes (a multiple of 512) at `sector`; 0, or -1 (I/O error or back-end error). */
int virtio_blk_read(struct virtio_blk *b, u64 sector, void *buf, u32 len);
int virtio_blk_write(struct virtio_blk *b, u64 sector, const void *buf, u32 len);
int virtio_blk_flush(struct virtio_blk *b);

#endif
