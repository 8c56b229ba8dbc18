// SPDX-License-Identifier: MIT
/*
 * What one MMIO exit costs: 40000 one-byte reads of the UART's line
 * status, timed with rdtime, then "exitbench: mmio-read NS". bench/kvmexit
 * runs it under vmm and under the barest KVM_RUN loop there is
 * (bench/kvmexit.c), the same binary both times.
 */
#include "fw.h"

#define TIMEBASE_HZ 10000000 /* QEMU virt's, and so the nested host's */
#define ROUNDS 40000

int main(unsigned long hartid, unsigned long dtb)
{
	unsigned long t, i;

	(void)hartid;
	(void)dtb;
	for (i = 0; i < 100; i++) /* first touches out of the way */
		(void)mmio_read8(FW_UART + 5);
	t = rdtime();
	for (i = 0; i < ROUNDS; i++)
		(void)mmio_read8(FW_UART + 5);
	t = rdtime() - t;
	fw_printf("exitbench: mmio-read %lu\n",
		  t * (1000000000UL / TIMEBASE_HZ) / ROUNDS);
	return 0;
}
