/* void regs_roundtrip(const unsigned long before[32], unsigned long after[32])
 * Loads x1, x3..x30 from before[], x31 = before, executes ebreak (the test expects the trap and skips it),
 * then stores x1, x3..x31 into after[].  sp (x2) must come back unchanged for the function to return. */
	.text
	.globl regs_roundtrip
regs_roundtrip:
	addi	sp, sp, -128
	sd	ra, 0(sp)
	sd	gp, 8(sp)
	sd	tp, 16(sp)
	sd	s0, 24(sp)
	sd	s1, 32(sp)
	sd	s2, 40(sp)
	sd	s3, 48(sp)
	sd	s4, 56(sp)
	sd	s5, 64(sp)
	sd	s6, 72(sp)
	sd	s7, 80(sp)
	sd	s8, 88(sp)
	sd	s9, 96(sp)
	sd	s10, 104(sp)
	sd	s11, 112(sp)
	sd	a1, 120(sp)
	mv	x31, a0
	ld	x1, 8(x31)
	ld	x3, 24(x31)
	ld	x4, 32(x31)
	.irp n, 5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	ld	x\n, \n*8(x31)
	.endr
	ebreak
	addi	sp, sp, -16
	sd	x31, 0(sp)
	ld	x31, 136(sp)      /* after[] */
	sd	x1, 8(x31)
	sd	x3, 24(x31)
	sd	x4, 32(x31)
	.irp n, 5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	sd	x\n, \n*8(x31)
	.endr
	ld	x30, 0(sp)
	sd	x30, 248(x31)
	addi	sp, sp, 16
	ld	ra, 0(sp)
	ld	gp, 8(sp)
	ld	tp, 16(sp)
	ld	s0, 24(sp)
	ld	s1, 32(sp)
	ld	s2, 40(sp)
	ld	s3, 48(sp)
	ld	s4, 56(sp)
	ld	s5, 64(sp)
	ld	s6, 72(sp)
	ld	s7, 80(sp)
	ld	s8, 88(sp)
	ld	s9, 96(sp)
	ld	s10, 104(sp)
	ld	s11, 112(sp)
	addi	sp, sp, 128
	ret
