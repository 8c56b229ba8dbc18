# vfork for musl on riscv64, which (as of musl 1.2.3) has none of its own:
# its generic C vfork is a plain fork, and on a NOMMU Linux a fork shares
# the parent's memory while both run, so the child corrupts the parent.
# contrib/build-musl.sh drops this into musl's tree as
# src/process/riscv64/vfork.s. clone(CLONE_VM | CLONE_VFORK | SIGCHLD): the
# parent sleeps until the child execs or exits; done in assembly because
# the child must not return through a C frame the parent will reuse.
.global vfork
.type vfork,@function
vfork:
	li a0, 0x4111
	li a1, 0
	li a7, 220
	ecall
	.hidden __syscall_ret
	j __syscall_ret
