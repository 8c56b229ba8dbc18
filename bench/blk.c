// SPDX-License-Identifier: MIT
/*
 * bench/blk: O_DIRECT throughput of a block device or file, run both on the
 * nested host against the disk itself and inside a guest against the
 * virtio-blk disk vmm backs with it, so the two can be compared.
 *   sequential read and write, 1 MiB requests
 *   random 4 KiB reads at queue depth 1 and 32 (32 threads)
 * Each test runs for SECONDS over the first SPAN_MIB of the device, which
 * is written once first (fill()).
 *
 * usage: bench-blk DEV SECONDS [SPAN_MIB]
 * prints: "bench-blk: NAME VALUE UNIT" lines
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MiB (1ULL << 20)
#define QD 32

static const char *dev;
static double seconds;
static uint64_t span;

/* By system call, not the vDSO: the riscv vDSO of Linux 6.1 built without
 * CONFIG_JUMP_LABEL (the test kernel was, until 3 December 2026) faults
 * when a reader meets a timekeeping update (README, Known problems); a
 * loop that reads the clock for every request met it in most runs, and
 * a guest's kernel may still be built so. */
static double now(void)
{
	struct timespec ts;

	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_dev(int write)
{
	int fd = open(dev, (write ? O_RDWR : O_RDONLY) | O_DIRECT);

	if (fd < 0) {
		perror(dev);
		exit(1);
	}
	return fd;
}

static void *buffer(size_t len)
{
	void *p;

	if (posix_memalign(&p, 4096, len))
		exit(1);
	memset(p, 0x5a, len);
	return p;
}

static void sequential(int write)
{
	int fd = open_dev(write);
	uint8_t *buf = buffer(MiB);
	uint64_t off = 0, bytes = 0;
	double start = now(), t;

	while ((t = now()) - start < seconds) {
		ssize_t n = write ? pwrite(fd, buf, MiB, (off_t)off)
				  : pread(fd, buf, MiB, (off_t)off);

		if (n != (ssize_t)MiB) {
			perror("sequential I/O");
			exit(1);
		}
		bytes += MiB;
		off = (off + MiB) % span;
	}
	if (write)
		fdatasync(fd);
	printf("bench-blk: seq%s %.1f MiB/s\n", write ? "write" : "read",
	       (double)bytes / MiB / (now() - start));
	close(fd);
	free(buf);
}

struct worker {
	pthread_t thread;
	unsigned seed;
	uint64_t ios;
	int fd;
	uint8_t *buf;
};

/* Set by the main thread when time is up. The workers never read the
 * clock: clock_gettime() from many threads of a static binary faulted
 * inside the vDSO on the nested host (above). */
static volatile int stop;

/* Everything a worker needs is set up before it starts: the threads do
 * nothing but pread. */
static void *random_reads(void *arg)
{
	struct worker *w = arg;
	int fd = w->fd;
	uint8_t *buf = w->buf;

	while (!stop) {
		uint64_t block = (uint64_t)rand_r(&w->seed) % (span / 4096);

		if (pread(fd, buf, 4096, (off_t)(block * 4096)) != 4096) {
			perror("random read");
			exit(1);
		}
		w->ios++;
	}
	return NULL;
}

static void random_4k(unsigned depth)
{
	int fd = open_dev(0);
	uint8_t *bufs = buffer(4096 * QD);
	struct worker w[QD];
	pthread_attr_t attr;
	uint64_t ios = 0;
	double start = now();
	unsigned i;

	/* Small stacks: 32 threads must fit in a small guest. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	stop = 0;
	for (i = 0; i < depth; i++) {
		w[i] = (struct worker){ .seed = i + 1,
					.fd = fd,
					.buf = bufs + 4096 * i };
		if (pthread_create(&w[i].thread, &attr, random_reads, &w[i])) {
			perror("pthread_create");
			exit(1);
		}
	}
	usleep((useconds_t)(seconds * 1e6));
	stop = 1;
	for (i = 0; i < depth; i++) {
		pthread_join(w[i].thread, NULL);
		ios += w[i].ios;
	}
	close(fd);
	free(bufs);
	printf("bench-blk: randread4k-qd%u %.0f IOPS\n", depth,
	       (double)ios / (now() - start));
}

/* Write the span once before anything is timed. A disk never written
 * (the harness's scratch disk is a sparse file behind cache=none) reads
 * its holes without touching the outer host's disk, several times faster
 * than blocks that hold data; the first run on it would otherwise time
 * holes and every later run data. */
static void fill(void)
{
	int fd = open_dev(1);
	uint8_t *buf = buffer(MiB);
	uint64_t off;

	for (off = 0; off < span; off += MiB)
		if (pwrite(fd, buf, MiB, (off_t)off) != (ssize_t)MiB) {
			perror("fill");
			exit(1);
		}
	fdatasync(fd);
	close(fd);
	free(buf);
}

/* With BENCH_BLK_MARKS set: "bench-blk: begin NAME" and a pause before
 * each phase, and a pause after its figure, so that a watcher outside
 * (bench/blk.sh reads `vmm stats` as each line arrives) can tell the
 * phases apart. */
static int marks;

static void phase(const char *name, void (*run)(unsigned), unsigned arg)
{
	if (marks) {
		printf("bench-blk: begin %s\n", name);
		fflush(stdout);
		usleep(300 * 1000);
	}
	run(arg);
	fflush(stdout);
	if (marks)
		usleep(300 * 1000);
}

static void sequential_phase(unsigned write)
{
	sequential((int)write);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench-blk DEV SECONDS [SPAN_MIB]\n");
		return 2;
	}
	dev = argv[1];
	seconds = atof(argv[2]);
	span = (argc > 3 ? strtoull(argv[3], NULL, 0) : 128) * MiB;
	marks = getenv("BENCH_BLK_MARKS") != NULL;
	fill();
	phase("seqread", sequential_phase, 0);
	phase("seqwrite", sequential_phase, 1);
	phase("randread4k-qd1", random_4k, 1);
	phase("randread4k-qd32", random_4k, QD);
	return 0;
}
