// SPDX-License-Identifier: MIT
/*
 * The CSR accesses a kernel makes all the time, each reached natively:
 * a floating-point move before it stops vmm's run-ahead, so on the trap
 * backend the guest process's fast path serves it (sandbox_page.S). What
 * each returns and what it leaves must be what the hart does: sscratch,
 * sepc, stvec, scause and stval hold what was written;
 * sstatus.SIE sets and clears, sie and sip read; an interrupt pending
 * when SIE is set is taken before the next instruction, whether it came
 * before or while SIE was clear; in U-mode the same access is illegal.
 * For the trap backend and QEMU: under Linux 6.1's KVM on the nested rig
 * the U-mode access is a virtual-instruction trap KVM does not forward
 * (the VM ends), and a timer already due shows in sip only after KVM's
 * next exit.
 */
#include "fw.h"

#define SBI_EXT_TIME 0x54494d45
#define TIMEBASE_HZ 10000000
#define SIE (1UL << 1)
#define SPP (1UL << 8)
#define FS_INITIAL (1UL << 13)
#define STIE (1UL << 5)
#define STIP (1UL << 5)
#define CAUSE_STI (1UL << 63 | 5)

/* stops run-ahead: the next instruction runs natively */
#define NATIVE ".4byte 0xe2000053\n\t" /* fmv.x.d zero, f0 */

static volatile unsigned long timer_irqs, irq_after, after, u_illegal, u_ecall,
	bad_cause;
static volatile unsigned long resume_at;

__attribute__((interrupt("supervisor"), aligned(4))) static void on_trap(void)
{
	unsigned long cause, epc, status;

	asm volatile("csrr %0, scause" : "=r"(cause));
	asm volatile("csrr %0, sepc" : "=r"(epc));
	asm volatile("csrr %0, sstatus" : "=r"(status));
	if (cause == CAUSE_STI) {
		timer_irqs++;
		irq_after = after; /* 0: taken before the next instruction */
		sbi_call(SBI_EXT_TIME, 0, ~0UL, 0, 0);
	} else if (cause == 2 && !(status & SPP)) {
		u_illegal++;
		asm volatile("csrw sepc, %0" ::"r"(epc + 4));
	} else if (cause == 8) {
		u_ecall++;
		asm volatile("csrw sepc, %0" ::"r"(resume_at));
		asm volatile("csrs sstatus, %0" ::"r"(SPP));
	} else {
		bad_cause = cause;
		fw_exit(3);
	}
}

/* U-mode: the access, then back to the kernel. */
void user_code(void);
asm(".align 2\n"
    "user_code:\n"
    "	.4byte	0xe2000053\n"
    "	csrr	t0, sscratch\n"
    "	ecall\n"
    "	j	user_code\n");

static int plain_csrs(void)
{
	unsigned long a, b, c, d, e, old;
	int bad = 0;

	asm volatile(NATIVE "csrw sscratch, %0" ::"r"(0x5ca7c4UL));
	asm volatile(NATIVE "csrrw %0, sscratch, %1" : "=r"(old) : "r"(7UL));
	asm volatile(NATIVE "csrr %0, sscratch" : "=r"(a));
	bad |= old != 0x5ca7c4 || a != 7;
	asm volatile(NATIVE "csrw sepc, %0" ::"r"(0x80001002UL));
	asm volatile(NATIVE "csrr %0, sepc" : "=r"(b));
	bad |= b != 0x80001002;
	asm volatile(NATIVE "csrw stvec, %0" ::"r"((unsigned long)on_trap | 1));
	asm volatile(NATIVE "csrr %0, stvec" : "=r"(c));
	bad |= c != ((unsigned long)on_trap | 1);
	asm volatile(NATIVE "csrw stvec, %0" ::"r"(on_trap));
	asm volatile(NATIVE "csrw scause, %0" ::"r"(13UL));
	asm volatile(NATIVE "csrr %0, scause" : "=r"(d));
	asm volatile(NATIVE "csrw stval, %0" ::"r"(0xdeadUL));
	asm volatile(NATIVE "csrrs %0, stval, %1" : "=r"(e) : "r"(0x10000UL));
	asm volatile(NATIVE "csrrc %0, stval, %1" : "=r"(old) : "r"(0xd));
	asm volatile(NATIVE "csrrsi %0, stval, 2" : "=r"(a));
	bad |= d != 13 || e != 0xdead || old != 0x1dead || a != 0x1dea0;
	if (bad)
		fw_printf("fastcsr: read back %lx %lx %lx %lx %lx %lx\n", a, b,
			  c, d, e, old);
	return bad;
}

static int sie_and_sip(void)
{
	unsigned long s1, s2, s3, ie, ip;

	asm volatile(NATIVE "csrrsi %0, sstatus, 2" : "=r"(s1));
	asm volatile(NATIVE "csrr %0, sstatus" : "=r"(s2));
	asm volatile(NATIVE "csrrci %0, sstatus, 2" : "=r"(s3));
	asm volatile(NATIVE "csrr %0, sie" : "=r"(ie));
	asm volatile(NATIVE "csrr %0, sip" : "=r"(ip));
	if ((s1 & SIE) || !(s2 & SIE) || !(s3 & SIE) || ie != STIE ||
	    (ip & STIP)) {
		fw_printf("fastcsr: sstatus %lx %lx %lx sie %lx sip %lx\n", s1,
			  s2, s3, ie, ip);
		return 1;
	}
	return 0;
}

/* SIE set with the timer's interrupt pending: taken before the store. */
static void enable_with_pending(void)
{
	after = 0;
	asm volatile(NATIVE "csrs sstatus, %1\n\t"
			    "sd %2, %0"
		     : "=m"(after)
		     : "r"(SIE), "r"(1UL));
	asm volatile("csrc sstatus, %0" ::"r"(SIE));
}

static int pending_first(void)
{
	unsigned long ip = 0, t;

	sbi_call(SBI_EXT_TIME, 0, 0, 0, 0); /* due at once */
	for (t = rdtime(); !(ip & STIP) && rdtime() - t < TIMEBASE_HZ;)
		asm volatile("csrr %0, sip" : "=r"(ip));
	if (!(ip & STIP)) {
		fw_printf("fastcsr: the timer never showed in sip\n");
		return 1;
	}
	enable_with_pending();
	return timer_irqs != 1 || irq_after;
}

/* The interrupt comes while SIE is clear and the guest runs natively. */
static int pending_meanwhile(void)
{
	unsigned long t = rdtime();

	sbi_call(SBI_EXT_TIME, 0, t + TIMEBASE_HZ / 200, 0, 0);
	while (rdtime() - t < TIMEBASE_HZ / 50)
		;
	enable_with_pending();
	return timer_irqs != 2 || irq_after;
}

static void in_user_mode(void)
{
	asm volatile("la t0, 1f\n\t"
		     "sd t0, %0\n\t"
		     "csrw sepc, %1\n\t"
		     "csrc sstatus, %2\n\t"
		     "sret\n"
		     "1:"
		     : "=m"(resume_at)
		     : "r"(user_code), "r"(SPP)
		     : "t0", "memory");
}

int main(unsigned long hartid, unsigned long dtb)
{
	int bad = 0;

	(void)hartid;
	(void)dtb;
	asm volatile("csrw stvec, %0" ::"r"(on_trap));
	asm volatile("csrs sstatus, %0" ::"r"(FS_INITIAL));
	asm volatile("csrw sie, %0" ::"r"(STIE));
	sbi_call(SBI_EXT_TIME, 0, ~0UL, 0, 0);
	if (plain_csrs())
		bad = 1;
	else
		fw_printf(
			"fastcsr: sscratch, sepc, stvec, scause, stval hold what was written\n");
	if (sie_and_sip())
		bad = 1;
	else
		fw_printf(
			"fastcsr: sstatus.SIE set and cleared, sie and sip read\n");
	if (pending_first()) {
		fw_printf(
			"fastcsr: pending at SIE: %lu interrupts, after %lu\n",
			timer_irqs, irq_after);
		bad = 1;
	} else {
		fw_printf(
			"fastcsr: an interrupt pending when SIE is set is taken at once\n");
	}
	if (pending_meanwhile()) {
		fw_printf(
			"fastcsr: came meanwhile: %lu interrupts, after %lu\n",
			timer_irqs, irq_after);
		bad = 1;
	} else {
		fw_printf(
			"fastcsr: one that came while SIE was clear is taken when it is set\n");
	}
	in_user_mode();
	if (u_illegal != 1 || u_ecall != 1) {
		fw_printf("fastcsr: U-mode: %lu illegal, %lu ecalls\n",
			  u_illegal, u_ecall);
		bad = 1;
	} else {
		fw_printf(
			"fastcsr: in U-mode sscratch is an illegal instruction\n");
	}
	fw_printf("fastcsr: done\n");
	return bad ? 2 : 0;
}
