// SPDX-License-Identifier: MIT
/*
 * A guest that goes looking for its monitor: it stores to and loads from
 * the pages where vmm's own code and data sit in the monitor's process,
 * and far above RAM; jumps there; and makes ecalls with the numbers of
 * Linux system calls. On QEMU every one of those is an access fault or an
 * SBI error; the trap backend must answer the same and stay up.
 */
#include "fw.h"

#define CAUSE_FETCH 1
#define CAUSE_LOAD 5
#define CAUSE_STORE 7
#define MONITOR 0x40000000UL /* where vmm is linked */
#define PAGES 1024

static volatile unsigned long faults[16], last_tval;
unsigned long resume_pc; /* where a faulting jump comes back to */

__attribute__((interrupt("supervisor"), aligned(4))) static void on_trap(void)
{
	unsigned long cause, epc, tval;

	asm volatile("csrr %0, scause" : "=r"(cause));
	asm volatile("csrr %0, sepc" : "=r"(epc));
	asm volatile("csrr %0, stval" : "=r"(tval));
	if (cause >= 16 || (cause != CAUSE_FETCH && cause != CAUSE_LOAD &&
			    cause != CAUSE_STORE))
		fw_exit(3);
	faults[cause]++;
	last_tval = tval;
	if (cause == CAUSE_FETCH)
		epc = resume_pc;
	else /* step over the access: 2 or 4 bytes */
		epc += (*(volatile unsigned short *)epc & 3) == 3 ? 4 : 2;
	asm volatile("csrw sepc, %0" ::"r"(epc));
}

static void jump_to(unsigned long target)
{
	asm volatile("la t0, 1f\n\t"
		     "la t1, resume_pc\n\t"
		     "sd t0, 0(t1)\n\t"
		     "jr %0\n"
		     "1:"
		     :
		     : "r"(target)
		     : "t0", "t1", "memory");
}

static unsigned long faults_on(int cause, unsigned long before)
{
	return faults[cause] - before;
}

static const unsigned long far[] = { 0x3ffffff000UL, 0x7ffffffff000UL,
				     0x1000000000000UL, 0xfffffffffffff000UL };

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long i, n, before, bad = 0;

	(void)hartid;
	(void)dtb;
	asm volatile("csrw stvec, %0" ::"r"(on_trap));

	before = faults[CAUSE_STORE];
	for (i = 0; i < PAGES; i++)
		*(volatile unsigned long *)(MONITOR + i * 4096) = 0xbad;
	fw_printf("hostile: stores to %d pages at 0x%lx: %lu access faults\n",
		  PAGES, MONITOR, faults_on(CAUSE_STORE, before));
	before = faults[CAUSE_LOAD];
	for (i = 0; i < PAGES; i++)
		bad |= *(volatile unsigned long *)(MONITOR + i * 4096 + 8);
	fw_printf("hostile: loads from %d pages at 0x%lx: %lu access faults\n",
		  PAGES, MONITOR, faults_on(CAUSE_LOAD, before));

	n = sizeof(far) / sizeof(far[0]);
	before = faults[CAUSE_STORE] + faults[CAUSE_LOAD];
	for (i = 0; i < n; i++) {
		*(volatile unsigned long *)far[i] = 0xbad;
		bad |= *(volatile unsigned long *)far[i];
	}
	fw_printf(
		"hostile: %lu stores and loads far above RAM: %lu access faults\n",
		2 * n, faults[CAUSE_STORE] + faults[CAUSE_LOAD] - before);

	for (i = 0; i < n; i++) {
		before = faults[CAUSE_FETCH];
		jump_to(far[i]);
		fw_printf("hostile: jump to 0x%lx: %s\n", far[i],
			  faults_on(CAUSE_FETCH, before) == 1 &&
					  last_tval == far[i]
				  ? "instruction access fault"
				  : "NOT FAULTED");
	}
	before = faults[CAUSE_FETCH];
	jump_to(MONITOR);
	fw_printf("hostile: jump to 0x%lx: %s\n", MONITOR,
		  faults_on(CAUSE_FETCH, before) == 1 && last_tval == MONITOR
			  ? "instruction access fault"
			  : "NOT FAULTED");

	/* Linux's system call numbers (riscv64 has none above 460) as SBI
	 * extensions: 0-8 are SBI's legacy calls and 0x10 its base. */
	for (n = 0, i = 9; i <= 460; i++)
		if (i != 0x10 && sbi_call(i, 0, 0, 0, 0).error == -2)
			n++;
	fw_printf(
		"hostile: %lu of 451 ecalls with Linux system call numbers answered NOT_SUPPORTED\n",
		n);
	fw_printf("hostile: still here\n");
	return bad == 0xbad; /* keeps the loads; faulted loads write nothing */
}
