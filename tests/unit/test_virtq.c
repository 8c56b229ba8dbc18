// SPDX-License-Identifier: MIT
#include "unit.h"

#include "virtq_helpers.h"

static struct virtq vq;
static struct virtq_req req;

static void test_enable_checks_ring_addresses(void **state)
{
	(void)state;
	setup_queue(&vq, 0, 0);
	vq.desc_gpa = DESC_GPA + 8; /* descriptors need 16-byte alignment */
	assert_int_equal(virtq_enable(&vq), -EINVAL);
	vq.desc_gpa = DESC_GPA;
	vq.used_gpa = USED_GPA + 2; /* used ring: 4 */
	assert_int_equal(virtq_enable(&vq), -EINVAL);
	vq.used_gpa = RAM_BASE + RAM_SIZE - 8; /* runs off the end of RAM */
	assert_int_equal(virtq_enable(&vq), -EINVAL);
	vq.used_gpa = USED_GPA;
	vq.num = 6; /* not a power of two */
	assert_int_equal(virtq_enable(&vq), -EINVAL);
	vq.num = 512; /* above QueueNumMax */
	assert_int_equal(virtq_enable(&vq), -EINVAL);
	vq.num = QNUM;
	vq.avail_gpa = 0x1000; /* below RAM */
	assert_int_equal(virtq_enable(&vq), -EINVAL);
	assert_false(vq.ready);
}

static void test_pop_chain(void **state)
{
	(void)state;
	setup_queue(&vq, 0, 0);
	assert_int_equal(virtq_pop(&vq, &req), 0); /* nothing yet */
	set_desc(DESC_GPA, 2, DATA_GPA, 16, VRING_DESC_F_NEXT, 5);
	set_desc(DESC_GPA, 5, DATA_GPA + 512, 512,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc(DESC_GPA, 1, DATA_GPA + 2048, 1, VRING_DESC_F_WRITE, 0);
	make_available(2);
	assert_int_equal(virtq_pop(&vq, &req), 1);
	assert_int_equal(req.head, 2);
	assert_int_equal(req.nr_bufs, 3);
	assert_ptr_equal(req.bufs[0].addr, gpa(DATA_GPA));
	assert_int_equal(req.bufs[0].len, 16);
	assert_false(req.bufs[0].writable);
	assert_true(req.bufs[1].writable);
	assert_int_equal(req.bufs[2].len, 1);
	assert_int_equal(virtq_pop(&vq, &req), 0);
}

static void expect_broken(const char *why)
{
	assert_int_equal(virtq_pop(&vq, &req), -EIO);
	assert_non_null(vq.error);
	assert_non_null(strstr(vq.error, why));
}

static void test_descriptor_loop(void **state)
{
	(void)state;
	setup_queue(&vq, 0, 0);
	set_desc(DESC_GPA, 0, DATA_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(DESC_GPA, 1, DATA_GPA, 16, VRING_DESC_F_NEXT, 0);
	make_available(0);
	expect_broken("loop");
}

static void test_self_loop(void **state)
{
	(void)state;
	setup_queue(&vq, 0, 0);
	set_desc(DESC_GPA, 3, DATA_GPA, 16, VRING_DESC_F_NEXT, 3);
	make_available(3);
	expect_broken("loop");
}

static void test_out_of_ram_buffers(void **state)
{
	(void)state;
	setup_queue(&vq, 0, 0);
	set_desc(DESC_GPA, 0, 0x1000, 16, 0, 0); /* below RAM */
	make_available(0);
	expect_broken("outside guest RAM");
	setup_queue(&vq, 0, 0);
	set_desc(DESC_GPA, 0, RAM_BASE + RAM_SIZE - 4, 16, 0,
		 0); /* straddles */
	make_available(0);
	expect_broken("outside guest RAM");
	setup_queue(&vq, 0, 0);
	set_desc(DESC_GPA, 0, ~0ULL - 4, 16, 0, 0); /* wraps */
	make_available(0);
	expect_broken("outside guest RAM");
}

static void test_zero_length_buffer_is_accepted(void **state)
{
	(void)state;
	setup_queue(&vq, 0, 0);
	set_desc(DESC_GPA, 0, DATA_GPA, 0, 0, 0);
	make_available(0);
	assert_int_equal(virtq_pop(&vq, &req), 1);
	assert_int_equal(req.bufs[0].len, 0);
}

static void test_bad_indices(void **state)
{
	struct vring_avail *a;

	(void)state;
	setup_queue(&vq, 0, 0);
	set_desc(DESC_GPA, 0, DATA_GPA, 16, VRING_DESC_F_NEXT, 9);
	make_available(0);
	expect_broken("next index out of range");
	setup_queue(&vq, 0, 0);
	make_available(8); /* head past the table */
	expect_broken("head index out of range");
	setup_queue(&vq, 0, 0);
	a = gpa(AVAIL_GPA);
	a->idx = QNUM + 1; /* more available than the ring holds */
	expect_broken("past the queue size");
}

static void test_readable_after_writable(void **state)
{
	(void)state;
	setup_queue(&vq, 0, 0);
	set_desc(DESC_GPA, 0, DATA_GPA, 16,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc(DESC_GPA, 1, DATA_GPA, 16, 0, 0);
	make_available(0);
	expect_broken("readable buffer after a writable one");
}

#define TABLE_GPA (RAM_BASE + 0x20000)

static void test_indirect(void **state)
{
	(void)state;
	setup_queue(&vq, 0, 1);
	set_desc(TABLE_GPA, 0, DATA_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(TABLE_GPA, 1, DATA_GPA + 16, 4096,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(TABLE_GPA, 2, DATA_GPA + 8192, 1, VRING_DESC_F_WRITE, 0);
	set_desc(DESC_GPA, 4, TABLE_GPA, 3 * 16, VRING_DESC_F_INDIRECT, 0);
	make_available(4);
	assert_int_equal(virtq_pop(&vq, &req), 1);
	assert_int_equal(req.head, 4);
	assert_int_equal(req.nr_bufs, 3);
	assert_int_equal(req.bufs[1].len, 4096);
}

static void test_indirect_abuse(void **state)
{
	(void)state;
	/* Not negotiated. */
	setup_queue(&vq, 0, 0);
	set_desc(DESC_GPA, 0, TABLE_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	make_available(0);
	expect_broken("not negotiated");
	/* Nested. */
	setup_queue(&vq, 0, 1);
	set_desc(TABLE_GPA, 0, TABLE_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	set_desc(DESC_GPA, 0, TABLE_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	make_available(0);
	expect_broken("nested indirect");
	/* Length not a multiple of 16. */
	setup_queue(&vq, 0, 1);
	set_desc(DESC_GPA, 0, TABLE_GPA, 20, VRING_DESC_F_INDIRECT, 0);
	make_available(0);
	expect_broken("bad length");
	/* Loop inside the table. */
	setup_queue(&vq, 0, 1);
	set_desc(TABLE_GPA, 0, DATA_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(TABLE_GPA, 1, DATA_GPA, 16, VRING_DESC_F_NEXT, 0);
	set_desc(DESC_GPA, 0, TABLE_GPA, 32, VRING_DESC_F_INDIRECT, 0);
	make_available(0);
	expect_broken("loop in indirect chain");
	/* Inside a chain. */
	setup_queue(&vq, 0, 1);
	set_desc(DESC_GPA, 0, DATA_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(DESC_GPA, 1, TABLE_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	make_available(0);
	expect_broken("inside a chain");
	/* Table outside RAM. */
	setup_queue(&vq, 0, 1);
	set_desc(DESC_GPA, 0, RAM_BASE + RAM_SIZE - 16, 32,
		 VRING_DESC_F_INDIRECT, 0);
	make_available(0);
	expect_broken("outside guest RAM");
}

static void test_thousand_element_chain(void **state)
{
	unsigned i;

	(void)state;
	setup_queue(&vq, 0, 1);
	for (i = 0; i < 1000; i++)
		set_desc(TABLE_GPA, i, DATA_GPA, 512,
			 i < 999 ? VRING_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	set_desc(DESC_GPA, 0, TABLE_GPA, 1000 * 16, VRING_DESC_F_INDIRECT, 0);
	make_available(0);
	expect_broken("chain longer than the device accepts");
}

static void test_push_and_interrupt_suppression(void **state)
{
	struct vring_used *u;
	struct vring_avail *a;

	(void)state;
	setup_queue(&vq, 0, 0);
	u = gpa(USED_GPA);
	a = gpa(AVAIL_GPA);
	virtq_push(&vq, 3, 100);
	assert_int_equal(u->idx, 1);
	assert_int_equal(u->ring[0].id, 3);
	assert_int_equal(u->ring[0].len, 100);
	assert_true(virtq_should_interrupt(&vq));
	a->flags = VRING_AVAIL_F_NO_INTERRUPT;
	assert_false(virtq_should_interrupt(&vq));
}

static void test_event_idx(void **state)
{
	struct vring_avail *a;
	uint16_t *used_event, *avail_event;

	(void)state;
	setup_queue(&vq, 1, 0);
	a = gpa(AVAIL_GPA);
	used_event = &a->ring[QNUM];
	avail_event = gpa(USED_GPA + 4 + 8 * QNUM);
	*used_event = 0; /* interrupt me after the first used entry */
	virtq_push(&vq, 0, 1);
	assert_true(virtq_should_interrupt(&vq));
	*used_event = 5; /* not before the sixth */
	virtq_push(&vq, 0, 1);
	assert_false(virtq_should_interrupt(&vq));
	virtq_push(&vq, 0, 1);
	virtq_push(&vq, 0, 1);
	virtq_push(&vq, 0, 1);
	virtq_push(&vq, 0, 1);
	assert_true(virtq_should_interrupt(&vq));
	/* prepare_wait publishes where to notify next. */
	set_desc(DESC_GPA, 0, DATA_GPA, 16, 0, 0);
	assert_int_equal(virtq_prepare_wait(&vq), 0);
	assert_int_equal(*avail_event, 0);
	make_available(0);
	assert_int_equal(virtq_prepare_wait(&vq), 1);
	assert_int_equal(virtq_pop(&vq, &req), 1);
	assert_int_equal(virtq_prepare_wait(&vq), 0);
	assert_int_equal(*avail_event, 1);
}

/* A frame that needs more buffers than there are: the ones popped go
 * back, and the driver is asked to notify when more come, not at the
 * ones already there (their notify is long gone). Then all of a frame's
 * buffers appear at once. */
static void test_unpop_wait_for_more_push_n(void **state)
{
	struct vring_used *u = gpa(USED_GPA);
	struct vring_used_elem e[2] = { { 0, 100 }, { 1, 50 } };
	uint16_t *avail_event;

	(void)state;
	setup_queue(&vq, 1, 0);
	avail_event = gpa(USED_GPA + 4 + 8 * QNUM);
	set_desc(DESC_GPA, 0, DATA_GPA, 16, VRING_DESC_F_WRITE, 0);
	set_desc(DESC_GPA, 1, DATA_GPA + 16, 16, VRING_DESC_F_WRITE, 0);
	make_available(0);
	assert_int_equal(virtq_pop(&vq, &req), 1);
	assert_int_equal(virtq_pop(&vq, &req), 0); /* one is not enough */
	virtq_unpop(&vq, 1);
	assert_int_equal(virtq_wait_for_more(&vq), 0);
	assert_int_equal(*avail_event, 1); /* after the one there is */
	make_available(1);
	assert_int_equal(virtq_wait_for_more(&vq), 1); /* came meanwhile */
	assert_int_equal(virtq_pop(&vq, &req), 1);
	assert_int_equal(req.head, 0); /* the same one again */
	assert_int_equal(virtq_pop(&vq, &req), 1);
	assert_int_equal(req.head, 1);
	virtq_push_n(&vq, e, 2);
	assert_int_equal(u->idx, 2);
	assert_int_equal(u->ring[1].id, 1);
	assert_int_equal(u->ring[1].len, 50);
}

static void test_disabled_queue_pops_nothing(void **state)
{
	(void)state;
	setup_queue(&vq, 0, 0);
	set_desc(DESC_GPA, 0, DATA_GPA, 16, 0, 0);
	make_available(0);
	virtq_disable(&vq);
	assert_int_equal(virtq_pop(&vq, &req), 0);
	assert_int_equal(virtq_prepare_wait(&vq), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enable_checks_ring_addresses),
		cmocka_unit_test(test_unpop_wait_for_more_push_n),
		cmocka_unit_test(test_pop_chain),
		cmocka_unit_test(test_descriptor_loop),
		cmocka_unit_test(test_self_loop),
		cmocka_unit_test(test_out_of_ram_buffers),
		cmocka_unit_test(test_zero_length_buffer_is_accepted),
		cmocka_unit_test(test_bad_indices),
		cmocka_unit_test(test_readable_after_writable),
		cmocka_unit_test(test_indirect),
		cmocka_unit_test(test_indirect_abuse),
		cmocka_unit_test(test_thousand_element_chain),
		cmocka_unit_test(test_push_and_interrupt_suppression),
		cmocka_unit_test(test_event_idx),
		cmocka_unit_test(test_disabled_queue_pops_nothing),
	};

	return cmocka_run_group_tests(tests, ram_setup, ram_teardown);
}
