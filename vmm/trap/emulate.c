// SPDX-License-Identifier: MIT
/*
 * One report of a hart's guest process, emulated (exec.h): a privileged
 * instruction, an MMIO access or a shadow-page miss, an ecall; and the
 * guest process's mappings brought in line with the hart before it runs.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/futex.h>

#include "../log.h"
#include "../vm.h"
#include "exec.h"
#include "interp.h"

int trap_paging_on(const struct hart *h)
{
	return h->priv != PRIV_M && (h->satp >> 60) != SATP_MODE_BARE;
}

/* The guest's translation of va for acc, as the hart is now: 0 with *t
 * filled, or the exception to raise. Paging off, va is the address. */
int trap_translate(struct trap_vcpu *v, uint64_t va, enum access acc,
		   struct translation *t)
{
	struct hart *h = &v->hart;

	if (!trap_paging_on(h)) {
		t->pa = va;
		t->pte = 0;
		return 0;
	}
	return walk(&v->vm->mem, h->satp, va, acc, h->priv,
		    !!(h->mstatus & MSTATUS_SUM), !!(h->mstatus & MSTATUS_MXR),
		    t);
}

static int fetch_half(struct trap_vcpu *v, uint64_t va, uint16_t *half)
{
	struct translation t;
	uint16_t *p;
	int exc = trap_translate(v, va, ACCESS_FETCH, &t);

	if (exc)
		return exc;
	p = guest_mem_ptr(&v->vm->mem, t.pa, 2);
	if (!p)
		return EXC_INSN_ACCESS;
	*half = *p;
	return 0;
}

/* The instruction at pc: 0, or the exception its fetch raises (at *tval:
 * the half that faulted). */
int trap_fetch(struct trap_vcpu *v, uint64_t pc, uint32_t *raw, uint64_t *tval)
{
	uint16_t lo, hi;
	int exc;

	*tval = pc;
	exc = fetch_half(v, pc, &lo);
	if (exc)
		return exc;
	*raw = lo;
	if (insn_length(lo) == 4) {
		*tval = pc + 2;
		exc = fetch_half(v, pc + 2, &hi);
		if (exc)
			return exc;
		*raw |= (uint32_t)hi << 16;
	}
	return 0;
}

void trap_privileged(struct trap_vcpu *v, uint64_t *r, uint32_t raw)
{
	struct hart *h = &v->hart;
	struct insn in;
	uint64_t old;

	insn_decode(raw, &in);
	switch (in.kind) {
	case INSN_CSR:
		v->stats.csr[in.csr]++;
		if (hart_csr(h, &in, in.csr_imm ? in.rs1 : get_x(r, in.rs1),
			     &old) == 0) {
			set_x(r, in.rd, old);
			h->pc += in.len;
			return;
		}
		break;
	case INSN_SRET:
		if (hart_sret(h) == 0)
			return;
		break;
	case INSN_MRET:
		if (hart_mret(h) == 0)
			return;
		break;
	case INSN_WFI: /* 3.1.6.5: TW, and never from U-mode */
		if (h->priv == PRIV_U ||
		    (h->priv == PRIV_S && (h->mstatus & MSTATUS_TW)))
			break;
		h->pc += in.len;
		trap_wait_for_interrupt(v);
		return;
	case INSN_SFENCE_VMA: /* every shadow page goes, whatever the args */
		if (h->priv == PRIV_U ||
		    (h->priv == PRIV_S && (h->mstatus & MSTATUS_TVM)))
			break;
		__atomic_store_n(&v->flush, 1, __ATOMIC_SEQ_CST);
		h->pc += in.len;
		return;
	default:
		break;
	}
	hart_trap(h, EXC_ILLEGAL_INSN, raw);
}

/* The decoded in's access to device address pa (the guest named va). */
void trap_mmio(struct trap_vcpu *v, uint64_t *r, const struct insn *in,
	       uint64_t pa, uint64_t va)
{
	struct hart *h = &v->hart;
	uint64_t val = 0;

	if (in->kind == INSN_STORE) {
		val = in->fp ? r[32 + in->rs2] : get_x(r, in->rs2);
		if (in->width < 8)
			val &= (1ULL << (8 * in->width)) - 1;
		if (vm_mmio(v->vm, pa, in->width, 1, &val) == -EFAULT) {
			hart_trap(h, EXC_STORE_ACCESS, va);
			return;
		}
	} else if (in->kind == INSN_LOAD) {
		if (vm_mmio(v->vm, pa, in->width, 0, &val) == -EFAULT) {
			hart_trap(h, EXC_LOAD_ACCESS, va);
			return;
		}
		if (in->sign_extend)
			val = interp_sext(val, in->width);
		if (in->fp)
			r[32 + in->rd] = val;
		else
			set_x(r, in->rd, val);
	} else {
		/* AMOs, LR/SC and anything else on MMIO: an access fault. */
		hart_trap(h,
			  in->kind == INSN_LOAD || in->kind == INSN_LR
				  ? EXC_LOAD_ACCESS
				  : EXC_STORE_ACCESS,
			  va);
		return;
	}
	h->pc += in->len;
}

void trap_ecall(struct trap_vcpu *v, uint64_t *r)
{
	struct sbi_call c = { .ext = r[17], .fid = r[16] };
	int i;

	trap_count_sbi(&v->stats, c.ext);
	for (i = 0; i < 6; i++)
		c.args[i] = r[10 + i];
	if (!trap_multi_hart_call(v, &c))
		sbi_handle(&v->vm->sbi, &c);
	r[10] = (uint64_t)c.ret[0];
	if (c.ext >= 0x10) /* legacy calls return a0 only */
		r[11] = (uint64_t)c.ret[1];
	/* the pc is already past the ecall */
}

static void dump(const struct trap_vcpu *v, const uint64_t *r)
{
	unsigned i;

	pr_err("vCPU %u registers:", v->id);
	pr_err("  pc   0x%016llx", (unsigned long long)r[0]);
	for (i = 1; i < 32; i++)
		pr_err("  x%-3u 0x%016llx", i, (unsigned long long)r[i]);
}

/* An instruction fetch that faults (exc at tval). When the pc is the trap
 * vector itself the guest has no handler left to run: it has crashed, as
 * KVM would report it, rather than loop forever. */
static void fetch_fault(struct trap_vcpu *v, const uint64_t *r, int exc,
			uint64_t tval)
{
	struct hart *h = &v->hart;

	if (r[0] == (h->stvec & ~3ULL) || r[0] == (h->mtvec & ~3ULL)) {
		pr_err("vCPU %u: the guest's trap vector 0x%llx cannot be fetched: it crashed",
		       v->id, (unsigned long long)r[0]);
		dump(v, r);
		vm_request_exit(v->vm, VMM_EXIT_GUEST_CRASH);
		return;
	}
	hart_trap(h, (uint64_t)exc, tval);
}

/* Shadow paging: give the guest process the guest page holding va, with
 * what the guest's page table lets the hart do there now. */
static void shadow_fill(struct trap_vcpu *v, uint64_t va,
			const struct translation *t)
{
	struct hart *h = &v->hart;
	uint64_t page = va & PAGE_MASK;
	int prot = shadow_prot(t->pte, h->priv, !!(h->mstatus & MSTATUS_SUM),
			       !!(h->mstatus & MSTATUS_MXR));

	if (!sandbox_mappable(v->box, page, PAGE_SIZE)) {
		pr_err("vCPU %u: the guest uses virtual address 0x%llx, which the trap backend cannot map for it (guests with paging on must keep to the lower half and off vmm's own pages; see README)",
		       v->id, (unsigned long long)va);
		vm_request_exit(v->vm, VMM_EXIT_ERROR);
		return;
	}
	/* SHADOW_R/W/X are PROT_READ/WRITE/EXEC; with no room left in the
	 * queue the guest faults again, and gets it then */
	if (!sandbox_map(v->box, page, PAGE_SIZE, prot,
			 (t->pa & PAGE_MASK) - v->vm->mem.base))
		trap_space_record(v, page, t->pa & PAGE_MASK, prot);
}

/* The guest's page at va lies below what the host lets its process map
 * (vm.mmap_min_addr; xv6, for one, links its programs at 0): the guest
 * process leaves it unmapped, and the instruction that touched it, like
 * every instruction fetched from such a page, is vmm's to run. */
static void below_floor(struct trap_vcpu *v, uint64_t va)
{
	v->must_run = 1;
	trap_tell_floor(v, va);
}

/* Once per VM: why a guest on such pages runs slowly, and the way out. */
void trap_tell_floor(struct trap_vcpu *v, uint64_t va)
{
	struct trap *t = v->vm->backend_data;

	if (__atomic_load_n(&t->floor_told, __ATOMIC_RELAXED) ||
	    __atomic_exchange_n(&t->floor_told, 1, __ATOMIC_RELAXED))
		return;
	pr_warn("vCPU %u: the guest uses its page at 0x%llx, below the host's vm.mmap_min_addr (0x%llx): vmm runs what touches such pages itself, slowly (with CAP_SYS_RAWIO, as root has it, or a lower vm.mmap_min_addr they run natively)",
		v->id, (unsigned long long)(va & PAGE_MASK),
		(unsigned long long)t->map_floor);
}

/* SIGSEGV/SIGBUS at addr: a shadow page to fill, a device to emulate, or
 * a fault for the guest. */
void trap_memory_fault(struct trap_vcpu *v, uint64_t *r, uint64_t addr)
{
	struct hart *h = &v->hart;
	struct translation t;
	struct insn in;
	enum access acc;
	uint64_t tval;
	uint32_t raw;
	int exc = trap_fetch(v, r[0], &raw, &tval);

	if (exc) {
		fetch_fault(v, r, exc, tval);
		return;
	}
	insn_decode(raw, &in);
	acc = fault_access(&in, get_x(r, in.rs1), addr);
	exc = trap_translate(v, addr, acc, &t);
	if (exc) {
		hart_trap(h, (uint64_t)exc, addr);
		return;
	}
	if (trap_paging_on(h) &&
	    guest_mem_ptr(&v->vm->mem, t.pa & PAGE_MASK, PAGE_SIZE)) {
		if (trap_below_floor(v, addr))
			below_floor(v, addr); /* run_ahead runs it */
		else
			shadow_fill(v, addr, &t);
		return;
	}
	if (acc == ACCESS_FETCH) {
		fetch_fault(v, r, EXC_INSN_ACCESS, addr);
		return;
	}
	trap_mmio(v, r, &in, t.pa, addr);
}

/* The guest's ecall at the hart's pc: S-mode's is to us, the SBI (S-mode
 * guests only; M-mode ones have their own firmware), the pc moving past
 * it; any other is the guest's exception. */
void trap_guest_ecall(struct trap_vcpu *v, uint64_t *r)
{
	struct trap *t = v->vm->backend_data;
	struct hart *h = &v->hart;

	if (h->priv == PRIV_S && !t->m_mode) {
		trap_ecall(v, r);
		h->pc += 4;
		return;
	}
	hart_trap(h, EXC_ECALL_U + h->priv, 0);
}

/* One report: the signal the guest raised, emulated. The guest's code
 * may have written the report itself and jumped to the park: every field
 * is a claim, judged by the hart's own privilege and translation (the pc
 * is fetched through them, the address translated through them), so a
 * forged report does no more than the claimed instruction would have. */
void trap_handle_report(struct trap_vcpu *v, struct sandbox *box)
{
	uint64_t *r = box->regs, tval;
	uint32_t raw;
	int exc;

	if (v->entering) {
		/* The guest process is ready: the guest's registers go in. */
		v->entering = 0;
		memset(r, 0, sizeof(box->regs));
		r[0] = v->start_pc;
		r[10] = v->id;
		r[11] = v->start_arg;
		v->hart.pc = r[0];
		return;
	}
	v->hart.pc = r[0];
	switch (box->sig) {
	case SIGILL:
		exc = trap_fetch(v, r[0], &raw, &tval);
		if (exc)
			fetch_fault(v, r, exc, tval);
		else
			trap_privileged(v, r, raw);
		break;
	case SIGSEGV:
	case SIGBUS:
		trap_memory_fault(v, r, box->addr);
		break;
	case SIGSYS: /* the pc is already past the ecall */
		v->hart.pc = r[0] - 4;
		trap_guest_ecall(v, r);
		break;
	case SIGTRAP:
		hart_trap(&v->hart, EXC_BREAKPOINT, r[0]);
		break;
	default:
		break; /* a kick: only interrupts to look at */
	}
}
