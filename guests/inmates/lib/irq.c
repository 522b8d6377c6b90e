/* irq.c - trap dispatch: timer, software and PLIC external interrupts to one handler. */
#include "inmate.h"

#define PLIC_BASE         0x0c000000UL
#define PLIC_PRIORITY(s)  (PLIC_BASE + 4 * (s))
#define PLIC_ENABLE(c, s) (PLIC_BASE + 0x2000 + 0x80 * (c) + 4 * ((s) / 32))
#define PLIC_THRESHOLD(c) (PLIC_BASE + 0x200000 + 0x1000 * (c))
#define PLIC_CLAIM(c)     (PLIC_BASE + 0x200004 + 0x1000 * (c))

#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

static irq_handler_t handler;

/* The S-mode PLIC context of this hart (board.md: hart h -> 2h + 1). */
static unsigned long context(void)
{
	return 2 * inmate_hart_id() + 1;
}

void irq_init(irq_handler_t h)
{
	handler = h;
	mmio_write32(PLIC_THRESHOLD(context()), 0);
}

void irq_enable(unsigned int irq)
{
	if (irq == IRQ_TIMER) {
		csr_set(sie, SIE_STIE);
	} else if (irq == IRQ_SOFTWARE) {
		csr_set(sie, SIE_SSIE);
	} else {
		mmio_write32(PLIC_PRIORITY(irq), 1);
		mmio_write32(PLIC_ENABLE(context(), irq), mmio_read32(PLIC_ENABLE(context(), irq)) | (1U << (irq % 32)));
		csr_set(sie, SIE_SEIE);
	}
}

void irq_disable(unsigned int irq)
{
	if (irq == IRQ_TIMER)
		csr_clear(sie, SIE_STIE);
	else if (irq == IRQ_SOFTWARE)
		csr_clear(sie, SIE_SSIE);
	else
		mmio_write32(PLIC_ENABLE(context(), irq), mmio_read32(PLIC_ENABLE(context(), irq)) & ~(1U << (irq % 32)));
}

void enable_irqs(void)
{
	csr_set(sstatus, 2);
}

void disable_irqs(void)
{
	csr_clear(sstatus, 2);
}

void wait_for_interrupt(void)
{
	asm volatile("wfi");
}

/* Called by trap_entry (header.S). Exceptions in an inmate are bugs: report and stop. */
void trap_handler(unsigned long scause)
{
	if (!(scause >> 63)) {
		printk("inmate: unexpected exception %lu at 0x%lx (stval 0x%lx)\n", scause, csr_read(sepc), csr_read(stval));
		stop();
	}
	switch (scause & 0xff) {
	case 5:
		timer_stop(); /* one-shot: the handler re-arms */
		if (handler)
			handler(IRQ_TIMER);
		break;
	case 1:
		csr_clear(sip, SIE_SSIE);
		if (handler)
			handler(IRQ_SOFTWARE);
		break;
	case 9:
		for (;;) {
			u32 irq = mmio_read32(PLIC_CLAIM(context()));
			if (!irq)
				break;
			if (handler)
				handler(irq);
			mmio_write32(PLIC_CLAIM(context()), irq);
		}
		break;
	}
}
