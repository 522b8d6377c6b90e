/* console.c - the shell's terminal on UART0.
 *
 * Receive is interrupt driven: the UART raises its "data available" interrupt through the PLIC (S-mode
 * context of the boot hart), the handler moves bytes into a ring, and readers sleep in WFI while the
 * ring is empty, so an idle shell costs the emulator nothing.  When the ring is full the handler masks
 * the UART interrupt (IER = 0) and the reader unmasks it again: bytes then wait in the UART, which keeps
 * pasted or scripted input lossless.  While a command runs ("busy"), Ctrl-C does not enter the ring but
 * marks the command interrupted.  Output is polled (the UART transmits at once) and turns "\n" into
 * "\r\n" like a Linux tty (onlcr).
 *
 * Every wait here also runs the background jobs (job.c): their interrupts end the WFI, and a line a job
 * prints while the line editor waits first clears the editor's line, which the editor then redraws. */
#include "rootos.h"

#define UART_RBR 0
#define UART_THR 0
#define UART_IER 1
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define IER_RDA  0x01

#define PLIC_PRIORITY(s)    (board.plic_base + 4 * (s))
#define PLIC_ENABLE(c, s)   (board.plic_base + 0x2000 + 0x80 * (c) + 4 * ((s) / 32))
#define PLIC_THRESHOLD(c)   (board.plic_base + 0x200000 + 0x1000 * (c))
#define PLIC_CLAIM(c)       (board.plic_base + 0x200004 + 0x1000 * (c))

#define RX_SIZE 1024       /* power of two */

static uint8_t rx_ring[RX_SIZE];
static volatile unsigned rx_head, rx_tail;    /* head: next to write (IRQ), tail: next to read */
static volatile int busy, interrupted;
static unsigned long plic_context;
static spinlock_t out_lock;

#define MAX_IRQS 8
static struct { uint32_t src; void (*fn)(uint32_t, void *); void *ctx; } irqs[MAX_IRQS];

/* Interrupts handed to registered handlers: a wait that saw this change after it polled the jobs does
 * not sleep, so an interrupt taken between jobs_poll() and the WFI is never left unserved. */
static volatile unsigned irq_seq;

static int editing;        /* the line editor waits for a key: job output must clear its line first */
static int interleaved;    /* ... and did: the editor redraws */

static inline volatile uint8_t *uart(int r) { return (volatile uint8_t *)(board.uart_base + r); }
static inline void mmio_write32(unsigned long a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline uint32_t mmio_read32(unsigned long a) { return *(volatile uint32_t *)a; }

/* Moves received bytes into the ring; masks the UART when the ring is full. */
static void uart_receive(void)
{
	while (*uart(UART_LSR) & LSR_DR) {
		if (rx_head - rx_tail >= RX_SIZE) {
			*uart(UART_IER) = 0;
			return;
		}
		uint8_t c = *uart(UART_RBR);
		if (c == 3 && busy) {
			interrupted = 1;
			continue;
		}
		rx_ring[rx_head % RX_SIZE] = c;
		__atomic_store_n(&rx_head, rx_head + 1, __ATOMIC_RELEASE);
	}
}

static void enable_irq(unsigned long src, int enable)
{
	if (!board.plic_base)
		return;
	uint32_t en = mmio_read32(PLIC_ENABLE(plic_context, src));
	if (enable) {
		mmio_write32(PLIC_PRIORITY(src), 1);
		en |= 1U << (src % 32);
	} else {
		en &= ~(1U << (src % 32));
	}
	mmio_write32(PLIC_ENABLE(plic_context, src), en);
}

/* trap_hook: external interrupts of the boot hart; everything else goes to the library's handler. */
static int console_irq(struct trap_frame *f)
{
	if (f->scause != (CAUSE_INTERRUPT | IRQ_S_EXT))
		return 0;
	uint32_t src;
	while ((src = mmio_read32(PLIC_CLAIM(plic_context))) != 0) {
		if (src == board.uart_irq)
			uart_receive();
		for (int i = 0; i < MAX_IRQS; i++)
			if (irqs[i].fn && irqs[i].src == src) {
				irqs[i].fn(src, irqs[i].ctx);
				irq_seq++;
			}
		mmio_write32(PLIC_CLAIM(plic_context), src);
	}
	return 1;
}

int irq_register(uint32_t src, void (*fn)(uint32_t src, void *ctx), void *ctx)
{
	int slot = -1;
	for (int i = 0; i < MAX_IRQS; i++) {
		if (irqs[i].fn && irqs[i].src == src)
			return -1;
		if (!irqs[i].fn && slot < 0)
			slot = i;
	}
	if (slot < 0 || src == board.uart_irq)
		return -1;
	irqs[slot].src = src;
	irqs[slot].ctx = ctx;
	__atomic_store_n(&irqs[slot].fn, fn, __ATOMIC_RELEASE);
	enable_irq(src, 1);
	return 0;
}

void irq_unregister(uint32_t src)
{
	for (int i = 0; i < MAX_IRQS; i++) {
		if (irqs[i].fn && irqs[i].src == src) {
			enable_irq(src, 0);
			__atomic_store_n(&irqs[i].fn, 0, __ATOMIC_RELEASE);
		}
	}
}

/* Runs the jobs, then sleeps in WFI (interrupts masked, so none is lost between the check and the WFI)
 * unless `ready` says there is something to do already or a job asked to be polled again by now. */
static void wait_event(int (*ready)(void))
{
	unsigned seq = irq_seq;
	jobs_poll();
	unsigned long wake = jobs_next_wake();
	if (wake != ~0UL) {
		csr_set(sie, SIE_STIE);
		sbi_set_timer(wake);
	}
	csr_clear(sstatus, SSTATUS_SIE);
	if (!ready() && seq == irq_seq && (wake == ~0UL || read_time() < wake)) {
		if (!board.plic_base)
			uart_receive();
		else
			asm volatile("wfi");
	}
	csr_set(sstatus, SSTATUS_SIE);     /* the pending interrupt is taken here */
	if (wake != ~0UL) {
		sbi_set_timer(~0UL);
		csr_clear(sie, SIE_STIE);
	}
}

static int key_ready(void) { return rx_tail != __atomic_load_n(&rx_head, __ATOMIC_ACQUIRE); }

int con_take_interleaved(void)
{
	int r = interleaved;
	interleaved = 0;
	return r;
}

/* QEMU virt's 96 sources (0..95) fill three enable words per context. */
#define PLIC_ENABLE_WORDS 3

void console_move_to(unsigned long hart)
{
	unsigned long to = 2 * hart + 1;
	if (board.plic_base && to != plic_context) {
		for (unsigned long w = 0; w < PLIC_ENABLE_WORDS; w++) {
			mmio_write32(PLIC_ENABLE(to, 32 * w), mmio_read32(PLIC_ENABLE(plic_context, 32 * w)));
			mmio_write32(PLIC_ENABLE(plic_context, 32 * w), 0);
		}
		mmio_write32(PLIC_THRESHOLD(to), 0);
	}
	plic_context = to;
}

void console_init(void)
{
	plic_context = 2 * current_hartid() + 1;
	/* FCR is left as the firmware set it: toggling the FIFO enable would flush bytes already typed */
	*uart(UART_MCR) = 0x0b;               /* DTR, RTS, OUT2 (the interrupt gate of a PC UART) */
	trap_hook = console_irq;
	if (board.plic_base) {
		mmio_write32(PLIC_PRIORITY(board.uart_irq), 1);
		uint32_t en = mmio_read32(PLIC_ENABLE(plic_context, board.uart_irq));
		mmio_write32(PLIC_ENABLE(plic_context, board.uart_irq), en | 1U << (board.uart_irq % 32));
		mmio_write32(PLIC_THRESHOLD(plic_context), 0);
		csr_set(sie, SIE_SEIE);
	}
	*uart(UART_IER) = IER_RDA;
	csr_set(sstatus, SSTATUS_SIE);
}

/* The next key from the receive ring, or -1; taken with interrupts off (the handler fills the ring). */
static int take_key(void)
{
	int c = -1;
	csr_clear(sstatus, SSTATUS_SIE);
	if (key_ready()) {
		c = rx_ring[rx_tail % RX_SIZE];
		rx_tail++;
		*uart(UART_IER) = IER_RDA;    /* room again: unmask if the handler masked it */
	}
	csr_set(sstatus, SSTATUS_SIE);
	return c;
}

int con_getc(void)
{
	for (;;) {
		int c = take_key();
		if (c >= 0)
			return c;
		editing = 1;
		wait_event(key_ready);
		editing = 0;
		if (interleaved)
			return CON_REDRAW;
	}
}

void con_set_busy(int b)
{
	interrupted = 0;
	busy = b;
}

int con_interrupted(void)
{
	if (!board.plic_base)
		uart_receive();
	return interrupted;
}

static unsigned long sleep_deadline;
static int sleep_over(void) { return read_time() >= sleep_deadline || interrupted; }

int sleep_ticks(unsigned long ticks)
{
	unsigned long deadline = read_time() + ticks;
	while (read_time() < deadline && !con_interrupted()) {
		unsigned seq = irq_seq;
		jobs_poll();
		unsigned long wake = jobs_next_wake();
		sleep_deadline = wake < deadline ? wake : deadline;
		csr_set(sie, SIE_STIE);
		sbi_set_timer(sleep_deadline);
		csr_clear(sstatus, SSTATUS_SIE);
		if (!sleep_over() && seq == irq_seq)
			asm volatile("wfi");
		csr_set(sstatus, SSTATUS_SIE);
	}
	sbi_set_timer(~0UL);
	csr_clear(sie, SIE_STIE);
	return con_interrupted();
}

int con_getc_within(unsigned long ticks)
{
	unsigned long deadline = read_time() + ticks;
	for (;;) {
		if (!board.plic_base)
			uart_receive();
		int c = take_key();
		if (c >= 0)
			return c;
		if (read_time() >= deadline || interrupted)
			return -1;
		jobs_poll();
		unsigned long wake = jobs_next_wake();
		sleep_deadline = wake < deadline ? wake : deadline;
		csr_set(sie, SIE_STIE);
		sbi_set_timer(sleep_deadline);
		csr_clear(sstatus, SSTATUS_SIE);
		if (!key_ready() && !sleep_over())
			asm volatile("wfi");         /* the UART's, a job's or the timer's interrupt ends it */
		csr_set(sstatus, SSTATUS_SIE);
		sbi_set_timer(~0UL);
		csr_clear(sie, SIE_STIE);
	}
}

static void raw_putc(char c)
{
	while (!(*uart(UART_LSR) & LSR_THRE))
		;
	*uart(UART_THR) = (uint8_t)c;
}

void con_putc(char c)
{
	if (c == '\n')
		raw_putc('\r');
	raw_putc(c);
}

void con_write(const char *s, size_t n)
{
	spin_lock(&out_lock);
	if (editing && !interleaved && n) {
		interleaved = 1;
		raw_putc('\r');
		for (const char *e = "\x1b[K"; *e; e++)
			raw_putc(*e);
	}
	while (n--)
		con_putc(*s++);
	spin_unlock(&out_lock);
}

void con_puts(const char *s) { con_write(s, strlen(s)); }

int con_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	con_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}
