/* traps - synchronous exceptions taken in S-mode: illegal instructions with stval = the instruction bits
 * (the 16-bit 0x0000, the all-ones 32-bit word, an M-mode instruction, an M-mode CSR), ebreak and
 * c.ebreak (sepc = the instruction), access faults on unmapped physical addresses (load 5, store 7,
 * fetch 1, stval = address), and that the trap entry preserves every register. */
#include "guest.h"

static void test_illegal(void)
{
	struct trap_record t;
	unsigned long at;
	puts("[illegal]");
	t = EXPECT_TRAP(asm volatile("lla %0, 1f\n1: .2byte 0x0000\n nop" : "=r"(at) :: "memory"));
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	CHECK_EQ(t.stval, 0);
	CHECK_EQ(t.sepc, at);
	t = EXPECT_TRAP(asm volatile("lla %0, 1f\n1: .4byte 0xffffffff\n nop" : "=r"(at) :: "memory"));
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	CHECK_EQ(t.stval, 0xffffffffUL);
	CHECK_EQ(t.sepc, at);
	t = EXPECT_TRAP(asm volatile("lla %0, 1f\n1: mret\n nop" : "=r"(at) :: "memory"));
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	CHECK_EQ(t.stval, 0x30200073UL);
	CHECK_EQ(t.sepc, at);
	t = EXPECT_TRAP(asm volatile(".4byte 0x300022f3" ::: "t0"));  /* csrr t0, mstatus */
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	CHECK_EQ(t.stval, 0x300022f3UL);
	t = EXPECT_TRAP(asm volatile(".4byte 0x0000000b"));            /* custom-0 opcode */
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	CHECK_EQ(t.stval, 0x0000000bUL);
	t = EXPECT_TRAP(asm volatile(".4byte 0x02007033" ::: "memory")); /* funct7=1 funct3=7 on OP: remu */
	CHECK_EQ(t.count, 0);
	t = EXPECT_TRAP(asm volatile(".4byte 0xfe000033" ::: "memory")); /* OP with funct7 = 0x7f: reserved */
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	CHECK_EQ(t.stval, 0xfe000033UL);
	/* several illegal instructions in a row: each one traps and is skipped */
	t = EXPECT_TRAP(asm volatile(".2byte 0\n .4byte 0xffffffff\n .2byte 0\n nop" ::: "memory"));
	CHECK_EQ(t.count, 3);
}

static void test_breakpoint(void)
{
	struct trap_record t;
	unsigned long at;
	puts("[ebreak]");
	t = EXPECT_TRAP(asm volatile(".option push\n.option norvc\n lla %0, 1f\n1: ebreak\n.option pop" : "=r"(at) :: "memory"));
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.scause, CAUSE_BREAKPOINT);
	CHECK_EQ(t.sepc, at);
	t = EXPECT_TRAP(asm volatile("lla %0, 1f\n1: c.ebreak" : "=r"(at) :: "memory"));
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.scause, CAUSE_BREAKPOINT);
	CHECK_EQ(t.sepc, at);
	/* the trap came from S-mode: SPP = 1 */
	CHECK(t.sstatus & SSTATUS_SPP);
}

static void test_access_faults(void)
{
	struct trap_record t;
	unsigned long v = 0;
	puts("[access-fault]");
	t = EXPECT_TRAP(asm volatile("ld %0, 0(%1)" : "=r"(v) : "r"(0UL) : "memory"));
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.scause, CAUSE_LOAD_ACCESS);
	CHECK_EQ(t.stval, 0);
	t = EXPECT_TRAP(asm volatile("lw %0, 0(%1)" : "=r"(v) : "r"(0x8UL) : "memory"));
	CHECK_EQ(t.scause, CAUSE_LOAD_ACCESS);
	CHECK_EQ(t.stval, 8);
	t = EXPECT_TRAP(asm volatile("sw zero, 0(%0)" :: "r"(0x10UL) : "memory"));
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.scause, CAUSE_STORE_ACCESS);
	CHECK_EQ(t.stval, 0x10);
	t = EXPECT_TRAP(asm volatile("amoadd.w %0, %1, (%2)" : "=r"(v) : "r"(1UL), "r"(0x20UL) : "memory"));
	/* AMOs fault as stores (7); QEMU 7.2 reports a load access fault (5) */
	CHECK_EQ(t.scause, on_reference_qemu() ? CAUSE_LOAD_ACCESS : CAUSE_STORE_ACCESS);
	CHECK_EQ(t.stval, 0x20);
	/* fetch: call address 0x100 -> instruction access fault, the handler returns to ra */
	long (*bad)(void) = (long (*)(void))0x100UL;
	t = EXPECT_TRAP(bad());
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.scause, CAUSE_FETCH_ACCESS);
	CHECK_EQ(t.stval, 0x100);
	CHECK_EQ(t.sepc, 0x100);
}

/* every register survives a trap (traps_regs.S) */
void regs_roundtrip(const unsigned long before[32], unsigned long after[32]);

static void test_register_preservation(void)
{
	static unsigned long before[32], after[32];
	puts("[registers]");
	for (int i = 0; i < 32; i++)
		before[i] = 0x0101010101010101UL * i + 0x1000;
	before[4] = 0; /* tp = hart id of this hart, as the trap handler expects */
	before[4] = current_hartid();
	struct trap_record t = EXPECT_TRAP(regs_roundtrip(before, after));
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.scause, CAUSE_BREAKPOINT);
	int bad = 0;
	for (int i = 1; i < 31; i++)
		if (i != 2 && after[i] != before[i]) {
			printf("x%d: %lx != %lx\n", i, after[i], before[i]);
			bad++;
		}
	CHECK_EQ(bad, 0);
	CHECK_EQ(after[31], (unsigned long)before);
}

int main(unsigned long hartid, unsigned long dtb)
{
	puts("traps: start");
	test_illegal();
	test_breakpoint();
	test_access_faults();
	test_register_preservation();
	test_done("traps");
}
