// SPDX-License-Identifier: MIT
/*
 * bench-tcp: the two ends of bench/net's TCP throughput figures, with the
 * large reads and writes of a throughput tool (iperf3 writes 128 KiB at a
 * time). busybox nc moves 8 KiB per system call (netcat 1.10's loop), so
 * what it measured was mostly its own system calls, on both sides of the
 * floor and the guest.
 *
 *   bench-tcp send ADDR PORT MIB   connect, write MIB MiB of zeros, close
 *   bench-tcp sink PORT            accept one connection, read it to EOF
 *
 * Exit status 0 when every byte went through, 1 otherwise (with a line on
 * stderr).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHUNK (128 * 1024)

static char buf[CHUNK];

static int fail(const char *what)
{
	fprintf(stderr, "bench-tcp: %s: %s\n", what, strerror(errno));
	return 1;
}

static int send_all(const char *addr, int port, long mib)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	long long left = (long long)mib << 20;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return fail("socket");
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "bench-tcp: %s: not an IPv4 address\n", addr);
		return 1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail(addr);
	while (left > 0) {
		ssize_t n = write(fd, buf, left < CHUNK ? (size_t)left : CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail("write");
		left -= n;
	}
	return close(fd) < 0 ? fail("close") : 0;
}

static int sink(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr.s_addr = htonl(INADDR_ANY) };
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0), fd;
	ssize_t n;

	if (lfd < 0)
		return fail("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 1) < 0)
		return fail("listen");
	do
		fd = accept(lfd, NULL, NULL);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return fail("accept");
	close(lfd);
	do
		n = read(fd, buf, CHUNK);
	while (n > 0 || (n < 0 && errno == EINTR));
	return n < 0 ? fail("read") : 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "send"))
		return send_all(argv[2], atoi(argv[3]), atol(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "sink"))
		return sink(atoi(argv[2]));
	fprintf(stderr, "usage: bench-tcp send ADDR PORT MIB | sink PORT\n");
	return 2;
}
