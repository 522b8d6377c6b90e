/* calls - function-call heavy: naive recursive Fibonacci and Ackermann. */
#include "bench.h"

#ifndef FIB_N
#define FIB_N 34
#endif

static NOINLINE unsigned long fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static NOINLINE unsigned long ack(unsigned long m, unsigned long n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long sum = fib(FIB_N);
	for (int i = 0; i < 20; i++)
		sum = sum * 31 + ack(3, 5);     /* recursion depth ~250: fits the 16 KiB stack */
	bench_done("calls", sum);
}
