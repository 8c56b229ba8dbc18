// SPDX-License-Identifier: MIT
/* Supervisor timer interrupts through SBI TIME: five ticks 10 ms apart,
 * each taken through stvec while the hart waits in wfi. */
#include "fw.h"

#define SBI_EXT_TIME 0x54494d45
#define TIMEBASE_HZ 10000000 /* QEMU virt's, and so the nested host's */
#define STIE (1UL << 5)
#define SIE (1UL << 1)

static volatile int ticks;
static volatile unsigned long bad_cause;

/* stvec needs a 4-byte aligned handler; C functions are only 2-aligned. */
__attribute__((interrupt("supervisor"), aligned(4))) static void on_trap(void)
{
	unsigned long cause;

	asm volatile("csrr %0, scause" : "=r"(cause));
	if (cause == (1UL << 63 | 5)) {
		ticks++;
		sbi_call(SBI_EXT_TIME, 0, ~0UL, 0, 0); /* no next tick */
	} else {
		bad_cause = cause;
		fw_exit(3);
	}
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long start, waited, shortest = ~0UL;
	int i;

	(void)hartid;
	(void)dtb;
	asm volatile("csrw stvec, %0" ::"r"(on_trap));
	asm volatile("csrs sie, %0" ::"r"(STIE));
	asm volatile("csrs sstatus, %0" ::"r"(SIE));
	for (i = 0; i < 5; i++) {
		start = rdtime();
		sbi_call(SBI_EXT_TIME, 0, start + TIMEBASE_HZ / 100, 0, 0);
		fw_wait_change(&ticks, i);
		waited = rdtime() - start;
		if (waited < shortest)
			shortest = waited;
	}
	fw_printf("timer: %d interrupts, %s\n", ticks,
		  shortest >= TIMEBASE_HZ / 100 ? "none early"
						: "one came early");
	return ticks == 5 && shortest >= TIMEBASE_HZ / 100 ? 0 : 2;
}
