/* SPDX-License-Identifier: MIT */
/*
 * Signal entry of the trap backend's vCPU thread. The signal interrupted
 * guest code, so tp and gp hold the guest's values: before any C code runs
 * we load the monitor's, which the thread stored at the base of its
 * alternate signal stack (64 KiB, 64 KiB aligned; we run on it). We return
 * with our own rt_sigreturn, from the monitor's text, rather than through
 * the vDSO, which the seccomp filter would catch.
 */
#define ALTSTACK_MASK (-65536)
#define NR_RT_SIGRETURN 139

	.text
	.globl trap_signal_entry
	.type trap_signal_entry, @function
trap_signal_entry:
	mv	s1, sp			/* the signal frame: sigreturn wants it */
	li	t0, ALTSTACK_MASK
	and	t0, sp, t0
	ld	tp, 0(t0)
	ld	gp, 8(t0)
	call	trap_signal_handler
	mv	sp, s1
	li	a7, NR_RT_SIGRETURN
	ecall
	.size trap_signal_entry, . - trap_signal_entry
