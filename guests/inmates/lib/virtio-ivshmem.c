/* virtio-ivshmem.c - the driver side of virtio over ivshmem (shared/spec/virtio-ivshmem.md), after Linux's
 * drivers/virtio/virtio_ivshmem.c: register writes are write transactions the back-end completes, rings
 * and buffers are offsets in the R/W section, kicks are doorbells at the queue's device vector.
 * The back-end is not trusted: see virtio.h. */
#include <jailhouse/ivshmem.h>
#include "virtio.h"

#define fence() __atomic_thread_fence(__ATOMIC_SEQ_CST)

int virtio_ivshmem_fail(struct virtio_ivshmem *vi, const char *fmt, ...)
{
	if (vi->error)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(vi->errbuf, sizeof(vi->errbuf), fmt, ap);
	va_end(ap);
	vi->error = vi->errbuf;
	return -1;
}

int virtio_ivshmem_init(struct virtio_ivshmem *vi, u16 device_id, unsigned int vpci_irq_base, unsigned long bar0)
{
	memset(vi, 0, sizeof(*vi));
	int bdf = -1;
	for (int start = 0; start < 0x100;) {
		int b = pci_find_device(IVSHMEM_VENDOR, IVSHMEM_DEVICE, (u16)start);
		if (b < 0)
			break;
		if (((pci_read_config((u16)b, 0x08, 4) >> 8) & 0xffff) == (u32)VIRTIO_PROTO_FRONT(device_id)) {
			bdf = b;
			break;
		}
		start = b + 1;
	}
	if (bdf < 0 || ivshmem_find(&vi->dev, bdf, bar0) != bdf)
		return virtio_ivshmem_fail(vi, "no ivshmem device with protocol 0x%04x (virtio front-end)", VIRTIO_PROTO_FRONT(device_id));
	if (vi->dev.peers != 2 || vi->dev.id > 1 || vi->dev.rw_size < 0x2000 || !vi->dev.interrupt_pin)
		return virtio_ivshmem_fail(vi, "ivshmem %02x:%02x.%x is no virtio link (peers %u, R/W 0x%lx)", bdf >> 8,
					   (bdf >> 3) & 0x1f, bdf & 7, vi->dev.peers, (unsigned long)vi->dev.rw_size);
	vi->peer = !vi->dev.id;
	vi->irq = vpci_irq_base + vi->dev.interrupt_pin - 1;
	vi->shm = ivshmem_rw_section(&vi->dev);
	vi->shm_size = (unsigned long)vi->dev.rw_size;
	vi->hdr = (volatile struct virtio_ivshmem_header *)vi->shm;
	vi->timeout = timer_get_frequency();        /* 1 s of board time for a register write or a request */
	ivshmem_set_state(&vi->dev, VIRTIO_STATE_RESET);
	ivshmem_enable_interrupts(&vi->dev, true);
	irq_enable(vi->irq);
	return 0;
}

bool virtio_ivshmem_backend_ready(struct virtio_ivshmem *vi)
{
	return ivshmem_state_table(&vi->dev)[vi->peer] == VIRTIO_STATE_READY;
}

static bool backend_ready(void *arg) { return virtio_ivshmem_backend_ready(arg); }

void virtio_ivshmem_interrupt(struct virtio_ivshmem *vi)
{
	vi->interrupts++;
	vi->hdr->queue_event = 0;       /* INTx has one vector: every queue is looked at anyway */
	vi->hdr->config_event = 0;
}

static int wait_ticking(struct virtio_ivshmem *vi, bool (*cond)(void *), void *arg, u64 timeout, const char *what, u64 tick);

int virtio_wait(struct virtio_ivshmem *vi, bool (*cond)(void *), void *arg, u64 timeout, const char *what)
{
	return wait_ticking(vi, cond, arg, timeout, what, timer_get_frequency() / 100);
}

static int wait_ticking(struct virtio_ivshmem *vi, bool (*cond)(void *), void *arg, u64 timeout, const char *what, u64 tick)
{
	u64 start = timer_get_ticks();
	bool connected = vi->hdr && cond != backend_ready;
	for (;;) {
		if (vi->error)
			return -1;
		if (cond(arg))
			return 0;
		if (connected && !virtio_ivshmem_backend_ready(vi))
			return virtio_ivshmem_fail(vi, "the back-end left (state %u)", ivshmem_state_table(&vi->dev)[vi->peer]);
		u64 now = timer_get_ticks();
		if (timeout && now - start >= timeout)
			return what ? virtio_ivshmem_fail(vi, "the back-end did not %s within %lu ms", what,
							  (unsigned long)(timeout * 1000 / timer_get_frequency())) : -1;
		if (comm_region_handle_message(0) == JAILHOUSE_MSG_SHUTDOWN_REQUEST)
			stop();
		/* sleep until an interrupt, but look again every 10 ms (messages, timeouts) */
		disable_irqs();
		if (!cond(arg)) {
			timer_start(tick);
			irq_enable(IRQ_TIMER);
			wait_for_interrupt();
		}
		enable_irqs();
	}
}

int virtio_ivshmem_connect(struct virtio_ivshmem *vi, u64 timeout)
{
	vi->error = 0;
	ivshmem_set_state(&vi->dev, VIRTIO_STATE_RESET);
	if (virtio_wait(vi, backend_ready, vi, timeout, 0))
		return virtio_ivshmem_fail(vi, "no back-end became ready");
	fence();
	u32 revision = vi->hdr->revision, size = vi->hdr->size;
	if (revision < 1 || size < VI_CONFIG_OFFSET || size > 0x1000)
		return virtio_ivshmem_fail(vi, "bad header (revision %u, size %u)", revision, size);
	vi->heap = 0x1000;
	ivshmem_set_state(&vi->dev, VIRTIO_STATE_READY);
	return 0;
}

void virtio_ivshmem_disconnect(struct virtio_ivshmem *vi)
{
	ivshmem_set_state(&vi->dev, VIRTIO_STATE_RESET);
}

void *virtio_alloc(struct virtio_ivshmem *vi, unsigned long size, unsigned long align)
{
	unsigned long at = (vi->heap + align - 1) & ~(align - 1);
	if (at > vi->shm_size || size > vi->shm_size - at) {
		virtio_ivshmem_fail(vi, "the R/W section (0x%lx bytes) is too small", vi->shm_size);
		return 0;
	}
	vi->heap = at + size;
	memset(vi->shm + at, 0, size);
	return vi->shm + at;
}

static bool transaction_done(void *arg)
{
	return ((struct virtio_ivshmem *)arg)->hdr->write_transaction == 0;
}

/* A register write: the value, then write_transaction = its offset, a doorbell, and the back-end's
 * completion (write_transaction back to 0).  The back-end does not interrupt on completion (as Linux's
 * driver, this side polls), so the wait spins with a bound. */
static int reg_write(struct virtio_ivshmem *vi, unsigned int off, unsigned int width, u64 value)
{
	if (vi->error)
		return -1;
	volatile u8 *p = (volatile u8 *)vi->hdr + off;
	if (width == 1)
		*p = (u8)value;
	else if (width == 2)
		*(volatile u16 *)p = (u16)value;
	else if (width == 4)
		*(volatile u32 *)p = (u32)value;
	else
		*(volatile u64 *)p = value;
	fence();
	vi->hdr->write_transaction = off;
	fence();
	ivshmem_doorbell(&vi->dev, vi->peer, 0);
	/* a back-end on another CPU usually answers at once: spin a little, then sleep in 1 ms steps */
	for (int spin = 0; spin < 1000 && !transaction_done(vi); spin++)
		;
	if (!transaction_done(vi)) {
		char what[48];
		snprintf(what, sizeof(what), "complete the write of register 0x%x", off);
		if (wait_ticking(vi, transaction_done, vi, vi->timeout, what, timer_get_frequency() / 1000))
			return -1;
	}
	fence();
	return 0;
}

u32 virtio_config_read32(struct virtio_ivshmem *vi, unsigned int offset)
{
	return *(volatile u32 *)(vi->shm + VI_CONFIG_OFFSET + offset);
}

int virtio_ivshmem_negotiate(struct virtio_ivshmem *vi, u64 wanted)
{
	volatile struct virtio_ivshmem_header *h = vi->hdr;
	if (reg_write(vi, VI_OFF_DEVICE_STATUS, 4, 0) ||
	    reg_write(vi, VI_OFF_DEVICE_STATUS, 4, VIRTIO_STATUS_ACKNOWLEDGE) ||
	    reg_write(vi, VI_OFF_DEVICE_STATUS, 4, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER) ||
	    reg_write(vi, VI_OFF_DEVICE_FEATURES_SEL, 4, 0))
		return -1;
	u64 offered = h->device_features;
	if (reg_write(vi, VI_OFF_DEVICE_FEATURES_SEL, 4, 1))
		return -1;
	offered |= (u64)h->device_features << 32;
	if (!(offered >> VIRTIO_F_VERSION_1 & 1))
		return virtio_ivshmem_fail(vi, "the back-end does not offer VIRTIO_F_VERSION_1 (features 0x%lx)", (unsigned long)offered);
	/* VERSION_1 always; ACCESS_PLATFORM and ORDER_PLATFORM when offered: this driver bounce-buffers
	 * everything through the R/W section and fences around the rings anyway */
	vi->features = offered & (wanted | 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_F_ACCESS_PLATFORM |
				  1ULL << VIRTIO_F_ORDER_PLATFORM);
	if (reg_write(vi, VI_OFF_DRIVER_FEATURES_SEL, 4, 0) || reg_write(vi, VI_OFF_DRIVER_FEATURES, 4, (u32)vi->features) ||
	    reg_write(vi, VI_OFF_DRIVER_FEATURES_SEL, 4, 1) ||
	    reg_write(vi, VI_OFF_DRIVER_FEATURES, 4, (u32)(vi->features >> 32)) ||
	    reg_write(vi, VI_OFF_DEVICE_STATUS, 4, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK))
		return -1;
	if (!(h->device_status & VIRTIO_STATUS_FEATURES_OK))
		return virtio_ivshmem_fail(vi, "the back-end did not accept the features 0x%lx", (unsigned long)vi->features);
	return 0;
}

int virtio_ivshmem_driver_ok(struct virtio_ivshmem *vi)
{
	return reg_write(vi, VI_OFF_DEVICE_STATUS, 4, VIRTIO_STATUS_RUNNING);
}

int virtqueue_init(struct virtqueue *vq, struct virtio_ivshmem *vi, u16 index, u16 max_size)
{
	memset(vq, 0, sizeof(*vq));
	vq->vi = vi;
	vq->index = index;
	if (reg_write(vi, VI_OFF_QUEUE_SEL, 4, index))
		return -1;
	u16 offered = vi->hdr->queue_size;
	if (!offered)
		return virtio_ivshmem_fail(vi, "queue %u does not exist", index);
	u16 size = 1;
	while (size * 2 <= offered && size * 2 <= max_size && size * 2 <= VQ_MAX_SIZE)
		size *= 2;
	vq->size = size;
	vq->desc = virtio_alloc(vi, 16UL * size, 16);
	vq->avail = virtio_alloc(vi, 6 + 2UL * size, 2);
	vq->used = virtio_alloc(vi, 6 + 8UL * size, 4);
	if (!vq->desc || !vq->avail || !vq->used)
		return -1;
	for (u16 i = 0; i < size; i++)
		vq->next[i] = (u16)(i + 1);
	vq->num_free = size;
	if (reg_write(vi, VI_OFF_QUEUE_SIZE, 2, size) || reg_write(vi, VI_OFF_QUEUE_DRIVER_VECTOR, 2, 0) ||
	    reg_write(vi, VI_OFF_QUEUE_DESC, 8, (u64)((u8 *)vq->desc - vi->shm)) ||
	    reg_write(vi, VI_OFF_QUEUE_DRIVER, 8, (u64)((u8 *)vq->avail - vi->shm)) ||
	    reg_write(vi, VI_OFF_QUEUE_DEVICE, 8, (u64)((u8 *)vq->used - vi->shm)))
		return -1;
	vq->device_vector = vi->hdr->queue_device_vector;
	return reg_write(vi, VI_OFF_QUEUE_ENABLE, 2, 1);
}

int virtqueue_add(struct virtqueue *vq, const struct vq_buf *bufs, int out, int in)
{
	int n = out + in;
	if (vq->vi->error || n < 1 || n > vq->num_free)
		return -1;
	u16 head = vq->free_head, i = head, last = head;
	u32 writable = 0;
	for (int k = 0; k < n; k++) {
		volatile struct vring_desc *d = &vq->desc[i];
		d->addr = (u64)((u8 *)bufs[k].addr - vq->vi->shm);
		d->len = bufs[k].len;
		d->flags = (k < n - 1 ? VRING_DESC_F_NEXT : 0) | (k >= out ? VRING_DESC_F_WRITE : 0);
		d->next = vq->next[i];
		if (k >= out)
			writable += bufs[k].len;
		last = i;
		i = vq->next[i];
	}
	vq->free_head = vq->next[last];
	vq->num_free = (u16)(vq->num_free - n);
	vq->chain_len[head] = (u8)n;
	vq->chains++;
	vq->writable[head] = writable;
	vq->avail->ring[vq->avail->idx % vq->size] = head;
	fence();
	vq->avail->idx = (u16)(vq->avail->idx + 1);
	return head;
}

void virtqueue_kick(struct virtqueue *vq)
{
	fence();
	ivshmem_doorbell(&vq->vi->dev, vq->vi->peer, vq->device_vector);
}

bool virtqueue_has_used(void *arg)
{
	struct virtqueue *vq = arg;
	return vq->used->idx != vq->last_used || vq->vi->error;
}

/* The back-end's used entries are checked: the index may run at most the queue's size ahead, the entry
 * must name a chain in flight, the length must fit that chain's device-writable buffers. */
int virtqueue_get_used(struct virtqueue *vq, u32 *len)
{
	struct virtio_ivshmem *vi = vq->vi;
	if (vi->error)
		return -2;
	u16 idx = vq->used->idx;
	if (idx == vq->last_used)
		return -1;
	if ((u16)(idx - vq->last_used) > vq->chains)
		return virtio_ivshmem_fail(vi, "queue %u: used index %u runs %u ahead of %u, with %u buffers in flight", vq->index,
					   idx, (u16)(idx - vq->last_used), vq->last_used, vq->chains), -2;
	fence();
	volatile struct vring_used_elem *e = &vq->used->ring[vq->last_used % vq->size];
	u32 id = e->id, l = e->len;
	if (id >= vq->size || !vq->chain_len[id])
		return virtio_ivshmem_fail(vi, "queue %u: used entry names descriptor %u, which is not in flight", vq->index, id), -2;
	if (l > vq->writable[id])
		return virtio_ivshmem_fail(vi, "queue %u: used length %u exceeds the %u writable bytes of buffer %u", vq->index, l,
					   vq->writable[id], id), -2;
	vq->last_used++;
	/* back onto the free list, through the private next fields (the shared ones may have been overwritten) */
	u16 i = (u16)id;
	for (int k = 0; k < vq->chain_len[id] - 1; k++)
		i = vq->next[i];
	vq->next[i] = vq->free_head;
	vq->free_head = (u16)id;
	vq->num_free = (u16)(vq->num_free + vq->chain_len[id]);
	vq->chain_len[id] = 0;
	vq->chains--;
	*len = l;
	return (int)id;
}
