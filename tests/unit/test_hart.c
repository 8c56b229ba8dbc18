// SPDX-License-Identifier: MIT
/* The virtual hart against the privileged spec's rules, corner cases
 * first. */
#include "unit.h"

#include "../../vmm/trap/hart.h"

static struct hart h;
static uint64_t fake_time;

static uint64_t get_time(void *o)
{
	(void)o;
	return fake_time;
}

static int setup(void **state)
{
	(void)state;
	h.time = get_time;
	hart_reset(&h, 0, 0x80000000ULL);
	fake_time = 1000;
	return 0;
}

/* csrrw/csrrs/csrrc with a register source (rs1 = 5 unless zero). */
static int csr(unsigned num, enum csr_op op, uint64_t src, int rs1_zero,
	       uint64_t *old)
{
	struct insn in = { .kind = INSN_CSR,
			   .csr = num,
			   .csr_op = op,
			   .rs1 = rs1_zero ? 0 : 5 };
	uint64_t dummy;

	return hart_csr(&h, &in, src, old ? old : &dummy);
}

static uint64_t rd(unsigned num)
{
	uint64_t v = 0xdead;

	assert_int_equal(csr(num, CSR_RS, 0, 1, &v), 0);
	return v;
}

static void wr(unsigned num, uint64_t v)
{
	assert_int_equal(csr(num, CSR_RW, v, 0, NULL), 0);
}

static void test_reset_state(void **state)
{
	(void)state;
	assert_int_equal(h.priv, PRIV_M);
	assert_int_equal(h.pc, 0x80000000ULL);
	assert_int_equal(rd(0x301) >> 62, 2); /* misa MXL 64 */
	assert_true(rd(0x301) & (1 << ('s' - 'a')));
	assert_int_equal((rd(0x300) >> 32) & 0xf, 0xa); /* UXL = SXL = 64 */
	assert_int_equal(rd(0xf14), 0); /* mhartid */
}

/* FP runs natively, untracked: FS Initial or Clean reads Dirty, so a
 * kernel saves a task's FP registers before it switches away. */
static void test_fs_on_is_dirty(void **state)
{
	(void)state;
	wr(0x100, 1ULL << 13); /* FS = Initial, as Linux starts a task */
	assert_int_equal((rd(0x100) >> 13) & 3, 3);
	assert_true(rd(0x100) & MSTATUS_SD);
	wr(0x100, 2ULL << 13); /* Clean */
	assert_int_equal((rd(0x100) >> 13) & 3, 3);
	wr(0x100, 0); /* Off stays off */
	assert_int_equal((rd(0x100) >> 13) & 3, 0);
	assert_false(rd(0x100) & MSTATUS_SD);
}

static void test_sstatus_is_a_masked_view(void **state)
{
	(void)state;
	wr(0x300, ~0ULL); /* everything writable in mstatus */
	assert_true(rd(0x300) & MSTATUS_MIE);
	assert_true(rd(0x300) & MSTATUS_SD); /* FS dirty */
	assert_false(rd(0x100) & MSTATUS_MIE); /* not in the S view */
	assert_false(rd(0x100) & MSTATUS_MPP);
	assert_true(rd(0x100) & MSTATUS_SIE);
	assert_true(rd(0x100) & MSTATUS_SD);
	wr(0x100, 0); /* clears only S-visible writable bits */
	assert_true(rd(0x300) & MSTATUS_MIE);
	assert_true(rd(0x300) & MSTATUS_TSR);
	assert_false(rd(0x300) & MSTATUS_SIE);
	assert_false(rd(0x300) & MSTATUS_SUM);
	/* UXL stays 64 through an sstatus write of zero. */
	assert_int_equal((rd(0x100) >> 32) & 3, 2);
}

static void test_mpp_warl(void **state)
{
	(void)state;
	wr(0x300, 1ULL << 11); /* MPP = S */
	assert_int_equal((rd(0x300) >> 11) & 3, 1);
	wr(0x300, 2ULL << 11); /* MPP = 2 does not exist: unchanged */
	assert_int_equal((rd(0x300) >> 11) & 3, 1);
}

static void test_privilege_and_read_only_checks(void **state)
{
	uint64_t v;

	(void)state;
	h.priv = PRIV_S;
	assert_int_equal(csr(0x300, CSR_RS, 0, 1, &v), -1); /* mstatus from S */
	assert_int_equal(csr(0x100, CSR_RS, 0, 1, &v), 0);
	h.priv = PRIV_U;
	assert_int_equal(csr(0x100, CSR_RS, 0, 1, &v), -1); /* sstatus from U */
	h.priv = PRIV_M;
	/* Reading a read-only CSR is fine; csrrs with x0 does not write... */
	assert_int_equal(csr(0xf14, CSR_RS, 0, 1, &v), 0);
	/* ...but csrrw always writes, even from x0. */
	assert_int_equal(csr(0xf14, CSR_RW, 0, 1, &v), -1);
	assert_int_equal(csr(0xf14, CSR_RS, 1, 0, &v), -1);
	assert_int_equal(csr(0x7c0, CSR_RS, 0, 1, &v), -1); /* no such CSR */
	assert_int_equal(csr(0x3a1, CSR_RS, 0, 1, &v), -1); /* pmpcfg1: RV32 */
	wr(0x3a0, 0x1f);
	assert_int_equal(rd(0x3a0), 0x1f);
}

static void test_satp_modes_and_tvm(void **state)
{
	uint64_t v;

	(void)state;
	wr(0x180, 8ULL << 60 | 0x1234); /* Sv39 */
	assert_int_equal(rd(0x180), 8ULL << 60 | 0x1234);
	wr(0x180, 10ULL << 60 | 0x99); /* Sv57: unsupported, no effect */
	assert_int_equal(rd(0x180), 8ULL << 60 | 0x1234);
	wr(0x180, 9ULL << 60 | 0x55); /* Sv48 */
	assert_int_equal(rd(0x180) >> 60, 9);
	wr(0x300, MSTATUS_TVM);
	h.priv = PRIV_S;
	assert_int_equal(csr(0x180, CSR_RS, 0, 1, &v), -1);
}

static void test_delegation_registers(void **state)
{
	(void)state;
	wr(0x302, ~0ULL);
	assert_int_equal(rd(0x302), 0xffffULL & ~(1ULL << 11)); /* no ECALL_M */
	wr(0x303, ~0ULL);
	assert_int_equal(rd(0x303), MIP_SSIP | MIP_STIP | MIP_SEIP);
	wr(0x304, ~0ULL);
	assert_int_equal(rd(0x304), 0xaaa);
	assert_int_equal(rd(0x104),
			 MIP_SSIP | MIP_STIP | MIP_SEIP); /* sie view */
	wr(0x104, 0);
	assert_int_equal(rd(0x304), MIP_MSIP | MIP_MTIP | MIP_MEIP);
}

static void test_mip_writes(void **state)
{
	(void)state;
	wr(0x344, ~0ULL); /* only SSIP, STIP, SEIP are software-writable */
	assert_int_equal(rd(0x344), MIP_SSIP | MIP_STIP | MIP_SEIP);
	wr(0x303, MIP_SSIP);
	wr(0x144, 0); /* sip: clears SSIP only */
	assert_int_equal(rd(0x344), MIP_STIP | MIP_SEIP);
	assert_int_equal(rd(0x144), 0);
}

static void test_tvec_modes(void **state)
{
	(void)state;
	wr(0x105, 0x80001001ULL); /* vectored */
	assert_int_equal(rd(0x105), 0x80001001ULL);
	wr(0x105, 0x80001003ULL); /* reserved mode */
	assert_int_equal(rd(0x105), 0x80001000ULL);
	wr(0x341, 0x80000003ULL); /* mepc bit 0 is zero */
	assert_int_equal(rd(0x341), 0x80000002ULL);
}

static void test_exception_to_m_and_mret(void **state)
{
	(void)state;
	wr(0x305, 0x80000100ULL);
	wr(0x300, MSTATUS_MIE);
	h.priv = PRIV_U;
	h.pc = 0x1000;
	hart_trap(&h, EXC_ECALL_U, 0);
	assert_int_equal(h.priv, PRIV_M);
	assert_int_equal(h.pc, 0x80000100ULL);
	assert_int_equal(h.mepc, 0x1000);
	assert_int_equal(h.mcause, EXC_ECALL_U);
	assert_int_equal((h.mstatus >> 11) & 3, PRIV_U); /* MPP */
	assert_true(h.mstatus & MSTATUS_MPIE);
	assert_false(h.mstatus & MSTATUS_MIE);
	h.mepc = 0x1004;
	assert_int_equal(hart_mret(&h), 0);
	assert_int_equal(h.priv, PRIV_U);
	assert_int_equal(h.pc, 0x1004);
	assert_true(h.mstatus & MSTATUS_MIE);
	assert_true(h.mstatus & MSTATUS_MPIE);
	assert_int_equal((h.mstatus >> 11) & 3, PRIV_U);
	assert_int_equal(hart_mret(&h), -1); /* MRET from U */
}

static void test_mret_to_s_clears_mprv(void **state)
{
	(void)state;
	h.mstatus |= MSTATUS_MPRV | (1ULL << 11);
	h.mepc = 0x80200000ULL;
	assert_int_equal(hart_mret(&h), 0);
	assert_int_equal(h.priv, PRIV_S);
	assert_false(h.mstatus & MSTATUS_MPRV);
}

static void test_delegated_exception_to_s_and_sret(void **state)
{
	(void)state;
	wr(0x302, 1ULL << EXC_ECALL_U | 1ULL << EXC_LOAD_PAGE_FAULT);
	wr(0x105, 0x80200101ULL); /* vectored: exceptions still go to base */
	wr(0x100, MSTATUS_SIE);
	h.priv = PRIV_U;
	h.pc = 0x2000;
	hart_trap(&h, EXC_LOAD_PAGE_FAULT, 0xdead000);
	assert_int_equal(h.priv, PRIV_S);
	assert_int_equal(h.pc, 0x80200100ULL);
	assert_int_equal(h.sepc, 0x2000);
	assert_int_equal(h.stval, 0xdead000);
	assert_false(h.mstatus & MSTATUS_SPP); /* came from U */
	assert_true(h.mstatus & MSTATUS_SPIE);
	assert_false(h.mstatus & MSTATUS_SIE);
	/* A trap in S that is delegated stays in S, SPP = S. */
	h.pc = 0x80200200ULL;
	hart_trap(&h, EXC_LOAD_PAGE_FAULT, 0);
	assert_true(h.mstatus & MSTATUS_SPP);
	/* Exceptions in M are never delegated. */
	h.priv = PRIV_M;
	hart_trap(&h, EXC_LOAD_PAGE_FAULT, 0);
	assert_int_equal(h.priv, PRIV_M);
	/* SRET back to U restores SIE from SPIE. */
	h.priv = PRIV_S;
	h.mstatus = (h.mstatus & ~MSTATUS_SPP) | MSTATUS_SPIE;
	h.sepc = 0x2004;
	assert_int_equal(hart_sret(&h), 0);
	assert_int_equal(h.priv, PRIV_U);
	assert_int_equal(h.pc, 0x2004);
	assert_true(h.mstatus & MSTATUS_SIE);
	assert_int_equal(hart_sret(&h), -1); /* from U */
}

static void test_sret_with_tsr(void **state)
{
	(void)state;
	h.priv = PRIV_S;
	h.mstatus |= MSTATUS_TSR;
	assert_int_equal(hart_sret(&h), -1);
	h.priv = PRIV_M; /* M may still SRET */
	assert_int_equal(hart_sret(&h), 0);
}

static void test_vectored_interrupt(void **state)
{
	(void)state;
	wr(0x303, MIP_STIP);
	wr(0x105, 0x80200001ULL);
	h.priv = PRIV_U;
	hart_trap(&h, CAUSE_INTERRUPT | IRQ_S_TIMER, 0);
	assert_int_equal(h.pc, 0x80200000ULL + 4 * IRQ_S_TIMER);
	assert_int_equal(h.scause, CAUSE_INTERRUPT | IRQ_S_TIMER);
}

static void test_interrupt_priority_and_enables(void **state)
{
	(void)state;
	wr(0x304, 0xaaa); /* all enabled */
	h.mip = MIP_MTIP | MIP_SEIP | MIP_MSIP;
	h.priv = PRIV_M;
	assert_int_equal(hart_pending_interrupt(&h), 0); /* MIE clear in M */
	h.mstatus |= MSTATUS_MIE;
	assert_int_equal(hart_pending_interrupt(&h),
			 CAUSE_INTERRUPT | IRQ_M_SOFT);
	h.mip |= MIP_MEIP;
	assert_int_equal(hart_pending_interrupt(&h),
			 CAUSE_INTERRUPT | IRQ_M_EXT);
	/* Delegated interrupts wait while in M, whatever SIE says. */
	h.mip = MIP_SEIP | MIP_SSIP;
	wr(0x303, MIP_SEIP | MIP_SSIP);
	h.mstatus |= MSTATUS_SIE;
	assert_int_equal(hart_pending_interrupt(&h), 0);
	/* In U they are taken, SEI before SSI. */
	h.priv = PRIV_U;
	assert_int_equal(hart_pending_interrupt(&h),
			 CAUSE_INTERRUPT | IRQ_S_EXT);
	/* In S with SIE clear: not taken; M-level ones are, MIE or not. */
	h.priv = PRIV_S;
	h.mstatus &= ~(MSTATUS_SIE | MSTATUS_MIE);
	assert_int_equal(hart_pending_interrupt(&h), 0);
	h.mip |= MIP_MTIP;
	assert_int_equal(hart_pending_interrupt(&h),
			 CAUSE_INTERRUPT | IRQ_M_TIMER);
	/* M-destined first even when an S one ranks higher in the list. */
	h.priv = PRIV_U;
	h.mip = MIP_SEIP | MIP_MTIP;
	assert_int_equal(hart_pending_interrupt(&h),
			 CAUSE_INTERRUPT | IRQ_M_TIMER);
	/* mie masks. */
	h.mie = 0;
	assert_int_equal(hart_pending_interrupt(&h), 0);
}

static void test_sstc(void **state)
{
	uint64_t v;

	(void)state;
	h.priv = PRIV_S;
	assert_int_equal(csr(0x14d, CSR_RS, 0, 1, &v), -1); /* STCE off */
	h.priv = PRIV_M;
	wr(0x30a, MENVCFG_STCE);
	wr(0x306, 2); /* mcounteren.TM */
	h.priv = PRIV_S;
	wr(0x14d, 2000);
	assert_false(rd(0x144) & MIP_STIP);
	h.priv = PRIV_M;
	wr(0x303, MIP_STIP);
	fake_time = 2000;
	assert_true(rd(0x344) & MIP_STIP);
	wr(0x344, 0); /* STIP is read-only under Sstc */
	assert_true(rd(0x344) & MIP_STIP);
}

static void test_counters(void **state)
{
	uint64_t v;

	(void)state;
	fake_time = 777;
	assert_int_equal(rd(0xc01), 777); /* M always */
	h.priv = PRIV_S;
	assert_int_equal(csr(0xc01, CSR_RS, 0, 1, &v), -1);
	h.mcounteren = 2;
	assert_int_equal(csr(0xc01, CSR_RS, 0, 1, &v), 0);
	h.priv = PRIV_U;
	assert_int_equal(csr(0xc01, CSR_RS, 0, 1, &v), -1); /* scounteren */
	h.scounteren = 2;
	assert_int_equal(csr(0xc01, CSR_RS, 0, 1, &v), 0);
	assert_int_equal(v, 777);
}

/* The single-register read and write the fast path's claims go through:
 * the checks and WARL rules of a CSR instruction. */
static void test_csr_read_write_helpers(void **state)
{
	uint64_t v = 0;

	(void)state;
	h.priv = PRIV_S;
	assert_int_equal(hart_csr_write(&h, CSR_STVEC, 0x80001002ULL), 0);
	assert_int_equal(hart_csr_read(&h, CSR_STVEC, &v), 0);
	assert_int_equal(v, 0x80001000ULL); /* reserved mode: direct */
	assert_int_equal(hart_csr_write(&h, CSR_SEPC, 0x80002001ULL), 0);
	assert_int_equal(rd(CSR_SEPC), 0x80002000ULL);
	assert_int_equal(hart_csr_write(&h, CSR_SSTATUS, ~0ULL), 0);
	assert_int_equal(h.mstatus & (MSTATUS_MIE | MSTATUS_MPP | MSTATUS_TSR),
			 0); /* the S view writes no M field */
	assert_true(h.mstatus & MSTATUS_SIE);
	assert_int_equal(hart_csr_write(&h, 0x300, 0), -1); /* mstatus */
	assert_int_equal(hart_csr_read(&h, 0x341, &v), -1); /* mepc */
	assert_int_equal(hart_csr_write(&h, 0xc01, 0), -1); /* time: RO */
	h.priv = PRIV_U;
	assert_int_equal(hart_csr_read(&h, CSR_SSCRATCH, &v), -1);
	assert_int_equal(hart_csr_write(&h, CSR_SSCRATCH, 1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_state, setup),
		cmocka_unit_test_setup(test_fs_on_is_dirty, setup),
		cmocka_unit_test_setup(test_sstatus_is_a_masked_view, setup),
		cmocka_unit_test_setup(test_mpp_warl, setup),
		cmocka_unit_test_setup(test_privilege_and_read_only_checks,
				       setup),
		cmocka_unit_test_setup(test_satp_modes_and_tvm, setup),
		cmocka_unit_test_setup(test_delegation_registers, setup),
		cmocka_unit_test_setup(test_mip_writes, setup),
		cmocka_unit_test_setup(test_tvec_modes, setup),
		cmocka_unit_test_setup(test_exception_to_m_and_mret, setup),
		cmocka_unit_test_setup(test_mret_to_s_clears_mprv, setup),
		cmocka_unit_test_setup(test_delegated_exception_to_s_and_sret,
				       setup),
		cmocka_unit_test_setup(test_sret_with_tsr, setup),
		cmocka_unit_test_setup(test_vectored_interrupt, setup),
		cmocka_unit_test_setup(test_interrupt_priority_and_enables,
				       setup),
		cmocka_unit_test_setup(test_sstc, setup),
		cmocka_unit_test_setup(test_counters, setup),
		cmocka_unit_test_setup(test_csr_read_write_helpers, setup),
	};

	return RUN(tests);
}
