// SPDX-License-Identifier: MIT
#include "unit.h"

#include "../../vmm/hw/plic.h"

#define CTX_S(h) (2 * (h) + 1)
#define CTX_M(h) (2 * (h))
#define ENABLE(ctx) (0x2000 + 0x80 * (ctx))
#define THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define CLAIM(ctx) (0x200004 + 0x1000 * (ctx))

static int line[PLIC_MAX_HARTS][2];
static int notifications;

static void notify(void *opaque, unsigned hart, enum plic_mode mode, int level)
{
	(void)opaque;
	line[hart][mode] = level;
	notifications++;
}

static struct plic p;

static void setup(unsigned harts)
{
	memset(line, 0, sizeof(line));
	notifications = 0;
	plic_init(&p, harts, notify, NULL);
}

static uint32_t rd(uint64_t off)
{
	uint64_t v;

	assert_int_equal(plic_read(&p, off, 4, &v), 0);
	return (uint32_t)v;
}

static void wr(uint64_t off, uint32_t v)
{
	assert_int_equal(plic_write(&p, off, 4, v), 0);
}

static void test_priority_and_enable_gate_the_output(void **state)
{
	(void)state;
	setup(1);
	plic_set_irq(&p, 10, 1);
	assert_int_equal(line[0][PLIC_MODE_S], 0); /* priority 0: never */
	wr(10 * 4, 1);
	assert_int_equal(rd(10 * 4), 1);
	assert_int_equal(line[0][PLIC_MODE_S], 0); /* not enabled */
	wr(ENABLE(CTX_S(0)), 1u << 10);
	assert_int_equal(line[0][PLIC_MODE_S], 1);
	assert_int_equal(line[0][PLIC_MODE_M], 0); /* M context not enabled */
	assert_int_equal(rd(0x1000), 1u << 10); /* pending */
}

static void test_threshold_masks_equal_priority(void **state)
{
	(void)state;
	setup(1);
	wr(5 * 4, 3);
	wr(ENABLE(CTX_S(0)), 1u << 5);
	wr(THRESHOLD(CTX_S(0)), 3);
	plic_set_irq(&p, 5, 1);
	assert_int_equal(line[0][PLIC_MODE_S], 0);
	wr(THRESHOLD(CTX_S(0)), 2);
	assert_int_equal(line[0][PLIC_MODE_S], 1);
	assert_int_equal(rd(THRESHOLD(CTX_S(0))), 2);
}

static void test_claim_highest_priority_then_lowest_id(void **state)
{
	(void)state;
	setup(1);
	wr(3 * 4, 2);
	wr(7 * 4, 5);
	wr(9 * 4, 5);
	wr(ENABLE(CTX_S(0)), (1u << 3) | (1u << 7) | (1u << 9));
	plic_set_irq(&p, 3, 1);
	plic_set_irq(&p, 9, 1);
	plic_set_irq(&p, 7, 1);
	assert_int_equal(rd(CLAIM(CTX_S(0))), 7);
	assert_int_equal(rd(CLAIM(CTX_S(0))), 9);
	assert_int_equal(rd(CLAIM(CTX_S(0))), 3);
	assert_int_equal(rd(CLAIM(CTX_S(0))), 0); /* nothing left */
	assert_int_equal(line[0][PLIC_MODE_S], 0);
}

static void test_level_triggered_repends_after_complete(void **state)
{
	(void)state;
	setup(1);
	wr(10 * 4, 1);
	wr(ENABLE(CTX_S(0)), 1u << 10);
	plic_set_irq(&p, 10, 1);
	assert_int_equal(rd(CLAIM(CTX_S(0))), 10);
	assert_int_equal(line[0][PLIC_MODE_S], 0); /* in service */
	plic_set_irq(&p, 10, 1); /* still high: no new request yet */
	assert_int_equal(line[0][PLIC_MODE_S], 0);
	wr(CLAIM(CTX_S(0)), 10); /* complete, wire still high */
	assert_int_equal(line[0][PLIC_MODE_S], 1);
	assert_int_equal(rd(CLAIM(CTX_S(0))), 10);
	plic_set_irq(&p, 10, 0);
	wr(CLAIM(CTX_S(0)), 10); /* complete, wire low: quiet */
	assert_int_equal(line[0][PLIC_MODE_S], 0);
	assert_int_equal(rd(CLAIM(CTX_S(0))), 0);
}

static void test_lowered_line_withdraws_request(void **state)
{
	(void)state;
	setup(1);
	wr(4 * 4, 1);
	wr(ENABLE(CTX_S(0)), 1u << 4);
	plic_set_irq(&p, 4, 1);
	assert_int_equal(line[0][PLIC_MODE_S], 1);
	plic_set_irq(&p, 4, 0);
	assert_int_equal(line[0][PLIC_MODE_S], 0);
	assert_int_equal(rd(CLAIM(CTX_S(0))), 0);
}

static void test_contexts_per_hart_and_mode(void **state)
{
	(void)state;
	setup(4);
	wr(10 * 4, 1);
	wr(ENABLE(CTX_S(3)), 1u << 10);
	wr(ENABLE(CTX_M(1)), 1u << 10);
	plic_set_irq(&p, 10, 1);
	assert_int_equal(line[3][PLIC_MODE_S], 1);
	assert_int_equal(line[1][PLIC_MODE_M], 1);
	assert_int_equal(line[0][PLIC_MODE_S], 0);
	/* One claim takes it from everyone. */
	assert_int_equal(rd(CLAIM(CTX_M(1))), 10);
	assert_int_equal(line[3][PLIC_MODE_S], 0);
	assert_int_equal(rd(CLAIM(CTX_S(3))), 0);
}

static void test_completion_of_unenabled_source_is_ignored(void **state)
{
	(void)state;
	setup(2);
	wr(10 * 4, 1);
	wr(ENABLE(CTX_S(0)), 1u << 10);
	plic_set_irq(&p, 10, 1);
	assert_int_equal(rd(CLAIM(CTX_S(0))), 10);
	wr(CLAIM(CTX_S(1)), 10); /* hart 1 never enabled it */
	assert_int_equal(line[0][PLIC_MODE_S], 0);
	wr(CLAIM(CTX_S(0)), 10);
	assert_int_equal(line[0][PLIC_MODE_S], 1);
}

static void test_bad_accesses(void **state)
{
	uint64_t v = 123;

	(void)state;
	setup(1);
	assert_int_equal(plic_read(&p, 0x2, 4, &v), -EINVAL);
	assert_int_equal(v, 0);
	assert_int_equal(plic_read(&p, 0x0, 1, &v), -EINVAL);
	assert_int_equal(plic_write(&p, 0x4, 8, 1), -EINVAL);
	/* Contexts past the last hart read as zero and ignore writes. */
	wr(ENABLE(CTX_S(5)), ~0u);
	assert_int_equal(rd(ENABLE(CTX_S(5))), 0);
	assert_int_equal(rd(CLAIM(CTX_S(5))), 0);
	/* Source 0 does not exist. */
	wr(0, 7);
	assert_int_equal(rd(0), 0);
	wr(ENABLE(CTX_S(0)), 1);
	assert_int_equal(rd(ENABLE(CTX_S(0))), 0);
	plic_set_irq(&p, 0, 1);
	plic_set_irq(&p, 64, 1);
	plic_set_irq(&p, 1000, 1);
	assert_int_equal(rd(0x1000), 0);
}

static void test_notifies_only_on_change(void **state)
{
	(void)state;
	setup(1);
	wr(1 * 4, 1);
	wr(2 * 4, 1);
	wr(ENABLE(CTX_S(0)), 6);
	plic_set_irq(&p, 1, 1);
	plic_set_irq(&p, 2, 1);
	assert_int_equal(notifications, 1);
}

/* The enable page a backend maps into the guest reads what the enable
 * registers read, word for word, through writes and a reset. */
static void test_enable_page_mirrors_the_registers(void **state)
{
	static uint32_t page[PLIC_ENABLE_PAGE_SIZE / 4];
	unsigned ctx, w;

	(void)state;
	memset(page, 0xaa, sizeof(page));
	setup(4);
	wr(ENABLE(CTX_S(1)), 1u << 5);
	plic_mirror_enables(&p, page);
	assert_int_equal(page[(ENABLE(CTX_S(1)) - 0x2000) / 4], 1u << 5);
	wr(ENABLE(CTX_M(3)) + 4, 0x80000001);
	wr(ENABLE(CTX_S(0)), 0xffffffff); /* source 0 does not exist */
	for (ctx = 0; ctx < 8; ctx++)
		for (w = 0; w < 2; w++)
			assert_int_equal(
				page[(ENABLE(ctx) + 4 * w - 0x2000) / 4],
				rd(ENABLE(ctx) + 4 * w));
	assert_int_equal(page[(ENABLE(CTX_S(0)) - 0x2000) / 4], 0xfffffffe);
	for (w = 8 * 0x80 / 4; w < PLIC_ENABLE_PAGE_SIZE / 4; w++)
		assert_int_equal(page[w], 0); /* no such context: zero */
	plic_reset(&p);
	for (w = 0; w < PLIC_ENABLE_PAGE_SIZE / 4; w++)
		assert_int_equal(page[w], 0);
	plic_mirror_enables(&p, NULL);
	wr(ENABLE(CTX_S(1)), 1u << 7); /* no page: nothing written */
	assert_int_equal(page[(ENABLE(CTX_S(1)) - 0x2000) / 4], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enable_page_mirrors_the_registers),
		cmocka_unit_test(test_priority_and_enable_gate_the_output),
		cmocka_unit_test(test_threshold_masks_equal_priority),
		cmocka_unit_test(test_claim_highest_priority_then_lowest_id),
		cmocka_unit_test(test_level_triggered_repends_after_complete),
		cmocka_unit_test(test_lowered_line_withdraws_request),
		cmocka_unit_test(test_contexts_per_hart_and_mode),
		cmocka_unit_test(
			test_completion_of_unenabled_source_is_ignored),
		cmocka_unit_test(test_bad_accesses),
		cmocka_unit_test(test_notifies_only_on_change),
	};

	return RUN(tests);
}
