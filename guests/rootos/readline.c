/* readline.c - the line editor: insert/delete at the cursor, Backspace, Ctrl-U (kill line), Ctrl-A/E
 * (home/end), Left/Right, Up/Down through a history of the last HISTORY lines, Ctrl-C (cancel), Ctrl-L
 * (redraw).  Enter is CR, LF or CR LF.  Escape sequences: ESC [ A|B|C|D, ESC [ H|F, ESC O x. */
#include "rootos.h"

#define HISTORY 16
#define LINE_MAX 256

static char history[HISTORY][LINE_MAX];
static unsigned history_count;        /* lines ever added; entry i lives at history[i % HISTORY] */
static int last_was_cr;

static void add_history(const char *line)
{
	if (!*line)
		return;
	if (history_count && !strcmp(history[(history_count - 1) % HISTORY], line))
		return;
	strncpy0(history[history_count % HISTORY], line, LINE_MAX);
	history_count++;
}

static void cursor_left(size_t n)
{
	while (n--)
		con_puts("\b");
}

/* Redraws the whole line and puts the cursor at `pos`. */
static void redraw(const char *prompt, const char *buf, size_t len, size_t pos)
{
	con_puts("\r");
	con_puts(prompt);
	con_write(buf, len);
	con_puts("\x1b[K");
	cursor_left(len - pos);
}

/* The next key; a background job's output (CON_REDRAW) meanwhile is noted in *redraw_needed. */
static int next_key(int *redraw_needed)
{
	int c;
	while ((c = con_getc()) == CON_REDRAW)
		*redraw_needed = con_take_interleaved() | 1;
	return c;
}

int readline(const char *prompt, char *buf, size_t size)
{
	size_t len = 0, pos = 0;
	unsigned browse = history_count;   /* history entry shown; history_count = the line being edited */
	static char saved[LINE_MAX];       /* the edited line while browsing history */
	if (size > LINE_MAX)
		size = LINE_MAX;
	con_puts(prompt);
	for (;;) {
		int redraw_needed = 0;
		int c = next_key(&redraw_needed);
		if (redraw_needed) {
			buf[len] = 0;
			redraw(prompt, buf, len, pos);
		}
		if (c == '\n' && last_was_cr) {
			last_was_cr = 0;
			continue;
		}
		last_was_cr = c == '\r';
		if (c == '\r' || c == '\n') {
			buf[len] = 0;
			con_puts("\n");
			add_history(buf);
			return (int)len;
		}
		if (c == 3) {                      /* Ctrl-C */
			con_puts("^C\n");
			buf[0] = 0;
			return -1;
		}
		if (c == 0x7f || c == 8) {         /* Backspace */
			if (!pos)
				continue;
			memmove(buf + pos - 1, buf + pos, len - pos);
			len--, pos--;
			con_puts("\b");
			con_write(buf + pos, len - pos);
			con_puts(" ");
			cursor_left(len - pos + 1);
			continue;
		}
		if (c == 0x15) {                   /* Ctrl-U: kill the line */
			len = pos = 0;
			redraw(prompt, buf, len, pos);
			continue;
		}
		if (c == 1 || c == 5) {            /* Ctrl-A / Ctrl-E */
			pos = c == 1 ? 0 : len;
			redraw(prompt, buf, len, pos);
			continue;
		}
		if (c == 0x0c) {                   /* Ctrl-L */
			con_puts("\x1b[H\x1b[2J");
			redraw(prompt, buf, len, pos);
			continue;
		}
		if (c == 0x1b) {                   /* escape sequence */
			int c1 = next_key(&redraw_needed);
			if (c1 != '[' && c1 != 'O')
				continue;
			int c2 = next_key(&redraw_needed);
			while (c2 >= '0' && c2 <= '9')   /* e.g. ESC [ 1 ~ : parameters are ignored */
				c2 = next_key(&redraw_needed);
			if (redraw_needed)
				redraw(prompt, buf, len, pos);
			if (c2 == 'A' || c2 == 'B') {
				unsigned oldest = history_count > HISTORY ? history_count - HISTORY : 0;
				unsigned next = browse;
				if (c2 == 'A' && browse > oldest)
					next = browse - 1;
				else if (c2 == 'B' && browse < history_count)
					next = browse + 1;
				if (next == browse)
					continue;
				if (browse == history_count) {
					buf[len] = 0;
					strncpy0(saved, buf, LINE_MAX);
				}
				browse = next;
				strncpy0(buf, browse == history_count ? saved : history[browse % HISTORY], size);
				len = pos = strlen(buf);
				redraw(prompt, buf, len, pos);
			} else if (c2 == 'C' && pos < len) {
				con_puts("\x1b[C");
				pos++;
			} else if (c2 == 'D' && pos > 0) {
				con_puts("\b");
				pos--;
			} else if (c2 == 'H' || c2 == 'F') {
				pos = c2 == 'H' ? 0 : len;
				redraw(prompt, buf, len, pos);
			}
			continue;
		}
		if (c < 0x20 || c >= 0x7f || len + 1 >= size)
			continue;                      /* other control bytes; a full line */
		memmove(buf + pos + 1, buf + pos, len - pos);
		buf[pos] = (char)c;
		len++;
		con_write(buf + pos, len - pos);
		pos++;
		cursor_left(len - pos);
	}
}
