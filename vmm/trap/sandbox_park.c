// SPDX-License-Identifier: MIT
/*
 * The park (sandbox.h): how vmm learns of a report and answers it, on the
 * kernel's word only. The guest process's handler parks in a system call
 * that its seccomp filter hands to vmm; the notification names the
 * process and the instruction, so a park at the handler page's park call
 * means the guest's thread is held there until vmm answers. Then it makes
 * the mapping changes vmm queued, each an mmap vmm matches against its
 * own queue, and returns to the guest with the registers vmm wrote. Every
 * wait here is on the kernel (the listener, the process's pidfd, vmm's
 * own wake-up eventfd) and bounded; nothing the guest writes can make vmm
 * spin or block.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../log.h"
#include "sandbox.h"

extern char sandbox_park_call[];

static unsigned refusals; /* the guest can make these at will: bound the log */

/* Refuse a notification vmm did not expect (guest code that jumped into
 * the handler page); an mmap is logged, a bounded number of times. */
static void refuse(struct sandbox *s, const struct seccomp_notif *req)
{
	struct seccomp_notif_resp resp;

	if (req->data.nr == SYS_mmap &&
	    __atomic_fetch_add(&refusals, 1, __ATOMIC_RELAXED) < 10)
		pr_warn("the guest process asked for a mapping vmm did not queue (0x%llx, %llu bytes): refused",
			(unsigned long long)req->data.args[0],
			(unsigned long long)req->data.args[1]);
	memset(&resp, 0, sizeof(resp));
	resp.id = req->id;
	resp.error = -EPERM;
	ioctl(s->notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

/* The host's clock, as the guest reads it: no vDSO on these paths (under
 * the nested rig, clock_gettime's vDSO faulted now and then while vmm
 * forked a guest process). */
static uint64_t now_ticks(void)
{
	uint64_t t;

	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

/* Wait up to timeout_ns until the kernel has a notification of the guest
 * process for us (1, in *req), the process died (-ECHILD), or else (0):
 * the time is up, the VM is ending, sandbox_wake() was called, or a
 * wake-up came to nothing. Callers that need a deadline count waits; no
 * clock is read here. */
static int next_notification(struct sandbox *s, struct seccomp_notif *req,
			     uint64_t timeout_ns)
{
	struct pollfd pfd[3] = { { s->notify_fd, POLLIN, 0 },
				 { s->pidfd, POLLIN, 0 },
				 { s->wake_fd, POLLIN, 0 } };
	int ms = (int)((timeout_ns + 999999) / 1000000);
	uint64_t drain;

	if (s->quit && __atomic_load_n(s->quit, __ATOMIC_ACQUIRE))
		return 0;
	if (poll(pfd, 3, ms) <= 0)
		return 0;
	if (pfd[2].revents & POLLIN) {
		if (read(s->wake_fd, &drain, sizeof(drain)) < 0)
			drain = 0;
		return 0;
	}
	if (pfd[0].revents & POLLIN) {
		memset(req, 0, sizeof(*req));
		if (!ioctl(s->notify_fd, SECCOMP_IOCTL_NOTIF_RECV, req))
			return 1;
	}
	if ((pfd[1].revents & POLLIN) || (pfd[0].revents & POLLHUP)) {
		if (waitpid(s->pid, &s->status, 0) == s->pid)
			s->pid = 0;
		return -ECHILD;
	}
	return 0;
}

/* The park: made at the handler page's park instruction by the guest
 * process's only thread. (The kernel reports the pc past the ecall.) */
static int is_park(const struct sandbox *s, const struct seccomp_notif *req)
{
	return req->pid == (uint32_t)s->pid &&
	       req->data.nr == SANDBOX_PARK_NR &&
	       req->data.instruction_pointer ==
		       (uintptr_t)sandbox_park_call + 4;
}

int sandbox_wait(struct sandbox *s, uint64_t timeout_ns)
{
	struct sandbox_mailbox *mb = s->mb;
	struct seccomp_notif req;
	int n;

	if (s->parked)
		return 1;
	if (s->pid <= 0)
		return -ECHILD;
	for (;;) {
		n = next_notification(s, &req, timeout_ns);
		if (n <= 0)
			return n;
		if (is_park(s, &req))
			break;
		refuse(s, &req);
	}
	s->parked = 1;
	s->park_id = req.id;
	__atomic_store_n(&s->kicked_at, 0, __ATOMIC_RELAXED);
	/* the claim, copied once: the thread is held, nothing changes it */
	s->sig = mb->sig;
	s->addr = mb->addr;
	memcpy(s->regs, mb->regs, sizeof(s->regs));
	return 1;
}

/* Serve the handler's mmaps, each exactly as queued; anything else is
 * guest code in the handler page, which vmm refuses and ends. */
static void serve_ops(struct sandbox *s)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	unsigned i;

	for (i = 0; i < s->nr_ops; i++) {
		const struct sandbox_op *op = &s->ops[i];
		const __u64 *a = req.data.args;
		int n = 0, waits;

		if (op->prot == (uint64_t)SANDBOX_UNMAP)
			continue;
		/* 10 s at most: 100 waits of 100 ms */
		for (waits = 0; waits < 100 && n == 0; waits++) {
			if (s->quit &&
			    __atomic_load_n(s->quit, __ATOMIC_ACQUIRE))
				break;
			n = next_notification(s, &req, 100000000ULL);
		}
		if (n < 0)
			return; /* gone: the next sandbox_wait() says so */
		if (n == 0) {
			/* the VM ends, or the handler stalled for 10 s */
			syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL,
				0);
			return;
		}
		if (req.pid != (uint32_t)s->pid || req.data.nr != SYS_mmap ||
		    a[0] != op->addr || a[1] != op->len || a[2] != op->prot ||
		    a[3] != (MAP_SHARED | MAP_FIXED) ||
		    a[4] != (uint64_t)s->memfd || a[5] != op->offset) {
			refuse(s, &req);
			syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL,
				0);
			return;
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		ioctl(s->notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

void sandbox_resume(struct sandbox *s)
{
	struct sandbox_mailbox *mb = s->mb;
	struct seccomp_notif_resp resp;

	if (!s->parked)
		return;
	s->parked = 0;
	/* all the handler reads after the park, written while it is held */
	mb->frame = s->frame;
	mb->uc = s->uc;
	mb->sig = 0;
	mb->addr = 0;
	memcpy(mb->regs, s->regs, sizeof(s->regs));
	memcpy(mb->ops, s->ops, s->nr_ops * sizeof(s->ops[0]));
	mb->nr_ops = s->nr_ops;
	memset(&resp, 0, sizeof(resp));
	resp.id = s->park_id;
	if (ioctl(s->notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp)) {
		/* not held any more: only a park that guest code made, then
		 * left on a signal, can be */
		syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
	} else {
		serve_ops(s);
	}
	s->nr_ops = 0;
}

void sandbox_kick(struct sandbox *s)
{
	uint64_t none = 0;

	if (s->pidfd < 0)
		return;
	__atomic_compare_exchange_n(&s->kicked_at, &none, now_ticks(), 0,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	syscall(SYS_pidfd_send_signal, s->pidfd, SANDBOX_KICK, NULL, 0);
}

int sandbox_kick_blocked(struct sandbox *s, uint64_t ticks_per_second)
{
	uint64_t since = __atomic_load_n(&s->kicked_at, __ATOMIC_RELAXED);
	unsigned long long blocked = 0;
	char path[64], line[256];
	FILE *f;

	if (!since || s->parked || s->pid <= 0 ||
	    now_ticks() - since < ticks_per_second)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)s->pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigBlk: %llx", &blocked) == 1)
			break;
	fclose(f);
	return !!(blocked & (1ULL << (SANDBOX_KICK - 1)));
}
