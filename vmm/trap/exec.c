// SPDX-License-Identifier: MIT
/*
 * The trap-and-emulate backend's executor (riscv64 hosts): guest code runs
 * natively on the vCPU thread, in host user mode, with guest RAM mapped at
 * its guest-physical address. Privileged instructions arrive as SIGILL,
 * MMIO accesses as SIGSEGV, `ecall` as SIGSYS from a seccomp filter that
 * traps every system call made outside the monitor's own text. The handler
 * (entry.S, then trap_signal_handler) emulates against the virtual hart and
 * edits the saved context; sigreturn resumes the guest.
 *
 * This first version runs S-mode guests with paging off, a thread per hart;
 * the monitor's own memory is not yet hidden from the guest (DESIGN.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "../../fdt/fdt.h"
#include "../log.h"
#include "../vm.h"
#include "decode.h"
#include "hart.h"

#define ALTSTACK_SIZE (64 * 1024)
#define KICK SIGUSR2

void trap_signal_entry(int sig, siginfo_t *si, void *uc);
void trap_signal_handler(int sig, siginfo_t *si, void *uc);
extern char __executable_start[], etext[];

struct trap_vcpu {
	struct vm *vm;
	struct hart hart;
	uint64_t timebase_hz;
	uint64_t timer_deadline; /* SBI set_timer's, ~0 when none */
	timer_t timer; /* signals KICK to this thread when due */
	uint32_t wake; /* futex: bumped when an interrupt arrives */
	unsigned id;
	int hsm_state; /* SBI HSM: started, stopped, start pending */
	uint64_t start_pc, start_arg;
	volatile int entering, stop_requested;
	ucontext_t monitor; /* where the thread resumes when the guest ends */
	volatile int in_guest;
	pthread_t thread;
	int started;
	void *altstack; /* holds the monitor's tp and gp at its base */
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
	void *ram; /* guest RAM at its guest-physical address */
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

/* Arm the thread's POSIX timer for the guest's deadline. */
static void arm_timer(struct trap_vcpu *v, uint64_t deadline)
{
	struct itimerspec its = { 0 };
	uint64_t now = now_ticks(), ns;

	if (deadline != ~0ULL) {
		uint64_t delta = deadline > now ? deadline - now : 0;

		/* Far deadlines are re-armed when they come closer. */
		if (delta > 3600 * v->timebase_hz)
			delta = 3600 * v->timebase_hz;
		ns = delta * (1000000000ULL / v->timebase_hz);
		its.it_value.tv_sec = (time_t)(ns / 1000000000ULL);
		its.it_value.tv_nsec = (long)(ns % 1000000000ULL);
		if (!ns)
			its.it_value.tv_nsec = 1; /* zero would disarm it */
	}
	timer_settime(v->timer, 0, &its, NULL);
}

/* SBI TIME: a new deadline for the calling hart; its pending timer
 * interrupt clears. */
static void set_timer(void *opaque, uint64_t when)
{
	struct trap_vcpu *v = current;

	(void)opaque;

	v->timer_deadline = when;
	__atomic_and_fetch(&v->hart.mip, ~MIP_STIP, __ATOMIC_SEQ_CST);
	arm_timer(v, when);
}

/* STIP follows the SBI timer's deadline. */
static void update_timer_irq(struct trap_vcpu *v)
{
	if (v->timer_deadline != ~0ULL && now_ticks() >= v->timer_deadline)
		__atomic_or_fetch(&v->hart.mip, MIP_STIP, __ATOMIC_SEQ_CST);
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
		uint64_t now;

		update_timer_irq(v);
		if ((__atomic_load_n(&v->hart.mip, __ATOMIC_SEQ_CST) &
		     v->hart.mie) ||
		    vm_exiting(v->vm))
			return;
		now = now_ticks();
		if (v->timer_deadline != ~0ULL &&
		    v->timer_deadline - now < v->timebase_hz / 10) {
			uint64_t ns = (v->timer_deadline - now) *
				      1000000000ULL / v->timebase_hz;

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
	struct trap *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	vm->backend_data = t;
	t->ram = mmap((void *)(uintptr_t)vm->mem.base, vm->mem.size,
		      PROT_READ | PROT_WRITE | PROT_EXEC,
		      MAP_SHARED | MAP_FIXED_NOREPLACE, vm->mem.fd, 0);
	if (t->ram == MAP_FAILED) {
		int err = -errno;

		t->ram = NULL;
		pr_err("trap backend: mapping guest RAM at 0x%llx: %s",
		       (unsigned long long)vm->mem.base, strerror(-err));
		return err;
	}
	t->nr = vm->cfg->cpus;
	for (unsigned i = 0; i < t->nr; i++) {
		t->vcpus[i].vm = vm;
		t->vcpus[i].id = i;
		t->vcpus[i].hsm_state = HSM_STOPPED;
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
	if (t->ram)
		munmap(t->ram, vm->mem.size);
	for (unsigned i = 0; i < t->nr; i++)
		free(t->vcpus[i].altstack);
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

/* --- in the signal handler ------------------------------------------------ */

static uint64_t get_x(const greg_t *r, unsigned i)
{
	return i ? r[i] : 0;
}

static void set_x(greg_t *r, unsigned i, uint64_t v)
{
	if (i)
		r[i] = v;
}

static void leave_guest(struct trap_vcpu *v, ucontext_t *uc)
{
	const uint64_t *saved = v->altstack;

	v->in_guest = 0;
	memcpy(&uc->uc_mcontext, &v->monitor.uc_mcontext,
	       sizeof(uc->uc_mcontext));
	/* getcontext() keeps only what a call preserves: not gp and tp. */
	uc->uc_mcontext.__gregs[3] = saved[1];
	uc->uc_mcontext.__gregs[4] = saved[0];
}

static int fetch(struct trap_vcpu *v, uint64_t pc, uint32_t *raw)
{
	uint16_t *p = guest_mem_ptr(&v->vm->mem, pc, 2);

	if (!p)
		return -1;
	*raw = p[0];
	if (insn_length(p[0]) == 4) {
		p = guest_mem_ptr(&v->vm->mem, pc, 4);
		if (!p)
			return -1;
		*raw |= (uint32_t)p[1] << 16;
	}
	return 0;
}

static void privileged(struct trap_vcpu *v, greg_t *r, uint32_t raw)
{
	struct hart *h = &v->hart;
	struct insn in;
	uint64_t old;

	insn_decode(raw, &in);
	switch (in.kind) {
	case INSN_CSR:
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
	case INSN_WFI:
		h->pc += in.len;
		wait_for_interrupt(v);
		return;
	case INSN_SFENCE_VMA:
		h->pc += in.len; /* no shadow pages yet */
		return;
	default:
		break;
	}
	hart_trap(h, EXC_ILLEGAL_INSN, raw);
}

static void mmio(struct trap_vcpu *v, ucontext_t *uc, uint64_t addr)
{
	greg_t *r = uc->uc_mcontext.__gregs;
	struct hart *h = &v->hart;
	uint64_t val = 0;
	struct insn in;
	uint32_t raw;

	if (fetch(v, h->pc, &raw)) {
		hart_trap(h, EXC_INSN_ACCESS, h->pc);
		return;
	}
	insn_decode(raw, &in);
	if (in.kind == INSN_STORE) {
		val = in.fp ? uc->uc_mcontext.__fpregs.__d.__f[in.rs2]
			    : get_x(r, in.rs2);
		if (in.width < 8)
			val &= (1ULL << (8 * in.width)) - 1;
		vm_mmio(v->vm, addr, in.width, 1, &val);
	} else if (in.kind == INSN_LOAD) {
		vm_mmio(v->vm, addr, in.width, 0, &val);
		if (in.sign_extend && in.width < 8) {
			uint64_t sign = 1ULL << (8 * in.width - 1);

			val = (val ^ sign) - sign;
		}
		if (in.fp)
			uc->uc_mcontext.__fpregs.__d.__f[in.rd] = val;
		else
			set_x(r, in.rd, val);
	} else {
		/* AMOs, LR/SC and anything else on MMIO: an access fault. */
		hart_trap(h,
			  in.kind == INSN_LOAD || in.kind == INSN_LR
				  ? EXC_LOAD_ACCESS
				  : EXC_STORE_ACCESS,
			  addr);
		return;
	}
	h->pc += in.len;
}

static void wake(struct trap_vcpu *v)
{
	__atomic_add_fetch(&v->wake, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &v->wake, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* A supervisor software interrupt for each hart in mask (from base). */
static int send_ipi(struct trap *t, uint64_t mask, uint64_t base)
{
	unsigned i;

	for (i = 0; i < t->nr; i++) {
		struct trap_vcpu *to = &t->vcpus[i];

		if (base != ~0ULL &&
		    (i < base || i - base >= 64 || !((mask >> (i - base)) & 1)))
			continue;
		__atomic_or_fetch(&to->hart.mip, MIP_SSIP, __ATOMIC_SEQ_CST);
		wake(to);
		if (to != current && to->in_guest)
			pthread_kill(to->thread, KICK);
	}
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
		c->ret[0] = send_ipi(t, c->args[0], c->args[1]);
		return 1;
	case 0x04: /* legacy send_ipi: a0 points at the mask */
		mask = guest_mem_ptr(&v->vm->mem, c->args[0], 8);
		c->ret[0] =
			mask ? send_ipi(t, *mask, 0) : SBI_ERR_INVALID_ADDRESS;
		return 1;
	case 0x03: /* legacy clear_ipi */
		__atomic_and_fetch(&v->hart.mip, ~MIP_SSIP, __ATOMIC_SEQ_CST);
		return 1;
	case SBI_EXT_RFENCE:
	case 0x05:
	case 0x06:
	case 0x07:
		return 1; /* no paging, no TLBs to shoot down */
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

static void ecall(struct trap_vcpu *v, greg_t *r)
{
	struct sbi_call c = { .ext = r[17], .fid = r[16] };
	int i;

	for (i = 0; i < 6; i++)
		c.args[i] = r[10 + i];
	if (!multi_hart_call(v, &c))
		sbi_handle(&v->vm->sbi, &c);
	r[10] = (greg_t)c.ret[0];
	if (c.ext >= 0x10) /* legacy calls return a0 only */
		r[11] = (greg_t)c.ret[1];
	/* the pc is already past the ecall */
}

static void dump(const greg_t *r)
{
	unsigned i;

	pr_err("vCPU 0 registers:");
	pr_err("  pc   0x%016llx", (unsigned long long)r[0]);
	for (i = 1; i < 32; i++)
		pr_err("  x%-3u 0x%016llx", i, (unsigned long long)r[i]);
}

/* An instruction fetch from outside guest RAM. When the pc is the trap
 * vector itself the guest has no handler left to run: it has crashed, as
 * KVM would report it, rather than loop forever. */
static void fetch_fault(struct trap_vcpu *v, const greg_t *r)
{
	struct hart *h = &v->hart;

	if (r[0] == (h->stvec & ~3ULL) || r[0] == (h->mtvec & ~3ULL)) {
		pr_err("vCPU 0: the guest's trap vector 0x%llx is not in RAM: it crashed",
		       (unsigned long long)r[0]);
		dump(r);
		vm_request_exit(v->vm, VMM_EXIT_GUEST_CRASH);
		return;
	}
	hart_trap(h, EXC_INSN_ACCESS, r[0]);
}

void trap_signal_handler(int sig, siginfo_t *si, void *ucv)
{
	struct trap_vcpu *v = current;
	ucontext_t *uc = ucv;
	greg_t *r = uc->uc_mcontext.__gregs;
	uint32_t raw;

	if (!v->in_guest) {
		if (sig != KICK) {
			/* A fault of the monitor's own: die of it. */
			signal(sig, SIG_DFL);
			return;
		}
		if (vm_exiting(v->vm) || !v->entering)
			return;
		/* Entry: the guest's registers replace ours. */
		v->entering = 0;
		memset(r, 0, sizeof(uc->uc_mcontext.__gregs));
		r[0] = v->start_pc;
		r[10] = v->id;
		r[11] = v->start_arg;
		v->in_guest = 1;
		return;
	}
	v->hart.pc = r[0];
	switch (sig) {
	case SIGILL:
		if (fetch(v, r[0], &raw))
			fetch_fault(v, r);
		else
			privileged(v, r, raw);
		break;
	case SIGSEGV:
	case SIGBUS:
		if ((uint64_t)(uintptr_t)si->si_addr == r[0])
			fetch_fault(v, r); /* executing outside guest RAM */
		else
			mmio(v, uc, (uint64_t)(uintptr_t)si->si_addr);
		break;
	case SIGSYS:
		ecall(v, r);
		v->hart.pc = r[0];
		break;
	}
	/* A kick (timer, device, stop) lands here with nothing else to do. */
	deliver_interrupt(v);
	r[0] = v->hart.pc;
	if (vm_exiting(v->vm) || v->stop_requested)
		leave_guest(v, uc);
}

/* --- the vCPU thread ------------------------------------------------------ */

/* Allow system calls from the monitor's text; trap everything else. */
static int install_seccomp(void)
{
	uint64_t lo = (uintptr_t)__executable_start, hi = (uintptr_t)etext;
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_RISCV64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		/* the monitor's text lies inside one 4 GiB-aligned block */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, instruction_pointer) +
				 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(lo >> 32), 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, instruction_pointer)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)lo, 0, 2),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)hi, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (lo >> 32 != (hi - 1) >> 32)
		return -ENOTSUP;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) ? -errno
								       : 0;
}

static int install_handlers(struct trap_vcpu *v)
{
	static const int sigs[] = { SIGILL, SIGSEGV, SIGBUS, SIGSYS, KICK };
	struct sigaction sa;
	stack_t ss;
	uint64_t tp, gp;
	size_t i;

	if (posix_memalign(&v->altstack, ALTSTACK_SIZE, ALTSTACK_SIZE))
		return -ENOMEM;
	asm volatile("mv %0, tp\n\tmv %1, gp" : "=r"(tp), "=r"(gp));
	((uint64_t *)v->altstack)[0] = tp;
	((uint64_t *)v->altstack)[1] = gp;
	ss.ss_sp = v->altstack;
	ss.ss_size = ALTSTACK_SIZE;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL))
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = trap_signal_entry;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -errno;
	return 0;
}

/* vmm is the guest's SBI firmware: a hart starts in S-mode with every
 * trap but its own ecalls delegated, as OpenSBI leaves it. */
static void reset_hart(struct trap_vcpu *v)
{
	hart_reset(&v->hart, v->id, v->start_pc);
	v->hart.time = read_time;
	v->hart.priv = PRIV_S;
	v->hart.medeleg =
		0xffffULL & ~(1ULL << EXC_ECALL_S | 1ULL << EXC_ECALL_M);
	v->hart.mideleg = MIP_SSIP | MIP_STIP | MIP_SEIP;
	v->hart.mcounteren = ~0u;
	v->timer_deadline = ~0ULL;
	v->stop_requested = 0;
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
	sigset_t set;
	int err;

	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID,
				.sigev_signo = KICK };

	current = v;
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	err = timer_create(CLOCK_MONOTONIC, &sev, &v->timer) ? -errno : 0;
	if (!err)
		err = install_handlers(v);
	sigemptyset(&set);
	sigaddset(&set, KICK);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (!err)
		err = install_seccomp();
	if (err) {
		pr_err("trap backend: setting up the vCPU: %s", strerror(-err));
		vm_request_exit(v->vm, VMM_EXIT_ERROR);
		return NULL;
	}
	while (!vm_exiting(v->vm)) {
		volatile int entered = 0;

		if (!wait_for_start(v))
			break;
		if (v->id == 0)
			pr_info("vCPU 0: entering the guest %.3f ms after start (trap backend)",
				log_elapsed_ms());
		getcontext(&v->monitor);
		if (!entered) {
			entered = 1;
			v->entering = 1;
			raise(KICK); /* the handler swaps the guest in */
		}
		/* Here again when the hart stopped or the VM is ending. */
		__atomic_store_n(&v->hsm_state, HSM_STOPPED, __ATOMIC_RELEASE);
	}
	return NULL;
}

static int trap_start(struct vm *vm, uint64_t entry, uint64_t dtb)
{
	struct trap *t = vm->backend_data;
	sigset_t set, old;
	unsigned i;
	int err = 0;

	/* Hart 0 boots; the others wait for SBI HSM. */
	t->vcpus[0].start_pc = entry;
	t->vcpus[0].start_arg = dtb;
	t->vcpus[0].hsm_state = HSM_START_PENDING;
	sigemptyset(&set);
	sigaddset(&set, KICK);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	for (i = 0; i < t->nr && !err; i++) {
		struct trap_vcpu *v = &t->vcpus[i];

		v->timebase_hz = timebase();
		err = pthread_create(&v->thread, NULL, vcpu_thread, v);
		v->started = !err;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
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
		pthread_kill(v->thread, KICK);
		pthread_join(v->thread, NULL);
		v->started = 0;
	}
}

static void trap_set_external_irq(struct vm *vm, unsigned hart, int level)
{
	struct trap *t = vm->backend_data;
	struct trap_vcpu *v;

	if (!t || hart >= t->nr)
		return;
	v = &t->vcpus[hart];
	if (level)
		__atomic_or_fetch(&v->hart.mip, MIP_SEIP, __ATOMIC_SEQ_CST);
	else
		__atomic_and_fetch(&v->hart.mip, ~MIP_SEIP, __ATOMIC_SEQ_CST);
	/* Wake a wfi, and get a running guest out to take it. */
	wake(v);
	if (level && v->started && v->in_guest)
		pthread_kill(v->thread, KICK);
}

static int trap_pause(struct vm *vm)
{
	(void)vm;
	return -ENOTSUP;
}

const struct backend_ops trap_backend = {
	.name = "trap",
	.create = trap_create,
	.describe_cpus = trap_describe_cpus,
	.start = trap_start,
	.stop = trap_stop,
	.pause = trap_pause,
	.resume = trap_pause,
	.set_external_irq = trap_set_external_irq,
	.destroy = trap_destroy,
};
