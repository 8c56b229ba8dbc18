// SPDX-License-Identifier: MIT
/*
 * A multi-process kernel in one file, of the xv6 kind. M-mode: open memory
 * with PMP, delegate everything but the machine timer, turn each CLINT
 * tick into a supervisor software interrupt, mret to S-mode. S-mode: Sv39
 * on, read sector 0 of the disk (virtio-blk, polled), then run two U-mode
 * processes, each with its own page table, preempted by the timer, making
 * system calls. Their read system call sleeps until the disk's interrupt
 * (through the PLIC) says the read is done, as xv6's does; the other
 * process runs meanwhile, or the kernel waits in wfi. Process B also
 * tries to read a kernel page and to write its read-only code page: both
 * must fault into the kernel. Everything the processes do is printed at
 * the end, in a fixed order, so the output is the same whatever the
 * timing.
 */
#include "fw.h"

#define CLINT_MTIMECMP0 0x2004000UL
#define CLINT_MTIME 0x200bff8UL
#define TICK 500000 /* 50 ms at QEMU virt's 10 MHz */

#define SSTATUS_SIE (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP (1UL << 8)
#define SSTATUS_SUM (1UL << 18)
#define SIP_SSIP (1UL << 1)
#define SIP_SEIP (1UL << 9)
#define PLIC_CTX 1 /* hart 0's S-mode context */

/* The user address space: code, then a data page that is also the stack. */
#define USER_CODE 0x100000000UL /* 4 GiB: root entry 4 */
#define USER_DATA (USER_CODE + 0x1000)
#define KERNEL_PAGE 0x80000000UL

enum { SYS_REPORT = 1, SYS_READ, SYS_EXIT };

/* A process's data page, at USER_DATA in its own address space. */
struct udata {
	volatile long preempted; /* written by the kernel */
	long counter;
	long mark;
	char buf[8];
};

struct frame {
	unsigned long pc, x[32]; /* x[0] unused; x[2] is the user sp */
};

struct proc {
	struct frame frame;
	unsigned long *root;
	struct udata *data; /* the kernel's view of it */
	int alive;
	int asleep; /* in SYS_READ, until its disk interrupt */
	char *read_to; /* where the read goes: the kernel's view */
	long read_ok, exit_ok, load_cause, store_cause;
	unsigned long load_tval, store_tval;
};

static unsigned long kroot[512] __attribute__((aligned(4096)));
static unsigned long roots[2][512] __attribute__((aligned(4096)));
static unsigned long l1[2][512] __attribute__((aligned(4096)));
static unsigned long l0[2][512] __attribute__((aligned(4096)));
static union {
	struct udata d;
	char page[4096];
} udata[2] __attribute__((aligned(4096)));
static uint8_t sector[512] __attribute__((aligned(512)));
/* fw_mtimer_vec's save area, the tick third */
static unsigned long mscratch_area[3] = { 0, 0, TICK };
static struct proc procs[2];
static int cur;
static int disk_owner = -1, disk_waiter = -1; /* process numbers */
static int disk_irqs;

void strap_vec(void);
void user_return(struct frame *f) __attribute__((noreturn));

/* --- S-mode trap entry and exit: every register through the frame --------- */

asm(".section .bss\n"
    ".balign 16\n"
    "kstack: .space 8192\n"
    "kstack_top:\n");

#define SAVE(n) "	sd	x" #n ", " #n "*8+8(sp)\n"
#define LOAD(n) "	ld	x" #n ", " #n "*8+8(sp)\n"
asm(".section .text\n"
    ".balign 4\n"
    ".globl strap_vec\n"
    "strap_vec:\n"
    "	csrrw	sp, sscratch, sp\n" /* sp: the frame; sscratch: user sp */
    SAVE(1) SAVE(3) SAVE(4) SAVE(5) SAVE(6) SAVE(7) SAVE(8) SAVE(9) SAVE(
	    10) SAVE(11) SAVE(12) SAVE(13) SAVE(14) SAVE(15) SAVE(16) SAVE(17)
	    SAVE(18) SAVE(19) SAVE(20) SAVE(21) SAVE(22) SAVE(23) SAVE(24) SAVE(
		    25) SAVE(26) SAVE(27) SAVE(28) SAVE(29) SAVE(30)
		    SAVE(31) "	csrr	t0, sscratch\n"
			     "	sd	t0, 2*8+8(sp)\n"
			     "	csrr	t0, sepc\n"
			     "	sd	t0, 0(sp)\n"
			     "	mv	a0, sp\n"
			     ".option push\n"
			     ".option norelax\n"
			     "	la	gp, __global_pointer$\n"
			     ".option pop\n"
			     "	la	sp, kstack_top\n"
			     "	call	s_trap\n"
			     ".globl user_return\n"
			     "user_return:\n"
			     "	ld	t0, 0(a0)\n"
			     "	csrw	sepc, t0\n"
			     "	csrw	sscratch, a0\n"
			     "	mv	sp, a0\n" LOAD(1) LOAD(3) LOAD(4) LOAD(
				     5) LOAD(6) LOAD(7) LOAD(8) LOAD(9) LOAD(10)
				     LOAD(11) LOAD(12) LOAD(13) LOAD(14) LOAD(
					     15) LOAD(16) LOAD(17) LOAD(18)
					     LOAD(19) LOAD(20) LOAD(21) LOAD(
						     22) LOAD(23) LOAD(24) LOAD(25)
						     LOAD(26) LOAD(27) LOAD(
							     28) LOAD(29) LOAD(30)
							     LOAD(31) "	ld	sp, 2*8+8(sp)\n"
								      "	sret\n");

/* --- U-mode: one page of code, mapped read-only at USER_CODE ------------- */

#define USER_ECALL(n, arg)                                               \
	({                                                               \
		register long a0_ asm("a0") = (long)(arg);               \
		register long a7_ asm("a7") = (n);                       \
		asm volatile("ecall" : "+r"(a0_) : "r"(a7_) : "memory"); \
		a0_;                                                     \
	})

/* No globals, no constants in memory: only this page and the data page
 * are there for it. */
__attribute__((section(".text.user"), aligned(4096), noinline)) void
user_main(long id)
{
	struct udata *d = (struct udata *)USER_DATA;

	d->mark = id ? 0xbbbb : 0xaaaa;
	USER_ECALL(SYS_READ, d->buf);
	USER_ECALL(SYS_REPORT, d->buf[0] == 'V' && d->buf[7] == '!');
	if (id == 1) {
		d->counter = *(volatile long *)KERNEL_PAGE; /* faults */
		*(volatile long *)USER_CODE = 0; /* faults */
	}
	/* Only the timer can get the other process going again. */
	while (*(volatile long *)&d->preempted < 2)
		d->counter++;
	USER_ECALL(SYS_EXIT, d->mark == (id ? 0xbbbb : 0xaaaa));
	for (;;)
		;
}

/* --- S-mode: the kernel -------------------------------------------------- */

static unsigned long pte(unsigned long pa, unsigned long flags)
{
	return (pa >> 12) << 10 | flags | PTE_V;
}

static unsigned long satp_of(unsigned long *root)
{
	return SATP_SV39 | (unsigned long)root >> 12;
}

/* Devices (the first GiB) and RAM, identity-mapped, for S-mode only. */
static void map_kernel(unsigned long *root)
{
	root[0] = pte(0, PTE_R | PTE_W | PTE_A | PTE_D | PTE_G);
	root[2] = pte(0x80000000UL,
		      PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G);
}

static void make_process(int i)
{
	struct proc *p = &procs[i];

	map_kernel(roots[i]);
	roots[i][4] = pte((unsigned long)l1[i], 0);
	l1[i][0] = pte((unsigned long)l0[i], 0);
	l0[i][0] = pte((unsigned long)user_main, PTE_R | PTE_X | PTE_U | PTE_A);
	l0[i][1] = pte((unsigned long)&udata[i],
		       PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
	p->root = roots[i];
	p->data = &udata[i].d;
	p->frame.pc = USER_CODE;
	p->frame.x[10] = (unsigned long)i;
	p->frame.x[2] = USER_DATA + 0x1000;
	p->alive = 1;
}

static void switch_to(int i)
{
	cur = i;
	asm volatile("csrw satp, %0\n\tsfence.vma" ::"r"(satp_of(procs[i].root))
		     : "memory");
}

static void __attribute__((noreturn)) finish(void)
{
	static const char name[2] = { 'A', 'B' };
	int i, ok = 1;

	asm volatile("csrw satp, %0\n\tsfence.vma" ::"r"(satp_of(kroot))
		     : "memory");
	for (i = 0; i < 2; i++) {
		fw_printf(
			"minikernel: process %c read the sector through a system call: %s\n",
			name[i], procs[i].read_ok ? "yes" : "no");
		fw_printf("minikernel: process %c was preempted %s\n", name[i],
			  udata[i].d.preempted >= 2 ? "at least twice"
						    : "less");
		fw_printf(
			"minikernel: process %c exited, its memory its own: %s\n",
			name[i], procs[i].exit_ok ? "yes" : "no");
		ok &= procs[i].read_ok && procs[i].exit_ok;
	}
	fw_printf(
		"minikernel: B loading a kernel page: scause %ld, stval 0x%lx\n",
		procs[1].load_cause, procs[1].load_tval);
	fw_printf(
		"minikernel: B storing to its read-only code: scause %ld, stval 0x%lx\n",
		procs[1].store_cause, procs[1].store_tval);
	fw_printf("minikernel: the same address in A and B: 0x%lx and 0x%lx\n",
		  udata[0].d.mark, udata[1].d.mark);
	fw_printf("minikernel: %d disk interrupts woke the 2 readers\n",
		  disk_irqs);
	fw_exit(ok && procs[1].load_cause == 13 && procs[1].store_cause == 15 &&
				disk_irqs == 2
			? 0
			: 2);
}

static int runnable(int i)
{
	return procs[i].alive && !procs[i].asleep;
}

static void disk_interrupt(void);

/* Nothing to run: wait in wfi (sstatus.SIE is off in the trap handler;
 * wfi still wakes on what sie enables) and serve what came. */
static void idle(void)
{
	unsigned long sip;

	asm volatile("wfi");
	asm volatile("csrr %0, sip" : "=r"(sip));
	if (sip & SIP_SEIP)
		disk_interrupt();
	if (sip & SIP_SSIP)
		asm volatile("csrc sip, %0" ::"r"(SIP_SSIP));
}

/* Round robin over the processes that can run. */
static struct frame *schedule(void)
{
	int next;

	for (;;) {
		next = runnable(!cur) ? !cur : cur;
		if (runnable(next))
			break;
		if (!procs[0].alive && !procs[1].alive)
			finish();
		idle();
	}
	switch_to(next);
	return &procs[next].frame;
}

/* The length of the instruction at the user's pc (read with SUM). */
static unsigned long insn_len(unsigned long pc)
{
	unsigned short half;

	asm volatile("csrs sstatus, %0" ::"r"(SSTATUS_SUM));
	half = *(volatile unsigned short *)pc;
	asm volatile("csrc sstatus, %0" ::"r"(SSTATUS_SUM));
	return (half & 3) == 3 ? 4 : 2;
}

/* The disk serves one read at a time, into sector[]. */
static void disk_start(int i)
{
	unsigned j;

	for (j = 0; j < sizeof(sector); j++)
		sector[j] = 0; /* what the reader gets comes from the disk */
	disk_owner = i;
	vblk_submit(0, sector);
}

/* The owner's read is done (done: 1 it succeeded, -1 it failed): its
 * eight bytes go to it, it may run again, and a process waiting for the
 * disk gets it. */
static void disk_finish(int done)
{
	struct proc *p = &procs[disk_owner];
	int i;

	for (i = 0; i < 8; i++)
		p->read_to[i] = done == 1 ? (char)sector[i] : 0;
	p->asleep = 0;
	disk_irqs++;
	disk_owner = -1;
	if (disk_waiter >= 0) {
		disk_start(disk_waiter);
		disk_waiter = -1;
	}
}

static void disk_interrupt(void)
{
	unsigned irq;
	int done;

	while ((irq = plic_claim(PLIC_CTX)) != 0) {
		if (irq == vblk_irq() && (vblk_ack() & 1) && disk_owner >= 0 &&
		    (done = vblk_done()) != 0)
			disk_finish(done);
		plic_complete(PLIC_CTX, irq);
	}
}

/* SYS_READ: eight bytes of sector 0 to the caller's data page at to. It
 * sleeps until they are there. */
static struct frame *sys_read(struct proc *p, struct frame *f)
{
	unsigned long to = f->x[10];

	if (to < USER_DATA || to > USER_DATA + 4096 - 8) {
		f->x[10] = (unsigned long)-1;
		return f;
	}
	p->read_to = (char *)p->data + (to - USER_DATA);
	p->asleep = 1;
	if (disk_owner < 0)
		disk_start(cur);
	else
		disk_waiter = cur;
	return schedule();
}

struct frame *s_trap(struct frame *f)
{
	struct proc *p = &procs[cur];
	unsigned long cause, tval;

	asm volatile("csrr %0, scause" : "=r"(cause));
	asm volatile("csrr %0, stval" : "=r"(tval));
	if (cause == (1UL << 63 | 1)) { /* the tick, from M-mode */
		asm volatile("csrc sip, %0" ::"r"(2UL));
		p->data->preempted++;
		return schedule();
	}
	if (cause == (1UL << 63 | 9)) { /* the PLIC: the disk */
		disk_interrupt();
		return f;
	}
	switch (cause) {
	case 8: /* ecall from U-mode */
		f->pc += 4;
		if (f->x[17] == SYS_READ) {
			return sys_read(p, f);
		} else if (f->x[17] == SYS_REPORT) {
			p->read_ok = (long)f->x[10];
		} else if (f->x[17] == SYS_EXIT) {
			p->exit_ok = (long)f->x[10];
			p->alive = 0;
			return schedule();
		}
		return f;
	case 13: /* load page fault */
		p->load_cause = (long)cause;
		p->load_tval = tval;
		f->pc += insn_len(f->pc);
		return f;
	case 15: /* store page fault */
		p->store_cause = (long)cause;
		p->store_tval = tval;
		f->pc += insn_len(f->pc);
		return f;
	default:
		fw_printf(
			"minikernel: unexpected scause 0x%lx at 0x%lx, stval 0x%lx\n",
			cause, f->pc, tval);
		fw_exit(3);
	}
}

static void kmain(void)
{
	map_kernel(kroot);
	asm volatile("csrw satp, %0\n\tsfence.vma" ::"r"(satp_of(kroot))
		     : "memory");
	fw_printf("minikernel: S-mode with Sv39 paging\n");
	if (vblk_open() || vblk_read(0, sector)) {
		fw_printf("minikernel: no disk to read\n");
		fw_exit(4);
	}
	fw_printf("minikernel: disk sector 0 starts with %c%c%c%c%c%c%c%c\n",
		  sector[0], sector[1], sector[2], sector[3], sector[4],
		  sector[5], sector[6], sector[7]);
	vblk_use_interrupts();
	plic_set_priority(vblk_irq(), 1);
	plic_enable(PLIC_CTX, vblk_irq(), 1);
	plic_set_threshold(PLIC_CTX, 0);
	make_process(0);
	make_process(1);
	asm volatile("csrw stvec, %0" ::"r"(strap_vec));
	asm volatile(
		"csrs sie, %0" ::"r"(SIP_SSIP | SIP_SEIP)); /* SSIE, SEIE */
	asm volatile("csrc sstatus, %0" ::"r"(SSTATUS_SPP));
	asm volatile("csrs sstatus, %0" ::"r"(SSTATUS_SPIE));
	switch_to(0);
	user_return(&procs[0].frame);
}

int main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	asm volatile("csrw pmpaddr0, %0" ::"r"(~0UL));
	asm volatile("csrw pmpcfg0, %0" ::"r"(0x1fUL));
	/* Everything to S-mode but its own ecalls and the machine timer. */
	asm volatile("csrw medeleg, %0" ::"r"(0xb1ffUL));
	asm volatile("csrw mideleg, %0" ::"r"(0x222UL));
	asm volatile("csrw mscratch, %0" ::"r"(mscratch_area));
	asm volatile(
		"csrw mtvec, %0" ::"r"(fw_mtimer_vec)); /* the timer only */
	*(volatile unsigned long *)CLINT_MTIMECMP0 =
		*(volatile unsigned long *)CLINT_MTIME + TICK;
	asm volatile("csrs mie, %0" ::"r"(1UL << 7)); /* MTIE */
	asm volatile("csrc mstatus, %0" ::"r"(3UL << 11));
	asm volatile("csrs mstatus, %0" ::"r"(1UL << 11)); /* MPP = S */
	asm volatile("csrw mepc, %0" ::"r"(kmain));
	asm volatile("mret");
	return 5;
}
