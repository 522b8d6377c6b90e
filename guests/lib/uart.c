/* uart.c - polled NS16550A UART0 (register stride 1 byte). */
#include "guest.h"

#define UART_RBR 0
#define UART_THR 0
#define UART_LSR 5
#define LSR_DR   0x01
#define LSR_THRE 0x20

static inline volatile uint8_t *uart_reg(int r) { return (volatile uint8_t *)(UART0_BASE + r); }

void uart_putc(char c)
{
	while (!(*uart_reg(UART_LSR) & LSR_THRE))
		;
	*uart_reg(UART_THR) = (uint8_t)c;
}

/* Waits until the last byte has left (LSR.TEMT): an emulator may still hold it when the board powers
 * off (QEMU does while its host pipe is busy). Bounded, so a broken UART cannot hang the caller. */
void uart_drain(void)
{
	for (unsigned long i = 0; i < 10000000UL; i++)
		if (*uart_reg(UART_LSR) & 0x40)
			return;
}

int uart_getc(void)
{
	if (!(*uart_reg(UART_LSR) & LSR_DR))
		return -1;
	return *uart_reg(UART_RBR);
}

/* Called by start.S before main(): the only thing the runtime itself ever prints. */
void runtime_init(void)
{
	for (const char *p = GUEST_OUTPUT_MARKER; *p; p++)
		uart_putc(*p);
}
