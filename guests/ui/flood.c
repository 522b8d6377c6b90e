/* flood.c - prints exactly 1 MiB of numbered lines on UART0 and finishes (pass): the app's test of
 * console flow control.  Each line is 64 bytes: "flood NNNNNN " + 50 letters + "\n"; the last line
 * is "flood: done, 1048576 bytes" (not counted). */
#include "guest.h"

#define TOTAL (1024 * 1024)
#define LINE 64

int main(unsigned long hartid, unsigned long dtb)
{
	char text[LINE - 13];
	for (int i = 0; i < LINE - 14; i++)
		text[i] = (char)('a' + i % 26);
	text[LINE - 14] = 0;
	for (int n = 0; n < TOTAL / LINE; n++)
		printf("flood %06d %s\n", n, text);
	printf("flood: done, %d bytes\n", TOTAL);
	return 0;
}
