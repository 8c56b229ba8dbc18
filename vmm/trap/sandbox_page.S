/* SPDX-License-Identifier: MIT */
/*
 * The guest process's only code (see sandbox.h): a page of its own, so the
 * seccomp filter can tell its system calls from the guest's by the pc.
 * Nothing here touches memory but the region (at SANDBOX_REGION_VA) and
 * what the kernel passes.
 */
#include "sandbox.h"

#define SIGILL 4
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
	li	t0, SIGILL
	bne	a0, t0, report
	ld	t0, MB_FAST(s0)
	bnez	t0, fast_csr
report:
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

/*
 * The fast path, in a process of S-mode code only (vmm sets MB_FAST): a
 * CSR instruction on sstatus, sie, sip, stvec, sscratch, sepc, scause or
 * stval that changes nothing vmm must act on is done here, on the copies
 * in the region, and the guest goes on through the kernel's own frame
 * without a park. Everything else is reported: sie and sip written with a
 * new value, sstatus with any bit changed but SIE, SIE set while an
 * interrupt is pending and enabled (vmm must deliver it), any other CSR
 * or instruction. Registers: t1 the instruction, t2 its operation (1 RW,
 * 2 RS, 3 RC), t3 the source, a5 the copy, a6 its kind, a4 the old value,
 * a3 the new one.
 */
#define KIND_ANY 0
#define KIND_SEPC 1
#define KIND_TVEC 2
#define KIND_READ_ONLY 3
#define KIND_STATUS 4
#define SSTATUS_SIE 2
#define STIP 0x20
#define CSR_SLOT(csr, slot, kind)                                              \
	li	t5, csr;                                                       \
	addi	a5, s1, slot - MB_FAST;                                        \
	li	a6, kind;                                                      \
	beq	t4, t5, 2f

/* reg = sip as it is now: what vmm last said, and STIP once the clock
 * reaches the timer's deadline (vmm may not have seen it yet) */
#define SIP_NOW(reg)                                                           \
	ld	reg, MB_SIP(s0);                                               \
	ld	t6, MB_TIMER - MB_FAST(s1);                                    \
	rdtime	a7;                                                            \
	bltu	a7, t6, 10f;                                                   \
	ori	reg, reg, STIP;                                                \
10:

fast_csr:
	addi	s1, s0, MB_FAST
	ld	t6, UC_REGS(a2)		/* the pc */
	lhu	t1, 0(t6)
	andi	t2, t1, 3
	li	t3, 3
	bne	t2, t3, report		/* a 16-bit instruction */
	lhu	t2, 2(t6)
	slli	t2, t2, 16
	or	t1, t1, t2
	andi	t2, t1, 0x7f
	li	t3, 0x73		/* SYSTEM */
	bne	t2, t3, report
	srli	t2, t1, 12
	andi	t2, t2, 3		/* 0: no CSR instruction */
	beqz	t2, report
	srli	t3, t1, 15
	andi	t3, t3, 31		/* uimm, or rs1 */
	srli	t4, t1, 14
	andi	t4, t4, 1
	bnez	t4, 1f			/* CSRR?I: the immediate */
	beqz	t3, 1f			/* x0 */
	slli	t4, t3, 3
	add	t4, t4, a2
	ld	t3, UC_REGS(t4)
1:	srli	t4, t1, 20		/* the CSR */
	CSR_SLOT(0x100, MB_SSTATUS, KIND_STATUS)
	CSR_SLOT(0x104, MB_SIE, KIND_READ_ONLY)
	CSR_SLOT(0x105, MB_STVEC, KIND_TVEC)
	CSR_SLOT(0x140, MB_SSCRATCH, KIND_ANY)
	CSR_SLOT(0x141, MB_SEPC, KIND_SEPC)
	CSR_SLOT(0x142, MB_SCAUSE, KIND_ANY)
	CSR_SLOT(0x143, MB_STVAL, KIND_ANY)
	CSR_SLOT(0x144, MB_SIP, KIND_READ_ONLY)
	j	report
2:	ld	a4, 0(a5)
	addi	t5, s1, MB_SIP - MB_FAST
	bne	a5, t5, 9f
	SIP_NOW(a4)
9:	mv	a3, t3			/* RW */
	li	t5, 1
	beq	t2, t5, 3f
	or	a3, a4, t3		/* RS */
	li	t5, 2
	beq	t2, t5, 3f
	not	t5, t3			/* RC */
	and	a3, a4, t5
3:	li	t5, KIND_SEPC
	bne	a6, t5, 4f
	andi	a3, a3, -2
4:	li	t5, KIND_TVEC
	bne	a6, t5, 5f
	andi	t5, a3, 2		/* modes 2 and 3 read as direct */
	beqz	t5, 5f
	andi	a3, a3, -4
5:	li	t5, KIND_READ_ONLY
	bne	a6, t5, 6f
	bne	a3, a4, report
6:	li	t5, KIND_STATUS
	bne	a6, t5, 7f
	xor	t5, a3, a4
	andi	t5, t5, ~SSTATUS_SIE
	bnez	t5, report
	andi	t5, a3, SSTATUS_SIE
	beqz	t5, 7f
	andi	t5, a4, SSTATUS_SIE
	bnez	t5, 7f
	SIP_NOW(t5)			/* SIE set: anything to take now? */
	ld	t6, MB_SIE(s0)
	and	t5, t5, t6
	bnez	t5, report
7:	sd	a3, 0(a5)
	srli	t5, t1, 7
	andi	t5, t5, 31		/* rd gets the old value */
	beqz	t5, 8f
	slli	t5, t5, 3
	add	t5, t5, a2
	sd	a4, UC_REGS(t5)
8:	ld	t5, UC_REGS(a2)
	addi	t5, t5, 4
	sd	t5, UC_REGS(a2)
	ld	t5, MB_FAST_COUNT(s0)
	addi	t5, t5, 1
	sd	t5, MB_FAST_COUNT(s0)
	li	a7, NR_RT_SIGRETURN	/* sp is still the kernel's frame */
	ecall
	j	die
	.size sandbox_handler, . - sandbox_handler

	.balign 4096
	.globl sandbox_text_end
sandbox_text_end:
