// SPDX-License-Identifier: MIT
/*
 * bench/boot: how fast vmm gets a guest going, and how much memory vmm
 * itself needs. Runs on the (nested) host, next to vmm:
 *   - start to first guest instruction: fork+exec of vmm until the first
 *     byte that firmware/first writes to the UART with its first
 *     instructions reaches us (an upper bound: it includes one MMIO exit);
 *   - start to the Linux guest's /init: until its first line arrives;
 *   - peak RSS of vmm apart from guest RAM (VmRSS - RssShmem: guest RAM is
 *     a shared memfd), and the guest RAM touched (RssShmem), sampled every
 *     millisecond.
 * Median of N runs (default 10), next to the floor: fork+exec of a static
 * busybox that prints one byte. Prints "# bench: ..." lines.
 *
 * usage: bench-boot VMM KERNEL INITRD FIRST_FIRMWARE [RUNS]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 100

struct sample {
	double ms; /* to the marker */
	double inner_ms; /* vmm's own count, main() to entering the guest */
	long own_kib; /* peak VmRSS - RssShmem */
	long guest_kib; /* peak RssShmem */
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Resident memory from one read of /proc/PID/smaps: all of it, and the
 * part that is guest RAM (the "vmm-ram" memfd mapping). */
static void sample_rss(pid_t pid, struct sample *s)
{
	static char buf[1 << 16];
	char path[64], *line, *save;
	long total = 0, guest = 0;
	int fd, in_guest = 0;
	size_t len = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	while (len < sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strchr(line, '-') && strchr(line, ' ') && line[0] != ' ' &&
		    strchr(line, ':') > strchr(line, ' '))
			in_guest = strstr(line, "memfd:vmm-ram") != NULL;
		if (!strncmp(line, "Rss:", 4)) {
			total += atol(line + 4);
			if (in_guest)
				guest += atol(line + 4);
		}
	}
	if (total - guest > s->own_kib)
		s->own_kib = total - guest;
	if (guest > s->guest_kib)
		s->guest_kib = guest;
}

/* Run vmm with argv; time until marker shows up on its output. */
static int run_once(char *const argv[], const char *marker, struct sample *s,
		    int sample_memory)
{
	char buf[4096], seen[8192] = "";
	size_t seen_len = 0;
	int pipefd[2], status, found = 0;
	char *p;
	double start;
	pid_t pid;

	memset(s, 0, sizeof(*s));
	if (pipe(pipefd) < 0)
		return -1;
	start = now_ms();
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		ssize_t n;

		if (sample_memory)
			sample_rss(pid, s);
		if (poll(&pfd, 1, sample_memory ? 1 : -1) == 0)
			continue;
		n = read(pipefd[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		if (seen_len + (size_t)n < sizeof(seen)) {
			memcpy(seen + seen_len, buf, (size_t)n);
			seen_len += (size_t)n;
			seen[seen_len] = '\0';
		}
		if (!found && strstr(seen, marker)) {
			s->ms = now_ms() - start;
			found = 1;
		}
	}
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if ((p = strstr(seen, "entering the guest ")))
		s->inner_ms = atof(p + strlen("entering the guest "));
	return found && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/* Runs of argv until marker: the median time in *median_ms. */
static int bench(const char *what, char *const argv[], const char *marker,
		 int runs, double *median_ms)
{
	double ms[MAX_RUNS], inner[MAX_RUNS];
	long own[MAX_RUNS], guest[MAX_RUNS];
	struct sample s;
	int i;

	/* Times without sampling; memory in separate runs, since reading
	 * smaps every millisecond costs the machine time. */
	for (i = 0; i < 2 * runs; i++) {
		if (run_once(argv, marker, &s, i >= runs) < 0) {
			printf("# bench: %s: run %d failed\n", what, i + 1);
			return -1;
		}
		if (i < runs) {
			ms[i] = s.ms;
			inner[i] = s.inner_ms;
		} else {
			own[i - runs] = s.own_kib;
			guest[i - runs] = s.guest_kib;
		}
	}
	qsort(ms, (size_t)runs, sizeof(ms[0]), cmp_double);
	qsort(inner, (size_t)runs, sizeof(inner[0]), cmp_double);
	qsort(own, (size_t)runs, sizeof(own[0]), cmp_long);
	qsort(guest, (size_t)runs, sizeof(guest[0]), cmp_long);
	*median_ms = ms[runs / 2];
	printf("# bench: %s: median %.2f ms (min %.2f, max %.2f) over %d runs\n",
	       what, ms[runs / 2], ms[0], ms[runs - 1], runs);
	if (inner[runs - 1] > 0)
		printf("# bench: %s: vmm's own count, main() to entering the guest: median %.2f ms (min %.2f, max %.2f)\n",
		       what, inner[runs / 2], inner[0], inner[runs - 1]);
	printf("# bench: %s: peak RSS apart from guest RAM %ld KiB (max %ld), guest RAM touched %ld KiB\n",
	       what, own[runs / 2], own[runs - 1], guest[runs / 2]);
	return 0;
}

int main(int argc, char **argv)
{
	int runs = argc > 5 ? atoi(argv[5]) : 10;
	char *first[] = { argv[1],    "run",   "--log-level", "info",
			  "--kernel", argv[4], NULL };
	char *linux_argv[] = {
		argv[1],     "run",
		"--kernel",  argv[2],
		"--initrd",  argv[3],
		"--cmdline", "console=ttyS0 quiet vmm.guest=bench",
		NULL
	};
	char *echo[] = { "/bin/busybox", "echo", "F", NULL };
	double floor_ms = 0, start_ms = 0, init_ms = 0;
	int err = 0;

	if (argc < 5 || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr,
			"usage: bench-boot VMM KERNEL INITRD FIRST_FIRMWARE [RUNS]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	err |= bench("floor: fork+exec of a static busybox printing one byte",
		     echo, "F", runs, &floor_ms);
	err |= bench("start to first guest instruction (firmware/first)", first,
		     "F", runs, &start_ms);
	err |= bench("start to Linux /init", linux_argv, "guest-init", runs,
		     &init_ms);
	if (!err) /* for bench/results.sh, as tests/nested/lib.sh's result */
		printf("# result: boot|start to the first guest instruction (floor: fork+exec)|%.2f|%.2f|ms|lower|-\n",
		       start_ms, floor_ms);
	return err ? 1 : 0;
}
