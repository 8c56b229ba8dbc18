// SPDX-License-Identifier: MIT
/*
 * The fast path's side in vmm (exec.h). A process that runs S-mode code
 * only keeps copies of the S-level CSRs a kernel touches all the time in
 * its region, and its handler serves the accesses that change nothing vmm
 * must act on without a park (sandbox_page.S). vmm writes the copies at
 * each resume and takes them back at each park, as the guest's claim:
 * only what S-mode may write with a CSR instruction of its own, through
 * the virtual hart's own WARL rules, so a claim does exactly what those
 * instructions would have done. A process of U-mode code never has the
 * fast path on; guest code there that turns it on in its own region only
 * changes copies vmm never reads.
 */
#include <stdlib.h>
#include <string.h>

#include "../vm.h"
#include "exec.h"

/* The CSRs the region holds, in its order (struct sandbox_csrs). */
static const unsigned fast_csrs[] = {
	CSR_SSTATUS,  CSR_SIE,	CSR_SIP,    CSR_STVEC,
	CSR_SSCRATCH, CSR_SEPC, CSR_SCAUSE, CSR_STVAL,
};

_Static_assert(sizeof(fast_csrs) / sizeof(fast_csrs[0]) ==
		       sizeof(struct sandbox_csrs) / sizeof(uint64_t),
	       "fast path CSRs");

int trap_fast_wanted(void)
{
	const char *env = getenv("VMM_TRAP_FAST");

	return !env || strcmp(env, "0") != 0;
}

/* The guest runs S-mode code next, in a process whose every executable
 * page the handler may read its instruction from. */
static int fast_allowed(const struct trap_vcpu *v)
{
	const struct trap *t = v->vm->backend_data;

	return t->fast && v->hart.priv == PRIV_S &&
	       !v->spaces[v->cur].exec_only;
}

/* When STIP comes by the clock alone: the SBI timer's deadline, or Sstc's
 * stimecmp; ~0 for an M-mode guest's own timer (M-mode software sets
 * STIP) or when the timer is not S-mode's. */
static uint64_t s_timer_deadline(const struct trap_vcpu *v)
{
	const struct trap *t = v->vm->backend_data;

	if (!(v->hart.mideleg & MIP_STIP))
		return ~0ULL;
	if (v->hart.menvcfg & MENVCFG_STCE)
		return v->hart.stimecmp;
	return t->m_mode ? ~0ULL : v->timer_deadline;
}

void trap_fast_push(struct trap_vcpu *v, struct sandbox *box)
{
	uint64_t *copy = (uint64_t *)&box->mb->csr;
	unsigned i;

	box->fast = fast_allowed(v);
	box->mb->fast = (uint64_t)box->fast;
	if (!box->fast)
		return;
	for (i = 0; i < sizeof(fast_csrs) / sizeof(fast_csrs[0]); i++) {
		uint64_t val = 0;

		hart_csr_read(&v->hart, fast_csrs[i], &val);
		copy[i] = val;
	}
	box->mb->timer = s_timer_deadline(v);
	box->sip_told = box->mb->csr.sip;
	box->fast_seen = box->mb->fast_count;
}

void trap_fast_pull(struct trap_vcpu *v, struct sandbox *box)
{
	struct sandbox_csrs c;
	uint64_t count, sstatus;

	if (!box->fast)
		return;
	box->fast = 0;
	memcpy(&c, (const void *)&box->mb->csr, sizeof(c)); /* once */
	count = box->mb->fast_count;
	v->stats.fast += (uint32_t)(count - box->fast_seen);
	/* the fast path changes SIE of sstatus only, and sie and sip not
	 * at all: anything else it claims is ignored */
	if (hart_csr_read(&v->hart, CSR_SSTATUS, &sstatus))
		return;
	sstatus = (sstatus & ~MSTATUS_SIE) | (c.sstatus & MSTATUS_SIE);
	hart_csr_write(&v->hart, CSR_SSTATUS, sstatus);
	hart_csr_write(&v->hart, CSR_STVEC, c.stvec);
	hart_csr_write(&v->hart, CSR_SSCRATCH, c.sscratch);
	hart_csr_write(&v->hart, CSR_SEPC, c.sepc);
	hart_csr_write(&v->hart, CSR_SCAUSE, c.scause);
	hart_csr_write(&v->hart, CSR_STVAL, c.stval);
}

int trap_fast_unaware(struct trap_vcpu *v, const struct sandbox *box)
{
	uint64_t sie = 0, sip = 0;

	if (!box->fast)
		return 0;
	hart_csr_read(&v->hart, CSR_SIE, &sie);
	hart_csr_read(&v->hart, CSR_SIP, &sip);
	return !!(sie & sip & ~box->sip_told);
}
