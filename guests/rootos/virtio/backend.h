/* backend.h - the device side of virtio over ivshmem (shared/spec/virtio-ivshmem.md) in the root cell, as
 * Jailhouse's tools/virtio-ivshmem-{console,block} are: a back-end owns one ivshmem link, publishes the
 * header, answers the front-end's register writes (write transactions) and serves the queues once the
 * driver is OK.  It runs as a background job (job.c): every poll does a bounded amount of work.
 *
 * Everything the front-end writes is untrusted: ring offsets, indices, descriptor chains and buffers are
 * checked against the R/W section before use.  A violation is reported once and the device stops
 * (DEVICE_NEEDS_RESET) until the front-end resets it (its state back to 0); the root is never held up. */
#ifndef ROOTOS_VIRTIO_BACKEND_H
#define ROOTOS_VIRTIO_BACKEND_H

#include <jailhouse/virtio-ivshmem.h>
#include "../rootos.h"

#define VB_MAX_QUEUES 2
#define VB_MAX_CHAIN  16             /* descriptors per chain a back-end follows */

struct vb_queue {
	uint16_t max_size;            /* what the back-end offers in queue_size */
	uint16_t size, device_vector, driver_vector, enable;
	uint64_t desc, driver, device;
	uint16_t next_avail;          /* next avail ring entry to take */
	volatile struct vring_desc *d;
	volatile struct vring_avail *avail;
	volatile struct vring_used *used;
};

enum vb_phase { VB_WAIT_RESET, VB_WAIT_READY, VB_RUNNING, VB_BROKEN };

struct vbackend;
struct vbackend_ops {
	const char *name;             /* the command: "virtio-ivshmem-console" */
	uint32_t device_id;
	int queues;
	uint16_t queue_size;
	uint32_t features_lo;         /* device-specific feature bits 0..31 */
	uint32_t config_size;
	void (*init_config)(struct vbackend *vb);            /* fill the device config (header reset) */
	/* Serves queue q once the driver is OK; returns the number of buffers handled, -1 after vb_fail. */
	int (*serve)(struct vbackend *vb, int q);
	void (*reset)(struct vbackend *vb);                  /* the front-end reset the device (may be 0) */
};

struct vbackend {
	const struct vbackend_ops *ops;
	void *ctx;                    /* the device's own state */
	unsigned bdf;
	char bdf_name[8];
	unsigned long regs;           /* BAR0 */
	volatile uint32_t *state;     /* state table */
	uint8_t *shm;                 /* R/W section */
	unsigned long shm_size;
	uint32_t id, peer;
	unsigned long irq;
	volatile uint32_t irqs;       /* interrupts taken (trap handler) */
	uint32_t handled_irqs;
	volatile struct virtio_ivshmem_header *hdr;
	enum vb_phase phase;
	struct vb_queue q[VB_MAX_QUEUES];
	int cur;                      /* queue_sel, -1 before the first */
	uint32_t driver_features[2];
	unsigned long requests, notifications;
};

/* Finds the ivshmem function `bdf` (or, with bdf < 0, the first whose protocol is the back-end of
 * ops->device_id), places BAR0, takes its interrupt.  0, or -1 after printing why. */
int vb_open(struct vbackend *vb, const struct vbackend_ops *ops, void *ctx, int bdf);
void vb_close(struct vbackend *vb);
/* One round of work: peer states, a write transaction, up to VB_BATCH buffers per queue.  Nonzero when
 * work is left (poll again at once). */
#define VB_BATCH 16
int vb_poll(struct vbackend *vb);
int vb_job_poll(void *ctx);          /* job_ops of a back-end job (ctx = the vbackend) */
void vb_job_stop(void *ctx);
int vb_run(struct vbackend *vb);     /* foreground: serves until Ctrl-C; 130 */
/* "00:0d.0" -> bdf; -1 when malformed. */
int vb_parse_bdf(const char *s);

/* For the devices: reports a protocol violation by the front-end and stops serving. Returns -1. */
int vb_fail(struct vbackend *vb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The next available chain head of queue q, or -1 when none; -2 after vb_fail (bad avail index/entry). */
int vb_next_avail(struct vbackend *vb, int q);
/* A descriptor as read once from the shared ring: the front-end may change the ring at any time, so a
 * back-end uses only this copy after vb_desc checked it. */
struct vb_buf {
	uint8_t *p;                   /* inside the R/W section, len bytes */
	uint32_t len;
	uint16_t flags, next;
};
/* Copies and checks descriptor `i` of queue q (index, buffer inside the R/W section); 0, or -1 (failed). */
int vb_desc(struct vbackend *vb, int q, uint32_t i, struct vb_buf *b);
/* Puts chain `head` on the used ring with `len` bytes written. */
void vb_push_used(struct vbackend *vb, int q, uint32_t head, uint32_t len);
/* queue_event = 1 and a doorbell at the front-end's vector of queue q. */
void vb_notify(struct vbackend *vb, int q);

#endif
