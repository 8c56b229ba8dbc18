// SPDX-License-Identifier: MIT
/*
 * What each kind of trap costs a guest, timed with rdtime: a CSR access
 * (vmm runs a run of them itself), one that vmm hands straight back (a
 * round trip to the guest process each), an MMIO read (the UART's line
 * status), an SBI ecall (base extension's spec version), and, under Sv39,
 * the first touch of a page (on vmm's trap backend: a shadow-page fill)
 * and a U-mode system call with satp switched both ways (syscalls()).
 * With a disk, a one-sector virtio-blk read
 * polled, and the same read completed by its interrupt through the PLIC
 * while the hart waits in wfi, with the time from submitting it to the
 * interrupt handler's first instruction (next to the polled read, what
 * delivering the interrupt takes). Prints "trapbench: NAME NS_PER_OP".
 * bench/trap.sh sets the figures next to the host's own floors.
 */
#include "fw.h"

#define TIMEBASE_HZ 10000000 /* QEMU virt's, and so the nested host's */
#define ROUNDS 2000
#define PAGES 512
#define DISK_ROUNDS 200
#define CTX 1 /* hart 0's S-mode PLIC context */
#define SEIE (1UL << 9)

static volatile int disk_irqs;
static volatile unsigned long handler_at; /* rdtime as the handler starts */
static uint8_t sector[512] __attribute__((aligned(512)));

static unsigned long root[512] __attribute__((aligned(4096)));
static volatile char area[PAGES * 4096] __attribute__((aligned(4096)));

static void report(const char *what, unsigned long ticks, unsigned long n)
{
	fw_printf("trapbench: %s %lu\n", what,
		  ticks * (1000000000UL / TIMEBASE_HZ) / n);
}

/* stvec needs a 4-byte aligned handler; C functions are only 2-aligned. */
__attribute__((interrupt("supervisor"), aligned(4))) static void on_trap(void)
{
	unsigned irq;

	handler_at = rdtime();
	while ((irq = plic_claim(CTX)) != 0) {
		if (irq == vblk_irq() && (vblk_ack() & 1))
			disk_irqs++;
		plic_complete(CTX, irq);
	}
}

static void disk_reads(void)
{
	unsigned long t, i, submitted, latency = 0;
	int seen;

	if (vblk_open())
		return;
	t = rdtime();
	for (i = 0; i < DISK_ROUNDS; i++)
		if (vblk_read(0, sector))
			return;
	report("disk-read-polled", rdtime() - t, DISK_ROUNDS);

	asm volatile("csrw stvec, %0" ::"r"(on_trap));
	vblk_use_interrupts();
	plic_set_priority(vblk_irq(), 1);
	plic_enable(CTX, vblk_irq(), 1);
	plic_set_threshold(CTX, 0); /* OpenSBI may leave it higher */
	asm volatile("csrs sie, %0" ::"r"(SEIE));
	t = rdtime();
	for (i = 0; i < DISK_ROUNDS; i++) {
		seen = disk_irqs;
		submitted = rdtime();
		vblk_submit(0, sector);
		fw_wait_change(&disk_irqs, seen);
		if (vblk_done() != 1)
			return;
		latency += handler_at - submitted;
	}
	report("disk-read-irq", rdtime() - t, DISK_ROUNDS);
	report("disk-irq-latency", latency, DISK_ROUNDS);
	asm volatile("csrc sie, %0" ::"r"(SEIE));
}

/*
 * A system call the way xv6 makes it: from U-mode, into a trap vector
 * that switches satp to the kernel's page table and back, with
 * sfence.vma on each switch, then sret. Between calls the user program
 * works on 8 of its pages, 1200 plain instructions before its first read
 * of each: natively, in its own address space (vmm runs ahead no more
 * than 1024 quiet instructions after a trap), as a program does.
 */
#define USER_VA 0x100000000UL /* root entry 4 */
#define CALLS 200
static unsigned long uroot[512] __attribute__((aligned(4096)));
static unsigned long ul1[512] __attribute__((aligned(4096)));
static unsigned long ul0[512] __attribute__((aligned(4096)));
static char udata[8][4096] __attribute__((aligned(4096)));
unsigned long ksatp, usatp, saved_sp;

asm(".section .text.user, \"ax\"\n"
    ".balign 4096\n"
    ".globl user_calls\n"
    "user_calls:\n" /* a0 = calls, a1 = its data */
    "1:	li	t1, 8\n"
    "	mv	t2, a1\n"
    "2:	li	t5, 600\n"
    "3:	addi	t5, t5, -1\n"
    "	bnez	t5, 3b\n"
    "	ld	t3, 0(t2)\n"
    "	li	t4, 4096\n"
    "	add	t2, t2, t4\n"
    "	addi	t1, t1, -1\n"
    "	bnez	t1, 2b\n"
    "	li	a7, 0\n"
    "	ecall\n"
    "	addi	a0, a0, -1\n"
    "	bnez	a0, 1b\n"
    "	li	a7, 1\n" /* done */
    "	ecall\n"
    "	j	.\n"
    ".balign 4096\n"
    ".previous\n"
    ".text\n"
    ".balign 4\n"
    /* the trap vector, mapped in both page tables (S-only) */
    "syscall_vec:\n"
    "	csrw	sscratch, t0\n"
    "	la	t0, ksatp\n"
    "	ld	t0, 0(t0)\n"
    "	sfence.vma\n"
    "	csrw	satp, t0\n"
    "	sfence.vma\n"
    "	bnez	a7, 4f\n"
    "	la	t0, usatp\n"
    "	ld	t0, 0(t0)\n"
    "	sfence.vma\n"
    "	csrw	satp, t0\n"
    "	sfence.vma\n"
    "	csrr	t0, sepc\n"
    "	addi	t0, t0, 4\n"
    "	csrw	sepc, t0\n"
    "	csrr	t0, sscratch\n"
    "	sret\n"
    "4:	la	t0, saved_sp\n" /* done: back into run_user's caller */
    "	ld	sp, 0(t0)\n"
    "	ld	ra, 0(sp)\n"
    "	addi	sp, sp, 16\n"
    "	ret\n"
    /* run_user(entry, calls, data): U-mode at entry until it is done */
    "run_user:\n"
    "	addi	sp, sp, -16\n"
    "	sd	ra, 0(sp)\n"
    "	la	t0, saved_sp\n"
    "	sd	sp, 0(t0)\n"
    "	la	t0, syscall_vec\n"
    "	csrw	stvec, t0\n"
    "	csrw	sepc, a0\n"
    "	mv	a0, a1\n"
    "	mv	a1, a2\n"
    "	li	t0, 1 << 8\n" /* SPP: to U */
    "	csrc	sstatus, t0\n"
    "	la	t0, usatp\n"
    "	ld	t0, 0(t0)\n"
    "	csrw	satp, t0\n"
    "	sfence.vma\n"
    "	sret\n");
extern char user_calls[];
void run_user(unsigned long entry, unsigned long calls, unsigned long data);

static void syscalls(void)
{
	unsigned long t, i;

	/* the kernel's table (root) plus the program's: its code and data
	 * at 4 GiB, the kernel's RAM S-only (the trap vector's "trampoline") */
	uroot[2] = root[2];
	uroot[4] = ((unsigned long)ul1 >> 12) << 10 | PTE_V;
	ul1[0] = ((unsigned long)ul0 >> 12) << 10 | PTE_V;
	ul0[0] = ((unsigned long)user_calls >> 12) << 10 | PTE_V | PTE_R |
		 PTE_X | PTE_U | PTE_A;
	for (i = 0; i < 8; i++)
		ul0[1 + i] = ((unsigned long)udata[i] >> 12) << 10 | PTE_V |
			     PTE_R | PTE_W | PTE_U | PTE_A | PTE_D;
	ksatp = SATP_SV39 | (unsigned long)root >> 12;
	usatp = SATP_SV39 | (unsigned long)uroot >> 12;
	run_user(USER_VA, 10, USER_VA + 0x1000); /* warm */
	t = rdtime();
	run_user(USER_VA, CALLS, USER_VA + 0x1000);
	report("syscall-satp", rdtime() - t, CALLS);
	asm volatile("csrw satp, %0\n\tsfence.vma" ::"r"(ksatp) : "memory");
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long t, v, i, round, fills = 0, ticks = 0;

	(void)hartid;
	(void)dtb;
	t = rdtime();
	for (i = 0; i < ROUNDS; i++)
		asm volatile("csrr %0, sscratch" : "=r"(v));
	report("csr", rdtime() - t, ROUNDS);
	/* Each access with a floating-point move after it, which vmm does
	 * not run ahead: scounteren is vmm's to serve, so every one is a
	 * round trip to the guest process; sscratch, and the sstatus.SIE
	 * pair around a kernel's spinlock, the guest process serves itself
	 * on vmm's trap backend (its fast path). Elsewhere: CSR accesses
	 * and an FP move. */
	asm volatile("csrs sstatus, %0" ::"r"(1UL << 13)); /* FS: Initial */
	t = rdtime();
	for (i = 0; i < ROUNDS; i++)
		asm volatile("csrr %0, scounteren\n\t"
			     ".4byte 0xe2000053" /* fmv.x.d zero, f0 */
			     : "=r"(v));
	report("round-trip", rdtime() - t, ROUNDS);
	t = rdtime();
	for (i = 0; i < ROUNDS; i++)
		asm volatile("csrr %0, sscratch\n\t"
			     ".4byte 0xe2000053"
			     : "=r"(v));
	report("csr-fast", rdtime() - t, ROUNDS);
	t = rdtime();
	for (i = 0; i < ROUNDS; i++)
		asm volatile("csrrc %0, sstatus, %1\n\t"
			     "csrs sstatus, %0\n\t"
			     ".4byte 0xe2000053"
			     : "=&r"(v)
			     : "r"(2UL));
	report("sie-pair", rdtime() - t, ROUNDS);

	t = rdtime();
	for (i = 0; i < ROUNDS; i++)
		v += mmio_read8(0x10000005);
	report("mmio", rdtime() - t, ROUNDS);

	t = rdtime();
	for (i = 0; i < ROUNDS; i++)
		v += (unsigned long)sbi_call(0x10, 0, 0, 0, 0).value;
	report("ecall", rdtime() - t, ROUNDS);

	/* Sv39: the first GiB (devices) and RAM's, identity-mapped. */
	root[0] = (0UL >> 12) << 10 | 0xc7; /* V R W A D */
	root[2] = (0x80000000UL >> 12) << 10 | 0xcf; /* V R W X A D */
	asm volatile("csrw satp, %0\n\tsfence.vma" ::"r"(
			     8UL << 60 | (unsigned long)root >> 12)
		     : "memory");
	/* each round through another alias of RAM (3, 4, 5, 6 GiB): pages
	 * it has never touched, so every touch is a fill */
	for (round = 0; round < 4; round++) {
		volatile char *alias =
			(volatile char *)((unsigned long)area +
					  (round + 1) * (1UL << 30));

		root[3 + round] = root[2];
		asm volatile("sfence.vma" ::: "memory");
		t = rdtime();
		for (i = 0; i < PAGES; i++)
			alias[i * 4096] = (char)i;
		ticks += rdtime() - t;
		fills += PAGES;
	}
	report("page-fill", ticks, fills);
	syscalls();
	asm volatile("csrw satp, zero\n\tsfence.vma" ::: "memory");
	disk_reads();
	return v == 0x12345 ? 1 : 0;
}
