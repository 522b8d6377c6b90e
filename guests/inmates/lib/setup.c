/* setup.c - from the boot stub to inmate_main: comm region check, console, halting. */
#include "inmate.h"

const char cmdline[0x100] __attribute__((section(".cmdline"), weak)) = "";

static unsigned long hart_id;

unsigned long inmate_hart_id(void)
{
	return hart_id;
}

/* ---- console: the hypervisor's debug console, or the cell's own 8250 UART ---- */

static void uart8250_putc(char c)
{
	const struct jailhouse_console *con = &comm_region->console;
	unsigned long base = con->address;
	unsigned int shift = (con->flags & JAILHOUSE_CON_REGDIST_4) ? 2 : 0;
	while (!(mmio_read8(base + (5 << shift)) & 0x20))
		; /* LSR.THRE */
	mmio_write8(base, (u8)c);
}

/* Called by the support library's printf for every character. */
void uart_putc(char c)
{
	if (comm_region->flags & JAILHOUSE_COMM_FLAG_DBG_PUTC_ACTIVE)
		jailhouse_call(JAILHOUSE_HC_DEBUG_CONSOLE_PUTC, (unsigned char)c, 0);
	else if (comm_region->console.type == JAILHOUSE_CON_TYPE_8250 &&
		 (comm_region->console.flags & JAILHOUSE_CON_ACCESS_MMIO))
		uart8250_putc(c);
	/* no console: output is dropped, as on the real inmate library */
}

int vprintf(const char *fmt, va_list ap);

void printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

NORETURN void stop(void)
{
	csr_clear(sstatus, 2); /* SIE */
	for (;;)
		asm volatile("wfi");
}

/* Entered from header.S with interrupts off and the trap vector set. */
void inmate_setup(unsigned long hartid)
{
	hart_id = hartid;
	if (strncmp(comm_region->signature, "JHCOMM", 6) != 0 ||
	    comm_region->revision != COMM_REGION_ABI_REVISION) {
		comm_region->cell_state = JAILHOUSE_CELL_FAILED_COMM_REV;
		stop();
	}
	inmate_main();
	stop();
}
