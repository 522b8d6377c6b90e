/* inmate_start.S - entry of a lab inmate: a0 = hart id, paging off, S-mode, at GPA 0. */
	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	csrw	sie, zero
	csrci	sstatus, 2
	lla	t0, inmate_trap
	csrw	stvec, t0
	mv	tp, a0
	lla	sp, __stack_top
	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	call	inmate_main
3:	wfi
	j	3b

	.text
	.align 2
	/* traps: caller-saved registers are kept, inmate_trap_handler(scause, sepc, stval) decides: 0 resumes
	 * (interrupts), anything else halts the hart (an exception inside the inmate itself; second-stage
	 * violations never get here, the hypervisor handles them) */
inmate_trap:
	addi	sp, sp, -128
	sd	ra, 0(sp)
	sd	t0, 8(sp)
	sd	t1, 16(sp)
	sd	t2, 24(sp)
	sd	a0, 32(sp)
	sd	a1, 40(sp)
	sd	a2, 48(sp)
	sd	a3, 56(sp)
	sd	a4, 64(sp)
	sd	a5, 72(sp)
	sd	a6, 80(sp)
	sd	a7, 88(sp)
	sd	t3, 96(sp)
	sd	t4, 104(sp)
	sd	t5, 112(sp)
	sd	t6, 120(sp)
	csrr	a0, scause
	csrr	a1, sepc
	csrr	a2, stval
	call	inmate_trap_handler
	bnez	a0, 4f
	ld	ra, 0(sp)
	ld	t0, 8(sp)
	ld	t1, 16(sp)
	ld	t2, 24(sp)
	ld	a0, 32(sp)
	ld	a1, 40(sp)
	ld	a2, 48(sp)
	ld	a3, 56(sp)
	ld	a4, 64(sp)
	ld	a5, 72(sp)
	ld	a6, 80(sp)
	ld	a7, 88(sp)
	ld	t3, 96(sp)
	ld	t4, 104(sp)
	ld	t5, 112(sp)
	ld	t6, 120(sp)
	addi	sp, sp, 128
	sret
4:	wfi
	j	4b
	.option pop

	.section .cmdline, "aw"
	.globl cmdline
cmdline:
	.zero 256
