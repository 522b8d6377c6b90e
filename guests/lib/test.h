/* test.h - a tiny test framework.
 *
 *   CHECK(cond)          counts a check; on failure prints "FAIL <file>:<line>: <cond>"
 *   CHECK_EQ(a, b)       compares as 64-bit values; on failure prints "FAIL <file>:<line>: a == b: got 0x.. expected 0x.."
 *   test_done(name)      prints "<name>: N checks passed" and passes via the finisher, or
 *                        "<name>: F of N checks FAILED" and fails with exit code 1. Does not return.
 * Checks may be run on any hart (the counters are atomic). */
#ifndef TEST_H
#define TEST_H

extern volatile unsigned long test_checks, test_failures;

void test_check(int ok, const char *file, int line, const char *expr);
void test_check_eq(unsigned long got, unsigned long expected, const char *file, int line, const char *a,
		   const char *b);
NORETURN void test_done(const char *name);

#define CHECK(cond) test_check(!!(cond), __FILE__, __LINE__, #cond)
#define CHECK_EQ(a, b) test_check_eq((unsigned long)(a), (unsigned long)(b), __FILE__, __LINE__, #a, #b)

#endif
