// SPDX-License-Identifier: MIT
/*
 * SMP through SBI: the boot hart starts every other hart with HSM, wakes
 * each with an IPI, and watches them stop again.
 */
#include "fw.h"

#define SBI_EXT_IPI 0x735049
#define SBI_EXT_HSM 0x48534d
#define HSM_STARTED 0
#define HSM_STOPPED 1
#define NHARTS 4
#define SSIE (1UL << 1)
#define SIE (1UL << 1)

static volatile int up, done;
static volatile int ipi_seen[NHARTS];
uint8_t stacks[NHARTS][4096] __attribute__((aligned(16)));

void secondary_entry(void);
asm(".globl secondary_entry\n"
    "secondary_entry:\n"
    "	la	sp, stacks\n"
    "	addi	t0, a0, 1\n"
    "	slli	t0, t0, 12\n"
    "	add	sp, sp, t0\n"
    ".option push\n.option norelax\n"
    "	la	gp, __global_pointer$\n"
    ".option pop\n"
    "	call	secondary\n");

/* stvec needs a 4-byte aligned handler; C functions are only 2-aligned. */
__attribute__((interrupt("supervisor"), aligned(4))) static void on_trap(void)
{
	unsigned long cause, hart;

	asm volatile("csrr %0, scause" : "=r"(cause));
	asm volatile("csrr %0, sscratch" : "=r"(hart));
	if (cause == (1UL << 63 | 1)) {
		asm volatile("csrc sip, %0" ::"r"(SSIE));
		ipi_seen[hart] = 1;
	}
}

void secondary(unsigned long hartid);
void secondary(unsigned long hartid)
{
	asm volatile("csrw sscratch, %0" ::"r"(hartid));
	asm volatile("csrw stvec, %0" ::"r"(on_trap));
	asm volatile("csrs sie, %0" ::"r"(SSIE));
	asm volatile("csrs sstatus, %0" ::"r"(SIE));
	__atomic_add_fetch(&up, 1, __ATOMIC_SEQ_CST);
	fw_wait_change(&ipi_seen[hartid], 0);
	__atomic_add_fetch(&done, 1, __ATOMIC_SEQ_CST);
	sbi_call(SBI_EXT_HSM, 1, 0, 0, 0); /* hart_stop: does not return */
	for (;;)
		asm volatile("wfi");
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long mask = 0, h;
	int started = 0, stopped = 0, spins;

	(void)dtb;
	for (h = 0; h < NHARTS; h++) {
		if (h == hartid)
			continue;
		if (sbi_call(SBI_EXT_HSM, 0, h, (unsigned long)secondary_entry,
			     0)
			    .error == 0)
			started++;
		mask |= 1UL << h;
	}
	while (up < started)
		;
	sbi_call(SBI_EXT_IPI, 0, mask, 0, 0);
	while (done < started)
		;
	for (h = 0; h < NHARTS; h++) {
		if (h == hartid)
			continue;
		for (spins = 0; spins < 1000000; spins++)
			if (sbi_call(SBI_EXT_HSM, 2, h, 0, 0).value ==
			    HSM_STOPPED)
				break;
		stopped += spins < 1000000;
	}
	fw_printf("smp: %d harts started, %d IPIs taken, %d stopped\n", started,
		  done, stopped);
	return started == NHARTS - 1 && done == started && stopped == started
		       ? 0
		       : 2;
}
