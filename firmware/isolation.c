// SPDX-License-Identifier: MIT
/*
 * A guest kernel with Sv39 paging whose U-mode program attacks vmm's trap
 * backend from inside its process: it writes the region vmm shares with
 * that process (natively reachable, whatever the guest's page table says)
 * and jumps into vmm's handler page. The disk's first sector says which
 * attack, and where vmm's pieces are, as vmm's debug log gives them:
 * "ATTACK PARK REGION SIGRETURN" (hex addresses).
 *
 * 1 forge: a report written into the mailbox (an ecall, at a pc of the
 *   program's choosing), then a jump to the park. The kernel must take it
 *   as what it claims, a U-mode ecall; the program stays in U-mode, so
 *   its SBI call after it is a system call for its kernel, not vmm's SBI.
 * 2 ops: a queue of mappings of kernel RAM written into the mailbox, then
 *   an ordinary system call. Nothing of it may be mapped: the program's
 *   load from there faults into its kernel.
 * 3 mask: a signal frame of its own that blocks every signal, through the
 *   handler page's rt_sigreturn, then a loop. No kick reaches it any more,
 *   so when its timer is due vmm must end the VM (the guest's own death)
 *   rather than hang.
 * 4 the same without a timer: nothing to kick it for; vmm kill must still
 *   end the VM at once.
 * 5 fast: the fast path turned on in the region (vmm turns it on only in a
 *   process of S-mode code), then writes of stvec and sscratch. Whether
 *   they trap into the kernel or change only copies in the region, the
 *   kernel's own must stay: the program's next system call must come
 *   through the kernel's vector.
 *
 * Each attack first runs 8192 plain instructions, so that vmm has handed
 * the program back to its process (it runs code ahead after a trap) and
 * the attack itself runs natively. Only for vmm's trap backend.
 */
#include "fw.h"

#define SSTATUS_SPP (1UL << 8)
#define SIE_STIE (1UL << 5)

#define USER_VA 0x100000000UL /* 4 GiB: root entry 4 */
#define USER_DATA (USER_VA + 0x1000)
#define FORBIDDEN 0x70000000UL /* what the forged queue maps */

#define SYS_FORGED 0x464f5247 /* the system call the forged report names */
#define SYS_YIELD 1
#define SYS_FAST 2
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_SRST 0x53525354
#define CAUSE_TIMER (1UL << 63 | 5)

/* The U-mode program: position-independent, on a page of its own. Entered
 * with a0 = attack, a1 = the park, a2 = the region, a3 = rt_sigreturn.
 * The mailbox's offsets are vmm's (vmm/trap/sandbox.h). */
asm(".section .text.user, \"ax\"\n"
    ".balign 4096\n"
    ".globl user_text\n"
    "user_text:\n"
    "	li	t0, 4096\n"
    "1:	addi	t0, t0, -1\n"
    "	bnez	t0, 1b\n"
    "	li	t0, 1\n"
    "	beq	a0, t0, forge\n"
    "	li	t0, 2\n"
    "	beq	a0, t0, ops\n"
    "	li	t0, 5\n"
    "	beq	a0, t0, fast\n"
    "	j	mask\n"
    /* 5: the fast path on, the kernel's trap vector and scratch written */
    "fast:\n"
    "	li	t0, 1\n"
    "	sd	t0, 1976(a2)\n" /* MB_FAST */
    "	lla	t0, user_text\n"
    "	csrw	stvec, t0\n"
    "	csrw	sscratch, zero\n"
    "	li	a7, 2\n" /* SYS_FAST */
    "	ecall\n"
    "	j	.\n"
    /* 1: claim an ecall whose return lands at after_forge */
    "forge:\n"
    "	li	t0, 31\n" /* SIGSYS */
    "	sd	t0, 8(a2)\n"
    "	lla	t1, after_forge\n"
    "	sd	t1, 32(a2)\n" /* regs[0], the pc past the ecall */
    "	sd	sp, 48(a2)\n" /* x2 */
    "	li	t0, 0x464f5247\n" /* SYS_FORGED */
    "	sd	t0, 168(a2)\n" /* x17, a7 */
    "	li	a7, 124\n" /* the park's number */
    "	jr	a1\n"
    "after_forge:\n"
    "	li	a7, 0x53525354\n" /* SBI SRST: shut down, if it were S */
    "	li	a6, 0\n"
    "	li	a0, 0\n"
    "	li	a1, 0\n"
    "	ecall\n"
    "	j	.\n"
    /* 2: eight ops mapping guest RAM at 0x70000000.. */
    "ops:\n"
    "	li	t0, 8\n"
    "	sd	t0, 912(a2)\n"
    "	addi	t1, a2, 920\n"
    "	li	t2, 0x70000000\n"
    "	li	t3, 8\n"
    "	li	t4, 4096\n"
    "	li	t5, 3\n" /* PROT_READ | PROT_WRITE */
    "2:	sd	t2, 0(t1)\n"
    "	sd	t4, 8(t1)\n"
    "	sd	t5, 16(t1)\n"
    "	sd	zero, 24(t1)\n"
    "	add	t2, t2, t4\n"
    "	addi	t1, t1, 32\n"
    "	addi	t3, t3, -1\n"
    "	bnez	t3, 2b\n"
    "	li	a7, 1\n" /* SYS_YIELD: a real trap */
    "	ecall\n"
    "	li	t0, 4096\n"
    "3:	addi	t0, t0, -1\n"
    "	bnez	t0, 3b\n"
    "	li	t0, 0x70000000\n"
    "	ld	t1, 0(t0)\n"
    "	j	.\n"
    /* 3: a zeroed frame on the stack page, all signals blocked, then a
     * jump to the rt_sigreturn: the kernel restores it, pc = spin */
    "mask:\n"
    "	addi	sp, sp, -1088\n"
    "	mv	t1, sp\n"
    "	li	t2, 1088 / 8\n"
    "4:	sd	zero, 0(t1)\n"
    "	addi	t1, t1, 8\n"
    "	addi	t2, t2, -1\n"
    "	bnez	t2, 4b\n"
    "	li	t0, -1\n"
    "	sd	t0, 128 + 40(sp)\n" /* uc_sigmask */
    "	lla	t0, spin\n"
    "	sd	t0, 128 + 176(sp)\n" /* pc */
    "	sd	sp, 128 + 176 + 16(sp)\n" /* x2 */
    "	li	a7, 139\n" /* rt_sigreturn */
    "	jr	a3\n"
    "spin:\n"
    "	j	spin\n"
    ".balign 4096\n"
    ".previous\n");
extern char user_text[];

static unsigned long root[512] __attribute__((aligned(4096)));
static unsigned long l1[512] __attribute__((aligned(4096)));
static unsigned long l0[512] __attribute__((aligned(4096)));
static unsigned long user_data[512] __attribute__((aligned(4096)));
static uint8_t sector[512] __attribute__((aligned(512)));
uint8_t trap_stack[4096] __attribute__((aligned(16)));
static unsigned long attack;

/* The U program's registers while the kernel runs: x[0] holds the pc. */
struct frame {
	unsigned long x[32];
};
struct frame uframe;

static unsigned long pte(const void *pa, unsigned long flags)
{
	return ((unsigned long)pa >> 12) << 10 | flags | PTE_V | PTE_A;
}

void strap(void);
void user_return(void);
asm(".text\n"
    ".balign 4\n"
    ".globl strap\n"
    "strap:\n"
    "	csrrw	t6, sscratch, t6\n"
    ".irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30\n"
    "	sd	x\\n, \\n*8(t6)\n"
    ".endr\n"
    "	csrr	t5, sscratch\n"
    "	sd	t5, 31*8(t6)\n"
    "	csrr	t5, sepc\n"
    "	sd	t5, 0(t6)\n"
    "	csrw	sscratch, t6\n"
    ".option push\n.option norelax\n"
    "	la	gp, __global_pointer$\n"
    ".option pop\n"
    "	la	sp, trap_stack + 4096\n"
    "	call	trap_c\n"
    ".globl user_return\n"
    "user_return:\n"
    "	csrr	t6, sscratch\n"
    "	ld	t5, 0(t6)\n"
    "	csrw	sepc, t5\n"
    ".irp n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
    "	ld	x\\n, \\n*8(t6)\n"
    ".endr\n"
    "	sret\n");

static unsigned long csr_scause(void)
{
	unsigned long v;

	asm volatile("csrr %0, scause" : "=r"(v));
	return v;
}

static unsigned long csr_stval(void)
{
	unsigned long v;

	asm volatile("csrr %0, stval" : "=r"(v));
	return v;
}

/* A trap from the U program (the kernel itself never traps). */
void trap_c(void);
void trap_c(void)
{
	unsigned long cause = csr_scause(), a7 = uframe.x[17];

	if (cause == 8 && a7 == SYS_FORGED) {
		fw_printf(
			"isolation: forge: the kernel took the forged report for what it claims, a U-mode ecall\n");
		uframe.x[0] += 4;
		return;
	}
	if (cause == 8 && a7 == SYS_YIELD) {
		uframe.x[0] += 4;
		return;
	}
	if (cause == 8 && a7 == SBI_EXT_SRST) {
		fw_printf(
			"isolation: forge: the program's SBI call reached its kernel: it stayed in U-mode\n");
		fw_exit(0);
	}
	if (cause == 13 && attack == 2 && csr_stval() == FORBIDDEN) {
		fw_printf(
			"isolation: ops: the program's load at 0x%lx faulted into its kernel\n",
			FORBIDDEN);
		fw_exit(0);
	}
	if (cause == 2 && attack == 5) {
		uframe.x[0] += 4; /* the hart's answer: illegal in U-mode */
		return;
	}
	if (cause == 8 && a7 == SYS_FAST) {
		fw_printf(
			"isolation: fast: the program's CSR writes left its kernel's alone: its system call came through the kernel's vector\n");
		fw_exit(0);
	}
	if (cause == CAUSE_TIMER) {
		fw_printf(
			"isolation: mask: the timer still reached the kernel\n");
		fw_exit(0);
	}
	fw_printf(
		"isolation: unexpected trap: scause 0x%lx stval 0x%lx sepc 0x%lx a7 0x%lx\n",
		cause, csr_stval(), uframe.x[0], a7);
	fw_exit(3);
}

int main(unsigned long hartid, unsigned long dtb)
{
	const uint8_t *p = sector;
	unsigned long park, region, sigreturn, now;

	(void)hartid;
	(void)dtb;
	if (vblk_open() || vblk_read(0, sector))
		return 4;
	attack = fw_parse(&p, 10);
	park = fw_parse(&p, 16);
	region = fw_parse(&p, 16);
	sigreturn = fw_parse(&p, 16);
	fw_printf("isolation: attack %lu from U-mode, paging on\n", attack);

	/* devices and RAM for the kernel only; the program's two pages */
	root[0] = pte(0, PTE_R | PTE_W | PTE_D);
	root[2] = pte((void *)0x80000000UL, PTE_R | PTE_W | PTE_X | PTE_D);
	root[4] = pte(l1, 0) & ~PTE_A;
	l1[0] = pte(l0, 0) & ~PTE_A;
	l0[0] = pte(user_text, PTE_R | PTE_X | PTE_U);
	l0[1] = pte(user_data, PTE_R | PTE_W | PTE_U | PTE_D);
	asm volatile("csrw stvec, %0\n\t"
		     "csrw sscratch, %1\n\t"
		     "csrw satp, %2\n\t"
		     "sfence.vma" ::"r"(strap),
		     "r"(&uframe), "r"(SATP_SV39 | (unsigned long)root >> 12)
		     : "memory");
	if (attack == 3) {
		/* a tick 300 ms on: the kick that must reach the program */
		asm volatile("rdtime %0" : "=r"(now));
		sbi_call(SBI_EXT_TIME, 0, now + 3000000, 0, 0);
		asm volatile("csrs sie, %0" ::"r"(SIE_STIE));
	}
	uframe.x[0] = USER_VA;
	uframe.x[2] = USER_DATA + 4096;
	uframe.x[10] = attack;
	uframe.x[11] = park;
	uframe.x[12] = region;
	uframe.x[13] = sigreturn;
	asm volatile("csrc sstatus, %0\n\t"
		     "j user_return" ::"r"(SSTATUS_SPP)
		     : "memory");
	return 5; /* not reached */
}
