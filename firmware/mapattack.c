// SPDX-License-Identifier: MIT
/*
 * A guest that knows where vmm's handler page makes its mmap call (the
 * disk's first sector says: "ADDRESS FD", in hex and decimal, as vmm's
 * debug log gives them) and jumps there with arguments of its own: map
 * its RAM again at 0x70000000. vmm must refuse the call (the handler page
 * then ends the guest process, status 126) rather than let guest code
 * map what no page table gave it. Only for vmm's trap backend.
 */
#include "fw.h"

static uint8_t sector[512] __attribute__((aligned(512)));
static unsigned long target = 0x70000000UL; /* what a success would map */

int main(unsigned long hartid, unsigned long dtb)
{
	const uint8_t *p = sector;
	unsigned long call, fd;

	(void)hartid;
	(void)dtb;
	if (vblk_open() || vblk_read(0, sector))
		return 4;
	call = fw_parse(&p, 16);
	fd = fw_parse(&p, 10);
	fw_printf(
		"mapattack: jumping to the handler page's mmap at 0x%lx (fd %lu)\n",
		call, fd);
	/* mmap(0x70000000, 4096, RW, MAP_SHARED | MAP_FIXED, fd, 0); the
	 * code after it compares a0 with *s5 and, unequal, ends the process */
	asm volatile("mv a0, %1\n\t"
		     "li a1, 4096\n\t"
		     "li a2, 3\n\t"
		     "li a3, 0x11\n\t"
		     "mv a4, %2\n\t"
		     "li a5, 0\n\t"
		     "li a7, 222\n\t"
		     "mv s5, %3\n\t"
		     "li s4, 1\n\t"
		     "jr %0"
		     :
		     : "r"(call), "r"(target), "r"(fd), "r"(&target)
		     : "a0", "a1", "a2", "a3", "a4", "a5", "a7", "s4", "s5",
		       "memory");
	return 5; /* not reached */
}
