// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stddef.h>

#include "bus.h"

static int overlaps(const struct bus_region *a, const struct bus_region *b)
{
	return a->base < b->base + b->size && b->base < a->base + a->size;
}

int bus_register(struct bus *bus, const struct bus_region *r)
{
	int i;

	if (!r->size || r->base + r->size < r->base)
		return -EINVAL;
	for (i = 0; i < bus->nr; i++)
		if (overlaps(&bus->regions[i], r))
			return -EEXIST;
	if (bus->nr == BUS_MAX_REGIONS)
		return -ENOSPC;
	bus->regions[bus->nr++] = *r;
	return 0;
}

const struct bus_region *bus_find(const struct bus *bus, uint64_t addr,
				  unsigned size)
{
	int i;

	for (i = 0; i < bus->nr; i++) {
		const struct bus_region *r = &bus->regions[i];

		if (addr >= r->base && addr - r->base < r->size &&
		    size <= r->size - (addr - r->base))
			return r;
	}
	return NULL;
}

static int size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

int bus_read(const struct bus *bus, uint64_t addr, unsigned size, uint64_t *val)
{
	const struct bus_region *r = bus_find(bus, addr, size);

	*val = 0;
	if (!r || !size_ok(size))
		return -EFAULT;
	return r->read(r->opaque, addr - r->base, size, val);
}

int bus_write(const struct bus *bus, uint64_t addr, unsigned size, uint64_t val)
{
	const struct bus_region *r = bus_find(bus, addr, size);

	if (!r || !size_ok(size))
		return -EFAULT;
	return r->write(r->opaque, addr - r->base, size, val);
}
