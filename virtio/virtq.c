// SPDX-License-Identifier: MIT
/*
 * Split virtqueue walker (virtio 1.2, 2.7). The ring lives in guest RAM and
 * the driver may change it under our feet at any time, so each field is
 * read once into a local before it is checked and used.
 *
 * Memory ordering (RISC-V is weakly ordered; the driver runs on another
 * hart than this I/O thread):
 *  - avail->idx is loaded with acquire: the driver's descriptor and ring
 *    writes are ordered before its idx update (virtio_wmb), so acquire
 *    makes them visible before we read them;
 *  - used->idx is stored with release: the used element (and the data
 *    written into the buffers) must be visible before the new index;
 *  - between publishing used->idx or avail_event and reading the driver's
 *    used_event or avail->idx back, a full fence (seq_cst), or the two
 *    sides can each miss the other's update and both go to sleep.
 */
#include <errno.h>
#include <string.h>

#include "virtq.h"

#define load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define full_fence() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static void *ring_ptr(const struct virtq *vq, uint64_t gpa, uint64_t len,
		      uint64_t align)
{
	if (gpa % align)
		return NULL;
	return guest_mem_ptr(vq->mem, gpa, len);
}

int virtq_enable(struct virtq *vq)
{
	uint64_t n = vq->num;

	vq->ready = 0;
	if (n == 0 || n > VIRTQ_MAX_SIZE || (n & (n - 1)))
		return -EINVAL;
	/* Sizes and alignments from 2.7: the event fields are included. */
	vq->desc = ring_ptr(vq, vq->desc_gpa, 16 * n, 16);
	vq->avail = ring_ptr(vq, vq->avail_gpa, 6 + 2 * n, 2);
	vq->used = ring_ptr(vq, vq->used_gpa, 6 + 8 * n, 4);
	if (!vq->desc || !vq->avail || !vq->used)
		return -EINVAL;
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->signalled_valid = 0;
	vq->error = NULL;
	vq->ready = 1;
	return 0;
}

void virtq_disable(struct virtq *vq)
{
	vq->ready = 0;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
}

static int fail(struct virtq *vq, const char *why)
{
	vq->error = why;
	return -EIO;
}

static int add_buf(struct virtq *vq, struct virtq_req *req,
		   const struct vring_desc *d, int *seen_writable)
{
	uint64_t addr = d->addr;
	uint32_t len = d->len;
	int writable = !!(d->flags & VRING_DESC_F_WRITE);
	uint8_t *p;

	if (req->nr_bufs >= VIRTQ_MAX_SEGS)
		return fail(vq, "chain longer than the device accepts");
	/* 2.7.4.2: readable buffers come before writable ones. */
	if (!writable && *seen_writable)
		return fail(vq, "readable buffer after a writable one");
	p = guest_mem_ptr(vq->mem, addr, len);
	if (!p)
		return fail(vq, "buffer outside guest RAM");
	*seen_writable |= writable;
	req->bufs[req->nr_bufs++] = (struct virtq_buf){ p, len, writable };
	return 0;
}

/* An indirect table (2.7.5.3): its own chain, no nesting, no NEXT out. */
static int walk_indirect(struct virtq *vq, struct virtq_req *req,
			 const struct vring_desc *d, int *seen_writable)
{
	uint64_t addr = d->addr;
	uint32_t len = d->len, n, i, count = 0;
	const struct vring_desc *table;
	struct vring_desc e;
	int err;

	if (!vq->indirect)
		return fail(vq, "indirect descriptor not negotiated");
	if (d->flags & VRING_DESC_F_NEXT)
		return fail(vq, "indirect descriptor with NEXT");
	if (len == 0 || len % sizeof(e))
		return fail(vq, "indirect table of a bad length");
	table = ring_ptr(vq, addr, len, 1);
	if (!table)
		return fail(vq, "indirect table outside guest RAM");
	n = len / sizeof(e);
	for (i = 0;;) {
		memcpy(&e, &table[i], sizeof(e)); /* may be unaligned */
		if (e.flags & VRING_DESC_F_INDIRECT)
			return fail(vq, "nested indirect descriptor");
		err = add_buf(vq, req, &e, seen_writable);
		if (err)
			return err;
		if (!(e.flags & VRING_DESC_F_NEXT))
			return 0;
		i = e.next;
		if (i >= n)
			return fail(vq, "indirect next index out of range");
		if (++count >= n)
			return fail(vq, "loop in indirect chain");
	}
}

int virtq_pop(struct virtq *vq, struct virtq_req *req)
{
	uint16_t avail_idx, head, i, count = 0;
	int seen_writable = 0, err;
	struct vring_desc d;

	if (!vq->ready)
		return 0;
	avail_idx = load_acquire(&vq->avail->idx);
	vq->avail_seen = avail_idx;
	if (avail_idx == vq->last_avail)
		return 0;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->num)
		return fail(vq, "available index moved past the queue size");
	head = vq->avail->ring[vq->last_avail % vq->num];
	if (head >= vq->num)
		return fail(vq, "head index out of range");
	vq->last_avail++;
	req->head = head;
	req->nr_bufs = 0;
	for (i = head;;) {
		d = vq->desc[i];
		if (d.flags & VRING_DESC_F_INDIRECT) {
			/* 2.7.5.3.1: an indirect descriptor is the only one. */
			if (req->nr_bufs)
				return fail(
					vq,
					"indirect descriptor inside a chain");
			err = walk_indirect(vq, req, &d, &seen_writable);
			return err ? err : 1;
		}
		err = add_buf(vq, req, &d, &seen_writable);
		if (err)
			return err;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 1;
		i = d.next;
		if (i >= vq->num)
			return fail(vq, "next index out of range");
		if (++count >= vq->num)
			return fail(vq, "loop in descriptor chain");
	}
}

void virtq_push_n(struct virtq *vq, const struct vring_used_elem *elems,
		  unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		vq->used->ring[vq->used_idx % vq->num] = elems[i];
		vq->used_idx++;
	}
	store_release(&vq->used->idx, vq->used_idx);
}

void virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	struct vring_used_elem e = { .id = head, .len = len };

	virtq_push_n(vq, &e, 1);
}

void virtq_unpop(struct virtq *vq, unsigned n)
{
	vq->last_avail -= (uint16_t)n;
}

/* vring_need_event() of 2.7.10, spelled out. */
static int need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

int virtq_should_interrupt(struct virtq *vq)
{
	uint16_t old = vq->signalled, used_event;
	int valid = vq->signalled_valid;

	full_fence(); /* used->idx out before the driver's flags read back */
	if (!vq->event_idx)
		return !(load_acquire(&vq->avail->flags) &
			 VRING_AVAIL_F_NO_INTERRUPT);
	vq->signalled = vq->used_idx;
	vq->signalled_valid = 1;
	/* used_event sits right after the available ring. */
	used_event = load_acquire(&vq->avail->ring[vq->num]);
	return !valid || need_event(used_event, vq->used_idx, old);
}

int virtq_wait_for_more(struct virtq *vq)
{
	uint16_t idx;

	if (!vq->ready)
		return 0;
	idx = vq->avail_seen;
	if (vq->event_idx) {
		uint16_t *avail_event = (uint16_t *)&vq->used->ring[vq->num];

		store_release(avail_event, idx);
	}
	full_fence();
	return load_acquire(&vq->avail->idx) != idx;
}

int virtq_prepare_wait(struct virtq *vq)
{
	if (!vq->ready)
		return 0;
	if (vq->event_idx) {
		/* avail_event sits right after the used ring. */
		uint16_t *avail_event = (uint16_t *)&vq->used->ring[vq->num];

		store_release(avail_event, vq->last_avail);
	} else {
		/* Notifications stay on (used->flags == 0) throughout. */
	}
	full_fence();
	return load_acquire(&vq->avail->idx) != vq->last_avail;
}
