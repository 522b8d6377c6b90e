/* root.c - the root-cell test OS of the hypervisor tests: a tiny `jailhouse` tool driven by a script.
 *
 * The test places files in root RAM before boot, described by a table at FILES_BASE (magic "JLFILES\0",
 * u64 count, then per file: char name[48], u64 address, u64 size). The file named "script" holds one
 * command per line; each is echoed as "> line" and its result printed as "= value" (decimal, negative
 * for -errno) on UART0:
 *
 *   online N                 start harts 1..N-1 as root CPUs (they follow enable/disable, then idle)
 *   enable SYSFILE           copy SYSFILE to the start of its hypervisor_memory, enter on every online CPU
 *   enter ADDR               the firmware's enable call on this CPU only, without copying anything
 *   disable                  DISABLE on every online CPU
 *   create CELLFILE          CELL_CREATE with the file's address; = the cell id
 *   load ID CELLFILE FILE [GPA]   CELL_SET_LOADABLE, then copy FILE into the cell's loadable region at GPA
 *   loadstr ID CELLFILE GPA STRING  the same with a string (a command line, -s "..." -a GPA)
 *   start ID | shutdown ID | destroy ID | state ID
 *   info TYPE | cpuinfo CPU TYPE | putc CHAR
 *   hart_stop CPU            (only for the calling CPU 0: no) -- see stop
 *   stop CPU                 ask online CPU to stop itself through HSM (an "offline" in Linux terms)
 *   status CPU               HSM hart_get_status
 *   hstart CPU               HSM hart_start of CPU at the idle loop
 *   ipi MASK                 SBI send_ipi(MASK, 0)
 *   peek ADDR | poke ADDR VALUE   32-bit read/write of root memory (hex); peekb ADDR: 8-bit read
 *   wait TICKS               busy-wait TICKS of the time CSR
 *   waitstate ID STATE TICKS wait until CELL_GET_STATE(ID) == STATE or TICKS pass
 *   implid | probe EID       SBI get_impl_id / probe_extension (EID hex)
 *   conpage                  JLAB FID 1: the hypervisor console page (its address, or the error)
 *   end                      pass (finisher) */
#include "guest.h"
#include "jailhouse.h"

#define FILES_BASE 0x88000000UL

struct file_entry { char name[48]; unsigned long address, size; };

static struct file_entry *files;
static unsigned long nfiles;

static volatile unsigned long online_mask = 1;
static volatile unsigned long enable_request;   /* config address, for the secondaries */
static volatile unsigned long enable_generation;
static volatile unsigned long disable_generation;
static volatile unsigned long stop_request = ~0UL;
static volatile long secondary_result[GUEST_MAX_HARTS];

static struct file_entry *find_file(const char *name)
{
	for (unsigned long i = 0; i < nfiles; i++)
		if (!strcmp(files[i].name, name))
			return &files[i];
	printf("no file %s\n", name);
	return 0;
}

static unsigned long parse_num(const char *s)
{
	unsigned long v = 0;
	int neg = 0;
	if (*s == '-') { neg = 1; s++; }
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (s += 2; *s; s++) {
			char c = *s;
			v = v * 16 + (c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
		}
	} else {
		for (; *s; s++)
			v = v * 10 + (*s - '0');
	}
	return neg ? -v : v;
}

static void secondary(unsigned long hartid)
{
	unsigned long seen_enable = 0, seen_disable = 0;
	for (;;) {
		if (enable_generation != seen_enable) {
			seen_enable = enable_generation;
			secondary_result[hartid] = lab_hypervisor_enable(enable_request);
		}
		if (disable_generation != seen_disable) {
			seen_disable = disable_generation;
			secondary_result[hartid] = jailhouse_call(JAILHOUSE_HC_DISABLE, 0, 0);
		}
		if (stop_request == hartid) {
			stop_request = ~0UL;
			__atomic_and_fetch(&online_mask, ~(1UL << hartid), __ATOMIC_SEQ_CST);
			sbi_hart_stop();
		}
		cpu_relax();
	}
}

static void wait_ticks(unsigned long ticks)
{
	unsigned long t0 = read_time();
	while (read_time() - t0 < ticks)
		cpu_relax();
}

/* The loadable region of a cell config that contains GPA `gpa`: its phys address for `gpa`, or 0. */
static unsigned long loadable_phys(const unsigned char *cfg, unsigned long gpa, unsigned long len)
{
	unsigned int ncpus = *(const unsigned int *)(cfg + 48);
	unsigned int nmem = *(const unsigned int *)(cfg + 52);
	const unsigned char *mem = cfg + 132 + ncpus * 16;
	for (unsigned int i = 0; i < nmem; i++, mem += 32) {
		unsigned long phys, virt, size, flags;
		memcpy(&phys, mem, 8); memcpy(&virt, mem + 8, 8); memcpy(&size, mem + 16, 8); memcpy(&flags, mem + 24, 8);
		if ((flags & 0x40) && gpa >= virt && gpa + len <= virt + size)
			return phys + (gpa - virt);
	}
	return 0;
}

static long all_cpus(int disable, unsigned long config)
{
	long r;
	for (unsigned long h = 1; h < GUEST_MAX_HARTS; h++)
		secondary_result[h] = 1;
	if (disable) {
		disable_generation++;
		/* the secondaries leave first, then this CPU (order does not matter to the hypervisor) */
		for (unsigned long h = 1; h < GUEST_MAX_HARTS; h++)
			if (online_mask & (1UL << h))
				while (secondary_result[h] == 1)
					cpu_relax();
		r = jailhouse_call(JAILHOUSE_HC_DISABLE, 0, 0);
	} else {
		enable_request = config;
		enable_generation++;
		r = lab_hypervisor_enable(config);
		for (unsigned long h = 1; h < GUEST_MAX_HARTS; h++)
			if (online_mask & (1UL << h))
				while (secondary_result[h] == 1)
					cpu_relax();
	}
	for (unsigned long h = 1; h < GUEST_MAX_HARTS; h++)
		if ((online_mask & (1UL << h)) && secondary_result[h] != r)
			printf("CPU %lu: %ld\n", h, secondary_result[h]);
	return r;
}

static long run(char **argv, int argc)
{
	const char *cmd = argv[0];
#define ARG(i) (argc > (i) ? argv[i] : "0")
#define NUM(i) parse_num(ARG(i))
	if (!strcmp(cmd, "online")) {
		unsigned long n = NUM(1);
		for (unsigned long h = 1; h < n; h++) {
			long e = start_hart(h, secondary);
			if (e)
				return e;
			__atomic_or_fetch(&online_mask, 1UL << h, __ATOMIC_SEQ_CST);
		}
		return 0;
	}
	if (!strcmp(cmd, "enable")) {
		struct file_entry *f = find_file(ARG(1));
		if (!f)
			return -2;
		unsigned long hv_mem;
		memcpy(&hv_mem, (void *)(f->address + 12), 8);
		memcpy((void *)hv_mem, (void *)f->address, f->size);
		return all_cpus(0, hv_mem);
	}
	if (!strcmp(cmd, "enter"))
		return lab_hypervisor_enable(NUM(1));
	if (!strcmp(cmd, "disable"))
		return all_cpus(1, 0);
	if (!strcmp(cmd, "create")) {
		struct file_entry *f = find_file(ARG(1));
		return f ? jailhouse_call(JAILHOUSE_HC_CELL_CREATE, f->address, 0) : -2;
	}
	if (!strcmp(cmd, "load") || !strcmp(cmd, "loadstr")) {
		struct file_entry *cfg = find_file(ARG(2));
		if (!cfg)
			return -2;
		const void *src;
		unsigned long len, gpa;
		if (!strcmp(cmd, "load")) {
			struct file_entry *img = find_file(ARG(3));
			if (!img)
				return -2;
			src = (const void *)img->address;
			len = img->size;
			gpa = NUM(4);
		} else {
			gpa = NUM(3);
			src = ARG(4);
			len = strlen(ARG(4)) + 1;
		}
		long r = jailhouse_call(JAILHOUSE_HC_CELL_SET_LOADABLE, NUM(1), 0);
		if (r)
			return r;
		unsigned long phys = loadable_phys((const unsigned char *)cfg->address, gpa, len);
		if (!phys)
			return -22;
		memcpy((void *)phys, src, len);
		return 0;
	}
	if (!strcmp(cmd, "start")) return jailhouse_call(JAILHOUSE_HC_CELL_START, NUM(1), 0);
	if (!strcmp(cmd, "shutdown")) return jailhouse_call(JAILHOUSE_HC_CELL_SET_LOADABLE, NUM(1), 0);
	if (!strcmp(cmd, "destroy")) return jailhouse_call(JAILHOUSE_HC_CELL_DESTROY, NUM(1), 0);
	if (!strcmp(cmd, "state")) return jailhouse_call(JAILHOUSE_HC_CELL_GET_STATE, NUM(1), 0);
	if (!strcmp(cmd, "info")) return jailhouse_call(JAILHOUSE_HC_HYPERVISOR_GET_INFO, NUM(1), 0);
	if (!strcmp(cmd, "cpuinfo")) return jailhouse_call(JAILHOUSE_HC_CPU_GET_INFO, NUM(1), NUM(2));
	if (!strcmp(cmd, "putc")) return jailhouse_call(JAILHOUSE_HC_DEBUG_CONSOLE_PUTC, ARG(1)[0], 0);
	if (!strcmp(cmd, "stop")) {
		unsigned long h = NUM(1);
		stop_request = h;
		while (online_mask & (1UL << h))
			cpu_relax();
		while (sbi_hart_get_status(h).value != SBI_HSM_STOPPED)
			cpu_relax();
		return 0;
	}
	if (!strcmp(cmd, "status")) {
		struct sbiret r = sbi_hart_get_status(NUM(1));
		return r.error ? r.error : r.value;
	}
	if (!strcmp(cmd, "hstart")) {
		long e = start_hart(NUM(1), secondary);
		if (!e)
			__atomic_or_fetch(&online_mask, 1UL << NUM(1), __ATOMIC_SEQ_CST);
		return e;
	}
	if (!strcmp(cmd, "ipi")) return sbi_send_ipi(NUM(1), 0).error;
	if (!strcmp(cmd, "peekb")) return *(volatile unsigned char *)NUM(1);
	if (!strcmp(cmd, "peek")) return *(volatile unsigned int *)NUM(1);
	if (!strcmp(cmd, "poke")) { *(volatile unsigned int *)NUM(1) = (unsigned int)NUM(2); return 0; }
	if (!strcmp(cmd, "wait")) { wait_ticks(NUM(1)); return 0; }
	if (!strcmp(cmd, "waitstate")) {
		unsigned long t0 = read_time();
		long s;
		while ((s = jailhouse_call(JAILHOUSE_HC_CELL_GET_STATE, NUM(1), 0)) != (long)NUM(2) &&
		       read_time() - t0 < NUM(3))
			cpu_relax();
		return s;
	}
	if (!strcmp(cmd, "implid")) return sbi_get_impl_id().value;
	if (!strcmp(cmd, "conpage")) {
		struct sbiret r = sbi_ecall(LAB_FIRMWARE_EID, 1, 0, 0, 0, 0, 0, 0);
		return r.error ? r.error : r.value;
	}
	if (!strcmp(cmd, "probe")) return sbi_probe_extension(NUM(1)).value;
	if (!strcmp(cmd, "end"))
		finish_pass();
	printf("unknown command %s\n", cmd);
	return -22;
}

int main(unsigned long hartid, unsigned long dtb)
{
	static char line[256];
	char *argv[8];
	if (memcmp((void *)FILES_BASE, "JLFILES", 8)) {
		puts("root: no file table");
		return 3;
	}
	nfiles = *(unsigned long *)(FILES_BASE + 8);
	files = (struct file_entry *)(FILES_BASE + 16);
	struct file_entry *script = find_file("script");
	if (!script)
		return 4;
	const char *p = (const char *)script->address, *end = p + script->size;
	while (p < end) {
		unsigned long n = 0;
		while (p < end && *p != '\n' && n < sizeof(line) - 1)
			line[n++] = *p++;
		p++;
		line[n] = 0;
		if (n == 0 || line[0] == '#')
			continue;
		printf("> %s\n", line);
		/* split in place; a quoted last argument may contain spaces */
		int argc = 0;
		char *s = line;
		while (*s && argc < 8) {
			while (*s == ' ')
				*s++ = 0;
			if (!*s)
				break;
			if (*s == '"') {
				argv[argc++] = ++s;
				while (*s && *s != '"')
					s++;
				if (*s)
					*s++ = 0;
				continue;
			}
			argv[argc++] = s;
			while (*s && *s != ' ')
				s++;
		}
		if (argc)
			printf("= %ld\n", run(argv, argc));
	}
	return 0;
}
