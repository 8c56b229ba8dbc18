// SPDX-License-Identifier: MIT
#include "decode.h"
#include "interp.h"

#define OP_IMM 0x13
#define OP_AUIPC 0x17
#define OP_IMM_32 0x1b
#define OP_OP 0x33
#define OP_LUI 0x37
#define OP_OP_32 0x3b
#define OP_BRANCH 0x63
#define OP_JALR 0x67
#define OP_JAL 0x6f
#define OP_MISC_MEM 0x0f

/* --- encoders for the expansions (2.2, 2.3) -------------------------------- */

static uint32_t enc_i(unsigned op, unsigned f3, unsigned rd, unsigned rs1,
		      int32_t imm)
{
	return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 |
	       op;
}

static uint32_t enc_r(unsigned op, unsigned f3, unsigned f7, unsigned rd,
		      unsigned rs1, unsigned rs2)
{
	return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static uint32_t enc_b(unsigned f3, unsigned rs1, unsigned rs2, int32_t imm)
{
	uint32_t u = (uint32_t)imm;

	return insn_bits(u, 12, 12) << 31 | insn_bits(u, 10, 5) << 25 |
	       rs2 << 20 | rs1 << 15 | f3 << 12 | insn_bits(u, 4, 1) << 8 |
	       insn_bits(u, 11, 11) << 7 | OP_BRANCH;
}

static uint32_t enc_j(unsigned rd, int32_t imm)
{
	uint32_t u = (uint32_t)imm;

	return insn_bits(u, 20, 20) << 31 | insn_bits(u, 10, 1) << 21 |
	       insn_bits(u, 11, 11) << 20 | insn_bits(u, 19, 12) << 12 |
	       rd << 7 | OP_JAL;
}

/* --- compressed instructions (16.5 to 16.7) -------------------------------- */

static uint32_t expand_q0(uint32_t c)
{
	unsigned nzuimm = insn_bits(c, 12, 11) << 4 | insn_bits(c, 10, 7) << 6 |
			  insn_bits(c, 6, 6) << 2 | insn_bits(c, 5, 5) << 3;

	/* C.ADDI4SPN; the rest of quadrant 0 is loads and stores */
	if (insn_bits(c, 15, 13) != 0 || !nzuimm)
		return 0;
	return enc_i(OP_IMM, 0, insn_bits(c, 4, 2) + 8, 2, (int32_t)nzuimm);
}

static uint32_t expand_q1_alu(uint32_t c)
{
	unsigned rd = insn_bits(c, 9, 7) + 8, rs2 = insn_bits(c, 4, 2) + 8;
	unsigned shamt = insn_bits(c, 12, 12) << 5 | insn_bits(c, 6, 2);
	int32_t imm = (int32_t)insn_sext(
		insn_bits(c, 12, 12) << 5 | insn_bits(c, 6, 2), 6);
	static const unsigned f3[4] = { 0, 4, 6, 7 }; /* sub, xor, or, and */

	switch (insn_bits(c, 11, 10)) {
	case 0:
		return enc_i(OP_IMM, 5, rd, rd, (int32_t)shamt); /* C.SRLI */
	case 1:
		return enc_i(OP_IMM, 5, rd, rd, (int32_t)(shamt | 0x400));
	case 2:
		return enc_i(OP_IMM, 7, rd, rd, imm); /* C.ANDI */
	}
	if (!insn_bits(c, 12, 12))
		return enc_r(OP_OP, f3[insn_bits(c, 6, 5)],
			     insn_bits(c, 6, 5) == 0 ? 0x20 : 0, rd, rd, rs2);
	switch (insn_bits(c, 6, 5)) {
	case 0:
		return enc_r(OP_OP_32, 0, 0x20, rd, rd, rs2); /* C.SUBW */
	case 1:
		return enc_r(OP_OP_32, 0, 0, rd, rd, rs2); /* C.ADDW */
	}
	return 0;
}

static uint32_t expand_q1(uint32_t c)
{
	unsigned rd = insn_bits(c, 11, 7);
	int32_t imm = (int32_t)insn_sext(
		insn_bits(c, 12, 12) << 5 | insn_bits(c, 6, 2), 6);

	switch (insn_bits(c, 15, 13)) {
	case 0: /* C.ADDI, C.NOP */
		return enc_i(OP_IMM, 0, rd, rd, imm);
	case 1: /* C.ADDIW */
		return rd ? enc_i(OP_IMM_32, 0, rd, rd, imm) : 0;
	case 2: /* C.LI */
		return enc_i(OP_IMM, 0, rd, 0, imm);
	case 3:
		if (rd == 2) /* C.ADDI16SP */
			return rvc_addi16sp_imm(c) ? enc_i(OP_IMM, 0, 2, 2,
							   rvc_addi16sp_imm(c))
						   : 0;
		if (!imm) /* C.LUI: nzimm[17:12] is imm's bits */
			return 0;
		return ((uint32_t)imm & 0xfffff) << 12 | rd << 7 | OP_LUI;
	case 4:
		return expand_q1_alu(c);
	case 5: /* C.J */
		return enc_j(0, rvc_j_imm(c));
	case 6: /* C.BEQZ */
		return enc_b(0, insn_bits(c, 9, 7) + 8, 0, rvc_b_imm(c));
	default: /* C.BNEZ */
		return enc_b(1, insn_bits(c, 9, 7) + 8, 0, rvc_b_imm(c));
	}
}

static uint32_t expand_q2(uint32_t c)
{
	unsigned rd = insn_bits(c, 11, 7), rs2 = insn_bits(c, 6, 2);
	unsigned shamt = insn_bits(c, 12, 12) << 5 | insn_bits(c, 6, 2);

	switch (insn_bits(c, 15, 13)) {
	case 0: /* C.SLLI */
		return enc_i(OP_IMM, 1, rd, rd, (int32_t)shamt);
	case 4:
		break;
	default:
		return 0; /* stack-relative loads and stores */
	}
	if (!insn_bits(c, 12, 12)) {
		if (!rs2) /* C.JR */
			return rd ? enc_i(OP_JALR, 0, 0, rd, 0) : 0;
		return enc_r(OP_OP, 0, 0, rd, 0, rs2); /* C.MV */
	}
	if (!rs2) /* C.JALR; rd 0 is C.EBREAK */
		return rd ? enc_i(OP_JALR, 0, 1, rd, 0) : 0;
	return enc_r(OP_OP, 0, 0, rd, rd, rs2); /* C.ADD */
}

uint32_t rvc_expand(uint16_t half)
{
	switch (half & 3) {
	case 0:
		return expand_q0(half);
	case 1:
		return expand_q1(half);
	case 2:
		return expand_q2(half);
	}
	return 0;
}

/* --- execution ------------------------------------------------------------- */

static uint64_t mulhu(uint64_t a, uint64_t b)
{
	return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

static uint64_t mulh(int64_t a, int64_t b)
{
	return (uint64_t)(((__int128)a * b) >> 64);
}

static uint64_t mulhsu(int64_t a, uint64_t b)
{
	return (uint64_t)(((__int128)a * (__int128)b) >> 64);
}

/* M (7.2): division by zero and overflow give the spec's values. */
static uint64_t divide(unsigned f3, uint64_t a, uint64_t b, int word)
{
	int64_t sa = word ? (int32_t)a : (int64_t)a;
	int64_t sb = word ? (int32_t)b : (int64_t)b;
	uint64_t ua = word ? (uint32_t)a : a, ub = word ? (uint32_t)b : b;
	int64_t min = word ? INT32_MIN : INT64_MIN;

	switch (f3) {
	case 4: /* DIV */
		if (!sb)
			return ~0ULL;
		if (sa == min && sb == -1)
			return (uint64_t)sa;
		return (uint64_t)(sa / sb);
	case 5: /* DIVU */
		if (!ub)
			return ~0ULL;
		return word ? (uint64_t)(int64_t)(int32_t)(uint32_t)(ua / ub)
			    : ua / ub;
	case 6: /* REM */
		if (!sb)
			return (uint64_t)sa;
		if (sa == min && sb == -1)
			return 0;
		return (uint64_t)(sa % sb);
	default: /* REMU */
		if (!ub)
			return word ? (uint64_t)(int64_t)(int32_t)ua : ua;
		return word ? (uint64_t)(int64_t)(int32_t)(uint32_t)(ua % ub)
			    : ua % ub;
	}
}

static int alu(unsigned f3, unsigned f7, uint64_t a, uint64_t b, uint64_t *out)
{
	unsigned sh = b & 63;

	if (f7 == 1) {
		switch (f3) {
		case 0:
			*out = a * b;
			return 1;
		case 1:
			*out = mulh((int64_t)a, (int64_t)b);
			return 1;
		case 2:
			*out = mulhsu((int64_t)a, b);
			return 1;
		case 3:
			*out = mulhu(a, b);
			return 1;
		}
		*out = divide(f3, a, b, 0);
		return 1;
	}
	if (f7 != 0 && !(f7 == 0x20 && (f3 == 0 || f3 == 5)))
		return 0;
	switch (f3) {
	case 0:
		*out = f7 ? a - b : a + b;
		return 1;
	case 1:
		*out = a << sh;
		return 1;
	case 2:
		*out = (int64_t)a < (int64_t)b;
		return 1;
	case 3:
		*out = a < b;
		return 1;
	case 4:
		*out = a ^ b;
		return 1;
	case 5:
		*out = f7 ? (uint64_t)((int64_t)a >> sh) : a >> sh;
		return 1;
	case 6:
		*out = a | b;
		return 1;
	default:
		*out = a & b;
		return 1;
	}
}

static int alu_32(unsigned f3, unsigned f7, uint64_t a, uint64_t b,
		  uint64_t *out)
{
	unsigned sh = b & 31;
	uint32_t r;

	if (f7 == 1) {
		if (f3 == 0)
			r = (uint32_t)a * (uint32_t)b;
		else if (f3 >= 4)
			r = (uint32_t)divide(f3, a, b, 1);
		else
			return 0;
	} else if (f3 == 0 && (f7 == 0 || f7 == 0x20)) {
		r = f7 ? (uint32_t)a - (uint32_t)b : (uint32_t)a + (uint32_t)b;
	} else if (f3 == 1 && f7 == 0) {
		r = (uint32_t)a << sh;
	} else if (f3 == 5 && f7 == 0) {
		r = (uint32_t)a >> sh;
	} else if (f3 == 5 && f7 == 0x20) {
		r = (uint32_t)((int32_t)a >> sh);
	} else {
		return 0;
	}
	*out = (uint64_t)(int64_t)(int32_t)r;
	return 1;
}

static int branch_taken(unsigned f3, uint64_t a, uint64_t b, int *taken)
{
	switch (f3) {
	case 0:
		*taken = a == b;
		return 1;
	case 1:
		*taken = a != b;
		return 1;
	case 4:
		*taken = (int64_t)a < (int64_t)b;
		return 1;
	case 5:
		*taken = (int64_t)a >= (int64_t)b;
		return 1;
	case 6:
		*taken = a < b;
		return 1;
	case 7:
		*taken = a >= b;
		return 1;
	}
	return 0;
}

/* OP-IMM and OP-IMM-32 as OP with the immediate: the shifts keep their
 * funct7 (SRAI's 0x20, the 6-bit shamt's top bit goes with it on RV64). */
static int op_imm(uint32_t raw, uint64_t a, int word, uint64_t *out)
{
	unsigned f3 = insn_bits(raw, 14, 12);
	uint64_t imm = (uint64_t)insn_sext(insn_bits(raw, 31, 20), 12);
	unsigned f7 = 0;

	if (f3 == 1 || f3 == 5) {
		f7 = insn_bits(raw, 31, 26) << 1;
		if (word && insn_bits(raw, 25, 25))
			return 0;
		imm = insn_bits(raw, 25, 20);
		if (f7 != 0 && !(f3 == 5 && f7 == 0x20))
			return 0;
	} else if (word && f3 != 0) {
		return 0;
	}
	return word ? alu_32(f3, f7, a, imm, out) : alu(f3, f7, a, imm, out);
}

int interp_alu(uint64_t *x, uint64_t *pc, uint32_t raw, unsigned len)
{
	unsigned rd = insn_bits(raw, 11, 7), rs1 = insn_bits(raw, 19, 15);
	unsigned rs2 = insn_bits(raw, 24, 20), f3 = insn_bits(raw, 14, 12);
	uint64_t a = rs1 ? x[rs1] : 0, b = rs2 ? x[rs2] : 0, v = 0;
	uint64_t next = *pc + len;
	int taken;

	switch (raw & 0x7f) {
	case OP_LUI:
		v = (uint64_t)insn_sext(raw & 0xfffff000u, 32);
		break;
	case OP_AUIPC:
		v = *pc + (uint64_t)insn_sext(raw & 0xfffff000u, 32);
		break;
	case OP_IMM:
		if (!op_imm(raw, a, 0, &v))
			return 0;
		break;
	case OP_IMM_32:
		if (!op_imm(raw, a, 1, &v))
			return 0;
		break;
	case OP_OP:
		if (!alu(f3, insn_bits(raw, 31, 25), a, b, &v))
			return 0;
		break;
	case OP_OP_32:
		if (!alu_32(f3, insn_bits(raw, 31, 25), a, b, &v))
			return 0;
		break;
	case OP_JAL:
		v = next;
		next = *pc + (uint64_t)rv_jal_imm(raw);
		break;
	case OP_JALR:
		if (f3)
			return 0;
		v = next;
		next = (a + (uint64_t)insn_sext(insn_bits(raw, 31, 20), 12)) &
		       ~1ULL;
		break;
	case OP_BRANCH:
		if (!branch_taken(f3, a, b, &taken))
			return 0;
		if (taken)
			next = *pc + (uint64_t)rv_branch_imm(raw);
		rd = 0;
		break;
	case OP_MISC_MEM: /* FENCE; FENCE.I: the host's code is the guest's RAM */
		if (f3 > 1)
			return 0;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		rd = 0;
		break;
	default:
		return 0;
	}
	if (rd)
		x[rd] = v;
	*pc = next;
	return 1;
}

/* --- memory, for run_ahead (exec.h) ------------------------------------------ */

uint64_t interp_load(const void *p, unsigned width)
{
	switch (width) {
	case 1:
		return __atomic_load_n((const uint8_t *)p, __ATOMIC_RELAXED);
	case 2:
		return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
	case 4:
		return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
	}
	return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
}

void interp_store(void *p, unsigned width, uint64_t val)
{
	switch (width) {
	case 1:
		__atomic_store_n((uint8_t *)p, (uint8_t)val, __ATOMIC_RELAXED);
		return;
	case 2:
		__atomic_store_n((uint16_t *)p, (uint16_t)val,
				 __ATOMIC_RELAXED);
		return;
	case 4:
		__atomic_store_n((uint32_t *)p, (uint32_t)val,
				 __ATOMIC_RELAXED);
		return;
	}
	__atomic_store_n((uint64_t *)p, val, __ATOMIC_RELAXED);
}

uint64_t interp_sext(uint64_t val, unsigned width)
{
	if (width >= 8)
		return val;
	return (uint64_t)insn_sext(val & ((1ULL << (8 * width)) - 1),
				   8 * width);
}

uint64_t interp_amo(void *p, unsigned width, unsigned f5, uint64_t src)
{
	uint64_t old, val;

	for (;;) {
		old = interp_load(p, width);
		switch (f5) {
		case 0x01: /* AMOSWAP */
			val = src;
			break;
		case 0x00: /* AMOADD */
			val = old + src;
			break;
		case 0x04: /* AMOXOR */
			val = old ^ src;
			break;
		case 0x0c: /* AMOAND */
			val = old & src;
			break;
		case 0x08: /* AMOOR */
			val = old | src;
			break;
		case 0x10: /* AMOMIN */
			val = (int64_t)interp_sext(old, width) <
					      (int64_t)interp_sext(src, width)
				      ? old
				      : src;
			break;
		case 0x14: /* AMOMAX */
			val = (int64_t)interp_sext(old, width) >
					      (int64_t)interp_sext(src, width)
				      ? old
				      : src;
			break;
		case 0x18: /* AMOMINU */
			val = (width == 4 ? (uint32_t)old < (uint32_t)src
					  : old < src)
				      ? old
				      : src;
			break;
		default: /* 0x1c AMOMAXU */
			val = (width == 4 ? (uint32_t)old > (uint32_t)src
					  : old > src)
				      ? old
				      : src;
			break;
		}
		if (width == 4) {
			uint32_t o = (uint32_t)old;

			if (__atomic_compare_exchange_n(
				    (uint32_t *)p, &o, (uint32_t)val, 0,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				return interp_sext(old, 4);
		} else if (__atomic_compare_exchange_n((uint64_t *)p, &old, val,
						       0, __ATOMIC_SEQ_CST,
						       __ATOMIC_SEQ_CST)) {
			return old;
		}
	}
}

uint64_t interp_lr(struct reservation *r, const void *p, uint64_t va,
		   unsigned width)
{
	uint64_t val = interp_sext(interp_load(p, width), width);

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*r = (struct reservation){ .addr = va, .val = val, .valid = 1 };
	return val;
}

uint64_t interp_sc(struct reservation *r, void *p, uint64_t va, unsigned width,
		   uint64_t src)
{
	uint64_t want = r->val;
	int held = r->valid && r->addr == va, stored = 0;

	r->valid = 0;
	if (!held)
		return 1;
	if (width == 4) {
		uint32_t w = (uint32_t)want;

		stored = __atomic_compare_exchange_n(
			(uint32_t *)p, &w, (uint32_t)src, 0, __ATOMIC_SEQ_CST,
			__ATOMIC_SEQ_CST);
	} else {
		stored = __atomic_compare_exchange_n((uint64_t *)p, &want, src,
						     0, __ATOMIC_SEQ_CST,
						     __ATOMIC_SEQ_CST);
	}
	return !stored;
}
