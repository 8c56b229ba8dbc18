// SPDX-License-Identifier: MIT
#include "unit.h"

#include "../../vmm/log.h"
#include "../../vmm/trap/csr.h"

static uint64_t fake_ns;
static int random_calls, random_fails;

static uint64_t fake_now(void)
{
	return fake_ns;
}

static int fake_random(void *buf, size_t len)
{
	random_calls++;
	if (random_fails)
		return -EIO;
	memset(buf, 0xa5 + random_calls, len);
	return 0;
}

static struct csr_emul c;

static int setup(void **state)
{
	(void)state;
	csr_emul_init(&c, 10000000);
	c.now_ns = fake_now;
	c.random = fake_random;
	random_calls = random_fails = 0;
	fake_ns = 0;
	return 0;
}

static void test_seed_reports_es16_with_fresh_entropy(void **state)
{
	uint64_t a, b;

	(void)state;
	assert_int_equal(csr_emulate(&c, CSR_SEED, 0, ~0ULL, &a), 0);
	assert_int_equal(csr_emulate(&c, CSR_SEED, 0, ~0ULL, &b), 0);
	assert_int_equal(a >> 30, 2); /* OPST = ES16 */
	assert_int_equal(b >> 30, 2);
	assert_int_equal(a & 0x3fff0000, 0); /* reserved bits zero */
	assert_int_not_equal(a & 0xffff, b & 0xffff);
	assert_int_equal(random_calls, 2);
}

static void test_seed_entropy_failure(void **state)
{
	uint64_t v = 1;

	(void)state;
	random_fails = 1;
	assert_int_equal(csr_emulate(&c, CSR_SEED, 0, ~0ULL, &v), -EIO);
	assert_int_equal(v, 0);
}

static void test_real_entropy_source(void **state)
{
	struct csr_emul real;
	uint64_t v[8];
	int i, same = 0;

	(void)state;
	csr_emul_init(&real, 1000000);
	for (i = 0; i < 8; i++) {
		assert_int_equal(csr_emulate(&real, CSR_SEED, 0, ~0ULL, &v[i]),
				 0);
		if (i && v[i] == v[i - 1])
			same++;
	}
	assert_true(same < 7);
}

static void test_time_counts_in_timebase_ticks(void **state)
{
	uint64_t v;

	(void)state;
	fake_ns = 2500000000ULL; /* 2.5 s at 10 MHz */
	assert_int_equal(csr_emulate(&c, CSR_TIME, 0, 0, &v), 0);
	assert_int_equal(v, 25000000);
	fake_ns = 1000000000ULL * 100000 + 100; /* no overflow after a day */
	csr_emulate(&c, CSR_TIME, 0, 0, &v);
	assert_int_equal(v, 1000000000001ULL);
}

static void test_cycle_instret_and_hpm(void **state)
{
	uint64_t v;

	(void)state;
	fake_ns = 777;
	csr_emulate(&c, CSR_CYCLE, 0, 0, &v);
	assert_int_equal(v, 777);
	csr_emulate(&c, CSR_INSTRET, 0, 0, &v);
	assert_int_equal(v, 777);
	v = 5;
	csr_emulate(&c, CSR_HPMCOUNTER3 + 7, 0, 0, &v);
	assert_int_equal(v, 0);
}

static void test_unknown_csr_reads_zero_warns_once(void **state)
{
	uint64_t v = 99;

	(void)state;
	log_level = LOG_ERROR; /* keep the test output quiet */
	assert_int_equal(csr_emulate(&c, 0x7c0, 1234, ~0ULL, &v), 0);
	assert_int_equal(v, 0);
	assert_true(c.warned[0x7c0 / 32] & (1u << (0x7c0 % 32)));
	assert_int_equal(csr_emulate(&c, 0x7c0, 1234, ~0ULL, &v), 0);
	assert_int_equal(v, 0); /* the write was ignored */
	assert_false(c.warned[0x7c1 / 32] & (1u << (0x7c1 % 32)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(
			test_seed_reports_es16_with_fresh_entropy, setup),
		cmocka_unit_test_setup(test_seed_entropy_failure, setup),
		cmocka_unit_test_setup(test_real_entropy_source, setup),
		cmocka_unit_test_setup(test_time_counts_in_timebase_ticks,
				       setup),
		cmocka_unit_test_setup(test_cycle_instret_and_hpm, setup),
		cmocka_unit_test_setup(test_unknown_csr_reads_zero_warns_once,
				       setup),
	};

	return RUN(tests);
}
