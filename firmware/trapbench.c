// SPDX-License-Identifier: MIT
/*
 * What each kind of trap costs a guest, timed with rdtime: a CSR access
 * (vmm runs a run of them itself), one that vmm hands straight back (a
 * round trip to the guest process each), an MMIO read (the UART's line
 * status), an SBI ecall (base extension's spec version), and, under Sv39, the first touch of a page (on vmm's trap
 * backend: a shadow-page fill). With a disk, a one-sector virtio-blk read
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

static unsigned long rdtime(void)
{
	unsigned long t;

	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

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

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long t, v, i, round, fills = 0, ticks = 0;

	(void)hartid;
	(void)dtb;
	t = rdtime();
	for (i = 0; i < ROUNDS; i++)
		asm volatile("csrr %0, sscratch" : "=r"(v));
	report("csr", rdtime() - t, ROUNDS);
	/* The same access with a floating-point move after it, which vmm
	 * does not run ahead: every one is a round trip to the guest
	 * process (elsewhere: a CSR access and an FP move). */
	asm volatile("csrs sstatus, %0" ::"r"(1UL << 13)); /* FS: Initial */
	t = rdtime();
	for (i = 0; i < ROUNDS; i++)
		asm volatile("csrr %0, sscratch\n\t"
			     ".4byte 0xe2000053" /* fmv.x.d zero, f0 */
			     : "=r"(v));
	report("round-trip", rdtime() - t, ROUNDS);

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
	for (round = 0; round < 4; round++) {
		asm volatile("sfence.vma" ::: "memory");
		t = rdtime();
		for (i = 0; i < PAGES; i++)
			area[i * 4096] = (char)i;
		ticks += rdtime() - t;
		fills += PAGES;
	}
	asm volatile("csrw satp, zero\n\tsfence.vma" ::: "memory");
	report("page-fill", ticks, fills);
	disk_reads();
	return v == 0x12345 ? 1 : 0;
}
