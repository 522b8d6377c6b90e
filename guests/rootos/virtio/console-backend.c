/* console-backend.c - `virtio-ivshmem-console [DEVICE] [TTY]`: the device side of a cell's virtio console,
 * as Jailhouse's tools/virtio-ivshmem-console.  Jailhouse's tool relays the console to its terminal; the root
 * OS has only UART0 as its own terminal, so the console is relayed to a further board UART (TTY, default
 * /dev/ttyS1 = UART1, the lab shows it as its own pane): what the cell writes (transmitq) goes out on that
 * UART byte for byte, what is typed there goes into the cell's receive buffers (receiveq).
 * Queue sizes 8 and CONSOLE_F_SIZE (80 x 25), as the Jailhouse tool offers. */
#include "backend.h"

#define UART_BASE(n)  (0x10100000UL + ((n) - 1) * 0x1000UL)   /* board.md: the extra NS16550A UARTs */
#define UART_IRQ(n)   (12 + (n) - 1)
#define UART_RBR 0
#define UART_THR 0
#define UART_IER 1
#define UART_MCR 4
#define UART_LSR 5
#define RX_SIZE  256                  /* power of two */

struct vconsole {
	struct vbackend vb;
	unsigned long uart;
	uint32_t uart_irq;
	uint8_t rx[RX_SIZE];
	volatile unsigned rx_head, rx_tail;
	int open;
};
static struct vconsole vcons;

static volatile uint8_t *uart_reg(struct vconsole *c, int r) { return (volatile uint8_t *)(c->uart + r); }

/* UART receive interrupt: bytes into the ring; a full ring masks the UART (bytes wait there, none lost). */
static void uart_hook(uint32_t src, void *ctx)
{
	struct vconsole *c = ctx;
	while (*uart_reg(c, UART_LSR) & 1) {
		if (c->rx_head - c->rx_tail >= RX_SIZE) {
			*uart_reg(c, UART_IER) = 0;
			break;
		}
		c->rx[c->rx_head % RX_SIZE] = *uart_reg(c, UART_RBR);
		__atomic_store_n(&c->rx_head, c->rx_head + 1, __ATOMIC_RELEASE);
	}
	c->vb.irqs++;
}

static void init_config(struct vbackend *vb)
{
	volatile struct virtio_console_config *cfg = (volatile struct virtio_console_config *)(vb->shm + VI_CONFIG_OFFSET);
	cfg->cols = 80;
	cfg->rows = 25;
	cfg->max_nr_ports = 1;
}

static int serve_receive(struct vconsole *c)
{
	struct vbackend *vb = &c->vb;
	int n = 0;
	while (n < VB_BATCH && c->rx_tail != __atomic_load_n(&c->rx_head, __ATOMIC_ACQUIRE)) {
		int head = vb_next_avail(vb, 0);
		if (head == -2)
			return -1;
		if (head < 0)
			break;                /* no receive buffer: the bytes wait */
		struct vb_buf b;
		if (vb_desc(vb, 0, (uint32_t)head, &b))
			return -1;
		if (!(b.flags & VRING_DESC_F_WRITE) || !b.len)
			return vb_fail(vb, "receiveq: descriptor %d is not a device-writable buffer", head);
		uint32_t len = 0;
		while (len < b.len && c->rx_tail != c->rx_head)
			b.p[len++] = c->rx[c->rx_tail++ % RX_SIZE];
		vb_push_used(vb, 0, (uint32_t)head, len);
		n++;
	}
	*uart_reg(c, UART_IER) = 1;           /* room again */
	if (n)
		vb_notify(vb, 0);
	return n;
}

static int serve_transmit(struct vconsole *c)
{
	struct vbackend *vb = &c->vb;
	int n = 0;
	for (; n < VB_BATCH; n++) {
		int head = vb_next_avail(vb, 1);
		if (head == -2)
			return -1;
		if (head < 0)
			break;
		/* check the whole chain first (indices, buffers, directions, no loop), then send it */
		struct vb_buf bufs[VB_MAX_CHAIN];
		uint32_t n_desc = 0, i = (uint32_t)head;
		for (;;) {
			if (n_desc == vb->q[1].size || n_desc == VB_MAX_CHAIN)
				return vb_fail(vb, "transmitq: descriptor chain from %d loops", head);
			struct vb_buf *b = &bufs[n_desc];
			if (vb_desc(vb, 1, i, b))
				return -1;
			if (b->flags & VRING_DESC_F_WRITE)
				return vb_fail(vb, "transmitq: descriptor %u is device-writable", i);
			n_desc++;
			if (!(b->flags & VRING_DESC_F_NEXT))
				break;
			i = b->next;
		}
		for (uint32_t k = 0; k < n_desc; k++) {
			for (uint32_t n = 0; n < bufs[k].len; n++) {
				while (!(*uart_reg(c, UART_LSR) & 0x20))
					;
				*uart_reg(c, UART_THR) = bufs[k].p[n];
			}
		}
		vb_push_used(vb, 1, (uint32_t)head, 0);
	}
	if (n)
		vb_notify(vb, 1);
	return n;
}

static int serve(struct vbackend *vb, int q)
{
	return q == 0 ? serve_receive(&vcons) : serve_transmit(&vcons);
}

static void reset(struct vbackend *vb)
{
	/* bytes typed before the driver is ready are kept for it */
}

static const struct vbackend_ops console_ops = {
	.name = "virtio-ivshmem-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.queues = 2,
	.queue_size = 8,
	.features_lo = 1u << VIRTIO_CONSOLE_F_SIZE,
	.config_size = sizeof(struct virtio_console_config),
	.init_config = init_config,
	.serve = serve,
	.reset = reset,
};

static void console_close(struct vconsole *c)
{
	*uart_reg(c, UART_IER) = 0;
	irq_unregister(c->uart_irq);
	vb_close(&c->vb);
	c->open = 0;
}

static int job_poll(void *ctx) { return vb_job_poll(&((struct vconsole *)ctx)->vb); }
static void job_stop(void *ctx) { console_close(ctx); }
static const struct job_ops console_job = { job_poll, job_stop };

int cmd_virtio_console(int argc, char **argv)
{
	int bdf = -1;
	unsigned long tty = 1;
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "/dev/ttyS", 9) && !parse_ulong(argv[i] + 9, &tty) && tty >= 1 && tty <= 4)
			continue;
		if ((bdf = vb_parse_bdf(argv[i])) >= 0)
			continue;
		con_puts("usage: virtio-ivshmem-console [DEVICE] [TTY]   (DEVICE: bdf as lspci shows it, e.g. 00:0d.0;\n"
			 "       TTY: /dev/ttyS1../dev/ttyS4, the UART the cell's console is relayed to, default /dev/ttyS1)\n");
		return 1;
	}
	struct vconsole *c = &vcons;
	if (c->open) {
		con_puts("virtio-ivshmem-console: already running (see jobs)\n");
		return 1;
	}
	if (vb_open(&c->vb, &console_ops, c, bdf))
		return 1;
	c->uart = UART_BASE(tty);
	c->uart_irq = UART_IRQ(tty);
	c->rx_head = c->rx_tail = 0;
	if (irq_register(c->uart_irq, uart_hook, c)) {
		con_printf("virtio-ivshmem-console: the interrupt of /dev/ttyS%lu is taken\n", tty);
		vb_close(&c->vb);
		return 1;
	}
	c->open = 1;
	*uart_reg(c, UART_MCR) = 0x0b;
	*uart_reg(c, UART_IER) = 1;
	con_printf("virtio-ivshmem-console: serving %s on /dev/ttyS%lu\n", c->vb.bdf_name, tty);
	if (shell_background) {
		char line[64];
		snprintf(line, sizeof(line), "virtio-ivshmem-console %s /dev/ttyS%lu", c->vb.bdf_name, tty);
		if (job_start(line, &console_job, c) < 0) {
			con_puts("virtio-ivshmem-console: too many jobs\n");
			console_close(c);
			return 1;
		}
		return 0;
	}
	int status = vb_run(&c->vb);
	*uart_reg(c, UART_IER) = 0;
	irq_unregister(c->uart_irq);
	c->open = 0;
	return status;
}
