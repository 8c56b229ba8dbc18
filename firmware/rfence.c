// SPDX-License-Identifier: MIT
/*
 * Remote fences with Sv39 on: the boot hart maps one virtual page in turn
 * to two physical pages and, after each remap, fences the other hart with
 * SBI RFENCE (remote_sfence_vma) before telling it to look. That one uses
 * the page
 * every round, so it holds the old translation when the remap comes; it
 * must see the new page every time, since a remote fence is complete when
 * the call returns (SBI 2.0, chapter 8).
 */
#include "fw.h"

#define SBI_EXT_HSM 0x48534d
#define SBI_EXT_RFENCE 0x52464e43
#define ROUNDS 100
#define VA 0x100000000UL /* 4 GiB: root entry 4 */

static unsigned long root[512] __attribute__((aligned(4096)));
static unsigned long l1[512] __attribute__((aligned(4096)));
static volatile unsigned long l0[512] __attribute__((aligned(4096)));
static volatile long pages[2][512] __attribute__((aligned(4096)));
static volatile long go, ack, seen;
uint8_t other_stack[4096] __attribute__((aligned(16)));

static unsigned long pte(const volatile void *pa, unsigned long flags)
{
	return ((unsigned long)pa >> 12) << 10 | flags | PTE_V;
}

static void paging_on(void)
{
	asm volatile("csrw satp, %0\n\tsfence.vma" ::"r"(
			     SATP_SV39 | (unsigned long)root >> 12)
		     : "memory");
}

/* remote_sfence_vma(hart_mask, hart_mask_base, start, size): all of it */
static long rfence(unsigned long mask)
{
	register unsigned long a0 asm("a0") = mask;
	register unsigned long a1 asm("a1") = 0;
	register unsigned long a2 asm("a2") = 0;
	register unsigned long a3 asm("a3") = ~0UL;
	register unsigned long a6 asm("a6") = 1;
	register unsigned long a7 asm("a7") = SBI_EXT_RFENCE;

	asm volatile("ecall"
		     : "+r"(a0), "+r"(a1)
		     : "r"(a2), "r"(a3), "r"(a6), "r"(a7)
		     : "memory");
	return (long)a0;
}

void other_entry(void);
asm(".globl other_entry\n"
    "other_entry:\n"
    "	la	sp, other_stack + 4096\n"
    ".option push\n.option norelax\n"
    "	la	gp, __global_pointer$\n"
    ".option pop\n"
    "	call	other_hart\n");

/* The other hart: each round, read the page once told to, and say what it
 * held. */
void other_hart(void);
void other_hart(void)
{
	long r;

	paging_on();
	for (r = 1; r <= ROUNDS; r++) {
		while (go != r)
			;
		seen = *(volatile long *)VA;
		__atomic_store_n(&ack, r, __ATOMIC_SEQ_CST);
	}
	sbi_call(SBI_EXT_HSM, 1, 0, 0, 0); /* hart_stop */
	for (;;)
		asm volatile("wfi");
}

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long other = hartid ^ 1; /* harts 0 and 1 */
	long r, stale = 0, failed = 0;

	(void)dtb;
	/* devices and RAM identity-mapped (1 GiB pages), VA through l1/l0 */
	root[0] = pte(0, PTE_R | PTE_W | PTE_A | PTE_D);
	root[2] = pte((void *)0x80000000UL,
		      PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
	root[4] = pte(l1, 0);
	l1[0] = pte(l0, 0);
	l0[0] = pte(pages[0], PTE_R | PTE_W | PTE_A | PTE_D);
	paging_on();
	if (sbi_call(SBI_EXT_HSM, 0, other, (unsigned long)other_entry, 0)
		    .error) {
		fw_printf(
			"rfence: the second hart did not start (run with 2 harts)\n");
		return 2;
	}
	for (r = 1; r <= ROUNDS; r++) {
		const volatile long *page = pages[r & 1];

		pages[r & 1][0] = r;
		l0[0] = pte(page, PTE_R | PTE_W | PTE_A | PTE_D);
		__sync_synchronize();
		failed += rfence(1UL << other) != 0;
		__atomic_store_n(&go, r, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&ack, __ATOMIC_SEQ_CST) != r)
			;
		stale += seen != r;
	}
	fw_printf(
		"rfence: the other hart read a page remapped under it %d times: %ld stale, %ld failed fences\n",
		ROUNDS, stale, failed);
	return stale || failed ? 2 : 0;
}
