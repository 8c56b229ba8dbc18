// SPDX-License-Identifier: MIT
/*
 * sockhold PATH SECONDS: connect to the UNIX socket PATH and hold the
 * connection open, sending nothing, for SECONDS: the idle client that
 * the lifecycle tests set beside a busy one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: sockhold PATH SECONDS\n");
		return 2;
	}
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror(argv[1]);
		return 1;
	}
	sleep((unsigned)atoi(argv[2]));
	close(fd);
	return 0;
}
