// SPDX-License-Identifier: MIT
/*
 * A CSR the platform does not implement for the guest (hstatus, 0x600, from
 * VS-mode): the guest either gets an illegal-instruction trap (Linux 6.1 KVM
 * has no CSR it forwards, so it redirects the trap) or, where KVM forwards it
 * as KVM_EXIT_RISCV_CSR, vmm's CSR emulation answers 0. Either way the guest
 * goes on and says which. rdtime must advance.
 */
#include "fw.h"

volatile unsigned long trap_cause;

void trap_handler(void);
asm(".align 4\n"
    "trap_handler:\n"
    "	csrr	t0, scause\n"
    "	la	t1, trap_cause\n"
    "	sd	t0, 0(t1)\n"
    "	csrr	t0, sepc\n"
    "	addi	t0, t0, 4\n" /* skip the 4-byte csr instruction */
    "	csrw	sepc, t0\n"
    "	sret\n");

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long v = 0x1234, t0, t1;
	int bad = 0;

	(void)hartid;
	(void)dtb;
	asm volatile("csrw stvec, %0" ::"r"(trap_handler));
	asm volatile("csrrw %0, 0x600, %1" : "=r"(v) : "r"(0x5aUL));
	asm volatile("csrr %0, 0x600" : "=r"(v));
	if (trap_cause) {
		fw_printf("csr: hstatus trapped, scause %lu\n", trap_cause);
		bad = trap_cause != 2;
	} else {
		fw_printf("csr: hstatus reads %lu without a trap\n", v);
		bad |= v != 0;
	}
	asm volatile("rdtime %0" : "=r"(t0));
	for (volatile int i = 0; i < 100000; i++)
		;
	asm volatile("rdtime %0" : "=r"(t1));
	fw_printf("csr: time %s\n", t1 > t0 ? "advances" : "stands still");
	bad |= t1 <= t0;
	return bad ? 2 : 0;
}
