/* cmdline.c - "name=value" parameters from the command line at image offset 0x100. */
#include "inmate.h"

/* Finds `param=` at the start of a word; returns the value's start or NULL. */
static const char *find(const char *param)
{
	size_t len = strlen(param);
	for (const char *p = cmdline; *p;) {
		while (*p == ' ')
			p++;
		if (strncmp(p, param, len) == 0 && p[len] == '=')
			return p + len + 1;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

const char *cmdline_parse_str(const char *param, char *buffer, unsigned long size, const char *default_value)
{
	const char *v = find(param);
	unsigned long n = 0;
	if (!v)
		v = default_value;
	if (!v || size == 0)
		return NULL;
	while (v[n] && v[n] != ' ' && n + 1 < size) {
		buffer[n] = v[n];
		n++;
	}
	buffer[n] = '\0';
	return buffer;
}

long long cmdline_parse_int(const char *param, long long default_value)
{
	char buf[24];
	const char *v = cmdline_parse_str(param, buf, sizeof(buf), NULL);
	if (!v)
		return default_value;
	int neg = *v == '-';
	if (neg)
		v++;
	int base = 10;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		v += 2;
	}
	long long n = 0;
	for (; *v; v++) {
		int d = *v >= '0' && *v <= '9' ? *v - '0' : (*v | 32) >= 'a' && (*v | 32) <= 'f' ? (*v | 32) - 'a' + 10 : 99;
		if (d >= base)
			return default_value;
		n = n * base + d;
	}
	return neg ? -n : n;
}

bool cmdline_parse_bool(const char *param, bool default_value)
{
	char buf[8];
	const char *v = cmdline_parse_str(param, buf, sizeof(buf), NULL);
	if (!v)
		return default_value;
	return strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "on") == 0;
}
