// SPDX-License-Identifier: MIT
/*
 * A kernel the way xv6 is built, in one file: a kernel page table and a
 * page table per user process that share only a trampoline page, mapped
 * at the top of Sv39's lower half (and, below it, each process's trap
 * frame). Every trap from U-mode lands in the trampoline, which saves the
 * user registers in the trap frame, switches satp to the kernel's with
 * sfence.vma zero, zero on both sides and jumps into the kernel; the way
 * back switches to the process's table the same way and srets. Two
 * processes, preempted by the SBI timer: a reader that takes a line from
 * the console (polled through a system call, yielding while there is
 * none) and a worker that works on 8 of its pages between system calls.
 * As in xv6, a process's code is at virtual address 0, below what a host
 * process may map by default (vm.mmap_min_addr).
 * What they did is printed at the end, in a fixed order.
 */
#include "fw.h"

#define SSTATUS_SPP (1UL << 8)
#define SSTATUS_SPIE (1UL << 5)
#define SIE_STIE (1UL << 5)
#define CAUSE_TIMER (1UL << 63 | 5)
#define SBI_EXT_TIME 0x54494d45
#define TICK 100000 /* 10 ms at QEMU virt's 10 MHz */

#define MAXVA (1UL << 38)
#define TRAMPOLINE (MAXVA - 4096)
#define TRAPFRAME (TRAMPOLINE - 4096)
#define USER_CODE 0x0UL /* as xv6 links its programs */
#define USER_DATA 0x1000UL /* 8 pages, then the stack page */
#define USER_STACK (USER_DATA + 9 * 4096)
#define ROUNDS 20

enum { SYS_WRITE = 1, SYS_GETC, SYS_YIELD, SYS_EXIT, SYS_GETPID };

/* xv6's trap frame: what the trampoline needs to enter the kernel, then
 * the user registers (x1..x31 at regs[0..30]). */
struct trapframe {
	unsigned long kernel_satp, kernel_sp, kernel_trap, epc;
	unsigned long regs[31];
};
#define X(n) regs[(n)-1]

/* The trampoline page: the same code at TRAMPOLINE in every page table. */
asm(".section .text.tramp, \"ax\"\n"
    ".balign 4096\n"
    ".globl tramp_start\n"
    "tramp_start:\n"
    ".globl uservec\n"
    "uservec:\n"
    "	csrw	sscratch, a0\n"
    "	li	a0, 0x3fffffe000\n" /* TRAPFRAME */
    ".irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
    "	sd	x\\n, 32 + 8 * (\\n - 1)(a0)\n"
    ".endr\n"
    "	csrr	t0, sscratch\n"
    "	sd	t0, 32 + 8 * 9(a0)\n"
    "	csrr	t0, sepc\n"
    "	sd	t0, 24(a0)\n"
    "	ld	sp, 8(a0)\n"
    "	ld	t0, 16(a0)\n"
    "	ld	t1, 0(a0)\n"
    "	sfence.vma zero, zero\n"
    "	csrw	satp, t1\n"
    "	sfence.vma zero, zero\n"
    "	jr	t0\n"
    ".globl userret\n"
    "userret:\n" /* a0: the process's satp */
    "	sfence.vma zero, zero\n"
    "	csrw	satp, a0\n"
    "	sfence.vma zero, zero\n"
    "	li	a0, 0x3fffffe000\n"
    "	ld	t0, 24(a0)\n"
    "	csrw	sepc, t0\n"
    ".irp n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
    "	ld	x\\n, 32 + 8 * (\\n - 1)(a0)\n"
    ".endr\n"
    "	ld	a0, 32 + 8 * 9(a0)\n"
    "	sret\n"
    ".balign 4096\n"
    ".previous\n");
extern char tramp_start[], uservec[], userret[];

/* The user program, on a page of its own, position-independent. a0: the
 * process number. 0, the reader: a line from the console, written back,
 * then exit. 1, the worker: ROUNDS times, 1200 plain instructions before
 * each of its 8 pages gets one more added to its first word, then a
 * system call; then exit. */
asm(".section .text.user, \"ax\"\n"
    ".balign 4096\n"
    ".globl user_start\n"
    "user_start:\n"
    "	li	s1, 0x1000\n" /* USER_DATA */
    "	bnez	a0, worker\n"
    "	li	s2, 0\n"
    "1:	li	a7, 2\n" /* SYS_GETC */
    "	ecall\n"
    "	bgez	a0, 2f\n"
    "	li	a7, 3\n" /* SYS_YIELD */
    "	ecall\n"
    "	j	1b\n"
    "2:	li	t0, 10\n"
    "	bne	a0, t0, 7f\n"
    "	beqz	s2, 1b\n" /* an empty line: the next one */
    "	j	3f\n"
    "7:"
    "	add	t1, s1, s2\n"
    "	sb	a0, 0(t1)\n"
    "	addi	s2, s2, 1\n"
    "	li	t0, 100\n"
    "	blt	s2, t0, 1b\n"
    "3:	mv	a0, s1\n"
    "	mv	a1, s2\n"
    "	li	a7, 1\n" /* SYS_WRITE */
    "	ecall\n"
    "	li	a0, 0\n"
    "	li	a7, 4\n" /* SYS_EXIT */
    "	ecall\n"
    "worker:\n"
    "	li	s3, 20\n" /* ROUNDS */
    "4:	mv	s2, s1\n"
    "	li	s4, 8\n"
    "5:	li	t5, 600\n"
    "6:	addi	t5, t5, -1\n"
    "	bnez	t5, 6b\n"
    "	ld	t0, 0(s2)\n"
    "	addi	t0, t0, 1\n"
    "	sd	t0, 0(s2)\n"
    "	li	t0, 4096\n"
    "	add	s2, s2, t0\n"
    "	addi	s4, s4, -1\n"
    "	bnez	s4, 5b\n"
    "	li	a7, 5\n" /* SYS_GETPID */
    "	ecall\n"
    "	addi	s3, s3, -1\n"
    "	bnez	s3, 4b\n"
    "	li	a0, 1\n"
    "	li	a7, 4\n"
    "	ecall\n"
    "	j	.\n"
    ".balign 4096\n"
    ".previous\n");
extern char user_start[];

struct proc {
	unsigned long root[512] __attribute__((aligned(4096)));
	unsigned long l1[512] __attribute__((aligned(4096)));
	unsigned long l0[512] __attribute__((aligned(4096)));
	unsigned long tl1[512] __attribute__((aligned(4096)));
	unsigned long tl0[512] __attribute__((aligned(4096)));
	struct trapframe tf __attribute__((aligned(4096)));
	char data[9][4096] __attribute__((aligned(4096)));
	int alive, calls;
};

static struct proc procs[2];
static unsigned long kroot[512] __attribute__((aligned(4096)));
static unsigned long kl1[512] __attribute__((aligned(4096)));
static unsigned long kl0[512] __attribute__((aligned(4096)));
static char line[101];
static int line_len, cur;
uint8_t kstack[8192] __attribute__((aligned(16)));

static unsigned long pte(const void *pa, unsigned long flags)
{
	return ((unsigned long)pa >> 12) << 10 | flags | PTE_V;
}

static unsigned long satp_of(unsigned long *root)
{
	return SATP_SV39 | (unsigned long)root >> 12;
}

/* The trampoline in a table: root entry 255, then 511 and 511. */
static void map_trampoline(unsigned long *root, unsigned long *l1,
			   unsigned long *l0, struct trapframe *tf)
{
	root[255] = pte(l1, 0);
	l1[511] = pte(l0, 0);
	l0[511] = pte(tramp_start, PTE_R | PTE_X | PTE_A);
	if (tf)
		l0[510] = pte(tf, PTE_R | PTE_W | PTE_A | PTE_D);
}

void kernel_entry(void);
void usertrap(void);
asm(".text\n"
    ".balign 4\n"
    "kernel_entry:\n"
    ".option push\n.option norelax\n"
    "	la	gp, __global_pointer$\n"
    ".option pop\n"
    "	call	usertrap\n");

/* Back to the current process through the trampoline, as xv6's
 * usertrapret. */
static void __attribute__((noreturn)) usertrapret(void)
{
	struct proc *p = &procs[cur];
	void (*ret)(unsigned long) =
		(void (*)(unsigned long))(TRAMPOLINE + (userret - tramp_start));

	asm volatile(
		"csrw stvec, %0" ::"r"(TRAMPOLINE + (uservec - tramp_start)));
	p->tf.kernel_satp = satp_of(kroot);
	p->tf.kernel_sp = (unsigned long)kstack + sizeof(kstack);
	p->tf.kernel_trap = (unsigned long)kernel_entry;
	asm volatile("csrc sstatus, %0\n\tcsrs sstatus, %1" ::"r"(SSTATUS_SPP),
		     "r"(SSTATUS_SPIE));
	ret(satp_of(p->root));
	__builtin_unreachable();
}

/* A user address of the current process's data pages, in the kernel's
 * view (they are physically contiguous). */
static char *user_ptr(unsigned long va, unsigned long len)
{
	if (va < USER_DATA || va + len > USER_DATA + 9 * 4096 || len > 4096)
		return 0;
	return procs[cur].data[0] + (va - USER_DATA);
}

static void finish(void)
{
	struct proc *w = &procs[1];
	int i, writes = 1;

	for (i = 0; i < 8; i++)
		writes &= *(unsigned long *)w->data[i] == ROUNDS;
	fw_printf("trampoline: the reader read '%s' from the console\n", line);
	fw_printf(
		"trampoline: the worker made %d system calls; its 8 pages were %s\n",
		w->calls, writes ? "each written 20 times" : "NOT all written");
	fw_printf("trampoline: both processes exited\n");
	fw_exit(0);
}

static void switch_proc(void)
{
	if (procs[cur ^ 1].alive)
		cur ^= 1;
	else if (!procs[cur].alive)
		finish();
}

void usertrap(void)
{
	struct proc *p = &procs[cur];
	struct trapframe *tf = &p->tf;
	unsigned long cause, stval;
	char *s;

	asm volatile("csrr %0, scause\n\tcsrr %1, stval"
		     : "=r"(cause), "=r"(stval));
	if (cause == CAUSE_TIMER) {
		sbi_call(SBI_EXT_TIME, 0, rdtime() + TICK, 0, 0);
		switch_proc();
		usertrapret();
	}
	if (cause != 8) {
		fw_printf(
			"trampoline: process %d: scause 0x%lx stval 0x%lx sepc 0x%lx\n",
			cur, cause, stval, tf->epc);
		fw_exit(3);
	}
	tf->epc += 4;
	p->calls++;
	switch (tf->X(17)) {
	case SYS_WRITE:
		s = user_ptr(tf->X(10), tf->X(11));
		if (s && tf->X(11) < sizeof(line)) {
			for (line_len = 0; line_len < (int)tf->X(11);
			     line_len++)
				line[line_len] = s[line_len];
			line[line_len] = 0;
		}
		break;
	case SYS_GETC:
		tf->X(10) = (mmio_read8(FW_UART + 5) & 1) ? mmio_read8(FW_UART)
							  : (unsigned long)-1;
		break;
	case SYS_YIELD:
		switch_proc();
		break;
	case SYS_EXIT:
		p->alive = 0;
		switch_proc();
		break;
	case SYS_GETPID:
		tf->X(10) = (unsigned long)cur;
		break;
	default:
		tf->X(10) = (unsigned long)-1;
	}
	usertrapret();
}

int main(unsigned long hartid, unsigned long dtb)
{
	int i, j;

	(void)hartid;
	(void)dtb;
	/* the kernel: devices and RAM identity-mapped, S-only, and the
	 * trampoline */
	kroot[0] = pte(0, PTE_R | PTE_W | PTE_A | PTE_D);
	kroot[2] = pte((void *)0x80000000UL,
		       PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
	map_trampoline(kroot, kl1, kl0, 0);
	/* each process: its code, 9 pages of data and stack, the
	 * trampoline and its trap frame, nothing of the kernel */
	for (i = 0; i < 2; i++) {
		struct proc *p = &procs[i];

		p->root[0] = pte(p->l1, 0);
		p->l1[0] = pte(p->l0, 0);
		p->l0[0] = pte(user_start, PTE_R | PTE_X | PTE_U | PTE_A);
		for (j = 0; j < 9; j++)
			p->l0[1 + j] = pte(p->data[j], PTE_R | PTE_W | PTE_U |
							       PTE_A | PTE_D);
		map_trampoline(p->root, p->tl1, p->tl0, &p->tf);
		p->tf.epc = USER_CODE;
		p->tf.X(2) = USER_STACK;
		p->tf.X(10) = (unsigned long)i;
		p->alive = 1;
	}
	asm volatile(
		"csrw satp, %0\n\tsfence.vma zero, zero" ::"r"(satp_of(kroot))
		: "memory");
	fw_printf(
		"trampoline: kernel and user page tables, the trampoline at 0x%lx\n",
		TRAMPOLINE);
	sbi_call(SBI_EXT_TIME, 0, rdtime() + TICK, 0, 0);
	asm volatile("csrs sie, %0" ::"r"(SIE_STIE));
	cur = 0;
	usertrapret();
}
