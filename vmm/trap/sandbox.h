/* SPDX-License-Identifier: MIT */
#ifndef VMM_TRAP_SANDBOX_H
#define VMM_TRAP_SANDBOX_H

/*
 * The guest process of the trap-and-emulate backend: one per running
 * hart, forked from the monitor, holding nothing but guest RAM (at its
 * guest-physical address, or shadow pages), one page of handler code
 * (sandbox_page.S) and a 64 KiB region shared with the monitor at
 * SANDBOX_REGION_VA: the mailbox below, then the alternate signal stack.
 * The guest's instructions run natively there; every signal they raise
 * (SIGILL, SIGSEGV, SIGBUS, SIGSYS from seccomp, SIGTRAP, and the
 * monitor's kick) is copied into the mailbox by the handler, which then
 * parks in a system call that the seccomp filter hands to the monitor
 * (user notification). The monitor trusts the park, not the mailbox: the
 * kernel tells it which process and which instruction made the call, so
 * the guest's thread is provably held in the handler page until the
 * monitor answers, and from there the handler returns to the guest with
 * the registers the monitor wrote and nothing of what the guest's own
 * registers said (SANDBOX_REGION_VA and the frame address are vmm's).
 * What the mailbox says about the trap is the guest's claim: guest code
 * can write the region and jump to the park itself, so the monitor judges
 * every report by the virtual hart's own privilege and translation, as if
 * the claimed instruction had run there.
 *
 * The handler page may use futex (start-up only), rt_sigreturn,
 * exit_group, munmap, the park and mmap of the guest RAM file; every
 * other system call is the guest's ecall (SIGSYS). Each mmap waits for
 * the monitor to match it against what it queued (user notification), so
 * guest code that jumps to the handler's mmap gets EPERM instead of a
 * mapping its page tables do not give it.
 *
 * The layout is shared with the assembly, so it is spelled out in offsets.
 */
#define SANDBOX_REGION_SIZE 65536
/* Where the region lies in every guest process: below vmm's binary (at
 * 1 GiB), the same address for every hart, so the handler names it with
 * a constant rather than anything the guest's registers could say. */
#define SANDBOX_REGION_VA 0x3fff0000
#define SANDBOX_NR_UNMAP 4
#define SANDBOX_NR_FILTER 32
#define SANDBOX_NR_OPS 32
/* the park: sched_yield from the handler page, a user notification */
#define SANDBOX_PARK_NR 124

#define MB_FRAME 0 /* vmm's: the signal frame the handler returns through */
#define MB_SIG 8
#define MB_ADDR 16
#define MB_UC 24 /* vmm's: that frame's ucontext */
#define MB_REGS 32 /* pc, x1-x31, f0-f31, fcsr: 65 doublewords */
#define MB_NR_REGS 65
#define MB_UNMAP 552
#define MB_RAM_BASE 616
#define MB_RAM_SIZE 624
#define MB_MEMFD 632
#define MB_FPROG 640
#define MB_FILTER 656
#define MB_NR_OPS 912
#define MB_OPS 920 /* addr, len, prot (~0: munmap), offset */
#define MB_LISTENER 1944 /* the seccomp listener's fd, in the process */
#define MB_READY 1952 /* futex: set once the listener is there */
#define MB_SEEN_FRAME 1960 /* the handler's sp and ucontext: trusted */
#define MB_SEEN_UC 1968 /* only at the first report (no guest code yet) */
/* The fast path (sandbox_page.S): the S-level CSRs a kernel touches all
 * the time, served in the guest process. vmm writes them at each resume
 * and reads them back at each park, as the guest's claim. */
#define MB_FAST 1976 /* vmm's: nonzero in a process of S-mode code */
#define MB_FAST_COUNT 1984 /* accesses served there, for the stats */
#define MB_SSTATUS 1992
#define MB_SIE 2000 /* read only there, as is MB_SIP */
#define MB_SIP 2008
#define MB_STVEC 2016
#define MB_SSCRATCH 2024
#define MB_SEPC 2032
#define MB_SCAUSE 2040
#define MB_STVAL 2048
#define MB_TIMER 2056 /* when STIP comes by the clock, ~0: never */
#define SANDBOX_UNMAP ~0

#define EXIT_SETUP_FAILED 127 /* the guest process's own exit statuses */
#define EXIT_MAP_FAILED 126

/* the kernel's riscv64 rt_sigframe: siginfo, then ucontext (uc_stack at
 * 16, uc_sigmask at 40, the registers at 176), checked in sandbox.c */
#define UC_STACK 16
#define UC_SIGMASK 40
#define UC_REGS 176
#define SI_ADDR 16

#ifndef __ASSEMBLER__
#include <linux/filter.h>
#include <stdint.h>
#include <sys/types.h>

#include "../mem.h"

struct sandbox_mailbox {
	uint64_t frame; /* written by the monitor before each answer */
	uint64_t sig; /* the signal the guest raised: a claim */
	uint64_t addr; /* si_addr: the faulting address, a claim */
	uint64_t uc;
	uint64_t regs[MB_NR_REGS]; /* the guest's: claimed, then vmm's */
	/* set up by the monitor before the fork */
	uint64_t unmap[SANDBOX_NR_UNMAP][2];
	uint64_t ram_base, ram_size, memfd;
	struct sock_fprog fprog;
	struct sock_filter filter[SANDBOX_NR_FILTER];
	/* what the handler does to the guest's mappings before it resumes */
	uint64_t nr_ops;
	struct sandbox_op {
		uint64_t addr, len, prot, offset;
	} ops[SANDBOX_NR_OPS];
	uint64_t listener;
	uint32_t ready, pad;
	uint64_t seen_frame, seen_uc;
	uint64_t fast, fast_count;
	struct sandbox_csrs {
		uint64_t sstatus, sie, sip, stvec, sscratch, sepc, scause,
			stval;
	} csr;
	uint64_t timer;
};

struct sandbox {
	struct sandbox_mailbox *mb; /* vmm's view of the region */
	pid_t pid;
	int pidfd; /* -1 when no guest process runs */
	int status; /* wait status, once it died */
	int notify_fd; /* the process's seccomp listener, -1 when none */
	int wake_fd; /* eventfd: sandbox_wake() */
	int memfd;
	const int *quit; /* the VM is ending: stop waiting (atomic) */
	/* the park being held: its notification's id, while parked */
	int parked;
	uint64_t park_id;
	/* where the kernel puts the signal frame, from the first report */
	uint64_t frame, uc;
	/* the report, copied out of the mailbox at the park: vmm reads and
	 * edits these, never the mailbox, which the guest can write */
	uint64_t sig, addr;
	uint64_t regs[MB_NR_REGS];
	/* our copy of the queued ops: the mailbox's are the guest's to
	 * overwrite */
	unsigned nr_ops;
	struct sandbox_op ops[SANDBOX_NR_OPS];
	uint64_t hidden[SANDBOX_NR_UNMAP][2]; /* all the guest may map */
	uint64_t kicked_at; /* rdtime of the oldest kick unanswered (atomic) */
	/* the fast path: on in this process since the last resume; the
	 * pending interrupts it was told of; its count at the last park */
	int fast;
	uint64_t sip_told;
	uint64_t fast_seen;
};

/* NULL when the host kernel has all the guest process needs, else what
 * it lacks, for the one line that says so. */
const char *sandbox_host_lacks(void);

/* Below this address a guest process can map nothing (vm.mmap_min_addr
 * without CAP_SYS_RAWIO): 0 when it can map everywhere. */
uint64_t sandbox_map_floor(void);

/* Fork the guest process for guest RAM mem; it raises SIGILL once it is
 * ready, and that first report is where the caller puts the guest's entry
 * registers. *quit set (the VM ending) ends any wait. 0 or a negative
 * errno. */
int sandbox_spawn(struct sandbox *s, const struct guest_mem *mem,
		  const int *quit);

/* Wait up to timeout_ns for a report: 1 when the guest is parked with
 * one (s->sig, s->addr and s->regs hold it), 0 on timeout or
 * sandbox_wake(), -ECHILD when the guest process died. */
int sandbox_wait(struct sandbox *s, uint64_t timeout_ns);

/* Let the parked guest go on with s->regs, once the queued mapping
 * changes are made. A guest process that breaks the protocol (only guest
 * code jumping into the handler page can) is killed: the next
 * sandbox_wait() reports it. */
void sandbox_resume(struct sandbox *s);

/* Queue a change to the guest's mappings: guest RAM from offset at va
 * (prot: PROT_* bits), or everything the guest may see gone. -ENOSPC
 * when the queue is full (flush it with a resume first). */
int sandbox_map(struct sandbox *s, uint64_t va, uint64_t len, int prot,
		uint64_t offset);
int sandbox_unmap_all(struct sandbox *s);
/* Forget the changes queued so far. */
void sandbox_drop_ops(struct sandbox *s);
/* Whether [va, va + len) may hold guest mappings: it must stay clear of
 * the handler page and the region, and below the end of user space. */
int sandbox_mappable(const struct sandbox *s, uint64_t va, uint64_t len);

/* Interrupt the running guest: it reports the signal kick. */
#define SANDBOX_KICK 12 /* SIGUSR2 */
void sandbox_kick(struct sandbox *s);

/* 1 when a kick has gone unanswered for a second because the guest
 * process blocks the kick signal (the kernel's word: /proc/PID/status):
 * guest code ran the handler page's rt_sigreturn with a mask of its own,
 * and nothing can interrupt it any more. */
int sandbox_kick_blocked(struct sandbox *s, uint64_t ticks_per_second);

/* Wake a sandbox_wait() early. */
void sandbox_wake(struct sandbox *s);

/* End the guest process (if any) and reap it. */
void sandbox_kill(struct sandbox *s);

/* Release the region. */
void sandbox_free(struct sandbox *s);
#endif

#endif
