/* SPDX-License-Identifier: MIT */
#ifndef VMM_VIRTIO_RNG_H
#define VMM_VIRTIO_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "mmio.h"
#include "worker.h"

/* The most one request gets (the device may give fewer, 5.4.6.1), so a
 * guest that offers a huge buffer costs a bounded time. */
#define RNG_MAX_FILL 65536

struct virtio_rng {
	struct virtio_mmio mmio;
	struct virtio_worker worker;
	struct virtq_req req; /* scratch: too big for a thread's stack */
	/* fills buf, 0 or a negative errno (tests swap it) */
	int (*random)(void *buf, size_t len);
};

/* Fill the writable buffers of one popped chain, in order, with up to
 * max bytes from random(): the bytes written, 0 when the source failed.
 * Pure but for random(). */
uint32_t rng_fill(const struct virtq_req *req,
		  int (*random)(void *buf, size_t len), uint32_t max);

/* The host's getrandom(2), whole or an error. */
int rng_host_random(void *buf, size_t len);

/* 0 or a negative errno. */
int virtio_rng_init(struct virtio_rng *r, const struct guest_mem *mem,
		    struct irq_line irq);
int virtio_rng_start(struct virtio_rng *r);
void virtio_rng_stop(struct virtio_rng *r);

#endif
