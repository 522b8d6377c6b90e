/* guest.h - the bare-metal support library of the Jailhouse Lab guest programs.
 *
 * Board contract (see /work/shared/spec/board.md): S-mode, linked at 0x80200000, entered on the boot hart
 * with a0 = hart id, a1 = DTB; other harts are STOPPED until sbi_hart_start().  Output through the polled
 * NS16550A UART0, end through the SiFive test finisher.  Everything else through SBI (sbi.h). */
#ifndef GUEST_H
#define GUEST_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>

#define GUEST_MAX_HARTS 8

#define UART0_BASE    0x10000000UL
#define FINISHER_BASE 0x00100000UL

/* The runtime writes this marker to the UART once, before main() (see test/support/qemu.ts). */
#define GUEST_OUTPUT_MARKER "\x1b[0m"

#define NORETURN __attribute__((noreturn))
#define NOINLINE __attribute__((noinline))
#define ALIGNED(n) __attribute__((aligned(n)))

/* ---- CSR access ---- */
#define csr_read(csr) ({ unsigned long __v; asm volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ asm volatile("csrw " #csr ", %0" :: "rK"((unsigned long)(val)) : "memory"); })
#define csr_set(csr, val) ({ asm volatile("csrs " #csr ", %0" :: "rK"((unsigned long)(val)) : "memory"); })
#define csr_clear(csr, val) ({ asm volatile("csrc " #csr ", %0" :: "rK"((unsigned long)(val)) : "memory"); })
#define csr_swap(csr, val) ({ unsigned long __v = (unsigned long)(val); \
	asm volatile("csrrw %0, " #csr ", %0" : "+r"(__v) :: "memory"); __v; })

#define SSTATUS_SIE  (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP  (1UL << 8)
#define SSTATUS_SUM  (1UL << 18)
#define SSTATUS_MXR  (1UL << 19)

#define IRQ_S_SOFT  1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT   9
#define SIE_SSIE (1UL << IRQ_S_SOFT)
#define SIE_STIE (1UL << IRQ_S_TIMER)
#define SIE_SEIE (1UL << IRQ_S_EXT)
#define SIP_SSIP SIE_SSIE
#define SIP_STIP SIE_STIE

#define CAUSE_INTERRUPT (1UL << 63)
enum {
	CAUSE_MISALIGNED_FETCH = 0, CAUSE_FETCH_ACCESS = 1, CAUSE_ILLEGAL_INSN = 2, CAUSE_BREAKPOINT = 3,
	CAUSE_MISALIGNED_LOAD = 4, CAUSE_LOAD_ACCESS = 5, CAUSE_MISALIGNED_STORE = 6, CAUSE_STORE_ACCESS = 7,
	CAUSE_USER_ECALL = 8, CAUSE_SUPERVISOR_ECALL = 9, CAUSE_FETCH_PAGE_FAULT = 12,
	CAUSE_LOAD_PAGE_FAULT = 13, CAUSE_STORE_PAGE_FAULT = 15,
};

static inline unsigned long current_hartid(void)
{
	unsigned long tp;
	asm volatile("mv %0, tp" : "=r"(tp)); /* the runtime keeps the hart id in tp */
	return tp;
}
static inline unsigned long read_time(void) { unsigned long t; asm volatile("rdtime %0" : "=r"(t)); return t; }
static inline void fence_i(void) { asm volatile("fence.i" ::: "memory"); }
static inline void sfence_vma_all(void) { asm volatile("sfence.vma" ::: "memory"); }
static inline void cpu_relax(void) { asm volatile("nop" ::: "memory"); }

/* ---- the reference machine ----
 * Nonzero when running under OpenSBI (SBI implementation id 1), i.e. on QEMU 7.2 + OpenSBI 1.1, the
 * reference.  Tests use it for the few places where QEMU 7.2 deviates from the specification (each use
 * is commented); on the lab the specified behaviour is required. */
int on_reference_qemu(void);

/* ---- runtime (start.S) ---- */
extern unsigned long boot_hartid;          /* hart that entered _start */
extern unsigned long boot_dtb;             /* a1 at entry */
extern char _end[], __bss_start[], __bss_end[];
int main(unsigned long hartid, unsigned long dtb);
/* Entry point for sbi_hart_start(hart, (unsigned long)secondary_entry, (unsigned long)fn): sets up the
 * hart's stack, tp and stvec, calls fn(hartid), then stops the hart (sbi_hart_stop) when fn returns. */
void secondary_entry(void);
/* Start hart `hart` running fn(hartid) on its own stack. Returns the SBI error code. */
long start_hart(unsigned long hart, void (*fn)(unsigned long hartid));

/* ---- UART and formatted output (uart.c, printf.c) ---- */
void uart_putc(char c);
void uart_drain(void);                     /* waits until every byte has been sent */
int uart_getc(void);                       /* -1 when no byte is waiting */
void putchar_raw(char c);
int putchar(int c);
int puts(const char *s);                   /* writes s and "\n" */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
/* Serialises whole printf() calls between harts (a spinlock around the UART); on by default. */

/* ---- finisher (finish.c) ---- */
NORETURN void finish_pass(void);
NORETURN void finish_fail(unsigned code);  /* code 0 is reported as 1 */

/* ---- string.c ---- */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* ---- spinlock ---- */
typedef struct { volatile int locked; } spinlock_t;
static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			cpu_relax();
}
static inline void spin_unlock(spinlock_t *l) { __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE); }

#include "sbi.h"
#include "trap.h"
#include "test.h"

#endif
