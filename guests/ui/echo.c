/* echo.c - an interactive console for the app's tests: echoes what is typed on UART0 and answers each
 * line.  "quit" ends the program (pass).  Carriage return (what a terminal sends for Enter) and newline
 * both end a line; backspace/DEL erase.  Polls the UART, so the hart never sleeps. */
#include "guest.h"

#define LINE_MAX 120

int main(unsigned long hartid, unsigned long dtb)
{
	char line[LINE_MAX + 1];
	int len = 0;

	puts("echo: type a line and press Enter (quit ends)");
	printf("> ");
	for (;;) {
		int c = uart_getc();
		if (c < 0)
			continue;
		if (c == '\r' || c == '\n') {
			line[len] = 0;
			printf("\nyou typed: %s\n", line);
			if (strcmp(line, "quit") == 0) {
				puts("echo: bye");
				return 0;
			}
			len = 0;
			printf("> ");
		} else if (c == 0x7f || c == 0x08) {
			if (len > 0) {
				len--;
				printf("\b \b");
			}
		} else if (c >= 0x20 && c < 0x7f && len < LINE_MAX) {
			line[len++] = (char)c;
			putchar(c);
		}
	}
}
