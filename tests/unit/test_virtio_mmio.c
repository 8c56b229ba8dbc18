// SPDX-License-Identifier: MIT
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <pthread.h>
#include <unistd.h>

#include "unit.h"

#include "../../virtio/mmio.h"
#include "../../vmm/log.h"
#include "virtq_helpers.h"

static struct virtio_mmio m;
static int irq_level, notified[VIRTIO_MAX_QUEUES];

static void set_level(void *c, unsigned irq, int level)
{
	(void)c;
	(void)irq;
	irq_level = level;
}

static void notify(void *dev, unsigned q)
{
	(void)dev;
	notified[q]++;
}

static int cfg_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	(void)dev;
	(void)size;
	*val = 0xc0 + off;
	return 0;
}

static const struct virtio_device_ops ops = { "test", cfg_read, NULL, notify,
					      NULL };

static uint32_t rd(uint64_t off)
{
	uint64_t v;

	assert_int_equal(virtio_mmio_read(&m, off, 4, &v), 0);
	return (uint32_t)v;
}

static void wr(uint64_t off, uint32_t v)
{
	assert_int_equal(virtio_mmio_write(&m, off, 4, v), 0);
}

static void init(int legacy)
{
	struct irq_line l = { set_level, NULL, 1 };

	memset(notified, 0, sizeof(notified));
	irq_level = 0;
	memset(ram.host, 0, RAM_SIZE);
	virtio_mmio_init(&m, &ram, l, 2, 1ULL << 9, 2, &ops, NULL, legacy);
}

static void negotiate(uint64_t features)
{
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS,
	   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
				       VIRTIO_CONFIG_S_DRIVER |
				       VIRTIO_CONFIG_S_FEATURES_OK);
}

static void setup_queue0(void)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)DESC_GPA);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(DESC_GPA >> 32));
	wr(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)AVAIL_GPA);
	wr(VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)USED_GPA);
}

static void test_identity(void **state)
{
	(void)state;
	init(0);
	assert_int_equal(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_ID), 2);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1); /* VERSION_1 */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1u << 9);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), VIRTQ_MAX_SIZE);
	wr(VIRTIO_MMIO_QUEUE_SEL, 2); /* only two queues */
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	assert_int_equal(rd(VIRTIO_MMIO_CONFIG + 4), 0xc4);
}

/* A slot with no device reads as QEMU's empty ones: DeviceID 0. */
static void test_empty_slot(void **state)
{
	uint64_t v = 1;

	(void)state;
	assert_int_equal(
		virtio_mmio_empty_read(NULL, VIRTIO_MMIO_MAGIC_VALUE, 4, &v),
		0);
	assert_int_equal(v, 0x74726976);
	virtio_mmio_empty_read(NULL, VIRTIO_MMIO_VERSION, 4, &v);
	assert_int_equal(v, 2);
	virtio_mmio_empty_read(NULL, VIRTIO_MMIO_DEVICE_ID, 4, &v);
	assert_int_equal(v, 0);
	virtio_mmio_empty_read(NULL, VIRTIO_MMIO_VENDOR_ID, 4, &v);
	assert_int_equal(v, 0x554d4551);
	assert_int_equal(virtio_mmio_empty_read(NULL, 1, 4, &v), -EINVAL);
	assert_int_equal(virtio_mmio_empty_read(NULL, 0, 1, &v), -EINVAL);
	assert_int_equal(
		virtio_mmio_empty_write(NULL, VIRTIO_MMIO_STATUS, 4, 1), 0);
	assert_int_equal(virtio_mmio_empty_write(NULL, 2, 2, 1), -EINVAL);
}

/* As on QEMU: a driver of the version 2 interface that does not set
 * VERSION_1 (xv6's) still gets FEATURES_OK. */
static void test_driver_without_version_1_is_served(void **state)
{
	(void)state;
	init(0);
	negotiate(1ULL << 9);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
	wr(VIRTIO_MMIO_STATUS, 0);
	negotiate(1ULL << 9 | 1ULL << VIRTIO_F_VERSION_1);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
}

static void test_driver_asking_unoffered_features_is_refused(void **state)
{
	(void)state;
	init(0);
	negotiate(1ULL << 10 | 1ULL << VIRTIO_F_VERSION_1);
	assert_false(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK);
}

static void test_queue_setup_notify_and_reset(void **state)
{
	(void)state;
	init(0);
	negotiate(1ULL << VIRTIO_F_VERSION_1);
	setup_queue0();
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	assert_true(m.queues[0].vq.ready);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(notified[0], 0); /* not before DRIVER_OK */
	wr(VIRTIO_MMIO_STATUS,
	   rd(VIRTIO_MMIO_STATUS) | VIRTIO_CONFIG_S_DRIVER_OK);
	notified[0] = 0;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(notified[0], 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 7); /* no such queue */
	/* A live queue's setup cannot change. */
	wr(VIRTIO_MMIO_QUEUE_NUM, 4);
	assert_int_equal(m.queues[0].vq.num, QNUM);
	/* Reset from DRIVER_OK. */
	wr(VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_false(m.queues[0].vq.ready);
}

/* A device thread with a request in flight: after a while it looks at
 * the queue, as it would to push, and gives the request back. */
static int ready_at_push;

static void *late_device(void *arg)
{
	struct virtio_queue *q = arg;

	usleep(50 * 1000);
	pthread_mutex_lock(&q->lock);
	ready_at_push = q->vq.ready;
	virtio_queue_retire(q, 1);
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/* A reset, and a driver's QueueReady = 0, wait for the requests a device
 * has in flight: the queue is still there when they are pushed. */
static void test_reset_waits_for_requests_in_flight(void **state)
{
	struct virtio_queue *q = &m.queues[0];
	unsigned disable;
	pthread_t t;

	(void)state;
	for (disable = 0; disable < 2; disable++) {
		init(0);
		negotiate(1ULL << VIRTIO_F_VERSION_1);
		setup_queue0();
		wr(VIRTIO_MMIO_QUEUE_READY, 1);
		q->in_flight = 1;
		ready_at_push = -1;
		assert_int_equal(pthread_create(&t, NULL, late_device, q), 0);
		if (disable)
			wr(VIRTIO_MMIO_QUEUE_READY, 0);
		else
			wr(VIRTIO_MMIO_STATUS, 0);
		assert_int_equal(ready_at_push, 1);
		assert_int_equal(q->in_flight, 0);
		assert_false(q->vq.ready);
		pthread_join(t, NULL);
	}
}

static void test_bad_queue_needs_reset(void **state)
{
	(void)state;
	init(0);
	log_level = LOG_ERROR;
	negotiate(1ULL << VIRTIO_F_VERSION_1);
	setup_queue0();
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000); /* outside RAM */
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			 VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(irq_level, 1);
	/* The driver cannot clear NEEDS_RESET but by a reset. */
	wr(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(irq_level, 0);
	wr(VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
}

/* A ready queue 0 with its first buffer used, and the interrupt raised. */
static void used_interrupt(void)
{
	init(0);
	negotiate(1ULL << VIRTIO_F_VERSION_1);
	setup_queue0();
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	virtq_push(&m.queues[0].vq, 0, 0);
	virtio_mmio_used(&m, &m.queues[0]);
}

static void test_used_interrupt_and_ack(void **state)
{
	(void)state;
	used_interrupt();
	assert_int_equal(irq_level, 1);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			 VIRTIO_MMIO_INT_VRING);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(irq_level, 0);
}

/* A late ACK (VIRTIO_MMIO_LATE_WRITES_OFF) acts as of the driver's read:
 * an event raised after the read keeps its bit and its line; an ACK with
 * no read before it clears what it names. */
static void test_late_ack_keeps_fresh_events(void **state)
{
	(void)state;
	used_interrupt();
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			 VIRTIO_MMIO_INT_VRING);
	virtq_push(&m.queues[0].vq, 0, 0); /* after the read, before the ACK */
	virtio_mmio_used(&m, &m.queues[0]);
	assert_int_equal(m.interrupts, 1); /* the line was up already */
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(irq_level, 1);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS),
			 VIRTIO_MMIO_INT_VRING);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(irq_level, 0);
	/* no read first: the ACK clears what it names */
	virtio_mmio_needs_reset(&m, "test");
	assert_int_equal(m.interrupts, 2); /* up again: counted */
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(irq_level, 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

static void test_odd_widths(void **state)
{
	uint64_t v;

	(void)state;
	init(0);
	assert_int_equal(virtio_mmio_read(&m, VIRTIO_MMIO_STATUS, 2, &v),
			 -EINVAL);
	assert_int_equal(virtio_mmio_write(&m, VIRTIO_MMIO_STATUS, 1, 1),
			 -EINVAL);
	assert_int_equal(virtio_mmio_read(&m, VIRTIO_MMIO_STATUS + 1, 4, &v),
			 -EINVAL);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
}

static void test_legacy_layout(void **state)
{
	(void)state;
	init(1);
	assert_int_equal(rd(VIRTIO_MMIO_VERSION), 1);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0); /* no VERSION_1 */
	wr(VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
	wr(VIRTIO_MMIO_QUEUE_ALIGN, 4096);
	wr(VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(DESC_GPA / 4096));
	assert_true(m.queues[0].vq.ready);
	assert_int_equal(m.queues[0].vq.avail_gpa, DESC_GPA + 16 * QNUM);
	assert_int_equal(m.queues[0].vq.used_gpa, DESC_GPA + 4096);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_PFN), DESC_GPA / 4096);
	wr(VIRTIO_MMIO_QUEUE_PFN, 0);
	assert_false(m.queues[0].vq.ready);
	/* A reset keeps the page size that the driver wrote once. */
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
	wr(VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(DESC_GPA / 4096));
	assert_true(m.queues[0].vq.ready);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_empty_slot),
		cmocka_unit_test(test_driver_without_version_1_is_served),
		cmocka_unit_test(
			test_driver_asking_unoffered_features_is_refused),
		cmocka_unit_test(test_queue_setup_notify_and_reset),
		cmocka_unit_test(test_reset_waits_for_requests_in_flight),
		cmocka_unit_test(test_bad_queue_needs_reset),
		cmocka_unit_test(test_used_interrupt_and_ack),
		cmocka_unit_test(test_late_ack_keeps_fresh_events),
		cmocka_unit_test(test_odd_widths),
		cmocka_unit_test(test_legacy_layout),
	};

	return cmocka_run_group_tests(tests, ram_setup, ram_teardown);
}
