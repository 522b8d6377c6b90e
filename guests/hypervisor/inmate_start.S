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
	/* an exception inside the inmate itself: report and halt (the hypervisor handles second-stage
	 * violations before they get here) */
inmate_trap:
	csrr	a0, scause
	csrr	a1, sepc
	csrr	a2, stval
	call	inmate_trap_report
4:	wfi
	j	4b
	.option pop

	.section .cmdline, "aw"
	.globl cmdline
cmdline:
	.zero 256
