// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdlib.h>

#include "console.h"
#include "hw/uart8250.h"
#include "log.h"

/* The terminal to restore from a signal handler: only one console per
 * process owns the terminal. */
static struct termios *saved_tty;
static int saved_tty_fd = -1;

static void restore_tty(void)
{
	if (saved_tty)
		tcsetattr(saved_tty_fd, TCSANOW, saved_tty);
}

/* Fatal signals must not leave the user's terminal raw: restore it, then
 * die of the same signal. */
static void on_fatal_signal(int sig)
{
	restore_tty();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_fatal_signals(void)
{
	static const int sigs[] = { SIGTERM, SIGHUP, SIGINT,  SIGQUIT,
				    SIGSEGV, SIGBUS, SIGABRT, SIGFPE };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static int make_raw(struct console *c)
{
	struct termios t;

	if (tcgetattr(c->in_fd, &c->saved) < 0)
		return -errno;
	t = c->saved;
	cfmakeraw(&t);
	if (tcsetattr(c->in_fd, TCSANOW, &t) < 0)
		return -errno;
	saved_tty = &c->saved;
	saved_tty_fd = c->in_fd;
	c->tty = 1;
	log_crlf = isatty(STDERR_FILENO);
	catch_fatal_signals();
	return 0;
}

int console_open(struct console *c, const char *spec)
{
	/* Not the ring: only what ring_total counts is ever read back, and
	 * zeroing it would touch 16 pages before the guest starts. */
	memset(c, 0, offsetof(struct console, ring));
	pthread_mutex_init(&c->lock, NULL);
	c->out_fd = STDOUT_FILENO;
	c->in_fd = STDIN_FILENO;
	if (!spec || !strcmp(spec, "stdio"))
		return 0;
	if (!strcmp(spec, "socket")) {
		c->out_fd = c->in_fd = -1;
		return 0;
	}
	if (!strncmp(spec, "file:", 5) && spec[5]) {
		c->out_fd =
			open(spec + 5,
			     O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (c->out_fd < 0)
			return -errno;
		c->owns_out = 1;
		c->in_fd = -1;
		return 0;
	}
	return -EINVAL;
}

static void write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the reader went away: drop output */
		buf += n;
		len -= (size_t)n;
	}
}

/* With c->lock held. */
static void ring_append(struct console *c, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		c->ring[(c->ring_total + i) % CONSOLE_RING_SIZE] = buf[i];
	c->ring_total += len;
}

void console_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct console *c = opaque;
	unsigned i;

	if (c->out_fd >= 0)
		write_all(c->out_fd, buf, len);
	pthread_mutex_lock(&c->lock);
	ring_append(c, buf, len);
	/* Never block a vCPU on a slow session: it loses output instead
	 * (the ring still has it). */
	for (i = 0; i < c->nr_attached; i++)
		(void)!send(c->attached[i], buf, len,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
	pthread_mutex_unlock(&c->lock);
}

struct session {
	struct console *c;
	int fd;
};

/* Stop sending a session the output; its fd stays open. */
static void unlist_session(struct console *c, int fd)
{
	unsigned i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->nr_attached; i++) {
		if (c->attached[i] == fd) {
			c->attached[i] = c->attached[--c->nr_attached];
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
}

static void detach_session(struct console *c, int fd)
{
	unlist_session(c, fd);
	close(fd);
}

static void push_all(struct uart8250 *u, const uint8_t *buf, size_t len);

/* A session's input, at the pace the guest drains its FIFO. */
static void *session_thread(void *arg)
{
	struct session *s = arg;
	uint8_t buf[UART_FIFO_SIZE];
	ssize_t n;

	for (;;) {
		size_t room = s->c->uart ? uart_wait_rx_space(s->c->uart) : 0;

		n = read(s->fd, buf, room < sizeof(buf) ? room : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		push_all(s->c->uart, buf, (size_t)n);
	}
	detach_session(s->c, s->fd);
	free(s);
	return NULL;
}

int console_attach(struct console *c, int fd)
{
	struct session *s = malloc(sizeof(*s));
	uint64_t start;
	pthread_t t;

	if (!s)
		return -ENOMEM;
	pthread_mutex_lock(&c->lock);
	if (c->nr_attached == CONSOLE_MAX_ATTACHED) {
		pthread_mutex_unlock(&c->lock);
		free(s);
		return -EBUSY;
	}
	/* Recent output first, oldest byte first. */
	start = c->ring_total > CONSOLE_RING_SIZE
			? c->ring_total - CONSOLE_RING_SIZE
			: 0;
	for (; start < c->ring_total;) {
		size_t off = start % CONSOLE_RING_SIZE;
		size_t len = CONSOLE_RING_SIZE - off;

		if (len > c->ring_total - start)
			len = (size_t)(c->ring_total - start);
		write_all(fd, c->ring + off, len);
		start += len;
	}
	c->attached[c->nr_attached++] = fd;
	pthread_mutex_unlock(&c->lock);
	s->c = c;
	s->fd = fd;
	if (pthread_create(&t, NULL, session_thread, s)) {
		unlist_session(c, fd); /* the caller still owns fd */
		free(s);
		return -EAGAIN;
	}
	pthread_detach(t);
	return 0;
}

static void push_all(struct uart8250 *u, const uint8_t *buf, size_t len)
{
	if (!u)
		return;
	while (len) {
		size_t n = uart_receive(u, buf, len);

		buf += n;
		len -= n;
		if (len)
			uart_wait_rx_space(u);
	}
}

ssize_t console_filter_escape(uint8_t *buf, size_t len, int *escaped)
{
	size_t i, out = 0;

	for (i = 0; i < len; i++) {
		uint8_t ch = buf[i];

		if (*escaped) {
			*escaped = 0;
			if (ch == 'x' || ch == 'X')
				return -1;
			if (ch != CONSOLE_ESCAPE)
				continue; /* unknown command: swallow */
		} else if (ch == CONSOLE_ESCAPE) {
			*escaped = 1;
			continue;
		}
		buf[out++] = ch;
	}
	return (ssize_t)out;
}

/* Reads only as many bytes as the receive FIFO can take, so that input
 * piped in waits in the pipe rather than being dropped. End of input leaves
 * the guest running. */
static void *input_thread(void *arg)
{
	struct console *c = arg;
	uint8_t buf[UART_FIFO_SIZE];
	int escaped = 0;

	for (;;) {
		size_t room = uart_wait_rx_space(c->uart);
		ssize_t n = read(c->in_fd, buf,
				 room < sizeof(buf) ? room : sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (c->tty)
			n = console_filter_escape(buf, (size_t)n, &escaped);
		if (n < 0) {
			c->quit(c->quit_opaque);
			break;
		}
		push_all(c->uart, buf, (size_t)n);
	}
	return NULL;
}

int console_start_input(struct console *c, struct uart8250 *u,
			void (*quit)(void *), void *opaque)
{
	int err;

	c->uart = u; /* sessions need it even without stdin */
	if (c->in_fd < 0)
		return 0;
	c->quit = quit;
	c->quit_opaque = opaque;
	if (isatty(c->in_fd)) {
		err = make_raw(c);
		if (err)
			return err;
	}
	err = pthread_create(&c->input_thread, NULL, input_thread, c);
	if (err)
		return -err;
	c->input_started = 1;
	return 0;
}

void console_close(struct console *c)
{
	unsigned i;

	/* Sessions see the end of their stream; their threads clean up. */
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->nr_attached; i++)
		shutdown(c->attached[i], SHUT_RDWR);
	pthread_mutex_unlock(&c->lock);
	if (c->tty) {
		tcsetattr(c->in_fd, TCSANOW, &c->saved);
		saved_tty = NULL;
		c->tty = 0;
		log_crlf = 0;
	}
	if (c->owns_out) {
		close(c->out_fd);
		c->owns_out = 0;
		c->out_fd = -1;
	}
}
