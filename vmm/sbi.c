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

static int extension_present(const struct sbi *s, uint64_t ext)
{
	switch (ext) {
	case SBI_EXT_LEGACY_PUTCHAR:
	case SBI_EXT_LEGACY_GETCHAR:
	case SBI_EXT_DBCN:
		return 1;
	case SBI_EXT_BASE:
	case SBI_EXT_SRST:
	case SBI_EXT_LEGACY_SHUTDOWN:
		return s->system_reset != NULL;
	case SBI_EXT_TIME:
	case SBI_EXT_LEGACY_SET_TIMER:
		return s->set_timer != NULL;
	}
	return 0;
}

/* Base extension (chapter 4). */
static void base(struct sbi *s, struct sbi_call *c)
{
	switch (c->fid) {
	case 0:
		ret(c, SBI_SUCCESS, SBI_SPEC_VERSION);
		return;
	case 1:
		ret(c, SBI_SUCCESS, SBI_IMPL_ID);
		return;
	case 2:
		ret(c, SBI_SUCCESS, 1);
		return;
	case 3:
		ret(c, SBI_SUCCESS, extension_present(s, c->args[0]));
		return;
	case 4: /* mvendorid, marchid, mimpid: none */
	case 5:
	case 6:
		ret(c, SBI_SUCCESS, 0);
		return;
	}
	ret(c, SBI_ERR_NOT_SUPPORTED, 0);
}

/* System reset (chapter 10): shutdown, cold and warm reboot. */
static void srst(struct sbi *s, struct sbi_call *c)
{
	if (c->fid != 0) {
		ret(c, SBI_ERR_NOT_SUPPORTED, 0);
		return;
	}
	if (c->args[0] > 2 || c->args[1] > 1) {
		ret(c, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	s->system_reset(s->reset_opaque, c->args[0] == 0 ? SBI_RESET_SHUTDOWN
							 : SBI_RESET_REBOOT);
	ret(c, SBI_SUCCESS, 0);
}

int sbi_handle(struct sbi *s, struct sbi_call *c)
{
	uint8_t byte;

	if (s->system_reset) {
		switch (c->ext) {
		case SBI_EXT_BASE:
			base(s, c);
			return 0;
		case SBI_EXT_SRST:
			srst(s, c);
			return 0;
		case SBI_EXT_LEGACY_SHUTDOWN:
			s->system_reset(s->reset_opaque, SBI_RESET_SHUTDOWN);
			ret(c, 0, 0);
			return 0;
		}
	}
	if (s->set_timer && (c->ext == SBI_EXT_LEGACY_SET_TIMER ||
			     (c->ext == SBI_EXT_TIME && c->fid == 0))) {
		s->set_timer(s->reset_opaque, c->args[0]);
		ret(c, SBI_SUCCESS, 0);
		return 0;
	}
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
