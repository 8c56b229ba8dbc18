// SPDX-License-Identifier: MIT
/*
 * virtio-rng, the entropy device (virtio 1.2, 5.4): one request queue
 * whose writable buffers the device fills with random bytes, here from
 * the host's getrandom(2), on the device's own I/O thread. Readable
 * buffers in a chain are skipped; a chain gets at most RNG_MAX_FILL
 * bytes.
 */
#include <errno.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <string.h>
#include <sys/random.h>

#include "rng.h"

uint32_t rng_fill(const struct virtq_req *req,
		  int (*random)(void *buf, size_t len), uint32_t max)
{
	uint32_t done = 0;
	unsigned i;

	for (i = 0; i < req->nr_bufs && done < max; i++) {
		uint32_t n = req->bufs[i].len;

		if (!req->bufs[i].writable)
			continue;
		if (n > max - done)
			n = max - done;
		if (random(req->bufs[i].addr, n))
			return 0;
		done += n;
	}
	return done;
}

int rng_host_random(void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom((uint8_t *)buf + done, len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

static uint32_t serve(void *dev, struct virtq_req *req)
{
	struct virtio_rng *r = dev;

	return rng_fill(req, r->random, RNG_MAX_FILL);
}

static void drain(void *arg)
{
	struct virtio_rng *r = arg;

	virtio_serve_queue(&r->mmio, 0, &r->req, serve, r);
}

static void rng_notify(void *dev, unsigned q)
{
	struct virtio_rng *r = dev;

	(void)q;
	virtio_worker_kick(&r->worker);
}

static const struct virtio_device_ops rng_ops = {
	.name = "rng", /* no configuration space (5.4.4) */
	.notify = rng_notify,
};

int virtio_rng_init(struct virtio_rng *r, const struct guest_mem *mem,
		    struct irq_line irq)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->random = rng_host_random;
	virtio_mmio_init(&r->mmio, mem, irq, VIRTIO_ID_RNG,
			 1ULL << VIRTIO_RING_F_INDIRECT_DESC |
				 1ULL << VIRTIO_RING_F_EVENT_IDX,
			 1, &rng_ops, r, 0);
	err = virtio_worker_init(&r->worker, drain, r);
	r->mmio.notify_fd[0] = r->worker.fd;
	return err;
}

int virtio_rng_start(struct virtio_rng *r)
{
	return virtio_worker_start(&r->worker);
}

void virtio_rng_stop(struct virtio_rng *r)
{
	virtio_worker_stop(&r->worker);
}
