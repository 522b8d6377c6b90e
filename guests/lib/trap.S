/* trap.S - S-mode trap entry/exit, the vectored trap table and run_user (see trap.h). */
#define FRAME_SIZE (36 * 8)
#define F_SEPC    (32 * 8)
#define F_SSTATUS (33 * 8)
#define F_SCAUSE  (34 * 8)
#define F_STVAL   (35 * 8)
#define SSTATUS_SPP 0x100

	.option push
	.option norelax
	.text
	.globl trap_entry
	.align 6
trap_entry:
	csrrw	sp, sscratch, sp        /* sscratch != 0: we came from U-mode and sp is now the S stack */
	bnez	sp, 1f
	csrrw	sp, sscratch, sp        /* from S-mode: back to the interrupted sp, sscratch = 0 again */
1:	addi	sp, sp, -FRAME_SIZE
	sd	x1, 1*8(sp)
	sd	x3, 3*8(sp)
	sd	x4, 4*8(sp)
	sd	x5, 5*8(sp)
	sd	x6, 6*8(sp)
	sd	x7, 7*8(sp)
	sd	x8, 8*8(sp)
	sd	x9, 9*8(sp)
	sd	x10, 10*8(sp)
	sd	x11, 11*8(sp)
	sd	x12, 12*8(sp)
	sd	x13, 13*8(sp)
	sd	x14, 14*8(sp)
	sd	x15, 15*8(sp)
	sd	x16, 16*8(sp)
	sd	x17, 17*8(sp)
	sd	x18, 18*8(sp)
	sd	x19, 19*8(sp)
	sd	x20, 20*8(sp)
	sd	x21, 21*8(sp)
	sd	x22, 22*8(sp)
	sd	x23, 23*8(sp)
	sd	x24, 24*8(sp)
	sd	x25, 25*8(sp)
	sd	x26, 26*8(sp)
	sd	x27, 27*8(sp)
	sd	x28, 28*8(sp)
	sd	x29, 29*8(sp)
	sd	x30, 30*8(sp)
	sd	x31, 31*8(sp)
	csrrw	t0, sscratch, zero      /* from U: the user sp; from S: 0 */
	bnez	t0, 2f
	addi	t0, sp, FRAME_SIZE      /* from S: the interrupted sp */
2:	sd	t0, 2*8(sp)
	csrr	t0, sepc
	sd	t0, F_SEPC(sp)
	csrr	t0, sstatus
	sd	t0, F_SSTATUS(sp)
	csrr	t0, scause
	sd	t0, F_SCAUSE(sp)
	csrr	t0, stval
	sd	t0, F_STVAL(sp)
	mv	a0, sp
	call	trap_handler

	ld	t0, F_SEPC(sp)
	csrw	sepc, t0
	ld	t0, F_SSTATUS(sp)
	csrw	sstatus, t0
	andi	t0, t0, SSTATUS_SPP
	bnez	t0, 3f
	addi	t0, sp, FRAME_SIZE      /* returning to U: sscratch = S stack for the next trap */
	csrw	sscratch, t0
3:	ld	x1, 1*8(sp)
	ld	x3, 3*8(sp)
	ld	x4, 4*8(sp)
	ld	x5, 5*8(sp)
	ld	x6, 6*8(sp)
	ld	x7, 7*8(sp)
	ld	x8, 8*8(sp)
	ld	x9, 9*8(sp)
	ld	x10, 10*8(sp)
	ld	x11, 11*8(sp)
	ld	x12, 12*8(sp)
	ld	x13, 13*8(sp)
	ld	x14, 14*8(sp)
	ld	x15, 15*8(sp)
	ld	x16, 16*8(sp)
	ld	x17, 17*8(sp)
	ld	x18, 18*8(sp)
	ld	x19, 19*8(sp)
	ld	x20, 20*8(sp)
	ld	x21, 21*8(sp)
	ld	x22, 22*8(sp)
	ld	x23, 23*8(sp)
	ld	x24, 24*8(sp)
	ld	x25, 25*8(sp)
	ld	x26, 26*8(sp)
	ld	x27, 27*8(sp)
	ld	x28, 28*8(sp)
	ld	x29, 29*8(sp)
	ld	x30, 30*8(sp)
	ld	x31, 31*8(sp)
	ld	x2, 2*8(sp)
	sret

/* Vectored mode: stvec = trap_vector_table | 1.  Exceptions enter slot 0, interrupt `cause` enters slot
 * `cause`.  Each slot records its number in trap_last_vector and continues at trap_entry.  The stubs push
 * on the current sp, so use vectored mode only while traps come from S-mode. */
	.align 8
	.globl trap_vector_table
trap_vector_table:
	.option push
	.option norvc
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	j	vec_stub_\n
	.endr
	.option pop
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
vec_stub_\n:
	addi	sp, sp, -16
	sd	t0, 0(sp)
	sd	t1, 8(sp)
	li	t0, \n
	lla	t1, trap_last_vector
	sd	t0, 0(t1)
	ld	t1, 8(sp)
	ld	t0, 0(sp)
	addi	sp, sp, 16
	j	trap_entry
	.endr

/* long run_user(fn, arg, user_sp, exit_stub) */
	.globl run_user
run_user:
	addi	sp, sp, -112
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	sd	s2, 24(sp)
	sd	s3, 32(sp)
	sd	s4, 40(sp)
	sd	s5, 48(sp)
	sd	s6, 56(sp)
	sd	s7, 64(sp)
	sd	s8, 72(sp)
	sd	s9, 80(sp)
	sd	s10, 88(sp)
	sd	s11, 96(sp)
	csrr	t0, sstatus
	sd	t0, 104(sp)
	lla	t0, run_user_saved_sp
	sd	sp, 0(t0)
	csrw	sepc, a0
	li	t0, SSTATUS_SPP
	csrc	sstatus, t0
	csrw	sscratch, sp
	mv	ra, a3
	mv	a0, a1
	mv	sp, a2
	sret

	.globl run_user_return
run_user_return:                        /* trap_handler sends the user-exit ecall here, in S-mode */
	lla	t0, run_user_saved_sp
	ld	sp, 0(t0)
	ld	t0, 104(sp)
	csrw	sstatus, t0
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	ld	s2, 24(sp)
	ld	s3, 32(sp)
	ld	s4, 40(sp)
	ld	s5, 48(sp)
	ld	s6, 56(sp)
	ld	s7, 64(sp)
	ld	s8, 72(sp)
	ld	s9, 80(sp)
	ld	s10, 88(sp)
	ld	s11, 96(sp)
	addi	sp, sp, 112
	ret

	.align 4
	.globl user_exit_stub
user_exit_stub:
	li	a7, 0x5553455245584954   /* USER_EXIT_MAGIC */
	ecall
1:	j	1b
	.option pop

	.data
	.align 3
run_user_saved_sp:	.dword 0
