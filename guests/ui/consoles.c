/* consoles.c - talks on three UARTs at once (UART0 and the board's extra UART1/UART2), so the app shows
 * one console pane per UART: each greets, then echoes what is typed into it, line by line, answering
 * "uartN got: <line>".  "quit" on any of them ends the program (pass). */
#include "guest.h"

#define UARTS 3
#define LINE_MAX 80
#define UART_LSR 5
#define LSR_DR   0x01
#define LSR_THRE 0x20

static volatile uint8_t *uart_base(int n)
{
	return (volatile uint8_t *)(n == 0 ? UART0_BASE : 0x10100000UL + (unsigned long)(n - 1) * 0x1000);
}

static void put(int n, char c)
{
	volatile uint8_t *u = uart_base(n);
	while (!(u[UART_LSR] & LSR_THRE))
		;
	u[0] = (uint8_t)c;
}

static void print(int n, const char *s)
{
	while (*s)
		put(n, *s++);
}

static int get(int n)
{
	volatile uint8_t *u = uart_base(n);
	return (u[UART_LSR] & LSR_DR) ? u[0] : -1;
}

int main(unsigned long hartid, unsigned long dtb)
{
	static char lines[UARTS][LINE_MAX + 1];
	static int lens[UARTS];
	static const char *const names[UARTS] = { "uart0", "uart1", "uart2" };

	for (int n = 0; n < UARTS; n++) {
		print(n, "consoles: this is ");
		print(n, names[n]);
		print(n, "; type here (quit ends)\n> ");
	}
	for (;;) {
		for (int n = 0; n < UARTS; n++) {
			int c = get(n);
			if (c < 0)
				continue;
			if (c == '\r' || c == '\n') {
				lines[n][lens[n]] = 0;
				print(n, "\n");
				print(n, names[n]);
				print(n, " got: ");
				print(n, lines[n]);
				print(n, "\n");
				if (strcmp(lines[n], "quit") == 0)
					return 0;
				lens[n] = 0;
				print(n, "> ");
			} else if (c >= 0x20 && c < 0x7f && lens[n] < LINE_MAX) {
				lines[n][lens[n]++] = (char)c;
				put(n, (char)c);
			}
		}
	}
}
