// SPDX-License-Identifier: MIT
/*
 * A guest program for the NOMMU Linux guest (bench/nommu.sh): what one
 * system call costs the guest, in ns by the guest's own clock, for a
 * getpid loop and for a one-byte pread of a file in the page cache.
 * usage: syscall-bench N FILE
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000, i, fd;
	double t0, t1;
	char c;

	if (n <= 0 || argc < 3 || (fd = open(argv[2], O_RDONLY)) < 0) {
		fprintf(stderr, "usage: syscall-bench N FILE\n");
		return 64;
	}
	t0 = now_ns();
	for (i = 0; i < n; i++)
		getpid();
	t1 = now_ns();
	printf("syscall-bench: getpid %.0f ns\n", (t1 - t0) / n);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (pread(fd, &c, 1, 0) != 1)
			return 1;
	t1 = now_ns();
	printf("syscall-bench: pread %.0f ns\n", (t1 - t0) / n);
	return 0;
}
