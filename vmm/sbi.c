// SPDX-License-Identifier: MIT
#include "sbi.h"

static void ret(struct sbi_call *c, int64_t err, int64_t val)
{
	c->ret[0] = err;
	c->ret[1] = val;
}

/* DBCN read/write: a0 = num_bytes, a1 = base_addr_lo, a2 = base_addr_hi.
 * The buffer is guest-physical and must lie entirely in RAM. */
static void dbcn_rw(struct sbi *s, struct sbi_call *c, int write)
{
	uint64_t len = c->args[0];
	uint64_t n = 0;
	uint8_t *p;
	int ch;

	/* On RV64 a1 holds the whole address and a2 must be zero. */
	if (c->args[2]) {
		ret(c, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	p = guest_mem_ptr(s->mem, c->args[1], len);
	if (!p && len) {
		ret(c, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	if (write) {
		if (len)
			s->con.write(s->con.opaque, p, len);
		ret(c, SBI_SUCCESS, (int64_t)len);
		return;
	}
	while (n < len && (ch = s->con.getchar(s->con.opaque)) >= 0)
		p[n++] = (uint8_t)ch;
	ret(c, SBI_SUCCESS, (int64_t)n);
}

int sbi_handle(struct sbi *s, struct sbi_call *c)
{
	uint8_t byte;

	switch (c->ext) {
	case SBI_EXT_LEGACY_PUTCHAR:
		byte = (uint8_t)c->args[0];
		s->con.write(s->con.opaque, &byte, 1);
		ret(c, 0, 0);
		return 0;
	case SBI_EXT_LEGACY_GETCHAR:
		ret(c, s->con.getchar(s->con.opaque), 0);
		return 0;
	case SBI_EXT_DBCN:
		switch (c->fid) {
		case SBI_DBCN_WRITE:
		case SBI_DBCN_READ:
			dbcn_rw(s, c, c->fid == SBI_DBCN_WRITE);
			return 0;
		case SBI_DBCN_WRITE_BYTE:
			byte = (uint8_t)c->args[0];
			s->con.write(s->con.opaque, &byte, 1);
			ret(c, SBI_SUCCESS, 0);
			return 0;
		}
		break;
	}
	ret(c, SBI_ERR_NOT_SUPPORTED, 0);
	return 0;
}
