// SPDX-License-Identifier: MIT
/*
 * virtio over MMIO (virtio 1.2, 4.2): the register file, feature
 * negotiation, the device status state machine, queue setup and
 * notifications, shared by every virtio device. Version 2 (modern) by
 * default; version 1 (legacy, 4.2.4) for old guests when asked.
 */
#include <errno.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <string.h>

#include "../vmm/log.h"
#include "mmio.h"

#define MAGIC 0x74726976 /* "virt" */
/* QEMU's, "QEMU" byte by byte: guests written for QEMU virt, whose memory
 * map this is, check it (xv6 refuses any other disk). Nothing else reads
 * more into it than a name to print. */
#define VENDOR_ID 0x554d4551
#define LOG_LIMIT 20

void virtio_mmio_init(struct virtio_mmio *m, const struct guest_mem *mem,
		      struct irq_line irq, uint32_t device_id,
		      uint64_t device_features, unsigned nr_queues,
		      const struct virtio_device_ops *ops, void *dev,
		      int legacy)
{
	unsigned i;

	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	pthread_mutex_init(&m->irq_lock, NULL);
	m->mem = mem;
	m->irq = irq;
	m->device_id = device_id;
	m->legacy = legacy;
	/* A legacy device must not offer VERSION_1; a modern one must. */
	if (legacy)
		device_features &= ~(1ULL << VIRTIO_F_VERSION_1);
	else
		device_features |= 1ULL << VIRTIO_F_VERSION_1;
	m->device_features = device_features;
	m->nr_queues =
		nr_queues < VIRTIO_MAX_QUEUES ? nr_queues : VIRTIO_MAX_QUEUES;
	m->ops = ops;
	m->dev = dev;
	m->queue_align = 4096;
	for (i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		pthread_mutex_init(&m->queues[i].lock, NULL);
		pthread_cond_init(&m->queues[i].idle, NULL);
		m->queues[i].vq.mem = mem;
		m->notify_fd[i] = -1;
	}
}

int virtio_mmio_negotiated(const struct virtio_mmio *m, unsigned bit)
{
	return !!(m->driver_features & (1ULL << bit));
}

static void set_interrupt(struct virtio_mmio *m, uint32_t bits)
{
	pthread_mutex_lock(&m->irq_lock);
	if (!m->interrupt_status)
		__atomic_fetch_add(&m->interrupts, 1, __ATOMIC_RELAXED);
	m->interrupt_status |= bits;
	m->interrupt_fresh |= bits;
	irq_line_set(&m->irq, 1);
	pthread_mutex_unlock(&m->irq_lock);
}

static uint32_t read_interrupt(struct virtio_mmio *m)
{
	uint32_t bits;

	pthread_mutex_lock(&m->irq_lock);
	bits = m->interrupt_status;
	m->interrupt_fresh = 0;
	m->status_read = 1;
	pthread_mutex_unlock(&m->irq_lock);
	return bits;
}

/* The driver's ACK (late, maybe: VIRTIO_MMIO_LATE_WRITES_OFF) clears what
 * it had read; an ACK with no read before it, or a reset, clears all. */
static void ack_interrupt(struct virtio_mmio *m, uint32_t bits, int by_driver)
{
	pthread_mutex_lock(&m->irq_lock);
	if (by_driver && m->status_read)
		bits &= ~m->interrupt_fresh;
	m->status_read = 0;
	m->interrupt_status &= ~bits;
	if (!m->interrupt_status)
		irq_line_set(&m->irq, 0);
	pthread_mutex_unlock(&m->irq_lock);
}

void virtio_mmio_used(struct virtio_mmio *m, struct virtio_queue *q)
{
	if (virtq_should_interrupt(&q->vq))
		set_interrupt(m, VIRTIO_MMIO_INT_VRING);
}

void virtio_mmio_needs_reset(struct virtio_mmio *m, const char *why)
{
	static unsigned logged;

	if (__atomic_fetch_add(&logged, 1, __ATOMIC_RELAXED) < LOG_LIMIT)
		pr_warn("virtio-%s: device needs reset: %s", m->ops->name, why);
	__atomic_fetch_or(&m->status, VIRTIO_CONFIG_S_NEEDS_RESET,
			  __ATOMIC_SEQ_CST);
	set_interrupt(m, VIRTIO_MMIO_INT_CONFIG);
}

void virtio_queue_broken(struct virtio_mmio *m, struct virtio_queue *q)
{
	virtq_disable(&q->vq);
	virtio_mmio_needs_reset(m, q->vq.error);
}

static uint32_t status(const struct virtio_mmio *m)
{
	return __atomic_load_n(&m->status, __ATOMIC_SEQ_CST);
}

static struct virtio_queue *selected(struct virtio_mmio *m)
{
	return m->queue_sel < m->nr_queues ? &m->queues[m->queue_sel] : NULL;
}

void virtio_queue_retire(struct virtio_queue *q, unsigned n)
{
	q->in_flight -= n;
	if (!q->in_flight)
		pthread_cond_broadcast(&q->idle);
}

/* With the queue's lock held: until its requests in flight are back. */
static void wait_idle(struct virtio_queue *q)
{
	while (q->in_flight)
		pthread_cond_wait(&q->idle, &q->lock);
}

/* Quiesce and forget every queue: afterwards no I/O thread touches guest
 * memory for this device, since they all check vq.ready under the lock
 * and a reset waits for the requests they serve with it dropped. */
static void reset(struct virtio_mmio *m)
{
	unsigned i;

	for (i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		struct virtio_queue *q = &m->queues[i];

		pthread_mutex_lock(&q->lock);
		wait_idle(q);
		virtq_disable(&q->vq);
		memset(&q->vq, 0, sizeof(q->vq));
		q->vq.mem = m->mem;
		pthread_mutex_unlock(&q->lock);
		m->queue_pfn[i] = 0;
	}
	__atomic_store_n(&m->status, 0, __ATOMIC_SEQ_CST);
	m->device_features_sel = m->driver_features_sel = m->queue_sel = 0;
	m->driver_features = 0;
	/* GuestPageSize survives a reset: legacy drivers write it once, at
	 * probe time, before the first reset (4.2.4). */
	m->queue_align = 4096;
	ack_interrupt(m, ~0u, 0);
	if (m->ops->reset)
		m->ops->reset(m->dev);
}

void virtio_mmio_reset(struct virtio_mmio *m)
{
	pthread_mutex_lock(&m->lock);
	reset(m);
	pthread_mutex_unlock(&m->lock);
}

static void enable_queue(struct virtio_mmio *m, struct virtio_queue *q,
			 int enable)
{
	int err = 0;

	pthread_mutex_lock(&q->lock);
	wait_idle(q);
	if (enable) {
		q->vq.event_idx =
			virtio_mmio_negotiated(m, VIRTIO_RING_F_EVENT_IDX);
		q->vq.indirect =
			virtio_mmio_negotiated(m, VIRTIO_RING_F_INDIRECT_DESC);
		err = virtq_enable(&q->vq);
	} else {
		virtq_disable(&q->vq);
	}
	pthread_mutex_unlock(&q->lock);
	if (err)
		virtio_mmio_needs_reset(
			m, "queue set up outside guest RAM or misaligned");
}

/* 3.1.1: FEATURES_OK only sticks when we accept the driver's choice. */
static void write_status(struct virtio_mmio *m, uint32_t v)
{
	uint32_t old = status(m);

	if (v == 0) {
		reset(m);
		return;
	}
	if ((v & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(old & VIRTIO_CONFIG_S_FEATURES_OK)) {
		/* A driver that leaves VIRTIO_F_VERSION_1 out over the version
		 * 2 interface (xv6's does) is served as QEMU serves it: as
		 * though it had set it. Nothing of ours depends on the bit, on
		 * a little-endian guest. */
		int ok = !(m->driver_features & ~m->device_features);

		if (!ok) {
			pr_warn("virtio-%s: driver features 0x%llx refused",
				m->ops->name,
				(unsigned long long)m->driver_features);
			v &= ~VIRTIO_CONFIG_S_FEATURES_OK;
		}
	}
	/* NEEDS_RESET is the device's bit: the driver cannot clear it. */
	v |= old & VIRTIO_CONFIG_S_NEEDS_RESET;
	__atomic_store_n(&m->status, v, __ATOMIC_SEQ_CST);
	if (m->ops->notify && (v & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(old & VIRTIO_CONFIG_S_DRIVER_OK)) {
		unsigned i;

		for (i = 0; i < m->nr_queues; i++)
			m->ops->notify(m->dev, i);
	}
}

static uint64_t set_half(uint64_t v, uint32_t half, int high)
{
	return high ? (v & 0xffffffffULL) | ((uint64_t)half << 32)
		    : (v & ~0xffffffffULL) | half;
}

/* Legacy layout (4.2.4 and 2.7.2 "legacy interfaces"): one page-aligned
 * block, descriptors, then the available ring, then the used ring at the
 * next QueueAlign boundary. */
static void legacy_set_pfn(struct virtio_mmio *m, struct virtio_queue *q,
			   uint32_t pfn)
{
	uint64_t base, num = q->vq.num, align = m->queue_align;

	m->queue_pfn[m->queue_sel] = pfn;
	if (!pfn) {
		enable_queue(m, q, 0);
		return;
	}
	if (!align || (align & (align - 1)) || !m->guest_page_size) {
		virtio_mmio_needs_reset(
			m, "legacy queue without page size or alignment");
		return;
	}
	base = (uint64_t)pfn * m->guest_page_size;
	pthread_mutex_lock(&q->lock);
	q->vq.desc_gpa = base;
	q->vq.avail_gpa = base + 16 * num;
	q->vq.used_gpa =
		(q->vq.avail_gpa + 6 + 2 * num + align - 1) & ~(align - 1);
	pthread_mutex_unlock(&q->lock);
	enable_queue(m, q, 1);
}

static int queue_write(struct virtio_mmio *m, uint64_t off, uint32_t v)
{
	struct virtio_queue *q = selected(m);
	struct virtq *vq;

	if (!q)
		return 0; /* no such queue: ignored */
	vq = &q->vq;
	if (off == VIRTIO_MMIO_QUEUE_READY) {
		if (!m->legacy)
			enable_queue(m, q, v == 1);
		return 0;
	}
	if (off == VIRTIO_MMIO_QUEUE_PFN) {
		if (m->legacy)
			legacy_set_pfn(m, q, v);
		return 0;
	}
	/* 4.2.2.3: the driver must not change a live queue's setup. */
	if (vq->ready)
		return 0;
	pthread_mutex_lock(&q->lock);
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		vq->num = (uint16_t)(v <= VIRTQ_MAX_SIZE ? v : 0);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		vq->desc_gpa = set_half(vq->desc_gpa, v, off & 4);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		vq->avail_gpa = set_half(vq->avail_gpa, v, off & 4);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		vq->used_gpa = set_half(vq->used_gpa, v, off & 4);
		break;
	}
	pthread_mutex_unlock(&q->lock);
	return 0;
}

static uint32_t read_reg(struct virtio_mmio *m, uint64_t off)
{
	struct virtio_queue *q = selected(m);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return MAGIC;
	case VIRTIO_MMIO_VERSION:
		return m->legacy ? 1 : 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return m->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VENDOR_ID;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return m->device_features_sel > 1
			       ? 0
			       : (uint32_t)(m->device_features >>
					    (32 * m->device_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? VIRTQ_MAX_SIZE : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->vq.ready : 0;
	case VIRTIO_MMIO_QUEUE_PFN:
		return q && m->legacy ? m->queue_pfn[m->queue_sel] : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return read_interrupt(m);
	case VIRTIO_MMIO_STATUS:
		return status(m);
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return m->config_generation;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return ~0u; /* no shared memory regions (4.2.2) */
	}
	return 0;
}

static void write_reg(struct virtio_mmio *m, uint64_t off, uint32_t v)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		m->device_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Features are fixed once FEATURES_OK is set (3.1.1). */
		if (m->driver_features_sel < 2 &&
		    !(status(m) & VIRTIO_CONFIG_S_FEATURES_OK))
			m->driver_features = set_half(m->driver_features, v,
						      m->driver_features_sel);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		m->driver_features_sel = v;
		break;
	case VIRTIO_MMIO_GUEST_PAGE_SIZE:
		m->guest_page_size = v;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		m->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_ALIGN:
		m->queue_align = v;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (v < m->nr_queues && (status(m) & VIRTIO_CONFIG_S_DRIVER_OK))
			m->ops->notify(m->dev, v);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		ack_interrupt(m, v, 1);
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(m, v);
		break;
	default:
		queue_write(m, off, v);
	}
}

int virtio_mmio_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
	struct virtio_mmio *m = opaque;

	*val = 0;
	if (off >= VIRTIO_MMIO_CONFIG)
		return m->ops->config_read
			       ? m->ops->config_read(m->dev,
						     off - VIRTIO_MMIO_CONFIG,
						     size, val)
			       : 0; /* no configuration space: zeros */
	if (size != 4 || off % 4)
		return -EINVAL; /* 4.2.2.2: registers are 32-bit only */
	pthread_mutex_lock(&m->lock);
	*val = read_reg(m, off);
	pthread_mutex_unlock(&m->lock);
	return 0;
}

int virtio_mmio_empty_read(void *opaque, uint64_t off, unsigned size,
			   uint64_t *val)
{
	(void)opaque;
	*val = 0;
	if (size != 4 || off % 4)
		return -EINVAL;
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		*val = MAGIC;
		break;
	case VIRTIO_MMIO_VERSION:
		*val = 2;
		break;
	case VIRTIO_MMIO_VENDOR_ID:
		*val = VENDOR_ID;
		break;
	default:
		break; /* DeviceID 0: no device */
	}
	return 0;
}

int virtio_mmio_empty_write(void *opaque, uint64_t off, unsigned size,
			    uint64_t val)
{
	(void)opaque;
	(void)val;
	return size != 4 || off % 4 ? -EINVAL : 0;
}

int virtio_mmio_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct virtio_mmio *m = opaque;

	if (off >= VIRTIO_MMIO_CONFIG)
		return m->ops->config_write
			       ? m->ops->config_write(m->dev,
						      off - VIRTIO_MMIO_CONFIG,
						      size, val)
			       : 0;
	if (size != 4 || off % 4)
		return -EINVAL;
	pthread_mutex_lock(&m->lock);
	write_reg(m, off, (uint32_t)val);
	pthread_mutex_unlock(&m->lock);
	return 0;
}
