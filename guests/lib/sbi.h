/* sbi.h - SBI calls (see /work/shared/spec/sbi.md). Every wrapper returns struct sbiret {error, value}
 * unless noted. */
#ifndef SBI_H
#define SBI_H

struct sbiret {
	long error;
	long value;
};

#define SBI_SUCCESS             0
#define SBI_ERR_FAILED         -1
#define SBI_ERR_NOT_SUPPORTED  -2
#define SBI_ERR_INVALID_PARAM  -3
#define SBI_ERR_DENIED         -4
#define SBI_ERR_INVALID_ADDRESS -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED -7
#define SBI_ERR_ALREADY_STOPPED -8

#define SBI_EXT_BASE   0x10
#define SBI_EXT_TIME   0x54494D45
#define SBI_EXT_IPI    0x735049
#define SBI_EXT_RFENCE 0x52464E43
#define SBI_EXT_HSM    0x48534D
#define SBI_EXT_SRST   0x53525354
#define SBI_EXT_DBCN   0x4442434E
#define SBI_EXT_JAILHOUSE 0x4A484F55

#define SBI_HSM_STARTED       0
#define SBI_HSM_STOPPED       1
#define SBI_HSM_START_PENDING 2
#define SBI_HSM_STOP_PENDING  3
#define SBI_HSM_SUSPENDED     4

struct sbiret sbi_ecall(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1,
			unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);

/* BASE */
struct sbiret sbi_get_spec_version(void);
struct sbiret sbi_get_impl_id(void);
struct sbiret sbi_get_impl_version(void);
struct sbiret sbi_probe_extension(long eid);
struct sbiret sbi_get_mvendorid(void);
struct sbiret sbi_get_marchid(void);
struct sbiret sbi_get_mimpid(void);
/* TIME */
struct sbiret sbi_set_timer(unsigned long stime_value);
/* IPI */
struct sbiret sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
/* RFENCE */
struct sbiret sbi_remote_fence_i(unsigned long hart_mask, unsigned long hart_mask_base);
struct sbiret sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long hart_mask_base,
				    unsigned long start, unsigned long size);
struct sbiret sbi_remote_sfence_vma_asid(unsigned long hart_mask, unsigned long hart_mask_base,
					 unsigned long start, unsigned long size, unsigned long asid);
/* HSM */
struct sbiret sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque);
struct sbiret sbi_hart_stop(void);
struct sbiret sbi_hart_get_status(unsigned long hartid);
struct sbiret sbi_hart_suspend(unsigned long type, unsigned long resume_addr, unsigned long opaque);
/* SRST */
struct sbiret sbi_system_reset(unsigned long type, unsigned long reason);
/* DBCN */
struct sbiret sbi_debug_console_write(unsigned long num_bytes, unsigned long base_lo, unsigned long base_hi);
struct sbiret sbi_debug_console_read(unsigned long num_bytes, unsigned long base_lo, unsigned long base_hi);
struct sbiret sbi_debug_console_write_byte(unsigned char byte);
/* legacy extensions (return value in a0 only) */
long sbi_legacy_set_timer(unsigned long stime_value);
long sbi_legacy_console_putchar(int ch);
long sbi_legacy_console_getchar(void);
void sbi_legacy_shutdown(void);
/* Jailhouse hypercall: FID = code, a0/a1 = arguments, result in a0 */
long sbi_jailhouse_call(unsigned long code, unsigned long arg0, unsigned long arg1);

#endif
