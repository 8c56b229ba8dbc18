/* SPDX-License-Identifier: MIT */
#ifndef VMM_VIRTIO_VIRTQ_H
#define VMM_VIRTIO_VIRTQ_H

#include <linux/virtio_ring.h>
#include <stdint.h>

#include "../vmm/mem.h"

/* Split virtqueues (virtio 1.2, 2.7). Every address and length the driver
 * gives is checked against guest RAM before use; a malformed ring or chain
 * makes virtq_pop() fail, and the device then needs a reset. */
#define VIRTQ_MAX_SIZE 256 /* QueueNumMax */
#define VIRTQ_MAX_SEGS 512 /* buffers in one chain, indirect included */

struct virtq_buf {
	uint8_t *addr; /* in the monitor: already checked against guest RAM */
	uint32_t len;
	int writable; /* device writes it (VRING_DESC_F_WRITE) */
};

/* One popped request: its head index and its buffers, readable first. */
struct virtq_req {
	uint16_t head;
	unsigned nr_bufs;
	struct virtq_buf bufs[VIRTQ_MAX_SEGS];
};

struct virtq {
	const struct guest_mem *mem;
	uint16_t num; /* queue size, a power of two */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	int event_idx; /* VIRTIO_RING_F_EVENT_IDX negotiated */
	int indirect; /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	int ready;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail; /* next available entry to take */
	uint16_t avail_seen; /* the driver's index when last looked at */
	uint16_t used_idx; /* our copy of used->idx */
	uint16_t signalled; /* used_idx when we last interrupted */
	int signalled_valid;
	const char *error; /* why the last virtq_pop() failed */
};

/* Check the ring addresses (inside RAM, aligned as 2.7 requires) and make
 * the queue live. -EINVAL when they are not acceptable. */
int virtq_enable(struct virtq *vq);
void virtq_disable(struct virtq *vq);
/* 1 with *req filled, 0 when nothing is available, -EIO when the driver
 * broke the rules (vq->error says how). */
int virtq_pop(struct virtq *vq, struct virtq_req *req);
/* Return a request to the driver with len bytes written into it. */
void virtq_push(struct virtq *vq, uint16_t head, uint32_t len);
/* Return n requests at once: the driver sees all of them or none (a
 * frame spread over several receive buffers, 5.1.6.4). */
void virtq_push_n(struct virtq *vq, const struct vring_used_elem *elems,
		  unsigned n);
/* Give back the last n requests popped, untouched as far as the driver
 * can tell: they are popped again later. */
void virtq_unpop(struct virtq *vq, unsigned n);
/* After pushes: must the driver be interrupted (2.7.7, 2.7.10)? */
int virtq_should_interrupt(struct virtq *vq);
/* Before sleeping: tell the driver where to notify next, then report
 * whether more became available meanwhile (1) or not (0). */
int virtq_prepare_wait(struct virtq *vq);
/* The same when what is available is not enough (a frame needs more
 * buffers than the driver gave): be told only when more arrives than the
 * last virtq_pop() saw, since a notify for what is already there may have
 * come and gone; 1 when more already did. */
int virtq_wait_for_more(struct virtq *vq);

#endif
