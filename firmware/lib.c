// SPDX-License-Identifier: MIT
/* Console output, SBI calls and exit for firmware programs. */
#include "fw.h"

#define UART_THR 0
#define UART_LSR 5
#define LSR_THRE 0x20

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_DBCN 0x4442434e

static enum fw_sink sink = FW_SINK_UART;

void fw_set_sink(enum fw_sink s)
{
	sink = s;
}

struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0,
		       unsigned long a1, unsigned long a2)
{
	register unsigned long r0 asm("a0") = a0;
	register unsigned long r1 asm("a1") = a1;
	register unsigned long r2 asm("a2") = a2;
	register unsigned long r6 asm("a6") = fid;
	register unsigned long r7 asm("a7") = ext;

	asm volatile("ecall"
		     : "+r"(r0), "+r"(r1)
		     : "r"(r2), "r"(r6), "r"(r7)
		     : "memory");
	return (struct sbiret){ (long)r0, (long)r1 };
}

static void uart_putc(char c)
{
	while (!(mmio_read8(FW_UART + UART_LSR) & LSR_THRE))
		;
	mmio_write8(FW_UART + UART_THR, (uint8_t)c);
}

static void sbi_putc(char c)
{
	/* DBCN write_byte (SBI 2.0); the legacy call where DBCN is absent. */
	if (sbi_call(SBI_EXT_DBCN, 2, (unsigned char)c, 0, 0).error)
		sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)c, 0, 0);
}

void fw_putc(char c)
{
	if (c == '\n')
		fw_putc('\r');
	if (sink == FW_SINK_SBI)
		sbi_putc(c);
	else
		uart_putc(c);
}

void fw_puts(const char *s)
{
	while (*s)
		fw_putc(*s++);
}

static void put_num(unsigned long v, unsigned base, int width, char pad)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n < width--)
		fw_putc(pad);
	while (n)
		fw_putc(buf[--n]);
}

/* %s %c %d %u %x %p with optional 0-padding width and l/ll. */
int fw_printf(const char *fmt, ...)
{
	va_list ap;
	long v;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';

		if (*fmt != '%') {
			fw_putc(*fmt);
			continue;
		}
		if (*++fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			fw_puts(va_arg(ap, const char *));
			break;
		case 'c':
			fw_putc((char)va_arg(ap, int));
			break;
		case 'd':
			v = lng ? va_arg(ap, long) : va_arg(ap, int);
			if (v < 0) {
				fw_putc('-');
				v = -v;
			}
			put_num((unsigned long)v, 10, width, pad);
			break;
		case 'u':
			put_num(lng ? va_arg(ap, unsigned long)
				    : va_arg(ap, unsigned),
				10, width, pad);
			break;
		case 'x':
			put_num(lng ? va_arg(ap, unsigned long)
				    : va_arg(ap, unsigned),
				16, width, pad);
			break;
		case 'p':
			fw_puts("0x");
			put_num((unsigned long)va_arg(ap, void *), 16, 0, ' ');
			break;
		case '%':
			fw_putc('%');
			break;
		default:
			fw_putc('?');
		}
	}
	va_end(ap);
	return 0;
}

unsigned long fw_parse(const uint8_t **p, int base)
{
	unsigned long v = 0;

	while (**p == ' ')
		(*p)++;
	if (base == 16 && (*p)[0] == '0' && (*p)[1] == 'x')
		*p += 2;
	for (;; (*p)++) {
		unsigned c = **p, d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return v;
		v = v * (unsigned long)base + d;
	}
}

void fw_exit(unsigned code)
{
	mmio_write32(FW_FINISHER, code ? (code << 16) | 0x3333 : 0x5555);
	for (;;)
		asm volatile("wfi");
}
