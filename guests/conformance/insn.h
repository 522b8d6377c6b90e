/* insn.h - helpers to run one instruction with known inputs from C (inline assembly). */
#ifndef INSN_H
#define INSN_H
#include "guest.h"

/* rd = op rs1, rs2 */
#define RR(op, a, b) ({ unsigned long _r; \
	asm volatile(op " %0, %1, %2" : "=r"(_r) : "r"((unsigned long)(a)), "r"((unsigned long)(b))); _r; })
/* rd = op rs1, imm */
#define RI(op, a, imm) ({ unsigned long _r; \
	asm volatile(op " %0, %1, %2" : "=r"(_r) : "r"((unsigned long)(a)), "i"(imm)); _r; })
/* 1 when the branch `op rs1, rs2, target` is taken */
#define BR(op, a, b) ({ unsigned long _r; \
	asm volatile("li %0, 1\n\t" op " %1, %2, 1f\n\tli %0, 0\n1:" \
		     : "=&r"(_r) : "r"((unsigned long)(a)), "r"((unsigned long)(b))); _r; })

#define T_RR(op, a, b, exp) CHECK_EQ(RR(op, a, b), exp)
#define T_RI(op, a, imm, exp) CHECK_EQ(RI(op, a, imm), exp)
#define T_BR(op, a, b, exp) CHECK_EQ(BR(op, a, b), exp)

#endif
