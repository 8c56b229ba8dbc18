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

/* The time CSR: natively readable on every backend. */
static inline unsigned long rdtime(void)
{
	unsigned long t;

	asm volatile("rdtime %0" : "=r"(t));
	return t;
}

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

/* The number at *p after any spaces (base 10, or 16 with an optional 0x),
 * *p left after it. */
unsigned long fw_parse(const uint8_t **p, int base);

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

/* Sv39 page-table entries (privileged spec 4.4) and satp's mode. */
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define SATP_SV39 (8UL << 60)

/* virtio-mmio (vmmio.c): the first version 2 slot holding device_id (its
 * base, or 0); reset and negotiate VERSION_1 and features (bits 0-31): 0,
 * or -1 when the device refuses; give it queue q of num entries; start it
 * (DRIVER_OK). */
uintptr_t fw_virtio_find(uint32_t device_id);
int fw_virtio_negotiate(uintptr_t dev, uint32_t features);
void fw_virtio_queue(uintptr_t dev, unsigned q, unsigned num, const void *desc,
		     const void *avail, const void *used);
void fw_virtio_start(uintptr_t dev);

/* virtio-blk (vblk.c): find and set up the first disk, read one 512-byte
 * sector into buf (its physical address), polling. 0 or -1. */
int vblk_open(void);
int vblk_read(uint64_t sector, void *buf);
/* The same read in two halves: submit, then vblk_done() is 0 while the
 * request is in flight, 1 once it succeeded, -1 when it failed. */
void vblk_submit(uint64_t sector, void *buf);
int vblk_done(void);
/* Ask the device to interrupt on each completion; its PLIC source; read
 * and acknowledge InterruptStatus (virtio 1.2, 4.2.2), returned. */
void vblk_use_interrupts(void);
unsigned vblk_irq(void);
uint32_t vblk_ack(void);

/* mtimer.S: an M-mode vector for M-mode kernels that forward each CLINT
 * tick to S-mode as a software interrupt; mscratch must point at three
 * words, the third the tick. */
void fw_mtimer_vec(void);

/* The PLIC (sifive,plic-1.0.0 as on QEMU virt): context 2*hart is the
 * hart's M-mode one, 2*hart+1 its S-mode one. */
#define FW_PLIC 0x0c000000UL
static inline void plic_set_priority(unsigned irq, uint32_t prio)
{
	mmio_write32(FW_PLIC + 4 * irq, prio);
}
static inline void plic_enable(unsigned ctx, unsigned irq, int on)
{
	uintptr_t a = FW_PLIC + 0x2000 + 0x80 * ctx + 4 * (irq / 32);
	uint32_t bit = 1u << (irq % 32);

	mmio_write32(a, on ? mmio_read32(a) | bit : mmio_read32(a) & ~bit);
}
static inline void plic_set_threshold(unsigned ctx, uint32_t t)
{
	mmio_write32(FW_PLIC + 0x200000 + 0x1000 * ctx, t);
}
static inline unsigned plic_claim(unsigned ctx)
{
	return mmio_read32(FW_PLIC + 0x200004 + 0x1000 * ctx);
}
static inline void plic_complete(unsigned ctx, unsigned irq)
{
	mmio_write32(FW_PLIC + 0x200004 + 0x1000 * ctx, irq);
}

#endif
