// SPDX-License-Identifier: MIT
/*
 * 16550A UART. Register offsets and bits after the PC16550D data sheet;
 * a register is one byte, at offset reg (reg-shift 0, reg-io-width 1).
 * The transmitter is infinitely fast: a byte written to THR leaves at once,
 * so LSR always shows THRE|TEMT.
 */
#include <errno.h>
#include <string.h>

#include "uart8250.h"

enum {
	REG_RBR_THR_DLL = 0,
	REG_IER_DLM = 1,
	REG_IIR_FCR = 2,
	REG_LCR = 3,
	REG_MCR = 4,
	REG_LSR = 5,
	REG_MSR = 6,
	REG_SCR = 7,
};

#define IER_RDI 0x01 /* received data available */
#define IER_THRI 0x02 /* transmitter holding register empty */
#define IER_RLSI 0x04 /* receiver line status */
#define IER_MSI 0x08 /* modem status */

#define IIR_NO_INT 0x01
#define IIR_MSI 0x00
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_FIFO_ON 0xc0

#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_BI 0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

static void reset_regs(struct uart8250 *u)
{
	u->ier = u->lcr = u->mcr = u->scr = u->dll = u->dlm = u->fcr = 0;
	u->thre_pending = 0;
	u->irq_level = 0;
	/* input not yet read stays: a reset guest reads it still */
	u->lsr = LSR_THRE | LSR_TEMT;
	u->rx_open = 1;
	u->msr = MSR_CTS | MSR_DSR | MSR_DCD;
	u->page_on = u->page_shown = u->page_done = 0; /* not shown yet */
}

void uart_init(struct uart8250 *u, struct irq_line irq, uart_tx_fn tx,
	       void *tx_opaque)
{
	memset(u, 0, sizeof(*u));
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->rx_space, NULL);
	u->irq = irq;
	u->tx = tx;
	u->tx_opaque = tx_opaque;
	reset_regs(u);
}

void uart_reset(struct uart8250 *u)
{
	pthread_mutex_lock(&u->lock);
	reset_regs(u);
	pthread_cond_broadcast(&u->rx_space);
	pthread_mutex_unlock(&u->lock);
}

/*
 * Input is never lost to a driver's set-up. A real 16550 drops its receive
 * FIFO on a clear (FCR) and Linux's driver then reads RBR twice more to
 * drain it, before it enables the receive interrupt. Ours holds bytes the
 * user typed or piped in, which count as delivered only once the guest
 * has read them when ready for them: a FIFO clear, a change of FIFO mode
 * or a reset keeps them, and after a clear they are hidden (LSR.DR clear,
 * RBR reads 0, nothing taken) until the driver enables the receive
 * interrupt or, polling, has read LSR RX_OPEN_POLLS times.
 */
#define RX_OPEN_POLLS 64

static int rx_ready(const struct uart8250 *u)
{
	return u->rx_open && u->rx_count;
}

static unsigned fifo_size(const struct uart8250 *u)
{
	/* With FIFOs off the receiver holds one byte, as a 16450 would. */
	return (u->fcr & FCR_ENABLE) ? UART_FIFO_SIZE : 1;
}

/* Highest-priority pending interrupt, as IIR reports it. */
static uint8_t iir(const struct uart8250 *u)
{
	if ((u->ier & IER_RLSI) && (u->lsr & (LSR_OE | LSR_BI)))
		return IIR_RLSI;
	if ((u->ier & IER_RDI) && rx_ready(u))
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thre_pending)
		return IIR_THRI;
	if ((u->ier & IER_MSI) && (u->msr & 0x0f))
		return IIR_MSI;
	return IIR_NO_INT;
}

/* With the lock held. In loopback the OUT2 line does not reach the
 * interrupt controller, exactly as on the real part. */
static void update_irq(struct uart8250 *u)
{
	int level = iir(u) != IIR_NO_INT && !(u->mcr & MCR_LOOP);

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	irq_line_set(&u->irq, level);
}

/* With the lock held: reading any register now would change nothing,
 * and no write sits in a batch the page would not show yet (only THR and
 * DLL writes are batched; THR leaves at once unless looped back). */
static int reads_are_pure(const struct uart8250 *u)
{
	return !u->ier && !(u->mcr & MCR_LOOP) && !u->rx_count &&
	       !(u->lsr & (LSR_OE | LSR_BI)) && !(u->msr & 0x0f);
}

/* With the lock held, after every change: the page holds what each
 * register would read, and the guest sees it only while that is so. Once
 * reads come to matter (Linux opens its tty and enables interrupts) it is
 * taken back for the rest of the boot: showing it costs the backend a
 * memory slot each time. */
static void page_update(struct uart8250 *u)
{
	uint8_t *p = u->page, b[REG_SCR + 1];
	int dlab = u->lcr & LCR_DLAB, want;
	unsigned i;

	if (!p || !u->page_on || (u->page_done && !u->page_shown))
		return;
	b[REG_RBR_THR_DLL] = dlab ? u->dll : 0;
	b[REG_IER_DLM] = dlab ? u->dlm : u->ier;
	b[REG_IIR_FCR] = IIR_NO_INT | ((u->fcr & FCR_ENABLE) ? IIR_FIFO_ON : 0);
	b[REG_LCR] = u->lcr;
	b[REG_MCR] = u->mcr;
	b[REG_LSR] = u->lsr;
	b[REG_MSR] = u->msr;
	b[REG_SCR] = u->scr;
	for (i = 0; i <= REG_SCR; i++)
		__atomic_store_n(&p[i], b[i], __ATOMIC_RELEASE);
	if (!reads_are_pure(u))
		u->page_done = 1;
	/* the latch open: a DLL write may still be in a batch */
	want = !u->page_done && !dlab;
	if (want == u->page_shown)
		return;
	if (!u->show(u->show_opaque, want))
		u->page_shown = want;
	else if (want)
		u->page_done = 1; /* the backend could not: reads exit */
}

void uart_set_page(struct uart8250 *u, uint8_t *page, uart_show_fn show,
		   void *opaque)
{
	pthread_mutex_lock(&u->lock);
	u->page = page;
	u->show = show;
	u->show_opaque = opaque;
	pthread_mutex_unlock(&u->lock);
}

void uart_page_start(struct uart8250 *u)
{
	pthread_mutex_lock(&u->lock);
	u->page_on = 1;
	page_update(u);
	pthread_mutex_unlock(&u->lock);
}

void uart_page_stop(struct uart8250 *u)
{
	pthread_mutex_lock(&u->lock);
	u->page_on = u->page_shown = u->page_done = 0;
	pthread_mutex_unlock(&u->lock);
}

static void rx_push(struct uart8250 *u, uint8_t c)
{
	if (u->rx_count >= fifo_size(u)) {
		u->lsr |= LSR_OE;
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = c;
	u->rx_count++;
}

static uint8_t rx_pop(struct uart8250 *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
	u->rx_count--;
	pthread_cond_broadcast(&u->rx_space);
	return c;
}

static uint8_t read_reg(struct uart8250 *u, unsigned reg)
{
	uint8_t v;

	switch (reg) {
	case REG_RBR_THR_DLL:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		return rx_ready(u) ? rx_pop(u) : 0;
	case REG_IER_DLM:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case REG_IIR_FCR:
		v = iir(u);
		/* Reading IIR while it reports THRE acknowledges it. */
		if (v == IIR_THRI)
			u->thre_pending = 0;
		return v | ((u->fcr & FCR_ENABLE) ? IIR_FIFO_ON : 0);
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		/* a polling driver waits for data: show it what we hold */
		if (!u->rx_open && ++u->rx_polls >= RX_OPEN_POLLS)
			u->rx_open = 1;
		v = u->lsr | (rx_ready(u) ? LSR_DR : 0);
		u->lsr &= ~(LSR_OE | LSR_BI); /* error bits clear on read */
		return v;
	case REG_MSR:
		v = u->msr;
		if (u->mcr & MCR_LOOP) {
			/* Loopback wires the modem outputs to the inputs. */
			v = (uint8_t)(((u->mcr & MCR_RTS) ? MSR_CTS : 0) |
				      ((u->mcr & MCR_DTR) ? MSR_DSR : 0) |
				      ((u->mcr & MCR_OUT1) ? MSR_RI : 0) |
				      ((u->mcr & MCR_OUT2) ? MSR_DCD : 0));
		}
		u->msr &= 0xf0; /* delta bits clear on read */
		return v;
	default:
		return u->scr;
	}
}

/* Returns 1 when c must be transmitted (after the lock is dropped). */
static int write_reg(struct uart8250 *u, unsigned reg, uint8_t v, uint8_t *c)
{
	switch (reg) {
	case REG_RBR_THR_DLL:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
			return 0;
		}
		u->thre_pending = 1; /* the byte left at once: THR is empty */
		if (u->mcr & MCR_LOOP) {
			rx_push(u, v);
			return 0;
		}
		*c = v;
		return 1;
	case REG_IER_DLM:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			return 0;
		}
		/* Enabling THRI with THR empty raises the interrupt at once. */
		if ((v & IER_THRI) && !(u->ier & IER_THRI))
			u->thre_pending = 1;
		if (v & IER_RDI)
			u->rx_open = 1; /* the driver is ready for input */
		u->ier = v & 0x0f;
		return 0;
	case REG_IIR_FCR:
		if (v & FCR_CLEAR_RX) {
			u->rx_open = 0;
			u->rx_polls = 0;
		}
		u->fcr = v & ~(FCR_CLEAR_RX | FCR_CLEAR_TX);
		return 0;
	case REG_LCR:
		u->lcr = v;
		return 0;
	case REG_MCR:
		u->mcr = v & 0x1f;
		return 0;
	case REG_LSR:
	case REG_MSR:
		return 0; /* read-only (factory test writes ignored) */
	default:
		u->scr = v;
		return 0;
	}
}

int uart_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
	struct uart8250 *u = opaque;

	*val = 0;
	if (size != 1 || off > REG_SCR)
		return off > REG_SCR ? 0 : -EINVAL;
	pthread_mutex_lock(&u->lock);
	*val = read_reg(u, (unsigned)off);
	update_irq(u);
	page_update(u);
	pthread_mutex_unlock(&u->lock);
	return 0;
}

int uart_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct uart8250 *u = opaque;
	uint8_t c = 0;
	int send;

	if (size != 1 || off > REG_SCR)
		return off > REG_SCR ? 0 : -EINVAL;
	pthread_mutex_lock(&u->lock);
	send = write_reg(u, (unsigned)off, (uint8_t)val, &c);
	update_irq(u);
	page_update(u);
	pthread_mutex_unlock(&u->lock);
	if (send && u->tx)
		u->tx(u->tx_opaque, &c, 1);
	return 0;
}

size_t uart_receive(struct uart8250 *u, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	pthread_mutex_lock(&u->lock);
	while (n < len && u->rx_count < fifo_size(u))
		rx_push(u, buf[n++]);
	update_irq(u);
	page_update(u);
	pthread_mutex_unlock(&u->lock);
	return n;
}

void uart_send_break(struct uart8250 *u)
{
	pthread_mutex_lock(&u->lock);
	while (u->rx_count)
		pthread_cond_wait(&u->rx_space, &u->lock);
	rx_push(u, 0);
	u->lsr |= LSR_BI;
	update_irq(u);
	page_update(u);
	pthread_mutex_unlock(&u->lock);
}

int uart_pop_input(struct uart8250 *u)
{
	int c = -1;

	pthread_mutex_lock(&u->lock);
	if (u->rx_count)
		c = rx_pop(u);
	update_irq(u);
	page_update(u);
	pthread_mutex_unlock(&u->lock);
	return c;
}

size_t uart_wait_rx_space(struct uart8250 *u)
{
	size_t room;

	pthread_mutex_lock(&u->lock);
	while (u->rx_count >= fifo_size(u))
		pthread_cond_wait(&u->rx_space, &u->lock);
	room = fifo_size(u) - u->rx_count;
	pthread_mutex_unlock(&u->lock);
	return room;
}
