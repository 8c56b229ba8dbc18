// SPDX-License-Identifier: MIT
/*
 * /init of the nested host: mount the pseudo file systems, install busybox,
 * run the test script named by vmm.test= on the kernel command line, and
 * end the outer QEMU with the script's result through the test finisher
 * (PASS, or FAIL with the script's exit status as the code).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FINISHER_BASE 0x100000
#define FINISHER_FAIL 0x3333
#define FINISHER_PASS 0x5555

static void setup_console(void)
{
	int fd;

	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/console", O_RDWR);
	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

static int run(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 127;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* The value of key= on the kernel command line, or NULL. */
static char *cmdline_value(const char *key, char *buf, size_t size)
{
	FILE *f = fopen("/proc/cmdline", "r");
	char *p, *end;
	size_t klen = strlen(key);

	if (!f)
		return NULL;
	if (!fgets(buf, (int)size, f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	for (p = strtok(buf, " \n"); p; p = strtok(NULL, " \n")) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			end = p + klen + 1;
			return end;
		}
	}
	return NULL;
}

static void finish(int status)
{
	volatile uint32_t *finisher;
	int fd;

	sync();
	fd = open("/dev/mem", O_RDWR | O_SYNC);
	if (fd >= 0) {
		finisher = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
				fd, FINISHER_BASE);
		if (finisher != MAP_FAILED)
			*finisher = status ? ((uint32_t)status << 16) |
						     FINISHER_FAIL
					   : FINISHER_PASS;
	}
	printf("init: /dev/mem finisher unavailable, powering off\n");
	reboot(RB_POWER_OFF);
}

int main(void)
{
	char buf[1024], script[256];
	char *name;
	int status;

	setup_console();
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
	setenv("PATH", "/bin", 1);
	setenv("HOME", "/root", 1);
	run((char *const[]){ "/bin/busybox", "--install", "-s", "/bin", NULL });
	name = cmdline_value("vmm.test", buf, sizeof(buf));
	if (!name) {
		printf("init: no vmm.test= on the command line; starting a shell\n");
		status = run((char *const[]){ "/bin/sh", NULL });
		finish(status);
	}
	snprintf(script, sizeof(script), "/tests/%s.sh", name);
	status = run((char *const[]){ "/bin/sh", script, NULL });
	printf("# %s: exit status %d\n", name, status);
	finish(status);
	return 0;
}
