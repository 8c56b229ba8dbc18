/* SPDX-License-Identifier: MIT */
/* Build split rings by hand in a small guest RAM, as a driver would. */
#ifndef VIRTQ_HELPERS_H
#define VIRTQ_HELPERS_H

#include "../../virtio/virtq.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (1ULL << 20)
#define QNUM 8
#define DESC_GPA (RAM_BASE + 0x1000)
#define AVAIL_GPA (RAM_BASE + 0x2000)
#define USED_GPA (RAM_BASE + 0x3000)
#define DATA_GPA (RAM_BASE + 0x10000)

static struct guest_mem ram;

static inline int ram_setup(void **state)
{
	(void)state;
	return guest_mem_init(&ram, RAM_BASE, RAM_SIZE);
}

static inline int ram_teardown(void **state)
{
	(void)state;
	guest_mem_free(&ram);
	return 0;
}

static inline void *gpa(uint64_t a)
{
	return guest_mem_ptr(&ram, a, 1);
}

static inline void set_desc(uint64_t table, unsigned i, uint64_t addr,
			    uint32_t len, uint16_t flags, uint16_t next)
{
	struct vring_desc *d = gpa(table + 16 * i);

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

static inline void make_available(uint16_t head)
{
	struct vring_avail *a = gpa(AVAIL_GPA);

	a->ring[a->idx % QNUM] = head;
	a->idx++;
}

static inline void setup_queue(struct virtq *vq, int event_idx, int indirect)
{
	memset(ram.host, 0, RAM_SIZE);
	memset(vq, 0, sizeof(*vq));
	vq->mem = &ram;
	vq->num = QNUM;
	vq->desc_gpa = DESC_GPA;
	vq->avail_gpa = AVAIL_GPA;
	vq->used_gpa = USED_GPA;
	vq->event_idx = event_idx;
	vq->indirect = indirect;
	assert_int_equal(virtq_enable(vq), 0);
}

#endif
