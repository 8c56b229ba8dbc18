// SPDX-License-Identifier: MIT
/*
 * bench/signal: the floors under the trap backend's per-trap cost, on the
 * (nested) host itself:
 *   - a null signal round trip: raise() to an empty handler and back;
 *   - a trap round trip as the backend makes it: a signal in one process,
 *     whose handler wakes another through a shared futex and sleeps until
 *     that one wakes it again (what each guest trap costs before any
 *     emulation).
 * Prints "NAME NS_PER_OP" lines.
 *
 * usage: bench-signal [ROUNDS]
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned *word; /* shared: 1 the child reported, 0 go on */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void futex(volatile unsigned *w, int op, unsigned val)
{
	syscall(SYS_futex, w, op, val, NULL, NULL, 0);
}

static void on_null(int sig)
{
	(void)sig;
}

/* In the child: report, wait to be let go, as the sandbox handler does. */
static void on_trap(int sig)
{
	(void)sig;
	__atomic_store_n(word, 1, __ATOMIC_RELEASE);
	futex(word, FUTEX_WAKE, 1);
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == 1)
		futex(word, FUTEX_WAIT, 1);
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 20000, i;
	double t;
	pid_t pid;

	signal(SIGUSR1, on_null);
	t = now_ns();
	for (i = 0; i < rounds; i++)
		raise(SIGUSR1);
	printf("null-signal %.0f\n", (now_ns() - t) / rounds);

	word = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (word == MAP_FAILED)
		return 1;
	pid = fork();
	if (pid == 0) {
		signal(SIGUSR1, on_trap);
		for (i = 0; i < rounds; i++)
			raise(SIGUSR1);
		_exit(0);
	}
	t = now_ns();
	for (i = 0; i < rounds; i++) {
		while (__atomic_load_n(word, __ATOMIC_ACQUIRE) != 1)
			futex(word, FUTEX_WAIT, 0);
		__atomic_store_n(word, 0, __ATOMIC_RELEASE);
		futex(word, FUTEX_WAKE, 1);
	}
	printf("signal-futex-round-trip %.0f\n", (now_ns() - t) / rounds);
	waitpid(pid, NULL, 0);
	return 0;
}
