// SPDX-License-Identifier: MIT
/* A guest that never ends on its own and never reads its UART: vmm stop
 * must give up on asking it and kill it after the timeout. */
#include "fw.h"

int main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	fw_printf("spin: running until killed\n");
	for (;;)
		asm volatile("wfi");
}
