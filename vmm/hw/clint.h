/* SPDX-License-Identifier: MIT */
#ifndef VMM_HW_CLINT_H
#define VMM_HW_CLINT_H

#include <stdint.h>

/*
 * SiFive CLINT ("sifive,clint0", QEMU virt's): per hart a machine software
 * interrupt bit (msip) and a timer compare (mtimecmp), and one mtime. M-mode
 * guests of the trap backend program their timers and IPIs through it. The
 * backend asks clint_mip() which of MSIP and MTIP a hart has pending, and
 * hears through changed() when a write may have moved them.
 */
#define CLINT_BASE 0x02000000ULL
#define CLINT_SIZE 0x10000ULL
#define CLINT_MAX_HARTS 8
#define CLINT_MSIP 0x0000 /* 4 bytes per hart */
#define CLINT_MTIMECMP 0x4000 /* 8 bytes per hart */
#define CLINT_MTIME 0xbff8

struct clint {
	unsigned nr_harts;
	uint32_t msip[CLINT_MAX_HARTS];
	uint64_t mtimecmp[CLINT_MAX_HARTS];
	uint64_t (*now)(void *opaque); /* mtime, in timebase ticks */
	void (*changed)(void *opaque, unsigned hart);
	void *opaque;
};

void clint_init(struct clint *c, unsigned nr_harts,
		uint64_t (*now)(void *opaque),
		void (*changed)(void *opaque, unsigned hart), void *opaque);
/* mip's MSIP (bit 3) and MTIP (bit 7) for hart, as of now. */
uint64_t clint_mip(struct clint *c, unsigned hart);
/* The hart's timer deadline, ~0 when none can come. */
uint64_t clint_deadline(struct clint *c, unsigned hart);

int clint_read(void *c, uint64_t off, unsigned size, uint64_t *val);
int clint_write(void *c, uint64_t off, unsigned size, uint64_t val);

#endif
