// SPDX-License-Identifier: MIT
/*
 * The trap-and-emulate backend's executor (riscv64 hosts): guest code runs
 * natively, in host user mode, in a guest process of its own per hart
 * (sandbox.h) that holds guest RAM at its guest-physical address and
 * nothing of the monitor's. Privileged instructions arrive as SIGILL, MMIO
 * accesses as SIGSEGV, `ecall` as SIGSYS from the process's seccomp
 * filter; each is reported when the guest process parks (sandbox.h), and
 * the hart's thread here emulates it against the virtual hart and sends
 * the guest on.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../fdt/fdt.h"
#include "../log.h"
#include "../vm.h"
#include "exec.h"

__thread struct trap_vcpu *trap_current;

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

uint64_t trap_now_ticks(void)
{
	uint64_t t;

	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

/* The virtual hart's time CSR is the host's: guests read it natively. */
static uint64_t read_time(void *opaque)
{
	(void)opaque;
	return trap_now_ticks();
}

/* SBI TIME: a new deadline for the calling hart; its pending timer
 * interrupt clears. */
static void set_timer(void *opaque, uint64_t when)
{
	struct trap_vcpu *v = trap_current;

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
	if (v->timer_deadline != ~0ULL && trap_now_ticks() >= v->timer_deadline)
		__atomic_or_fetch(&v->hart.mip, MIP_STIP, __ATOMIC_SEQ_CST);
	if (v->vm->has_clint) {
		uint64_t m = clint_mip(&v->vm->clint, v->id);

		__atomic_or_fetch(&v->hart.mip, m, __ATOMIC_SEQ_CST);
		__atomic_and_fetch(&v->hart.mip, ~((MIP_MSIP | MIP_MTIP) & ~m),
				   __ATOMIC_SEQ_CST);
	}
}

/* Take the interrupt the hart should take now, if any, at h->pc: 1 if
 * one was taken. */
int trap_deliver_interrupt(struct trap_vcpu *v)
{
	uint64_t cause;

	update_timer_irq(v);
	cause = hart_pending_interrupt(&v->hart);
	if (cause)
		hart_trap(&v->hart, cause, 0);
	return !!cause;
}

/* WFI: sleep until an interrupt is pending and enabled locally (3.3.3:
 * whatever the global enables say) or the VM ends. */
void trap_wait_for_interrupt(struct trap_vcpu *v)
{
	for (;;) {
		uint32_t seen = __atomic_load_n(&v->wake, __ATOMIC_ACQUIRE);
		struct timespec ts = { 0, 100000000 };
		uint64_t now, deadline;

		update_timer_irq(v);
		if ((hart_mip(&v->hart) & v->hart.mie) || vm_exiting(v->vm))
			return;
		now = trap_now_ticks();
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
	t->fast = trap_fast_wanted();
	t->map_floor = sandbox_map_floor();
	for (unsigned i = 0; i < t->nr; i++) {
		t->vcpus[i].vm = vm;
		t->vcpus[i].id = i;
		t->vcpus[i].hsm_state = HSM_STOPPED;
		for (unsigned j = 0; j < TRAP_SPACES; j++) {
			t->vcpus[i].boxes[j].pidfd = -1;
			t->vcpus[i].boxes[j].notify_fd = -1;
			t->vcpus[i].boxes[j].wake_fd = -1;
		}
		t->vcpus[i].box = &t->vcpus[i].boxes[0];
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
		for (unsigned j = 0; j < TRAP_SPACES; j++)
			sandbox_free(&t->vcpus[i].boxes[j]);
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

void trap_kick(struct trap_vcpu *v)
{
	pthread_mutex_lock(&v->box_lock);
	if (v->in_guest)
		sandbox_kick(v->box);
	pthread_mutex_unlock(&v->box_lock);
}

/* How long the hart's thread may wait for the guest: until its timer is
 * due, and never long, to notice the VM ending. */
static uint64_t wait_ns(struct trap_vcpu *v)
{
	uint64_t now = trap_now_ticks(), limit = 100000000ULL;
	uint64_t deadline = next_deadline(v);

	/* past deadlines have their interrupt pending already */
	if (deadline == ~0ULL || deadline <= now ||
	    deadline - now >= v->timebase_hz / 10)
		return limit;
	return (deadline - now) * 1000000000ULL / v->timebase_hz + 1;
}

static void report_death(struct trap_vcpu *v)
{
	int st = v->box->status;

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

/* A guest process that blocks the kick cannot be interrupted: no timer,
 * no device interrupt, no pause would ever reach its guest again. */
static int kick_ignored(struct trap_vcpu *v)
{
	if (!sandbox_kick_blocked(v->box, v->timebase_hz))
		return 0;
	pr_err("vCPU %u: the guest process blocks vmm's kick signal (guest code ran the handler page's rt_sigreturn with a signal mask of its own): stopping the VM",
	       v->id);
	vm_request_exit(v->vm, VMM_EXIT_GUEST_CRASH);
	return 1;
}

/* Run the guest until its hart stops or the VM ends. */
static void run_guest(struct trap_vcpu *v)
{
	for (;;) {
		struct sandbox *box = v->box;
		int n = sandbox_wait(box, wait_ns(v)), first;

		if (vm_exiting(v->vm) || v->stop_requested)
			return;
		if (n < 0) {
			report_death(v);
			return;
		}
		if (n == 0) {
			/* the timer is due: get the guest out to take it */
			update_timer_irq(v);
			if (hart_pending_interrupt(&v->hart) ||
			    trap_fast_unaware(v, box))
				sandbox_kick(box);
			if (kick_ignored(v))
				return;
			continue;
		}
		/* The guest is parked: box->regs are its registers as it
		 * claims them, ours to edit until it resumes. */
		first = v->entering; /* the guest process's "ready" */
		__atomic_store_n(&v->in_guest, 0, __ATOMIC_SEQ_CST);
		trap_fast_pull(v, box);
		trap_handle_report(v, box);
		v->stats.reports[trap_report_kind(box->sig)]++;
		if (!first) {
			/* one the report's instruction enabled is taken
			 * before the next instruction (an instruction left
			 * for run_ahead runs after the handler) */
			if (trap_deliver_interrupt(v))
				v->must_run = 0;
			trap_run_ahead(v, box->regs);
		}
		if (vm_exiting(v->vm) || v->stop_requested ||
		    !enter_unless_paused(v))
			return;
		/* From here an interrupt raised elsewhere kicks the guest;
		 * one raised before is taken now. */
		trap_deliver_interrupt(v);
		trap_sync_space(v); /* may hand it to another process */
		box = v->box;
		box->regs[0] = v->hart.pc;
		trap_fast_push(v, box);
		sandbox_resume(box);
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

	trap_current = v;
	while (!vm_exiting(v->vm)) {
		if (!wait_for_start(v))
			break;
		err = trap_spaces_start(v);
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
		__atomic_store_n(&v->flush, 0, __ATOMIC_SEQ_CST);
		run_guest(v);
		v->in_guest = 0;
		trap_spaces_kill(v);
		__atomic_store_n(&v->hsm_state, HSM_STOPPED, __ATOMIC_RELEASE);
	}
	trap_log_stats(v);
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
		trap_wake(v);
		sandbox_wake(v->box);
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
	trap_wake(v);
	if (level && v->started)
		trap_kick(v);
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
	trap_wake(v);
	if (v != trap_current)
		sandbox_wake(v->box);
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
			trap_kick(&t->vcpus[i]);
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
	.counters = trap_counters,
	.destroy = trap_destroy,
};
