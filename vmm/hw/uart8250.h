/* SPDX-License-Identifier: MIT */
#ifndef VMM_HW_UART8250_H
#define VMM_HW_UART8250_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "../irq.h"

#define UART_BASE 0x10000000ULL
#define UART_SIZE 0x100ULL
#define UART_IRQ 10
#define UART_CLOCK_HZ 3686400
#define UART_FIFO_SIZE 16
/* THR (and DLL) writes may reach the UART late, in order, so long as they
 * come before any other access to it: nothing reads THR back, and the
 * transmitter is infinitely fast (LSR always shows it empty). */
#define UART_LATE_WRITES_OFF 0
#define UART_LATE_WRITES_LEN 1

/* Where transmitted bytes go: called without the UART's lock held. */
typedef void (*uart_tx_fn)(void *opaque, const uint8_t *buf, size_t len);
/* Give the guest the register page to read from memory (on) or take it
 * back (off), before it reads the UART again; 0 or a negative errno.
 * Called with the UART's lock held. */
typedef int (*uart_show_fn)(void *opaque, int on);

/* The register page (UART_PAGE_SIZE bytes at UART_BASE): while reading a
 * register has no side effect and no write can be late, the guest may
 * read them all from a page of memory with no exit. That holds while no
 * interrupt is enabled, no input is held, loopback is off and the divisor
 * latch is closed: as Linux polls its console through the boot, before
 * its tty opens. */
#define UART_PAGE_SIZE 0x1000ULL

/* A 16550A: registers after the TI PC16550D data sheet. */
struct uart8250 {
	pthread_mutex_t lock;
	pthread_cond_t rx_space; /* signalled when the guest drains RBR */
	uint8_t ier, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
	int thre_pending; /* THR-empty interrupt armed, not yet acknowledged */
	uint8_t rx[UART_FIFO_SIZE];
	unsigned rx_head, rx_count;
	int rx_open; /* the driver is ready for input (uart8250.c) */
	unsigned rx_polls; /* LSR reads since a FIFO clear */
	struct irq_line irq;
	int irq_level;
	uart_tx_fn tx;
	void *tx_opaque;
	uint8_t *page; /* the register page, or NULL */
	uart_show_fn show;
	void *show_opaque;
	int page_on; /* this boot may show it */
	int page_shown; /* the guest reads it */
	int page_done; /* not again this boot: reads came to matter */
};

void uart_init(struct uart8250 *u, struct irq_line irq, uart_tx_fn tx,
	       void *tx_opaque);
/* Keep page as the register page; show gives it to the guest. */
void uart_set_page(struct uart8250 *u, uint8_t *page, uart_show_fn show,
		   void *opaque);
/* Show the register page when the guest may read it (once a boot, after
 * the backend runs it); from then on the UART shows and takes it back. */
void uart_page_start(struct uart8250 *u);
/* The backend that showed the page goes (the end of a boot): forget it,
 * its memory slot goes with the VM; nothing asks the backend any more. */
void uart_page_stop(struct uart8250 *u);
/* Back to power-on register state (a guest reboot); keeps the lock. */
void uart_reset(struct uart8250 *u);
int uart_read(void *uart, uint64_t off, unsigned size, uint64_t *val);
int uart_write(void *uart, uint64_t off, unsigned size, uint64_t val);
/* Queue received bytes; returns how many fit in the receive FIFO. */
size_t uart_receive(struct uart8250 *u, const uint8_t *buf, size_t len);
/* A break condition on the line: a NUL byte with LSR.BI, once the receive
 * FIFO is empty (waits for that). */
void uart_send_break(struct uart8250 *u);
/* Take the next received byte (SBI getchar), or -1 when none. */
int uart_pop_input(struct uart8250 *u);
/* Block until the receive FIFO has room; returns the room. */
size_t uart_wait_rx_space(struct uart8250 *u);

#endif
