/* SPDX-License-Identifier: MIT */
#ifndef VMM_TRAP_SANDBOX_H
#define VMM_TRAP_SANDBOX_H

/*
 * The guest process of the trap-and-emulate backend: one per running
 * hart, forked from the monitor, holding nothing but guest RAM (at its
 * guest-physical address), one page of handler code (sandbox_page.S) and a
 * 64 KiB region shared with the monitor: the mailbox below, then the
 * alternate signal stack. The guest's instructions run natively there;
 * every signal they raise (SIGILL, SIGSEGV, SIGBUS, SIGSYS from seccomp,
 * SIGTRAP, and the monitor's kick) is copied into the mailbox and handled
 * by the hart's thread in the monitor, which edits the registers and lets
 * the guest go on, after the handler has changed the guest's mappings as
 * the monitor asked (shadow paging: mmap of guest RAM, munmap). The guest
 * can reach neither the monitor's memory nor a host system call: its
 * process's seccomp filter traps every call made outside the handler
 * page, and allows that page only futex, rt_sigreturn, exit_group, munmap
 * and mmap of the guest RAM file; each mmap waits for the monitor to match
 * it against what it queued (seccomp user notification), so guest code
 * that jumps to the handler's mmap gets EPERM instead of a mapping its
 * page tables do not give it.
 *
 * The layout is shared with the assembly, so it is spelled out in offsets.
 */
#define SANDBOX_REGION_SIZE 65536
#define SANDBOX_NR_UNMAP 4
#define SANDBOX_NR_FILTER 32
#define SANDBOX_NR_OPS 8

#define SANDBOX_RUNNING 0 /* the guest runs (set by the monitor) */
#define SANDBOX_REPORTED 1 /* a signal waits in the mailbox */

#define MB_STATE 0
#define MB_SIG 8
#define MB_ADDR 16
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
#define MB_LISTENER 1176 /* the seccomp listener's fd, in the process */
#define SANDBOX_UNMAP ~0

#define EXIT_SETUP_FAILED 127 /* the guest process's own exit statuses */
#define EXIT_MAP_FAILED 126

/* glibc's riscv64 ucontext_t and siginfo_t, checked in sandbox.c */
#define UC_REGS 176
#define SI_ADDR 16

#ifndef __ASSEMBLER__
#include <linux/filter.h>
#include <stdint.h>
#include <sys/types.h>

#include "../mem.h"

struct sandbox_mailbox {
	uint32_t state;
	uint32_t pad;
	uint64_t sig; /* the signal the guest raised */
	uint64_t addr; /* si_addr: the faulting address */
	uint64_t pad2;
	uint64_t regs[MB_NR_REGS]; /* the guest's, read and written */
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
};

struct sandbox {
	struct sandbox_mailbox *mb; /* SANDBOX_REGION_SIZE, aligned to it */
	pid_t pid;
	int pidfd; /* -1 when no guest process runs */
	int status; /* wait status, once it died */
	int notify_fd; /* the process's seccomp listener, -1 when none */
	int memfd;
	/* our copy of the queued ops: the mailbox's are the guest's to
	 * overwrite */
	unsigned nr_ops;
	struct sandbox_op ops[SANDBOX_NR_OPS];
	uint64_t hidden[SANDBOX_NR_UNMAP][2]; /* all the guest may map */
};

/* NULL when the host kernel has all the guest process needs, else what
 * it lacks, for the one line that says so. */
const char *sandbox_host_lacks(void);

/* Fork the guest process for guest RAM mem; it raises SIGILL once it is
 * ready, and that first report is where the caller puts the guest's entry
 * registers. 0 or a negative errno. */
int sandbox_spawn(struct sandbox *s, const struct guest_mem *mem);

/* Wait up to timeout_ns for a report: 1 when one is in the mailbox, 0 on
 * timeout or sandbox_wake(), -ECHILD when the guest process died. */
int sandbox_wait(struct sandbox *s, uint64_t timeout_ns);

/* Let the guest go on with the mailbox's registers, once the queued
 * mapping changes are made. */
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

/* Refuse any mmap the guest process asks for now: the handler asks only
 * while the monitor resumes it, so one pending here is guest code that
 * jumped to it. */
void sandbox_refuse_strays(struct sandbox *s);

/* Wake a sandbox_wait() early. */
void sandbox_wake(struct sandbox *s);

/* End the guest process (if any) and reap it. */
void sandbox_kill(struct sandbox *s);

/* Release the region. */
void sandbox_free(struct sandbox *s);
#endif

#endif
