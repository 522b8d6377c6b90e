/* paging - Sv39: identity gigapages, remapped 4 KiB pages and aliases, megapages (aligned works, a
 * misaligned superpage faults), R/W/X permissions with load/store/fetch page faults (13/15/12) and
 * stval = the virtual address, invalid and reserved (W without R) PTEs, a pointer PTE at level 0,
 * non-canonical addresses, U/S permission with SUM and MXR, U-mode under paging (user code through a
 * U alias of RAM), A/D bits set by hardware on access, sfence.vma after changing a PTE, and the WARL
 * rule that a satp write with an unsupported mode has no effect. */
#include "guest.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_AD (PTE_A | PTE_D)
#define PTE(pa, flags) ((((unsigned long)(pa)) >> 12) << 10 | (flags))

static uint64_t root[512] ALIGNED(4096);
static uint64_t l1[512] ALIGNED(4096);
static uint64_t l0[512] ALIGNED(4096);
static uint8_t pages[8][4096] ALIGNED(4096);
static uint64_t user_stack[512] ALIGNED(4096);

#define VA(i) (0x100000000UL + (unsigned long)(i) * 4096)
#define MEGA_BAD  0x100200000UL   /* l1[1]: misaligned megapage */
#define MEGA_OK   0x100400000UL   /* l1[2]: aligned megapage */
#define MEGA_PA   0x80600000UL
#define UALIAS(p) ((unsigned long)(p) - 0x80000000UL + 0xc0000000UL)   /* U-mode alias of RAM */

#define LOAD64(a) ({ unsigned long _v; asm volatile("ld %0, 0(%1)" : "=r"(_v) : "r"(a) : "memory"); _v; })
#define STORE64(a, v) asm volatile("sd %1, 0(%0)" :: "r"(a), "r"((unsigned long)(v)) : "memory")

long u_load(long a);
long u_store(long a);
long u_call(long a);
asm(".text\n"
    "u_load: ld a0, 0(a0)\n ret\n"
    "u_store: li t0, 0x5a\n sd t0, 0(a0)\n li a0, 1\n ret\n"
    "u_call: addi sp, sp, -16\n sd ra, 0(sp)\n jalr a0\n ld ra, 0(sp)\n addi sp, sp, 16\n ret\n");

static void setup(void)
{
	root[0] = PTE(0, PTE_V | PTE_R | PTE_W | PTE_AD);                              /* MMIO 0-1 GiB */
	root[2] = PTE(0x80000000UL, PTE_V | PTE_R | PTE_W | PTE_X | PTE_AD);           /* RAM identity */
	root[3] = PTE(0x80000000UL, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_AD);   /* RAM, U alias */
	root[4] = PTE(l1, PTE_V);
	l1[0] = PTE(l0, PTE_V);
	l1[1] = PTE(MEGA_PA + 0x1000, PTE_V | PTE_R | PTE_W | PTE_AD);                 /* misaligned */
	l1[2] = PTE(MEGA_PA, PTE_V | PTE_R | PTE_W | PTE_AD);
	l0[0] = PTE(pages[0], PTE_V | PTE_R | PTE_W | PTE_AD);
	l0[1] = PTE(pages[0], PTE_V | PTE_R | PTE_A);                                  /* read-only alias */
	l0[2] = PTE(pages[1], PTE_V | PTE_X | PTE_A);                                  /* execute-only */
	l0[3] = PTE(pages[1], PTE_V | PTE_R | PTE_W | PTE_AD);                         /* no execute */
	l0[4] = 0;                                                                     /* invalid */
	l0[5] = PTE(pages[2], PTE_V | PTE_R | PTE_W | PTE_U | PTE_AD);                 /* user data */
	l0[6] = PTE(pages[3], PTE_V | PTE_R | PTE_W);                                  /* A = D = 0 */
	l0[7] = PTE(pages[3], PTE_V | PTE_W | PTE_AD);                                 /* reserved W-only */
	l0[8] = PTE(pages[4], PTE_V | PTE_R | PTE_W | PTE_AD);                         /* remapped later */
	l0[9] = PTE(pages[1], PTE_V | PTE_R | PTE_X | PTE_U | PTE_A);                  /* user code */
	l0[10] = PTE(pages[5], PTE_V);                                                 /* pointer at level 0 */
	/* code in pages[1]: li a0, 77 ; ret */
	((uint32_t *)pages[1])[0] = 0x04d00513;
	((uint32_t *)pages[1])[1] = 0x00008067;
	*(uint64_t *)pages[4] = 0x4444;
	*(uint64_t *)pages[5] = 0x5555;
	fence_i();
}

static void expect_fault(const char *what, struct trap_record t, unsigned long cause, unsigned long va, int line)
{
	if (t.count != 1 || t.scause != cause || t.stval != va)
		printf("FAIL paging.c:%d: %s: count %ld scause %lu stval %lx (expected %lu at %lx)\n", line, what,
		       t.count, t.scause, t.stval, cause, va);
	CHECK(t.count == 1 && t.scause == cause && t.stval == va);
}
#define EXPECT_FAULT(what, stmt, cause, va) expect_fault(what, EXPECT_TRAP(stmt), cause, va, __LINE__)

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long v = 0;
	puts("paging: start");
	CHECK((unsigned long)_end <= MEGA_PA);
	setup();

	puts("[satp]");
	csr_write(satp, (1UL << 60) | ((unsigned long)root >> 12));   /* mode 1 is reserved: no effect */
	CHECK_EQ(csr_read(satp), 0);
	unsigned long satp = (8UL << 60) | ((unsigned long)root >> 12);
	csr_write(satp, satp);
	sfence_vma_all();
	CHECK_EQ(csr_read(satp), satp);
	puts("paging on");

	puts("[map]");
	STORE64(VA(0) + 8, 0x1234567890abcdefUL);
	CHECK_EQ(*(volatile uint64_t *)&pages[0][8], 0x1234567890abcdefUL);
	CHECK_EQ(LOAD64(VA(1) + 8), 0x1234567890abcdefUL);
	STORE64(MEGA_OK + 0x1008, 0xfeedUL);
	CHECK_EQ(*(volatile uint64_t *)(MEGA_PA + 0x1008), 0xfeedUL);
	csr_set(sstatus, SSTATUS_SUM);   /* the RAM alias is a U mapping */
	CHECK_EQ(LOAD64(UALIAS(&pages[0][8])), 0x1234567890abcdefUL);
	csr_clear(sstatus, SSTATUS_SUM);

	puts("[faults]");
	EXPECT_FAULT("store to read-only", STORE64(VA(1) + 16, 1), CAUSE_STORE_PAGE_FAULT, VA(1) + 16);
	CHECK_EQ(*(volatile uint64_t *)&pages[0][16], 0);
	EXPECT_FAULT("amo to read-only", asm volatile("amoadd.d %0, %1, (%2)" : "=r"(v) : "r"(1UL), "r"(VA(1) + 24) : "memory"),
		     CAUSE_STORE_PAGE_FAULT, VA(1) + 24);
	EXPECT_FAULT("load invalid", v = LOAD64(VA(4) + 0x10), CAUSE_LOAD_PAGE_FAULT, VA(4) + 0x10);
	EXPECT_FAULT("store invalid", STORE64(VA(4) + 0x18, 1), CAUSE_STORE_PAGE_FAULT, VA(4) + 0x18);
	EXPECT_FAULT("fetch invalid", ((long (*)(void))VA(4))(), CAUSE_FETCH_PAGE_FAULT, VA(4));
	EXPECT_FAULT("load W-only", v = LOAD64(VA(7)), CAUSE_LOAD_PAGE_FAULT, VA(7));
	EXPECT_FAULT("load level-0 pointer", v = LOAD64(VA(10)), CAUSE_LOAD_PAGE_FAULT, VA(10));
	EXPECT_FAULT("misaligned megapage", v = LOAD64(MEGA_BAD + 8), CAUSE_LOAD_PAGE_FAULT, MEGA_BAD + 8);
	EXPECT_FAULT("non-canonical", v = LOAD64(0x4000000000UL), CAUSE_LOAD_PAGE_FAULT, 0x4000000000UL);
	EXPECT_FAULT("unmapped gigapage", v = LOAD64(0x140000000UL), CAUSE_LOAD_PAGE_FAULT, 0x140000000UL);

	puts("[exec]");
	CHECK_EQ(((long (*)(void))VA(2))(), 77);
	EXPECT_FAULT("load execute-only", v = LOAD64(VA(2)), CAUSE_LOAD_PAGE_FAULT, VA(2));
	csr_set(sstatus, SSTATUS_MXR);
	CHECK_EQ(LOAD64(VA(2)) & 0xffffffff, 0x04d00513);     /* MXR: execute-only pages are readable */
	csr_clear(sstatus, SSTATUS_MXR);
	EXPECT_FAULT("fetch no-execute", ((long (*)(void))VA(3))(), CAUSE_FETCH_PAGE_FAULT, VA(3));

	puts("[user-pages]");
	EXPECT_FAULT("S load of U page", v = LOAD64(VA(5)), CAUSE_LOAD_PAGE_FAULT, VA(5));
	EXPECT_FAULT("S store to U page", STORE64(VA(5) + 8, 1), CAUSE_STORE_PAGE_FAULT, VA(5) + 8);
	csr_set(sstatus, SSTATUS_SUM);
	STORE64(VA(5) + 8, 0xabcUL);
	CHECK_EQ(LOAD64(VA(5) + 8), 0xabcUL);
	EXPECT_FAULT("S fetch of U page (SUM)", ((long (*)(void))VA(9))(), CAUSE_FETCH_PAGE_FAULT, VA(9));
	csr_clear(sstatus, SSTATUS_SUM);

	puts("[user-mode]");
	unsigned long usp = UALIAS(&user_stack[512]), stub = UALIAS(user_exit_stub);
	CHECK_EQ(run_user((long (*)(long))UALIAS(u_load), VA(5) + 8, usp, stub), 0xabcUL);
	CHECK_EQ(run_user((long (*)(long))UALIAS(u_store), VA(5) + 16, usp, stub), 1);
	CHECK_EQ(pages[2][16], 0x5a);
	CHECK_EQ(run_user((long (*)(long))UALIAS(u_call), VA(9), usp, stub), 77);
	struct trap_record t;
	long r = 0;
	t = EXPECT_TRAP(r = run_user((long (*)(long))UALIAS(u_load), VA(0), usp, stub));
	expect_fault("U load of S page", t, CAUSE_LOAD_PAGE_FAULT, VA(0), __LINE__);
	t = EXPECT_TRAP(r = run_user((long (*)(long))UALIAS(u_store), VA(1), usp, stub));
	expect_fault("U store to S page", t, CAUSE_STORE_PAGE_FAULT, VA(1), __LINE__);
	t = EXPECT_TRAP(r = run_user((long (*)(long))UALIAS(u_call), VA(2), usp, stub));
	expect_fault("U fetch of S page", t, CAUSE_FETCH_PAGE_FAULT, VA(2), __LINE__);
	t = EXPECT_TRAP(r = run_user((long (*)(long))UALIAS(u_load), 0x80200000UL, usp, stub));
	expect_fault("U load of kernel", t, CAUSE_LOAD_PAGE_FAULT, 0x80200000UL, __LINE__);
	(void)r;

	puts("[accessed-dirty]");
	CHECK_EQ(l0[6] & PTE_AD, 0);
	v = LOAD64(VA(6));
	CHECK_EQ(l0[6] & PTE_AD, PTE_A);      /* the load set A only */
	STORE64(VA(6), 7);
	CHECK_EQ(l0[6] & PTE_AD, PTE_AD);     /* the store set D */
	CHECK_EQ(*(volatile uint64_t *)pages[3], 7);

	puts("[sfence.vma]");
	CHECK_EQ(LOAD64(VA(8)), 0x4444);
	l0[8] = PTE(pages[5], PTE_V | PTE_R | PTE_W | PTE_AD);
	asm volatile("sfence.vma %0, zero" :: "r"(VA(8)) : "memory");
	CHECK_EQ(LOAD64(VA(8)), 0x5555);
	l0[8] = 0;
	sfence_vma_all();
	EXPECT_FAULT("unmapped after sfence", v = LOAD64(VA(8)), CAUSE_LOAD_PAGE_FAULT, VA(8));
	l0[8] = PTE(pages[4], PTE_V | PTE_R | PTE_W | PTE_AD);
	asm volatile("sfence.vma zero, zero" ::: "memory");
	CHECK_EQ(LOAD64(VA(8)), 0x4444);
	struct sbiret sr = sbi_remote_sfence_vma(1UL << current_hartid(), 0, VA(8), 4096);
	CHECK_EQ(sr.error, 0);

	csr_write(satp, 0);
	sfence_vma_all();
	puts("paging off");
	CHECK_EQ(*(volatile uint64_t *)pages[3], 7);
	test_done("paging");
}
