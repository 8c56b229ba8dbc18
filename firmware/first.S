/* SPDX-License-Identifier: MIT */
/* bench/boot's guest: its very first instructions write 'F' to the UART,
 * then it ends the VM with PASS at the test finisher. No runtime. */
	.section .text.entry, "ax"
	.globl _start
_start:
	li	t0, 0x10000000
	li	t1, 'F'
	sb	t1, 0(t0)
	li	t0, 0x100000
	li	t1, 0x5555
	sw	t1, 0(t0)
1:	wfi
	j	1b
