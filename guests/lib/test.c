/* test.c - see test.h */
#include "guest.h"

volatile unsigned long test_checks, test_failures;

void test_check(int ok, const char *file, int line, const char *expr)
{
	__atomic_fetch_add(&test_checks, 1, __ATOMIC_RELAXED);
	if (!ok) {
		__atomic_fetch_add(&test_failures, 1, __ATOMIC_RELAXED);
		printf("FAIL %s:%d: %s\n", file, line, expr);
	}
}

void test_check_eq(unsigned long got, unsigned long expected, const char *file, int line, const char *a,
		   const char *b)
{
	__atomic_fetch_add(&test_checks, 1, __ATOMIC_RELAXED);
	if (got != expected) {
		__atomic_fetch_add(&test_failures, 1, __ATOMIC_RELAXED);
		printf("FAIL %s:%d: %s == %s: got 0x%lx expected 0x%lx\n", file, line, a, b, got, expected);
	}
}

void test_done(const char *name)
{
	if (test_failures == 0) {
		printf("%s: %lu checks passed\n", name, test_checks);
		finish_pass();
	}
	printf("%s: %lu of %lu checks FAILED\n", name, test_failures, test_checks);
	finish_fail(1);
}
