/* shell.c - the command loop: read a line, split it into words (double or single quotes group words,
 * backslash escapes the next character), run the command.  A running command is "busy": Ctrl-C then
 * interrupts it instead of reaching the line editor.  A line ending in "&" asks the command to go on as
 * a background job (job.c); only commands marked `background` can. */
#include "rootos.h"

#define MAX_ARGS 32

static int split(char *line, char **argv)
{
	int argc = 0;
	char *r = line, *w = line;
	for (;;) {
		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r || *r == '#')
			break;
		if (argc == MAX_ARGS)
			return -1;
		argv[argc++] = w;
		char quote = 0;
		for (; *r; r++) {
			if (quote) {
				if (*r == quote)
					quote = 0;
				else
					*w++ = *r;
			} else if (*r == '"' || *r == '\'') {
				quote = *r;
			} else if (*r == '\\' && r[1]) {
				*w++ = *++r;
			} else if (*r == ' ' || *r == '\t') {
				break;
			} else {
				*w++ = *r;
			}
		}
		if (quote)
			return -2;
		if (*r)
			r++;
		*w++ = 0;
	}
	return argc;
}

static void run_line(char *line)
{
	char *argv[MAX_ARGS + 1];
	int argc = split(line, argv);
	if (argc == -1) {
		con_printf("sh: too many arguments (at most %d)\n", MAX_ARGS);
		return;
	}
	if (argc == -2) {
		con_puts("sh: unterminated quoted string\n");
		return;
	}
	int background = argc > 1 && !strcmp(argv[argc - 1], "&");
	if (background)
		argc--;
	if (argc == 0)
		return;
	argv[argc] = 0;
	for (const struct command *c = commands; c->name; c++) {
		if (!strcmp(c->name, argv[0])) {
			if (background && !c->background) {
				con_printf("sh: %s cannot run in the background\n", argv[0]);
				return;
			}
			shell_background = background;
			con_set_busy(1);
			c->fn(argc, argv);
			con_set_busy(0);
			shell_background = 0;
			return;
		}
	}
	con_printf("sh: %s: command not found\n", argv[0]);
}

void shell_run(void)
{
	static char line[256];
	for (;;) {
		if (readline(SHELL_PROMPT, line, sizeof(line)) > 0)
			run_line(line);
	}
}
