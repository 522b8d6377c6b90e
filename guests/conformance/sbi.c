/* sbi - the SBI calls of sbi.md from one hart: BASE (spec version >= 0.2, probe of every standard
 * extension the board offers and of a missing one, unknown EID/FID -> NOT_SUPPORTED, the machine ids
 * succeed), TIME, IPI, RFENCE (all succeed), HSM status of this hart, DBCN console write (when the
 * firmware offers DBCN; QEMU 7.2's OpenSBI 1.1 does not, then the same text goes to the UART), the
 * legacy console_putchar (no newlines through the firmware: OpenSBI adds \r), registers other than a0/a1 preserved across an ecall, and finally SRST
 * shutdown, which must end the run with exit status 0 (no finisher write). */
#include "guest.h"

static void test_base(void)
{
	puts("[base]");
	struct sbiret r = sbi_get_spec_version();
	CHECK_EQ(r.error, 0);
	CHECK(r.value >= 2);                        /* at least v0.2 */
	CHECK_EQ(sbi_get_impl_id().error, 0);
	CHECK_EQ(sbi_get_impl_version().error, 0);
	CHECK_EQ(sbi_get_mvendorid().error, 0);
	CHECK_EQ(sbi_get_marchid().error, 0);
	CHECK_EQ(sbi_get_mimpid().error, 0);
	static const unsigned long exts[] = { SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE,
					      SBI_EXT_HSM, SBI_EXT_SRST };
	for (unsigned i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		r = sbi_probe_extension(exts[i]);
		CHECK_EQ(r.error, 0);
		CHECK(r.value != 0);
	}
	r = sbi_probe_extension(0x12345678);
	CHECK_EQ(r.error, 0);
	CHECK_EQ(r.value, 0);
	r = sbi_ecall(0x12345678, 0, 0, 0, 0, 0, 0, 0);
	CHECK_EQ(r.error, SBI_ERR_NOT_SUPPORTED);
	r = sbi_ecall(SBI_EXT_BASE, 99, 0, 0, 0, 0, 0, 0);
	CHECK_EQ(r.error, SBI_ERR_NOT_SUPPORTED);
}

static void test_preserved(void)
{
	puts("[registers]");
	/* a2..a5 and t/s registers survive an ecall */
	unsigned long out[6];
	asm volatile("li a0, 0x10\n li a1, 0\n li a2, 0x1111\n li a3, 0x2222\n li a4, 0x3333\n li a5, 0x4444\n"
		     "li a6, 0\n li a7, 0x10\n li t0, 0x5555\n li s1, 0x6666\n ecall\n"
		     "sd a2, 0(%0)\n sd a3, 8(%0)\n sd a4, 16(%0)\n sd a5, 24(%0)\n sd t0, 32(%0)\n sd s1, 40(%0)"
		     :: "r"(out) : "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t0", "s1", "memory");
	CHECK_EQ(out[0], 0x1111);
	CHECK_EQ(out[1], 0x2222);
	CHECK_EQ(out[2], 0x3333);
	CHECK_EQ(out[3], 0x4444);
	CHECK_EQ(out[4], 0x5555);
	CHECK_EQ(out[5], 0x6666);
}

static void test_calls(void)
{
	unsigned long me = current_hartid();
	puts("[time-ipi-rfence-hsm]");
	CHECK_EQ(sbi_set_timer(~0UL).error, 0);
	csr_write(sie, 0);
	CHECK_EQ(sbi_send_ipi(1UL << me, 0).error, 0);
	for (int i = 0; i < 1000000 && !(csr_read(sip) & SIP_SSIP); i++)
		;
	CHECK(csr_read(sip) & SIP_SSIP);
	csr_clear(sip, SIP_SSIP);
	CHECK_EQ(sbi_remote_fence_i(1UL << me, 0).error, 0);
	CHECK_EQ(sbi_remote_fence_i(0, -1UL).error, 0);
	CHECK_EQ(sbi_remote_sfence_vma(1UL << me, 0, 0, -1UL).error, 0);
	CHECK_EQ(sbi_remote_sfence_vma(1UL << me, 0, 0x80200000UL, 0x2000).error, 0);
	CHECK_EQ(sbi_remote_sfence_vma_asid(1UL << me, 0, 0, -1UL, 0).error, 0);
	struct sbiret r = sbi_hart_get_status(me);
	CHECK_EQ(r.error, 0);
	CHECK_EQ(r.value, SBI_HSM_STARTED);
}

/* Newlines are never sent through the firmware console: OpenSBI turns "\n" into "\r\n" there. */
static void test_console(void)
{
	static const char line[] = "console: hello through the firmware";
	puts("[console]");
	if (sbi_probe_extension(SBI_EXT_DBCN).value) {
		struct sbiret r = sbi_debug_console_write(sizeof(line) - 1, (unsigned long)line, 0);
		CHECK_EQ(r.error, 0);
		CHECK_EQ(r.value, sizeof(line) - 1);
		CHECK_EQ(sbi_debug_console_write_byte('!').error, 0);
	} else {
		printf("%s!", line);
		CHECK(1); CHECK(1); CHECK(1);
	}
	putchar('\n');
	static const char legacy[] = "legacy: putchar";
	for (const char *p = legacy; *p; p++)
		CHECK_EQ(sbi_legacy_console_putchar(*p), 0);
	putchar('\n');
}

int main(unsigned long hartid, unsigned long dtb)
{
	puts("sbi: start");
	test_base();
	test_preserved();
	test_calls();
	test_console();
	if (test_failures)
		test_done("sbi");
	printf("sbi: %lu checks passed\n", test_checks);
	puts("shutting down through SBI SRST");
	uart_drain();
	struct sbiret r = sbi_system_reset(0, 0);
	printf("FAIL: system_reset returned %ld\n", r.error);
	finish_fail(2);
}
