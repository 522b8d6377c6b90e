/* console.c - `jailhouse console [-f]`: the hypervisor's console as Linux shows it in
 * /sys/devices/jailhouse/console.  Jailhouse keeps its console in a ring in hypervisor memory
 * (struct jailhouse_virt_console below: a sequence counter that is odd while the hypervisor writes,
 * the total count of bytes written, 2 KiB of content) and maps that page read-only into the root cell
 * when the system config sets JAILHOUSE_SYS_VIRTUAL_DEBUG_CONSOLE.  Where the lab's hypervisor puts that
 * page is an assumption of this OS (README.md): the firmware call JLAB FID 1 returns its address. */
#include "tool.h"

#define CONSOLE_CONTENT 2048

struct jailhouse_virt_console {
	volatile uint32_t busy;        /* odd while the hypervisor updates the ring */
	volatile uint32_t tail;        /* bytes written since enable */
	char content[CONSOLE_CONTENT];
};

/* Prints what the ring holds beyond `from` (at most its size); returns the new tail. */
static uint32_t dump_delta(const struct jailhouse_virt_console *con, uint32_t from)
{
	static char copy[CONSOLE_CONTENT];
	uint32_t seq, tail;
	do {
		while ((seq = con->busy) & 1)
			cpu_relax();
		tail = con->tail;
		memcpy(copy, con->content, CONSOLE_CONTENT);
	} while (con->busy != seq);
	if (tail - from > CONSOLE_CONTENT)
		from = tail - CONSOLE_CONTENT;
	for (uint32_t i = from; i != tail; i++)
		con_putc(copy[i % CONSOLE_CONTENT]);
	return tail;
}

int jailhouse_console(int argc, char **argv)
{
	int follow = argc == 3 && (!strcmp(argv[2], "-f") || !strcmp(argv[2], "--follow"));
	if (argc > 3 || (argc == 3 && !follow)) {
		con_puts("Usage: jailhouse console [-f | --follow]\n");
		return 1;
	}
	unsigned long page = jh_enabled() ? jh_console_page() : 0;
	if (!page) {
		con_puts(jh_enabled() ?
			 "jailhouse console: not available: the hypervisor maps no console page into the root cell\n"
			 "(its messages are on the lab's hypervisor console)\n" :
			 "opening /sys/devices/jailhouse/console: No such file or directory\n");
		return 1;
	}
	const struct jailhouse_virt_console *con = (const void *)page;
	uint32_t from = dump_delta(con, 0);          /* what the ring holds, then (-f) what follows */
	while (follow && !sleep_ticks(board.timebase / 10))
		from = dump_delta(con, from);
	return 0;
}
