/* printf.c - small formatted output: %d %i %u %x %X %p %s %c %%, flags '-' and '0', a field width
 * (number or '*'), length modifiers l, ll, z (everything is formatted as 64-bit when given). */
#include "guest.h"

struct sink {
	char *buf;        /* NULL: write to the UART */
	size_t size, len;
};

static void sink_put(struct sink *s, char c)
{
	if (!s->buf)
		uart_putc(c);
	else if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void put_padded(struct sink *s, const char *str, size_t n, int width, int left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;
	if (!left && pad == '0' && n && (*str == '-')) { /* sign before zero padding */
		sink_put(s, *str++);
		n--;
	}
	if (!left)
		while (fill-- > 0)
			sink_put(s, pad);
	while (n--)
		sink_put(s, *str++);
	if (left)
		while (fill-- > 0)
			sink_put(s, ' ');
}

static int format(struct sink *s, const char *fmt, va_list ap)
{
	char tmp[24];
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			sink_put(s, *fmt);
			continue;
		}
		fmt++;
		int left = 0, width = 0, lng = 0;
		char pad = ' ';
		for (;; fmt++) {
			if (*fmt == '-') left = 1;
			else if (*fmt == '0') pad = '0';
			else break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		while (*fmt == 'l' || *fmt == 'z') {
			lng = 1;
			fmt++;
		}
		char c = *fmt;
		if (c == '\0')
			break;
		switch (c) {
		case 'd': case 'i': case 'u': case 'x': case 'X': case 'p': {
			unsigned long v;
			int neg = 0, base = (c == 'x' || c == 'X' || c == 'p') ? 16 : 10;
			if (c == 'p') {
				v = (unsigned long)va_arg(ap, void *);
				lng = 1;
			} else if (c == 'd' || c == 'i') {
				long sv = lng ? va_arg(ap, long) : va_arg(ap, int);
				neg = sv < 0;
				v = neg ? -(unsigned long)sv : (unsigned long)sv;
			} else {
				v = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			}
			const char *digits = c == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
			int i = sizeof(tmp);
			do {
				tmp[--i] = digits[v % base];
				v /= base;
			} while (v);
			if (c == 'p') {
				tmp[--i] = 'x';
				tmp[--i] = '0';
			}
			if (neg)
				tmp[--i] = '-';
			put_padded(s, tmp + i, sizeof(tmp) - i, width, left, left ? ' ' : pad);
			break;
		}
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			put_padded(s, str, strlen(str), width, left, ' ');
			break;
		}
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			put_padded(s, tmp, 1, width, left, ' ');
			break;
		default:
			sink_put(s, c);
			break;
		}
	}
	return (int)s->len;
}

/* A recursive (per hart) lock keeps lines of different harts apart; recursion lets a trap handler print
 * while its hart was inside printf. */
static volatile long print_owner = -1;
static volatile int print_depth;

static void print_lock(void)
{
	long me = (long)current_hartid();
	if (print_owner == me) {
		print_depth++;
		return;
	}
	long expected;
	do {
		expected = -1;
	} while (!__atomic_compare_exchange_n(&print_owner, &expected, me, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
	print_depth = 1;
}

static void print_unlock(void)
{
	if (--print_depth == 0)
		__atomic_store_n(&print_owner, -1, __ATOMIC_RELEASE);
}

int vprintf(const char *fmt, va_list ap)
{
	struct sink s = { 0, 0, 0 };
	print_lock();
	int n = format(&s, fmt, ap);
	print_unlock();
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct sink s = { buf, n, 0 };
	int len = format(&s, fmt, ap);
	if (n)
		buf[s.len < n ? s.len : n - 1] = '\0';
	return len;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return len;
}

void putchar_raw(char c) { uart_putc(c); }

int putchar(int c)
{
	uart_putc((char)c);
	return c;
}

int puts(const char *str)
{
	print_lock();
	while (*str)
		uart_putc(*str++);
	uart_putc('\n');
	print_unlock();
	return 0;
}
