/* block-backend.c - `virtio-ivshmem-block [DEVICE] IMAGE`: the device side of a cell's virtio disk, as
 * Jailhouse's tools/virtio-ivshmem-block.  The image is a file of the RAM disk (read-only in place), so it
 * is copied into root RAM the first time it is served; later runs of the back-end (after `kill %N`, or a
 * front-end restart) serve the same copy, so what the cell wrote persists until the board resets.
 * One request queue of 8; SIZE_MAX = R/W section / 8 (page-aligned), SEG_MAX = 1 and FLUSH, the values
 * and features of the Jailhouse tool. */
#include "backend.h"

#define POOL_SIZE   (4UL << 20)       /* RAM for image copies */
#define MAX_IMAGES  4

struct image {
	char path[64];
	uint8_t *data;
	unsigned long size;
};

struct vblock {
	struct vbackend vb;
	struct image *img;
	uint32_t size_max;
	int open;
	unsigned long read_bytes, written_bytes;
};

static uint8_t pool[POOL_SIZE] __attribute__((aligned(4096)));
static unsigned long pool_used;
static struct image images[MAX_IMAGES];
static struct vblock vblk;

/* The RAM copy of `path` (made on first use), or 0 after printing why not. */
static struct image *image_open(const char *path)
{
	for (int i = 0; i < MAX_IMAGES; i++)
		if (images[i].data && !strcmp(images[i].path, path))
			return &images[i];
	const struct file *f = file_lookup(path);
	if (!f || (f->mode & S_IFMT) != S_IFREG) {
		con_printf("virtio-ivshmem-block: %s: No such file\n", path);
		return 0;
	}
	if (f->size < 512 || strlen(path) >= sizeof(images[0].path)) {
		con_printf("virtio-ivshmem-block: %s: an image needs at least one 512-byte sector (and a path below 64 bytes)\n", path);
		return 0;
	}
	unsigned long size = f->size & ~511UL;
	for (int i = 0; i < MAX_IMAGES; i++) {
		if (images[i].data)
			continue;
		if (size > POOL_SIZE - pool_used) {
			con_printf("virtio-ivshmem-block: %s: %lu bytes do not fit the %lu KiB left for images\n", path, size,
				   (POOL_SIZE - pool_used) >> 10);
			return 0;
		}
		images[i].data = pool + pool_used;
		images[i].size = size;
		strncpy0(images[i].path, path, sizeof(images[i].path));
		memcpy(images[i].data, f->data, size);
		pool_used += (size + 4095) & ~4095UL;
		return &images[i];
	}
	con_puts("virtio-ivshmem-block: too many images\n");
	return 0;
}

static void init_config(struct vbackend *vb)
{
	struct vblock *b = &vblk;
	volatile struct virtio_blk_config *cfg = (volatile struct virtio_blk_config *)(vb->shm + VI_CONFIG_OFFSET);
	uint64_t sectors = b->img->size / 512;
	cfg->capacity_lo = (uint32_t)sectors;
	cfg->capacity_hi = (uint32_t)(sectors >> 32);
	cfg->size_max = b->size_max;
	cfg->seg_max = 1;
}

/* One request: header (device-readable, 16 bytes), data segments, status byte (device-writable, last). */
static int request(struct vblock *b, uint32_t head)
{
	struct vbackend *vb = &b->vb;
	struct vb_buf c[10];
	uint32_t n = 0, i = head;
	for (;;) {
		if (n == 10)
			return vb_fail(vb, "request %u: more than 10 descriptors", head);
		if (vb_desc(vb, 0, i, &c[n]))
			return -1;
		if (!(c[n++].flags & VRING_DESC_F_NEXT))
			break;
		i = c[n - 1].next;
	}
	struct vb_buf *h = &c[0], *st = &c[n - 1];
	if (n < 2 || h->len < sizeof(struct virtio_blk_req_header) || (h->flags & VRING_DESC_F_WRITE))
		return vb_fail(vb, "request %u: no device-readable 16-byte header first", head);
	if (!(st->flags & VRING_DESC_F_WRITE) || st->len < 1)
		return vb_fail(vb, "request %u: no device-writable status byte last", head);
	struct virtio_blk_req_header rq;
	memcpy(&rq, h->p, sizeof(rq));
	uint8_t status = VIRTIO_BLK_S_OK;
	uint32_t written = 1;
	uint64_t at = rq.sector * 512;
	switch (rq.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		for (uint32_t k = 1; k + 1 < n; k++) {
			struct vb_buf *s = &c[k];
			int in = rq.type == VIRTIO_BLK_T_IN;
			if (!!(s->flags & VRING_DESC_F_WRITE) != in)
				return vb_fail(vb, "request %u: data descriptor %u has the wrong direction for %s", head, k, in ? "a read" : "a write");
			if (s->len % 512 || s->len > b->size_max || rq.sector > b->img->size / 512 || s->len > b->img->size - at) {
				status = VIRTIO_BLK_S_IOERR;
				break;
			}
			if (in) {
				memcpy(s->p, b->img->data + at, s->len);
				written += s->len;
				b->read_bytes += s->len;
			} else {
				memcpy(b->img->data + at, s->p, s->len);
				b->written_bytes += s->len;
			}
			at += s->len;
		}
		break;
	case VIRTIO_BLK_T_FLUSH:
		break;                    /* the image is RAM: nothing to write back */
	case VIRTIO_BLK_T_GET_ID:
		if (n == 3 && (c[1].flags & VRING_DESC_F_WRITE)) {
			static const char id[20] = "jailhouse-lab-vblk";
			uint32_t len = c[1].len < 20 ? c[1].len : 20;
			memcpy(c[1].p, id, len);
			written += len;
		} else {
			status = VIRTIO_BLK_S_IOERR;
		}
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	st->p[0] = status;
	vb_push_used(vb, 0, head, written);
	return 0;
}

static int serve(struct vbackend *vb, int q)
{
	int n = 0;
	for (; n < VB_BATCH; n++) {
		int head = vb_next_avail(vb, 0);
		if (head == -2)
			return -1;
		if (head < 0)
			break;
		if (request(&vblk, (uint32_t)head))
			return -1;
	}
	if (n)
		vb_notify(vb, 0);
	return n;
}

static const struct vbackend_ops block_ops = {
	.name = "virtio-ivshmem-block",
	.device_id = VIRTIO_ID_BLOCK,
	.queues = 1,
	.queue_size = 8,
	.features_lo = 1u << VIRTIO_BLK_F_SIZE_MAX | 1u << VIRTIO_BLK_F_SEG_MAX | 1u << VIRTIO_BLK_F_FLUSH,
	.config_size = sizeof(struct virtio_blk_config),
	.init_config = init_config,
	.serve = serve,
};

static int job_poll(void *ctx) { return vb_job_poll(&((struct vblock *)ctx)->vb); }
static void job_stop(void *ctx)
{
	struct vblock *b = ctx;
	vb_close(&b->vb);
	b->open = 0;
}
static const struct job_ops block_job = { job_poll, job_stop };

int cmd_virtio_block(int argc, char **argv)
{
	int bdf = -1;
	const char *path = 0;
	for (int i = 1; i < argc; i++) {
		int v = vb_parse_bdf(argv[i]);
		if (v >= 0 && bdf < 0 && !path)
			bdf = v;
		else if (!path)
			path = argv[i];
		else
			path = 0, i = argc;
	}
	if (!path) {
		con_puts("usage: virtio-ivshmem-block [DEVICE] IMAGE   (DEVICE: bdf as lspci shows it, e.g. 00:0f.0;\n"
			 "       IMAGE: a file of the RAM disk, served from a RAM copy that keeps writes until reset)\n");
		return 1;
	}
	struct vblock *b = &vblk;
	if (b->open) {
		con_puts("virtio-ivshmem-block: already running (see jobs)\n");
		return 1;
	}
	struct image *img = image_open(path[0] == '/' ? path + 1 : path);
	if (!img)
		return 1;
	if (vb_open(&b->vb, &block_ops, b, bdf))
		return 1;
	b->img = img;
	b->size_max = (uint32_t)(b->vb.shm_size / 8) & ~0xfffu;
	b->open = 1;
	con_printf("virtio-ivshmem-block: serving %s: %s, %lu sectors\n", b->vb.bdf_name, path, img->size / 512);
	if (shell_background) {
		char line[96];
		snprintf(line, sizeof(line), "virtio-ivshmem-block %s %s", b->vb.bdf_name, path);
		if (job_start(line, &block_job, b) < 0) {
			con_puts("virtio-ivshmem-block: too many jobs\n");
			job_stop(b);
			return 1;
		}
		return 0;
	}
	int status = vb_run(&b->vb);
	b->open = 0;
	return status;
}
