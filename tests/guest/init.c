// SPDX-License-Identifier: MIT
/*
 * /init of the Linux guest that vmm boots. vmm.guest= on the kernel command
 * line picks what it does:
 *   (none)  the demo: a busybox shell on the console, power off on exit
 *   check   report checks as "guest-ok: ..." / "guest-fail: ..." lines:
 *           vmm.cpus=N harts online and each runs work, UART and PLIC lines
 *           in /proc/interrupts, a line typed on the console echoed back;
 *           then power off, or fail through the test finisher
 *   fail    write FAIL with code 42 to the test finisher
 *   reset   ask for a reboot (SBI system reset)
 *   dt      print device-tree values as "guest-dt: NAME VALUE" lines
 *   bench   print "guest-init" at once and power off (bench/boot)
 *   clock   print "guest-clock: SECONDS" (CLOCK_MONOTONIC) every 200 ms,
 *           forever: how the host sees the guest's time go by
 *   script:NAME  run /tests/NAME.sh with busybox sh; a non-zero exit
 *           status becomes FAIL (code 10 + status) at the test finisher
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FINISHER_BASE 0x100000
#define FINISHER_FAIL 0x3333

static int failures;

static void result(int ok, const char *what)
{
	printf("guest-%s: %s\n", ok ? "ok" : "fail", what);
	fflush(stdout);
	if (!ok)
		failures++;
}

static void finisher_fail(unsigned code)
{
	int fd = open("/dev/mem", O_RDWR | O_SYNC);
	volatile uint32_t *f;

	if (fd < 0)
		return;
	f = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 FINISHER_BASE);
	if (f != MAP_FAILED)
		*f = (code << 16) | FINISHER_FAIL;
}

static char *cmdline_value(const char *key)
{
	static char buf[1024];
	FILE *f = fopen("/proc/cmdline", "r");
	size_t klen = strlen(key);
	char *p;

	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return NULL;
	}
	fclose(f);
	for (p = strtok(buf, " \n"); p; p = strtok(NULL, " \n"))
		if (!strncmp(p, key, klen) && p[klen] == '=')
			return p + klen + 1;
	return NULL;
}

static int count_cpus(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "processor", 9))
			n++;
	fclose(f);
	return n;
}

/* Pin ourselves to each hart in turn and check we really run there. */
static int run_on_each_cpu(int n)
{
	volatile unsigned long sum = 0;
	cpu_set_t set;
	int cpu;
	unsigned long i;

	for (cpu = 0; cpu < n; cpu++) {
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			return 0;
		for (i = 0; i < 1000000; i++)
			sum += i;
		if (sched_getcpu() != cpu)
			return 0;
	}
	return 1;
}

/* Count of interrupt `name` on all harts from /proc/interrupts, or -1. */
static long irq_count(const char *name)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[512];
	long total = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (!p || !strstr(line, name))
			continue;
		total = 0;
		for (p++;;) {
			char *end;
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			total += v;
			p = end;
		}
		break;
	}
	fclose(f);
	return total;
}

static void check(void)
{
	char *want = cmdline_value("vmm.cpus");
	int cpus = count_cpus();
	char line[256], msg[300];

	snprintf(msg, sizeof(msg), "%d harts in /proc/cpuinfo (want %s)", cpus,
		 want ? want : "?");
	result(want && cpus == atoi(want), msg);
	result(run_on_each_cpu(cpus), "work ran on every hart");
	result(irq_count("ttyS0") > 0,
	       "UART interrupt counting in /proc/interrupts");
	result(irq_count("PLIC") >= 0, "PLIC listed in /proc/interrupts");
	printf("guest-ready: type a line\n");
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		printf("guest-echo: %s\n", line);
	} else {
		result(0, "reading a line from the console");
	}
	result(irq_count("ttyS0") > 0, "UART interrupts after input");
}

static void print_dt(const char *name, const char *path)
{
	char buf[512];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		printf("guest-dt: %s (missing)\n", name);
		return;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	printf("guest-dt: %s %s\n", name, buf);
}

static void print_dt_u32(const char *name, const char *path)
{
	unsigned char b[4];
	FILE *f = fopen(path, "r");

	if (!f || fread(b, 1, 4, f) != 4) {
		printf("guest-dt: %s (missing)\n", name);
	} else {
		printf("guest-dt: %s %u\n", name,
		       (unsigned)b[0] << 24 | (unsigned)b[1] << 16 |
			       (unsigned)b[2] << 8 | b[3]);
	}
	if (f)
		fclose(f);
}

static void dt(void)
{
	print_dt("isa", "/proc/device-tree/cpus/cpu@0/riscv,isa");
	print_dt("mmu", "/proc/device-tree/cpus/cpu@0/mmu-type");
	print_dt("bootargs", "/proc/device-tree/chosen/bootargs");
	print_dt("model", "/proc/device-tree/model");
	print_dt("uart", "/proc/device-tree/soc/serial@10000000/compatible");
	print_dt_u32("timebase", "/proc/device-tree/cpus/timebase-frequency");
	fflush(stdout);
}

static void clock_loop(void)
{
	struct timespec ts;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		printf("guest-clock: %ld.%03ld\n", (long)ts.tv_sec,
		       ts.tv_nsec / 1000000);
		fflush(stdout);
		usleep(200000);
	}
}

static void run_script(const char *name)
{
	char path[128];
	int status;
	pid_t pid;

	snprintf(path, sizeof(path), "/tests/%s.sh", name);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", path, NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		printf("guest-done: %s failed\n", name);
		fflush(stdout);
		finisher_fail(10 + (pid > 0 && WIFEXITED(status)
					    ? WEXITSTATUS(status)
					    : 99));
	}
	printf("guest-done: %s passed\n", name);
	fflush(stdout);
}

static void demo_shell(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/busybox", "setsid", "cttyhack", "/bin/sh", NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

int main(void)
{
	char *mode;
	int fd;

	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/console", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mode = cmdline_value("vmm.guest");
	if (mode && !strcmp(mode, "bench")) {
		/* bench/boot times the way to here: answer at once. */
		printf("guest-init\n");
		fflush(stdout);
		reboot(RB_POWER_OFF);
	}
	setenv("PATH", "/bin", 1);
	if (fork() == 0) {
		execl("/bin/busybox", "busybox", "--install", "-s", "/bin",
		      NULL);
		_exit(127);
	}
	wait(NULL);
	if (!mode) {
		printf("vmm demo guest: busybox shell; 'poweroff -f' or Ctrl-A x ends it\n");
		fflush(stdout);
		demo_shell();
	} else if (!strcmp(mode, "check")) {
		check();
		printf("guest-done: %d failed\n", failures);
		fflush(stdout);
		if (failures)
			finisher_fail(10 + (unsigned)failures);
	} else if (!strcmp(mode, "fail")) {
		finisher_fail(42);
	} else if (!strcmp(mode, "reset")) {
		printf("guest-reset: rebooting\n");
		fflush(stdout);
		reboot(RB_AUTOBOOT);
	} else if (!strcmp(mode, "dt")) {
		dt();
	} else if (!strcmp(mode, "clock")) {
		clock_loop();
	} else if (!strncmp(mode, "script:", 7)) {
		run_script(mode + 7);
	}
	reboot(RB_POWER_OFF);
	return 0;
}
