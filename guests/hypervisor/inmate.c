/* inmate.c - the lab's test inmate: a well-behaved bare-metal cell whose command line (loaded at 0x100)
 * turns it into a hostile one. It checks its comm region like Jailhouse's inmate library, prints through
 * DEBUG_CONSOLE_PUTC, then runs the words of its command line in order:
 *
 *   hello                print "hello from CPU n"
 *   w32 ADDR VAL | w8 ADDR VAL | r32 ADDR | r8 ADDR | x ADDR   access guest-physical memory (hex)
 *   w32u ADDR VAL        a 32-bit store at any (e.g. page-crossing) address
 *   amo ADDR | lr ADDR | sc ADDR VAL   amoadd.w 1 / lr.w / sc.w (prints the old value / the SC result)
 *   ipi HART             SBI send_ipi to one hart (prints the SBI error)
 *   ipi-all              send_ipi with hart_mask_base -1 (every hart the caller may address), prints the
 *                        SBI error and whether this hart's SSIP became pending (then clears it)
 *   ipi-legacy MASK      legacy send_ipi (EID 0x04) with a pointer to MASK (0: a null pointer, all harts)
 *   smash                overwrite the first instruction of its own trap handler with zeros, then ebreak:
 *                        every trap now faults at the handler (a stuck hart)
 *   hstart HART | hstop | hstatus HART    SBI HSM
 *   hc CODE ARG0 ARG1    a raw hypercall (prints the result)
 *   plic-enable SRC      set SRC in this hart's S-context enable bits (PLIC at 0xc000000), read back
 *   plic-prio SRC VAL    write a source priority, read back
 *   lock | unlock        cell_state RUNNING_LOCKED (shutdown requests are then denied) / RUNNING
 *   deny | approve | ignore   how to answer shutdown requests (default approve)
 *   srst                 SBI system reset (shuts this cell down)
 *   uart-irq             take UART2's THR-empty interrupt (source 14) through the PLIC, print "irq 14"
 *   wait TICKS           busy-wait TICKS (hex) of the time CSR, answering messages meanwhile
 *   done                 print "done" and serve messages forever (also the implicit end)
 * Every result line is "<word>: <value>". */
#include <stddef.h>
#include <stdarg.h>
#include "jailhouse.h"

#define COMM ((struct jailhouse_comm_region *)0x100000UL)
#define PLIC 0xc000000UL

extern char cmdline[];
int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);

static int console_ok;
static int answer = JAILHOUSE_MSG_REQUEST_APPROVED;
static int ignore_messages;
static unsigned long my_hart;

/* printf.c of the support library writes through uart_putc: an inmate has no UART, it uses the
 * hypervisor's virtual console. */
void uart_putc(char c)
{
	if (console_ok)
		jailhouse_call(JAILHOUSE_HC_DEBUG_CONSOLE_PUTC, (unsigned char)c, 0);
}

static void print(const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)
		uart_putc(*p);
}

#define UART2 0x10102000UL
static volatile unsigned long irqs;

/* The S-mode context of this hart on the PLIC (the lab's hart_to_context: 2h + 1). */
static unsigned long plic_context(void) { return 2 * my_hart + 1; }

int inmate_trap_handler(unsigned long cause, unsigned long epc, unsigned long tval)
{
	if ((long)cause < 0 && (cause & 0xff) == 9) { /* external interrupt: claim, quiet UART2, complete */
		volatile unsigned int *claim = (volatile unsigned int *)(PLIC + 0x200004 + 0x1000 * plic_context());
		unsigned int src = *claim;
		*(volatile unsigned char *)(UART2 + 1) = 0; /* IER: no more THR-empty interrupts */
		*claim = src;
		irqs++;
		print("irq %u\n", src);
		return 0;
	}
	print("trap: cause %lu epc 0x%lx tval 0x%lx\n", cause, epc, tval);
	return 1;
}

static long sbi(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1, unsigned long *value)
{
	register unsigned long r0 asm("a0") = a0;
	register unsigned long r1 asm("a1") = a1;
	register unsigned long r2 asm("a2") = 0;
	register unsigned long r6 asm("a6") = fid;
	register unsigned long r7 asm("a7") = eid;
	asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	if (value)
		*value = r1;
	return (long)r0;
}

/* Reports the SBI result and whether the IPI reached this hart (SSIP pending), then clears SSIP. */
static void ipi_report(const char *what, long e)
{
	unsigned long sip;
	asm volatile("csrr %0, sip" : "=r"(sip));
	asm volatile("csrc sip, %0" :: "r"(2UL));
	print("%s: %ld self %lu\n", what, e, (sip >> 1) & 1);
}

static void serve_messages(void)
{
	unsigned int msg = COMM->msg_to_cell;
	if (msg == JAILHOUSE_MSG_NONE || ignore_messages)
		return;
	COMM->msg_to_cell = JAILHOUSE_MSG_NONE;
	if (msg == JAILHOUSE_MSG_SHUTDOWN_REQUEST) {
		if (COMM->cell_state == JAILHOUSE_CELL_RUNNING_LOCKED)
			answer = JAILHOUSE_MSG_REQUEST_DENIED; /* a locked cell refuses, as the inmate library does */
		print("shutdown request: %s\n", answer == JAILHOUSE_MSG_REQUEST_APPROVED ? "approved" : "denied");
		if (answer == JAILHOUSE_MSG_REQUEST_APPROVED)
			COMM->cell_state = JAILHOUSE_CELL_SHUT_DOWN;
		COMM->reply_from_cell = answer;
	} else if (msg == JAILHOUSE_MSG_RECONFIG_COMPLETED) {
		COMM->reply_from_cell = JAILHOUSE_MSG_RECEIVED;
	} else {
		COMM->reply_from_cell = JAILHOUSE_MSG_UNKNOWN;
	}
}

static unsigned long hex(const char *s)
{
	unsigned long v = 0;
	if (s[0] == '0' && s[1] == 'x')
		s += 2;
	for (; *s; s++)
		v = v * 16 + (*s >= 'a' ? *s - 'a' + 10 : *s - '0');
	return v;
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

void inmate_main(unsigned long hartid)
{
	my_hart = hartid;
	if (COMM->signature[0] != 'J' || COMM->signature[5] != 'M' || COMM->revision != 2) {
		COMM->cell_state = JAILHOUSE_CELL_FAILED_COMM_REV;
		for (;;)
			asm volatile("wfi");
	}
	console_ok = (COMM->flags & JAILHOUSE_COMM_FLAG_DBG_PUTC_ACTIVE) != 0;

	/* split a copy: the loaded command line must survive a restart of the cell */
	static char line[256];
	for (int i = 0; i < 255 && cmdline[i]; i++)
		line[i] = cmdline[i];
	char *argv[64];
	int argc = 0;
	for (char *s = line; *s && argc < 64;) {
		while (*s == ' ')
			*s++ = 0;
		if (*s)
			argv[argc++] = s;
		while (*s && *s != ' ')
			s++;
	}
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		const char *a1 = i + 1 < argc ? argv[i + 1] : "0";
		const char *a2 = i + 2 < argc ? argv[i + 2] : "0";
		const char *a3 = i + 3 < argc ? argv[i + 3] : "0";
		unsigned long v = 0;
		serve_messages();
		if (streq(w, "hello")) {
			print("hello from CPU %lu\n", hartid);
		} else if (streq(w, "w32")) {
			print("w32: writing\n");
			*(volatile unsigned int *)hex(a1) = (unsigned int)hex(a2);
			print("w32: done\n");
			i += 2;
		} else if (streq(w, "w8")) {
			print("w8: writing\n");
			*(volatile unsigned char *)hex(a1) = (unsigned char)hex(a2);
			print("w8: done\n");
			i += 2;
		} else if (streq(w, "w32u")) {
			print("w32u: writing\n");
			asm volatile("sw %1, 0(%0)" :: "r"(hex(a1)), "r"(hex(a2)) : "memory");
			print("w32u: done\n");
			i += 2;
		} else if (streq(w, "amo")) {
			unsigned long old;
			asm volatile("amoadd.w %0, %2, (%1)" : "=r"(old) : "r"(hex(a1)), "r"(1UL) : "memory");
			print("amo: 0x%lx\n", old);
			i += 1;
		} else if (streq(w, "lr")) {
			unsigned long old;
			asm volatile("lr.w %0, (%1)" : "=r"(old) : "r"(hex(a1)) : "memory");
			print("lr: 0x%lx\n", old);
			i += 1;
		} else if (streq(w, "sc")) {
			unsigned long fail;
			asm volatile("sc.w %0, %2, (%1)" : "=r"(fail) : "r"(hex(a1)), "r"(hex(a2)) : "memory");
			print("sc: %lu\n", fail);
			i += 2;
		} else if (streq(w, "ipi-all")) {
			ipi_report("ipi-all", sbi(0x735049, 0, 0, -1UL, 0));
		} else if (streq(w, "ipi-legacy")) {
			static unsigned long mask;
			mask = hex(a1);
			register unsigned long r0 asm("a0") = mask ? (unsigned long)&mask : 0;
			register unsigned long r7 asm("a7") = 0x04;
			asm volatile("ecall" : "+r"(r0) : "r"(r7) : "memory", "a1");
			ipi_report("ipi-legacy", (long)r0);
			i += 1;
		} else if (streq(w, "smash")) {
			unsigned long vec;
			asm volatile("csrr %0, stvec" : "=r"(vec));
			print("smash: 0x%lx\n", vec & ~3UL);
			*(volatile unsigned int *)(vec & ~3UL) = 0;
			asm volatile("fence.i; ebreak" ::: "memory");
			print("smash: survived\n");
		} else if (streq(w, "r32")) {
			print("r32: 0x%x\n", *(volatile unsigned int *)hex(a1));
			i += 1;
		} else if (streq(w, "r8")) {
			print("r8: 0x%x\n", *(volatile unsigned char *)hex(a1));
			i += 1;
		} else if (streq(w, "x")) {
			print("x: jumping\n");
			((void (*)(void))hex(a1))();
			print("x: returned\n");
			i += 1;
		} else if (streq(w, "ipi")) {
			print("ipi: %ld\n", sbi(0x735049, 0, 1, hex(a1), 0));
			i += 1;
		} else if (streq(w, "hstart")) {
			print("hstart: %ld\n", sbi(0x48534D, 0, hex(a1), 0, 0));
			i += 1;
		} else if (streq(w, "hstatus")) {
			long e = sbi(0x48534D, 2, hex(a1), 0, &v);
			print("hstatus: %ld %lu\n", e, v);
			i += 1;
		} else if (streq(w, "hc")) {
			print("hc: %ld\n", jailhouse_call(hex(a1), hex(a2), hex(a3)));
			i += 3;
		} else if (streq(w, "plic-enable")) {
			unsigned long src = hex(a1);
			volatile unsigned int *en = (volatile unsigned int *)(PLIC + 0x2000 + 0x80 * (2 * hartid + 1) + (src / 32) * 4);
			*en = *en | (1u << (src % 32));
			print("plic-enable: 0x%x\n", *en);
			i += 1;
		} else if (streq(w, "plic-prio")) {
			volatile unsigned int *prio = (volatile unsigned int *)(PLIC + 4 * hex(a1));
			*prio = (unsigned int)hex(a2);
			print("plic-prio: %u\n", *prio);
			i += 2;
		} else if (streq(w, "lock")) {
			COMM->cell_state = JAILHOUSE_CELL_RUNNING_LOCKED;
			print("lock: ok\n");
		} else if (streq(w, "unlock")) {
			COMM->cell_state = JAILHOUSE_CELL_RUNNING;
			print("unlock: ok\n");
		} else if (streq(w, "deny")) {
			answer = JAILHOUSE_MSG_REQUEST_DENIED;
		} else if (streq(w, "approve")) {
			answer = JAILHOUSE_MSG_REQUEST_APPROVED;
		} else if (streq(w, "ignore")) {
			ignore_messages = 1;
		} else if (streq(w, "srst")) {
			print("srst: %ld\n", sbi(0x53525354, 0, 0, 0, 0));
		} else if (streq(w, "uart-irq")) {
			*(volatile unsigned int *)(PLIC + 4 * 14) = 1;
			volatile unsigned int *en = (volatile unsigned int *)(PLIC + 0x2000 + 0x80 * plic_context());
			*en = *en | (1u << 14);
			*(volatile unsigned int *)(PLIC + 0x200000 + 0x1000 * plic_context()) = 0;
			asm volatile("csrs sie, %0" :: "r"(1UL << 9));
			asm volatile("csrsi sstatus, 2");
			*(volatile unsigned char *)(UART2 + 1) = 2; /* IER: THR empty */
			for (unsigned long n = 0; n < 100000 && !irqs; n++)
				asm volatile("nop");
			asm volatile("csrci sstatus, 2");
			print("uart-irq: %lu\n", irqs);
		} else if (streq(w, "wait")) {
			unsigned long t0, t;
			asm volatile("rdtime %0" : "=r"(t0));
			do {
				serve_messages();
				asm volatile("rdtime %0" : "=r"(t));
			} while (t - t0 < hex(a1));
			i += 1;
		} else if (streq(w, "done")) {
			break;
		} else {
			print("unknown word %s\n", w);
		}
	}
	print("done\n");
	for (;;)
		serve_messages();
}
