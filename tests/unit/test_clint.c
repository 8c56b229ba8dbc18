// SPDX-License-Identifier: MIT
#include "unit.h"

#include "../../vmm/hw/clint.h"

static uint64_t mtime;
static int changes[CLINT_MAX_HARTS];

static uint64_t now(void *opaque)
{
	(void)opaque;
	return mtime;
}

static void changed(void *opaque, unsigned hart)
{
	(void)opaque;
	changes[hart]++;
}

static struct clint c;

static void setup(unsigned harts)
{
	memset(changes, 0, sizeof(changes));
	mtime = 1000;
	clint_init(&c, harts, now, changed, NULL);
}

static void test_timer_pends_once_mtime_reaches_mtimecmp(void **state)
{
	(void)state;
	setup(2);
	assert_int_equal(clint_mip(&c, 0), 0); /* reset: no deadline */
	assert_int_equal(clint_write(&c, CLINT_MTIMECMP + 8, 8, 1500), 0);
	assert_int_equal(changes[1], 1);
	assert_int_equal(clint_deadline(&c, 1), 1500);
	assert_int_equal(clint_mip(&c, 1), 0);
	mtime = 1500;
	assert_int_equal(clint_mip(&c, 1), 1 << 7);
	assert_int_equal(clint_mip(&c, 0), 0);
	/* writing a later deadline clears it */
	assert_int_equal(clint_write(&c, CLINT_MTIMECMP + 8, 8, 2000), 0);
	assert_int_equal(clint_mip(&c, 1), 0);
}

static void test_mtimecmp_halves_as_rv32_writes_them(void **state)
{
	uint64_t v;

	(void)state;
	setup(1);
	assert_int_equal(clint_write(&c, CLINT_MTIMECMP + 4, 4, 0x12), 0);
	assert_int_equal(clint_write(&c, CLINT_MTIMECMP, 4, 0x34), 0);
	assert_int_equal(clint_deadline(&c, 0), 0x1200000034ULL);
	assert_int_equal(clint_read(&c, CLINT_MTIMECMP + 4, 4, &v), 0);
	assert_int_equal(v, 0x12);
}

static void test_msip_is_one_bit_per_hart(void **state)
{
	uint64_t v;

	(void)state;
	setup(2);
	assert_int_equal(clint_write(&c, CLINT_MSIP + 4, 4, 0xffffffff), 0);
	assert_int_equal(clint_read(&c, CLINT_MSIP + 4, 4, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(clint_mip(&c, 1), 1 << 3);
	assert_int_equal(clint_mip(&c, 0), 0);
	assert_int_equal(changes[1], 1);
	assert_int_equal(clint_write(&c, CLINT_MSIP + 4, 4, 0), 0);
	assert_int_equal(clint_mip(&c, 1), 0);
}

static void test_mtime_reads_the_clock_and_ignores_writes(void **state)
{
	uint64_t v;

	(void)state;
	setup(1);
	mtime = 0x123456789ULL;
	assert_int_equal(clint_read(&c, CLINT_MTIME, 8, &v), 0);
	assert_int_equal(v, 0x123456789ULL);
	assert_int_equal(clint_read(&c, CLINT_MTIME + 4, 4, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(clint_write(&c, CLINT_MTIME, 8, 0), 0);
	assert_int_equal(clint_read(&c, CLINT_MTIME, 8, &v), 0);
	assert_int_equal(v, 0x123456789ULL);
}

static void test_bad_accesses_are_refused(void **state)
{
	uint64_t v;

	(void)state;
	setup(2);
	assert_int_equal(clint_read(&c, CLINT_MSIP + 8, 4, &v), -EINVAL);
	assert_int_equal(clint_read(&c, CLINT_MTIMECMP + 16, 8, &v), -EINVAL);
	assert_int_equal(clint_read(&c, CLINT_MSIP, 8, &v), -EINVAL);
	assert_int_equal(clint_read(&c, CLINT_MTIMECMP + 2, 4, &v), -EINVAL);
	assert_int_equal(clint_write(&c, CLINT_MTIMECMP, 2, 0), -EINVAL);
	assert_int_equal(clint_read(&c, 0x8000, 4, &v), -EINVAL);
	assert_int_equal(clint_mip(&c, 7), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_pends_once_mtime_reaches_mtimecmp),
		cmocka_unit_test(test_mtimecmp_halves_as_rv32_writes_them),
		cmocka_unit_test(test_msip_is_one_bit_per_hart),
		cmocka_unit_test(test_mtime_reads_the_clock_and_ignores_writes),
		cmocka_unit_test(test_bad_accesses_are_refused),
	};

	return RUN(tests);
}
