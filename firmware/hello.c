// SPDX-License-Identifier: MIT
/* The smallest guest: one known line on the UART, one through SBI (S-mode
 * only), then PASS to the test finisher. */
#include "fw.h"

int main(unsigned long hartid, unsigned long dtb)
{
	(void)dtb;
#ifdef FW_SMODE
	fw_printf("hello from vmm firmware: S-mode, hart %lu, uart\n", hartid);
	fw_set_sink(FW_SINK_SBI);
	fw_printf("hello from vmm firmware: S-mode, hart %lu, sbi\n", hartid);
#else
	fw_printf("hello from vmm firmware: M-mode, hart %lu, uart\n", hartid);
#endif
	return 0;
}
