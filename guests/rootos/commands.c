/* commands.c - the shell's built-in commands (the `jailhouse` tool lives in jailhouse/). */
#include "rootos.h"
#include "jailhouse/tool.h"

static int cmd_help(int argc, char **argv)
{
	con_puts("Commands (Ctrl-C interrupts a running command; Up/Down recall earlier lines):\n");
	for (const struct command *c = commands; c->name; c++) {
		char head[48];
		snprintf(head, sizeof(head), "%s %s", c->name, c->args);
		con_printf("  %-30s %s\n", head, c->help);
	}
	return 0;
}

/* ls [DIR]: the entries directly below DIR (directories end in "/"), with their sizes. */
static int cmd_ls(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/";
	for (;;) {
		if (dir[0] == '/')
			dir++;
		else if (dir[0] == '.' && (dir[1] == '/' || !dir[1]))
			dir++;
		else
			break;
	}
	size_t dlen = strlen(dir);
	while (dlen && dir[dlen - 1] == '/')
		dlen--;
	const struct file *self = dlen ? file_lookup(dir) : 0;
	if (self && (self->mode & S_IFMT) != S_IFDIR) {
		con_printf("%8lu  %s\n", self->size, argv[1]);
		return 0;
	}
	int found = 0;
	for (int i = 0; i < file_count(); i++) {
		const char *name = file_at(i)->name;
		if (dlen && (strncmp(name, dir, dlen) || name[dlen] != '/'))
			continue;
		const char *rest = name + (dlen ? dlen + 1 : 0);
		if (!*rest)
			continue;
		found = 1;
		const char *slash = strchr(rest, '/');
		size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
		/* print each child once: skip it if an earlier entry already named it */
		int seen = 0;
		for (int j = 0; j < i && !seen; j++) {
			const char *other = file_at(j)->name;
			if (dlen && (strncmp(other, dir, dlen) || other[dlen] != '/'))
				continue;
			const char *orest = other + (dlen ? dlen + 1 : 0);
			seen = !strncmp(orest, rest, n) && (orest[n] == '/' || orest[n] == 0);
		}
		if (seen)
			continue;
		const struct file *child = 0;
		if (!slash)
			child = file_at(i);
		int is_dir = slash || (child->mode & S_IFMT) == S_IFDIR;
		char entry[128];
		strncpy0(entry, rest, n + 1 < sizeof(entry) ? n + 1 : sizeof(entry));
		if (is_dir)
			con_printf("%8s  %s/\n", "-", entry);
		else
			con_printf("%8lu  %s\n", child->size, entry);
	}
	if (!found && !self && dlen) {
		con_printf("ls: cannot access '%s': No such file or directory\n", argv[1]);
		return 1;
	}
	return 0;
}

static const struct file *open_file(const char *cmd, const char *path)
{
	const struct file *f = file_lookup(path);
	if (!f)
		con_printf("%s: %s: No such file or directory\n", cmd, path);
	else if ((f->mode & S_IFMT) == S_IFDIR) {
		con_printf("%s: %s: Is a directory\n", cmd, path);
		return 0;
	}
	return f;
}

static int cmd_cat(int argc, char **argv)
{
	if (argc < 2) {
		con_puts("usage: cat FILE...\n");
		return 1;
	}
	int status = 0;
	for (int i = 1; i < argc; i++) {
		const struct file *f = open_file("cat", argv[i]);
		if (!f) {
			status = 1;
			continue;
		}
		for (unsigned long off = 0; off < f->size && !con_interrupted(); off += 256) {
			unsigned long n = f->size - off < 256 ? f->size - off : 256;
			con_write((const char *)f->data + off, n);
		}
	}
	return status;
}

static int cmd_hexdump(int argc, char **argv)
{
	if (argc != 2) {
		con_puts("usage: hexdump FILE\n");
		return 1;
	}
	const struct file *f = open_file("hexdump", argv[1]);
	if (!f)
		return 1;
	hexdump(f->data, f->size, 0);
	return 0;
}

static void report_fault(const char *cmd, struct trap_record r)
{
	const char *what = r.scause == CAUSE_LOAD_ACCESS || r.scause == CAUSE_STORE_ACCESS ? "access fault" :
			   r.scause == CAUSE_MISALIGNED_LOAD || r.scause == CAUSE_MISALIGNED_STORE ? "misaligned" :
			   "fault";
	con_printf("%s: %s at 0x%lx (scause %lu)\n", cmd, what, r.stval, r.scause);
}

/* md ADDR [LEN]: 32-bit reads of physical memory (the root OS runs without paging). */
static int cmd_md(int argc, char **argv)
{
	unsigned long addr, len = 64;
	if (argc < 2 || argc > 3 || parse_ulong(argv[1], &addr) || (argc == 3 && parse_ulong(argv[2], &len))) {
		con_puts("usage: md ADDR [LEN]   (bytes, default 64; ADDR is physical, 0x... or decimal)\n");
		return 1;
	}
	addr &= ~3UL;
	for (unsigned long off = 0; off < len; off += 16) {
		uint32_t w[4];
		int n = 0;
		for (; n < 4 && off + 4 * n < len; n++) {
			volatile uint32_t *p = (volatile uint32_t *)(addr + off + 4 * n);
			struct trap_record r = EXPECT_TRAP(w[n] = *p);
			if (r.count) {
				report_fault("md", r);
				return 1;
			}
		}
		char line[80];
		int k = snprintf(line, sizeof(line), "%08lx:", addr + off);
		for (int i = 0; i < 4; i++)
			k += i < n ? snprintf(line + k, sizeof(line) - k, " %08x", w[i]) : snprintf(line + k, sizeof(line) - k, "         ");
		k += snprintf(line + k, sizeof(line) - k, "    ");
		for (int i = 0; i < 4 * n; i++) {
			uint8_t c = (uint8_t)(w[i / 4] >> (8 * (i % 4)));
			line[k++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		line[k] = 0;
		con_printf("%s\n", line);
		if (con_interrupted())
			break;
	}
	return 0;
}

/* mw ADDR VALUE: one 32-bit write of physical memory. */
static int cmd_mw(int argc, char **argv)
{
	unsigned long addr, value;
	if (argc != 3 || parse_ulong(argv[1], &addr) || parse_ulong(argv[2], &value)) {
		con_puts("usage: mw ADDR VALUE   (a 32-bit write; 0x... or decimal)\n");
		return 1;
	}
	volatile uint32_t *p = (volatile uint32_t *)(addr & ~3UL);
	struct trap_record r = EXPECT_TRAP(*p = (uint32_t)value);
	if (r.count) {
		report_fault("mw", r);
		return 1;
	}
	return 0;
}

static const char *hsm_state(long s)
{
	static const char *names[] = { "started", "stopped", "start pending", "stop pending", "suspended" };
	return s >= 0 && s <= 4 ? names[s] : "unknown";
}

/* cpus [online|offline CPU]: like writing /sys/devices/system/cpu/cpuN/online on Linux. */
static int cpu_hotplug(int argc, char **argv)
{
	unsigned long cpu;
	if (argc != 3 || parse_ulong(argv[2], &cpu) || cpu >= 64 || !(board.harts >> cpu & 1)) {
		con_puts("usage: cpus [online|offline CPU]\n");
		return 1;
	}
	int up = !strcmp(argv[1], "online");
	if (!up && *jailhouse_cpu_owner(cpu) && strcmp(jailhouse_cpu_owner(cpu), "root cell")) {
		con_printf("cpus: CPU %lu belongs to %s\n", cpu, jailhouse_cpu_owner(cpu));
		return 1;
	}
	long err = up ? cpu_up(cpu) : cpu_down(cpu, 1UL << cpu);
	if (err) {
		con_printf("cpus: %s CPU %lu: %s\n", up ? "online" : "offline", cpu, strerror(-err));
		return 1;
	}
	return 0;
}

static int cmd_cpus(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "online") || !strcmp(argv[1], "offline")))
		return cpu_hotplug(argc, argv);
	if (argc > 1) {
		con_puts("usage: cpus [online|offline CPU]\n");
		return 1;
	}
	con_puts("CPU  State     HSM state   Use\n");
	for (unsigned long cpu = 0; cpu < 64; cpu++) {
		if (!(board.harts >> cpu & 1))
			continue;
		struct sbiret st = sbi_hart_get_status(cpu);
		const char *use = cpu == current_hartid() ? "shell" : cpu >= MAX_CPUS ? "unsupported (no stack)" :
				  *jailhouse_cpu_owner(cpu) ? jailhouse_cpu_owner(cpu) : cpu_online(cpu) ? "idle" : "";
		con_printf("%-4lu %-9s %-11s %s\n", cpu, cpu_online(cpu) ? "online" : "offline",
			   st.error ? "-" : hsm_state(st.value), use);
	}
	char list[64];
	format_cpulist(list, sizeof(list), cpus_online());
	con_printf("online: %s\n", list);
	return 0;
}

static int cmd_poweroff(int argc, char **argv)
{
	struct sbiret r = sbi_system_reset(0, 0);
	con_printf("poweroff: SBI system reset failed (error %ld)\n", r.error);
	return 1;
}

static int cmd_reboot(int argc, char **argv)
{
	struct sbiret r = sbi_system_reset(1, 0);
	con_printf("reboot: SBI system reset failed (error %ld)\n", r.error);
	return 1;
}

static int cmd_sleep(int argc, char **argv)
{
	unsigned long s;
	if (argc != 2 || parse_ulong(argv[1], &s)) {
		con_puts("usage: sleep SECONDS\n");
		return 1;
	}
	return sleep_ticks(s * board.timebase) ? 130 : 0;
}

static int cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		con_printf(i > 1 ? " %s" : "%s", argv[i]);
	con_puts("\n");
	return 0;
}

static int cmd_uname(int argc, char **argv)
{
	con_printf("%s %s riscv64 (%s)\n", ROOTOS_NAME, ROOTOS_VERSION, board.model);
	return 0;
}

const struct command commands[] = {
	{ "help", "", "this list", cmd_help, 0 },
	{ "ls", "[DIR]", "list the initial RAM disk", cmd_ls, 0 },
	{ "cat", "FILE...", "print files", cmd_cat, 0 },
	{ "hexdump", "FILE", "print a file in hex (like hexdump -C)", cmd_hexdump, 0 },
	{ "md", "ADDR [LEN]", "display physical memory (32-bit reads)", cmd_md, 0 },
	{ "mw", "ADDR VALUE", "write a 32-bit word to physical memory", cmd_mw, 0 },
	{ "cpus", "[online|offline CPU]", "show the CPUs (harts), or take one on/offline", cmd_cpus, 0 },
	{ "jailhouse", "COMMAND...", "the Jailhouse tool (jailhouse --help)", jailhouse_main, 0 },
	{ "echo", "TEXT...", "print the arguments", cmd_echo, 0 },
	{ "sleep", "SECONDS", "wait (Ctrl-C interrupts)", cmd_sleep, 0 },
	{ "uname", "", "system name and board model", cmd_uname, 0 },
	{ "lspci", "[-v]", "list the PCI functions this cell sees (ECAM)", cmd_lspci, 0 },
	{ "ivshmem-demo", "[-t TARGET] [-b BDF]", "be a peer of an ivshmem link (Ctrl-C ends)", cmd_ivshmem_demo, 0 },
	{ "ip", "addr|link|neigh ...", "eth0, the ivshmem-net link (ip link set eth0 up)", cmd_ip, 0 },
	{ "ping", "[-c N] [-q] [-f] ADDR", "ICMP echo over eth0, like Linux ping", cmd_ping, 0 },
	{ "udp", "send|listen ...", "send datagrams / print (-e: echo) what arrives", cmd_udp, 1 },
	{ "bench", "[MILLIONS]", "a fixed integer workload (for npm run bench)", cmd_bench, 0 },
	{ "virtio-ivshmem-console", "[DEVICE] [TTY]", "virtio console back-end, relayed to TTY (use &)", cmd_virtio_console, 1 },
	{ "virtio-ivshmem-block", "[DEVICE] IMAGE", "virtio block back-end serving IMAGE (use &)", cmd_virtio_block, 1 },
	{ "jobs", "", "the background jobs (\"COMMAND ... &\")", cmd_jobs, 0 },
	{ "kill", "%JOB", "end a background job", cmd_kill, 0 },
	{ "poweroff", "", "power the board off (SBI SRST)", cmd_poweroff, 0 },
	{ "reboot", "", "reset the board (SBI SRST)", cmd_reboot, 0 },
	{ 0 },
};
