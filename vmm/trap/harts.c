// SPDX-License-Identifier: MIT
/* The SBI calls that involve other harts: HSM, IPI, RFENCE (exec.h). */
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../log.h"
#include "../vm.h"
#include "exec.h"

void trap_wake(struct trap_vcpu *v)
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
	uint64_t start = trap_now_ticks();

	/* counted before looking at flushes; sync_space counts before
	 * looking at this: one of us sees the other */
	__atomic_add_fetch(&to->fence_waiters, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&to->in_guest, __ATOMIC_SEQ_CST) &&
	       __atomic_load_n(&to->flushes, __ATOMIC_SEQ_CST) == seen &&
	       !vm_exiting(to->vm) &&
	       trap_now_ticks() - start < to->timebase_hz) {
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
			trap_wake(to);
		}
		if (to != trap_current)
			trap_kick(to);
	}
	for (i = 0; fence && i < t->nr; i++)
		if (in_mask(i, mask, base) && &t->vcpus[i] != trap_current)
			wait_for_fence(&t->vcpus[i], seen[i]);
	return SBI_SUCCESS;
}

/* HSM (chapter 9), IPI (7) and RFENCE (8): the calls that involve other
 * harts. Returns 1 when c was one of them. */
int trap_multi_hart_call(struct trap_vcpu *v, struct sbi_call *c)
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
		trap_wake(to);
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
