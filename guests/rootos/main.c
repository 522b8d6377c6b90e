/* main.c - boot of the root-cell OS: read the device tree, bring up the console, the RAM disk and every
 * hart, print a short banner, run the shell.  Entered by lib/start.S on the boot hart (a0 = hart id,
 * a1 = device tree) in S-mode without paging. */
#include "rootos.h"

static unsigned long read_instret(void)
{
	unsigned long v;
	asm volatile("rdinstret %0" : "=r"(v));
	return v;
}

int main(unsigned long hartid, unsigned long dtb)
{
	if (fdt_parse(dtb, &board)) {
		/* no device tree: assume the board of board.md so that the shell still comes up */
		memset(&board, 0, sizeof(board));
		board.bootargs = board.model = "";
		board.uart_base = UART0_BASE;
		board.uart_irq = 10;
		board.plic_base = 0x0c000000;
		board.timebase = 10000000;
		board.harts = 1UL << hartid;
		board.ram_base = 0x80000000;
	}
	/* keep what the shell shows from the device tree: after `jailhouse enable` the root cell may no
	 * longer own the memory the device tree lies in */
	static char model[64], bootargs[256];
	board.model = strncpy0(model, board.model, sizeof(model));
	board.bootargs = strncpy0(bootargs, board.bootargs, sizeof(bootargs));
	console_init();
	int files = -1;
	if (board.initrd_end > board.initrd_start)
		files = initrd_init(board.initrd_start, board.initrd_end);
	smp_init();

	char cpus[64];
	format_cpulist(cpus, sizeof(cpus), cpus_online());
	con_printf("\nJailhouse Lab root-cell OS %s (%s)\n", ROOTOS_VERSION, board.model);
	con_printf("CPUs %s online (boot CPU %lu), RAM %lu MiB at 0x%lx, ", cpus, hartid, board.ram_size >> 20,
		   board.ram_base);
	if (files >= 0)
		con_printf("initrd %lu KiB (%d files)\n", (board.initrd_end - board.initrd_start + 1023) >> 10, files);
	else if (board.initrd_end > board.initrd_start)
		con_puts("initrd unreadable (not a cpio newc archive)\n");
	else
		con_puts("no initrd\n");
	if (*board.bootargs)
		con_printf("Command line: %s\n", board.bootargs);
	/* instret counts instructions on the lab; under QEMU without -icount it follows host time */
	if (!on_reference_qemu())
		con_printf("Boot took %lu instructions on CPU %lu. ", read_instret(), hartid);
	con_puts("Type 'help' for commands.\n\n");
	shell_run();
	return 0;
}
