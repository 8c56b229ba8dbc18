// SPDX-License-Identifier: MIT
/*
 * The virtual hart's CSR file and trap rules, after the RISC-V privileged
 * architecture 1.12: CSR address conventions (2.1), mstatus and its sstatus
 * view (3.1.6, 4.1.1), delegation (3.1.8), mip/mie and interrupt priority
 * (3.1.9), traps (3.1.15, 3.3.1), MRET/SRET (3.3.2), Sstc's stimecmp.
 */
#include <string.h>

#include "hart.h"

#define CSR_SCOUNTEREN 0x106
#define CSR_SENVCFG 0x10a
#define CSR_STIMECMP 0x14d
#define CSR_SATP 0x180
#define CSR_MSTATUS 0x300
#define CSR_MISA 0x301
#define CSR_MEDELEG 0x302
#define CSR_MIDELEG 0x303
#define CSR_MIE 0x304
#define CSR_MTVEC 0x305
#define CSR_MCOUNTEREN 0x306
#define CSR_MENVCFG 0x30a
#define CSR_MCOUNTINHIBIT 0x320
#define CSR_MSCRATCH 0x340
#define CSR_MEPC 0x341
#define CSR_MCAUSE 0x342
#define CSR_MTVAL 0x343
#define CSR_MIP 0x344
#define CSR_PMPCFG0 0x3a0
#define CSR_PMPADDR0 0x3b0
#define CSR_MVENDORID 0xf11
#define CSR_MHARTID 0xf14
#define CSR_MCONFIGPTR 0xf15
#define CSR_CYCLE 0xc00
#define CSR_TIME 0xc01
#define CSR_HPMCOUNTER31 0xc1f
#define CSR_MCYCLE 0xb00
#define CSR_MHPMCOUNTER31 0xb1f
#define CSR_MHPMEVENT3 0x323
#define CSR_MHPMEVENT31 0x33f

#define MSTATUS_WRITABLE                                                       \
	(MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE |             \
	 MSTATUS_SPP | MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | \
	 MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define SSTATUS_VIEW                                                           \
	(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_UBE | MSTATUS_SPP | MSTATUS_VS | \
	 MSTATUS_FS | MSTATUS_XS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL |   \
	 MSTATUS_SD)
#define SSTATUS_WRITABLE                                                       \
	(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | \
	 MSTATUS_MXR)
#define S_INTERRUPTS (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define ALL_INTERRUPTS (S_INTERRUPTS | MIP_MSIP | MIP_MTIP | MIP_MEIP)
/* Exceptions M-mode may delegate: all but ECALL from M (3.1.8). */
#define MEDELEG_WRITABLE (0xffffULL & ~(1ULL << EXC_ECALL_M))
#define XLEN_64 2ULL

void hart_reset(struct hart *h, uint64_t hartid, uint64_t entry)
{
	uint64_t (*time)(void *) = h->time;
	void *opaque = h->time_opaque;

	memset(h, 0, sizeof(*h));
	h->time = time;
	h->time_opaque = opaque;
	h->priv = PRIV_M;
	h->pc = entry;
	h->hartid = hartid;
	/* RV64 (MXL 2) with A C D F I M S U. */
	h->misa = 2ULL << 62 | 1 << ('a' - 'a') | 1 << ('c' - 'a') |
		  1 << ('d' - 'a') | 1 << ('f' - 'a') | 1 << ('i' - 'a') |
		  1 << ('m' - 'a') | 1 << ('s' - 'a') | 1 << ('u' - 'a');
	h->mstatus = XLEN_64 << 32 | XLEN_64 << 34;
	h->stimecmp = ~0ULL;
}

static uint64_t now(const struct hart *h)
{
	return h->time ? h->time(h->time_opaque) : 0;
}

uint64_t hart_mip(const struct hart *h)
{
	uint64_t mip = h->mip;

	if (h->menvcfg & MENVCFG_STCE) {
		mip &= ~MIP_STIP;
		if (now(h) >= h->stimecmp)
			mip |= MIP_STIP;
	}
	return mip;
}

/*
 * The guest's floating-point instructions run natively, where nothing
 * tells us they wrote a register: so FS, once not Off, is always Dirty
 * (3.1.6.6 allows an implementation that does not track it to do so), or
 * a kernel would think a task's registers clean, never save them, and
 * load stale ones over them on its next context switch.
 */
static uint64_t with_sd(uint64_t mstatus)
{
	mstatus &= ~MSTATUS_SD;
	if (mstatus & MSTATUS_FS)
		mstatus |= MSTATUS_FS | MSTATUS_SD;
	return mstatus;
}

static void write_mstatus(struct hart *h, uint64_t v, uint64_t writable)
{
	uint64_t mpp = (v & MSTATUS_MPP) >> 11;

	/* MPP is WARL: 2 (the H-mode encoding) does not exist here. */
	if ((writable & MSTATUS_MPP) && mpp == 2)
		v = (v & ~MSTATUS_MPP) | (h->mstatus & MSTATUS_MPP);
	h->mstatus = with_sd((h->mstatus & ~writable) | (v & writable));
}

static uint64_t tvec(uint64_t v)
{
	/* MODE 0 direct and 1 vectored; the reserved modes read as direct. */
	return (v & 3) > 1 ? v & ~3ULL : v;
}

static int counter_allowed(const struct hart *h, unsigned csr)
{
	uint64_t bit = 1ULL << (csr & 31);

	if (h->priv == PRIV_M)
		return 1;
	if (!(h->mcounteren & bit))
		return 0;
	return h->priv == PRIV_S || (h->scounteren & bit);
}

/* Read csr into *v: -1 when it does not exist or may not be read here. */
static int csr_read(struct hart *h, unsigned csr, uint64_t *v)
{
	if (csr >= CSR_CYCLE && csr <= CSR_HPMCOUNTER31) {
		if (!counter_allowed(h, csr))
			return -1;
		*v = csr == CSR_TIME ? now(h) : 0;
		return 0;
	}
	if ((csr >= CSR_MCYCLE && csr <= CSR_MHPMCOUNTER31) ||
	    (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31) ||
	    csr == CSR_MCOUNTINHIBIT ||
	    (csr >= CSR_MVENDORID && csr <= CSR_MCONFIGPTR &&
	     csr != CSR_MHARTID)) {
		*v = 0; /* no performance counters; ids are zero */
		return 0;
	}
	if (csr >= CSR_PMPCFG0 && csr < CSR_PMPCFG0 + 16) {
		if (csr & 1)
			return -1; /* odd pmpcfg registers are RV32 only */
		*v = h->pmpcfg[csr - CSR_PMPCFG0];
		return 0;
	}
	if (csr >= CSR_PMPADDR0 && csr < CSR_PMPADDR0 + 64) {
		*v = h->pmpaddr[csr - CSR_PMPADDR0];
		return 0;
	}
	switch (csr) {
	case CSR_SSTATUS:
		*v = with_sd(h->mstatus) & SSTATUS_VIEW;
		return 0;
	case CSR_SIE:
		*v = h->mie & h->mideleg;
		return 0;
	case CSR_SIP:
		*v = hart_mip(h) & h->mideleg;
		return 0;
	case CSR_STVEC:
		*v = h->stvec;
		return 0;
	case CSR_SCOUNTEREN:
		*v = h->scounteren;
		return 0;
	case CSR_SENVCFG:
		*v = h->senvcfg;
		return 0;
	case CSR_SSCRATCH:
		*v = h->sscratch;
		return 0;
	case CSR_SEPC:
		*v = h->sepc;
		return 0;
	case CSR_SCAUSE:
		*v = h->scause;
		return 0;
	case CSR_STVAL:
		*v = h->stval;
		return 0;
	case CSR_STIMECMP:
		/* Sstc: S-mode needs menvcfg.STCE and mcounteren.TM. */
		if (h->priv == PRIV_S &&
		    (!(h->menvcfg & MENVCFG_STCE) || !(h->mcounteren & 2)))
			return -1;
		*v = h->stimecmp;
		return 0;
	case CSR_SATP:
		if (h->priv == PRIV_S && (h->mstatus & MSTATUS_TVM))
			return -1;
		*v = h->satp;
		return 0;
	case CSR_MSTATUS:
		*v = with_sd(h->mstatus);
		return 0;
	case CSR_MISA:
		*v = h->misa;
		return 0;
	case CSR_MEDELEG:
		*v = h->medeleg;
		return 0;
	case CSR_MIDELEG:
		*v = h->mideleg;
		return 0;
	case CSR_MIE:
		*v = h->mie;
		return 0;
	case CSR_MIP:
		*v = hart_mip(h);
		return 0;
	case CSR_MTVEC:
		*v = h->mtvec;
		return 0;
	case CSR_MCOUNTEREN:
		*v = h->mcounteren;
		return 0;
	case CSR_MENVCFG:
		*v = h->menvcfg;
		return 0;
	case CSR_MSCRATCH:
		*v = h->mscratch;
		return 0;
	case CSR_MEPC:
		*v = h->mepc;
		return 0;
	case CSR_MCAUSE:
		*v = h->mcause;
		return 0;
	case CSR_MTVAL:
		*v = h->mtval;
		return 0;
	case CSR_MHARTID:
		*v = h->hartid;
		return 0;
	}
	return -1;
}

static void write_satp(struct hart *h, uint64_t v)
{
	uint64_t mode = v >> 60;

	/* An unsupported MODE makes the whole write have no effect (4.1.11). */
	if (mode != SATP_MODE_BARE && mode != SATP_MODE_SV39 &&
	    mode != SATP_MODE_SV48)
		return;
	h->satp = v & (0xfULL << 60 | 0xffffULL << 44 | ((1ULL << 44) - 1));
}

/* Write csr (already known to exist and be readable here). */
static void csr_write(struct hart *h, unsigned csr, uint64_t v)
{
	if (csr >= CSR_PMPCFG0 && csr < CSR_PMPCFG0 + 16) {
		h->pmpcfg[csr - CSR_PMPCFG0] = v; /* accepted, not enforced */
		return;
	}
	if (csr >= CSR_PMPADDR0 && csr < CSR_PMPADDR0 + 64) {
		h->pmpaddr[csr - CSR_PMPADDR0] = v & ((1ULL << 54) - 1);
		return;
	}
	switch (csr) {
	case CSR_SSTATUS:
		write_mstatus(h, v, SSTATUS_WRITABLE);
		break;
	case CSR_SIE:
		h->mie = (h->mie & ~h->mideleg) | (v & h->mideleg);
		break;
	case CSR_SIP:
		/* Only SSIP is writable from S, and only when delegated. */
		h->mip = (h->mip & ~(h->mideleg & MIP_SSIP)) |
			 (v & h->mideleg & MIP_SSIP);
		break;
	case CSR_STVEC:
		h->stvec = tvec(v);
		break;
	case CSR_SCOUNTEREN:
		h->scounteren = v & 0xffffffffULL;
		break;
	case CSR_SENVCFG:
		h->senvcfg = v & 1; /* FIOM */
		break;
	case CSR_SSCRATCH:
		h->sscratch = v;
		break;
	case CSR_SEPC:
		h->sepc = v & ~1ULL;
		break;
	case CSR_SCAUSE:
		h->scause = v;
		break;
	case CSR_STVAL:
		h->stval = v;
		break;
	case CSR_STIMECMP:
		h->stimecmp = v;
		break;
	case CSR_SATP:
		write_satp(h, v);
		break;
	case CSR_MSTATUS:
		write_mstatus(h, v, MSTATUS_WRITABLE);
		break;
	case CSR_MEDELEG:
		h->medeleg = v & MEDELEG_WRITABLE;
		break;
	case CSR_MIDELEG:
		h->mideleg = v & S_INTERRUPTS;
		break;
	case CSR_MIE:
		h->mie = v & ALL_INTERRUPTS;
		break;
	case CSR_MIP: {
		/* MSIP, MTIP, MEIP come from devices; STIP from stimecmp
		 * when Sstc is on. */
		uint64_t w = S_INTERRUPTS;

		if (h->menvcfg & MENVCFG_STCE)
			w &= ~MIP_STIP;
		h->mip = (h->mip & ~w) | (v & w);
		break;
	}
	case CSR_MTVEC:
		h->mtvec = tvec(v);
		break;
	case CSR_MCOUNTEREN:
		h->mcounteren = v & 0xffffffffULL;
		break;
	case CSR_MENVCFG:
		h->menvcfg = v & (MENVCFG_STCE | 1);
		break;
	case CSR_MSCRATCH:
		h->mscratch = v;
		break;
	case CSR_MEPC:
		h->mepc = v & ~1ULL;
		break;
	case CSR_MCAUSE:
		h->mcause = v;
		break;
	case CSR_MTVAL:
		h->mtval = v;
		break;
	default:
		break; /* misa, counters, ids: writes ignored */
	}
}

int hart_csr_read(struct hart *h, unsigned csr, uint64_t *v)
{
	if (h->priv < ((csr >> 8) & 3))
		return -1;
	return csr_read(h, csr, v);
}

int hart_csr_write(struct hart *h, unsigned csr, uint64_t v)
{
	uint64_t old;

	if ((csr >> 10) == 3 || hart_csr_read(h, csr, &old))
		return -1;
	csr_write(h, csr, v);
	return 0;
}

int hart_csr(struct hart *h, const struct insn *in, uint64_t src,
	     uint64_t *rd_value)
{
	unsigned csr = in->csr & 0xfff;
	/* CSRRW always writes; CSRRS/CSRRC only with a non-zero source
	 * register number or immediate (2.1, Zicsr). */
	int writes = in->csr_op == CSR_RW || in->rs1 != 0;
	uint64_t old, v;

	if (writes && (csr >> 10) == 3)
		return -1; /* read-only CSR */
	if (hart_csr_read(h, csr, &old))
		return -1;
	*rd_value = old;
	if (!writes)
		return 0;
	switch (in->csr_op) {
	case CSR_RW:
		v = src;
		break;
	case CSR_RS:
		v = old | src;
		break;
	default:
		v = old & ~src;
		break;
	}
	csr_write(h, csr, v);
	return 0;
}

static uint64_t trap_target(uint64_t vec, int interrupt, uint64_t code)
{
	uint64_t base = vec & ~3ULL;

	return (vec & 3) == 1 && interrupt ? base + 4 * code : base;
}

void hart_trap(struct hart *h, uint64_t cause, uint64_t tval)
{
	int interrupt = !!(cause & CAUSE_INTERRUPT);
	uint64_t code = cause & ~CAUSE_INTERRUPT;
	uint64_t deleg = interrupt ? h->mideleg : h->medeleg;
	uint64_t s = h->mstatus;

	/* Traps never go to a lower privilege than the current one. */
	if (h->priv <= PRIV_S && code < 64 && ((deleg >> code) & 1)) {
		h->scause = cause;
		h->sepc = h->pc;
		h->stval = tval;
		s = (s & ~MSTATUS_SPIE) |
		    ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
		s &= ~MSTATUS_SIE;
		s = (s & ~MSTATUS_SPP) | (h->priv == PRIV_S ? MSTATUS_SPP : 0);
		h->mstatus = s;
		h->priv = PRIV_S;
		h->pc = trap_target(h->stvec, interrupt, code);
		return;
	}
	h->mcause = cause;
	h->mepc = h->pc;
	h->mtval = tval;
	s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
	s &= ~MSTATUS_MIE;
	s = (s & ~MSTATUS_MPP) | ((uint64_t)h->priv << 11);
	h->mstatus = s;
	h->priv = PRIV_M;
	h->pc = trap_target(h->mtvec, interrupt, code);
}

uint64_t hart_pending_interrupt(struct hart *h)
{
	static const unsigned order[] = { IRQ_M_EXT, IRQ_M_SOFT, IRQ_M_TIMER,
					  IRQ_S_EXT, IRQ_S_SOFT, IRQ_S_TIMER };
	uint64_t pending = hart_mip(h) & h->mie, m, s = 0;
	int m_on = h->priv < PRIV_M || (h->mstatus & MSTATUS_MIE);
	int s_on = h->priv < PRIV_S ||
		   (h->priv == PRIV_S && (h->mstatus & MSTATUS_SIE));
	unsigned i;

	m = m_on ? pending & ~h->mideleg : 0;
	s = s_on ? pending & h->mideleg : 0;
	/* M-destined interrupts first, then S-destined; each in order. */
	for (i = 0; i < 6; i++)
		if (m & (1ULL << order[i]))
			return CAUSE_INTERRUPT | order[i];
	for (i = 0; i < 6; i++)
		if (s & (1ULL << order[i]))
			return CAUSE_INTERRUPT | order[i];
	return 0;
}

int hart_mret(struct hart *h)
{
	uint64_t s = h->mstatus;
	enum priv pp = (enum priv)((s & MSTATUS_MPP) >> 11);

	if (h->priv < PRIV_M)
		return -1;
	s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
	s |= MSTATUS_MPIE;
	s &= ~MSTATUS_MPP; /* MPP becomes U, the least privileged mode */
	if (pp != PRIV_M)
		s &= ~MSTATUS_MPRV;
	h->mstatus = s;
	h->priv = pp;
	h->pc = h->mepc;
	return 0;
}

int hart_sret(struct hart *h)
{
	uint64_t s = h->mstatus;
	enum priv pp = (s & MSTATUS_SPP) ? PRIV_S : PRIV_U;

	if (h->priv < PRIV_S || (h->priv == PRIV_S && (s & MSTATUS_TSR)))
		return -1;
	s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
	s |= MSTATUS_SPIE;
	s &= ~MSTATUS_SPP;
	s &= ~MSTATUS_MPRV; /* SRET never returns to M */
	h->mstatus = s;
	h->priv = pp;
	h->pc = h->sepc;
	return 0;
}
