/* SPDX-License-Identifier: MIT */
#ifndef VMM_VIRTIO_URING_H
#define VMM_VIRTIO_URING_H

#include <linux/io_uring.h>
#include <stddef.h>

/* The least of io_uring (io_uring_setup(2), io_uring_enter(2)) that a
 * device thread needs to keep many requests in flight: one thread fills
 * submission entries and reaps completions, so nothing here locks. No
 * liburing: the uapi header and two system calls are all it takes. */
struct uring {
	int fd;
	unsigned *sq_head, *sq_tail, sq_mask, sq_entries, *sq_array;
	unsigned *cq_head, *cq_tail, cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *sq_map, *cq_map;
	size_t sq_len, cq_len;
	unsigned tail; /* ours: the kernel sees it at the next enter */
};

/* A ring of at least entries submissions. 0, or a negative errno: -ENOSYS
 * on a kernel without io_uring, -EPERM where a sandbox forbids it. */
int uring_init(struct uring *r, unsigned entries);
void uring_exit(struct uring *r);
/* The next submission entry, zeroed, or NULL when the ring is full. It
 * goes to the kernel at the next uring_enter(). */
struct io_uring_sqe *uring_sqe(struct uring *r);
/* Submit what was filled and wait until at least one completion is there
 * to reap. 0, or a negative errno (-EINTR: call it again). */
int uring_enter(struct uring *r);
/* Take the oldest completion into *cqe: 1, or 0 when there is none. */
int uring_cqe(struct uring *r, struct io_uring_cqe *cqe);

#endif
