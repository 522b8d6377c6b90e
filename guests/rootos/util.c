/* util.c - small helpers: number parsing, strings, errno texts, cpu lists, hex dumps. */
#include "rootos.h"

int parse_ulong(const char *s, unsigned long *v)
{
	unsigned long x = 0;
	int base = 10, digits = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s; s++, digits++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 :
			*s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : 99;
		if (d >= base)
			return -1;
		x = x * base + d;
	}
	if (!digits)
		return -1;
	*v = x;
	return 0;
}

/* Weak: the library may bring its own (guests/lib/string.c). */
__attribute__((weak)) int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (uint8_t)*a - (uint8_t)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

__attribute__((weak)) char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return 0;
	}
}

char *strncpy0(char *d, const char *s, size_t n)
{
	size_t i = 0;
	for (; i + 1 < n && s[i]; i++)
		d[i] = s[i];
	if (n)
		d[i] = 0;
	return d;
}

const char *strerror(long err)
{
	switch (err) {
	case EPERM: return "Operation not permitted";
	case ENOENT: return "No such file or directory";
	case EIO: return "Input/output error";
	case E2BIG: return "Argument list too long";
	case ENOMEM: return "Cannot allocate memory";
	case EFAULT: return "Bad address";
	case EBUSY: return "Device or resource busy";
	case EEXIST: return "File exists";
	case ENODEV: return "No such device";
	case EINVAL: return "Invalid argument";
	case ENOSYS: return "Function not implemented";
	default: return "Unknown error";
	}
}

void format_cpulist(char *buf, size_t size, unsigned long mask)
{
	size_t len = 0;
	buf[0] = 0;
	for (int cpu = 0; cpu < 64 && len < size; cpu++) {
		if (!(mask >> cpu & 1))
			continue;
		int last = cpu;
		while (last + 1 < 64 && (mask >> (last + 1) & 1))
			last++;
		len += snprintf(buf + len, size - len, len ? ",%d" : "%d", cpu);
		if (last > cpu && len < size)
			len += snprintf(buf + len, size - len, "-%d", last);
		cpu = last;
	}
}

void hexdump(const void *data, unsigned long size, unsigned long base)
{
	const uint8_t *p = data;
	for (unsigned long off = 0; off < size; off += 16) {
		char line[80];
		int n = snprintf(line, sizeof(line), "%08lx ", base + off);
		for (int i = 0; i < 16; i++) {
			if (i == 8)
				line[n++] = ' ';
			if (off + i < size)
				n += snprintf(line + n, sizeof(line) - n, " %02x", p[off + i]);
			else
				n += snprintf(line + n, sizeof(line) - n, "   ");
		}
		n += snprintf(line + n, sizeof(line) - n, "  |");
		for (int i = 0; i < 16 && off + i < size; i++) {
			uint8_t c = p[off + i];
			line[n++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		line[n++] = '|';
		line[n] = 0;
		con_printf("%s\n", line);
		if ((off & 0xfff) == 0xff0 && con_interrupted())
			return;
	}
	con_printf("%08lx\n", base + size);
}

int overlaps_kernel(unsigned long start, unsigned long size, const char **what)
{
	struct { unsigned long s, e; const char *name; } used[] = {
		{ 0x80200000UL, (unsigned long)_end, "the root OS image" },
		{ board.initrd_start, board.initrd_end, "the initial RAM disk" },
		{ board.dtb, board.dtb + board.dtb_size, "the device tree" },
	};
	for (unsigned i = 0; i < sizeof(used) / sizeof(used[0]); i++) {
		if (used[i].s < used[i].e && start < used[i].e && used[i].s < start + size) {
			*what = used[i].name;
			return 1;
		}
	}
	return 0;
}
