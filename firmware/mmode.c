// SPDX-License-Identifier: MIT
/*
 * An M-mode guest, started as qemu -bios none starts one: it opens memory
 * to S-mode with PMP, takes machine timer interrupts from the CLINT's
 * mtimecmp and a software interrupt from its msip, delegates illegal
 * instructions, and mret's into S-mode, whose ecalls come back to it.
 */
#include "fw.h"

#define CLINT 0x2000000UL
#define MSIP0 (CLINT + 0x0)
#define MTIMECMP0 (CLINT + 0x4000)
#define MTIME (CLINT + 0xbff8)
#define TIMEBASE_HZ 10000000 /* QEMU virt's, and so the nested host's */
#define MIE_MSIE (1UL << 3)
#define MIE_MTIE (1UL << 7)
#define MSTATUS_MIE (1UL << 3)
#define MSTATUS_MPP_S (1UL << 11)
#define MSTATUS_MPP (3UL << 11)
#define CAUSE_IRQ (1UL << 63)

static volatile int ticks, soft, s_illegal, s_ecalls, s_done, s_ticks;

static inline unsigned long rd64(unsigned long a)
{
	return *(volatile unsigned long *)a;
}

static inline void wr64(unsigned long a, unsigned long v)
{
	*(volatile unsigned long *)a = v;
}

__attribute__((interrupt("machine"), aligned(4))) static void on_mtrap(void)
{
	unsigned long cause, epc;

	asm volatile("csrr %0, mcause" : "=r"(cause));
	if (cause == (CAUSE_IRQ | 7)) {
		ticks++;
		wr64(MTIMECMP0, ~0UL);
	} else if (cause == (CAUSE_IRQ | 3)) {
		soft++;
		mmio_write32(MSIP0, 0);
	} else if (cause == 9) { /* ecall from S-mode */
		if (s_done) {
			fw_printf(
				"mmode: %d ecalls from S-mode reached M-mode\n",
				s_ecalls);
			fw_exit(0);
		}
		s_ecalls++;
		asm volatile("csrr %0, mepc" : "=r"(epc));
		asm volatile("csrw mepc, %0" ::"r"(epc + 4));
	} else {
		fw_printf("mmode: unexpected mcause 0x%lx\n", cause);
		fw_exit(3);
	}
}

__attribute__((interrupt("supervisor"), aligned(4))) static void on_strap(void)
{
	unsigned long cause, epc;

	asm volatile("csrr %0, scause" : "=r"(cause));
	asm volatile("csrr %0, sepc" : "=r"(epc));
	if (cause == (CAUSE_IRQ | 5)) { /* Sstc: stimecmp came due */
		s_ticks++;
		asm volatile("csrw 0x14d, %0" ::"r"(~0UL)); /* stimecmp */
		return;
	}
	if (cause != 2) {
		fw_printf("mmode: unexpected scause 0x%lx\n", cause);
		fw_exit(4);
	}
	s_illegal++;
	asm volatile("csrw sepc, %0" ::"r"(epc + 4));
}

/* Interrupts off around the check, as in fw_wait_change, but for M. */
static void wait_change(volatile int *flag, int old)
{
	for (;;) {
		asm volatile("csrc mstatus, %0" ::"r"(MSTATUS_MIE) : "memory");
		if (*flag != old)
			break;
		asm volatile("wfi\n\tcsrs mstatus, %0" ::"r"(MSTATUS_MIE)
			     : "memory");
	}
	asm volatile("csrs mstatus, %0" ::"r"(MSTATUS_MIE) : "memory");
}

static void s_main(void)
{
	unsigned long id, start, waited, shortest = ~0UL;
	int i;

	fw_printf("mmode: now in S-mode\n");
	asm volatile(".4byte 0xf1402573" : "=r"(id)); /* csrr a0, mhartid */
	(void)id;
	fw_printf("mmode: S-mode read of mhartid went to stvec: %d\n",
		  s_illegal);
	/* Sstc: S-mode's own timer, which M-mode let it have. */
	asm volatile("csrs sie, %0" ::"r"(1UL << 5)); /* STIE */
	asm volatile("csrs sstatus, %0" ::"r"(2UL)); /* SIE */
	for (i = 0; i < 3; i++) {
		asm volatile("rdtime %0" : "=r"(start));
		asm volatile("csrw 0x14d, %0" ::"r"(start + TIMEBASE_HZ / 100));
		fw_wait_change(&s_ticks, i);
		asm volatile("rdtime %0" : "=r"(waited));
		waited -= start;
		if (waited < shortest)
			shortest = waited;
	}
	asm volatile("csrc sstatus, %0" ::"r"(2UL));
	fw_printf(
		"mmode: %d supervisor timer interrupts from stimecmp (Sstc), %s\n",
		s_ticks,
		shortest >= TIMEBASE_HZ / 100 ? "none early"
					      : "one came early");
	for (i = 0; i < 3; i++)
		asm volatile("ecall" ::: "memory");
	s_done = 1;
	asm volatile("ecall" ::: "memory");
	fw_exit(5); /* not reached */
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long misa, cfg, start, waited, shortest = ~0UL;
	int i;

	(void)dtb;
	asm volatile("csrr %0, misa" : "=r"(misa));
	fw_printf("mmode: hart %lu in M-mode, S and U in misa: %s\n", hartid,
		  (misa >> 18 & 1) && (misa >> 20 & 1) ? "yes" : "no");

	/* All of memory to S and U: NAPOT over everything, RWX. */
	asm volatile("csrw pmpaddr0, %0" ::"r"(~0UL));
	asm volatile("csrw pmpcfg0, %0" ::"r"(0x1fUL));
	asm volatile("csrr %0, pmpcfg0" : "=r"(cfg));
	fw_printf("mmode: pmpcfg0 reads back 0x%lx\n", cfg & 0xff);

	asm volatile("csrw mtvec, %0" ::"r"(on_mtrap));
	wr64(MTIMECMP0, ~0UL); /* its reset value is unspecified (QEMU: 0) */
	asm volatile("csrs mie, %0" ::"r"(MIE_MTIE));
	asm volatile("csrs mstatus, %0" ::"r"(MSTATUS_MIE));
	for (i = 0; i < 5; i++) {
		start = rd64(MTIME);
		wr64(MTIMECMP0, start + TIMEBASE_HZ / 100);
		wait_change(&ticks, i);
		waited = rd64(MTIME) - start;
		if (waited < shortest)
			shortest = waited;
	}
	fw_printf("mmode: %d machine timer interrupts, %s\n", ticks,
		  shortest >= TIMEBASE_HZ / 100 ? "none early"
						: "one came early");

	asm volatile("csrs mie, %0" ::"r"(MIE_MSIE));
	mmio_write32(MSIP0, 1);
	wait_change(&soft, 0);
	fw_printf("mmode: %d machine software interrupt through msip\n", soft);

	asm volatile("csrw medeleg, %0" ::"r"(1UL << 2));
	/* Sstc for S-mode: menvcfg.STCE, time readable, STIP delegated */
	asm volatile("csrs 0x30a, %0" ::"r"(1UL << 63)); /* menvcfg */
	asm volatile("csrs mcounteren, %0" ::"r"(2UL));
	asm volatile("csrs mideleg, %0" ::"r"(1UL << 5));
	asm volatile("csrw stvec, %0" ::"r"(on_strap));
	asm volatile("csrc mstatus, %0" ::"r"(MSTATUS_MPP));
	asm volatile("csrs mstatus, %0" ::"r"(MSTATUS_MPP_S));
	asm volatile("csrw mepc, %0" ::"r"(s_main));
	asm volatile("mret");
	return 6;
}
