// SPDX-License-Identifier: MIT
/*
 * A guest that scribbles over what its process shares with vmm (the
 * region: mailbox and signal stack; it reads the disk's first
 * sector until the test has written the region's bounds there, "START
 * END" in hex, from this very VM's debug log), then spins for
 * three seconds without trapping, then traps as usual: it prints and ends.
 * vmm must neither crash nor spin on the garbage, and the guest must run
 * on. Only for vmm's trap backend with paging off.
 */
#include "fw.h"

#define TIMEBASE_HZ 10000000 /* QEMU virt's, and so the nested host's */

static uint8_t sector[512] __attribute__((aligned(512)));

int main(unsigned long hartid, unsigned long dtb)
{
	const uint8_t *p = sector;
	unsigned long start, end, a, t;

	(void)hartid;
	(void)dtb;
	if (vblk_open())
		return 4;
	for (t = rdtime(), start = end = 0; !start;) {
		if (rdtime() - t > 20 * TIMEBASE_HZ || vblk_read(0, sector))
			return 4;
		p = sector;
		start = fw_parse(&p, 16);
		end = fw_parse(&p, 16);
	}
	fw_printf("scribble: over 0x%lx-0x%lx, then 3 s without a trap\n",
		  start, end);
	for (a = start; a < end; a += 8)
		*(volatile unsigned long *)a = 0xa5a5a5a5a5a5a5a5UL;
	t = rdtime();
	while (rdtime() - t < 3 * TIMEBASE_HZ)
		;
	fw_printf("scribble: still here\n");
	return 0;
}
