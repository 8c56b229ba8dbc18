/* SPDX-License-Identifier: MIT */
#ifndef VMM_VIRTIO_BLK_H
#define VMM_VIRTIO_BLK_H

#include <pthread.h>
#include <stdint.h>
#include <sys/uio.h>

#include "mmio.h"
#include "worker.h"

#define BLK_SECTOR 512
#define BLK_SEG_MAX (VIRTQ_MAX_SEGS - 2) /* header and status take two */
#define BLK_ID_BYTES 20 /* VIRTIO_BLK_ID_BYTES */

/* How a disk is attached (--disk FILE[,readonly=on][,cache=none]...). */
struct blk_options {
	const char *path;
	int readonly;
	int direct; /* cache=none: O_DIRECT */
	int legacy; /* virtio-mmio version 1 */
};

/* One parsed request (5.2.6): where its data and status byte are. */
struct blk_request {
	uint32_t type;
	uint64_t sector;
	unsigned iovcnt;
	uint64_t len; /* data bytes in iov */
	unsigned readable, writable; /* iov entries of each direction */
	uint8_t *status;
	/* last: a small request touches only the first of its pages */
	struct iovec iov[VIRTQ_MAX_SEGS];
};

struct virtio_blk;
struct blk_aio;

struct blk_queue {
	struct virtio_blk *blk;
	unsigned index;
	struct virtio_worker worker;
	struct virtq_req req; /* scratch: too big for a thread's stack */
	struct blk_request breq;
	struct blk_aio *aio; /* NULL: served one request at a time */
};

/* What the device served (`vmm stats`): requests completed, by type,
 * and those that failed. Any of its threads adds (blk_count()). */
struct blk_stats {
	uint64_t reads, read_bytes, writes, write_bytes, flushes, other;
	uint64_t errors;
};

struct virtio_blk {
	struct virtio_mmio mmio;
	struct blk_stats stats;
	struct blk_options opt;
	int fd;
	uint64_t sectors;
	char id[BLK_ID_BYTES];
	unsigned nr_queues;
	struct blk_queue queues[VIRTIO_MAX_QUEUES];
};

/* Split a popped chain into header, data and status (5.2.6). Returns 0,
 * or -EINVAL when the chain cannot carry a request at all (no header, no
 * writable status byte): such a chain is completed with nothing written.
 * Pure: no I/O, no guest RAM beyond the chain's own buffers. */
int blk_parse(const struct virtq_req *req, struct blk_request *out);

/* Open the image (advisory lock included) and set the device up with one
 * queue per vCPU. Errors: -errno, with a message already logged. */
int virtio_blk_open(struct virtio_blk *b, const struct blk_options *opt,
		    const struct guest_mem *mem, struct irq_line irq,
		    unsigned nr_queues);
/* Start the I/O threads. */
int virtio_blk_start(struct virtio_blk *b);
/* Stop the I/O threads and close the image. */
void virtio_blk_close(struct virtio_blk *b);
/* Count a request completed with status (blk_stats). */
void blk_count(struct virtio_blk *b, const struct blk_request *r,
	       uint8_t status);
/* Serve one request against the image; returns bytes written into the
 * guest's buffers (status byte included). */
uint32_t blk_execute(struct virtio_blk *b, struct blk_request *r);
/* An IN or OUT the image can serve as it stands: VIRTIO_BLK_S_OK, or the
 * status blk_execute() would give it. */
uint8_t blk_rw_check(const struct virtio_blk *b, const struct blk_request *r);
/* The rest of a checked IN or OUT after its first done bytes, however
 * they were moved; the status, with *written the data bytes put into the
 * guest's buffers (the status byte not included). */
uint8_t blk_rw_rest(struct virtio_blk *b, const struct blk_request *r,
		    uint64_t done, uint32_t *written);
/* blk_parse() a popped chain, and say (a bounded number of times) when it
 * is no request at all: such a chain is completed with nothing written. */
int blk_take(struct virtio_blk *b, const struct virtq_req *req,
	     struct blk_request *r);

/* virtio/blk_aio.c: requests in flight on io_uring. A ring for every
 * queue (queues[i].aio), or none and a negative errno when io_uring cannot
 * be had: -ENOSYS, -EPERM in a sandbox that forbids it, -ECANCELED for
 * VMM_BLK_URING=0 in the environment (for comparisons). */
int blk_aio_setup(struct virtio_blk *b);
/* The I/O thread of a queue with a ring (virtio_worker_start_loop()). */
void *blk_aio_loop(void *worker);
/* After the threads are stopped. */
void blk_aio_free(struct virtio_blk *b);

#endif
