/* virtio-console.c - the virtio console driver (virtio 1.x, 5.3) over the virtio-ivshmem transport: one port,
 * queue 0 receives (device -> driver) into VCON_RX_BUFS posted buffers, queue 1 transmits from one
 * bounce buffer per descriptor.  CONSOLE_F_SIZE is taken when offered (cols x rows). */
#include "virtio.h"

static int post_rx(struct virtio_console *c, int head_hint)
{
	struct vq_buf b = { c->rx_buf[head_hint], VCON_RX_SIZE };
	return virtqueue_add(&c->rx, &b, 0, 1);
}

int virtio_console_open(struct virtio_console *c, unsigned int vpci_irq_base, unsigned long bar0, u64 timeout)
{
	struct virtio_ivshmem *vi = &c->vi;
	if (!vi->hdr && virtio_ivshmem_init(vi, VIRTIO_ID_CONSOLE, vpci_irq_base, bar0))
		return -1;
	if (virtio_ivshmem_connect(vi, timeout) || virtio_ivshmem_negotiate(vi, 1ULL << VIRTIO_CONSOLE_F_SIZE) ||
	    virtqueue_init(&c->rx, vi, 0, VCON_RX_BUFS) || virtqueue_init(&c->tx, vi, 1, VQ_MAX_SIZE))
		return -1;
	c->cols = c->rows = 0;
	if (vi->features >> VIRTIO_CONSOLE_F_SIZE & 1) {
		u32 size = virtio_config_read32(vi, 0);
		c->cols = (u16)size;
		c->rows = (u16)(size >> 16);
	}
	/* the rx buffers are indexed by the head they are posted at: with an empty queue the i-th chain
	 * of one descriptor starts at descriptor i */
	for (int i = 0; i < VCON_RX_BUFS && i < c->rx.size; i++)
		if (!(c->rx_buf[i] = virtio_alloc(vi, VCON_RX_SIZE, 16)) || post_rx(c, i) != i)
			return -1;
	for (int i = 0; i < c->tx.size; i++)
		if (!(c->tx_buf[i] = virtio_alloc(vi, VCON_TX_SIZE, 16)))
			return -1;
	c->cur = -1;
	c->bytes_in = c->bytes_out = 0;
	if (virtio_ivshmem_driver_ok(vi))
		return -1;
	virtqueue_kick(&c->rx);
	return 0;
}

static bool tx_room(void *arg)
{
	struct virtio_console *c = arg;
	u32 len;
	while (virtqueue_get_used(&c->tx, &len) >= 0)
		;
	return c->tx.num_free > 0 || c->vi.error;
}

int virtio_console_write(struct virtio_console *c, const char *s, unsigned long len)
{
	for (unsigned long done = 0; done < len;) {
		if (virtio_wait(&c->vi, tx_room, c, c->vi.timeout, "return a transmit buffer"))
			return -1;
		int head = c->tx.free_head;
		u32 n = len - done > VCON_TX_SIZE ? VCON_TX_SIZE : (u32)(len - done);
		memcpy(c->tx_buf[head], s + done, n);
		struct vq_buf b = { c->tx_buf[head], n };
		if (virtqueue_add(&c->tx, &b, 1, 0) != head)
			return -1;
		virtqueue_kick(&c->tx);
		done += n;
		c->bytes_out += n;
	}
	return (int)len;
}

bool virtio_console_has_input(void *arg)
{
	struct virtio_console *c = arg;
	return (c->cur >= 0 && c->cur_pos < c->cur_len) || virtqueue_has_used(&c->rx);
}

int virtio_console_getc(struct virtio_console *c)
{
	for (;;) {
		if (c->vi.error)
			return -2;
		if (c->cur >= 0 && c->cur_pos < c->cur_len) {
			c->bytes_in++;
			return c->rx_buf[c->cur][c->cur_pos++];
		}
		if (c->cur >= 0) {              /* consumed: post it again */
			if (post_rx(c, c->cur) < 0)
				return -2;
			virtqueue_kick(&c->rx);
			c->cur = -1;
		}
		u32 len;
		int head = virtqueue_get_used(&c->rx, &len);
		if (head == -2)
			return -2;
		if (head < 0)
			return -1;
		if (head >= VCON_RX_BUFS)
			return virtio_ivshmem_fail(&c->vi, "receive buffer %d was never posted", head), -2;
		c->cur = head;
		c->cur_len = len;
		c->cur_pos = 0;
	}
}
