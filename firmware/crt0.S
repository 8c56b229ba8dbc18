/* SPDX-License-Identifier: MIT */
/* Entry of every firmware program. Hart 0 gets the stack, zeroes bss and
 * calls main(hartid, dtb); other harts park in wfi. In M-mode the hart id
 * comes from mhartid; in S-mode the SBI firmware passes it in a0. */
	.section .text.entry, "ax"
	.globl _start
_start:
#ifndef FW_SMODE
	csrr	a0, mhartid
	li	a1, 0
#endif
	bnez	a0, park
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	la	sp, __stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, (t0)
	addi	t0, t0, 8
	j	1b
2:	call	main
	call	fw_exit
park:
	wfi
	j	park
