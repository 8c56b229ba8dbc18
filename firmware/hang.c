// SPDX-License-Identifier: MIT
/* A guest that turns its interrupts off and spins: it never traps again,
 * so only the monitor ending its process can stop it (vmm stop). */
#include "fw.h"

int main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	fw_printf("hang: spinning with interrupts off\n");
	asm volatile("csrw sie, zero\n\tcsrci sstatus, 2\n1:\tj 1b");
	return 0;
}
