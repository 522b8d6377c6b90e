/* sbi.c - SBI ecall wrappers. */
#include "guest.h"

struct sbiret sbi_ecall(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1,
			unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)
{
	register unsigned long r0 asm("a0") = a0;
	register unsigned long r1 asm("a1") = a1;
	register unsigned long r2 asm("a2") = a2;
	register unsigned long r3 asm("a3") = a3;
	register unsigned long r4 asm("a4") = a4;
	register unsigned long r5 asm("a5") = a5;
	register unsigned long r6 asm("a6") = fid;
	register unsigned long r7 asm("a7") = eid;
	asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
		     : "memory");
	return (struct sbiret){ (long)r0, (long)r1 };
}

#define CALL0(e, f) sbi_ecall(e, f, 0, 0, 0, 0, 0, 0)

struct sbiret sbi_get_spec_version(void) { return CALL0(SBI_EXT_BASE, 0); }
struct sbiret sbi_get_impl_id(void) { return CALL0(SBI_EXT_BASE, 1); }
struct sbiret sbi_get_impl_version(void) { return CALL0(SBI_EXT_BASE, 2); }
struct sbiret sbi_probe_extension(long eid) { return sbi_ecall(SBI_EXT_BASE, 3, eid, 0, 0, 0, 0, 0); }
struct sbiret sbi_get_mvendorid(void) { return CALL0(SBI_EXT_BASE, 4); }
struct sbiret sbi_get_marchid(void) { return CALL0(SBI_EXT_BASE, 5); }
struct sbiret sbi_get_mimpid(void) { return CALL0(SBI_EXT_BASE, 6); }

struct sbiret sbi_set_timer(unsigned long t) { return sbi_ecall(SBI_EXT_TIME, 0, t, 0, 0, 0, 0, 0); }

struct sbiret sbi_send_ipi(unsigned long mask, unsigned long base)
{
	return sbi_ecall(SBI_EXT_IPI, 0, mask, base, 0, 0, 0, 0);
}

struct sbiret sbi_remote_fence_i(unsigned long mask, unsigned long base)
{
	return sbi_ecall(SBI_EXT_RFENCE, 0, mask, base, 0, 0, 0, 0);
}
struct sbiret sbi_remote_sfence_vma(unsigned long mask, unsigned long base, unsigned long start,
				    unsigned long size)
{
	return sbi_ecall(SBI_EXT_RFENCE, 1, mask, base, start, size, 0, 0);
}
struct sbiret sbi_remote_sfence_vma_asid(unsigned long mask, unsigned long base, unsigned long start,
					 unsigned long size, unsigned long asid)
{
	return sbi_ecall(SBI_EXT_RFENCE, 2, mask, base, start, size, asid, 0);
}

struct sbiret sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_HSM, 0, hartid, start_addr, opaque, 0, 0, 0);
}
struct sbiret sbi_hart_stop(void) { return CALL0(SBI_EXT_HSM, 1); }
struct sbiret sbi_hart_get_status(unsigned long hartid)
{
	return sbi_ecall(SBI_EXT_HSM, 2, hartid, 0, 0, 0, 0, 0);
}
struct sbiret sbi_hart_suspend(unsigned long type, unsigned long resume_addr, unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_HSM, 3, type, resume_addr, opaque, 0, 0, 0);
}

struct sbiret sbi_system_reset(unsigned long type, unsigned long reason)
{
	return sbi_ecall(SBI_EXT_SRST, 0, type, reason, 0, 0, 0, 0);
}

struct sbiret sbi_debug_console_write(unsigned long n, unsigned long lo, unsigned long hi)
{
	return sbi_ecall(SBI_EXT_DBCN, 0, n, lo, hi, 0, 0, 0);
}
struct sbiret sbi_debug_console_read(unsigned long n, unsigned long lo, unsigned long hi)
{
	return sbi_ecall(SBI_EXT_DBCN, 1, n, lo, hi, 0, 0, 0);
}
struct sbiret sbi_debug_console_write_byte(unsigned char b)
{
	return sbi_ecall(SBI_EXT_DBCN, 2, b, 0, 0, 0, 0, 0);
}

long sbi_legacy_set_timer(unsigned long t) { return sbi_ecall(0x00, 0, t, 0, 0, 0, 0, 0).error; }
long sbi_legacy_console_putchar(int ch) { return sbi_ecall(0x01, 0, (unsigned long)ch, 0, 0, 0, 0, 0).error; }
long sbi_legacy_console_getchar(void) { return sbi_ecall(0x02, 0, 0, 0, 0, 0, 0, 0).error; }
void sbi_legacy_shutdown(void) { sbi_ecall(0x08, 0, 0, 0, 0, 0, 0, 0); }

long sbi_jailhouse_call(unsigned long code, unsigned long arg0, unsigned long arg1)
{
	return sbi_ecall(SBI_EXT_JAILHOUSE, code, arg0, arg1, 0, 0, 0, 0).error;
}

long start_hart(unsigned long hart, void (*fn)(unsigned long hartid))
{
	return sbi_hart_start(hart, (unsigned long)secondary_entry, (unsigned long)fn).error;
}

int on_reference_qemu(void)
{
	static int cached = -1;
	if (cached < 0)
		cached = sbi_get_impl_id().value == 1;
	return cached;
}
