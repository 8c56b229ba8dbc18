// SPDX-License-Identifier: MIT
/* SiFive CLINT (see clint.h). mtime is the host's clock and read-only
 * here: guests of the trap backend read `time` natively anyway. */
#include <errno.h>
#include <stddef.h>

#include "clint.h"

void clint_init(struct clint *c, unsigned nr_harts,
		uint64_t (*now)(void *opaque),
		void (*changed)(void *opaque, unsigned hart), void *opaque)
{
	unsigned i;

	c->nr_harts = nr_harts > CLINT_MAX_HARTS ? CLINT_MAX_HARTS : nr_harts;
	for (i = 0; i < CLINT_MAX_HARTS; i++) {
		c->msip[i] = 0;
		c->mtimecmp[i] = ~0ULL; /* no timer until one is set */
	}
	c->now = now;
	c->changed = changed;
	c->opaque = opaque;
}

uint64_t clint_mip(struct clint *c, unsigned hart)
{
	uint64_t mip = 0;

	if (hart >= c->nr_harts)
		return 0;
	if (__atomic_load_n(&c->msip[hart], __ATOMIC_ACQUIRE) & 1)
		mip |= 1ULL << 3;
	if (c->now(c->opaque) >=
	    __atomic_load_n(&c->mtimecmp[hart], __ATOMIC_ACQUIRE))
		mip |= 1ULL << 7;
	return mip;
}

uint64_t clint_deadline(struct clint *c, unsigned hart)
{
	return hart < c->nr_harts
		       ? __atomic_load_n(&c->mtimecmp[hart], __ATOMIC_ACQUIRE)
		       : ~0ULL;
}

/* Which register, and which of its bytes: 32-bit halves of the 64-bit
 * registers are how RV32 code writes them, so both widths work. */
static int decode(struct clint *c, uint64_t off, unsigned size, unsigned *hart,
		  uint64_t **reg64, uint32_t **reg32, unsigned *shift)
{
	*reg64 = NULL;
	*reg32 = NULL;
	*shift = (off & 7) * 8;
	if ((size != 4 && size != 8) || off & (size - 1))
		return -EINVAL;
	if (off < CLINT_MTIMECMP) {
		*hart = (unsigned)(off / 4);
		if (size != 4 || *hart >= c->nr_harts)
			return -EINVAL;
		*reg32 = &c->msip[*hart];
		*shift = 0;
		return 0;
	}
	if (off >= CLINT_MTIMECMP && off < CLINT_MTIMECMP + 8 * c->nr_harts) {
		*hart = (unsigned)((off - CLINT_MTIMECMP) / 8);
		*reg64 = &c->mtimecmp[*hart];
		return 0;
	}
	if (off >= CLINT_MTIME && off < CLINT_MTIME + 8)
		return 0; /* mtime: neither pointer */
	return -EINVAL;
}

int clint_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
	struct clint *c = opaque;
	uint64_t *r64, v;
	uint32_t *r32;
	unsigned hart, shift;
	int err = decode(c, off, size, &hart, &r64, &r32, &shift);

	if (err)
		return err;
	if (r32)
		v = __atomic_load_n(r32, __ATOMIC_ACQUIRE);
	else if (r64)
		v = __atomic_load_n(r64, __ATOMIC_ACQUIRE);
	else
		v = c->now(c->opaque);
	v >>= shift;
	*val = size == 4 ? (uint32_t)v : v;
	return 0;
}

int clint_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct clint *c = opaque;
	uint64_t *r64, mask;
	uint32_t *r32;
	unsigned hart, shift;
	int err = decode(c, off, size, &hart, &r64, &r32, &shift);

	if (err)
		return err;
	if (r32) {
		__atomic_store_n(r32, (uint32_t)val & 1, __ATOMIC_RELEASE);
	} else if (r64) {
		mask = size == 8 ? ~0ULL : 0xffffffffULL << shift;
		__atomic_store_n(r64, (*r64 & ~mask) | ((val << shift) & mask),
				 __ATOMIC_RELEASE);
	} else {
		return 0; /* mtime is the host's clock: writes are ignored */
	}
	if (c->changed)
		c->changed(c->opaque, hart);
	return 0;
}
