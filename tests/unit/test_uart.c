// SPDX-License-Identifier: MIT
#include "unit.h"

#include "../../vmm/hw/uart8250.h"

enum {
	RBR = 0,
	THR = 0,
	DLL = 0,
	IER = 1,
	DLM = 1,
	IIR = 2,
	FCR = 2,
	LCR = 3,
	MCR = 4,
	LSR = 5,
	MSR = 6,
	SCR = 7
};

static struct uart8250 u;
static int irq_level;
static char txbuf[256];
static size_t txlen;

static void set_level(void *ctrl, unsigned irq, int level)
{
	(void)ctrl;
	assert_int_equal(irq, UART_IRQ);
	irq_level = level;
}

static void tx(void *opaque, const uint8_t *buf, size_t len)
{
	(void)opaque;
	memcpy(txbuf + txlen, buf, len);
	txlen += len;
}

static int setup(void **state)
{
	struct irq_line l = { set_level, NULL, UART_IRQ };

	(void)state;
	irq_level = 0;
	txlen = 0;
	uart_init(&u, l, tx, NULL);
	return 0;
}

static uint8_t rd(unsigned reg)
{
	uint64_t v;

	assert_int_equal(uart_read(&u, reg, 1, &v), 0);
	return (uint8_t)v;
}

static void wr(unsigned reg, uint8_t v)
{
	assert_int_equal(uart_write(&u, reg, 1, v), 0);
}

static void test_transmit(void **state)
{
	(void)state;
	assert_int_equal(rd(LSR) & 0x60, 0x60); /* THRE | TEMT */
	wr(THR, 'h');
	wr(THR, 'i');
	assert_int_equal(txlen, 2);
	assert_memory_equal(txbuf, "hi", 2);
}

static void test_divisor_latch(void **state)
{
	(void)state;
	wr(LCR, 0x83); /* DLAB, 8N1 */
	wr(DLL, 0x0c);
	wr(DLM, 0x01);
	assert_int_equal(rd(DLL), 0x0c);
	assert_int_equal(rd(DLM), 0x01);
	wr(LCR, 0x03);
	assert_int_equal(rd(LCR), 0x03);
	assert_int_equal(rd(IER), 0); /* DLM did not touch IER */
	wr(THR, 'x');
	assert_int_equal(txlen, 1); /* DLL write did not transmit */
}

static void test_receive_fifo_and_interrupt(void **state)
{
	uint8_t in[20];
	int i;

	(void)state;
	for (i = 0; i < 20; i++)
		in[i] = (uint8_t)('a' + i);
	assert_int_equal(uart_receive(&u, in, 5), 1); /* FIFOs off: 1 byte */
	assert_int_equal(rd(RBR), 'a');
	wr(FCR, 0x07);
	assert_int_equal(rd(IIR) & 0xc0, 0xc0);
	assert_int_equal(uart_receive(&u, in, 20), UART_FIFO_SIZE);
	assert_int_equal(irq_level, 0); /* RDI not enabled */
	wr(IER, 0x01);
	assert_int_equal(irq_level, 1);
	assert_int_equal(rd(IIR) & 0x0f, 0x04); /* received data */
	for (i = 0; i < UART_FIFO_SIZE; i++) {
		assert_true(rd(LSR) & 0x01);
		assert_int_equal(rd(RBR), 'a' + i);
	}
	assert_false(rd(LSR) & 0x01);
	assert_int_equal(irq_level, 0);
	assert_int_equal(rd(IIR) & 0x0f, 0x01); /* none */
}

static void test_thre_interrupt(void **state)
{
	(void)state;
	wr(IER, 0x02); /* enabling THRI with THR empty raises it */
	assert_int_equal(irq_level, 1);
	assert_int_equal(rd(IIR) & 0x0f, 0x02);
	assert_int_equal(irq_level, 0); /* reading IIR acknowledged it */
	wr(THR, 'z');
	assert_int_equal(irq_level, 1);
	wr(IER, 0x00);
	assert_int_equal(irq_level, 0);
}

static void test_rx_has_priority_over_thre(void **state)
{
	uint8_t c = 'q';

	(void)state;
	wr(IER, 0x03);
	uart_receive(&u, &c, 1);
	assert_int_equal(rd(IIR) & 0x0f, 0x04);
	rd(RBR);
	assert_int_equal(rd(IIR) & 0x0f, 0x02);
}

static void test_loopback(void **state)
{
	(void)state;
	wr(FCR, 0x01);
	wr(MCR, 0x10 | 0x08 | 0x02 | 0x01); /* LOOP, OUT2, RTS, DTR */
	wr(IER, 0x01);
	wr(THR, 'L');
	assert_int_equal(txlen, 0); /* nothing leaves in loopback */
	assert_int_equal(irq_level, 0); /* OUT2 is cut off from the PLIC */
	assert_int_equal(rd(RBR), 'L');
	assert_int_equal(rd(MSR) & 0xf0, 0x10 | 0x20 | 0x80); /* CTS DSR DCD */
	wr(MCR, 0);
	assert_int_equal(rd(MCR), 0);
}

static void test_overrun(void **state)
{
	uint8_t two[2] = { '1', '2' };

	(void)state;
	assert_int_equal(uart_receive(&u, two, 2), 1);
	wr(MCR, 0x10);
	wr(THR, 'x'); /* loopback into a full receiver */
	assert_true(rd(LSR) & 0x02);
	assert_false(rd(LSR) & 0x02); /* cleared by the read */
}

static void test_scratch_and_bad_widths(void **state)
{
	uint64_t v;

	(void)state;
	wr(SCR, 0x5a);
	assert_int_equal(rd(SCR), 0x5a);
	assert_int_equal(uart_read(&u, LSR, 4, &v), -EINVAL);
	assert_int_equal(uart_write(&u, THR, 2, 'x'), -EINVAL);
	assert_int_equal(txlen, 0);
	/* Past the eight registers: reads 0, writes ignored. */
	assert_int_equal(uart_read(&u, 0x40, 1, &v), 0);
	assert_int_equal(v, 0);
}

static void test_pop_input_and_reset(void **state)
{
	uint8_t c = 'k';

	(void)state;
	assert_int_equal(uart_pop_input(&u), -1);
	uart_receive(&u, &c, 1);
	assert_int_equal(uart_pop_input(&u), 'k');
	wr(IER, 0x0f);
	wr(LCR, 0x83);
	uart_reset(&u);
	assert_int_equal(rd(LCR), 0);
	assert_int_equal(rd(IER), 0);
	assert_int_equal(uart_wait_rx_space(&u), 1);
}

/* Linux's set-up: clear the FIFOs, drain RBR twice, then enable the
 * receive interrupt. Nothing typed or piped in before is lost. */
static void test_driver_setup_keeps_input(void **state)
{
	uint8_t in[3] = { 'x', 'y', 'z' };

	(void)state;
	wr(FCR, 0x01);
	assert_int_equal(uart_receive(&u, in, 3), 3);
	uart_reset(&u); /* a guest reboot keeps them too */
	wr(FCR, 0x07); /* clear both FIFOs */
	assert_false(rd(LSR) & 0x01); /* hidden until the driver is ready */
	rd(RBR);
	rd(IIR);
	rd(LSR);
	rd(RBR);
	wr(IER, 0x01); /* ready: data shows, by interrupt */
	assert_int_equal(irq_level, 1);
	assert_int_equal(rd(IIR) & 0x0f, 0x04);
	assert_int_equal(rd(RBR), 'x');
	assert_int_equal(rd(RBR), 'y');
	assert_int_equal(rd(RBR), 'z');
	assert_false(rd(LSR) & 0x01);
}

/* A polling driver (U-Boot's) that clears the FIFO gets the input once it
 * polls LSR for it. */
static void test_polling_driver_gets_input_after_clear(void **state)
{
	uint8_t c = 'p';
	int i;

	(void)state;
	wr(FCR, 0x07);
	uart_receive(&u, &c, 1);
	for (i = 0; i < 200 && !(rd(LSR) & 0x01); i++)
		;
	assert_true(i > 0 && i < 200);
	assert_int_equal(rd(RBR), 'p');
}

static uint8_t page[UART_PAGE_SIZE];
static int shown, show_calls, show_err;

static int show(void *opaque, int on)
{
	(void)opaque;
	show_calls++;
	if (show_err)
		return show_err;
	shown = on;
	return 0;
}

static void start_page(void)
{
	memset(page, 0xee, sizeof(page));
	shown = show_calls = show_err = 0;
	uart_set_page(&u, page, show, NULL);
	uart_page_start(&u);
}

/* What the page holds is what each register reads, while it is shown. */
static void test_page_reads_as_the_registers(void **state)
{
	unsigned reg;

	(void)state;
	start_page();
	assert_int_equal(shown, 1);
	wr(FCR, 0x01);
	wr(SCR, 0x5a);
	wr(MCR, 0x0b);
	wr(LCR, 0x03);
	wr(THR, 'x'); /* a byte sent changes nothing a read sees */
	assert_int_equal(shown, 1);
	for (reg = RBR; reg <= SCR; reg++)
		assert_int_equal(page[reg], rd(reg));
	assert_int_equal(page[LSR], 0x60);
	assert_int_equal(page[IIR], 0xc1);
}

/* The divisor latch hides it for a while; an interrupt enabled, for the
 * rest of the boot, as does input or loopback. */
static void test_page_follows_the_driver(void **state)
{
	(void)state;
	start_page();
	wr(LCR, 0x83);
	assert_int_equal(shown, 0);
	wr(DLL, 0x01);
	wr(LCR, 0x03);
	assert_int_equal(shown, 1);
	wr(IER, 0x00);
	assert_int_equal(shown, 1);
	wr(IER, 0x01);
	assert_int_equal(shown, 0);
	wr(IER, 0x00);
	wr(LCR, 0x83);
	wr(LCR, 0x03);
	assert_int_equal(shown, 0);
	assert_int_equal(show_calls, 4); /* shown, hidden, shown, hidden */
	uart_reset(&u); /* a new boot may show it again */
	uart_page_start(&u);
	assert_int_equal(shown, 1);
}

static void test_page_taken_back_for_input_and_loopback(void **state)
{
	uint8_t c = 'i';

	(void)state;
	start_page();
	uart_receive(&u, &c, 1);
	assert_int_equal(shown, 0);
	assert_int_equal(rd(LSR) & 0x01, 0x01);
	assert_int_equal(rd(RBR), 'i');
	uart_reset(&u);
	uart_page_start(&u);
	assert_int_equal(shown, 1);
	wr(MCR, 0x10);
	assert_int_equal(shown, 0);
}

/* At the end of a boot the backend goes first: input that comes after
 * (a stop's SysRq) must not ask it to take the page back. */
static void test_page_stop_asks_nothing_more(void **state)
{
	uint8_t c = 's';

	(void)state;
	start_page();
	uart_page_stop(&u);
	show_calls = 0;
	uart_send_break(&u);
	assert_int_equal(uart_pop_input(&u), 0);
	uart_receive(&u, &c, 1);
	assert_int_equal(show_calls, 0);
}

/* A backend that cannot show it: reads exit, and it is not asked again. */
static void test_page_not_shown_after_a_failure(void **state)
{
	(void)state;
	shown = show_calls = 0;
	show_err = -ENOSPC;
	uart_set_page(&u, page, show, NULL);
	uart_page_start(&u);
	wr(LCR, 0x83);
	wr(LCR, 0x03);
	assert_int_equal(shown, 0);
	assert_int_equal(show_calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_transmit, setup),
		cmocka_unit_test_setup(test_divisor_latch, setup),
		cmocka_unit_test_setup(test_receive_fifo_and_interrupt, setup),
		cmocka_unit_test_setup(test_thre_interrupt, setup),
		cmocka_unit_test_setup(test_rx_has_priority_over_thre, setup),
		cmocka_unit_test_setup(test_loopback, setup),
		cmocka_unit_test_setup(test_overrun, setup),
		cmocka_unit_test_setup(test_scratch_and_bad_widths, setup),
		cmocka_unit_test_setup(test_pop_input_and_reset, setup),
		cmocka_unit_test_setup(test_driver_setup_keeps_input, setup),
		cmocka_unit_test_setup(
			test_polling_driver_gets_input_after_clear, setup),
		cmocka_unit_test_setup(test_page_reads_as_the_registers, setup),
		cmocka_unit_test_setup(test_page_follows_the_driver, setup),
		cmocka_unit_test_setup(
			test_page_taken_back_for_input_and_loopback, setup),
		cmocka_unit_test_setup(test_page_not_shown_after_a_failure,
				       setup),
		cmocka_unit_test_setup(test_page_stop_asks_nothing_more, setup),
	};

	return RUN(tests);
}
