// SPDX-License-Identifier: MIT
/*
 * virtio-blk requests in flight on io_uring. A queue's I/O thread pops
 * every request it has a slot for, hands the reads and writes to the
 * kernel in one system call and pushes each as it completes, in whatever
 * order the disk finishes them (virtio 1.2, 2.7: a device that does not
 * offer VIRTIO_F_IN_ORDER may use buffers in any order). A driver with
 * 32 requests out so has 32 at the disk, where a thread doing preadv()
 * had one. The queue's kick is a poll in the same ring, so the thread
 * sleeps in one place for both. Flush, discard and the rest are served on
 * the spot, as blk.c serves them: a driver orders a flush after the
 * writes it must cover, by waiting for their completion. Without
 * io_uring (an old kernel, a sandbox that forbids it, VMM_BLK_URING=0)
 * blk.c serves each queue one request at a time.
 */
#include <errno.h>
#include <linux/virtio_blk.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../vmm/log.h"
#include "blk.h"
#include "uring.h"

#define BLK_IN_FLIGHT 32 /* per queue */
#define KICK UINT64_MAX /* user_data of the poll on the kick's eventfd */

struct blk_slot {
	uint16_t head;
	uint32_t written; /* once done: bytes put into the guest's buffers */
	struct blk_request req;
};

struct blk_aio {
	struct uring ring;
	unsigned nr_free;
	uint8_t free[BLK_IN_FLIGHT];
	struct blk_slot slots[BLK_IN_FLIGHT];
};

static int is_rw(const struct blk_request *r)
{
	return r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_OUT;
}

static void arm_kick(struct blk_queue *bq)
{
	/* The ring has room for every slot and this. */
	struct io_uring_sqe *sqe = uring_sqe(&bq->aio->ring);

	sqe->opcode = IORING_OP_POLL_ADD;
	sqe->fd = bq->worker.fd;
	sqe->poll32_events = POLLIN;
	sqe->user_data = KICK;
}

static void submit_rw(struct blk_queue *bq, unsigned slot)
{
	struct blk_request *r = &bq->aio->slots[slot].req;
	struct io_uring_sqe *sqe = uring_sqe(&bq->aio->ring);

	sqe->opcode = r->type == VIRTIO_BLK_T_OUT ? IORING_OP_WRITEV
						  : IORING_OP_READV;
	sqe->fd = bq->blk->fd;
	sqe->off = r->sector * BLK_SECTOR;
	sqe->addr = (uintptr_t)r->iov;
	sqe->len = r->iovcnt;
	sqe->user_data = slot;
}

/* With the queue's lock held: pop what there are slots for. Reads and
 * writes go to the ring; anything else is served now. 1 when something
 * was pushed. */
static int take_requests(struct blk_queue *bq, struct virtio_queue *q)
{
	struct virtio_blk *b = bq->blk;
	struct blk_aio *a = bq->aio;
	int pushed = 0, n;

	while (a->nr_free) {
		unsigned slot = a->free[a->nr_free - 1];
		struct blk_slot *s = &a->slots[slot];

		n = virtq_pop(&q->vq, &bq->req);
		if (n < 0) {
			virtio_queue_broken(&b->mmio, q);
			break;
		}
		if (n == 0) {
			/* With requests in flight a completion comes, and
			 * looks again: the driver need not notify until
			 * then (an exit each, at a high queue depth). */
			if (!q->in_flight && virtq_prepare_wait(&q->vq))
				continue;
			break;
		}
		if (blk_take(b, &bq->req, &s->req)) {
			virtq_push(&q->vq, bq->req.head, 0);
			pushed = 1;
			continue;
		}
		if (is_rw(&s->req) &&
		    blk_rw_check(b, &s->req) == VIRTIO_BLK_S_OK) {
			s->head = bq->req.head;
			submit_rw(bq, slot);
			a->nr_free--;
			q->in_flight++;
			continue;
		}
		virtq_push(&q->vq, bq->req.head, blk_execute(b, &s->req));
		pushed = 1;
	}
	return pushed;
}

/* A read or write came back with res (bytes, or a negative errno): its
 * status. Whatever it did not finish (a short transfer, an error io_uring
 * gave where the plain system call might not) blk.c's synchronous path
 * finishes, or fails. */
static void finish_rw(struct virtio_blk *b, struct blk_slot *s, int res)
{
	struct blk_request *r = &s->req;
	uint8_t status = VIRTIO_BLK_S_OK;

	s->written = r->type == VIRTIO_BLK_T_IN ? (uint32_t)r->len : 0;
	if (res < 0 || (uint64_t)res != r->len)
		status = blk_rw_rest(b, r, res > 0 ? (uint64_t)res : 0,
				     &s->written);
	*r->status = status;
	blk_count(b, r, status);
}

/* Push the n slots that came back (none, after a kick), one interrupt
 * for all of them, and unless stopping refill the slots from the ring. */
static void push_done(struct blk_queue *bq, const uint8_t *done, unsigned n,
		      int refill)
{
	struct virtio_queue *q = &bq->blk->mmio.queues[bq->index];
	struct blk_aio *a = bq->aio;
	unsigned i;
	int pushed;

	pthread_mutex_lock(&q->lock);
	/* A driver that broke the ring meanwhile has it disabled: its
	 * requests are dropped, the device waits for a reset. */
	for (i = 0; i < n && q->vq.ready; i++)
		virtq_push(&q->vq, a->slots[done[i]].head,
			   a->slots[done[i]].written + 1);
	for (i = 0; i < n; i++)
		a->free[a->nr_free++] = done[i];
	virtio_queue_retire(q, n);
	pushed = refill && take_requests(bq, q);
	if (q->vq.ready && (n || pushed))
		virtio_mmio_used(&bq->blk->mmio, q);
	pthread_mutex_unlock(&q->lock);
}

static void take_kick(struct blk_queue *bq)
{
	uint64_t count;

	/* The poll said it is readable, and only this thread reads it. */
	if (read(bq->worker.fd, &count, sizeof(count)) < 0)
		return;
}

/* Not seen here: a ring sized for every slot cannot overflow. Should it
 * happen all the same, the thread says so and does not spin. */
static void enter_failed(struct blk_queue *bq, int err)
{
	static unsigned logged;
	const struct timespec pause = { 0, 1000 * 1000 };

	if (__atomic_fetch_add(&logged, 1, __ATOMIC_RELAXED) < 20)
		pr_warn("disk %s: io_uring_enter: %s", bq->blk->opt.path,
			strerror(-err));
	nanosleep(&pause, NULL);
}

void *blk_aio_loop(void *arg)
{
	struct virtio_worker *w = arg;
	struct blk_queue *bq = w->arg;
	struct blk_aio *a = bq->aio;
	uint8_t done[BLK_IN_FLIGHT];
	struct io_uring_cqe cqe;
	int armed = 0, stopping = 0, err;
	unsigned n;

	for (;;) {
		if (!stopping && !armed) {
			arm_kick(bq);
			armed = 1;
			push_done(bq, done, 0, 1);
		}
		if (stopping && a->nr_free == BLK_IN_FLIGHT)
			return NULL;
		err = uring_enter(&a->ring);
		if (err && err != -EINTR)
			enter_failed(bq, err);
		n = 0;
		while (uring_cqe(&a->ring, &cqe)) {
			if (cqe.user_data == KICK) {
				take_kick(bq);
				armed = 0;
				stopping = __atomic_load_n(&w->stop,
							   __ATOMIC_ACQUIRE);
				continue;
			}
			finish_rw(bq->blk, &a->slots[cqe.user_data], cqe.res);
			done[n++] = (uint8_t)cqe.user_data;
		}
		if (n)
			push_done(bq, done, n, !stopping);
	}
}

int blk_aio_setup(struct virtio_blk *b)
{
	const char *env = getenv("VMM_BLK_URING");
	unsigned i, j;
	int err = 0;

	if (env && !strcmp(env, "0"))
		return -ECANCELED;
	for (i = 0; i < b->nr_queues && !err; i++) {
		struct blk_aio *a = calloc(1, sizeof(*a));

		if (!a) {
			err = -ENOMEM;
			break;
		}
		b->queues[i].aio = a;
		err = uring_init(&a->ring, BLK_IN_FLIGHT + 1);
		for (j = 0; j < BLK_IN_FLIGHT; j++)
			a->free[a->nr_free++] = (uint8_t)j;
	}
	if (err)
		blk_aio_free(b);
	return err;
}

void blk_aio_free(struct virtio_blk *b)
{
	unsigned i;

	for (i = 0; i < b->nr_queues; i++) {
		struct blk_aio *a = b->queues[i].aio;

		if (!a)
			continue;
		if (a->ring.fd >= 0)
			uring_exit(&a->ring);
		free(a);
		b->queues[i].aio = NULL;
	}
}
