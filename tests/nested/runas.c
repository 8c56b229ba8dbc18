// SPDX-License-Identifier: MIT
/*
 * runas: the nested host's stand-in for setpriv/su in security tests.
 *   runas UID CMD ARGS...          run CMD as UID (gid UID, no groups)
 *   runas UID --connect PATH REQ   as UID, send REQ to a unix socket and
 *                                  print the reply (or the connect error)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char buf[512];
	uid_t uid;
	ssize_t n;
	int fd;

	if (argc < 3)
		return 2;
	uid = (uid_t)atoi(argv[1]);
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
		perror("runas");
		return 1;
	}
	if (strcmp(argv[2], "--connect")) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		return 127;
	}
	if (argc < 5)
		return 2;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[3]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		printf("connect: %s\n", strerror(errno));
		return 1;
	}
	if (write(fd, argv[4], strlen(argv[4])) < 0 || write(fd, "\n", 1) < 0)
		return 1;
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	printf("%s", buf);
	return 0;
}
