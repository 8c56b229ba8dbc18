// SPDX-License-Identifier: MIT
/* A guest that executes an illegal instruction with no trap handler set up:
 * the VM must end with a register dump, not take the monitor down. */
#include "fw.h"

int main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	fw_printf("crash: executing an illegal instruction\n");
	asm volatile(".globl crash_pc\ncrash_pc: unimp");
	return 0;
}
