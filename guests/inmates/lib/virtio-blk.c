/* virtio-blk.c - the virtio block driver (virtio 1.x, 5.2) over the virtio-ivshmem transport: synchronous
 * requests of three descriptors (header, one data segment, status), the data bounced through one buffer
 * of min(SIZE_MAX, 64 KiB).  FLUSH is sent when offered. */
#include "virtio.h"

#define BLK_BUFFER (64 * 1024)

int virtio_blk_open(struct virtio_blk *b, unsigned int vpci_irq_base, unsigned long bar0, u64 timeout)
{
	struct virtio_ivshmem *vi = &b->vi;
	if (!vi->hdr && virtio_ivshmem_init(vi, VIRTIO_ID_BLOCK, vpci_irq_base, bar0))
		return -1;
	if (virtio_ivshmem_connect(vi, timeout) ||
	    virtio_ivshmem_negotiate(vi, 1ULL << VIRTIO_BLK_F_SIZE_MAX | 1ULL << VIRTIO_BLK_F_SEG_MAX | 1ULL << VIRTIO_BLK_F_FLUSH) ||
	    virtqueue_init(&b->vq, vi, 0, 8))
		return -1;
	b->capacity = virtio_config_read32(vi, 0) | (u64)virtio_config_read32(vi, 4) << 32;
	b->size_max = vi->features >> VIRTIO_BLK_F_SIZE_MAX & 1 ? virtio_config_read32(vi, 8) : 0;
	b->seg_max = vi->features >> VIRTIO_BLK_F_SEG_MAX & 1 ? virtio_config_read32(vi, 12) : 0;
	b->data_size = BLK_BUFFER;
	if (b->size_max && b->size_max < b->data_size)
		b->data_size = b->size_max & ~511u;
	if (!b->data_size)
		return virtio_ivshmem_fail(vi, "SIZE_MAX %u is below one sector", b->size_max);
	b->req = virtio_alloc(vi, sizeof(*b->req), 16);
	b->status = virtio_alloc(vi, 16, 16);
	b->data = virtio_alloc(vi, b->data_size, 512);
	if (!b->req || !b->status || !b->data)
		return -1;
	return virtio_ivshmem_driver_ok(vi);
}

/* One request, waited for; `len` bytes of data at b->data (0: none). 0, or -1. */
static int request(struct virtio_blk *b, u32 type, u64 sector, u32 len)
{
	struct virtio_ivshmem *vi = &b->vi;
	b->req->type = type;
	b->req->reserved = 0;
	b->req->sector = sector;
	*b->status = 0xff;
	struct vq_buf bufs[3] = { { b->req, sizeof(*b->req) }, { b->data, len }, { b->status, 1 } };
	int in = type == VIRTIO_BLK_T_IN;
	int head = len ? virtqueue_add(&b->vq, bufs, in ? 1 : 2, in ? 2 : 1) : virtqueue_add(&b->vq, (struct vq_buf[]){ bufs[0], bufs[2] }, 1, 1);
	if (head < 0)
		return virtio_ivshmem_fail(vi, "request queue full");
	virtqueue_kick(&b->vq);
	if (virtio_wait(vi, virtqueue_has_used, &b->vq, vi->timeout, "complete a request"))
		return -1;
	u32 used_len;
	int got = virtqueue_get_used(&b->vq, &used_len);
	if (got != head)
		return got == -2 ? -1 : virtio_ivshmem_fail(vi, "completed request %d, not %d", got, head);
	return *b->status == VIRTIO_BLK_S_OK ? 0 : -1;
}

static int check(struct virtio_blk *b, u64 sector, u32 len)
{
	if (len % 512 || sector > b->capacity || len / 512 > b->capacity - sector)
		return -1;
	return 0;
}

int virtio_blk_read(struct virtio_blk *b, u64 sector, void *buf, u32 len)
{
	if (check(b, sector, len))
		return -1;
	for (u32 done = 0; done < len;) {
		u32 n = len - done > b->data_size ? b->data_size : len - done;
		if (request(b, VIRTIO_BLK_T_IN, sector + done / 512, n))
			return -1;
		memcpy((u8 *)buf + done, b->data, n);
		done += n;
	}
	return 0;
}

int virtio_blk_write(struct virtio_blk *b, u64 sector, const void *buf, u32 len)
{
	if (check(b, sector, len))
		return -1;
	for (u32 done = 0; done < len;) {
		u32 n = len - done > b->data_size ? b->data_size : len - done;
		memcpy(b->data, (const u8 *)buf + done, n);
		if (request(b, VIRTIO_BLK_T_OUT, sector + done / 512, n))
			return -1;
		done += n;
	}
	return 0;
}

int virtio_blk_flush(struct virtio_blk *b)
{
	if (!(b->vi.features >> VIRTIO_BLK_F_FLUSH & 1))
		return 0;
	return request(b, VIRTIO_BLK_T_FLUSH, 0, 0);
}
