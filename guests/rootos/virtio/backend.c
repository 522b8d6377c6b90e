/* backend.c - the device side of virtio over ivshmem (see backend.h and docs/virtio-ivshmem.md).
 *
 * Life cycle, as Jailhouse's back-end tools run it:
 *   WAIT_RESET  own state RESET; waits until the front-end's state is RESET too
 *   WAIT_READY  header initialised (revision, size, queue 0, device config), own state READY;
 *               waits for the front-end's READY
 *   RUNNING     write transactions answered; queues served while device_status is DRIVER_OK (0xF)
 *   BROKEN      the front-end broke the protocol: nothing is served until its state leaves READY
 * A front-end whose state leaves READY (restart, shutdown, failure) sends the back-end to WAIT_RESET. */
#include <jailhouse/ivshmem.h>
#include "backend.h"

#define PCI_ECAM_BASE  0x30000000UL   /* board.md: pci_mmconfig_base */
#define PCI_WINDOW     0x40000000UL   /* BAR0 of bdf b at PCI_WINDOW + (b << 12), as ivshmem-demo places it */
#define VPCI_IRQ_BASE  32             /* the root cell's vpci_irq_base (guests/configs/sysconfig.yaml) */

static inline uint32_t rd32(unsigned long a) { return *(volatile uint32_t *)a; }
static inline void wr32(unsigned long a, uint32_t v) { *(volatile uint32_t *)a = v; }
static unsigned long cfg(unsigned bdf, unsigned reg) { return PCI_ECAM_BASE + ((unsigned long)bdf << 12) + reg; }
static uint64_t cfg_read64(unsigned bdf, unsigned reg) { return rd32(cfg(bdf, reg)) | (uint64_t)rd32(cfg(bdf, reg + 4)) << 32; }
static unsigned long page_up(uint64_t v) { return (unsigned long)((v + 0xfff) & ~0xfffULL); }
#define fence() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static int find_vendor_cap(unsigned bdf)
{
	if (!((rd32(cfg(bdf, 0x04)) >> 16) & 0x10))
		return -1;
	unsigned pos = *(volatile uint8_t *)cfg(bdf, 0x34) & ~3u;
	for (int guard = 0; pos && guard < 48; guard++) {
		if (*(volatile uint8_t *)cfg(bdf, pos) == IVSHMEM_CAP_VENDOR)
			return (int)pos;
		pos = *(volatile uint8_t *)cfg(bdf, pos + 1) & ~3u;
	}
	return -1;
}

static int is_ivshmem(unsigned bdf)
{
	uint32_t id = rd32(cfg(bdf, 0));
	return (id & 0xffff) == IVSHMEM_VENDOR && (id >> 16) == IVSHMEM_DEVICE;
}

static uint32_t protocol_of(unsigned bdf) { return (rd32(cfg(bdf, 0x08)) >> 8) & 0xffff; }

static void irq_hook(uint32_t src, void *ctx)
{
	struct vbackend *vb = ctx;
	vb->irqs++;
}

int vb_open(struct vbackend *vb, const struct vbackend_ops *ops, void *ctx, int want)
{
	uint32_t proto = VIRTIO_PROTO_BACK(ops->device_id);
	memset(vb, 0, sizeof(*vb));
	vb->ops = ops;
	vb->ctx = ctx;
	int bdf = -1;
	if (want >= 0) {
		if (want < 0x100 && is_ivshmem((unsigned)want))
			bdf = want;
	} else {
		for (unsigned b = 0; b < 0x100 && bdf < 0; b++)
			if (is_ivshmem(b) && protocol_of(b) == proto)
				bdf = (int)b;
	}
	snprintf(vb->bdf_name, sizeof(vb->bdf_name), "%02x:%02x.%x", (want >> 8) & 0xff, (want >> 3) & 0x1f, want & 7);
	if (bdf < 0) {
		if (want >= 0)
			con_printf("%s: %s: no ivshmem device\n", ops->name, vb->bdf_name);
		else
			con_printf("%s: no ivshmem device with protocol 0x%04x (virtio back-end)\n", ops->name, proto);
		return -1;
	}
	vb->bdf = (unsigned)bdf;
	snprintf(vb->bdf_name, sizeof(vb->bdf_name), "%02x:%02x.%x", bdf >> 8, (bdf >> 3) & 0x1f, bdf & 7);
	if (protocol_of(vb->bdf) != proto) {
		con_printf("%s: %s: protocol 0x%04x is not the virtio back-end 0x%04x\n", ops->name, vb->bdf_name,
			   protocol_of(vb->bdf), proto);
		return -1;
	}
	int cap = find_vendor_cap(vb->bdf);
	uint32_t pin = *(volatile uint8_t *)cfg(vb->bdf, 0x3d);
	if (cap < 0 || !pin) {
		con_printf("%s: %s: no ivshmem vendor capability or interrupt pin\n", ops->name, vb->bdf_name);
		return -1;
	}
	vb->regs = PCI_WINDOW + ((unsigned long)vb->bdf << 12);
	wr32(cfg(vb->bdf, 0x10), (uint32_t)vb->regs);
	*(volatile uint16_t *)cfg(vb->bdf, 0x04) = 0x0002;
	vb->id = rd32(vb->regs + IVSHMEM_REG_ID);
	uint32_t peers = rd32(vb->regs + IVSHMEM_REG_MAX_PEERS);
	unsigned long shmem = (unsigned long)cfg_read64(vb->bdf, cap + IVSHMEM_CAP_ADDR);
	vb->state = (volatile uint32_t *)shmem;
	vb->shm = (uint8_t *)(shmem + page_up(rd32(cfg(vb->bdf, cap + IVSHMEM_CAP_STATE_TAB_SZ))));
	vb->shm_size = (unsigned long)cfg_read64(vb->bdf, cap + IVSHMEM_CAP_RW_SZ);
	if (peers != 2 || vb->id > 1 || vb->shm_size < 0x2000) {
		con_printf("%s: %s: a virtio link has 2 peers and an R/W section of 2 pages or more (peers %u, R/W 0x%lx)\n",
			   ops->name, vb->bdf_name, peers, vb->shm_size);
		return -1;
	}
	vb->peer = !vb->id;
	vb->hdr = (volatile struct virtio_ivshmem_header *)vb->shm;
	vb->irq = VPCI_IRQ_BASE + pin - 1;
	if (irq_register(vb->irq, irq_hook, vb)) {
		con_printf("%s: %s: interrupt %lu is taken (is a back-end running already?)\n", ops->name, vb->bdf_name, vb->irq);
		return -1;
	}
	vb->phase = VB_WAIT_RESET;
	wr32(vb->regs + IVSHMEM_REG_STATE, VIRTIO_STATE_RESET);
	wr32(vb->regs + IVSHMEM_REG_INT_CTRL, 1);
	return 0;
}

void vb_close(struct vbackend *vb)
{
	wr32(vb->regs + IVSHMEM_REG_INT_CTRL, 0);
	wr32(vb->regs + IVSHMEM_REG_STATE, VIRTIO_STATE_RESET);
	irq_unregister(vb->irq);
	*(volatile uint16_t *)cfg(vb->bdf, 0x04) = 0;
}

static void doorbell(struct vbackend *vb, uint32_t vector)
{
	fence();
	wr32(vb->regs + IVSHMEM_REG_DOORBELL, vb->peer << 16 | (vector & 0xffff));
	vb->notifications++;
}

int vb_fail(struct vbackend *vb, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	con_printf("%s %s: front-end error: %s; device stopped until the front-end resets\n", vb->ops->name, vb->bdf_name, msg);
	vb->phase = VB_BROKEN;
	vb->hdr->device_status |= VIRTIO_STATUS_NEEDS_RESET;
	vb->hdr->config_event = 1;
	doorbell(vb, 0);
	return -1;
}

static void load_queue(struct vbackend *vb, int q)
{
	volatile struct virtio_ivshmem_header *h = vb->hdr;
	if (q < 0 || q >= vb->ops->queues) {
		h->queue_size = 0;       /* no such queue (virtio-mmio's QueueNumMax 0) */
		h->queue_device_vector = 0;
		h->queue_driver_vector = 0;
		h->queue_enable = 0;
		h->queue_desc = h->queue_driver = h->queue_device = 0;
		return;
	}
	struct vb_queue *vq = &vb->q[q];
	h->queue_size = vq->enable ? vq->size : vq->max_size;
	h->queue_device_vector = vq->device_vector;
	h->queue_driver_vector = vq->driver_vector;
	h->queue_enable = vq->enable;
	h->queue_desc = vq->desc;
	h->queue_driver = vq->driver;
	h->queue_device = vq->device;
}

static void reset_device(struct vbackend *vb)
{
	for (int q = 0; q < VB_MAX_QUEUES; q++) {
		vb->q[q] = (struct vb_queue){ .max_size = vb->ops->queue_size };
	}
	vb->cur = 0;
	vb->driver_features[0] = vb->driver_features[1] = 0;
	if (vb->ops->reset)
		vb->ops->reset(vb);
}

/* The header as a fresh device shows it: what the back-end publishes before READY. */
static void init_header(struct vbackend *vb)
{
	volatile uint8_t *p = vb->shm;
	for (unsigned i = 0; i < VI_CONFIG_OFFSET + vb->ops->config_size; i++)
		p[i] = 0;
	reset_device(vb);
	vb->hdr->revision = 1;
	vb->hdr->size = VI_CONFIG_OFFSET + vb->ops->config_size;
	vb->hdr->device_features = vb->ops->features_lo;
	load_queue(vb, 0);
	vb->ops->init_config(vb);
	vb->requests = 0;
}

/* Checks the queue the front-end enables: a power-of-two size up to the offered one, and the three rings
 * aligned and inside the R/W section. */
static int enable_queue(struct vbackend *vb, int q)
{
	struct vb_queue *vq = &vb->q[q];
	unsigned long n = vq->size;
	if (!n || n > vq->max_size || (n & (n - 1)))
		return vb_fail(vb, "queue %d: size %lu is not a power of two up to %u", q, n, vq->max_size);
	struct { uint64_t off; unsigned long len, align; const char *what; } ring[3] = {
		{ vq->desc, 16 * n, 16, "descriptor table" },
		{ vq->driver, 6 + 2 * n, 2, "driver area" },
		{ vq->device, 6 + 8 * n, 4, "device area" },
	};
	for (int i = 0; i < 3; i++) {
		if (ring[i].off % ring[i].align || ring[i].off < VI_CONFIG_OFFSET + vb->ops->config_size ||
		    ring[i].off > vb->shm_size || ring[i].len > vb->shm_size - ring[i].off)
			return vb_fail(vb, "queue %d: %s at 0x%lx (0x%lx bytes) is not inside the R/W section after the header",
				       q, ring[i].what, (unsigned long)ring[i].off, ring[i].len);
	}
	vq->d = (volatile struct vring_desc *)(vb->shm + vq->desc);
	vq->avail = (volatile struct vring_avail *)(vb->shm + vq->driver);
	vq->used = (volatile struct vring_used *)(vb->shm + vq->device);
	vq->next_avail = 0;
	vq->enable = 1;
	return 0;
}

static void set_status(struct vbackend *vb, uint32_t status)
{
	volatile struct virtio_ivshmem_header *h = vb->hdr;
	if (status == 0) {
		reset_device(vb);
		load_queue(vb, 0);
		return;
	}
	if ((status & VIRTIO_STATUS_FEATURES_OK) && !(vb->driver_features[1] & 1)) {
		/* VERSION_1 is required: FEATURES_OK does not stick, the driver reads that back */
		h->device_status = status & ~VIRTIO_STATUS_FEATURES_OK;
		return;
	}
	if (status == VIRTIO_STATUS_RUNNING) {
		h->config_event = 1;     /* as Jailhouse's console back-end: the driver (re)reads the config */
		doorbell(vb, 0);
	}
}

static int write_transaction(struct vbackend *vb)
{
	volatile struct virtio_ivshmem_header *h = vb->hdr;
	uint32_t wt = h->write_transaction;
	if (!wt)
		return 0;
	fence();
	struct vb_queue *vq = vb->cur >= 0 && vb->cur < vb->ops->queues ? &vb->q[vb->cur] : 0;
	switch (wt) {
	case VI_OFF_DEVICE_FEATURES_SEL:
		h->device_features = h->device_features_sel == 0 ? vb->ops->features_lo :
				     h->device_features_sel == 1 ? (1u << (VIRTIO_F_VERSION_1 - 32)) |
				     (1u << (VIRTIO_F_ACCESS_PLATFORM - 32)) | (1u << (VIRTIO_F_ORDER_PLATFORM - 32)) : 0;
		break;
	case VI_OFF_DRIVER_FEATURES:
		if (h->driver_features_sel < 2)
			vb->driver_features[h->driver_features_sel] = h->driver_features;
		break;
	case VI_OFF_DRIVER_FEATURES_SEL:
		break;
	case VI_OFF_QUEUE_SEL:
		vb->cur = h->queue_sel < (uint32_t)vb->ops->queues ? (int)h->queue_sel : -1;
		load_queue(vb, vb->cur);
		break;
	case VI_OFF_QUEUE_SIZE:
	case VI_OFF_QUEUE_DRIVER_VECTOR:
	case VI_OFF_QUEUE_DESC:
	case VI_OFF_QUEUE_DRIVER:
	case VI_OFF_QUEUE_DEVICE:
		if (!vq)
			return vb_fail(vb, "queue register 0x%x written for queue %u, which does not exist", wt, h->queue_sel);
		if (vq->enable)
			return vb_fail(vb, "queue register 0x%x written while queue %d is enabled", wt, vb->cur);
		vq->size = h->queue_size;
		vq->driver_vector = h->queue_driver_vector;
		vq->desc = h->queue_desc;
		vq->driver = h->queue_driver;
		vq->device = h->queue_device;
		break;
	case VI_OFF_QUEUE_ENABLE:
		if (!vq)
			return vb_fail(vb, "queue_enable written for queue %u, which does not exist", h->queue_sel);
		if (h->queue_enable == 1 && !vq->enable && enable_queue(vb, vb->cur))
			return -1;
		break;
	case VI_OFF_DEVICE_STATUS:
		set_status(vb, h->device_status);
		break;
	default:
		return vb_fail(vb, "write transaction 0x%x names no writable register", wt);
	}
	fence();
	h->write_transaction = 0;
	return 1;
}

int vb_next_avail(struct vbackend *vb, int q)
{
	struct vb_queue *vq = &vb->q[q];
	uint16_t idx = vq->avail->idx;
	if (idx == vq->next_avail)
		return -1;
	if ((uint16_t)(idx - vq->next_avail) > vq->size)
		return vb_fail(vb, "queue %d: avail index %u is more than %u ahead of %u", q, idx, vq->size, vq->next_avail), -2;
	fence();
	uint16_t head = vq->avail->ring[vq->next_avail % vq->size];
	if (head >= vq->size)
		return vb_fail(vb, "queue %d: avail entry %u names descriptor %u of %u", q, vq->next_avail, head, vq->size), -2;
	vq->next_avail++;
	return head;
}

int vb_desc(struct vbackend *vb, int q, uint32_t i, struct vb_buf *b)
{
	struct vb_queue *vq = &vb->q[q];
	if (i >= vq->size)
		return vb_fail(vb, "queue %d: descriptor %u of %u", q, i, vq->size);
	volatile struct vring_desc *d = &vq->d[i];
	uint64_t addr = d->addr;
	b->len = d->len;
	b->flags = d->flags;
	b->next = d->next;
	if (addr > vb->shm_size || b->len > vb->shm_size - addr)
		return vb_fail(vb, "queue %d: descriptor %u: buffer 0x%lx (%u bytes) is outside the R/W section", q, i,
			       (unsigned long)addr, b->len);
	b->p = vb->shm + addr;
	return 0;
}

void vb_push_used(struct vbackend *vb, int q, uint32_t head, uint32_t len)
{
	struct vb_queue *vq = &vb->q[q];
	uint16_t idx = vq->used->idx;   /* only this side writes it; re-read, never trusted as an index */
	volatile struct vring_used_elem *e = &vq->used->ring[idx % vq->size];
	e->id = head;
	e->len = len;
	fence();
	vq->used->idx = (uint16_t)(idx + 1);
	vb->requests++;
}

void vb_notify(struct vbackend *vb, int q)
{
	vb->hdr->queue_event = 1;
	doorbell(vb, vb->q[q].driver_vector);
}

int vb_poll(struct vbackend *vb)
{
	uint32_t peer = vb->state[vb->peer];
	vb->handled_irqs = vb->irqs;
	switch (vb->phase) {
	case VB_BROKEN:
	case VB_RUNNING:
		if (peer == VIRTIO_STATE_READY)
			break;
		con_printf("%s %s: front-end reset, resetting the device\n", vb->ops->name, vb->bdf_name);
		vb->phase = VB_WAIT_RESET;
		wr32(vb->regs + IVSHMEM_REG_STATE, VIRTIO_STATE_RESET);
		/* fall through */
	case VB_WAIT_RESET:
		if (peer != VIRTIO_STATE_RESET)
			return 0;
		init_header(vb);
		fence();
		vb->phase = VB_WAIT_READY;
		wr32(vb->regs + IVSHMEM_REG_STATE, VIRTIO_STATE_READY);
		return 0;
	case VB_WAIT_READY:
		if (peer != VIRTIO_STATE_READY)
			return 0;
		con_printf("%s %s: front-end ready\n", vb->ops->name, vb->bdf_name);
		vb->phase = VB_RUNNING;
		break;
	}
	if (vb->phase != VB_RUNNING)
		return 0;
	/* a bounded round: a register write, then each queue's serve() does at most VB_BATCH buffers */
	int more = write_transaction(vb) > 0 && vb->hdr->write_transaction;
	if (vb->phase != VB_RUNNING || vb->hdr->device_status != VIRTIO_STATUS_RUNNING)
		return more;
	for (int q = 0; q < vb->ops->queues && vb->phase == VB_RUNNING; q++)
		if (vb->q[q].enable && vb->ops->serve(vb, q) >= VB_BATCH)
			more = 1;
	return more && vb->phase == VB_RUNNING;
}

/* The job's poll: one round; asks to be polled again at once while work is left. */
int vb_job_poll(void *ctx)
{
	struct vbackend *vb = ctx;
	if (vb_poll(vb))
		job_wake_at(read_time());
	return -1;
}

void vb_job_stop(void *ctx)
{
	vb_close(ctx);
}

static struct vbackend *waiting;
static int vb_has_event(void) { return waiting->irqs != waiting->handled_irqs || con_interrupted(); }

/* A back-end in the foreground: serves until Ctrl-C, sleeping in WFI between interrupts. */
int vb_run(struct vbackend *vb)
{
	while (!con_interrupted()) {
		if (vb_poll(vb))
			continue;
		jobs_poll();
		waiting = vb;
		csr_clear(sstatus, SSTATUS_SIE);
		if (!vb_has_event())
			asm volatile("wfi");
		csr_set(sstatus, SSTATUS_SIE);
	}
	vb_close(vb);
	return 130;
}

static int hex_digits(const char *s, int n, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
			     c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
		if (d > 15)
			return -1;
		*v = *v * 16 + d;
	}
	return 0;
}

int vb_parse_bdf(const char *s)
{
	unsigned bus, dev, fn;
	if (strlen(s) != 7 || s[2] != ':' || s[5] != '.' || hex_digits(s, 2, &bus) || hex_digits(s + 3, 2, &dev) ||
	    hex_digits(s + 6, 1, &fn) || bus || dev > 0x1f || fn > 7)
		return -1;
	return (int)(dev << 3 | fn);
}
