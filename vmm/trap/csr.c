// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "../log.h"
#include "csr.h"

static int host_random(void *buf, size_t len)
{
	ssize_t n = getrandom(buf, len, 0);

	return n == (ssize_t)len ? 0 : -EIO;
}

static uint64_t host_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void csr_emul_init(struct csr_emul *c, uint64_t timebase_hz)
{
	memset(c, 0, sizeof(*c));
	c->timebase_hz = timebase_hz;
	c->random = host_random;
	c->now_ns = host_now_ns;
}

static uint64_t ticks(const struct csr_emul *c)
{
	uint64_t ns = c->now_ns();

	/* Split to keep ns * hz from overflowing 64 bits. */
	return (ns / 1000000000ULL) * c->timebase_hz +
	       (ns % 1000000000ULL) * c->timebase_hz / 1000000000ULL;
}

static void warn_once(struct csr_emul *c, unsigned csr)
{
	uint32_t bit = 1u << (csr % 32);

	if (__atomic_fetch_or(&c->warned[csr / 32], bit, __ATOMIC_RELAXED) &
	    bit)
		return;
	pr_warn("guest accessed unknown CSR 0x%03x: reads as 0, writes ignored",
		csr);
}

int csr_emulate(struct csr_emul *c, unsigned csr, uint64_t new_value,
		uint64_t write_mask, uint64_t *old)
{
	uint16_t entropy;

	(void)new_value;
	(void)write_mask;
	*old = 0;
	csr &= 0xfff;
	switch (csr) {
	case CSR_SEED:
		/* Each access returns fresh entropy; writes are ignored. */
		if (c->random(&entropy, sizeof(entropy)) < 0)
			return -EIO;
		*old = SEED_OPST_ES16 | entropy;
		return 0;
	case CSR_CYCLE:
		*old = c->now_ns(); /* a 1 GHz clock */
		return 0;
	case CSR_TIME:
		*old = ticks(c);
		return 0;
	case CSR_INSTRET:
		*old = c->now_ns();
		return 0;
	}
	if (csr >= CSR_HPMCOUNTER3 && csr <= CSR_HPMCOUNTER31)
		return 0; /* no hardware performance counters */
	warn_once(c, csr);
	return 0;
}
