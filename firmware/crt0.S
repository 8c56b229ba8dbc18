/* SPDX-License-Identifier: MIT */
/* Entry of every firmware program: the boot hart gets the stack, zeroes
 * bss and calls main(hartid, dtb). In M-mode the hart id comes from
 * mhartid and harts other than 0 park in wfi; in S-mode the SBI firmware
 * passes the boot hart's id in a0. */
	.section .text.entry, "ax"
	.globl _start
_start:
#ifndef FW_SMODE
	/* Every hart starts here at reset: hart 0 runs, the others park. */
	csrr	a0, mhartid
	li	a1, 0
	bnez	a0, park
#endif
	/* In S-mode only the boot hart comes here (any hart id: OpenSBI's
	 * lottery picks it); SBI HSM starts the others elsewhere. */
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
