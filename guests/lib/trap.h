/* trap.h - S-mode trap handling.
 *
 * trap_entry (trap.S) saves all 31 registers plus sepc/sstatus/scause/stval in a struct trap_frame on the
 * S-mode stack and calls trap_handler(frame); whatever the handler leaves in the frame is restored (so a
 * handler may change sepc, sstatus or any register).  sscratch protocol: 0 while the hart runs in S-mode,
 * the S-mode stack pointer while it runs in U-mode (set by run_user).
 *
 * Order of handling in trap_handler():
 *   1. trap_hook (if set by the test) - return nonzero when it handled the trap;
 *   2. interrupts: counted in irq_count[hart][code]; the default action quiets the source
 *      (timer: sbi_set_timer(-1); software: clear sip.SSIP; external: clear sie.SEIE);
 *   3. ecall from U-mode with a7 == USER_EXIT_MAGIC: return from run_user();
 *   4. an exception while expecting one (EXPECT_TRAP): record it and resume after the faulting instruction
 *      (2 or 4 bytes, decoded from the instruction); instruction fetch faults resume at ra instead
 *      (so "call a bad address" returns to the caller);
 *   5. anything else: print "UNEXPECTED TRAP ..." and fail with exit code 0x7f. */
#ifndef TRAP_H
#define TRAP_H

struct trap_frame {
	unsigned long x[32];   /* x[0] unused, x[2] = sp at the trap */
	unsigned long sepc, sstatus, scause, stval;
};

struct trap_record {
	long count;            /* exceptions recorded since trap_expect_begin() */
	unsigned long scause, stval, sepc, sstatus;
};

typedef int (*trap_hook_t)(struct trap_frame *f);
extern trap_hook_t trap_hook;
extern volatile unsigned long irq_count[GUEST_MAX_HARTS][16];
extern volatile long trap_last_vector;         /* set by the vectored table: slot used (see below) */
extern char trap_entry[];                      /* direct mode entry */
extern char trap_vector_table[];               /* vectored mode: stvec = trap_vector_table | 1 */

void trap_expect_begin(void);
struct trap_record trap_expect_end(void);
/* Run a statement that is expected to trap; yields the struct trap_record (count 0 when it did not). */
#define EXPECT_TRAP(stmt) ({ trap_expect_begin(); stmt; trap_expect_end(); })

/* U-mode.  run_user() enters fn(arg) in U-mode through sret (sepc = fn, SPP = 0, the other sstatus bits
 * as the caller set them, sp = user_sp, ra = exit_stub) and returns fn's return value once the U-mode
 * code reaches exit_stub (an `ecall` with a7 = USER_EXIT_MAGIC).  user_exit_stub is that stub; pass its
 * address (or an alias of it that U-mode can execute under paging).  sstatus is restored on return;
 * user_exit_sstatus holds sstatus as seen by the trap that ended the U-mode run. Boot hart only. */
#define USER_EXIT_MAGIC 0x5553455245584954UL   /* "USEREXIT" */
long run_user(long (*fn)(long), long arg, unsigned long user_sp, unsigned long exit_stub);
extern char user_exit_stub[];
extern volatile unsigned long user_exit_sstatus;

void trap_handler(struct trap_frame *f);

#endif
