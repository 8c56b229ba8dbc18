/* SPDX-License-Identifier: MIT */
#ifndef VMM_TRAP_INTERP_H
#define VMM_TRAP_INTERP_H

#include <stdint.h>

#include "decode.h"

/*
 * The part of RV64IMAC that needs no privilege: integer
 * arithmetic (RV64I 2.4, 5.2; M chapter 7), branches and jumps, and their
 * compressed forms (chapter 16). The trap backend runs these itself after
 * a trap (exec.c, run_ahead), so that the few instructions between two
 * privileged ones cost no round trip to the guest process.
 */

/* The immediates of JAL and the branches (2.5), sign-extended. */
static inline int64_t rv_jal_imm(uint32_t raw)
{
	return insn_sext(insn_bits(raw, 31, 31) << 20 |
				 insn_bits(raw, 19, 12) << 12 |
				 insn_bits(raw, 20, 20) << 11 |
				 insn_bits(raw, 30, 21) << 1,
			 21);
}

static inline int64_t rv_branch_imm(uint32_t raw)
{
	return insn_sext(insn_bits(raw, 31, 31) << 12 |
				 insn_bits(raw, 7, 7) << 11 |
				 insn_bits(raw, 30, 25) << 5 |
				 insn_bits(raw, 11, 8) << 1,
			 13);
}

/* The immediates of C.J, C.BEQZ/C.BNEZ and C.ADDI16SP (16.5, 16.6),
 * sign-extended. */
static inline int32_t rvc_j_imm(uint32_t c)
{
	return (int32_t)insn_sext(
		insn_bits(c, 12, 12) << 11 | insn_bits(c, 11, 11) << 4 |
			insn_bits(c, 10, 9) << 8 | insn_bits(c, 8, 8) << 10 |
			insn_bits(c, 7, 7) << 6 | insn_bits(c, 6, 6) << 7 |
			insn_bits(c, 5, 3) << 1 | insn_bits(c, 2, 2) << 5,
		12);
}

static inline int32_t rvc_b_imm(uint32_t c)
{
	return (int32_t)insn_sext(
		insn_bits(c, 12, 12) << 8 | insn_bits(c, 11, 10) << 3 |
			insn_bits(c, 6, 5) << 6 | insn_bits(c, 4, 3) << 1 |
			insn_bits(c, 2, 2) << 5,
		9);
}

static inline int32_t rvc_addi16sp_imm(uint32_t c)
{
	return (int32_t)insn_sext(
		insn_bits(c, 12, 12) << 9 | insn_bits(c, 6, 6) << 4 |
			insn_bits(c, 5, 5) << 6 | insn_bits(c, 4, 3) << 7 |
			insn_bits(c, 2, 2) << 5,
		10);
}

/* The 32-bit instruction a compressed ALU, branch or jump instruction
 * stands for, or 0 when half is none of those (loads, stores, ebreak,
 * reserved encodings: insn_decode() has the memory ones). */
uint32_t rvc_expand(uint16_t half);

/* Execute the 32-bit encoding raw, whose copy in memory is len bytes long
 * (4, or 2 when it came from rvc_expand), on the registers x[1..31]
 * (x[0] is never touched: x0 reads 0) and *pc. 1 when it was one of the
 * instructions above (the pc moved on or jumped), 0 when not (nothing
 * changed). */
int interp_alu(uint64_t *x, uint64_t *pc, uint32_t raw, unsigned len);

/* Host memory as the guest's harts see it, width 1, 2, 4 or 8 bytes:
 * single-copy atomic loads and stores, val sign-extended from width bytes,
 * and AMO<op> (A, chapter 8; f5 is funct5, width 4 or 8) on p, which
 * returns the old value sign-extended. */
uint64_t interp_load(const void *p, unsigned width);
void interp_store(void *p, unsigned width, uint64_t val);
uint64_t interp_sext(uint64_t val, unsigned width);
uint64_t interp_amo(void *p, unsigned width, unsigned f5, uint64_t src);

/* LR and SC (A, 8.2) on p, the host address of va: a hart's reservation
 * is the address LR loaded from and the value it read, and SC stores
 * only while both still hold (a compare-and-swap: another hart's store
 * of a different value breaks it). interp_lr returns the loaded value
 * sign-extended; interp_sc 0 when it stored, 1 when not; either way the
 * reservation is gone. */
struct reservation {
	uint64_t addr, val;
	int valid;
};

uint64_t interp_lr(struct reservation *r, const void *p, uint64_t va,
		   unsigned width);
uint64_t interp_sc(struct reservation *r, void *p, uint64_t va, unsigned width,
		   uint64_t src);

#endif
