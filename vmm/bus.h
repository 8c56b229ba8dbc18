/* SPDX-License-Identifier: MIT */
#ifndef VMM_BUS_H
#define VMM_BUS_H

#include <stdint.h>

/* The MMIO bus: a table of address ranges, each with a device's handlers
 * (after TinyEMU's physical memory map). Handlers get the offset inside
 * their range and the access size in bytes (1, 2, 4 or 8), and return 0 or
 * a negative errno; they lock their own state, since vCPUs call them from
 * several threads at once. */
typedef int (*bus_read_fn)(void *opaque, uint64_t off, unsigned size,
			   uint64_t *val);
typedef int (*bus_write_fn)(void *opaque, uint64_t off, unsigned size,
			    uint64_t val);

struct bus_region {
	const char *name;
	uint64_t base, size;
	void *opaque;
	bus_read_fn read;
	bus_write_fn write;
};

#define BUS_MAX_REGIONS 32

struct bus {
	struct bus_region regions[BUS_MAX_REGIONS];
	int nr;
};

int bus_register(struct bus *bus, const struct bus_region *r);
const struct bus_region *bus_find(const struct bus *bus, uint64_t addr,
				  unsigned size);
/* -EFAULT when nothing is mapped there, else what the device returned.
 * Reads of unmapped space still set *val to 0. */
int bus_read(const struct bus *bus, uint64_t addr, unsigned size,
	     uint64_t *val);
int bus_write(const struct bus *bus, uint64_t addr, unsigned size,
	      uint64_t val);

#endif
