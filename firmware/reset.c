// SPDX-License-Identifier: MIT
/*
 * A guest that resets itself: it says it booted, runs 100 ms, then asks
 * the SBI for a cold reboot (SRST). Under vmm --reboot it boots again and
 * again, for the tests that drive the lifecycle across reboots.
 */
#include "fw.h"

#define SBI_EXT_SRST 0x53525354
#define TIMEBASE_HZ 10000000 /* QEMU virt's, and so the nested host's */

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long start = rdtime();

	(void)hartid;
	(void)dtb;
	fw_printf("reset: boot\n");
	while (rdtime() - start < TIMEBASE_HZ / 10)
		;
	sbi_call(SBI_EXT_SRST, 0, 1, 0, 0); /* cold reboot */
	return 3;
}
