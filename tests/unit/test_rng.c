// SPDX-License-Identifier: MIT
/* virtio-rng's fill of a popped chain: writable buffers only, in order,
 * bounded, nothing when the source fails. */
#include <errno.h>
#include <string.h>

#include "unit.h"

#include "../../virtio/rng.h"

static unsigned calls;

static int fake_random(void *buf, size_t len)
{
	calls++;
	memset(buf, 0xa5, len);
	return 0;
}

static int failing_random(void *buf, size_t len)
{
	(void)buf;
	(void)len;
	return -EAGAIN;
}

static uint8_t a[16], b[32], c[8];

static void chain(struct virtq_req *req)
{
	memset(req, 0, sizeof(*req));
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	memset(c, 0, sizeof(c));
	req->nr_bufs = 3;
	req->bufs[0] = (struct virtq_buf){ a, sizeof(a), 1 };
	req->bufs[1] = (struct virtq_buf){ b, sizeof(b), 0 }; /* readable */
	req->bufs[2] = (struct virtq_buf){ c, sizeof(c), 1 };
}

static void test_writable_buffers_only(void **state)
{
	static struct virtq_req req;

	(void)state;
	chain(&req);
	calls = 0;
	assert_int_equal(rng_fill(&req, fake_random, RNG_MAX_FILL), 24);
	assert_int_equal(a[15], 0xa5);
	assert_int_equal(c[7], 0xa5);
	assert_int_equal(b[0], 0); /* the driver's: left alone */
	assert_int_equal(calls, 2);
}

static void test_bounded(void **state)
{
	static struct virtq_req req;

	(void)state;
	chain(&req);
	assert_int_equal(rng_fill(&req, fake_random, 20), 20);
	assert_int_equal(a[15], 0xa5);
	assert_int_equal(c[3], 0xa5);
	assert_int_equal(c[4], 0); /* past the bound */
	assert_int_equal(rng_fill(&req, fake_random, 0), 0);
}

static void test_source_fails(void **state)
{
	static struct virtq_req req;

	(void)state;
	chain(&req);
	assert_int_equal(rng_fill(&req, failing_random, RNG_MAX_FILL), 0);
	req.nr_bufs = 0;
	assert_int_equal(rng_fill(&req, fake_random, RNG_MAX_FILL), 0);
}

static void test_host_source(void **state)
{
	uint8_t x[64] = { 0 }, y[64] = { 0 };

	(void)state;
	assert_int_equal(rng_host_random(x, sizeof(x)), 0);
	assert_int_equal(rng_host_random(y, sizeof(y)), 0);
	assert_memory_not_equal(x, y, sizeof(x));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writable_buffers_only),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_source_fails),
		cmocka_unit_test(test_host_source),
	};

	return RUN(tests);
}
