/* virtio-console-demo - an interactive prompt on a virtio console (the front-end of a virtio-ivshmem link;
 * the root cell serves it with `virtio-ivshmem-console`, which relays it to a UART of the board).
 *
 * Status lines go to the cell's own console (printk); the prompt runs on the virtio console.  When the
 * back-end goes away or breaks the protocol, the demo says why, resets its side and waits for a back-end
 * again.  Command line: vpci_irq_base=N (the cell config's, default 38), bar=ADDR (BAR0, 0x40000000). */
#include "virtio.h"

CMDLINE_BUFFER(128);

static struct virtio_console con;
static unsigned long lines;

static void handle_irq(unsigned int irq)
{
	if (con.vi.hdr && irq == con.vi.irq)
		virtio_ivshmem_interrupt(&con.vi);
}

/* Text to the virtio console with "\n" as "\r\n" (a terminal's onlcr). */
static void out(const char *fmt, ...)
{
	char buf[256], tty[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	unsigned long k = 0;
	for (int i = 0; i < n && i < (int)sizeof(buf) - 1 && k < sizeof(tty) - 2; i++) {
		if (buf[i] == '\n')
			tty[k++] = '\r';
		tty[k++] = buf[i];
	}
	virtio_console_write(&con, tty, k);
}

static void run(char *line)
{
	while (*line == ' ')
		line++;
	if (!*line)
		return;
	lines++;
	if (!strcmp(line, "help")) {
		out("commands: help, echo TEXT, hello, stats\n");
	} else if (!strncmp(line, "echo", 4) && (line[4] == ' ' || !line[4])) {
		out("%s\n", line[4] ? line + 5 : "");
	} else if (!strcmp(line, "hello")) {
		out("Hello from cell \"virtio-console\" over virtio!\n");
	} else if (!strcmp(line, "stats")) {
		out("virtio console %ux%u, features 0x%lx, %lu commands, %lu bytes in, %lu bytes out\n", con.cols, con.rows,
		    (unsigned long)con.vi.features, lines, con.bytes_in, con.bytes_out);
	} else {
		out("unknown command: %s (try help)\n", line);
	}
}

/* One session: prompt, line editing, commands, until the back-end leaves or errs. */
static void session(void)
{
	char line[80];
	unsigned n = 0;
	out("\nJailhouse Lab: the virtio console of cell \"virtio-console\" (%ux%u). Type help.\n", con.cols, con.rows);
	out("virtio> ");
	for (;;) {
		if (virtio_wait(&con.vi, virtio_console_has_input, &con, 0, 0))
			return;
		int c;
		while ((c = virtio_console_getc(&con)) >= 0) {
			if (c == '\r' || c == '\n') {
				out("\n");
				line[n] = 0;
				run(line);
				n = 0;
				out("virtio> ");
			} else if ((c == 0x7f || c == 8) && n) {
				n--;
				out("\b \b");
			} else if (c >= 0x20 && c < 0x7f && n < sizeof(line) - 1) {
				line[n++] = (char)c;
				out("%c", c);
			}
		}
		if (c == -2)
			return;
	}
}

void inmate_main(void)
{
	unsigned int irq_base = (unsigned int)cmdline_parse_int("vpci_irq_base", 38);
	unsigned long bar = (unsigned long)cmdline_parse_int("bar", 0x40000000);
	irq_init(handle_irq);
	enable_irqs();
	for (unsigned int round = 1;; round++) {
		printk("virtio-console-demo: waiting for the back-end\n");
		if (virtio_console_open(&con, irq_base, bar, 0)) {
			printk("virtio-console-demo: %s\n", con.vi.error);
			if (!con.vi.hdr)
				return;                  /* no device at all */
			virtio_ivshmem_disconnect(&con.vi);
			continue;
		}
		printk("virtio-console-demo: virtio console %ux%u ready (connection %u)\n", con.cols, con.rows, round);
		session();
		printk("virtio-console-demo: %s\n", con.vi.error ? con.vi.error : "session ended");
		virtio_ivshmem_disconnect(&con.vi);
	}
}
