/* rv64i - every RV64I instruction with known inputs, including the edge cases (overflow, sign extension
 * of the W forms, shift amounts 63/31 and the masking of larger amounts, branches on signed/unsigned
 * boundaries, sign/zero extension of every load width, partial stores, jalr target LSB clearing,
 * writes to x0, fences). ecall/ebreak are covered by the sbi and traps programs. */
#include "insn.h"

#define MIN64 0x8000000000000000UL
#define MAX64 0x7fffffffffffffffUL

static void test_alu(void)
{
	puts("[alu]");
	T_RR("add", 1, 2, 3);
	T_RR("add", MAX64, 1, MIN64);
	T_RR("add", -1UL, 1, 0);
	T_RR("sub", 0, 1, -1UL);
	T_RR("sub", MIN64, 1, MAX64);
	T_RR("sub", 5, 7, -2UL);
	T_RR("xor", 0xff00ff00ff00ff00UL, 0x0ff00ff00ff00ff0UL, 0xf0f0f0f0f0f0f0f0UL);
	T_RR("or", 0xff00ff00ff00ff00UL, 0x0ff00ff00ff00ff0UL, 0xfff0fff0fff0fff0UL);
	T_RR("and", 0xff00ff00ff00ff00UL, 0x0ff00ff00ff00ff0UL, 0x0f000f000f000f00UL);
	T_RR("slt", -1UL, 1, 1);
	T_RR("slt", 1, -1UL, 0);
	T_RR("slt", 5, 5, 0);
	T_RR("slt", MIN64, MAX64, 1);
	T_RR("sltu", 1, -1UL, 1);
	T_RR("sltu", -1UL, 1, 0);
	T_RR("sltu", 0, 0, 0);
	T_RR("sll", 1, 63, MIN64);
	T_RR("sll", 1, 64, 1);            /* only rs2[5:0] counts */
	T_RR("sll", 1, 65, 2);
	T_RR("sll", 0x8000000000000001UL, 1, 2);
	T_RR("srl", MIN64, 63, 1);
	T_RR("srl", -1UL, 1, MAX64);
	T_RR("srl", -1UL, 127, 1);
	T_RR("sra", MIN64, 63, -1UL);
	T_RR("sra", MIN64, 64, MIN64);
	T_RR("sra", 0x4000000000000000UL, 62, 1);
	T_RR("sra", 0xf0UL, 4, 0xf);

	puts("[alu-imm]");
	T_RI("addi", 0, -2048, -2048UL);
	T_RI("addi", 1, 2047, 2048);
	T_RI("addi", MAX64, 1, MIN64);
	T_RI("slti", -5UL, -4, 1);
	T_RI("slti", -4UL, -5, 0);
	T_RI("slti", 0, 0, 0);
	T_RI("sltiu", 0, -1, 1);          /* the immediate is sign-extended, then compared unsigned */
	T_RI("sltiu", 0, 1, 1);
	T_RI("sltiu", 1, 1, 0);
	T_RI("xori", 0x1234UL, -1, ~0x1234UL);
	T_RI("xori", 0xf0UL, 0xff, 0x0f);
	T_RI("ori", 0x100UL, -2048, 0xfffffffffffff900UL);
	T_RI("ori", 0, 0x555, 0x555);
	T_RI("andi", -1UL, -2048, 0xfffffffffffff800UL);
	T_RI("andi", 0x12345678UL, 0x7ff, 0x678);
	T_RI("slli", 1, 63, MIN64);
	T_RI("slli", 0xffUL, 60, 0xf000000000000000UL);
	T_RI("srli", -1UL, 63, 1);
	T_RI("srli", MIN64, 0, MIN64);
	T_RI("srai", MIN64, 63, -1UL);
	T_RI("srai", 0x4000000000000000UL, 62, 1);
	T_RI("srai", 0x8000000000000000UL, 4, 0xf800000000000000UL);

	puts("[alu-w]");
	T_RR("addw", 0x7fffffffUL, 1, 0xffffffff80000000UL);
	T_RR("addw", 0xffffffffUL, 0, -1UL);
	T_RR("addw", 0x100000001UL, 1, 2);
	T_RR("subw", 0, 1, -1UL);
	T_RR("subw", 0x80000000UL, 1, 0x7fffffffUL);
	T_RR("subw", 0x123456789UL, 0x100000000UL, 0x23456789UL);
	T_RR("sllw", 1, 31, 0xffffffff80000000UL);
	T_RR("sllw", 1, 32, 1);           /* only rs2[4:0] counts */
	T_RR("sllw", 0xffffffff00000001UL, 0, 1);
	T_RR("sllw", 0xffffffffUL, 4, 0xfffffffffffffff0UL);
	T_RR("srlw", 0x80000000UL, 31, 1);
	T_RR("srlw", 0x80000000UL, 0, 0xffffffff80000000UL);
	T_RR("srlw", -1UL, 1, 0x7fffffffUL);
	T_RR("srlw", 0x1234567880000000UL, 33, 0x40000000UL);
	T_RR("sraw", 0x80000000UL, 31, -1UL);
	T_RR("sraw", 0x7fffffffUL, 31, 0);
	T_RR("sraw", 0x180000000UL, 4, 0xfffffffff8000000UL);
	T_RR("sraw", 0x80000000UL, 32, 0xffffffff80000000UL);
	T_RI("addiw", 0x7fffffffUL, 1, 0xffffffff80000000UL);
	T_RI("addiw", 0xffffffff00000000UL, 0, 0);
	T_RI("addiw", 0xffffffffUL, 0, -1UL);
	T_RI("addiw", 0, -2048, -2048UL);
	T_RI("slliw", 1, 31, 0xffffffff80000000UL);
	T_RI("slliw", 0xffffffffUL, 4, 0xfffffffffffffff0UL);
	T_RI("slliw", 0x100000001UL, 0, 1);
	T_RI("srliw", 0x80000000UL, 31, 1);
	T_RI("srliw", 0xffffffff80000000UL, 0, 0xffffffff80000000UL);
	T_RI("srliw", -1UL, 16, 0xffffUL);
	T_RI("sraiw", 0x80000000UL, 31, -1UL);
	T_RI("sraiw", 0x80000000UL, 0, 0xffffffff80000000UL);
	T_RI("sraiw", 0x7fffffffUL, 30, 1);
	T_RI("sraiw", 0x12345678f0000000UL, 4, 0xffffffffff000000UL);
}

static void test_upper(void)
{
	unsigned long r, a;
	puts("[lui-auipc]");
	asm volatile("lui %0, 0x80000" : "=r"(r));
	CHECK_EQ(r, 0xffffffff80000000UL);
	asm volatile("lui %0, 0x7ffff" : "=r"(r));
	CHECK_EQ(r, 0x7ffff000UL);
	asm volatile("lui %0, 0xfffff" : "=r"(r));
	CHECK_EQ(r, 0xfffffffffffff000UL);
	asm volatile("lui %0, 0" : "=r"(r));
	CHECK_EQ(r, 0);
	asm volatile(".option push\n.option norelax\n1: auipc %0, 0\n lla %1, 1b\n.option pop" : "=r"(r), "=r"(a));
	CHECK_EQ(r, a);
	asm volatile(".option push\n.option norelax\n1: auipc %0, 1\n lla %1, 1b\n.option pop" : "=r"(r), "=r"(a));
	CHECK_EQ(r, a + 0x1000);
	asm volatile(".option push\n.option norelax\n1: auipc %0, 0xfffff\n lla %1, 1b\n.option pop" : "=r"(r), "=r"(a));
	CHECK_EQ(r, a - 0x1000);
}

static void test_jumps(void)
{
	unsigned long r, a, skipped;
	puts("[jal-jalr]");
	/* jal: link = address of the next instruction, the instruction after jal is skipped */
	asm volatile(".option push\n.option norvc\n li %2, 0\n jal %0, 1f\n2: li %2, 1\n1: lla %1, 2b\n.option pop"
		     : "=&r"(r), "=&r"(a), "=&r"(skipped));
	CHECK_EQ(r, a);
	CHECK_EQ(skipped, 0);
	/* jal backwards */
	asm volatile(".option push\n.option norvc\n li %1, 0\n j 2f\n1: addi %1, %1, 1\n j 3f\n"
		     "2: jal %0, 1b\n3:\n.option pop" : "=&r"(r), "=&r"(skipped));
	CHECK_EQ(skipped, 1);
	/* jalr: target = (rs1 + imm) & ~1, link = pc + 4 */
	asm volatile(".option push\n.option norvc\n lla t0, 1f\n addi t0, t0, 1\n li %1, 0\n jalr %0, 0(t0)\n"
		     "2: li %1, 1\n1: lla %2, 2b\n.option pop" : "=&r"(r), "=&r"(skipped), "=&r"(a) :: "t0");
	CHECK_EQ(r, a);
	CHECK_EQ(skipped, 0);
	/* jalr with a negative offset */
	asm volatile(".option push\n.option norvc\n lla t0, 1f\n addi t0, t0, 16\n li %1, 0\n jalr %0, -16(t0)\n"
		     "2: li %1, 1\n1: lla %2, 2b\n.option pop" : "=&r"(r), "=&r"(skipped), "=&r"(a) :: "t0");
	CHECK_EQ(r, a);
	CHECK_EQ(skipped, 0);
	/* jalr with rd == rs1: the target uses the old rs1 */
	asm volatile(".option push\n.option norvc\n lla t1, 1f\n jalr t1, 0(t1)\n2: nop\n1: lla %1, 2b\n mv %0, t1\n.option pop"
		     : "=&r"(r), "=&r"(a) :: "t1");
	CHECK_EQ(r, a);
}

static void test_branches(void)
{
	puts("[branches]");
	T_BR("beq", 5, 5, 1);
	T_BR("beq", 5, 6, 0);
	T_BR("beq", -1UL, 0xffffffffUL, 0);
	T_BR("bne", 5, 5, 0);
	T_BR("bne", 0, MIN64, 1);
	T_BR("blt", -1UL, 0, 1);
	T_BR("blt", 0, -1UL, 0);
	T_BR("blt", 3, 3, 0);
	T_BR("blt", MIN64, MAX64, 1);
	T_BR("bge", 3, 3, 1);
	T_BR("bge", -1UL, 0, 0);
	T_BR("bge", MAX64, MIN64, 1);
	T_BR("bltu", 0, -1UL, 1);
	T_BR("bltu", -1UL, 0, 0);
	T_BR("bltu", 7, 7, 0);
	T_BR("bgeu", -1UL, 0, 1);
	T_BR("bgeu", 0, -1UL, 0);
	T_BR("bgeu", 7, 7, 1);
	/* backward branch loop */
	unsigned long n = 10, count = 0;
	asm volatile("1: addi %1, %1, 1\n addi %0, %0, -1\n bne %0, zero, 1b" : "+r"(n), "+r"(count));
	CHECK_EQ(count, 10);
	CHECK_EQ(n, 0);
}

static uint8_t mem[32] ALIGNED(16) = {
	0x80, 0x7f, 0x01, 0x80, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x00, 0x80, 0x11, 0x22, 0x33, 0x44,
	0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05,
};

#define LOAD(op, base, off) ({ unsigned long _r; \
	asm volatile(op " %0, %2(%1)" : "=r"(_r) : "r"(base), "i"(off) : "memory"); _r; })
#define STORE(op, base, off, v) asm volatile(op " %1, %2(%0)" :: "r"(base), "r"((unsigned long)(v)), "i"(off) : "memory")

static void test_loads_stores(void)
{
	uint8_t *p = mem;
	puts("[loads]");
	CHECK_EQ(LOAD("lb", p, 0), 0xffffffffffffff80UL);
	CHECK_EQ(LOAD("lb", p, 1), 0x7f);
	CHECK_EQ(LOAD("lbu", p, 0), 0x80);
	CHECK_EQ(LOAD("lbu", p, 4), 0xff);
	CHECK_EQ(LOAD("lh", p, 2), 0xffffffffffff8001UL);
	CHECK_EQ(LOAD("lh", p, 0), 0x7f80);
	CHECK_EQ(LOAD("lhu", p, 2), 0x8001);
	CHECK_EQ(LOAD("lw", p, 4), 0x7fffffff);
	CHECK_EQ(LOAD("lw", p, 8), 0xffffffff80000000UL);
	CHECK_EQ(LOAD("lwu", p, 8), 0x80000000UL);
	CHECK_EQ(LOAD("lwu", p, 4), 0x7fffffffUL);
	CHECK_EQ(LOAD("ld", p, 0), 0x7fffffff80017f80UL);
	CHECK_EQ(LOAD("ld", p, 16), 0xccbbaa9988776655UL);
	CHECK_EQ(LOAD("lb", p + 16, -1), 0x44);
	CHECK_EQ(LOAD("ld", p + 24, -8), 0xccbbaa9988776655UL);
	CHECK_EQ(LOAD("lbu", p + 32, -1), 0x05);

	puts("[stores]");
	static uint64_t buf[3] ALIGNED(16);
	uint8_t *b = (uint8_t *)buf;
	buf[0] = buf[1] = buf[2] = 0;
	STORE("sb", b, 8, 0x1234);
	CHECK_EQ(buf[1], 0x34);
	STORE("sh", b, 10, 0xabcdef);
	CHECK_EQ(buf[1], 0xcdef0034UL);
	STORE("sw", b, 12, 0x1122334455667788UL);
	CHECK_EQ(buf[1], 0x55667788cdef0034UL);
	STORE("sd", b, 16, 0x0102030405060708UL);
	CHECK_EQ(buf[2], 0x0102030405060708UL);
	STORE("sd", b + 8, -8, -1UL);
	CHECK_EQ(buf[0], -1UL);
	STORE("sb", b + 8, -1, 0);
	CHECK_EQ(buf[0], 0x00ffffffffffffffUL);
	CHECK_EQ(buf[1], 0x55667788cdef0034UL);
	STORE("sw", b + 4, -4, 0);
	CHECK_EQ(buf[0], 0x00ffffff00000000UL);
}

static void test_x0_and_fences(void)
{
	unsigned long r;
	puts("[x0-fence]");
	asm volatile("li t0, 5\n add x0, t0, t0\n addi x0, x0, 7\n lui x0, 1\n mv %0, x0" : "=r"(r) :: "t0");
	CHECK_EQ(r, 0);
	asm volatile("ld x0, 0(%1)\n mv %0, x0" : "=r"(r) : "r"(mem) : "memory");
	CHECK_EQ(r, 0);
	asm volatile("fence" ::: "memory");
	asm volatile("fence rw, rw" ::: "memory");
	asm volatile("fence r, r" ::: "memory");
	asm volatile("fence w, w" ::: "memory");
	asm volatile("fence iorw, iorw" ::: "memory");
	asm volatile("fence i, o" ::: "memory");
	asm volatile("fence.tso" ::: "memory");
	asm volatile(".4byte 0x0100000f" ::: "memory");  /* pause (a fence hint) */
	asm volatile("nop");
	CHECK(1); /* no trap so far */
}

int main(unsigned long hartid, unsigned long dtb)
{
	puts("rv64i: start");
	test_alu();
	test_upper();
	test_jumps();
	test_branches();
	test_loads_stores();
	test_x0_and_fences();
	test_done("rv64i");
}
