// SPDX-License-Identifier: MIT
#include <errno.h>

#include "finisher.h"

int finisher_read(void *f, uint64_t off, unsigned size, uint64_t *val)
{
	(void)f;
	(void)off;
	(void)size;
	*val = 0;
	return 0;
}

int finisher_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct finisher *f = opaque;

	if (off != 0 || size < 4)
		return -EINVAL;
	switch (val & 0xffff) {
	case FINISHER_PASS:
		f->fn(f->opaque, FINISHER_EV_PASS, 0);
		break;
	case FINISHER_FAIL:
		f->fn(f->opaque, FINISHER_EV_FAIL,
		      (unsigned)(val >> 16) & 0xffff);
		break;
	case FINISHER_RESET:
		f->fn(f->opaque, FINISHER_EV_RESET, 0);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}
