/* SPDX-License-Identifier: MIT */
/* The M-mode timer vector of an M-mode kernel that keeps the timer and
 * hands S-mode one software interrupt per tick, as xv6's timervec does:
 * hart 0's CLINT mtimecmp moves one tick on, sip.SSIP goes up. mscratch
 * points at a save area of three words, the third the tick in time
 * units. */
	.text
	.globl fw_mtimer_vec
	.balign 4
fw_mtimer_vec:
	csrrw	sp, mscratch, sp
	sd	t0, 0(sp)
	sd	t1, 8(sp)
	li	t0, 0x200bff8	/* mtime */
	ld	t1, 0(t0)
	ld	t0, 16(sp)	/* the tick */
	add	t1, t1, t0
	li	t0, 0x2004000	/* hart 0's mtimecmp */
	sd	t1, 0(t0)
	li	t0, 2		/* SSIP */
	csrs	mip, t0
	ld	t0, 0(sp)
	ld	t1, 8(sp)
	csrrw	sp, mscratch, sp
	mret
