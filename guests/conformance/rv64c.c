/* rv64c - every RV64C instruction form (explicit c.* mnemonics, so each one is a 16-bit encoding):
 * c.addi4spn, c.lw, c.ld, c.sw, c.sd, c.nop, c.addi, c.addiw, c.li, c.addi16sp, c.lui, c.srli, c.srai,
 * c.andi, c.sub, c.xor, c.or, c.and, c.subw, c.addw, c.j, c.beqz, c.bnez, c.slli, c.lwsp, c.ldsp,
 * c.jr, c.mv, c.ebreak (as a trap), c.jalr, c.add, c.swsp, c.sdsp.  (c.fld/c.fsd/c.fldsp/c.fsdsp need the
 * D extension and are not part of the board's ISA.)  Immediate edge values: the most negative and most
 * positive of each field, sign extension of c.lw/c.addiw/c.subw/c.addw/c.lui. */
#include "guest.h"

#define C1(insn, a) ({ register unsigned long _a asm("a0") = (a); \
	asm volatile(insn : "+r"(_a)); _a; })
#define C2(insn, a, b) ({ register unsigned long _a asm("a0") = (a); register unsigned long _b asm("a1") = (b); \
	asm volatile(insn : "+r"(_a) : "r"(_b)); _a; })

static uint64_t buf[32] ALIGNED(16) = { 0x80000000fffffff0UL, 0x123456789abcdef0UL };

static void test_alu(void)
{
	puts("[c-alu]");
	CHECK_EQ(C1("c.addi a0, -32", 100), 68);
	CHECK_EQ(C1("c.addi a0, 31", 1), 32);
	CHECK_EQ(C1("c.addi a0, 1", 0x7fffffffffffffffUL), 0x8000000000000000UL);
	CHECK_EQ(C1("c.addiw a0, 1", 0x7fffffffUL), 0xffffffff80000000UL);
	CHECK_EQ(C1("c.addiw a0, 0", 0x12345678ffffffffUL), -1UL);   /* sext.w */
	CHECK_EQ(C1("c.addiw a0, -32", 0x100000000UL), -32UL);
	CHECK_EQ(C1("c.li a0, -32", 0), -32UL);
	CHECK_EQ(C1("c.li a0, 31", 0), 31);
	CHECK_EQ(C1("c.lui a0, 1", 0), 0x1000);
	CHECK_EQ(C1("c.lui a0, 31", 0), 0x1f000);
	CHECK_EQ(C1("c.lui a0, 0xfffe0", 0), 0xfffffffffffe0000UL);
	CHECK_EQ(C1("c.lui a0, 0xfffff", 0), 0xfffffffffffff000UL);
	CHECK_EQ(C1("c.srli a0, 63", 0x8000000000000000UL), 1);
	CHECK_EQ(C1("c.srli a0, 1", -1UL), 0x7fffffffffffffffUL);
	CHECK_EQ(C1("c.srli a0, 32", 0xabcdef0012345678UL), 0xabcdef00UL);
	CHECK_EQ(C1("c.srai a0, 63", 0x8000000000000000UL), -1UL);
	CHECK_EQ(C1("c.srai a0, 1", -4UL), -2UL);
	CHECK_EQ(C1("c.srai a0, 32", 0x8000000100000000UL), 0xffffffff80000001UL);
	CHECK_EQ(C1("c.andi a0, -32", -1UL), 0xffffffffffffffe0UL);
	CHECK_EQ(C1("c.andi a0, 31", 0x1234UL), 0x14);
	CHECK_EQ(C1("c.andi a0, 0", -1UL), 0);
	CHECK_EQ(C1("c.slli a0, 63", 1), 0x8000000000000000UL);
	CHECK_EQ(C1("c.slli a0, 1", 0x8000000000000001UL), 2);
	CHECK_EQ(C1("c.slli a0, 32", 0xffffffffUL), 0xffffffff00000000UL);
	CHECK_EQ(C2("c.sub a0, a1", 5, 7), -2UL);
	CHECK_EQ(C2("c.sub a0, a1", 0x8000000000000000UL, 1), 0x7fffffffffffffffUL);
	CHECK_EQ(C2("c.xor a0, a1", 0xff00UL, 0x0ff0UL), 0xf0f0UL);
	CHECK_EQ(C2("c.or a0, a1", 0xff00UL, 0x0ff0UL), 0xfff0UL);
	CHECK_EQ(C2("c.and a0, a1", 0xff00UL, 0x0ff0UL), 0x0f00UL);
	CHECK_EQ(C2("c.subw a0, a1", 0, 1), -1UL);
	CHECK_EQ(C2("c.subw a0, a1", 0x80000000UL, 1), 0x7fffffffUL);
	CHECK_EQ(C2("c.subw a0, a1", 0x100000005UL, 0x200000003UL), 2);
	CHECK_EQ(C2("c.addw a0, a1", 0x7fffffffUL, 1), 0xffffffff80000000UL);
	CHECK_EQ(C2("c.addw a0, a1", 0xffffffffUL, 0xffffffff00000001UL), 0);
	CHECK_EQ(C2("c.add a0, a1", 0x7fffffffffffffffUL, 1), 0x8000000000000000UL);
	CHECK_EQ(C2("c.add a0, a1", 40, 2), 42);
	CHECK_EQ(C2("c.mv a0, a1", 1, 0xdeadbeefcafef00dUL), 0xdeadbeefcafef00dUL);
	/* the full register range of the CR/CI forms (not just x8-x15) */
	unsigned long r;
	asm volatile("c.li t0, 7\n c.slli t0, 4\n c.addi t0, -1\n c.mv t2, t0\n c.add t2, t0\n mv %0, t2"
		     : "=r"(r) :: "t0", "t2");
	CHECK_EQ(r, 222);
	asm volatile("c.nop\n c.nop" ::: "memory");
	/* other compressed registers */
	asm volatile("mv s0, %1\n mv s1, %1\n c.addi s1, 3\n c.sub s0, s1\n c.mv %0, s0" : "=r"(r) : "r"(10UL) : "s0", "s1");
	CHECK_EQ(r, -3UL);
	asm volatile("li a5, 0x7f\n li a4, 0x100\n c.or a5, a4\n c.srli a5, 4\n c.andi a5, 0x1f\n mv %0, a5" : "=r"(r) :: "a4", "a5");
	CHECK_EQ(r, 0x17);
}

static void test_sp(void)
{
	unsigned long r, a, b;
	puts("[c-sp]");
	asm volatile("mv t0, sp\n c.addi4spn a0, sp, 1020\n sub %0, a0, t0" : "=r"(r) :: "t0", "a0");
	CHECK_EQ(r, 1020);
	asm volatile("mv t0, sp\n c.addi4spn a2, sp, 4\n sub %0, a2, t0" : "=r"(r) :: "t0", "a2");
	CHECK_EQ(r, 4);
	asm volatile("mv t0, sp\n c.addi16sp sp, -512\n sub %0, t0, sp\n c.addi16sp sp, 496\n"
		     "sub %1, t0, sp\n c.addi16sp sp, 16" : "=&r"(a), "=&r"(b) :: "t0", "memory");
	CHECK_EQ(a, 512);
	CHECK_EQ(b, 16);
	/* sp-relative loads and stores, at offset 0 and at the largest offsets */
	asm volatile("addi sp, sp, -512\n"
		     "li t0, -2\n c.sdsp t0, 504(sp)\n c.ldsp %0, 504(sp)\n"
		     "li t1, 0x80000001\n c.swsp t1, 252(sp)\n c.lwsp %1, 252(sp)\n"
		     "c.sdsp t0, 0(sp)\n c.swsp zero, 0(sp)\n ld %2, 0(sp)\n"
		     "addi sp, sp, 512" : "=&r"(r), "=&r"(a), "=&r"(b) :: "t0", "t1", "memory");
	CHECK_EQ(r, -2UL);
	CHECK_EQ(a, 0xffffffff80000001UL);   /* c.lwsp sign-extends */
	CHECK_EQ(b, 0xffffffff00000000UL);
}

/* one compressed load/store with base register a1 and data register a0 */
#define CLOAD(insn) ({ register unsigned long _b asm("a1") = (unsigned long)buf; register unsigned long _v asm("a0"); \
	asm volatile(insn : "=r"(_v) : "r"(_b) : "memory"); _v; })
#define CSTORE(insn, val) do { register unsigned long _b asm("a1") = (unsigned long)buf; \
	register unsigned long _v asm("a0") = (val); asm volatile(insn :: "r"(_v), "r"(_b) : "memory"); } while (0)

static void test_mem(void)
{
	puts("[c-mem]");
	CHECK_EQ(CLOAD("c.lw a0, 0(a1)"), 0xfffffffffffffff0UL);
	CHECK_EQ(CLOAD("c.lw a0, 4(a1)"), 0xffffffff80000000UL);
	CHECK_EQ(CLOAD("c.ld a0, 8(a1)"), 0x123456789abcdef0UL);
	CSTORE("c.sd a0, 248(a1)", 0x1122334455667788UL);
	CHECK_EQ(buf[31], 0x1122334455667788UL);
	CHECK_EQ(CLOAD("c.ld a0, 248(a1)"), 0x1122334455667788UL);
	CSTORE("c.sw a0, 124(a1)", 0xffffffff87654321UL);
	CHECK_EQ(buf[15], 0x8765432100000000UL);
	CHECK_EQ(CLOAD("c.lw a0, 124(a1)"), 0xffffffff87654321UL);
}

static void test_control(void)
{
	unsigned long r, a;
	puts("[c-control]");
	asm volatile("li %0, 0\n c.j 1f\n li %0, 1\n1:" : "=&r"(r));
	CHECK_EQ(r, 0);
	/* c.j backwards */
	asm volatile("li %0, 0\n j 2f\n1: addi %0, %0, 5\n j 3f\n2: c.j 1b\n3:" : "=&r"(r));
	CHECK_EQ(r, 5);
	asm volatile("li %0, 0\n li a0, 0\n c.beqz a0, 1f\n li %0, 1\n1:" : "=&r"(r) :: "a0");
	CHECK_EQ(r, 0);
	asm volatile("li %0, 0\n li a0, 1\n c.beqz a0, 1f\n li %0, 1\n1:" : "=&r"(r) :: "a0");
	CHECK_EQ(r, 1);
	asm volatile("li %0, 0\n li a0, -1\n c.bnez a0, 1f\n li %0, 1\n1:" : "=&r"(r) :: "a0");
	CHECK_EQ(r, 0);
	asm volatile("li %0, 0\n li a0, 0\n c.bnez a0, 1f\n li %0, 1\n1:" : "=&r"(r) :: "a0");
	CHECK_EQ(r, 1);
	/* c.bnez backwards: a loop */
	asm volatile("li a0, 5\n li %0, 0\n1: addi %0, %0, 2\n addi a0, a0, -1\n c.bnez a0, 1b" : "=&r"(r) :: "a0");
	CHECK_EQ(r, 10);
	asm volatile("li %0, 0\n lla t0, 1f\n c.jr t0\n li %0, 1\n1:" : "=&r"(r) :: "t0");
	CHECK_EQ(r, 0);
	/* c.jalr: link = address of the c.jalr + 2 */
	asm volatile("li %1, 0\n lla t0, 1f\n c.jalr t0\n2: li %1, 1\n1: mv %0, ra\n lla t1, 2b\n sub %0, %0, t1"
		     : "=&r"(r), "=&r"(a) :: "t0", "t1", "ra");
	CHECK_EQ(r, 0);
	CHECK_EQ(a, 0);
	/* c.jalr / c.jr as call/return into a function */
	asm volatile("lla t0, 3f\n j 4f\n3: c.li a0, 9\n c.jr ra\n4: c.jalr t0\n mv %0, a0" : "=r"(r) :: "t0", "a0", "ra");
	CHECK_EQ(r, 9);
}

static void test_ebreak(void)
{
	unsigned long at;
	puts("[c-ebreak]");
	struct trap_record t = EXPECT_TRAP(asm volatile("lla %0, 1f\n1: c.ebreak\n c.nop" : "=r"(at) :: "memory"));
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.scause, CAUSE_BREAKPOINT);
	CHECK_EQ(t.sepc, at);
}

int main(unsigned long hartid, unsigned long dtb)
{
	puts("rv64c: start");
	test_alu();
	test_sp();
	test_mem();
	test_control();
	test_ebreak();
	test_done("rv64c");
}
