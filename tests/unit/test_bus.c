// SPDX-License-Identifier: MIT
#include "unit.h"

#include "../../vmm/bus.h"
#include "../../vmm/hw/finisher.h"

struct dev {
	uint64_t last_off, last_val;
	unsigned last_size;
};

static int dev_read(void *o, uint64_t off, unsigned size, uint64_t *val)
{
	struct dev *d = o;

	d->last_off = off;
	d->last_size = size;
	*val = 0xab00 + off;
	return 0;
}

static int dev_write(void *o, uint64_t off, unsigned size, uint64_t val)
{
	struct dev *d = o;

	d->last_off = off;
	d->last_size = size;
	d->last_val = val;
	return 0;
}

static void test_dispatch_by_range(void **state)
{
	struct bus bus = { 0 };
	struct dev a = { 0 }, b = { 0 };
	struct bus_region ra = { "a", 0x1000, 0x100, &a, dev_read, dev_write };
	struct bus_region rb = { "b", 0x2000, 0x10, &b, dev_read, dev_write };
	uint64_t v;

	(void)state;
	assert_int_equal(bus_register(&bus, &ra), 0);
	assert_int_equal(bus_register(&bus, &rb), 0);
	assert_int_equal(bus_read(&bus, 0x1010, 4, &v), 0);
	assert_int_equal(v, 0xab10);
	assert_int_equal(a.last_size, 4);
	assert_int_equal(bus_write(&bus, 0x200c, 4, 77), 0);
	assert_int_equal(b.last_off, 0xc);
	assert_int_equal(b.last_val, 77);
}

static void test_unmapped_and_straddling(void **state)
{
	struct bus bus = { 0 };
	struct dev a = { 0 };
	struct bus_region ra = { "a", 0x1000, 0x100, &a, dev_read, dev_write };
	uint64_t v = 5;

	(void)state;
	bus_register(&bus, &ra);
	assert_int_equal(bus_read(&bus, 0x3000, 4, &v), -EFAULT);
	assert_int_equal(v, 0);
	/* An access that runs off the end of the region matches nothing. */
	assert_int_equal(bus_read(&bus, 0x10fe, 4, &v), -EFAULT);
	assert_int_equal(bus_write(&bus, 0x10ff, 2, 1), -EFAULT);
	assert_int_equal(bus_write(&bus, 0x10fc, 4, 1), 0);
	/* Sizes other than 1, 2, 4, 8. */
	assert_int_equal(bus_read(&bus, 0x1000, 3, &v), -EFAULT);
	assert_int_equal(bus_write(&bus, 0x1000, 16, 1), -EFAULT);
	assert_int_equal(bus_read(&bus, ~0ULL, 8, &v), -EFAULT);
}

static void test_register_rejects_overlap(void **state)
{
	struct bus bus = { 0 };
	struct dev a = { 0 };
	struct bus_region r1 = { "a", 0x1000, 0x100, &a, dev_read, dev_write };
	struct bus_region r2 = { "b", 0x10f0, 0x100, &a, dev_read, dev_write };
	struct bus_region r3 = { "c", 0, 0, &a, dev_read, dev_write };
	struct bus_region r4 = {
		"d", ~0ULL - 4, 0x100, &a, dev_read, dev_write
	};

	(void)state;
	assert_int_equal(bus_register(&bus, &r1), 0);
	assert_int_equal(bus_register(&bus, &r2), -EEXIST);
	assert_int_equal(bus_register(&bus, &r3), -EINVAL);
	assert_int_equal(bus_register(&bus, &r4), -EINVAL);
}

static enum finisher_event last_ev;
static unsigned last_code, events;

static void on_finish(void *o, enum finisher_event ev, unsigned code)
{
	(void)o;
	last_ev = ev;
	last_code = code;
	events++;
}

static void test_finisher(void **state)
{
	struct finisher f = { on_finish, NULL };
	uint64_t v;

	(void)state;
	assert_int_equal(finisher_write(&f, 0, 4, 0x5555), 0);
	assert_int_equal(last_ev, FINISHER_EV_PASS);
	assert_int_equal(finisher_write(&f, 0, 4, (42 << 16) | 0x3333), 0);
	assert_int_equal(last_ev, FINISHER_EV_FAIL);
	assert_int_equal(last_code, 42);
	assert_int_equal(finisher_write(&f, 0, 4, 0x7777), 0);
	assert_int_equal(last_ev, FINISHER_EV_RESET);
	events = 0;
	assert_int_equal(finisher_write(&f, 0, 4, 0x1234), -EINVAL);
	assert_int_equal(finisher_write(&f, 4, 4, 0x5555), -EINVAL);
	assert_int_equal(finisher_write(&f, 0, 1, 0x55), -EINVAL);
	assert_int_equal(events, 0);
	assert_int_equal(finisher_read(&f, 0, 4, &v), 0);
	assert_int_equal(v, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dispatch_by_range),
		cmocka_unit_test(test_unmapped_and_straddling),
		cmocka_unit_test(test_register_rejects_overlap),
		cmocka_unit_test(test_finisher),
	};

	return RUN(tests);
}
