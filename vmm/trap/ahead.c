// SPDX-License-Identifier: MIT
/*
 * Running ahead (exec.h). A trap costs a round trip to the guest process;
 * the instructions around a privileged one cost vmm almost nothing to run
 * itself. So after each trap the hart's thread goes on executing the
 * guest, as the hart would: integer arithmetic and jumps (interp.c),
 * loads, stores and atomics to RAM and devices (through the guest's
 * translation), CSRs, SBI calls, SRET and MRET, the traps any of them
 * raise, and the time and floating-point CSRs. It hands the guest back to
 * its process at the first instruction it does not run (floating point,
 * the cycle and instret counters, anything unknown, an access it cannot
 * make in one piece, an atomic on a device), once RUN_AHEAD_QUIET_S (in
 * S- and M-mode) or RUN_AHEAD_QUIET_U (in U-mode) instructions in a row
 * needed no privilege (native code runs faster), or after RUN_AHEAD_MAX in
 * all.
 */
#include <stdint.h>
#include <string.h>

#include "../log.h"
#include "../vm.h"
#include "exec.h"
#include "interp.h"
#include "quick.h"

/* Quiet instructions before the guest goes back to its process: a
 * kernel's privileged instructions come close together (a round trip
 * costs a few thousand instructions run here), a program's come at its
 * system calls. */
#define RUN_AHEAD_QUIET_S 8192
#define RUN_AHEAD_QUIET_U 1024
#define RUN_AHEAD_MAX 4194304
/* Instructions between two looks at whether the VM ends or pauses, or
 * an RFENCE came; below the floor, whether an interrupt is due */
#define RUN_AHEAD_CHECK 256
/* ... and elsewhere: a loop that keeps touching CSRs never goes quiet,
 * and the privileged instructions that may let an interrupt in look
 * themselves (an interrupt check every 256 cost 5% of a system call) */
#define RUN_AHEAD_IRQ_CHECK 4096

enum ahead { AHEAD_PLAIN, AHEAD_PRIVILEGED, AHEAD_STOP };

/* Why run_ahead handed the guest back, counted (stats.c). An instruction
 * that touches a page the guest process cannot map (trap_below_floor:
 * its pc there, or v->must_run) nobody else can run: unless its fetch
 * faults (the guest process raises that) the VM ends, saying why. */
static enum ahead stop(struct trap_vcpu *v, enum ahead_stop why)
{
	uint64_t pc = v->hart.pc;

	v->stats.stops[why]++;
	if (why != AHEAD_STOP_FETCH &&
	    (v->must_run || trap_below_floor(v, pc))) {
		pr_err("vCPU %u: the guest runs an instruction vmm cannot run itself (%s) at 0x%llx, a page below the host's vm.mmap_min_addr that its process cannot map: give vmm CAP_SYS_RAWIO or lower the sysctl",
		       v->id, trap_ahead_stop_name(why),
		       (unsigned long long)pc);
		vm_request_exit(v->vm, VMM_EXIT_ERROR);
	}
	return AHEAD_STOP;
}

/* The host address of the guest's RAM that va names for acc, for an
 * access of width bytes; NULL with *exc set when it faults, NULL with
 * *exc 0 and *pa set when it is no RAM (a device). */
static void *ahead_ram(struct trap_vcpu *v, uint64_t va, unsigned width,
		       enum access acc, uint64_t *pa, int *exc)
{
	struct translation t;

	*exc = trap_translate(v, va, acc, &t);
	if (*exc)
		return NULL;
	*pa = t.pa;
	return guest_mem_ptr(&v->vm->mem, t.pa, width);
}

/* LR, SC and the AMOs on RAM; on a device, or where nothing is, the guest
 * process does what the hart would (an access fault, see trap_mmio()). */
static enum ahead ahead_atomic(struct trap_vcpu *v, uint64_t *r,
			       const struct insn *in, uint32_t raw)
{
	uint64_t va = get_x(r, in->rs1), pa, val;
	unsigned f5 = raw >> 27;
	int exc;
	void *p = ahead_ram(v, va, in->width,
			    in->kind == INSN_LR ? ACCESS_LOAD : ACCESS_STORE,
			    &pa, &exc);

	if (va & (in->width - 1)) {
		hart_trap(&v->hart,
			  in->kind == INSN_LR ? EXC_LOAD_MISALIGNED
					      : EXC_STORE_MISALIGNED,
			  va);
		return AHEAD_PRIVILEGED;
	}
	if (exc) {
		hart_trap(&v->hart, (uint64_t)exc, va);
		return AHEAD_PRIVILEGED;
	}
	if (!p) /* a device, or nothing: as natively */
		return stop(v, AHEAD_STOP_DEVICE);
	if (in->kind == INSN_LR) {
		val = interp_lr(&v->resv, p, va, in->width);
	} else if (in->kind == INSN_SC) {
		val = interp_sc(&v->resv, p, va, in->width, get_x(r, in->rs2));
	} else {
		val = interp_amo(p, in->width, f5, get_x(r, in->rs2));
	}
	set_x(r, in->rd, val);
	v->hart.pc += in->len;
	return AHEAD_PLAIN;
}

/* The guest pages run_ahead last fetched from, loaded from and stored to
 * (struct page_cache, quick.h) are kept until something privileged that
 * may change the translation runs (after_privileged()): no walk per
 * access. */

static void forget_pages(struct page_cache *c)
{
	unsigned i;

	for (i = 0; i < CACHE_PAGES * PAGE_WAYS; i++)
		c[i].va = 1;
}

static void remember(struct page_cache *c, int slot, uint64_t va,
		     const struct guest_mem *mem, uint64_t pa)
{
	struct page_cache *e = page_slot(c, slot, va);

	e->host = guest_mem_ptr(mem, pa & PAGE_MASK, PAGE_SIZE);
	e->va = e->host ? (va & PAGE_MASK) : 1;
}

/* A load or store: RAM directly, a device through trap_mmio(), a fault as the
 * guest's exception. Floating-point ones and misaligned ones stop. */
static enum ahead ahead_memory(struct trap_vcpu *v, uint64_t *r,
			       const struct insn *in, struct page_cache *c)
{
	uint64_t va = get_x(r, in->rs1) + (uint64_t)in->imm, pa;
	int store = in->kind == INSN_STORE, exc = 0;
	void *p;

	if (in->fp)
		return stop(v, AHEAD_STOP_FP);
	if (va & (in->width - 1))
		return stop(v, AHEAD_STOP_MISALIGNED);
	p = page_cached(c, store, va);
	if (!p) {
		p = ahead_ram(v, va, in->width,
			      store ? ACCESS_STORE : ACCESS_LOAD, &pa, &exc);
		if (p)
			remember(c, store ? CACHE_STORE : CACHE_LOAD, va,
				 &v->vm->mem, pa);
	}
	if (exc) {
		hart_trap(&v->hart, (uint64_t)exc, va);
		return AHEAD_PRIVILEGED;
	}
	if (!p) {
		/* No device there either: what the guest process has at that
		 * address (nothing, or its own region) decides, natively. */
		if (!bus_find(&v->vm->bus, pa, in->width) &&
		    !trap_below_floor(v, v->hart.pc))
			return stop(v, AHEAD_STOP_NOTHING);
		trap_mmio(v, r, in, pa, va);
		return AHEAD_PRIVILEGED;
	}
	if (store) {
		interp_store(p, in->width, get_x(r, in->rs2));
		if (v->resv.valid && (v->resv.addr & ~7ULL) == (va & ~7ULL))
			v->resv.valid = 0;
	} else {
		uint64_t val = interp_load(p, in->width);

		set_x(r, in->rd,
		      in->sign_extend ? interp_sext(val, in->width) : val);
	}
	v->hart.pc += in->len;
	return AHEAD_PLAIN;
}

/* The unprivileged CSRs, as the hart runs them natively: time (the
 * host's clock, read-only) and the floating-point ones (fflags, frm,
 * fcsr: the guest process's fcsr, in the report). Others (cycle,
 * instret, the hpm counters) the guest process runs. */
#define CSR_FFLAGS 0x001
#define CSR_FRM 0x002
#define CSR_FCSR 0x003
#define CSR_TIME 0xc01
#define MB_FCSR 64

static enum ahead ahead_user_csr(struct trap_vcpu *v, uint64_t *r,
				 const struct insn *in)
{
	uint64_t src = in->csr_imm ? in->rs1 : get_x(r, in->rs1);
	int writes = in->csr_op == CSR_RW || in->rs1 != 0;
	unsigned shift = in->csr == CSR_FRM ? 5 : 0;
	uint64_t mask = in->csr == CSR_FFLAGS ? 0x1f
			: in->csr == CSR_FRM  ? 0x7
					      : 0xff;
	uint64_t old, val;

	if (in->csr == CSR_TIME && !writes) {
		set_x(r, in->rd, trap_now_ticks());
		v->hart.pc += in->len;
		return AHEAD_PLAIN;
	}
	if (in->csr < CSR_FFLAGS || in->csr > CSR_FCSR)
		return stop(v, AHEAD_STOP_USER_CSR);
	old = (r[MB_FCSR] >> shift) & mask;
	val = in->csr_op == CSR_RW   ? src
	      : in->csr_op == CSR_RS ? old | src
				     : old & ~src;
	if (writes)
		r[MB_FCSR] = (r[MB_FCSR] & ~(mask << shift)) |
			     ((val & mask) << shift);
	set_x(r, in->rd, old);
	v->hart.pc += in->len;
	return AHEAD_PLAIN;
}

/* ECALL, EBREAK, the CSRs of S- and M-mode, SRET, MRET, WFI, SFENCE.VMA:
 * exactly what the report of their trap would do. */
static enum ahead ahead_system(struct trap_vcpu *v, uint64_t *r,
			       const struct insn *in, uint32_t raw)
{
	struct hart *h = &v->hart;

	switch (in->kind) {
	case INSN_ECALL:
		trap_guest_ecall(v, r);
		return AHEAD_PRIVILEGED;
	case INSN_EBREAK:
		hart_trap(h, EXC_BREAKPOINT, h->pc);
		return AHEAD_PRIVILEGED;
	case INSN_CSR:
		if (!((in->csr >> 8) & 3))
			return ahead_user_csr(v, r, in);
		break;
	case INSN_ILLEGAL:
		return stop(v, AHEAD_STOP_OTHER);
	default:
		break;
	}
	trap_privileged(v, r, raw);
	return AHEAD_PRIVILEGED;
}

static int ahead_fetch(struct trap_vcpu *v, struct page_cache *c, uint32_t *raw)
{
	uint64_t pc = v->hart.pc, off = pc & ~PAGE_MASK, tval;
	struct page_cache *cp = page_slot(c, CACHE_FETCH, pc);
	struct translation t;
	uint16_t lo, hi;

	if ((pc & PAGE_MASK) != cp->va) {
		if (trap_translate(v, pc, ACCESS_FETCH, &t))
			return -1;
		remember(c, CACHE_FETCH, pc, &v->vm->mem, t.pa);
		if (cp->va == 1)
			return -1;
	}
	memcpy(&lo, cp->host + off, 2);
	*raw = lo;
	if (insn_length(lo) == 2)
		return 0;
	if (off + 4 > PAGE_SIZE) /* it straddles two pages */
		return trap_fetch(v, pc, raw, &tval) ? -1 : 0;
	memcpy(&hi, cp->host + off + 2, 2);
	*raw |= (uint32_t)hi << 16;
	return 0;
}

static enum ahead ahead_step(struct trap_vcpu *v, uint64_t *r,
			     struct page_cache *c)
{
	struct hart *h = &v->hart;
	uint32_t raw, full;
	struct insn in;
	unsigned len;

	if (ahead_fetch(v, c, &raw)) /* the guest process raises the fault */
		return stop(v, AHEAD_STOP_FETCH);
	len = insn_length((uint16_t)raw);
	full = len == 4 ? raw : rvc_expand((uint16_t)raw);
	if (full && interp_alu(r, &h->pc, full, len))
		return AHEAD_PLAIN;
	insn_decode(raw, &in);
	switch (in.kind) {
	case INSN_LOAD:
	case INSN_STORE:
		return ahead_memory(v, r, &in, c);
	case INSN_AMO:
	case INSN_LR:
	case INSN_SC:
		return ahead_atomic(v, r, &in, raw);
	default:
		break;
	}
	if (len == 4 && (raw & 0x7f) == 0x73)
		return ahead_system(v, r, &in, raw);
	if (in.kind == INSN_EBREAK) /* C.EBREAK */
		return ahead_system(v, r, &in, raw);
	return stop(v, (raw & 0x7f) == 0x53 || (raw & 0x73) == 0x43
			       ? AHEAD_STOP_FP
			       : AHEAD_STOP_OTHER);
}

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

/* The instructions from here on that quick_run() takes, up to max, with
 * q as trap_run_ahead set it up: how many ran. Not where a pc may go
 * below the map floor (the general step says so, see stop()). */
static unsigned ahead_quick(struct trap_vcpu *v, struct quick *q,
			    uint64_t floor, unsigned max)
{
	int flat = !trap_paging_on(&v->hart);
	unsigned n;

	if (floor && !flat)
		return 0;
	q->pc = v->hart.pc;
	/* RAM is in whole pages from a page boundary: multiples of 8 */
	q->flat_size = flat ? v->vm->mem.size & ~7ULL : 0;
	n = quick_run(q, max);
	v->hart.pc = q->pc;
	return n;
}

static unsigned quiet_limit(const struct hart *h)
{
	return h->priv == PRIV_U ? RUN_AHEAD_QUIET_U : RUN_AHEAD_QUIET_S;
}

/* After the hart's privilege or translation may have changed: the pages
 * are forgotten unless paging was off before and after (every page is
 * then where it was). *paged: whether it was on, and now is. */
static void new_translation(struct trap_vcpu *v, struct page_cache *c,
			    int *paged)
{
	if (*paged || trap_paging_on(&v->hart))
		forget_pages(c);
	*paged = trap_paging_on(&v->hart);
}

/* After something privileged ran: an interrupt it enabled is taken, and
 * the pages go as above. The quiet limit for the privilege now. */
static unsigned after_privileged(struct trap_vcpu *v, struct page_cache *c,
				 int *paged)
{
	trap_deliver_interrupt(v);
	new_translation(v, c, paged);
	return quiet_limit(&v->hart);
}

/* Go on from the hart's pc as described above; r (the parked guest's
 * registers, vmm's copy) throughout: r[0] is set again before the guest
 * resumes. */
void trap_run_ahead(struct trap_vcpu *v, uint64_t *r)
{
	struct trap *t = v->vm->backend_data;
	uint64_t floor = t->map_floor; /* 0: every page may run natively */
	struct page_cache c[CACHE_PAGES * PAGE_WAYS];
	unsigned quiet = 0, limit = quiet_limit(&v->hart), n, k;
	int paged = trap_paging_on(&v->hart);
	struct quick q = { .x = r,
			   .cache = c,
			   .flat_base = v->vm->mem.base,
			   .flat_host = v->vm->mem.host,
			   .flush = &v->flush,
			   .resv = &v->resv,
			   .hart = &v->hart,
			   .csr_counts = v->stats.csr,
			   .timer_deadline = v->vm->has_clint
						     ? NULL
						     : &v->timer_deadline };

	forget_pages(c);
	for (n = 0; n < RUN_AHEAD_MAX && quiet < limit; n++) {
		enum ahead a;

		/* often enough that vmm kill, stop and pause see no delay,
		 * and that an interrupt comes soon, as natively */
		if (!(n % RUN_AHEAD_CHECK)) {
			if (vm_exiting(v->vm) ||
			    __atomic_load_n(&t->paused, __ATOMIC_ACQUIRE))
				break;
			if (n && (floor || !(n % RUN_AHEAD_IRQ_CHECK)) &&
			    trap_deliver_interrupt(v)) {
				quiet = 0;
				limit = quiet_limit(&v->hart);
				new_translation(v, c, &paged);
			}
		}
		/* an RFENCE from another hart does not wait for us (we are
		 * not in the guest): drop what we cached of the translation
		 * before the next access; sync_space drops the rest */
		if (__atomic_load_n(&v->flush, __ATOMIC_ACQUIRE))
			forget_pages(c);
		/* the common instructions in one go, up to the next check */
		k = n ? ahead_quick(v, &q, floor,
				    min_u(RUN_AHEAD_CHECK - n % RUN_AHEAD_CHECK,
					  limit - quiet))
		      : 0;
		if (k) {
			v->stats.quick += k;
			n += k - 1;
			/* its CSR accesses, ECALL and SRET are privileged */
			quiet = q.last_privileged ? k - q.last_privileged
						  : quiet + k;
			if (q.hart_changed)
				after_privileged(v, c, &paged);
			limit = quiet_limit(&v->hart); /* after an ECALL too */
			continue;
		}
		a = ahead_step(v, r, c);
		if (a == AHEAD_STOP)
			break;
		if (!n)
			v->must_run = 0; /* it ran */
		if (a == AHEAD_PLAIN) {
			/* what the guest process cannot map, only vmm runs */
			if (floor && trap_below_floor(v, v->hart.pc))
				trap_tell_floor(v, v->hart.pc);
			else
				quiet++;
			continue;
		}
		if (vm_exiting(v->vm) || v->stop_requested)
			break; /* SRST, HSM hart_stop: not one instruction more */
		quiet = 0;
		limit = after_privileged(v, c, &paged); /* a new privilege? */
	}
	v->must_run = 0;
	if (quiet >= limit)
		v->stats.stops[AHEAD_STOP_QUIET]++;
	else if (n >= RUN_AHEAD_MAX)
		v->stats.stops[AHEAD_STOP_MAX]++;
	v->stats.ahead += n;
}
