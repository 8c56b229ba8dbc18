// SPDX-License-Identifier: MIT
/*
 * A kernel the way xv6 is built, in one file: a kernel page table and a
 * page table per user process that share only a trampoline page, mapped
 * at the top of Sv39's lower half (and, below it, each process's trap
 * frame). Every trap from U-mode lands in the trampoline, which saves the
 * user registers in the trap frame, switches satp to the kernel's with
 * sfence.vma zero, zero on both sides and jumps into the kernel; the way
 * back switches to the process's table the same way and srets. Three
 * processes, preempted by the timer: a reader that takes a line from the
 * console (polled through a system call, yielding while there is none), a
 * worker that works on 8 of its pages between system calls, and a disk
 * reader whose read system call sleeps until the disk's interrupt
 * (virtio-blk through the PLIC) says its sector is there; with every
 * process asleep the kernel waits in wfi. What they did is printed at the
 * end, in a fixed order. Every hart there is (up to 4, trampoline-s:
 * SBI HSM starts them) runs the scheduler under one kernel lock, so a
 * process moves between harts. As in xv6, a process's code is at virtual
 * address 0, below what a host process may map by default
 * (vm.mmap_min_addr).
 *
 * trampoline-s starts in S-mode and ticks with the SBI timer;
 * trampoline-m starts in M-mode as xv6's start.c does: PMP opened,
 * every trap it can delegate delegated, each CLINT tick turned into a
 * supervisor software interrupt (sip.SSIP) by an M-mode vector, mret
 * into the kernel.
 */
#include "fw.h"

#define SSTATUS_SPP (1UL << 8)
#define SSTATUS_SPIE (1UL << 5)
#define SIP_SSIP (1UL << 1)
#define SIP_STIP (1UL << 5)
#define SIP_SEIP (1UL << 9)
#define CAUSE_EXTERNAL (1UL << 63 | 9)
#ifdef FW_SMODE
#define CAUSE_TICK (1UL << 63 | 5) /* the SBI timer */
#else
#define CAUSE_TICK (1UL << 63 | 1) /* M-mode's tick, as SSIP */
#endif
#define SBI_EXT_TIME 0x54494d45
#define TICK 100000 /* 10 ms at QEMU virt's 10 MHz */
#define CLINT_MTIMECMP0 0x2004000UL
#define CLINT_MTIME 0x200bff8UL
#define NPROC 3
#define NHARTS 4
#define SBI_EXT_HSM 0x48534d

#define MAXVA (1UL << 38)
#define TRAMPOLINE (MAXVA - 4096)
#define TRAPFRAME (TRAMPOLINE - 4096)
#define USER_CODE 0x0UL /* as xv6 links its programs */
#define USER_DATA 0x1000UL /* 8 pages, then the stack page */
#define USER_STACK (USER_DATA + 9 * 4096)
#define ROUNDS 20

enum { SYS_WRITE = 1, SYS_GETC, SYS_YIELD, SYS_EXIT, SYS_GETPID, SYS_READ };

/* xv6's trap frame: what the trampoline needs to enter the kernel, then
 * the user registers (x1..x31 at regs[0..30]). */
struct trapframe {
	unsigned long kernel_satp, kernel_sp, kernel_trap, epc;
	unsigned long regs[31];
	unsigned long kernel_hartid; /* into tp, as xv6's */
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
    "	ld	tp, 280(a0)\n"
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
 * system call; then exit. 2, the disk reader: 8 bytes of sector 0 into
 * its data page, written back, then exit. */
asm(".section .text.user, \"ax\"\n"
    ".balign 4096\n"
    ".globl user_start\n"
    "user_start:\n"
    "	li	s1, 0x1000\n" /* USER_DATA */
    "	li	t0, 1\n"
    "	beq	a0, t0, worker\n"
    "	bnez	a0, disk\n"
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
    "disk:\n"
    "	mv	a0, s1\n"
    "	li	a7, 6\n" /* SYS_READ */
    "	ecall\n"
    "	mv	a0, s1\n"
    "	li	a1, 8\n"
    "	li	a7, 1\n" /* SYS_WRITE */
    "	ecall\n"
    "	li	a0, 2\n"
    "	li	a7, 4\n" /* SYS_EXIT */
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
	int alive, asleep, running, calls;
	unsigned long read_to; /* SYS_READ's user address, while asleep */
	char out[101]; /* what it wrote (SYS_WRITE) */
};

static struct proc procs[NPROC];
static unsigned long kroot[512] __attribute__((aligned(4096)));
static unsigned long kl1[512] __attribute__((aligned(4096)));
static unsigned long kl0[512] __attribute__((aligned(4096)));
static uint8_t sector[512] __attribute__((aligned(512)));
/* cur: the process each hart runs, -1 for none; last: the one it ran
 * last, where its round robin goes on from */
static int cur[NHARTS], last[NHARTS], disk_irqs, boot_hart, klock;
static int ran_on[NHARTS]; /* harts that ran a process */
uint8_t kstack[NHARTS][8192] __attribute__((aligned(16)));

static int hart(void)
{
	unsigned long tp;

	asm volatile("mv %0, tp" : "=r"(tp));
	return (int)tp;
}

/* The kernel runs under one lock; a hart waiting for it spins. */
static void lock(void)
{
	while (__atomic_exchange_n(&klock, 1, __ATOMIC_ACQUIRE))
		;
}

static void unlock(void)
{
	__atomic_store_n(&klock, 0, __ATOMIC_RELEASE);
}

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
	int h = hart();
	struct proc *p = &procs[cur[h]];
	void (*ret)(unsigned long) =
		(void (*)(unsigned long))(TRAMPOLINE + (userret - tramp_start));

	asm volatile(
		"csrw stvec, %0" ::"r"(TRAMPOLINE + (uservec - tramp_start)));
	p->tf.kernel_satp = satp_of(kroot);
	p->tf.kernel_sp = (unsigned long)kstack[h] + sizeof(kstack[h]);
	p->tf.kernel_trap = (unsigned long)kernel_entry;
	p->tf.kernel_hartid = (unsigned long)h;
	asm volatile("csrc sstatus, %0\n\tcsrs sstatus, %1" ::"r"(SSTATUS_SPP),
		     "r"(SSTATUS_SPIE));
	unlock(); /* the process is this hart's (running): nobody else's */
	ret(satp_of(p->root));
	__builtin_unreachable();
}

/* A user address of process p's data pages, in the kernel's view (they
 * are physically contiguous). */
static char *user_ptr(struct proc *p, unsigned long va, unsigned long len)
{
	if (va < USER_DATA || va + len > USER_DATA + 9 * 4096 || len > 4096)
		return 0;
	return p->data[0] + (va - USER_DATA);
}

static void finish(void)
{
	struct proc *w = &procs[1];
	int i, harts, writes = 1;

	for (i = 0; i < 8; i++)
		writes &= *(unsigned long *)w->data[i] == ROUNDS;
	fw_printf("trampoline: the reader read '%s' from the console\n",
		  procs[0].out);
	fw_printf(
		"trampoline: the worker made %d system calls; its 8 pages were %s\n",
		w->calls, writes ? "each written 20 times" : "NOT all written");
	fw_printf(
		"trampoline: the disk reader read '%s' from sector 0, woken by the disk's interrupt: %s\n",
		procs[2].out, disk_irqs == 1 ? "yes" : "no");
	for (i = 0, harts = 0; i < NHARTS; i++)
		harts += ran_on[i];
	if (harts > 1)
		fw_printf(
			"trampoline: the processes ran on more than one hart\n");
	fw_printf("trampoline: all processes exited\n");
	fw_exit(0);
}

/* The timer's tick is taken: the next one is due TICK from now. */
static void tick_ack(void)
{
#ifdef FW_SMODE
	sbi_call(SBI_EXT_TIME, 0, rdtime() + TICK, 0, 0);
#else
	asm volatile("csrc sip, %0" ::"r"(SIP_SSIP));
#endif
}

/* The disk's interrupt: the read is done, its process wakes with the
 * sector's first 8 bytes in its data page (a0 = 0), or -1. */
static void disk_interrupt(void)
{
	struct proc *r = &procs[2];
	unsigned irq;
	char *to;
	int done, i;

	while ((irq = plic_claim(2 * boot_hart + 1)) != 0) {
		if (irq == vblk_irq() && (vblk_ack() & 1) && r->asleep &&
		    (done = vblk_done()) != 0) {
			to = user_ptr(r, r->read_to, 8);
			for (i = 0; i < 8 && done > 0; i++)
				to[i] = (char)sector[i];
			r->tf.X(10) = done > 0 ? 0 : (unsigned long)-1;
			r->asleep = 0;
			disk_irqs++;
		}
		plic_complete(2 * boot_hart + 1, irq);
	}
}

/* No process this hart may run: wait for an interrupt with interrupts
 * off (the trampoline's vector is no kernel's) and the lock given up, and
 * take it. The disk interrupts the boot hart only. */
static void idle(int h)
{
	unsigned long sip;

	unlock();
	asm volatile("wfi");
	lock();
	asm volatile("csrr %0, sip" : "=r"(sip));
	if (h == boot_hart && (sip & SIP_SEIP))
		disk_interrupt();
	if (sip & (SIP_SSIP | SIP_STIP))
		tick_ack();
}

/* The next process for this hart: round robin over the live, awake ones
 * no other hart runs, its own last; finish once none is alive. */
static void schedule(void)
{
	int h = hart();

	if (cur[h] >= 0) {
		procs[cur[h]].running = 0;
		last[h] = cur[h];
		cur[h] = -1;
	}
	for (;;) {
		int i, live = 0;

		for (i = 1; i <= NPROC; i++) {
			int n = (last[h] + i) % NPROC;
			struct proc *p = &procs[n];

			live |= p->alive;
			if (p->alive && !p->asleep && !p->running) {
				p->running = 1;
				cur[h] = n;
				ran_on[h] = 1;
				return;
			}
		}
		if (!live)
			finish();
		idle(h);
	}
}

/* One process's system call: a7 the number, a0 and a1 its arguments. */
static void syscall(struct proc *p, struct trapframe *tf)
{
	char *s;
	int i;

	tf->epc += 4;
	p->calls++;
	switch (tf->X(17)) {
	case SYS_WRITE:
		s = user_ptr(p, tf->X(10), tf->X(11));
		if (s && tf->X(11) < sizeof(p->out)) {
			for (i = 0; i < (int)tf->X(11); i++)
				p->out[i] = s[i];
			p->out[i] = 0;
		}
		break;
	case SYS_GETC:
		tf->X(10) = (mmio_read8(FW_UART + 5) & 1) ? mmio_read8(FW_UART)
							  : (unsigned long)-1;
		break;
	case SYS_YIELD:
		schedule();
		break;
	case SYS_EXIT:
		p->alive = 0;
		schedule();
		break;
	case SYS_GETPID:
		tf->X(10) = (unsigned long)(p - procs);
		break;
	case SYS_READ: /* one reader, one request in flight */
		if (!user_ptr(p, tf->X(10), 8)) {
			tf->X(10) = (unsigned long)-1;
			break;
		}
		p->read_to = tf->X(10);
		p->asleep = 1;
		vblk_submit(0, sector);
		schedule();
		break;
	default:
		tf->X(10) = (unsigned long)-1;
	}
}

void usertrap(void)
{
	struct proc *p;
	unsigned long cause, stval;

	lock();
	p = &procs[cur[hart()]];
	asm volatile("csrr %0, scause\n\tcsrr %1, stval"
		     : "=r"(cause), "=r"(stval));
	if (cause == CAUSE_TICK) {
		tick_ack();
		schedule();
	} else if (cause == CAUSE_EXTERNAL) {
		disk_interrupt();
	} else if (cause == 8) {
		syscall(p, &p->tf);
	} else {
		fw_printf(
			"trampoline: process %d: scause 0x%lx stval 0x%lx sepc 0x%lx\n",
			(int)(p - procs), cause, stval, p->tf.epc);
		fw_exit(3);
	}
	usertrapret();
}

static void make_processes(void)
{
	int i, j;

	/* each process: its code, 9 pages of data and stack, the
	 * trampoline and its trap frame, nothing of the kernel */
	for (i = 0; i < NPROC; i++) {
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
}

static void start_harts(void);

/* A hart's way into the scheduler, its timer ticking. */
static void __attribute__((noreturn)) enter_scheduler(void)
{
#ifdef FW_SMODE
	sbi_call(SBI_EXT_TIME, 0, rdtime() + TICK, 0, 0);
	asm volatile("csrs sie, %0" ::"r"(SIP_STIP | SIP_SEIP));
#else
	asm volatile("csrs sie, %0" ::"r"(SIP_SSIP | SIP_SEIP));
#endif
	lock();
	schedule();
	usertrapret();
}

/* The kernel, in S-mode with paging off, on the boot hart. */
static void __attribute__((noreturn)) kmain(void)
{
	int h, ctx = 2 * boot_hart + 1;

	/* devices and RAM identity-mapped, S-only, and the trampoline */
	kroot[0] = pte(0, PTE_R | PTE_W | PTE_A | PTE_D);
	kroot[2] = pte((void *)0x80000000UL,
		       PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
	map_trampoline(kroot, kl1, kl0, 0);
	make_processes();
	for (h = 0; h < NHARTS; h++) {
		cur[h] = -1;
		last[h] = NPROC - 1;
	}
	asm volatile(
		"csrw satp, %0\n\tsfence.vma zero, zero" ::"r"(satp_of(kroot))
		: "memory");
	fw_printf(
		"trampoline: kernel and user page tables, the trampoline at 0x%lx\n",
		TRAMPOLINE);
	if (vblk_open()) {
		fw_printf("trampoline: no disk\n");
		fw_exit(4);
	}
	vblk_use_interrupts();
	plic_set_priority(vblk_irq(), 1);
	plic_enable(ctx, vblk_irq(), 1);
	plic_set_threshold(ctx, 0);
	start_harts();
	enter_scheduler();
}

#ifdef FW_SMODE
/* The other harts (SBI HSM: a0 the hart id) enter here, on their kernel
 * stack, with paging off. */
void secondary_entry(void);
void secondary(void);
asm(".text\n"
    ".balign 4\n"
    "secondary_entry:\n"
    "	mv	tp, a0\n"
    "	la	sp, kstack\n"
    "	addi	t0, a0, 1\n"
    "	slli	t0, t0, 13\n" /* 8192 bytes each */
    "	add	sp, sp, t0\n"
    ".option push\n.option norelax\n"
    "	la	gp, __global_pointer$\n"
    ".option pop\n"
    "	call	secondary\n");

static int harts_up;

void secondary(void)
{
	asm volatile(
		"csrw satp, %0\n\tsfence.vma zero, zero" ::"r"(satp_of(kroot))
		: "memory");
	__atomic_add_fetch(&harts_up, 1, __ATOMIC_SEQ_CST);
	enter_scheduler();
}

/* Every hart but this one that SBI can start, up to NHARTS; back once
 * they are all on their way into the scheduler, so that they share the
 * processes from the start. */
static void start_harts(void)
{
	int h, started = 0;
	unsigned long t;

	for (h = 0; h < NHARTS; h++)
		if (h != boot_hart &&
		    !sbi_call(SBI_EXT_HSM, 0, (unsigned long)h,
			      (unsigned long)secondary_entry, 0)
			     .error)
			started++;
	/* a second at most, whatever the SBI said of a hart */
	for (t = rdtime();
	     rdtime() - t < 10000000 &&
	     __atomic_load_n(&harts_up, __ATOMIC_SEQ_CST) < started;)
		;
}

int main(unsigned long hartid, unsigned long dtb)
{
	(void)dtb;
	if (hartid >= NHARTS) { /* OpenSBI's lottery picks any hart */
		fw_printf("trampoline: boot hart %lu: harts 0 to %d only\n",
			  hartid, NHARTS - 1);
		fw_exit(5);
	}
	boot_hart = (int)hartid;
	asm volatile("mv tp, %0" ::"r"(hartid));
	kmain();
}
#else
/* M-mode: crt0 parks every hart but 0 for good. */
static void start_harts(void)
{
}

/* M-mode keeps its timer: each tick sets the next and raises SSIP
 * (fw_mtimer_vec, as xv6's timervec); its save area, the tick third. */
static unsigned long mscratch_area[3] = { 0, 0, TICK };

/* xv6's start(): from M-mode into the kernel. */
int main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	asm volatile("csrw pmpaddr0, %0" ::"r"(~0UL >> 10));
	asm volatile("csrw pmpcfg0, %0" ::"r"(0xfUL));
	asm volatile("csrw medeleg, %0" ::"r"(0xffffUL));
	asm volatile("csrw mideleg, %0" ::"r"(0xffffUL));
	asm volatile("csrw mscratch, %0" ::"r"(mscratch_area));
	asm volatile("csrw mtvec, %0" ::"r"(fw_mtimer_vec));
	*(volatile unsigned long *)CLINT_MTIMECMP0 =
		*(volatile unsigned long *)CLINT_MTIME + TICK;
	asm volatile("csrs mie, %0" ::"r"(1UL << 7)); /* MTIE */
	asm volatile("csrw satp, zero");
	asm volatile("csrc mstatus, %0" ::"r"(3UL << 11));
	asm volatile("csrs mstatus, %0" ::"r"(1UL << 11)); /* MPP = S */
	asm volatile("csrw mepc, %0" ::"r"(kmain));
	asm volatile("mv tp, zero");
	asm volatile("mret");
	return 5;
}
#endif
