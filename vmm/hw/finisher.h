/* SPDX-License-Identifier: MIT */
#ifndef VMM_HW_FINISHER_H
#define VMM_HW_FINISHER_H

#include <stdint.h>

/* SiFive test finisher ("sifive,test1"), as on QEMU's virt machine: the
 * guest writes FINISHER_PASS, FINISHER_RESET or (code << 16) | FINISHER_FAIL
 * to offset 0 to end the VM. */
#define FINISHER_BASE 0x100000ULL
#define FINISHER_SIZE 0x1000ULL
#define FINISHER_FAIL 0x3333
#define FINISHER_PASS 0x5555
#define FINISHER_RESET 0x7777

enum finisher_event { FINISHER_EV_PASS, FINISHER_EV_FAIL, FINISHER_EV_RESET };

typedef void (*finisher_fn)(void *opaque, enum finisher_event ev,
			    unsigned code);

struct finisher {
	finisher_fn fn;
	void *opaque;
};

int finisher_read(void *f, uint64_t off, unsigned size, uint64_t *val);
int finisher_write(void *f, uint64_t off, unsigned size, uint64_t val);

#endif
