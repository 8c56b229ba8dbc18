// SPDX-License-Identifier: MIT
/*
 * run-ahead's common case (quick.h). Encodings after the unprivileged
 * spec: RV64I (chapters 2 and 5) and the compressed forms (16.3 to 16.7).
 * Where the spec reserves an encoding, or the general step would stop,
 * this leaves the instruction to it.
 */
#include <stdint.h>

#include "decode.h"
#include "hart.h"
#include "interp.h"
#include "quick.h"

/* Every helper that runs for common instructions is inlined into
 * quick_run() and its switches are compare chains: an indirect jump (a
 * return, a jump table) is what costs most here, both under TCG (a
 * lookup of the next block each time) and on cores with little
 * indirect-branch prediction. Under TCG so is a direct jump to another
 * page of the host's code, so quick_run() starts a page and fits in it;
 * the rarer instructions that need the hart (CSR accesses, ECALL and
 * SRET, the interrupt check after them) are called (QUICK_OUTLINE). */
#define QUICK_INLINE static inline __attribute__((always_inline))
#define QUICK_OUTLINE static __attribute__((noinline))

#define QUICK_PAGE 4096ULL
#define QUICK_MASK (~(QUICK_PAGE - 1))

/* x[0] holds 0 while quick_run() runs (see there): no test for x0 on
 * the way in, only on the way out. */
QUICK_INLINE uint64_t get(const uint64_t *x, unsigned i)
{
	return x[i];
}

QUICK_INLINE void put(uint64_t *x, unsigned i, uint64_t v)
{
	if (i)
		x[i] = v;
}

QUICK_INLINE uint64_t sext32(uint64_t v)
{
	return (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

/* The host address of an aligned access at va (of 1, 2, 4 or 8 bytes)
 * in the flat window; NULL when it is not in it. The window starts and
 * ends on a multiple of 8, so an aligned access that starts in it ends
 * in it. */
QUICK_INLINE uint8_t *flat(const struct quick *q, uint64_t va)
{
	uint64_t off = va - q->flat_base;

	return off < q->flat_size ? q->flat_host + off : NULL;
}

/* The host address of a width-byte access at va from the flat window or
 * the cache; NULL when it is misaligned or not there. */
QUICK_INLINE uint8_t *ram(const struct quick *q, int store, uint64_t va,
			  unsigned width)
{
	uint8_t *p;

	if (va & (width - 1))
		return NULL;
	p = flat(q, va);
	return p ? p : page_cached(q->cache, store, va);
}

/* ram()'s, for a load or store; NULL too for a store while a
 * reservation is held. */
QUICK_INLINE uint8_t *data(const struct quick *q, int store, uint64_t va,
			   unsigned width)
{
	return store && q->no_stores ? NULL : ram(q, store, va, width);
}

/* The host address of the instruction at pc (even), two bytes of it at
 * least (*room: how many there are, 2 or 4); NULL when neither the flat
 * window nor the cache has it. code_end is flat_size less 3 (0 when
 * flat_size is under 4): below it, four bytes are there. */
QUICK_INLINE const uint16_t *code(const struct quick *q, uint64_t pc,
				  uint64_t code_end, unsigned *room)
{
	const struct page_cache *f = page_slot(q->cache, CACHE_FETCH, pc);
	uint64_t off = pc & ~QUICK_MASK;
	const uint8_t *p;

	if (pc - q->flat_base < code_end) { /* the common case: one test */
		*room = 4;
		return __builtin_assume_aligned(
			q->flat_host + (pc - q->flat_base), 2);
	}
	p = flat(q, pc);
	if (p) {
		*room = 2;
		return __builtin_assume_aligned(p, 2);
	}
	if ((pc & QUICK_MASK) != f->va)
		return NULL;
	*room = off + 4 > QUICK_PAGE ? 2 : 4;
	return __builtin_assume_aligned(f->host + off, 2);
}

/* Loads and stores are single-copy atomic, as interp_load/store's. */
QUICK_INLINE int load(struct quick *q, unsigned rd, uint64_t va, unsigned width,
		      int sign)
{
	const uint8_t *p = data(q, 0, va, width);
	uint64_t v;

	if (!p)
		return 0;
	switch (width) {
	case 1:
		v = __atomic_load_n(p, __ATOMIC_RELAXED);
		v = sign ? (uint64_t)(int64_t)(int8_t)v : v;
		break;
	case 2:
		v = __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
		v = sign ? (uint64_t)(int64_t)(int16_t)v : v;
		break;
	case 4:
		v = __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
		v = sign ? sext32(v) : v;
		break;
	default:
		v = __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
	}
	put(q->x, rd, v);
	return 1;
}

QUICK_INLINE int store(struct quick *q, uint64_t v, uint64_t va, unsigned width)
{
	uint8_t *p = data(q, 1, va, width);

	if (!p)
		return 0;
	switch (width) {
	case 1:
		__atomic_store_n(p, (uint8_t)v, __ATOMIC_RELAXED);
		break;
	case 2:
		__atomic_store_n((uint16_t *)p, (uint16_t)v, __ATOMIC_RELAXED);
		break;
	case 4:
		__atomic_store_n((uint32_t *)p, (uint32_t)v, __ATOMIC_RELAXED);
		break;
	default:
		__atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED);
	}
	return 1;
}

/* LR and SC (A, 8.2) on RAM at address a, with the hart's reservation;
 * f5 says which. */
QUICK_INLINE int lr_sc(struct quick *q, uint32_t raw, unsigned f5,
		       unsigned width, uint64_t a)
{
	unsigned rd = (raw >> 7) & 31;
	uint8_t *p;

	if (!q->resv)
		return 0;
	p = ram(q, f5 == 3, a, width);
	if (!p)
		return 0;
	if (f5 == 2) {
		put(q->x, rd, interp_lr(q->resv, p, a, width));
		q->no_stores = 1;
	} else {
		put(q->x, rd,
		    interp_sc(q->resv, p, a, width,
			      get(q->x, (raw >> 20) & 31)));
		q->no_stores = 0;
	}
	return 1;
}

/* The A extension (chapter 8) on RAM at address a: LR and SC above;
 * AMOSWAP, AMOADD, AMOXOR, AMOAND, AMOOR, AMOMIN[U], AMOMAX[U] where no
 * reservation is held. */
QUICK_INLINE int amo(struct quick *q, uint32_t raw, uint64_t a)
{
	unsigned f3 = (raw >> 12) & 7, f5 = raw >> 27;
	uint8_t *p;

	if (f3 != 2 && f3 != 3)
		return 0;
	if (f5 == 2 || f5 == 3)
		return lr_sc(q, raw, f5, 1u << f3, a);
	if (q->no_stores || (f5 & 3 && f5 != 1) || f5 > 0x1c)
		return 0;
	p = data(q, 1, a, 1u << f3);
	if (!p)
		return 0;
	put(q->x, (raw >> 7) & 31,
	    interp_amo(p, 1u << f3, f5, get(q->x, (raw >> 20) & 31)));
	return 1;
}

/* OP-IMM and OP without the M extension: 1 with *v set, 0 when not ours. */
QUICK_INLINE int alu(unsigned f3, unsigned f7, uint64_t a, uint64_t b,
		     uint64_t *v)
{
	unsigned sh = b & 63;

	if (f7 == 0x20 && f3 == 0)
		*v = a - b;
	else if (f7 == 0x20 && f3 == 5)
		*v = (uint64_t)((int64_t)a >> sh);
	else if (f7)
		return 0;
	else if (f3 == 0)
		*v = a + b;
	else if (f3 == 1)
		*v = a << sh;
	else if (f3 == 2)
		*v = (int64_t)a < (int64_t)b;
	else if (f3 == 3)
		*v = a < b;
	else if (f3 == 4)
		*v = a ^ b;
	else if (f3 == 5)
		*v = a >> sh;
	else if (f3 == 6)
		*v = a | b;
	else
		*v = a & b;
	return 1;
}

/* OP-IMM-32 and OP-32 without the M extension. */
QUICK_INLINE int alu_32(unsigned f3, unsigned f7, uint64_t a, uint64_t b,
			uint64_t *v)
{
	unsigned sh = b & 31;

	if (f3 == 0 && (f7 == 0 || f7 == 0x20))
		*v = sext32(f7 ? a - b : a + b);
	else if (f3 == 1 && f7 == 0)
		*v = sext32((uint32_t)a << sh);
	else if (f3 == 5 && f7 == 0)
		*v = sext32((uint32_t)a >> sh);
	else if (f3 == 5 && f7 == 0x20)
		*v = sext32((uint32_t)((int32_t)a >> sh));
	else
		return 0;
	return 1;
}

QUICK_INLINE int taken(unsigned f3, uint64_t a, uint64_t b, int *t)
{
	if (f3 == 2 || f3 == 3)
		return 0;
	if (f3 < 2)
		*t = (a == b) ^ f3;
	else if (f3 < 6)
		*t = ((int64_t)a < (int64_t)b) ^ (f3 & 1);
	else
		*t = (a < b) ^ (f3 & 1);
	return 1;
}

/* What a privileged instruction the run took means for it: it goes on,
 * it ends (struct quick's hart_changed), or it ends if an interrupt is
 * due now (irq_due). 0 (QUICK_NO): not taken, the general step's. */
enum { QUICK_NO, QUICK_ON, QUICK_END, QUICK_IRQ };

/* Whether the hart takes an interrupt now, as trap_deliver_interrupt()
 * would find, its SBI timer's deadline included (~0: none set). With no
 * deadline to look at (NULL: interrupts may come from a CLINT too), one
 * may be. Called, not inlined. */
QUICK_OUTLINE int irq_due(struct hart *h, const uint64_t *deadline)
{
	if (!deadline || !h->time ||
	    (*deadline != ~0ULL && h->time(h->time_opaque) >= *deadline))
		return 1;
	return hart_pending_interrupt(h) != 0;
}

/* CSRRW, CSRRS, CSRRC and their immediate forms on sstatus, sscratch,
 * sepc, scause and stval from S- or M-mode (Zicsr; privileged spec
 * 4.1): hart_csr() does them, as for the general step. An sstatus write
 * that changes SUM or MXR changes the translation; one that sets SIE
 * may let an interrupt in. Called, not inlined: see QUICK_OUTLINE. */
QUICK_OUTLINE int csr(struct hart *h, uint64_t *x, uint32_t *counts,
		      uint32_t raw)
{
	unsigned f3 = (raw >> 12) & 7, rs1 = (raw >> 15) & 31, n = raw >> 20;
	struct insn in = { .kind = INSN_CSR, .len = 4, .rs1 = rs1, .csr = n };
	uint64_t old, before, diff;

	if (!h || h->priv == PRIV_U || !(f3 & 3) ||
	    (n != CSR_SSTATUS && (n < CSR_SSCRATCH || n > CSR_STVAL)))
		return QUICK_NO;
	in.csr_op = (f3 & 3) == 1 ? CSR_RW : (f3 & 3) == 2 ? CSR_RS : CSR_RC;
	in.csr_imm = f3 >= 5;
	in.rd = (raw >> 7) & 31;
	before = h->mstatus;
	if (hart_csr(h, &in, in.csr_imm ? rs1 : get(x, rs1), &old))
		return QUICK_NO;
	put(x, in.rd, old);
	counts[n]++;
	diff = before ^ h->mstatus;
	if (diff & (MSTATUS_SUM | MSTATUS_MXR))
		return QUICK_END;
	return diff & h->mstatus & MSTATUS_SIE ? QUICK_IRQ : QUICK_ON;
}

/* The M extension, by the interpreter (on a copy of the pc: the run's
 * own must not have its address taken, or it cannot live in a
 * register). */
QUICK_INLINE int m_ext(struct quick *q, uint32_t raw)
{
	uint64_t pc = q->pc;

	if (!interp_alu(q->x, &pc, raw, 4))
		return 0;
	q->pc = pc;
	return 1;
}

/* ECALL from U-mode (to the guest's kernel: vmm's SBI answers S-mode's
 * only, in the general step) and SRET, at pc, by the hart's own trap
 * code, with the hart's pc the next one. With paging off before and
 * after (satp Bare, and neither goes to M-mode here) nothing the run
 * keeps changes: an ECALL into S-mode leaves SIE clear, so no interrupt
 * is due unless one of M-mode's is enabled; after SRET one may be.
 * Called, not inlined. */
QUICK_OUTLINE int trap_insn(struct hart *h, uint64_t pc, uint32_t raw)
{
	int bare;

	if (!h)
		return QUICK_NO;
	bare = (h->satp >> 60) == SATP_MODE_BARE;
	h->pc = pc;
	if (raw == 0x00000073 && h->priv == PRIV_U) {
		hart_trap(h, EXC_ECALL_U, 0);
		if (h->priv == PRIV_S && bare &&
		    !(h->mie & (MIP_MSIP | MIP_MTIP | MIP_MEIP)))
			return QUICK_ON;
		return QUICK_END;
	}
	if (raw != 0x10200073 || hart_sret(h))
		return QUICK_NO;
	return bare ? QUICK_IRQ : QUICK_END;
}

/* OP-IMM (its shifts keep a 6-bit shamt), OP, OP-IMM-32, OP-32: one
 * copy of each ALU for all four. The M extension is the interpreter's. */
QUICK_INLINE int op(struct quick *q, uint32_t raw, uint64_t a, uint64_t imm)
{
	unsigned f3 = (raw >> 12) & 7, shift = f3 == 1 || f3 == 5;
	int reg = raw & 0x20, w32 = raw & 0x08;
	uint64_t b = reg ? get(q->x, (raw >> 20) & 31) : imm, v;
	unsigned f7 = reg || (w32 && shift) ? raw >> 25
		      : shift		    ? (raw >> 26) << 1
					    : 0;

	if (reg && f7 == 1)
		return m_ext(q, raw);
	if (!(w32 ? alu_32(f3, f7, a, b, &v) : alu(f3, f7, a, b, &v)))
		return 0;
	put(q->x, (raw >> 7) & 31, v);
	q->pc += 4;
	return 1;
}

QUICK_INLINE int step32(struct quick *q, uint32_t raw)
{
	uint64_t *x = q->x, pc = q->pc, next = pc + 4;
	unsigned rd = (raw >> 7) & 31, rs1 = (raw >> 15) & 31;
	unsigned rs2 = (raw >> 20) & 31, f3 = (raw >> 12) & 7;
	uint64_t a = get(x, rs1), imm = (uint64_t)((int64_t)(int32_t)raw >> 20);
	int t;

	if ((raw & 0x57) == 0x13) /* OP-IMM, OP, OP-IMM-32, OP-32 */
		return op(q, raw, a, imm);
	switch (raw & 0x7f) {
	case 0x37: /* LUI */
		put(x, rd, sext32(raw & 0xfffff000u));
		break;
	case 0x17: /* AUIPC */
		put(x, rd, pc + sext32(raw & 0xfffff000u));
		break;
	case 0x6f: /* JAL */
		next = pc + (uint64_t)rv_jal_imm(raw);
		put(x, rd, pc + 4);
		break;
	case 0x67: /* JALR */
		if (f3)
			return 0;
		next = (a + imm) & ~1ULL;
		put(x, rd, pc + 4);
		break;
	case 0x63: /* BRANCH */
		if (!taken(f3, a, get(x, rs2), &t))
			return 0;
		if (t)
			next = pc + (uint64_t)rv_branch_imm(raw);
		break;
	case 0x03: /* LOAD: LB LH LW LD LBU LHU LWU */
		if (f3 == 7 || !load(q, rd, a + imm, 1u << (f3 & 3), f3 < 4))
			return 0;
		break;
	case 0x0f: /* FENCE, FENCE.I: the host's code is the guest's RAM */
		if (f3 > 1)
			return 0;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		break;
	case 0x2f: /* AMO (not LR and SC: the reservation is the step's) */
		if (!amo(q, raw, a))
			return 0;
		break;
	case 0x73: /* SYSTEM */
		t = f3 ? csr(q->hart, x, q->csr_counts, raw)
		       : trap_insn(q->hart, pc, raw);
		if (t == QUICK_NO)
			return 0;
		if (!f3)
			next = q->hart->pc; /* the tvec or sepc: even */
		q->hart_changed =
			t == QUICK_END ||
			(t == QUICK_IRQ && irq_due(q->hart, q->timer_deadline));
		break;
	case 0x23: /* STORE: SB SH SW SD */
		imm = (uint64_t)(((int64_t)(int32_t)(raw & 0xfe000000u) >> 20) |
				 rd);
		if (f3 > 3 || !store(q, get(x, rs2), a + imm, 1u << f3))
			return 0;
		break;
	default:
		return 0;
	}
	q->pc = next;
	return 1;
}

/* The 6-bit immediate of C.ADDI, C.LI, C.LUI and C.ANDI (16.5). */
QUICK_INLINE uint64_t c_imm6(uint32_t c)
{
	return (uint64_t)insn_sext(
		insn_bits(c, 12, 12) << 5 | insn_bits(c, 6, 2), 6);
}

/* C.SRLI, C.SRAI, C.ANDI and the register-register forms (16.5). */
QUICK_INLINE int c_alu(struct quick *q, uint32_t c)
{
	uint64_t *x = q->x, v;
	unsigned rd = insn_bits(c, 9, 7) + 8, rs2 = insn_bits(c, 4, 2) + 8;
	unsigned sh = insn_bits(c, 12, 12) << 5 | insn_bits(c, 6, 2);
	uint64_t a = x[rd], b = x[rs2];

	switch (insn_bits(c, 11, 10)) {
	case 0:
		v = a >> sh;
		break;
	case 1:
		v = (uint64_t)((int64_t)a >> sh);
		break;
	case 2:
		v = a & c_imm6(c);
		break;
	default:
		switch (insn_bits(c, 12, 12) << 2 | insn_bits(c, 6, 5)) {
		case 0:
			v = a - b;
			break;
		case 1:
			v = a ^ b;
			break;
		case 2:
			v = a | b;
			break;
		case 3:
			v = a & b;
			break;
		case 4:
			v = sext32(a - b); /* C.SUBW */
			break;
		case 5:
			v = sext32(a + b); /* C.ADDW */
			break;
		default:
			return 0;
		}
	}
	x[rd] = v;
	return 1;
}

/* Quadrant 2's funct3 4: C.JR, C.MV, C.EBREAK, C.JALR, C.ADD. */
QUICK_INLINE int c_jr_mv_add(struct quick *q, uint32_t c, uint64_t *next)
{
	uint64_t *x = q->x;
	unsigned rd = insn_bits(c, 11, 7), rs2 = insn_bits(c, 6, 2);

	if (rs2) {
		put(x, rd, (insn_bits(c, 12, 12) ? get(x, rd) : 0) + x[rs2]);
		return 1;
	}
	if (!rd) /* reserved, or C.EBREAK */
		return 0;
	*next = x[rd] & ~1ULL;
	if (insn_bits(c, 12, 12)) /* C.JALR */
		x[1] = q->pc + 2;
	return 1;
}

/* The fields of a compressed instruction (16.2), taken where a case
 * needs them: computed all at once, they would not fit in registers. */
#define C_RD(c) insn_bits(c, 11, 7)
#define C_RS2(c) insn_bits(c, 6, 2)
#define C_RDP(c) (insn_bits(c, 4, 2) + 8)
#define C_RS1P(c) (insn_bits(c, 9, 7) + 8)
/* the offsets of C.LW and C.SW, of C.LD and C.SD */
#define C_W(c)                                                 \
	(insn_bits(c, 12, 10) << 3 | insn_bits(c, 6, 6) << 2 | \
	 insn_bits(c, 5, 5) << 6)
#define C_D(c) (insn_bits(c, 12, 10) << 3 | insn_bits(c, 6, 5) << 6)

QUICK_INLINE int step16(struct quick *q, uint32_t c)
{
	uint64_t *x = q->x, next = q->pc + 2, v, va;
	unsigned rd = C_RD(c), reg, width;

	switch ((c & 3) << 3 | insn_bits(c, 15, 13)) {
	case 0x00: /* C.ADDI4SPN */
		v = insn_bits(c, 12, 11) << 4 | insn_bits(c, 10, 7) << 6 |
		    insn_bits(c, 6, 6) << 2 | insn_bits(c, 5, 5) << 3;
		if (!v)
			return 0;
		x[C_RDP(c)] = get(x, 2) + v;
		break;
	case 0x02: /* C.LW */
		reg = C_RDP(c), va = x[C_RS1P(c)] + C_W(c), width = 4;
		goto load;
	case 0x03: /* C.LD */
		reg = C_RDP(c), va = x[C_RS1P(c)] + C_D(c), width = 8;
		goto load;
	case 0x06: /* C.SW */
		reg = C_RDP(c), va = x[C_RS1P(c)] + C_W(c), width = 4;
		goto store;
	case 0x07: /* C.SD */
		reg = C_RDP(c), va = x[C_RS1P(c)] + C_D(c), width = 8;
		goto store;
	case 0x08: /* C.ADDI, C.NOP */
		put(x, rd, get(x, rd) + c_imm6(c));
		break;
	case 0x09: /* C.ADDIW */
		if (!rd)
			return 0;
		x[rd] = sext32(x[rd] + c_imm6(c));
		break;
	case 0x0a: /* C.LI */
		put(x, rd, c_imm6(c));
		break;
	case 0x0b: /* C.ADDI16SP, C.LUI */
		if (rd == 2) {
			v = (uint64_t)(int64_t)rvc_addi16sp_imm(c);
			if (!v)
				return 0;
			x[2] += v;
		} else {
			if (!c_imm6(c))
				return 0;
			put(x, rd, c_imm6(c) << 12);
		}
		break;
	case 0x0c:
		if (!c_alu(q, c))
			return 0;
		break;
	case 0x0d: /* C.J */
		next = q->pc + (uint64_t)(int64_t)rvc_j_imm(c);
		break;
	case 0x0e: /* C.BEQZ */
	case 0x0f: /* C.BNEZ */
		if ((x[C_RS1P(c)] == 0) ^ (c >> 13 & 1))
			next = q->pc + (uint64_t)(int64_t)rvc_b_imm(c);
		break;
	case 0x10: /* C.SLLI */
		put(x, rd,
		    get(x, rd) << (insn_bits(c, 12, 12) << 5 |
				   insn_bits(c, 6, 2)));
		break;
	case 0x12: /* C.LWSP */
		v = insn_bits(c, 12, 12) << 5 | insn_bits(c, 6, 4) << 2 |
		    insn_bits(c, 3, 2) << 6;
		if (!rd) /* reserved */
			return 0;
		reg = rd, va = x[2] + v, width = 4;
		goto load;
	case 0x13: /* C.LDSP */
		v = insn_bits(c, 12, 12) << 5 | insn_bits(c, 6, 5) << 3 |
		    insn_bits(c, 4, 2) << 6;
		if (!rd) /* reserved */
			return 0;
		reg = rd, va = x[2] + v, width = 8;
		goto load;
	case 0x14:
		if (!c_jr_mv_add(q, c, &next))
			return 0;
		break;
	case 0x16: /* C.SWSP */
		v = insn_bits(c, 12, 9) << 2 | insn_bits(c, 8, 7) << 6;
		reg = C_RS2(c), va = x[2] + v, width = 4;
		goto store;
	case 0x17: /* C.SDSP */
		v = insn_bits(c, 12, 10) << 3 | insn_bits(c, 9, 7) << 6;
		reg = C_RS2(c), va = x[2] + v, width = 8;
		goto store;
	default: /* floating point */
		return 0;
	}
	q->pc = next;
	return 1;
load: /* one load and one store for all their forms: the code is smaller */
	if (!load(q, reg, va, width, width == 4))
		return 0;
	q->pc = next;
	return 1;
store:
	if (!store(q, get(x, reg), va, width))
		return 0;
	q->pc = next;
	return 1;
}

/* The run works on a copy of *q that lives in registers: nothing it
 * stores (a guest register, guest RAM) can then be taken to change
 * where the next instruction comes from. x[0], which the caller keeps
 * for itself, holds 0 during the run and gets its value back. The pc
 * stays even once it is (every way it changes here keeps it so). */
__attribute__((optimize("no-jump-tables"), noinline, aligned(4096))) unsigned
quick_run(struct quick *q, unsigned max)
{
	struct quick l = *q;
	uint64_t x0 = l.x[0];
	uint64_t code_end = l.flat_size >= 4 ? l.flat_size - 3 : 0;
	unsigned n;

	l.last_privileged = 0;
	l.hart_changed = 0;
	l.no_stores = l.resv && l.resv->valid;
	if (__atomic_load_n(l.flush, __ATOMIC_ACQUIRE) || (l.pc & 1))
		return 0;
	l.x[0] = 0;
	for (n = 0; n < max; n++) {
		const uint16_t *p;
		unsigned room;
		uint16_t lo;

		p = code(&l, l.pc, code_end, &room);
		if (!p)
			break;
		lo = p[0];
		if ((lo & 3) != 3) {
			if (!step16(&l, lo))
				break;
			continue;
		}
		if (room < 4) /* it straddles two pages */
			break;
		if (!step32(&l, (uint32_t)p[1] << 16 | lo))
			break;
		if ((lo & 0x7f) != 0x73)
			continue;
		l.last_privileged = n + 1;
		if (l.hart_changed) {
			n++;
			break;
		}
	}
	l.x[0] = x0;
	q->pc = l.pc;
	q->last_privileged = l.last_privileged;
	q->hart_changed = l.hart_changed;
	return n;
}
