// SPDX-License-Identifier: MIT
/*
 * The trap backend's guest process, monitor side (see sandbox.h): set up
 * the region and the seccomp filter, fork, and talk to the guest through
 * the mailbox, trusting only what the kernel says: the park (a seccomp
 * user notification from the handler page) and the process's status.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <sys/eventfd.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "../log.h"
#include "sandbox.h"

_Static_assert(offsetof(struct sandbox_mailbox, frame) == MB_FRAME, "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, sig) == MB_SIG, "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, addr) == MB_ADDR, "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, uc) == MB_UC, "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, regs) == MB_REGS, "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, unmap) == MB_UNMAP, "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, ram_base) == MB_RAM_BASE,
	       "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, memfd) == MB_MEMFD, "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, fprog) == MB_FPROG, "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, filter) == MB_FILTER,
	       "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, nr_ops) == MB_NR_OPS,
	       "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, ops) == MB_OPS, "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, listener) == MB_LISTENER,
	       "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, ready) == MB_READY, "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, seen_frame) == MB_SEEN_FRAME,
	       "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, seen_uc) == MB_SEEN_UC,
	       "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, fast) == MB_FAST, "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, fast_count) == MB_FAST_COUNT,
	       "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, csr.sstatus) == MB_SSTATUS,
	       "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, csr.sie) == MB_SIE, "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, csr.sip) == MB_SIP, "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, csr.stvec) == MB_STVEC,
	       "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, csr.sscratch) == MB_SSCRATCH,
	       "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, csr.sepc) == MB_SEPC,
	       "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, csr.scause) == MB_SCAUSE,
	       "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, csr.stval) == MB_STVAL,
	       "mailbox");
_Static_assert(offsetof(struct sandbox_mailbox, timer) == MB_TIMER, "mailbox");
_Static_assert(SANDBOX_REGION_VA % SANDBOX_REGION_SIZE == 0, "region");
_Static_assert(sizeof(struct sandbox_op) == 32, "mailbox");
_Static_assert(sizeof(struct sandbox_mailbox) <= 4096, "mailbox");
_Static_assert(offsetof(ucontext_t, uc_mcontext.__gregs) == UC_REGS, "uc");
_Static_assert(offsetof(ucontext_t, uc_stack) == UC_STACK, "uc");
_Static_assert(offsetof(ucontext_t, uc_sigmask) == UC_SIGMASK, "uc");
_Static_assert(offsetof(ucontext_t, uc_mcontext.__fpregs.__d.__f) ==
		       UC_REGS + 32 * 8,
	       "uc");
_Static_assert(offsetof(siginfo_t, si_addr) == SI_ADDR, "siginfo");
_Static_assert(SANDBOX_KICK == SIGUSR2, "kick");

extern char sandbox_text_start[], sandbox_text_end[], sandbox_mmap_call[],
	sandbox_park_call[], sandbox_sigreturn_call[];
void sandbox_start(uint64_t region) __attribute__((noreturn));
void sandbox_handler(int sig, siginfo_t *si, void *uc);

#define PAGE 4096ULL

#ifndef PR_RISCV_V_SET_CONTROL
#define PR_RISCV_V_SET_CONTROL 69
#endif
#define PR_RISCV_V_OFF_NOW_AND_NEXT 5 /* VSTATE_CTRL_OFF, for now and exec */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1
#endif

/* The end of user address space: 2^56, 2^47 or 2^38 with Sv57, Sv48 or
 * Sv39 hosts. A fixed mapping of its last page succeeds (or finds one). */
static uint64_t user_top(void)
{
	static const unsigned bits[] = { 56, 47, 38 };

	for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		uint64_t top = 1ULL << bits[i];
		void *p =
			mmap((void *)(uintptr_t)(top - PAGE), PAGE, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			     -1, 0);

		if (p != MAP_FAILED) {
			munmap(p, PAGE);
			if (p == (void *)(uintptr_t)(top - PAGE))
				return top;
		} else if (errno == EEXIST) {
			return top;
		}
	}
	return 1ULL << 38;
}

/* Everything but the handler page and the region (moved to
 * SANDBOX_REGION_VA by then) goes from the guest process; guest RAM is
 * mapped after. */
static void plan_unmap(struct sandbox *s)
{
	/* the handler page and the region */
	uint64_t keep[2][2] = {
		{ (uintptr_t)sandbox_text_start, (uintptr_t)sandbox_text_end },
		{ SANDBOX_REGION_VA, SANDBOX_REGION_VA + SANDBOX_REGION_SIZE },
	};
	uint64_t from = 0, top = user_top();
	unsigned i, n = 0;

	if (keep[0][0] > keep[1][0]) {
		uint64_t t0 = keep[0][0], t1 = keep[0][1];

		keep[0][0] = keep[1][0];
		keep[0][1] = keep[1][1];
		keep[1][0] = t0;
		keep[1][1] = t1;
	}
	memset(s->hidden, 0, sizeof(s->hidden));
	for (i = 0; i < 2; i++) {
		s->hidden[n][0] = from;
		s->hidden[n++][1] = keep[i][0] - from;
		from = keep[i][1];
	}
	s->hidden[n][0] = from;
	s->hidden[n][1] = top - from;
	memcpy(s->mb->unmap, s->hidden, sizeof(s->hidden));
}

#define ARG_LO(n) (offsetof(struct seccomp_data, args) + 8 * (n))
#define ARG_HI(n) (ARG_LO(n) + 4)

/*
 * The guest process's filter: the handler page may use futex,
 * rt_sigreturn, exit_group, munmap, the park (the monitor decides when it
 * returns) and mmap of the guest RAM file (shared, fixed; the monitor
 * checks each, see serve_ops), nothing else; a system call from anywhere
 * else is the guest's ecall and traps (SIGSYS).
 */
static void build_filter(struct sandbox_mailbox *mb, int memfd)
{
	uint64_t lo = (uintptr_t)sandbox_text_start;
	uint64_t hi = (uintptr_t)sandbox_text_end;
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_RISCV64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, instruction_pointer) +
				 4),
		/* 4 */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(lo >> 32), 0,
			 20),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, instruction_pointer)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)lo, 0, 18),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)hi, 17, 0),
		/* 8: from the handler page */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_futex, 14, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_sigreturn, 13, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 12, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_munmap, 11, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_PARK_NR, 12, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 8),
		/* 15: mmap(addr, len, prot, MAP_SHARED | MAP_FIXED, memfd) */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(4)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)memfd, 0, 6),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_HI(4)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(3)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MAP_SHARED | MAP_FIXED, 0,
			 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_HI(3)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 0),
		/* 23 */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		/* 26: the monitor decides (the park, sandbox_resume) */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};

	_Static_assert(sizeof(f) <= sizeof(mb->filter), "filter");
	memcpy(mb->filter, f, sizeof(f));
	mb->fprog.len = sizeof(f) / sizeof(f[0]);
	/* where the guest process sees it */
	mb->fprog.filter =
		(struct sock_filter *)(SANDBOX_REGION_VA +
				       offsetof(struct sandbox_mailbox,
						filter));
}

/* In the forked child, still in a copy of the monitor: drop every file
 * but guest RAM's, every signal handler but ours, leave the terminal's
 * process group, die with the thread that forked us, move the region to
 * SANDBOX_REGION_VA, then go. */
static void child(struct sandbox_mailbox *mb, int memfd)
{
	static const int sigs[] = { SIGILL, SIGSEGV, SIGBUS,
				    SIGSYS, SIGTRAP, SANDBOX_KICK };
	struct sigaction sa;
	sigset_t none;
	stack_t ss;
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpgid(0, 0);
	if (memfd > 0)
		syscall(SYS_close_range, 0, memfd - 1, 0);
	syscall(SYS_close_range, memfd + 1, ~0U, 0);
	if (mremap(mb, SANDBOX_REGION_SIZE, SANDBOX_REGION_SIZE,
		   MREMAP_MAYMOVE | MREMAP_FIXED,
		   (void *)SANDBOX_REGION_VA) != (void *)SANDBOX_REGION_VA)
		_exit(EXIT_SETUP_FAILED);
	/* No vector state: it would change the signal frame's size and so
	 * where the kernel puts it (EINVAL on hosts without V). */
	prctl(PR_RISCV_V_SET_CONTROL, PR_RISCV_V_OFF_NOW_AND_NEXT, 0, 0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (i = 1; i < 65; i++)
		sigaction(i, &sa, NULL);
	ss.ss_sp = (char *)SANDBOX_REGION_VA + PAGE;
	ss.ss_size = SANDBOX_REGION_SIZE - PAGE;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL))
		_exit(EXIT_SETUP_FAILED);
	sa.sa_sigaction = sandbox_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < (int)(sizeof(sigs) / sizeof(sigs[0])); i++)
		if (sigaction(sigs[i], &sa, NULL))
			_exit(EXIT_SETUP_FAILED);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* execute-only where the host allows it: nothing in it to read */
	mprotect(sandbox_text_start, sandbox_text_end - sandbox_text_start,
		 PROT_EXEC);
	sandbox_start(SANDBOX_REGION_VA);
}

/* The process says it is ready, with its seccomp listener's fd number,
 * and raises its first report; no guest code has run yet to forge either,
 * so the listener is taken (a copy of the fd) and the report's frame is
 * where the kernel puts every signal frame from now on. The report stays
 * parked for the caller. */
static int take_listener(struct sandbox *s)
{
	const uint64_t lo = SANDBOX_REGION_VA + PAGE,
		       hi = SANDBOX_REGION_VA + SANDBOX_REGION_SIZE;
	struct sandbox_mailbox *mb = s->mb;
	int err = 0, n, fd;

	for (n = 0; n < 50 && !__atomic_load_n(&mb->ready, __ATOMIC_ACQUIRE);
	     n++) {
		struct timespec ts = { 0, 100000000 };

		syscall(SYS_futex, &mb->ready, FUTEX_WAIT, 0, &ts, NULL, 0);
		if (waitpid(s->pid, &s->status, WNOHANG) == s->pid) {
			s->pid = 0;
			return -ECHILD;
		}
	}
	if (!__atomic_load_n(&mb->ready, __ATOMIC_ACQUIRE))
		goto fail;
	fd = (int)syscall(SYS_pidfd_getfd, s->pidfd, (int)mb->listener, 0);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	s->notify_fd = fd;
	/* a ping-pong: wake each other on this CPU (Linux 6.6; else as is) */
	ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
	      SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
	for (n = 0; n < 50 && !err; n++)
		err = sandbox_wait(s, 100000000ULL);
	if (err != 1)
		goto fail;
	s->frame = mb->seen_frame;
	s->uc = mb->seen_uc;
	if (s->frame < lo || s->uc < s->frame ||
	    s->uc + UC_REGS + 8 * MB_NR_REGS > hi) {
		pr_err("trap backend: the kernel put a signal frame at 0x%llx, outside the signal stack",
		       (unsigned long long)s->frame);
		err = -EPROTO;
		goto fail;
	}
	/* for debugging, and for the tests that attack the handler page */
	pr_debug(
		"guest process %d: handler page 0x%llx, region 0x%llx-0x%llx, its mmap call at 0x%llx, guest RAM fd %d, its park at 0x%llx, its rt_sigreturn at 0x%llx",
		(int)s->pid, (unsigned long long)(uintptr_t)sandbox_text_start,
		(unsigned long long)SANDBOX_REGION_VA,
		(unsigned long long)SANDBOX_REGION_VA + SANDBOX_REGION_SIZE,
		(unsigned long long)(uintptr_t)sandbox_mmap_call, s->memfd,
		(unsigned long long)(uintptr_t)sandbox_park_call,
		(unsigned long long)(uintptr_t)sandbox_sigreturn_call);
	return 0;
fail:
	sandbox_kill(s);
	if (WIFEXITED(s->status) && WEXITSTATUS(s->status) == EXIT_SETUP_FAILED)
		pr_err("trap backend: the guest process failed to set itself up");
	else if (WIFSIGNALED(s->status))
		pr_err("trap backend: the guest process died of signal %d while setting itself up",
		       WTERMSIG(s->status));
	return err < 0 ? err : -ETIMEDOUT;
}

/* The lowest address a guest process may map: the host's vm.mmap_min_addr
 * (mm/mmap.c), page-aligned, unless vmm holds CAP_SYS_RAWIO, as root does,
 * which maps below it. The guest process has vmm's credentials. */
uint64_t sandbox_map_floor(void)
{
	unsigned long long caps = 0, min = 0;
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	if (f)
		fclose(f);
	if (caps & 1ULL << CAP_SYS_RAWIO)
		return 0;
	f = fopen("/proc/sys/vm/mmap_min_addr", "r");
	if (!f || fscanf(f, "%llu", &min) != 1)
		min = 65536; /* unknown: the largest default distributions use */
	if (f)
		fclose(f);
	return (min + PAGE - 1) & ~(PAGE - 1);
}

/* What the guest process needs of the host kernel, asked of the kernel
 * itself: seccomp filters with the TRAP, USER_NOTIF and KILL_PROCESS
 * actions (CONFIG_SECCOMP_FILTER, Linux 5.0+), pidfds and pidfd_getfd
 * (5.6+), close_range (5.9+). */
const char *sandbox_host_lacks(void)
{
	static const struct {
		uint32_t action;
		const char *what;
	} acts[] = {
		{ SECCOMP_RET_TRAP, "seccomp filters (CONFIG_SECCOMP_FILTER)" },
		{ SECCOMP_RET_USER_NOTIF,
		  "seccomp user notification (Linux 5.0 or later)" },
		{ SECCOMP_RET_KILL_PROCESS,
		  "seccomp's kill-process action (Linux 4.14 or later)" },
	};
	unsigned i;
	int fd, dup;

	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		uint32_t a = acts[i].action;

		if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &a))
			return acts[i].what;
	}
	fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (fd < 0)
		return "pidfds (Linux 5.6 or later)";
	dup = (int)syscall(SYS_pidfd_getfd, fd, fd, 0);
	close(fd);
	if (dup < 0 && errno == ENOSYS)
		return "pidfd_getfd (Linux 5.6 or later)";
	if (dup >= 0)
		close(dup);
	if (syscall(SYS_close_range, ~0U, ~0U, 0) && errno == ENOSYS)
		return "close_range (Linux 5.9 or later)";
	return NULL;
}

int sandbox_spawn(struct sandbox *s, const struct guest_mem *mem,
		  const int *quit)
{
	uint64_t ram_end = mem->base + mem->size;
	struct sandbox_mailbox *mb = s->mb;
	uintptr_t lo = (uintptr_t)sandbox_text_start;
	pid_t pid;
	int pidfd;

	if (!mb) {
		mb = mmap(NULL, SANDBOX_REGION_SIZE, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (mb == MAP_FAILED)
			return -errno;
		s->mb = mb;
	}
	if (s->wake_fd < 0) {
		s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (s->wake_fd < 0)
			return -errno;
	}
	if ((SANDBOX_REGION_VA < ram_end &&
	     SANDBOX_REGION_VA + SANDBOX_REGION_SIZE > mem->base) ||
	    (lo < ram_end && (uintptr_t)sandbox_text_end > mem->base) ||
	    lo >> 32 != ((uintptr_t)sandbox_text_end - 1) >> 32)
		return -EADDRINUSE;
	memset(mb, 0, PAGE);
	mb->ram_base = mem->base;
	mb->ram_size = mem->size;
	mb->memfd = (uint64_t)mem->fd;
	plan_unmap(s);
	build_filter(mb, mem->fd);

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		child(mb, mem->fd);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		int err = -errno;

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return err;
	}
	s->pid = pid;
	s->pidfd = pidfd;
	s->status = 0;
	s->memfd = mem->fd;
	s->quit = quit;
	s->nr_ops = 0;
	s->parked = 0;
	s->kicked_at = 0;
	s->fast = 0;
	s->fast_seen = 0;
	return take_listener(s);
}

int sandbox_map(struct sandbox *s, uint64_t va, uint64_t len, int prot,
		uint64_t offset)
{
	struct sandbox_op *op;

	if (s->nr_ops >= SANDBOX_NR_OPS)
		return -ENOSPC;
	op = &s->ops[s->nr_ops++];
	op->addr = va;
	op->len = len;
	op->prot = prot < 0 ? (uint64_t)SANDBOX_UNMAP : (uint64_t)prot;
	op->offset = offset;
	return 0; /* sandbox_resume() hands them to the handler */
}

void sandbox_drop_ops(struct sandbox *s)
{
	s->nr_ops = 0;
}

int sandbox_unmap_all(struct sandbox *s)
{
	unsigned i;
	int err = 0;

	for (i = 0; i < SANDBOX_NR_UNMAP && !err; i++)
		if (s->hidden[i][1])
			err = sandbox_map(s, s->hidden[i][0], s->hidden[i][1],
					  -1, 0);
	return err;
}

int sandbox_mappable(const struct sandbox *s, uint64_t va, uint64_t len)
{
	unsigned i;

	for (i = 0; i < SANDBOX_NR_UNMAP; i++)
		if (s->hidden[i][1] && va >= s->hidden[i][0] && va + len > va &&
		    va + len <= s->hidden[i][0] + s->hidden[i][1])
			return 1;
	return 0;
}

void sandbox_wake(struct sandbox *s)
{
	uint64_t one = 1;

	if (s->wake_fd >= 0 && write(s->wake_fd, &one, sizeof(one)) < 0)
		return; /* already pending */
}

void sandbox_kill(struct sandbox *s)
{
	if (s->pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
		close(s->pidfd);
		s->pidfd = -1;
	}
	if (s->notify_fd >= 0)
		close(s->notify_fd);
	s->notify_fd = -1;
	if (s->pid > 0)
		waitpid(s->pid, &s->status, 0);
	s->pid = 0;
	s->parked = 0;
}

void sandbox_free(struct sandbox *s)
{
	sandbox_kill(s);
	if (s->mb)
		munmap(s->mb, SANDBOX_REGION_SIZE);
	s->mb = NULL;
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	s->wake_fd = -1;
}
