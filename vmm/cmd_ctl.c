// SPDX-License-Identifier: MIT
/* The lifecycle commands: list, status, stats, pause, resume, stop, kill,
 * wait. Each talks to a VM's control socket (control.c has the protocol). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "console.h"
#include "control.h"
#include "counters.h"
#include "vm.h"

struct ctl_args {
	const char *name;
	int json;
	unsigned timeout;
};

/* Connect to NAME's socket; -1 with a message unless quiet. A VM that
 * holds its name but does not answer yet is starting: up to a second for
 * it. A socket whose name nobody holds is stale: it is removed. */
static int connect_vm(const char *dir, const char *name, int quiet)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = -1, tries;

	if (socket_path(a.sun_path, sizeof(a.sun_path), dir, name)) {
		fprintf(stderr, "vmm: %s/%s.sock: path too long\n", dir, name);
		return -1;
	}
	for (tries = 0; tries < 20; tries++) {
		if (fd >= 0)
			close(fd);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			break;
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
		if ((errno != ECONNREFUSED && errno != ENOENT) ||
		    !name_claimed(dir, name))
			break;
		usleep(50000);
	}
	if (errno == ECONNREFUSED && !name_claimed(dir, name)) {
		unlink(a.sun_path);
		if (!quiet)
			fprintf(stderr,
				"vmm: %s: the VM is gone (removed its stale socket)\n",
				name);
	} else if (errno == ECONNREFUSED || errno == ENOENT) {
		if (!quiet)
			fprintf(stderr, "vmm: %s: %s\n", name,
				name_claimed(dir, name)
					? "the VM does not answer (it is starting, or stuck)"
					: "no such VM");
	} else if (!quiet) {
		fprintf(stderr, "vmm: %s: %s\n", name,
			errno == ENOENT ? "no such VM" : strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Send one request, read the whole answer (the VM closes after it).
 * Only wait waits for long: any other answer comes within 10 s. */
static int request(int fd, const char *req, char *buf, size_t size)
{
	struct timeval tv = { .tv_sec = 10 };
	size_t n = 0;
	ssize_t r;

	if (strcmp(req, "wait"))
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (write(fd, req, strlen(req)) < 0 || write(fd, "\n", 1) < 0) {
		int e = errno;

		buf[0] = '\0'; /* req may be buf: cleared only once sent */
		return -e;
	}
	while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return strncmp(buf, "ok", 2) ? -EPROTO : 0;
}

static int ask(const char *dir, const char *name, const char *req, char *buf,
	       size_t size)
{
	int fd = connect_vm(dir, name, 0), err;

	if (fd < 0)
		return VMM_EXIT_NO_VM;
	err = request(fd, req, buf, size);
	close(fd);
	/* A wait or status that met the VM's very end (connected, then cut
	 * off as the VM closed) asks once more: the VM answers, or it is
	 * gone and connect_vm says so. */
	if (err && !buf[0] &&
	    (!strcmp(req, "wait") || !strcmp(req, "status"))) {
		fd = connect_vm(dir, name, 0);
		if (fd < 0)
			return VMM_EXIT_NO_VM;
		err = request(fd, req, buf, size);
		close(fd);
	}
	if (!err)
		return 0;
	fprintf(stderr, "vmm: %s: %s\n", name,
		buf[0] ? buf : "the VM closed the connection");
	return VMM_EXIT_NO_VM;
}

/* "ok k=v k=v ..." as one JSON object, numbers bare. */
static void print_json(const char *status)
{
	char *copy = strdup(status + 2), *tok, *save;
	int first = 1;

	if (!copy)
		return;
	putchar('{');
	for (tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		int number;

		if (!eq)
			continue;
		*eq++ = '\0';
		number = *eq && strspn(eq, "0123456789.") == strlen(eq);
		printf("%s\"%s\":%s%s%s", first ? "" : ",", tok,
		       number ? "" : "\"", eq, number ? "" : "\"");
		first = 0;
	}
	puts("}");
	free(copy);
}

/* `stats`: "ok k=v k=v ...", one "k v" a line, or one JSON object. */
static int print_stats(const char *dir, const char *name, int json)
{
	size_t size = COUNTERS_MAX + 64;
	char *buf = malloc(size), *tok, *save;
	int status;

	if (!buf) {
		fprintf(stderr, "vmm: %s\n", strerror(ENOMEM));
		return VMM_EXIT_ERROR;
	}
	status = ask(dir, name, "stats", buf, size);
	if (!status && json) {
		print_json(buf);
	} else if (!status) {
		for (tok = strtok_r(buf + 2, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save)) {
			char *eq = strchr(tok, '=');

			if (eq)
				printf("%.*s %s\n", (int)(eq - tok), tok,
				       eq + 1);
		}
	}
	free(buf);
	return status;
}

static const char *field(const char *status, const char *key, char *out,
			 size_t size)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=", key);
	p = strstr(status, pat);
	if (!p)
		return "-";
	p += strlen(pat);
	snprintf(out, size, "%.*s", (int)strcspn(p, " "), p);
	return out;
}

static void print_row(const char *status)
{
	char n[80], pid[16], st[16], be[16], cpus[8], mem[32], up[32];
	unsigned long long mib =
		strtoull(field(status, "memory", mem, sizeof(mem)), NULL, 10) >>
		20;

	printf("%-20s %-8s %-9s %-7s %4s %7lluM %9ss\n",
	       field(status, "name", n, sizeof(n)),
	       field(status, "pid", pid, sizeof(pid)),
	       field(status, "state", st, sizeof(st)),
	       field(status, "backend", be, sizeof(be)),
	       field(status, "cpus", cpus, sizeof(cpus)), mib,
	       field(status, "uptime", up, sizeof(up)));
}

static int cmd_list(const char *dir, const struct ctl_args *a)
{
	char buf[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d) {
		if (errno == ENOENT)
			return VMM_EXIT_OK; /* no VM ever ran */
		fprintf(stderr, "vmm: %s: %s\n", dir, strerror(errno));
		return VMM_EXIT_NO_VM;
	}
	if (!a->json)
		printf("%-20s %-8s %-9s %-7s %4s %8s %10s\n", "NAME", "PID",
		       "STATE", "BACKEND", "CPUS", "MEMORY", "UPTIME");
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char name[256];
		int fd;

		if (len < 6 || strcmp(e->d_name + len - 5, ".sock"))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(len - 5), e->d_name);
		fd = connect_vm(dir, name, 1);
		if (fd < 0)
			continue;
		if (request(fd, "status", buf, sizeof(buf)) == 0) {
			if (a->json)
				print_json(buf);
			else
				print_row(buf);
		}
		close(fd);
	}
	closedir(d);
	return VMM_EXIT_OK;
}

/* `wait`: the VM's exit status is ours. */
static int wait_vm(const char *dir, const char *name)
{
	char buf[128];
	int status = ask(dir, name, "wait", buf, sizeof(buf));
	const char *p = strstr(buf, "status=");

	if (status)
		return status;
	return p ? atoi(p + 7) : VMM_EXIT_NO_VM;
}

static int copy_out(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n <= 0)
		return -1;
	return write(to, buf, (size_t)n) == n ? 0 : -1;
}

/* `vmm console NAME`: the VM's recent and live output here, our input to
 * its UART; Ctrl-A x detaches (on a terminal, which is raw meanwhile). */
static int console_session(const char *dir, const char *name)
{
	struct termios saved, raw;
	int fd = connect_vm(dir, name, 0), tty = isatty(STDIN_FILENO);
	int escaped = 0, in_open = 1, status = VMM_EXIT_OK;
	char c;

	if (fd < 0)
		return VMM_EXIT_NO_VM;
	/* "console\n", then the VM's "ok\n" before the stream starts. */
	if (write(fd, "console\n", 8) != 8 || read(fd, &c, 1) != 1 ||
	    c != 'o') {
		fprintf(stderr, "vmm: %s: the VM refused the console\n", name);
		close(fd);
		return VMM_EXIT_NO_VM;
	}
	while (read(fd, &c, 1) == 1 && c != '\n')
		;
	if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	} else {
		tty = 0;
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
				       { .fd = in_open ? STDIN_FILENO : -1,
					 .events = POLLIN } };
		char buf[256];
		ssize_t n;

		if (poll(p, 2, -1) < 0)
			continue;
		if (p[0].revents && copy_out(fd, STDOUT_FILENO))
			break; /* the VM ended */
		if (!(p[1].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n <= 0) {
			in_open =
				0; /* end of input: keep watching the output */
			continue;
		}
		if (tty)
			n = console_filter_escape((uint8_t *)buf, (size_t)n,
						  &escaped);
		if (n < 0)
			break; /* detach */
		if (write(fd, buf, (size_t)n) != n)
			break;
	}
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(fd);
	return status;
}

static int parse_ctl(const char *cmd, int argc, char **argv, struct ctl_args *a)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int opt;

	memset(a, 0, sizeof(*a));
	a->timeout = 30;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'j' &&
		    (!strcmp(cmd, "list") || !strcmp(cmd, "status") ||
		     !strcmp(cmd, "stats"))) {
			a->json = 1;
		} else if (opt == 't' && !strcmp(cmd, "stop")) {
			a->timeout = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !*optarg || a->timeout == 0)
				return usage_error(
					"--timeout %s: a number of seconds",
					optarg);
		} else {
			return opt == '?'
				       ? VMM_EXIT_USAGE
				       : usage_error("%s takes no such option",
						     cmd);
		}
	}
	if (!strcmp(cmd, "list"))
		return optind < argc ? usage_error("list takes no VM name")
				     : -1;
	if (optind != argc - 1)
		return usage_error("%s takes one VM name", cmd);
	a->name = argv[optind];
	if (!vm_name_valid(a->name))
		return usage_error("'%s' is not a VM name", a->name);
	return -1;
}

int cmd_ctl(const char *cmd, int argc, char **argv)
{
	char dir[PATH_MAX], err[512], buf[512];
	struct ctl_args a;
	int status = parse_ctl(cmd, argc, argv, &a);

	if (status >= 0)
		return status;
	if (runtime_dir(dir, sizeof(dir), 0, err, sizeof(err))) {
		if (!strcmp(cmd, "list") && errno == ENOENT)
			return VMM_EXIT_OK;
		fprintf(stderr, "vmm: %s\n", err);
		return VMM_EXIT_NO_VM;
	}
	if (!strcmp(cmd, "list"))
		return cmd_list(dir, &a);
	if (!strcmp(cmd, "wait"))
		return wait_vm(dir, a.name);
	if (!strcmp(cmd, "console"))
		return console_session(dir, a.name);
	if (!strcmp(cmd, "stats"))
		return print_stats(dir, a.name, a.json);
	if (!strcmp(cmd, "stop")) {
		snprintf(buf, sizeof(buf), "stop %u", a.timeout);
		status = ask(dir, a.name, buf, buf, sizeof(buf));
		/* Stay until it is gone: 0 if the guest powered off. */
		return status ? status : wait_vm(dir, a.name);
	}
	status = ask(dir, a.name, cmd, buf, sizeof(buf));
	if (status)
		return status;
	if (!strcmp(cmd, "status")) {
		if (a.json)
			print_json(buf);
		else
			printf("%s\n", buf + 3);
	}
	return VMM_EXIT_OK;
}
