// SPDX-License-Identifier: MIT
/*
 * The VM side of the control socket. A thread accepts one connection at a
 * time, checks the peer's uid, reads one request line and answers:
 *   status          ok name=N pid=P state=S backend=B cpus=C memory=M uptime=U
 *   pause | resume  ok
 *   stop SECONDS    ok   (then the guest is asked to power off)
 *   kill            ok   (then the VM ends with status 67)
 *   wait            ok status=N, once the VM has ended
 *   stats           ok vcpu0.exits=N ... blk0.reads=N ... (counters.c)
 *   console         ok, then the console: recent output, live output, and
 *                   what the client sends goes to the guest's UART
 * Anything else: error MESSAGE.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control.h"
#include "counters.h"
#include "log.h"
#include "vm.h"

/* Nothing open, nothing claimed. */
static void control_init(struct control *c)
{
	unsigned i;

	memset(c, 0, sizeof(*c));
	c->listen_fd = c->detach_fd = c->lock_fd = -1;
	c->stop_pipe[0] = c->stop_pipe[1] = -1;
	for (i = 0; i < CONTROL_MAX_CONNECTIONS; i++)
		c->conns[i].fd = -1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->idle, NULL);
}

/* Claim the name, then bind and listen on its socket. */
static int open_socket(struct control *c, struct vm_config *cfg, char *err,
		       size_t errlen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	mode_t old;
	int e;

	clock_gettime(CLOCK_MONOTONIC, &c->start);
	if (cfg->name)
		snprintf(c->name, sizeof(c->name), "%s", cfg->name);
	else
		unnamed_vm_name(c->name, sizeof(c->name));
	e = runtime_dir(c->dir, sizeof(c->dir), 1, err, errlen);
	if (e)
		return e;
	if (socket_path(c->path, sizeof(c->path), c->dir, c->name)) {
		snprintf(
			err, errlen,
			"control socket %s/%s.sock: path longer than %zu bytes",
			c->dir, c->name, sizeof(c->path) - 1);
		return -ENAMETOOLONG;
	}
	e = claim_name(c->dir, c->name);
	if (e >= 0) {
		c->lock_fd = e;
		e = 0;
	}
	if (e) {
		if (e == -EEXIST)
			snprintf(err, errlen,
				 "a VM named %s is already running (%s)",
				 c->name, c->path);
		else
			snprintf(err, errlen, "%s/%s.lock: %s", c->dir, c->name,
				 strerror(-e));
		return e;
	}
	unlink(c->path); /* stale: its VM is gone, and the name is ours */
	c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", c->path);
	old = umask(0177); /* the socket is born 0600 */
	if (c->listen_fd < 0 ||
	    bind(c->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(c->listen_fd, 8) < 0 || pipe2(c->stop_pipe, O_CLOEXEC) < 0) {
		e = -errno;
		umask(old);
		snprintf(err, errlen, "control socket %s: %s", c->path,
			 strerror(-e));
		if (c->listen_fd >= 0)
			close(c->listen_fd);
		c->listen_fd = -1;
		unlink(c->path);
		release_name(c->dir, c->name, c->lock_fd);
		c->lock_fd = -1;
		return e;
	}
	umask(old);
	cfg->name = c->name;
	return 0;
}

int control_open(struct control *c, struct vm_config *cfg, char *err,
		 size_t errlen)
{
	control_init(c);
	return open_socket(c, cfg, err, errlen);
}

void control_defer(struct control *c, struct vm_config *cfg)
{
	control_init(c);
	c->deferred = cfg;
}

static int redirect(int fd, const char *path, int flags)
{
	int f = open(path, flags | O_CLOEXEC, 0600);

	if (f < 0)
		return -errno;
	if (dup2(f, fd) < 0) {
		close(f);
		return -errno;
	}
	close(f);
	return 0;
}

int control_detach(struct control *c, struct vm_config *cfg)
{
	static char console_spec[PATH_MAX + 96];
	int p[2], status;
	char byte;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		fprintf(stderr, "vmm: pipe: %s\n", strerror(errno));
		return VMM_EXIT_ERROR;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "vmm: fork: %s\n", strerror(errno));
		return VMM_EXIT_ERROR;
	}
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &byte, 1) == 1) {
			printf("%s\n", c->name);
			return VMM_EXIT_OK;
		}
		/* The child died before its guest ran: its status is ours. */
		waitpid(pid, &status, 0);
		return WIFEXITED(status) ? WEXITSTATUS(status) : VMM_EXIT_ERROR;
	}
	close(p[0]);
	c->detach_fd = p[1];
	setsid();
	redirect(STDIN_FILENO, "/dev/null", O_RDONLY);
	if (!strcmp(cfg->console, "stdio")) {
		snprintf(console_spec, sizeof(console_spec),
			 "file:%s/%s.console", c->dir, c->name);
		cfg->console = console_spec;
	}
	redirect(STDOUT_FILENO, "/dev/null", O_WRONLY);
	return -1;
}

/* --- requests ------------------------------------------------------------ */

static void reply(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reply(int fd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)!write(fd, buf,
			     (size_t)n < sizeof(buf) ? (size_t)n
						     : sizeof(buf) - 1);
}

static int peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return 0;
	return cred.uid == 0 || cred.uid == geteuid();
}

static int read_request(int fd, char *buf, size_t size, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };
	size_t n = 0;
	ssize_t r;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (n < size - 1) {
		r = read(fd, buf + n, 1);
		if (r <= 0)
			return -1;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return 0;
}

/* `stats`: one line, too long for reply()'s buffer. */
static void reply_counters(struct vm *vm, int fd)
{
	struct counters c = { .buf = malloc(COUNTERS_MAX),
			      .size = COUNTERS_MAX };
	int err;

	if (!c.buf) {
		reply(fd, "error %s\n", strerror(ENOMEM));
		return;
	}
	err = vm_counters(vm, &c);
	if (err == -EAGAIN) {
		reply(fd, "error the guest is rebooting: try again\n");
	} else {
		(void)!write(fd, "ok", 2);
		(void)!write(fd, c.buf, c.used);
		(void)!write(fd, "\n", 1);
	}
	free(c.buf);
}

/* Returns 1 when fd was kept (a waiter). */
static int handle(struct control *c, int fd, char *req)
{
	struct vm *vm = c->vm;
	struct timespec now;
	long timeout;

	if (!strcmp(req, "status")) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		reply(fd,
		      "ok name=%s pid=%d state=%s backend=%s cpus=%u memory=%llu uptime=%.1f\n",
		      c->name, (int)getpid(), vm_state(vm), vm->backend->name,
		      vm->cfg->cpus, (unsigned long long)vm->cfg->memory,
		      (double)(now.tv_sec - c->start.tv_sec) +
			      (double)(now.tv_nsec - c->start.tv_nsec) / 1e9);
	} else if (!strcmp(req, "pause") || !strcmp(req, "resume")) {
		int err = req[0] == 'p' ? vm_pause(vm) : vm_resume(vm);

		if (err == -EAGAIN)
			reply(fd, "error the guest is rebooting: try again\n");
		else if (err)
			reply(fd, "error %s\n", strerror(-err));
		else
			reply(fd, "ok\n");
	} else if (!strncmp(req, "stop", 4) && (req[4] == ' ' || !req[4])) {
		timeout = req[4] ? strtol(req + 5, NULL, 10) : 30;
		vm_stop(vm, timeout > 0 ? (unsigned)timeout : 30);
		reply(fd, "ok\n");
	} else if (!strcmp(req, "kill")) {
		vm_request_exit(vm, VMM_EXIT_KILLED);
		reply(fd, "ok\n");
	} else if (!strcmp(req, "stats")) {
		reply_counters(vm, fd);
	} else if (!strcmp(req, "console")) {
		struct timeval forever = { 0 };

		/* the request's read timeout is not the session's: a
		 * console may sit idle for as long as its user likes */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &forever,
			   sizeof(forever));
		reply(fd, "ok\n");
		if (console_attach(vm->console, fd) == 0)
			return 1; /* the session owns fd now */
		reply(fd, "\r\nvmm: too many console sessions\r\n");
	} else if (!strcmp(req, "wait")) {
		int status = -1;

		pthread_mutex_lock(&c->lock);
		if (c->closing) /* too late to be queued: the answer now */
			status = c->status;
		else if (c->nr_waiters < CONTROL_MAX_WAITERS)
			c->waiters[c->nr_waiters++] = fd;
		else
			status = -2;
		pthread_mutex_unlock(&c->lock);
		if (status == -1)
			return 1;
		if (status == -2)
			reply(fd, "error too many waiters\n");
		else
			reply(fd, "ok status=%d\n", status);
	} else {
		reply(fd,
		      "error unknown request '%.40s' (status, stats, pause, resume, stop, kill, wait, console)\n",
		      req);
	}
	return 0;
}

/* One connection, in a thread of its own: a client that takes its time
 * (each read waits up to 5 s) delays nobody else. */
static void *connection_thread(void *arg)
{
	struct connection *conn = arg;
	struct control *c = conn->c;
	char req[128];
	int fd = conn->fd, kept = 0;

	/* Read first: closing with the request unread would reset the
	 * connection and lose the answer. */
	if (!read_request(fd, req, sizeof(req), 5)) {
		if (peer_allowed(fd)) {
			kept = handle(c, fd, req);
		} else {
			pr_warn("control: refused a request from another user");
			reply(fd, "error permission denied\n");
		}
	}
	pthread_mutex_lock(&c->lock);
	conn->fd = -1;
	c->nr_active--;
	pthread_cond_broadcast(&c->idle);
	pthread_mutex_unlock(&c->lock);
	if (!kept)
		close(fd);
	return NULL;
}

/* Hand fd to a connection thread; with CONTROL_MAX_CONNECTIONS under way
 * it is told to come back. */
static void serve(struct control *c, int fd)
{
	struct connection *conn = NULL;
	pthread_t t;
	unsigned i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < CONTROL_MAX_CONNECTIONS && !conn; i++)
		if (c->conns[i].fd < 0)
			conn = &c->conns[i];
	if (conn) {
		conn->c = c;
		conn->fd = fd;
		c->nr_active++;
		if (pthread_create(&t, NULL, connection_thread, conn)) {
			conn->fd = -1;
			c->nr_active--;
			conn = NULL;
		} else {
			pthread_detach(t);
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (!conn) {
		reply(fd, "error busy: too many requests under way\n");
		close(fd);
	}
}

static void *control_thread(void *arg)
{
	struct control *c = arg;
	struct pollfd pfd[2] = { { .fd = c->listen_fd, .events = POLLIN },
				 { .fd = c->stop_pipe[0], .events = POLLIN } };
	int fd;

	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			serve(c, fd);
	}
	return NULL;
}

int control_started(struct control *c, struct vm *vm)
{
	char log[PATH_MAX + 96];
	sigset_t set, old;
	int err;

	if (c->deferred) {
		char msg[512];

		if (open_socket(c, c->deferred, msg, sizeof(msg))) {
			pr_warn("%s: no lifecycle commands for this VM", msg);
			return 0;
		}
	}
	c->vm = vm;
	/* The control threads take no signals meant for vCPU threads. */
	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	err = pthread_create(&c->thread, NULL, control_thread, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	c->thread_started = 1;
	if (c->detach_fd >= 0) {
		snprintf(log, sizeof(log), "%s/%s.log", c->dir, c->name);
		redirect(STDERR_FILENO, log, O_WRONLY | O_CREAT | O_APPEND);
		(void)!write(c->detach_fd, "s", 1);
		close(c->detach_fd);
		c->detach_fd = -1;
	}
	return 0;
}

/* Clients that connected before the socket's name went but were never
 * accepted: closing the listening socket would reset them with no answer.
 * A wait among them gets the status; anything else is told the VM ended.
 * No new client can come (the name is gone), so this ends. */
static void answer_backlog(struct control *c)
{
	char req[128];
	int fd;

	if (fcntl(c->listen_fd, F_SETFL, O_NONBLOCK) < 0)
		return;
	while ((fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		if (!read_request(fd, req, sizeof(req), 1)) {
			if (!peer_allowed(fd))
				reply(fd, "error permission denied\n");
			else if (!strcmp(req, "wait"))
				reply(fd, "ok status=%d\n", c->status);
			else
				reply(fd,
				      "error the VM has ended (status %d)\n",
				      c->status);
		}
		close(fd);
	}
}

/* Up to SECONDS for the connection threads to end; c->lock held. */
static void wait_idle(struct control *c, int seconds)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += seconds;
	while (c->nr_active &&
	       !pthread_cond_timedwait(&c->idle, &c->lock, &deadline))
		;
}

void control_close(struct control *c, int status)
{
	unsigned i;

	if (c->detach_fd >= 0) /* the parent learns from the EOF */
		close(c->detach_fd);
	c->detach_fd = -1;
	if (c->thread_started) {
		(void)!write(c->stop_pipe[1], "x", 1);
		pthread_join(c->thread, NULL);
		c->thread_started = 0;
	}
	/* The name goes first: a waiter told the status may run a VM of
	 * the same name at once. */
	if (c->listen_fd >= 0)
		unlink(c->path);
	release_name(c->dir, c->name, c->lock_fd);
	c->lock_fd = -1;
	/* From here a wait gets the status at once. */
	pthread_mutex_lock(&c->lock);
	c->closing = 1;
	c->status = status;
	pthread_mutex_unlock(&c->lock);
	if (c->listen_fd >= 0) {
		answer_backlog(c);
		close(c->listen_fd);
		c->listen_fd = -1;
	}
	pthread_mutex_lock(&c->lock);
	/* A client accepted a moment ago may not have sent its request yet:
	 * it gets a second to, then the reads still under way are cut short
	 * (and answer nothing). */
	wait_idle(c, 1);
	for (i = 0; i < CONTROL_MAX_CONNECTIONS; i++)
		if (c->conns[i].fd >= 0)
			shutdown(c->conns[i].fd, SHUT_RD);
	wait_idle(c, 2);
	for (i = 0; i < c->nr_waiters; i++) {
		reply(c->waiters[i], "ok status=%d\n", status);
		close(c->waiters[i]);
	}
	c->nr_waiters = 0;
	pthread_mutex_unlock(&c->lock);
}
