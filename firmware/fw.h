/* SPDX-License-Identifier: MIT */
#ifndef FW_H
#define FW_H

/* The bare-metal runtime of our test guests: crt0.S starts hart 0 in main()
 * with a stack and a zeroed bss; lib.c has console output and exit.
 * Addresses are QEMU virt's (DESIGN.md memory map). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define FW_UART 0x10000000UL
#define FW_FINISHER 0x100000UL

int main(unsigned long hartid, unsigned long dtb);

/* Where printf writes: the 16550 (polled) or SBI (DBCN, else legacy). */
enum fw_sink { FW_SINK_UART, FW_SINK_SBI };
void fw_set_sink(enum fw_sink sink);
void fw_putc(char c);
void fw_puts(const char *s);
int fw_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct sbiret {
	long error, value;
};
struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0,
		       unsigned long a1, unsigned long a2);

/* Wait in wfi until *flag changes from old. Interrupts are off around the
 * check, so one that arrives between the check and the wfi still wakes it
 * (wfi returns on a pending interrupt whatever sstatus.SIE says); they are
 * on again in between, to be taken. The jump after enabling them ends
 * QEMU's translation block, where it looks for interrupts. */
static inline void fw_wait_change(volatile int *flag, int old)
{
	for (;;) {
		asm volatile("csrc sstatus, %0" ::"r"(2UL) : "memory");
		if (*flag != old)
			break;
		asm volatile("wfi\n\tcsrs sstatus, %0\n\tj 1f\n1:" ::"r"(2UL)
			     : "memory");
	}
	asm volatile("csrs sstatus, %0" ::"r"(2UL) : "memory");
}

/* End the VM through the test finisher: 0 passes, else fails with code. */
void fw_exit(unsigned code) __attribute__((noreturn));

static inline uint32_t mmio_read32(uintptr_t a)
{
	return *(volatile uint32_t *)a;
}
static inline void mmio_write32(uintptr_t a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}
static inline uint8_t mmio_read8(uintptr_t a)
{
	return *(volatile uint8_t *)a;
}
static inline void mmio_write8(uintptr_t a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}

/* Polled virtio-blk (vblk.c): find and set up the first disk, read one
 * 512-byte sector into buf (its physical address). 0 or -1. */
int vblk_open(void);
int vblk_read(uint64_t sector, void *buf);

#endif
