/* initrd.c - the initial RAM disk: a cpio archive in "newc" format (magic 070701), read in place.
 *
 * Each member: a 110-byte ASCII header (13 eight-digit hex fields), the NUL-terminated name padded so
 * that header + name is a multiple of 4, the data padded to 4.  "TRAILER!!!" ends the archive.  Names
 * are kept without a leading "/" or "./"; directories need not be members (ls infers them). */
#include "rootos.h"

#define MAX_FILES 256

static struct file files[MAX_FILES];
static int nfiles;

static unsigned long hex8(const char *p, int *bad)
{
	unsigned long v = 0;
	for (int i = 0; i < 8; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			*bad = 1;
		v = v << 4 | (unsigned long)(d & 15);
	}
	return v;
}

static const char *skip_prefix(const char *name)
{
	for (;;) {
		if (name[0] == '/')
			name++;
		else if (name[0] == '.' && name[1] == '/')
			name += 2;
		else
			return name;
	}
}

int initrd_init(unsigned long start, unsigned long end)
{
	nfiles = 0;
	unsigned long p = start;
	while (p + 110 <= end) {
		const char *h = (const char *)p;
		if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6))
			return nfiles ? nfiles : -1;
		int bad = 0;
		unsigned long mode = hex8(h + 14, &bad), size = hex8(h + 54, &bad), namesize = hex8(h + 94, &bad);
		if (bad || namesize == 0 || p + 110 + namesize > end)
			return -1;
		const char *name = h + 110;
		unsigned long data = (p + 110 + namesize + 3) & ~3UL;
		if (data + size > end)
			return -1;
		if (!strcmp(name, "TRAILER!!!"))
			break;
		name = skip_prefix(name);
		if (*name && strcmp(name, ".") && nfiles < MAX_FILES)
			files[nfiles++] = (struct file){ name, mode, (const uint8_t *)data, size };
		p = (data + size + 3) & ~3UL;
	}
	return nfiles;
}

const struct file *file_lookup(const char *path)
{
	path = skip_prefix(path);
	size_t n = strlen(path);
	while (n && path[n - 1] == '/')
		n--;
	for (int i = 0; i < nfiles; i++)
		if (strlen(files[i].name) == n && !strncmp(files[i].name, path, n))
			return &files[i];
	return 0;
}

int file_count(void) { return nfiles; }
const struct file *file_at(int i) { return i >= 0 && i < nfiles ? &files[i] : 0; }
