/* rv64m - every RV64M instruction: products incl. the high halves with every signedness combination,
 * division by zero and the overflow case (MIN / -1) of DIV/REM/DIVU/REMU and their W forms, the sign
 * extension of the W results and that W forms only read the low 32 bits of their operands. */
#include "insn.h"

#define MIN64 0x8000000000000000UL
#define MAX64 0x7fffffffffffffffUL

int main(unsigned long hartid, unsigned long dtb)
{
	puts("rv64m: start");
	puts("[mul]");
	T_RR("mul", 3, -7UL, -21UL);
	T_RR("mul", MAX64, 2, 0xfffffffffffffffeUL);
	T_RR("mul", MIN64, -1UL, MIN64);
	T_RR("mul", 0x100000000UL, 0x100000000UL, 0);
	T_RR("mulh", -1UL, -1UL, 0);
	T_RR("mulh", MIN64, MIN64, 0x4000000000000000UL);
	T_RR("mulh", -2UL, 3, -1UL);
	T_RR("mulh", MAX64, MAX64, 0x3fffffffffffffffUL);
	T_RR("mulh", MIN64, MAX64, 0xc000000000000000UL);
	T_RR("mulh", 0x100000000UL, 0x100000000UL, 1);
	T_RR("mulhu", -1UL, -1UL, 0xfffffffffffffffeUL);
	T_RR("mulhu", MIN64, 2, 1);
	T_RR("mulhu", 3, 5, 0);
	T_RR("mulhsu", -1UL, -1UL, -1UL);
	T_RR("mulhsu", -2UL, 3, -1UL);
	T_RR("mulhsu", 2, -1UL, 1);
	T_RR("mulhsu", MIN64, -1UL, 0x8000000000000000UL);
	T_RR("mulhsu", MAX64, -1UL, 0x7ffffffffffffffeUL);
	T_RR("mulw", 0x7fffffffUL, 2, 0xfffffffffffffffeUL);
	T_RR("mulw", 0x100000001UL, 0x100000001UL, 1);
	T_RR("mulw", -3UL, 5, -15UL);
	T_RR("mulw", 0x10000UL, 0x8000UL, 0xffffffff80000000UL);

	puts("[div]");
	T_RR("div", -7UL, 2, -3UL);
	T_RR("div", 7, -2UL, -3UL);
	T_RR("div", -7UL, -2UL, 3);
	T_RR("div", 42, 0, -1UL);
	T_RR("div", MIN64, -1UL, MIN64);
	T_RR("div", MIN64, 1, MIN64);
	T_RR("rem", -7UL, 2, -1UL);
	T_RR("rem", 7, -2UL, 1);
	T_RR("rem", 42, 0, 42);
	T_RR("rem", -42UL, 0, -42UL);
	T_RR("rem", MIN64, -1UL, 0);
	T_RR("divu", -1UL, 2, MAX64);
	T_RR("divu", 42, 0, -1UL);
	T_RR("divu", MIN64, -1UL, 0);
	T_RR("remu", -1UL, 2, 1);
	T_RR("remu", 42, 0, 42);
	T_RR("remu", -1UL, 0, -1UL);

	puts("[div-w]");
	T_RR("divw", -7UL, 2, -3UL);
	T_RR("divw", 0x80000000UL, -1UL, 0xffffffff80000000UL);
	T_RR("divw", 5, 0, -1UL);
	T_RR("divw", 0x100000006UL, 3, 2);
	T_RR("divw", 6, 0x100000003UL, 2);
	T_RR("remw", -7UL, 2, -1UL);
	T_RR("remw", 0x80000000UL, -1UL, 0);
	T_RR("remw", 0x100000007UL, 0, 7);
	T_RR("remw", 0x80000001UL, 0, 0xffffffff80000001UL);
	T_RR("divuw", 0xffffffffUL, 2, 0x7fffffffUL);
	T_RR("divuw", 0x80000000UL, 1, 0xffffffff80000000UL);
	T_RR("divuw", 7, 0, -1UL);
	T_RR("divuw", 0xffffffff00000010UL, 0x4, 4);
	T_RR("remuw", 0x80000001UL, 0, 0xffffffff80000001UL);
	T_RR("remuw", 0xffffffffUL, 0x10, 0xf);
	T_RR("remuw", 0x1fffffff0UL, 0x100000007UL, 0x2);

	/* a small product/quotient table whose checksum makes the output depend on every value */
	unsigned long sum = 0;
	static const long v[] = { 0, 1, -1, 2, -2, 3, 7, -7, 0x7fffffff, -0x80000000L, 0x12345678abcdefL,
				  (long)MIN64, (long)MAX64, 1000000007 };
	for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (unsigned j = 0; j < sizeof(v) / sizeof(v[0]); j++) {
			unsigned long a = v[i], b = v[j];
			sum = sum * 31 + RR("mul", a, b) + RR("mulh", a, b) * 3 + RR("mulhsu", a, b) * 5 +
			      RR("mulhu", a, b) * 7 + RR("div", a, b) * 11 + RR("rem", a, b) * 13 +
			      RR("divu", a, b) * 17 + RR("remu", a, b) * 19 + RR("mulw", a, b) * 23 +
			      RR("divw", a, b) * 29 + RR("remw", a, b) * 37 + RR("divuw", a, b) * 41 +
			      RR("remuw", a, b) * 43;
		}
	printf("table checksum %016lx\n", sum);
	test_done("rv64m");
}
