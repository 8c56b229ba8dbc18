// SPDX-License-Identifier: MIT
/*
 * A minimal io_uring (uring.h): the rings are shared with the kernel, the
 * submission tail and the completion head are ours to move, with release
 * stores so the kernel sees an entry whole before its index.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uring.h"

static unsigned *at(void *map, unsigned off)
{
	return (unsigned *)((char *)map + off);
}

static int map_rings(struct uring *r, const struct io_uring_params *p)
{
	r->sq_len = p->sq_off.array + p->sq_entries * sizeof(unsigned);
	r->cq_len =
		p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
	/* Since 5.4 one mapping holds both rings. */
	if (p->features & IORING_FEAT_SINGLE_MMAP) {
		if (r->cq_len > r->sq_len)
			r->sq_len = r->cq_len;
		r->cq_len = 0;
	}
	r->sq_map = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 r->fd, IORING_OFF_SQ_RING);
	if (r->sq_map == MAP_FAILED)
		return -errno;
	r->cq_map = r->sq_map;
	if (r->cq_len) {
		r->cq_map = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE,
				 MAP_SHARED, r->fd, IORING_OFF_CQ_RING);
		if (r->cq_map == MAP_FAILED)
			return -errno;
	}
	r->sqes = mmap(NULL, p->sq_entries * sizeof(struct io_uring_sqe),
		       PROT_READ | PROT_WRITE, MAP_SHARED, r->fd,
		       IORING_OFF_SQES);
	return r->sqes == MAP_FAILED ? -errno : 0;
}

int uring_init(struct uring *r, unsigned entries)
{
	struct io_uring_params p;
	int err;

	memset(r, 0, sizeof(*r));
	memset(&p, 0, sizeof(p));
	r->sq_map = r->cq_map = MAP_FAILED;
	r->sqes = MAP_FAILED;
	r->fd = (int)syscall(__NR_io_uring_setup, entries, &p);
	if (r->fd < 0)
		return -errno;
	err = map_rings(r, &p);
	if (err) {
		uring_exit(r);
		return err;
	}
	r->sq_head = at(r->sq_map, p.sq_off.head);
	r->sq_tail = at(r->sq_map, p.sq_off.tail);
	r->sq_mask = *at(r->sq_map, p.sq_off.ring_mask);
	r->sq_entries = p.sq_entries;
	r->sq_array = at(r->sq_map, p.sq_off.array);
	r->tail = *r->sq_tail;
	r->cq_head = at(r->cq_map, p.cq_off.head);
	r->cq_tail = at(r->cq_map, p.cq_off.tail);
	r->cq_mask = *at(r->cq_map, p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)((char *)r->cq_map + p.cq_off.cqes);
	return 0;
}

void uring_exit(struct uring *r)
{
	if (r->sqes != MAP_FAILED)
		munmap(r->sqes, r->sq_entries * sizeof(struct io_uring_sqe));
	if (r->cq_map != MAP_FAILED && r->cq_map != r->sq_map)
		munmap(r->cq_map, r->cq_len);
	if (r->sq_map != MAP_FAILED)
		munmap(r->sq_map, r->sq_len);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->sq_map = r->cq_map = MAP_FAILED;
	r->sqes = MAP_FAILED;
}

struct io_uring_sqe *uring_sqe(struct uring *r)
{
	unsigned idx = r->tail & r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[idx];

	if (r->tail - __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE) >=
	    r->sq_entries)
		return NULL;
	memset(sqe, 0, sizeof(*sqe));
	r->sq_array[idx] = idx;
	r->tail++; /* published, once filled, by uring_enter() */
	return sqe;
}

int uring_enter(struct uring *r)
{
	unsigned pending;
	long ret;

	__atomic_store_n(r->sq_tail, r->tail, __ATOMIC_RELEASE);
	/* Whatever the kernel has not taken yet, an earlier enter's
	 * leftovers included. */
	pending = r->tail - __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE);
	ret = syscall(__NR_io_uring_enter, r->fd, pending, 1,
		      IORING_ENTER_GETEVENTS, NULL, 0);
	return ret < 0 ? -errno : 0;
}

int uring_cqe(struct uring *r, struct io_uring_cqe *cqe)
{
	unsigned head = *r->cq_head;

	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return 0;
	*cqe = r->cqes[head & r->cq_mask];
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return 1;
}
