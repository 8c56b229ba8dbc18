/* SPDX-License-Identifier: MIT */
#ifndef VMM_CONSOLE_H
#define VMM_CONSOLE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <termios.h>

struct uart8250;

/* The guest's console on the host: output to stdout or a file, input from
 * stdin into the UART. On a terminal, stdin is put in raw mode and
 * Ctrl-A x quits (Ctrl-A Ctrl-A sends a Ctrl-A). */
#define CONSOLE_ESCAPE 0x01 /* Ctrl-A */

#define CONSOLE_RING_SIZE (64 * 1024)
#define CONSOLE_MAX_ATTACHED 4

struct console {
	int out_fd; /* -1: none (--console socket) */
	int in_fd; /* -1: no input */
	int owns_out;
	int tty; /* in_fd is a terminal we put in raw mode */
	struct termios saved;
	pthread_t input_thread;
	int input_started;
	struct uart8250 *uart;
	void (*quit)(void *opaque);
	void *quit_opaque;
	/* The last CONSOLE_RING_SIZE bytes of output, for `vmm console`, and
	 * the sessions attached through the control socket. */
	pthread_mutex_t lock;
	uint64_t ring_total; /* bytes ever written */
	int attached[CONSOLE_MAX_ATTACHED];
	unsigned nr_attached;
	uint8_t ring[CONSOLE_RING_SIZE]; /* last: console_open leaves it be */
};

/* spec: "stdio" (default), "file:PATH" (output appended to PATH, no
 * input) or "socket" (neither: only `vmm console` sessions). Returns 0 or a
 * negative errno. */
int console_open(struct console *c, const char *spec);
/* Start feeding stdin to the UART; quit is called on the escape sequence. */
int console_start_input(struct console *c, struct uart8250 *u,
			void (*quit)(void *), void *opaque);
void console_write(void *console, const uint8_t *buf, size_t len);
/* A `vmm console` session on fd (a connected socket): it gets the ring's
 * contents, then live output; what it sends goes to the UART. Takes fd.
 * 0, or -EBUSY when too many are attached. */
int console_attach(struct console *c, int fd);
/* Strip the escape sequence from terminal input in place; returns the
 * bytes left, or -1 when the user typed Ctrl-A x. *escaped carries a
 * Ctrl-A that ended the previous buffer. */
ssize_t console_filter_escape(uint8_t *buf, size_t len, int *escaped);
/* Restore the terminal; safe to call more than once. */
void console_close(struct console *c);

#endif
