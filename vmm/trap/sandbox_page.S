/* SPDX-License-Identifier: MIT */
/*
 * The guest process's only code (see sandbox.h): a page of its own, so the
 * seccomp filter can tell its system calls from the guest's by the pc.
 * Nothing here touches memory but the region (at SANDBOX_REGION_VA) and
 * what the kernel passes.
 */
#include "sandbox.h"

#define NR_EXIT_GROUP 94
#define NR_FUTEX 98
#define NR_RT_SIGRETURN 139
#define NR_PRCTL 167
#define NR_MUNMAP 215
#define NR_MMAP 222
#define NR_SECCOMP 277
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define PR_SET_NO_NEW_PRIVS 38
#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_FILTER_FLAG_NEW_LISTENER 8
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV 32
#define PROT_RWX 7
#define MAP_SHARED_FIXED 0x11

	.section .text.sandbox, "ax"
	.balign 4096
	.globl sandbox_text_start
sandbox_text_start:

/*
 * sandbox_start(region): leave the monitor's address space behind. Runs
 * on the region's own stack, unmaps everything the monitor told it to,
 * maps guest RAM, locks itself in with seccomp, says it is ready and
 * traps for its first registers. Any failure ends the process (the
 * monitor sees it die).
 */
	.globl sandbox_start
	.type sandbox_start, @function
sandbox_start:
	mv	s0, a0
	li	t0, SANDBOX_REGION_SIZE
	add	sp, s0, t0
	addi	s1, s0, MB_UNMAP
	li	s2, SANDBOX_NR_UNMAP
1:	ld	a0, 0(s1)
	ld	a1, 8(s1)
	beqz	a1, 2f
	li	a7, NR_MUNMAP
	ecall
	bnez	a0, die
2:	addi	s1, s1, 16
	addi	s2, s2, -1
	bnez	s2, 1b

	ld	a0, MB_RAM_BASE(s0)
	ld	a1, MB_RAM_SIZE(s0)
	li	a2, PROT_RWX
	li	a3, MAP_SHARED_FIXED
	ld	a4, MB_MEMFD(s0)
	li	a5, 0
	li	a7, NR_MMAP
	ecall
	ld	t0, MB_RAM_BASE(s0)
	bne	a0, t0, die

	li	a0, PR_SET_NO_NEW_PRIVS
	li	a1, 1
	li	a2, 0
	li	a3, 0
	li	a4, 0
	li	a7, NR_PRCTL
	ecall
	bnez	a0, die
	/* Once vmm has taken a notification the park waits for its answer,
	 * whatever signal comes (Linux 5.19); older kernels lack the flag. */
	li	a0, SECCOMP_SET_MODE_FILTER
	li	a1, SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
	addi	a2, s0, MB_FPROG
	li	a7, NR_SECCOMP
	ecall
	bgez	a0, 3f
	li	a0, SECCOMP_SET_MODE_FILTER
	li	a1, SECCOMP_FILTER_FLAG_NEW_LISTENER
	addi	a2, s0, MB_FPROG
	li	a7, NR_SECCOMP
	ecall
	bltz	a0, die
3:	sd	a0, MB_LISTENER(s0)
	fence	rw, rw
	li	t0, 1
	sw	t0, MB_READY(s0)
	fence	rw, rw
	addi	a0, s0, MB_READY
	li	a1, FUTEX_WAKE
	li	a2, 1
	li	a7, NR_FUTEX
	ecall
	unimp				/* the first report: "ready" */
die:
	li	a0, EXIT_SETUP_FAILED
	li	a7, NR_EXIT_GROUP
	ecall
	.size sandbox_start, . - sandbox_start

/*
 * sandbox_handler(sig, info, ucontext), on the region's signal stack with
 * every signal blocked: copy the guest's registers out and park until vmm
 * answers. Guest code can jump anywhere in this page with registers of
 * its own, so what comes after the park names nothing but constants and
 * what vmm wrote: the ops to make, the registers, the frame to return
 * through (whose signal mask and stack it sets too). It returns to the
 * guest through our own rt_sigreturn (the vDSO is gone).
 */
	.globl sandbox_handler
	.type sandbox_handler, @function
sandbox_handler:
	li	s0, SANDBOX_REGION_VA
	sd	a0, MB_SIG(s0)
	ld	t1, SI_ADDR(a1)
	sd	t1, MB_ADDR(s0)
	sd	sp, MB_SEEN_FRAME(s0)
	sd	a2, MB_SEEN_UC(s0)
	addi	t2, a2, UC_REGS
	addi	t3, s0, MB_REGS
	li	t4, MB_NR_REGS
1:	ld	t5, 0(t2)
	sd	t5, 0(t3)
	addi	t2, t2, 8
	addi	t3, t3, 8
	addi	t4, t4, -1
	bnez	t4, 1b
	li	a7, SANDBOX_PARK_NR
	.globl sandbox_park_call
sandbox_park_call:
	ecall				/* held until vmm answers */
	bnez	a0, die_parked

	li	s0, SANDBOX_REGION_VA
	ld	s4, MB_NR_OPS(s0)
	li	t0, SANDBOX_NR_OPS
	bleu	s4, t0, 4f
	mv	s4, t0
4:	addi	s5, s0, MB_OPS
5:	beqz	s4, 8f
	ld	a0, 0(s5)
	ld	a1, 8(s5)
	ld	a2, 16(s5)
	li	t0, SANDBOX_UNMAP
	beq	a2, t0, 6f
	li	a3, MAP_SHARED_FIXED
	ld	a4, MB_MEMFD(s0)
	ld	a5, 24(s5)
	li	a7, NR_MMAP
	.globl sandbox_mmap_call
sandbox_mmap_call:
	ecall
	ld	t0, 0(s5)
	bne	a0, t0, map_failed
	j	7f
6:	li	a7, NR_MUNMAP
	ecall
	bnez	a0, map_failed
7:	addi	s5, s5, 32
	addi	s4, s4, -1
	j	5b

8:	ld	s1, MB_UC(s0)
	addi	t2, s0, MB_REGS
	addi	t3, s1, UC_REGS
	li	t4, MB_NR_REGS
3:	ld	t5, 0(t2)
	sd	t5, 0(t3)
	addi	t2, t2, 8
	addi	t3, t3, 8
	addi	t4, t4, -1
	bnez	t4, 3b
	/* nothing blocked, our signal stack: whatever a frame the guest
	 * wrote said */
	sd	zero, UC_SIGMASK(s1)
	li	t0, SANDBOX_REGION_VA + 4096
	sd	t0, UC_STACK(s1)
	sd	zero, UC_STACK + 8(s1)
	li	t0, SANDBOX_REGION_SIZE - 4096
	sd	t0, UC_STACK + 16(s1)
	ld	sp, MB_FRAME(s0)
	sd	zero, SI_ADDR(sp)
	li	a7, NR_RT_SIGRETURN
	.globl sandbox_sigreturn_call
sandbox_sigreturn_call:
	ecall
	j	die
map_failed:
	li	a0, EXIT_MAP_FAILED
	li	a7, NR_EXIT_GROUP
	ecall
die_parked:
	li	a0, EXIT_SETUP_FAILED
	li	a7, NR_EXIT_GROUP
	ecall
	.size sandbox_handler, . - sandbox_handler

	.balign 4096
	.globl sandbox_text_end
sandbox_text_end:
