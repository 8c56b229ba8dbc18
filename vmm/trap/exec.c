// SPDX-License-Identifier: MIT
/*
 * The trap-and-emulate backend's executor (riscv64 hosts): guest code runs
 * natively, in host user mode, in a guest process of its own per hart
 * (sandbox.h) that holds guest RAM at its guest-physical address and
 * nothing of the monitor's. Privileged instructions arrive as SIGILL, MMIO
 * accesses as SIGSEGV, `ecall` as SIGSYS from the process's seccomp
 * filter; each lands in the mailbox, and the hart's thread here emulates
 * it against the virtual hart and sends the guest on.
 *
 * A thread and a guest process per hart; S-mode guests get vmm as their
 * SBI, M-mode ones (--entry-mode m) a CLINT; with Sv39/Sv48 paging on, the
 * guest process's mappings are shadow pages filled from the guest's page
 * table on each fault (shadow_fill, sync_space).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../fdt/fdt.h"
#include "../log.h"
#include "../vm.h"
#include "decode.h"
#include "hart.h"
#include "interp.h"
#include "sandbox.h"
#include "walk.h"

#define PAGE_SIZE 4096ULL
#define PAGE_MASK (~(PAGE_SIZE - 1))

/* What the guest process's mappings show: guest RAM at its physical
 * address (virt 0), or shadow pages for this translation (virt 1). */
struct guest_space {
	int virt;
	uint64_t satp;
	enum priv priv;
	int sum, mxr;
};

/* Counters of one hart's traps, logged at exit (--log-level debug). */
enum { REPORT_ILL, REPORT_SEGV, REPORT_SYS, REPORT_OTHER, REPORT_KINDS };
#define STATS_SBI 16
struct trap_stats {
	uint64_t reports[REPORT_KINDS]; /* round trips, by signal */
	uint64_t ahead; /* instructions vmm ran itself (run_ahead) */
	uint32_t csr[4096]; /* CSR instructions, trapped or run ahead */
	struct {
		uint64_t ext, count;
	} sbi[STATS_SBI]; /* SBI calls by extension; the last slot: others */
};

struct trap_vcpu {
	struct vm *vm;
	struct hart hart;
	uint64_t timebase_hz;
	uint64_t timer_deadline; /* SBI set_timer's, ~0 when none */
	uint32_t wake; /* futex: bumped when an interrupt arrives */
	unsigned id;
	int hsm_state; /* SBI HSM: started, stopped, start pending */
	uint64_t start_pc, start_arg;
	int entering;
	volatile int stop_requested;
	struct sandbox box; /* the guest process */
	struct guest_space space; /* what its mappings show */
	int flush; /* sfence.vma, RFENCE: drop every shadow page (atomic) */
	uint32_t flushes; /* futex: shadow flushes made, for RFENCE to wait */
	uint32_t fence_waiters; /* harts waiting on flushes: wake them */
	pthread_mutex_t box_lock; /* kicks from other threads vs its end */
	volatile int in_guest; /* the guest runs: kick it for interrupts */
	pthread_t thread;
	int started;
	/* LR/SC run ahead (run_ahead): the reserved address and what LR read */
	uint64_t resv_addr, resv_val;
	int resv_valid;
	struct trap_stats stats; /* where the time goes: at exit, debug */
};

#define HSM_STARTED 0
#define HSM_STOPPED 1
#define HSM_START_PENDING 2
#define SBI_EXT_HSM 0x48534d
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464e43
#define SBI_ERR_ALREADY_AVAILABLE -6

struct trap {
	struct trap_vcpu vcpus[VM_MAX_CPUS];
	unsigned nr;
	int m_mode; /* M-mode guest: no SBI from us, a CLINT instead */
	uint32_t paused; /* futex: harts stay out of their guest while set */
};

static __thread struct trap_vcpu *current;

static uint64_t timebase(void)
{
	uint8_t b[4];
	int fd = open("/proc/device-tree/cpus/timebase-frequency", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, b, 4) : -1;

	if (fd >= 0)
		close(fd);
	/* rdtime reads the host's clock: the guest must get its frequency. */
	return n == 4 ? (uint64_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]
		      : 10000000;
}

static uint64_t now_ticks(void)
{
	uint64_t t;

	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

/* The virtual hart's time CSR is the host's: guests read it natively. */
static uint64_t read_time(void *opaque)
{
	(void)opaque;
	return now_ticks();
}

/* SBI TIME: a new deadline for the calling hart; its pending timer
 * interrupt clears. */
static void set_timer(void *opaque, uint64_t when)
{
	struct trap_vcpu *v = current;

	(void)opaque;

	/* the hart's thread waits for the guest no longer than this */
	v->timer_deadline = when;
	__atomic_and_fetch(&v->hart.mip, ~MIP_STIP, __ATOMIC_SEQ_CST);
}

/* The hart's next timer deadline, ~0 when none: SBI's, the CLINT's
 * (M-mode guests) or Sstc's stimecmp, whichever comes first. */
static uint64_t next_deadline(struct trap_vcpu *v)
{
	uint64_t d = v->timer_deadline;

	if (v->vm->has_clint) {
		uint64_t c = clint_deadline(&v->vm->clint, v->id);

		d = c < d ? c : d;
	}
	if ((v->hart.menvcfg & MENVCFG_STCE) && v->hart.stimecmp < d)
		d = v->hart.stimecmp;
	return d;
}

/* STIP follows the SBI timer's deadline; MSIP and MTIP the CLINT. */
static void update_timer_irq(struct trap_vcpu *v)
{
	if (v->timer_deadline != ~0ULL && now_ticks() >= v->timer_deadline)
		__atomic_or_fetch(&v->hart.mip, MIP_STIP, __ATOMIC_SEQ_CST);
	if (v->vm->has_clint) {
		uint64_t m = clint_mip(&v->vm->clint, v->id);

		__atomic_or_fetch(&v->hart.mip, m, __ATOMIC_SEQ_CST);
		__atomic_and_fetch(&v->hart.mip, ~((MIP_MSIP | MIP_MTIP) & ~m),
				   __ATOMIC_SEQ_CST);
	}
}

/* Take the interrupt the hart should take now, if any, at h->pc. */
static void deliver_interrupt(struct trap_vcpu *v)
{
	uint64_t cause;

	update_timer_irq(v);
	cause = hart_pending_interrupt(&v->hart);
	if (cause)
		hart_trap(&v->hart, cause, 0);
}

/* WFI: sleep until an interrupt is pending and enabled locally (3.3.3:
 * whatever the global enables say) or the VM ends. */
static void wait_for_interrupt(struct trap_vcpu *v)
{
	for (;;) {
		uint32_t seen = __atomic_load_n(&v->wake, __ATOMIC_ACQUIRE);
		struct timespec ts = { 0, 100000000 };
		uint64_t now, deadline;

		update_timer_irq(v);
		if ((hart_mip(&v->hart) & v->hart.mie) || vm_exiting(v->vm))
			return;
		now = now_ticks();
		deadline = next_deadline(v);
		if (deadline > now && deadline - now < v->timebase_hz / 10) {
			uint64_t ns = (deadline - now) * 1000000000ULL /
				      v->timebase_hz;

			ts.tv_nsec = (long)ns + 1;
		}
		syscall(SYS_futex, &v->wake, FUTEX_WAIT_PRIVATE, seen, &ts,
			NULL, 0);
	}
}

/* vmm is the guest's whole SBI: SRST and the legacy shutdown end it. */

static void system_reset(void *opaque, enum sbi_reset type)
{
	vm_request_exit(opaque, type == SBI_RESET_SHUTDOWN ? VMM_EXIT_OK
							   : VMM_EXIT_RESET);
}

static int trap_create(struct vm *vm)
{
	const char *lacks = sandbox_host_lacks();
	struct trap *t;

	if (lacks) {
		pr_err("trap backend: the host kernel lacks %s, which the guest process needs",
		       lacks);
		return -ENOSYS;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	vm->backend_data = t;
	t->nr = vm->cfg->cpus;
	t->m_mode = vm->cfg->entry_mode == 'm';
	for (unsigned i = 0; i < t->nr; i++) {
		t->vcpus[i].vm = vm;
		t->vcpus[i].id = i;
		t->vcpus[i].hsm_state = HSM_STOPPED;
		t->vcpus[i].box.pidfd = -1;
		t->vcpus[i].box.notify_fd = -1;
		pthread_mutex_init(&t->vcpus[i].box_lock, NULL);
	}
	vm->sbi.system_reset = system_reset;
	vm->sbi.set_timer = set_timer;
	vm->sbi.reset_opaque = vm;
	return 0;
}

static void trap_destroy(struct vm *vm)
{
	struct trap *t = vm->backend_data;

	if (!t)
		return;
	for (unsigned i = 0; i < t->nr; i++) {
		sandbox_free(&t->vcpus[i].box);
		pthread_mutex_destroy(&t->vcpus[i].box_lock);
	}
	free(t);
	vm->backend_data = NULL;
}

static int trap_describe_cpus(struct vm *vm, struct fdt_vm *f)
{
	(void)vm;
	f->isa_letters = "imafdc";
	f->nr_isa_exts = 0;
	f->mmu_type = "riscv,sv39";
	f->timebase_hz = (uint32_t)timebase();
	return 0;
}

/* --- a report from the guest process ------------------------------------ */

/* The mailbox's registers: r[0] is the pc, r[1..31] x1..x31, r[32..63]
 * f0..f31. Its contents are the guest's to choose: every index comes from
 * a decoded 5-bit field. */
static uint64_t get_x(const uint64_t *r, unsigned i)
{
	return i ? r[i] : 0;
}

static void set_x(uint64_t *r, unsigned i, uint64_t v)
{
	if (i)
		r[i] = v;
}

static void kick(struct trap_vcpu *v)
{
	pthread_mutex_lock(&v->box_lock);
	if (v->in_guest)
		sandbox_kick(&v->box);
	pthread_mutex_unlock(&v->box_lock);
}

static int paging_on(const struct hart *h)
{
	return h->priv != PRIV_M && (h->satp >> 60) != SATP_MODE_BARE;
}

/* The guest's translation of va for acc, as the hart is now: 0 with *t
 * filled, or the exception to raise. Paging off, va is the address. */
static int translate(struct trap_vcpu *v, uint64_t va, enum access acc,
		     struct translation *t)
{
	struct hart *h = &v->hart;

	if (!paging_on(h)) {
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
	int exc = translate(v, va, ACCESS_FETCH, &t);

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
static int fetch(struct trap_vcpu *v, uint64_t pc, uint32_t *raw,
		 uint64_t *tval)
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

static void privileged(struct trap_vcpu *v, uint64_t *r, uint32_t raw)
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
		wait_for_interrupt(v);
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
static void mmio(struct trap_vcpu *v, uint64_t *r, const struct insn *in,
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
		if (in->sign_extend && in->width < 8) {
			uint64_t sign = 1ULL << (8 * in->width - 1);

			val = (val ^ sign) - sign;
		}
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

static void wake(struct trap_vcpu *v)
{
	__atomic_add_fetch(&v->wake, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &v->wake, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static int in_mask(unsigned i, uint64_t mask, uint64_t base)
{
	return base == ~0ULL ||
	       (i >= base && i - base < 64 && ((mask >> (i - base)) & 1));
}

/* An RFENCE is complete when it returns (SBI 2.0, chapter 8): wait until
 * the target has dropped its shadow pages since seen, or is out of its
 * guest (it drops them before the guest runs again: sync_space). Bounded
 * at a second, so a stuck guest process cannot hang the caller. */
static void wait_for_fence(struct trap_vcpu *to, uint32_t seen)
{
	uint64_t start = now_ticks();

	/* counted before looking at flushes; sync_space counts before
	 * looking at this: one of us sees the other */
	__atomic_add_fetch(&to->fence_waiters, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&to->in_guest, __ATOMIC_SEQ_CST) &&
	       __atomic_load_n(&to->flushes, __ATOMIC_SEQ_CST) == seen &&
	       !vm_exiting(to->vm) && now_ticks() - start < to->timebase_hz) {
		struct timespec ts = { 0, 1000000 };

		syscall(SYS_futex, &to->flushes, FUTEX_WAIT_PRIVATE, seen, &ts,
			NULL, 0);
	}
	__atomic_sub_fetch(&to->fence_waiters, 1, __ATOMIC_SEQ_CST);
}

/* For each hart in mask (from base): a supervisor software interrupt
 * (IPI), or (RFENCE) its shadow pages dropped before its guest runs on,
 * waited for; a kick gets a running guest out. */
static int poke_harts(struct trap *t, uint64_t mask, uint64_t base, int fence)
{
	uint32_t seen[VM_MAX_CPUS] = { 0 };
	unsigned i;

	for (i = 0; i < t->nr; i++) {
		struct trap_vcpu *to = &t->vcpus[i];

		if (!in_mask(i, mask, base))
			continue;
		if (fence) {
			/* the count before the request, the request before
			 * looking at in_guest (wait_for_fence) */
			seen[i] =
				__atomic_load_n(&to->flushes, __ATOMIC_SEQ_CST);
			__atomic_store_n(&to->flush, 1, __ATOMIC_SEQ_CST);
		} else {
			__atomic_or_fetch(&to->hart.mip, MIP_SSIP,
					  __ATOMIC_SEQ_CST);
			wake(to);
		}
		if (to != current)
			kick(to);
	}
	for (i = 0; fence && i < t->nr; i++)
		if (in_mask(i, mask, base) && &t->vcpus[i] != current)
			wait_for_fence(&t->vcpus[i], seen[i]);
	return SBI_SUCCESS;
}

/* HSM (chapter 9), IPI (7) and RFENCE (8): the calls that involve other
 * harts. Returns 1 when c was one of them. */
static int multi_hart_call(struct trap_vcpu *v, struct sbi_call *c)
{
	struct trap *t = v->vm->backend_data;
	struct trap_vcpu *to;
	uint64_t *mask;
	int expected = HSM_STOPPED;

	c->ret[0] = SBI_SUCCESS;
	c->ret[1] = 0;
	switch (c->ext) {
	case SBI_EXT_HSM:
		if (c->fid == 1) { /* hart_stop */
			v->stop_requested = 1;
			return 1;
		}
		if (c->fid != 0 && c->fid != 2)
			break;
		if (c->args[0] >= t->nr) {
			c->ret[0] = SBI_ERR_INVALID_PARAM;
			return 1;
		}
		to = &t->vcpus[c->args[0]];
		if (c->fid == 2) {
			c->ret[1] = __atomic_load_n(&to->hsm_state,
						    __ATOMIC_ACQUIRE);
			return 1;
		}
		if (!guest_mem_ptr(&v->vm->mem, c->args[1], 4)) {
			c->ret[0] = SBI_ERR_INVALID_ADDRESS;
			return 1;
		}
		to->start_pc = c->args[1];
		to->start_arg = c->args[2];
		if (!__atomic_compare_exchange_n(
			    &to->hsm_state, &expected, HSM_START_PENDING, 0,
			    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			c->ret[0] = SBI_ERR_ALREADY_AVAILABLE;
			return 1;
		}
		wake(to);
		return 1;
	case SBI_EXT_IPI:
		if (c->fid != 0)
			break;
		c->ret[0] = poke_harts(t, c->args[0], c->args[1], 0);
		return 1;
	case 0x04: /* legacy send_ipi: a0 points at the mask */
		mask = guest_mem_ptr(&v->vm->mem, c->args[0], 8);
		c->ret[0] = mask ? poke_harts(t, *mask, 0, 0)
				 : SBI_ERR_INVALID_ADDRESS;
		return 1;
	case 0x03: /* legacy clear_ipi */
		__atomic_and_fetch(&v->hart.mip, ~MIP_SSIP, __ATOMIC_SEQ_CST);
		return 1;
	case SBI_EXT_RFENCE: /* every fence drops every shadow page */
		c->ret[0] = poke_harts(t, c->args[0], c->args[1], 1);
		return 1;
	case 0x05:
	case 0x06:
	case 0x07: /* legacy: the mask's address may be virtual; fence all */
		c->ret[0] = poke_harts(t, 0, ~0ULL, 1);
		return 1;
	case SBI_EXT_BASE:
		if (c->fid == 3 &&
		    (c->args[0] == SBI_EXT_HSM || c->args[0] == SBI_EXT_IPI ||
		     c->args[0] == SBI_EXT_RFENCE)) {
			c->ret[1] = 1;
			return 1;
		}
		return 0;
	default:
		return 0;
	}
	c->ret[0] = SBI_ERR_NOT_SUPPORTED;
	return 1;
}

static void count_sbi(struct trap_stats *st, uint64_t ext)
{
	unsigned i;

	for (i = 0; i < STATS_SBI - 1; i++) {
		if (!st->sbi[i].count)
			st->sbi[i].ext = ext;
		if (st->sbi[i].ext == ext)
			break;
	}
	st->sbi[i].count++;
}

static void ecall(struct trap_vcpu *v, uint64_t *r)
{
	struct sbi_call c = { .ext = r[17], .fid = r[16] };
	int i;

	count_sbi(&v->stats, c.ext);
	for (i = 0; i < 6; i++)
		c.args[i] = r[10 + i];
	if (!multi_hart_call(v, &c))
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

	if (!sandbox_mappable(&v->box, page, PAGE_SIZE)) {
		pr_err("vCPU %u: the guest uses virtual address 0x%llx, which the trap backend cannot map for it (guests with paging on must keep to the lower half and off vmm's own pages; see README)",
		       v->id, (unsigned long long)va);
		vm_request_exit(v->vm, VMM_EXIT_ERROR);
		return;
	}
	/* SHADOW_R/W/X are PROT_READ/WRITE/EXEC */
	if (sandbox_map(&v->box, page, PAGE_SIZE, prot,
			(t->pa & PAGE_MASK) - v->vm->mem.base))
		/* no room: start over rather than lose it */
		__atomic_store_n(&v->flush, 1, __ATOMIC_SEQ_CST);
}

/* SIGSEGV/SIGBUS at addr: a shadow page to fill, a device to emulate, or
 * a fault for the guest. */
static void memory_fault(struct trap_vcpu *v, uint64_t *r, uint64_t addr)
{
	struct hart *h = &v->hart;
	struct translation t;
	struct insn in;
	enum access acc;
	uint64_t tval;
	uint32_t raw;
	int exc = fetch(v, r[0], &raw, &tval);

	if (exc) {
		fetch_fault(v, r, exc, tval);
		return;
	}
	insn_decode(raw, &in);
	acc = fault_access(&in, get_x(r, in.rs1), addr);
	exc = translate(v, addr, acc, &t);
	if (exc) {
		hart_trap(h, (uint64_t)exc, addr);
		return;
	}
	if (paging_on(h) &&
	    guest_mem_ptr(&v->vm->mem, t.pa & PAGE_MASK, PAGE_SIZE)) {
		shadow_fill(v, addr, &t);
		return;
	}
	if (acc == ACCESS_FETCH) {
		fetch_fault(v, r, EXC_INSN_ACCESS, addr);
		return;
	}
	mmio(v, r, &in, t.pa, addr);
}

/* --- running ahead ---------------------------------------------------------
 *
 * A trap costs a round trip to the guest process; the instructions around
 * a privileged one cost vmm almost nothing to run itself. So after each
 * trap the hart's thread goes on executing the guest, as the hart would:
 * integer arithmetic and jumps (interp.c), loads, stores and atomics to RAM
 * and devices (through the guest's translation), CSRs, SBI calls, SRET and
 * MRET, and the traps any of them raise. It hands the guest back to its
 * process at the first instruction it does not run (floating point,
 * unprivileged CSRs, anything unknown, an access it cannot make in one
 * piece), or once RUN_AHEAD_QUIET instructions in a row needed no
 * privilege, or after RUN_AHEAD_MAX in all: native code runs faster.
 */
#define RUN_AHEAD_QUIET 2048
#define RUN_AHEAD_MAX 262144

enum ahead { AHEAD_PLAIN, AHEAD_PRIVILEGED, AHEAD_STOP };

/* The host address of the guest's RAM that va names for acc, for an
 * access of width bytes; NULL with *exc set when it faults, NULL with
 * *exc 0 and *pa set when it is no RAM (a device). */
static void *ahead_ram(struct trap_vcpu *v, uint64_t va, unsigned width,
		       enum access acc, uint64_t *pa, int *exc)
{
	struct translation t;

	*exc = translate(v, va, acc, &t);
	if (*exc)
		return NULL;
	*pa = t.pa;
	return guest_mem_ptr(&v->vm->mem, t.pa, width);
}

static uint64_t load_raw(const void *p, unsigned width)
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

static void store_raw(void *p, unsigned width, uint64_t val)
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

static uint64_t sign_extend(uint64_t val, unsigned width)
{
	uint64_t sign;

	if (width >= 8)
		return val;
	sign = 1ULL << (8 * width - 1);
	val &= (sign << 1) - 1;
	return (val ^ sign) - sign;
}

/* AMO<op> (A, chapter 8) on p: the old value, sign-extended. */
static uint64_t amo(void *p, unsigned width, unsigned f5, uint64_t src)
{
	uint64_t old, val;

	for (;;) {
		old = load_raw(p, width);
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
			val = (int64_t)sign_extend(old, width) <
					      (int64_t)sign_extend(src, width)
				      ? old
				      : src;
			break;
		case 0x14: /* AMOMAX */
			val = (int64_t)sign_extend(old, width) >
					      (int64_t)sign_extend(src, width)
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
				return sign_extend(old, 4);
		} else if (__atomic_compare_exchange_n((uint64_t *)p, &old, val,
						       0, __ATOMIC_SEQ_CST,
						       __ATOMIC_SEQ_CST)) {
			return old;
		}
	}
}

/* LR, SC and the AMOs on RAM; anything else on a device is an access
 * fault, as in mmio(). */
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
	if (!p)
		return AHEAD_STOP; /* a device, or nothing: as natively */
	if (in->kind == INSN_LR) {
		val = sign_extend(load_raw(p, in->width), in->width);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		v->resv_addr = va;
		v->resv_val = val;
		v->resv_valid = 1;
	} else if (in->kind == INSN_SC) {
		val = 1;
		if (v->resv_valid && v->resv_addr == va) {
			uint64_t want = v->resv_val;
			uint64_t src = get_x(r, in->rs2);

			if (in->width == 4) {
				uint32_t w = (uint32_t)want;

				val = !__atomic_compare_exchange_n(
					(uint32_t *)p, &w, (uint32_t)src, 0,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
			} else {
				val = !__atomic_compare_exchange_n(
					(uint64_t *)p, &want, src, 0,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
			}
		}
		v->resv_valid = 0;
	} else {
		val = amo(p, in->width, f5, get_x(r, in->rs2));
	}
	set_x(r, in->rd, val);
	v->hart.pc += in->len;
	return AHEAD_PLAIN;
}

/* A load or store: RAM directly, a device through mmio(), a fault as the
 * guest's exception. Floating-point ones and misaligned ones stop. */
static enum ahead ahead_memory(struct trap_vcpu *v, uint64_t *r,
			       const struct insn *in)
{
	uint64_t va = get_x(r, in->rs1) + (uint64_t)in->imm, pa;
	int store = in->kind == INSN_STORE, exc;
	void *p;

	if (in->fp || (va & (in->width - 1)))
		return AHEAD_STOP;
	p = ahead_ram(v, va, in->width, store ? ACCESS_STORE : ACCESS_LOAD, &pa,
		      &exc);
	if (exc) {
		hart_trap(&v->hart, (uint64_t)exc, va);
		return AHEAD_PRIVILEGED;
	}
	if (!p) {
		/* No device there either: what the guest process has at that
		 * address (nothing, or its own region) decides, natively. */
		if (!bus_find(&v->vm->bus, pa, in->width))
			return AHEAD_STOP;
		mmio(v, r, in, pa, va);
		return AHEAD_PRIVILEGED;
	}
	if (store) {
		store_raw(p, in->width, get_x(r, in->rs2));
		if (v->resv_valid && (v->resv_addr & ~7ULL) == (va & ~7ULL))
			v->resv_valid = 0;
	} else {
		uint64_t val = load_raw(p, in->width);

		set_x(r, in->rd,
		      in->sign_extend ? sign_extend(val, in->width) : val);
	}
	v->hart.pc += in->len;
	return AHEAD_PLAIN;
}

/* ECALL, EBREAK, the CSRs of S- and M-mode, SRET, MRET, WFI, SFENCE.VMA:
 * exactly what the report of their trap would do. */
static enum ahead ahead_system(struct trap_vcpu *v, uint64_t *r,
			       const struct insn *in, uint32_t raw)
{
	struct trap *t = v->vm->backend_data;
	struct hart *h = &v->hart;

	switch (in->kind) {
	case INSN_ECALL:
		if (h->priv == PRIV_S && !t->m_mode) {
			ecall(v, r);
			h->pc += 4;
		} else {
			hart_trap(h, EXC_ECALL_U + h->priv, 0);
		}
		return AHEAD_PRIVILEGED;
	case INSN_EBREAK:
		hart_trap(h, EXC_BREAKPOINT, h->pc);
		return AHEAD_PRIVILEGED;
	case INSN_CSR:
		/* fcsr, the counters: the hart runs those natively */
		if (!((in->csr >> 8) & 3))
			return AHEAD_STOP;
		break;
	case INSN_ILLEGAL:
		return AHEAD_STOP;
	default:
		break;
	}
	privileged(v, r, raw);
	return AHEAD_PRIVILEGED;
}

/* The guest page run_ahead fetches from, kept until something privileged
 * (which may change the translation) runs: no walk per instruction. */
struct code_page {
	uint64_t va; /* page-aligned; 1 when none */
	const uint8_t *host;
};

static int ahead_fetch(struct trap_vcpu *v, struct code_page *cp, uint32_t *raw)
{
	uint64_t pc = v->hart.pc, off = pc & ~PAGE_MASK, tval;
	struct translation t;
	uint16_t lo, hi;

	if ((pc & PAGE_MASK) != cp->va) {
		cp->va = 1;
		if (translate(v, pc, ACCESS_FETCH, &t))
			return -1;
		cp->host =
			guest_mem_ptr(&v->vm->mem, t.pa & PAGE_MASK, PAGE_SIZE);
		if (!cp->host)
			return -1;
		cp->va = pc & PAGE_MASK;
	}
	memcpy(&lo, cp->host + off, 2);
	*raw = lo;
	if (insn_length(lo) == 2)
		return 0;
	if (off + 4 > PAGE_SIZE) /* it straddles two pages */
		return fetch(v, pc, raw, &tval) ? -1 : 0;
	memcpy(&hi, cp->host + off + 2, 2);
	*raw |= (uint32_t)hi << 16;
	return 0;
}

static enum ahead ahead_step(struct trap_vcpu *v, uint64_t *r,
			     struct code_page *cp)
{
	struct hart *h = &v->hart;
	uint32_t raw, full;
	struct insn in;
	unsigned len;

	if (ahead_fetch(v, cp, &raw))
		return AHEAD_STOP; /* the guest process raises the fault */
	len = insn_length((uint16_t)raw);
	full = len == 4 ? raw : rvc_expand((uint16_t)raw);
	if (full && interp_alu(r, &h->pc, full, len))
		return AHEAD_PLAIN;
	insn_decode(raw, &in);
	switch (in.kind) {
	case INSN_LOAD:
	case INSN_STORE:
		return ahead_memory(v, r, &in);
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
	return AHEAD_STOP;
}

/* Go on from the hart's pc as described above; mb->regs are the guest's
 * registers throughout (r[0] is set again before the guest resumes). */
static void run_ahead(struct trap_vcpu *v, uint64_t *r)
{
	struct trap *t = v->vm->backend_data;
	struct code_page cp = { 1, NULL };
	unsigned quiet = 0, n;

	for (n = 0; n < RUN_AHEAD_MAX && quiet < RUN_AHEAD_QUIET; n++) {
		enum ahead a;

		if (vm_exiting(v->vm) || v->stop_requested ||
		    __atomic_load_n(&t->paused, __ATOMIC_ACQUIRE))
			break;
		a = ahead_step(v, r, &cp);
		if (a == AHEAD_STOP)
			break;
		if (a == AHEAD_PLAIN) {
			quiet++;
			continue;
		}
		quiet = 0;
		cp.va = 1;
		deliver_interrupt(v);
	}
	v->stats.ahead += n;
}

/* Before the guest goes on: when its translation changed (paging, satp,
 * privilege, SUM, MXR) or it fenced, the guest process drops every page
 * it may see, and gets guest RAM back where paging is off. */
static void sync_space(struct trap_vcpu *v)
{
	struct hart *h = &v->hart;
	struct guest_space want = { 0 }, *now = &v->space;

	if (paging_on(h)) {
		want.virt = 1;
		want.satp = h->satp;
		want.priv = h->priv;
		want.sum = !!(h->mstatus & MSTATUS_SUM);
		want.mxr = !!(h->mstatus & MSTATUS_MXR);
	}
	/* in_guest is set already: a fence asked for after this exchange
	 * waits for the next flush (wait_for_fence) */
	if (!__atomic_exchange_n(&v->flush, 0, __ATOMIC_SEQ_CST) &&
	    want.virt == now->virt && want.satp == now->satp &&
	    want.priv == now->priv && want.sum == now->sum &&
	    want.mxr == now->mxr)
		return;
	sandbox_drop_ops(&v->box); /* pages filled a moment ago go too */
	sandbox_unmap_all(&v->box);
	if (!want.virt)
		sandbox_map(&v->box, v->vm->mem.base, v->vm->mem.size,
			    SHADOW_R | SHADOW_W | SHADOW_X, 0);
	*now = want;
	/* the guest runs again only after the handler made these changes */
	__atomic_add_fetch(&v->flushes, 1, __ATOMIC_SEQ_CST);
	/* a system call only when an RFENCE waits: flushes are frequent */
	if (__atomic_load_n(&v->fence_waiters, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &v->flushes, FUTEX_WAKE_PRIVATE, INT32_MAX,
			NULL, NULL, 0);
}

static unsigned report_kind(uint64_t sig)
{
	switch (sig) {
	case SIGILL:
		return REPORT_ILL;
	case SIGSEGV:
	case SIGBUS:
		return REPORT_SEGV;
	case SIGSYS:
		return REPORT_SYS;
	}
	return REPORT_OTHER;
}

/* The hart's counters, once it is done: round trips by kind, what vmm
 * ran itself, the busiest CSRs and the SBI calls. */
static void log_stats(const struct trap_vcpu *v)
{
	const struct trap_stats *st = &v->stats;
	char line[256];
	unsigned i, k, n = 0, top[6] = { 0 };

	pr_debug(
		"vCPU %u: %llu round trips to the guest process (%llu SIGILL, %llu SIGSEGV/SIGBUS, %llu SIGSYS, %llu other), %llu instructions run by vmm",
		v->id,
		(unsigned long long)(st->reports[0] + st->reports[1] +
				     st->reports[2] + st->reports[3]),
		(unsigned long long)st->reports[0],
		(unsigned long long)st->reports[1],
		(unsigned long long)st->reports[2],
		(unsigned long long)st->reports[3],
		(unsigned long long)st->ahead);
	for (i = 1; i < 4096; i++)
		for (k = 0; k < 6; k++)
			if (st->csr[i] > st->csr[top[k]]) {
				memmove(&top[k + 1], &top[k],
					(5 - k) * sizeof(top[0]));
				top[k] = i;
				break;
			}
	for (k = 0; k < 6 && st->csr[top[k]]; k++)
		n += (unsigned)snprintf(line + n, sizeof(line) - n,
					" 0x%03x:%u", top[k], st->csr[top[k]]);
	if (n)
		pr_debug("vCPU %u: busiest CSRs (number:accesses):%s", v->id,
			 line);
	for (n = 0, i = 0; i < STATS_SBI && st->sbi[i].count; i++)
		n += (unsigned)snprintf(line + n, sizeof(line) - n,
					" 0x%llx:%llu",
					(unsigned long long)st->sbi[i].ext,
					(unsigned long long)st->sbi[i].count);
	if (n)
		pr_debug("vCPU %u: SBI calls (extension:calls):%s", v->id,
			 line);
}

/* One report: the signal the guest raised, emulated. */
static void handle_report(struct trap_vcpu *v, struct sandbox_mailbox *mb)
{
	struct trap *t = v->vm->backend_data;
	uint64_t *r = mb->regs, tval;
	uint32_t raw;
	int exc;

	if (v->entering) {
		/* The guest process is ready: the guest's registers go in. */
		v->entering = 0;
		memset(r, 0, sizeof(mb->regs));
		r[0] = v->start_pc;
		r[10] = v->id;
		r[11] = v->start_arg;
		v->hart.pc = r[0];
		return;
	}
	v->hart.pc = r[0];
	switch (mb->sig) {
	case SIGILL:
		exc = fetch(v, r[0], &raw, &tval);
		if (exc)
			fetch_fault(v, r, exc, tval);
		else
			privileged(v, r, raw);
		break;
	case SIGSEGV:
	case SIGBUS:
		memory_fault(v, r, mb->addr);
		break;
	case SIGSYS: /* the pc is already past the ecall */
		if (v->hart.priv == PRIV_S && !t->m_mode) {
			ecall(v, r); /* to us, the SBI */
			v->hart.pc = r[0];
		} else {
			v->hart.pc = r[0] - 4;
			hart_trap(&v->hart, EXC_ECALL_U + v->hart.priv, 0);
		}
		break;
	case SIGTRAP:
		hart_trap(&v->hart, EXC_BREAKPOINT, r[0]);
		break;
	default:
		break; /* a kick: only interrupts to look at */
	}
}

/* How long the hart's thread may wait for the guest: until its timer is
 * due, and never long, to notice the VM ending. */
static uint64_t wait_ns(struct trap_vcpu *v)
{
	uint64_t now = now_ticks(), limit = 100000000ULL;
	uint64_t deadline = next_deadline(v);

	/* past deadlines have their interrupt pending already */
	if (deadline == ~0ULL || deadline <= now ||
	    deadline - now >= v->timebase_hz / 10)
		return limit;
	return (deadline - now) * 1000000000ULL / v->timebase_hz + 1;
}

static void report_death(struct trap_vcpu *v)
{
	int st = v->box.status;

	if (WIFSIGNALED(st))
		pr_err("vCPU %u: the guest process died of signal %d (%s)",
		       v->id, WTERMSIG(st), strsignal(WTERMSIG(st)));
	else
		pr_err("vCPU %u: the guest process exited with status %d",
		       v->id, WEXITSTATUS(st));
	vm_request_exit(v->vm, VMM_EXIT_GUEST_CRASH);
}

/* Mark the hart as in its guest, unless vmm pause holds it out: then it
 * waits for resume. 0 when the VM ended meanwhile. Either trap_pause()
 * sees in_guest set or this sees paused (both sequentially consistent). */
static int enter_unless_paused(struct trap_vcpu *v)
{
	struct trap *t = v->vm->backend_data;

	for (;;) {
		__atomic_store_n(&v->in_guest, 1, __ATOMIC_SEQ_CST);
		if (!__atomic_load_n(&t->paused, __ATOMIC_SEQ_CST))
			return 1;
		__atomic_store_n(&v->in_guest, 0, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&t->paused, __ATOMIC_ACQUIRE)) {
			struct timespec ts = { 0, 100000000 };

			if (vm_exiting(v->vm) || v->stop_requested)
				return 0;
			syscall(SYS_futex, &t->paused, FUTEX_WAIT_PRIVATE, 1,
				&ts, NULL, 0);
		}
	}
}

/* Run the guest until its hart stops or the VM ends. */
static void run_guest(struct trap_vcpu *v)
{
	struct sandbox_mailbox *mb = v->box.mb;

	for (;;) {
		int n = sandbox_wait(&v->box, wait_ns(v));

		if (vm_exiting(v->vm) || v->stop_requested)
			return;
		if (n < 0) {
			report_death(v);
			return;
		}
		if (n == 0) {
			/* the timer is due: get the guest out to take it */
			update_timer_irq(v);
			if (hart_pending_interrupt(&v->hart))
				sandbox_kick(&v->box);
			sandbox_refuse_strays(&v->box);
			continue;
		}
		int first = v->entering;

		__atomic_store_n(&v->in_guest, 0, __ATOMIC_SEQ_CST);
		handle_report(v, mb);
		v->stats.reports[report_kind(mb->sig)]++;
		if (!first)
			run_ahead(v, mb->regs);
		if (vm_exiting(v->vm) || v->stop_requested ||
		    !enter_unless_paused(v))
			return;
		/* From here an interrupt raised elsewhere kicks the guest;
		 * one raised before is taken now. */
		deliver_interrupt(v);
		sync_space(v);
		mb->regs[0] = v->hart.pc;
		sandbox_resume(&v->box);
	}
}

/* --- the vCPU thread ------------------------------------------------------ */

/* For S-mode guests vmm is the SBI firmware: a hart starts in S-mode with
 * every trap but its own ecalls delegated, as OpenSBI leaves it. */
static void reset_hart(struct trap_vcpu *v)
{
	struct trap *t = v->vm->backend_data;

	hart_reset(&v->hart, v->id, v->start_pc);
	v->hart.time = read_time;
	v->timer_deadline = ~0ULL;
	v->stop_requested = 0;
	if (t->m_mode)
		return; /* M-mode, nothing delegated: the guest's own firmware */
	v->hart.priv = PRIV_S;
	v->hart.medeleg =
		0xffffULL & ~(1ULL << EXC_ECALL_S | 1ULL << EXC_ECALL_M);
	v->hart.mideleg = MIP_SSIP | MIP_STIP | MIP_SEIP;
	v->hart.mcounteren = ~0u;
}

/* Sleep until SBI HSM starts this hart (1) or the VM ends (0). */
static int wait_for_start(struct trap_vcpu *v)
{
	while (!vm_exiting(v->vm)) {
		uint32_t seen = __atomic_load_n(&v->wake, __ATOMIC_ACQUIRE);
		struct timespec ts = { 0, 100000000 };

		if (__atomic_load_n(&v->hsm_state, __ATOMIC_ACQUIRE) ==
		    HSM_START_PENDING) {
			reset_hart(v);
			__atomic_store_n(&v->hsm_state, HSM_STARTED,
					 __ATOMIC_RELEASE);
			return 1;
		}
		syscall(SYS_futex, &v->wake, FUTEX_WAIT_PRIVATE, seen, &ts,
			NULL, 0);
	}
	return 0;
}

static void *vcpu_thread(void *arg)
{
	struct trap_vcpu *v = arg;
	int err;

	current = v;
	while (!vm_exiting(v->vm)) {
		if (!wait_for_start(v))
			break;
		pthread_mutex_lock(&v->box_lock);
		err = sandbox_spawn(&v->box, &v->vm->mem);
		pthread_mutex_unlock(&v->box_lock);
		if (err) {
			pr_err("trap backend: starting the guest process of vCPU %u: %s",
			       v->id, strerror(-err));
			vm_request_exit(v->vm, VMM_EXIT_ERROR);
			break;
		}
		if (v->id == 0)
			pr_info("vCPU 0: entering the guest %.3f ms after start (trap backend)",
				log_elapsed_ms());
		v->entering = 1;
		memset(&v->space, 0, sizeof(v->space)); /* RAM, paging off */
		__atomic_store_n(&v->flush, 0, __ATOMIC_SEQ_CST);
		run_guest(v);
		pthread_mutex_lock(&v->box_lock);
		v->in_guest = 0;
		sandbox_kill(&v->box);
		pthread_mutex_unlock(&v->box_lock);
		__atomic_store_n(&v->hsm_state, HSM_STOPPED, __ATOMIC_RELEASE);
	}
	log_stats(v);
	return NULL;
}

static int trap_start(struct vm *vm, uint64_t entry, uint64_t dtb)
{
	struct trap *t = vm->backend_data;
	unsigned i;
	int err = 0;

	/* Hart 0 boots; the others wait for SBI HSM. M-mode guests get
	 * every hart at once, as on QEMU's reset. */
	for (i = 0; i < (t->m_mode ? t->nr : 1); i++) {
		t->vcpus[i].start_pc = entry;
		t->vcpus[i].start_arg = dtb;
		t->vcpus[i].hsm_state = HSM_START_PENDING;
	}
	for (i = 0; i < t->nr && !err; i++) {
		struct trap_vcpu *v = &t->vcpus[i];

		v->timebase_hz = timebase();
		err = pthread_create(&v->thread, NULL, vcpu_thread, v);
		v->started = !err;
	}
	return -err;
}

static void trap_stop(struct vm *vm)
{
	struct trap *t = vm->backend_data;
	unsigned i;

	for (i = 0; i < t->nr; i++) {
		struct trap_vcpu *v = &t->vcpus[i];

		if (!v->started)
			continue;
		wake(v);
		sandbox_wake(&v->box);
		pthread_join(v->thread, NULL);
		v->started = 0;
	}
}

static void trap_set_external_irq(struct vm *vm, unsigned hart, int machine,
				  int level)
{
	struct trap *t = vm->backend_data;
	uint64_t bit = machine ? MIP_MEIP : MIP_SEIP;
	struct trap_vcpu *v;

	if (!t || hart >= t->nr)
		return;
	v = &t->vcpus[hart];
	if (level)
		__atomic_or_fetch(&v->hart.mip, bit, __ATOMIC_SEQ_CST);
	else
		__atomic_and_fetch(&v->hart.mip, ~bit, __ATOMIC_SEQ_CST);
	/* Wake a wfi, and get a running guest out to take it. */
	wake(v);
	if (level && v->started)
		kick(v);
}

/* A CLINT write moved a hart's timer or software interrupt: its thread
 * looks again (from a wfi, or from waiting on the guest). */
static void trap_clint_changed(struct vm *vm, unsigned hart)
{
	struct trap *t = vm->backend_data;
	struct trap_vcpu *v;

	if (!t || hart >= t->nr)
		return;
	v = &t->vcpus[hart];
	wake(v);
	if (v != current)
		sandbox_wake(&v->box);
}

/* Hold every hart out of its guest: kick the running ones out and wait
 * (up to a second) until none is in. The guest's clock, the host's, runs
 * on meanwhile. */
static int trap_pause(struct vm *vm)
{
	struct trap *t = vm->backend_data;
	unsigned i, tries;

	__atomic_store_n(&t->paused, 1, __ATOMIC_SEQ_CST);
	for (tries = 0; tries < 1000; tries++) {
		unsigned in = 0;

		for (i = 0; i < t->nr; i++) {
			if (!__atomic_load_n(&t->vcpus[i].in_guest,
					     __ATOMIC_SEQ_CST))
				continue;
			in++;
			kick(&t->vcpus[i]);
		}
		if (!in)
			return 0;
		usleep(1000);
	}
	__atomic_store_n(&t->paused, 0, __ATOMIC_RELEASE);
	return -ETIMEDOUT;
}

static int trap_resume(struct vm *vm)
{
	struct trap *t = vm->backend_data;

	__atomic_store_n(&t->paused, 0, __ATOMIC_RELEASE);
	syscall(SYS_futex, &t->paused, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL,
		NULL, 0);
	return 0;
}

const struct backend_ops trap_backend = {
	.name = "trap",
	.create = trap_create,
	.describe_cpus = trap_describe_cpus,
	.start = trap_start,
	.stop = trap_stop,
	.pause = trap_pause,
	.resume = trap_resume,
	.set_external_irq = trap_set_external_irq,
	.clint_changed = trap_clint_changed,
	.destroy = trap_destroy,
};
