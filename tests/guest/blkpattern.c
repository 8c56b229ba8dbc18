// SPDX-License-Identifier: MIT
/*
 * blkpattern: write and check a reproducible pattern on a block device or
 * image file, so the guest and the host can agree on what a disk must hold.
 * Static, for the guest and the nested host alike.
 *
 *   blkpattern write  FILE SEED OFF_MIB LEN_MIB [direct]   (fsync at the end)
 *   blkpattern check  FILE SEED OFF_MIB LEN_MIB [direct]
 *   blkpattern zeroes FILE OFF_MIB LEN_MIB                 (all bytes zero?)
 *   blkpattern discard|zeroout DEV OFF_MIB LEN_MIB         (BLKDISCARD/BLKZEROOUT)
 *   blkpattern readonly DEV                                (writing must fail)
 * Exit status 0 on success; a failure says what on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MiB (1ULL << 20)

static uint64_t word(uint64_t seed, uint64_t offset)
{
	uint64_t z = seed * 0x9e3779b97f4a7c15ULL + offset;

	/* splitmix64's finaliser */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void fill(uint64_t *buf, uint64_t seed, uint64_t off)
{
	size_t i;

	for (i = 0; i < MiB / 8; i++)
		buf[i] = word(seed, off + 8 * i);
}

static int open_file(const char *path, int flags, int direct)
{
	int fd = open(path, flags | (direct ? O_DIRECT : 0));

	if (fd < 0)
		fprintf(stderr, "blkpattern: %s: %s\n", path, strerror(errno));
	return fd;
}

static int full_io(int fd, void *buf, uint64_t off, int write)
{
	size_t done = 0;

	while (done < MiB) {
		ssize_t n = write ? pwrite(fd, (char *)buf + done, MiB - done,
					   (off_t)(off + done))
				  : pread(fd, (char *)buf + done, MiB - done,
					  (off_t)(off + done));

		if (n <= 0) {
			fprintf(stderr, "blkpattern: %s at %llu: %s\n",
				write ? "write" : "read",
				(unsigned long long)(off + done),
				n < 0 ? strerror(errno) : "end of file");
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

static int pattern(int write, const char *path, uint64_t seed, uint64_t off,
		   uint64_t len, int direct)
{
	uint64_t *buf, *want = NULL, pos;
	int fd, err = 0;

	if (posix_memalign((void **)&buf, 4096, MiB) ||
	    posix_memalign((void **)&want, 4096, MiB))
		return 1;
	fd = open_file(path, write ? O_WRONLY : O_RDONLY, direct);
	if (fd < 0)
		return 1;
	for (pos = off; pos < off + len && !err; pos += MiB) {
		fill(want, seed, pos);
		if (write) {
			err = full_io(fd, want, pos, 1);
			continue;
		}
		err = full_io(fd, buf, pos, 0);
		if (!err && memcmp(buf, want, MiB)) {
			size_t i = 0;

			while (buf[i] == want[i])
				i++;
			fprintf(stderr,
				"blkpattern: %s: mismatch at byte %llu\n", path,
				(unsigned long long)(pos + 8 * i));
			err = -1;
		}
	}
	if (!err && write && fsync(fd)) {
		fprintf(stderr, "blkpattern: fsync %s: %s\n", path,
			strerror(errno));
		err = -1;
	}
	close(fd);
	return err ? 1 : 0;
}

static int zeroes(const char *path, uint64_t off, uint64_t len)
{
	uint64_t *buf = malloc(MiB), pos;
	int fd = open_file(path, O_RDONLY, 0);
	size_t i;

	if (fd < 0 || !buf)
		return 1;
	for (pos = off; pos < off + len; pos += MiB) {
		if (full_io(fd, buf, pos, 0))
			return 1;
		for (i = 0; i < MiB / 8; i++) {
			if (buf[i]) {
				fprintf(stderr,
					"blkpattern: %s: non-zero at byte %llu\n",
					path,
					(unsigned long long)(pos + 8 * i));
				return 1;
			}
		}
	}
	close(fd);
	return 0;
}

static int range_ioctl(const char *path, unsigned long req, uint64_t off,
		       uint64_t len)
{
	uint64_t range[2] = { off, len };
	int fd = open_file(path, O_WRONLY, 0);

	if (fd < 0)
		return 1;
	if (ioctl(fd, req, range)) {
		fprintf(stderr, "blkpattern: ioctl on %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}

/* Writing a read-only disk must fail, at open or at write. */
static int readonly(const char *path)
{
	char buf[512] = { 1 };
	int fd = open(path, O_WRONLY);

	if (fd < 0) {
		printf("blkpattern: open for writing failed: %s\n",
		       strerror(errno));
		return errno == EROFS || errno == EACCES || errno == EPERM ? 0
									   : 1;
	}
	if (pwrite(fd, buf, sizeof(buf), 0) < 0 || fsync(fd) < 0) {
		printf("blkpattern: write failed: %s\n", strerror(errno));
		return errno == EROFS || errno == EIO || errno == EPERM ? 0 : 1;
	}
	fprintf(stderr,
		"blkpattern: %s: a write to a read-only disk succeeded\n",
		path);
	return 1;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "write") || !strcmp(cmd, "check")) {
		if (argc < 6)
			goto usage;
		return pattern(cmd[0] == 'w', argv[2],
			       strtoull(argv[3], NULL, 0),
			       strtoull(argv[4], NULL, 0) * MiB,
			       strtoull(argv[5], NULL, 0) * MiB,
			       argc > 6 && !strcmp(argv[6], "direct"));
	}
	if (!strcmp(cmd, "zeroes") && argc == 5)
		return zeroes(argv[2], strtoull(argv[3], NULL, 0) * MiB,
			      strtoull(argv[4], NULL, 0) * MiB);
	if ((!strcmp(cmd, "discard") || !strcmp(cmd, "zeroout")) && argc == 5)
		return range_ioctl(argv[2],
				   cmd[0] == 'd' ? BLKDISCARD : BLKZEROOUT,
				   strtoull(argv[3], NULL, 0) * MiB,
				   strtoull(argv[4], NULL, 0) * MiB);
	if (!strcmp(cmd, "readonly") && argc == 3)
		return readonly(argv[2]);
usage:
	fprintf(stderr,
		"usage: blkpattern write|check FILE SEED OFF_MIB LEN_MIB [direct]\n"
		"       blkpattern zeroes|discard|zeroout FILE OFF_MIB LEN_MIB\n"
		"       blkpattern readonly DEV\n");
	return 2;
}
