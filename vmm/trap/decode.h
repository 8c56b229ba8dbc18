/* SPDX-License-Identifier: MIT */
#ifndef VMM_TRAP_DECODE_H
#define VMM_TRAP_DECODE_H

#include <stdint.h>

/*
 * Decoder for the instructions that can trap to the monitor when a guest
 * runs deprivileged: CSR accesses and privileged instructions (SIGILL),
 * and loads/stores that hit MMIO or an unmapped page (SIGSEGV). The RISC-V
 * unprivileged spec (RV64GC, chapters 2, 8, 16) and privileged spec (3.3,
 * 4.2) give the encodings.
 */
enum insn_kind {
	INSN_ILLEGAL, /* not something the monitor emulates */
	INSN_CSR,
	INSN_ECALL,
	INSN_EBREAK,
	INSN_SRET,
	INSN_MRET,
	INSN_WFI,
	INSN_SFENCE_VMA,
	INSN_LOAD,
	INSN_STORE,
	INSN_AMO, /* AMOs, LR and SC: errors when they hit MMIO */
	INSN_LR,
	INSN_SC,
};

enum csr_op { CSR_RW, CSR_RS, CSR_RC };

struct insn {
	enum insn_kind kind;
	unsigned len; /* 2 (compressed) or 4 bytes */
	unsigned rd, rs1, rs2;
	/* INSN_CSR */
	unsigned csr;
	enum csr_op csr_op;
	int csr_imm; /* the source is the 5-bit immediate held in rs1 */
	/* INSN_LOAD, INSN_STORE, INSN_AMO/LR/SC */
	int64_t imm; /* address = x[rs1] + imm */
	unsigned width; /* bytes: 1, 2, 4 or 8 */
	int sign_extend; /* loads */
	int fp; /* rd (loads) or rs2 (stores) is an f register */
};

/* Bits hi..lo of an encoding, and v sign-extended from width bits: the
 * decoder's and the interpreter's (interp.c) field extraction. */
static inline uint32_t insn_bits(uint32_t v, unsigned hi, unsigned lo)
{
	return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static inline int64_t insn_sext(uint64_t v, unsigned width)
{
	uint64_t sign = 1ULL << (width - 1);

	return (int64_t)((v ^ sign) - sign);
}

/* How long the instruction whose first 16 bits are given is: 2 or 4. */
unsigned insn_length(uint16_t low);
/* Decode raw (a compressed one in its low 16 bits). Always fills *out;
 * returns 0, or -1 when it is INSN_ILLEGAL. */
int insn_decode(uint32_t raw, struct insn *out);

#endif
