/* SPDX-License-Identifier: MIT */
#ifndef VMM_MEM_H
#define VMM_MEM_H

#include <stddef.h>
#include <stdint.h>

/* Guest RAM: one contiguous range of guest-physical memory, backed by a
 * memfd mapped once into the monitor. */
struct guest_mem {
	uint64_t base; /* guest-physical address of the first byte */
	uint64_t size;
	uint8_t *host; /* the same bytes in the monitor's address space */
	int fd;
};

int guest_mem_init(struct guest_mem *m, uint64_t base, uint64_t size);
/* All of RAM back to zeroes, as after guest_mem_init(): its pages freed. */
void guest_mem_clear(struct guest_mem *m);
void guest_mem_free(struct guest_mem *m);

/* The monitor's pointer to [gpa, gpa + len), or NULL unless the whole range
 * lies inside guest RAM. Every guest-supplied address goes through here. */
void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);

#endif
