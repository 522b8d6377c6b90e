/* start.S - entry of every guest program.
 *
 * _start (boot hart, a0 = hart id, a1 = DTB): interrupts off, stvec = trap_entry, sscratch = 0,
 * tp = hart id, sp = top of this hart's stack, clear .bss, emit the output marker, main(hartid, dtb),
 * then finish: main's return value 0 = pass, otherwise fail with that code.
 *
 * secondary_entry (a hart started with sbi_hart_start(hart, secondary_entry, fn)): same per-hart setup,
 * then fn(hartid); if fn returns the hart stops itself with sbi_hart_stop. */
#define STACK_SHIFT 14      /* 16 KiB per hart, see guest.ld */
#define MAX_HARTS 8

.macro hart_setup
	/* every hart: interrupts off, our trap vector, tp = hart id (a0), its own stack */
	csrw	sie, zero
	csrci	sstatus, 2
	csrw	sscratch, zero
	lla	t0, trap_entry
	csrw	stvec, t0
	li	t0, MAX_HARTS
	bgeu	a0, t0, .Lbad_hart
	mv	tp, a0
	addi	t1, a0, 1
	slli	t1, t1, STACK_SHIFT
	lla	sp, __stacks_start
	add	sp, sp, t1
.endm

	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	hart_setup
	mv	s0, a0
	mv	s1, a1
	/* clear .bss (16-byte aligned on both ends) */
	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	sd	zero, 8(t0)
	addi	t0, t0, 16
	j	1b
2:	lla	t0, boot_hartid
	sd	s0, 0(t0)
	lla	t0, boot_dtb
	sd	s1, 0(t0)
	call	runtime_init
	mv	a0, s0
	mv	a1, s1
	call	main
	beqz	a0, 3f
	call	finish_fail
3:	call	finish_pass

.Lbad_hart:	/* hart id beyond the stacks reserved in guest.ld: fail with code 0x7e */
	li	t0, 0x100000
	li	t1, (0x7e << 16) | 0x3333
	sw	t1, 0(t0)
4:	wfi
	j	4b

	.text
	.globl secondary_entry
	.align 2
secondary_entry:
	hart_setup
	jalr	a1
	/* fn returned: stop this hart (sbi_hart_stop does not return on success) */
5:	li	a7, 0x48534D
	li	a6, 1
	ecall
	j	5b
	.option pop

	.data
	.align 3
	.globl boot_hartid, boot_dtb
boot_hartid:	.dword -1
boot_dtb:	.dword 0
