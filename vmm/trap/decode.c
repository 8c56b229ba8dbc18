// SPDX-License-Identifier: MIT
#include <string.h>

#include "decode.h"

#define OP_LOAD 0x03
#define OP_LOAD_FP 0x07
#define OP_STORE 0x23
#define OP_STORE_FP 0x27
#define OP_AMO 0x2f
#define OP_SYSTEM 0x73

unsigned insn_length(uint16_t low)
{
	return (low & 3) == 3 ? 4 : 2;
}

static int illegal(struct insn *in)
{
	in->kind = INSN_ILLEGAL;
	return -1;
}

/* 3.3 (privileged) and 2.8 (ecall/ebreak); Zicsr for the rest. */
static int decode_system(uint32_t raw, struct insn *in)
{
	unsigned f3 = insn_bits(raw, 14, 12);

	if (f3 == 0 || f3 == 4) {
		switch (raw) {
		case 0x00000073:
			in->kind = INSN_ECALL;
			return 0;
		case 0x00100073:
			in->kind = INSN_EBREAK;
			return 0;
		case 0x10200073:
			in->kind = INSN_SRET;
			return 0;
		case 0x30200073:
			in->kind = INSN_MRET;
			return 0;
		case 0x10500073:
			in->kind = INSN_WFI;
			return 0;
		}
		if ((raw & 0xfe007fff) == 0x12000073) {
			in->kind = INSN_SFENCE_VMA;
			return 0;
		}
		return illegal(in);
	}
	in->kind = INSN_CSR;
	in->csr = insn_bits(raw, 31, 20);
	in->csr_imm = f3 >= 5;
	in->csr_op = (enum csr_op)((f3 & 3) - 1);
	return 0;
}

static int load_store(struct insn *in, enum insn_kind kind, unsigned width,
		      int sign_extend, int fp, int64_t imm)
{
	in->kind = kind;
	in->width = width;
	in->sign_extend = sign_extend;
	in->fp = fp;
	in->imm = imm;
	return 0;
}

static int decode_32(uint32_t raw, struct insn *in)
{
	unsigned f3 = insn_bits(raw, 14, 12);
	int64_t imm_i = insn_sext(insn_bits(raw, 31, 20), 12);
	int64_t imm_s = insn_sext(
		insn_bits(raw, 31, 25) << 5 | insn_bits(raw, 11, 7), 12);

	in->len = 4;
	in->rd = insn_bits(raw, 11, 7);
	in->rs1 = insn_bits(raw, 19, 15);
	in->rs2 = insn_bits(raw, 24, 20);
	switch (raw & 0x7f) {
	case OP_SYSTEM:
		return decode_system(raw, in);
	case OP_LOAD:
		/* LB LH LW LD LBU LHU LWU: funct3 is width, bit 2 unsigned. */
		if (f3 == 7)
			return illegal(in);
		return load_store(in, INSN_LOAD, 1u << (f3 & 3), !(f3 & 4), 0,
				  imm_i);
	case OP_STORE:
		if (f3 > 3)
			return illegal(in);
		return load_store(in, INSN_STORE, 1u << f3, 0, 0, imm_s);
	case OP_LOAD_FP:
		if (f3 != 2 && f3 != 3)
			return illegal(in); /* half and quad precision: no */
		return load_store(in, INSN_LOAD, 1u << f3, 0, 1, imm_i);
	case OP_STORE_FP:
		if (f3 != 2 && f3 != 3)
			return illegal(in);
		return load_store(in, INSN_STORE, 1u << f3, 0, 1, imm_s);
	case OP_AMO:
		if (f3 != 2 && f3 != 3)
			return illegal(in);
		switch (insn_bits(raw, 31, 27)) {
		case 0x02:
			return load_store(in, INSN_LR, 1u << f3, 1, 0, 0);
		case 0x03:
			return load_store(in, INSN_SC, 1u << f3, 0, 0, 0);
		default:
			return load_store(in, INSN_AMO, 1u << f3, 1, 0, 0);
		}
	}
	return illegal(in);
}

/* Compressed loads and stores (16.3, 16.4). rd'/rs1'/rs2' are x8..x15. */
static int decode_q0(uint16_t raw, struct insn *in)
{
	unsigned f3 = insn_bits(raw, 15, 13);
	int64_t off_w = insn_bits(raw, 12, 10) << 3 |
			insn_bits(raw, 6, 6) << 2 | insn_bits(raw, 5, 5) << 6;
	int64_t off_d = insn_bits(raw, 12, 10) << 3 | insn_bits(raw, 6, 5) << 6;

	in->rs1 = insn_bits(raw, 9, 7) + 8;
	in->rd = in->rs2 = insn_bits(raw, 4, 2) + 8;
	switch (f3) {
	case 1:
		return load_store(in, INSN_LOAD, 8, 0, 1, off_d); /* C.FLD */
	case 2:
		return load_store(in, INSN_LOAD, 4, 1, 0, off_w); /* C.LW */
	case 3:
		return load_store(in, INSN_LOAD, 8, 1, 0, off_d); /* C.LD */
	case 5:
		return load_store(in, INSN_STORE, 8, 0, 1, off_d); /* C.FSD */
	case 6:
		return load_store(in, INSN_STORE, 4, 0, 0, off_w); /* C.SW */
	case 7:
		return load_store(in, INSN_STORE, 8, 0, 0, off_d); /* C.SD */
	}
	return illegal(in);
}

/* Stack-pointer-relative loads and stores, and C.EBREAK. */
static int decode_q2(uint16_t raw, struct insn *in)
{
	unsigned f3 = insn_bits(raw, 15, 13);
	int64_t lwsp = insn_bits(raw, 12, 12) << 5 | insn_bits(raw, 6, 4) << 2 |
		       insn_bits(raw, 3, 2) << 6;
	int64_t ldsp = insn_bits(raw, 12, 12) << 5 | insn_bits(raw, 6, 5) << 3 |
		       insn_bits(raw, 4, 2) << 6;
	int64_t swsp = insn_bits(raw, 12, 9) << 2 | insn_bits(raw, 8, 7) << 6;
	int64_t sdsp = insn_bits(raw, 12, 10) << 3 | insn_bits(raw, 9, 7) << 6;

	if (raw == 0x9002) {
		in->kind = INSN_EBREAK;
		return 0;
	}
	in->rs1 = 2; /* sp */
	in->rd = insn_bits(raw, 11, 7);
	in->rs2 = insn_bits(raw, 6, 2);
	switch (f3) {
	case 1:
		return load_store(in, INSN_LOAD, 8, 0, 1, ldsp); /* C.FLDSP */
	case 2:
		return in->rd ? load_store(in, INSN_LOAD, 4, 1, 0, lwsp)
			      : illegal(in); /* C.LWSP */
	case 3:
		return in->rd ? load_store(in, INSN_LOAD, 8, 1, 0, ldsp)
			      : illegal(in); /* C.LDSP */
	case 5:
		return load_store(in, INSN_STORE, 8, 0, 1, sdsp); /* C.FSDSP */
	case 6:
		return load_store(in, INSN_STORE, 4, 0, 0, swsp); /* C.SWSP */
	case 7:
		return load_store(in, INSN_STORE, 8, 0, 0, sdsp); /* C.SDSP */
	}
	return illegal(in);
}

int insn_decode(uint32_t raw, struct insn *in)
{
	memset(in, 0, sizeof(*in));
	if (insn_length((uint16_t)raw) == 4)
		return decode_32(raw, in);
	in->len = 2;
	switch (raw & 3) {
	case 0:
		return decode_q0((uint16_t)raw, in);
	case 2:
		return decode_q2((uint16_t)raw, in);
	}
	return illegal(in); /* quadrant 1: nothing that traps */
}
