// SPDX-License-Identifier: MIT
/*
 * The I/O thread a virtio device serves its queues on (worker.h). It
 * sleeps on an eventfd, which a vCPU thread writes on a notify or, under
 * KVM with KVM_IOEVENTFD, the host kernel signals itself without a
 * userspace exit.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "worker.h"

int virtio_worker_init(struct virtio_worker *w, void (*drain)(void *),
		       void *arg)
{
	w->stop = w->started = 0;
	w->drain = drain;
	w->arg = arg;
	w->fd = eventfd(0, EFD_CLOEXEC);
	return w->fd < 0 ? -errno : 0;
}

static void *worker_thread(void *arg)
{
	struct virtio_worker *w = arg;
	uint64_t n;

	for (;;) {
		if (read(w->fd, &n, sizeof(n)) < 0 && errno == EINTR)
			continue;
		if (__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE))
			return NULL;
		w->drain(w->arg);
	}
}

int virtio_worker_start_loop(struct virtio_worker *w, void *(*loop)(void *))
{
	int err = pthread_create(&w->thread, NULL, loop, w);

	w->started = !err;
	return -err;
}

int virtio_worker_start(struct virtio_worker *w)
{
	return virtio_worker_start_loop(w, worker_thread);
}

void virtio_worker_kick(struct virtio_worker *w)
{
	uint64_t one = 1;

	/* adds to the count the thread reads: nothing to do if it fails */
	if (write(w->fd, &one, sizeof(one)) < 0)
		return;
}

void virtio_worker_stop(struct virtio_worker *w)
{
	if (w->started) {
		__atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
		virtio_worker_kick(w);
		pthread_join(w->thread, NULL);
		w->started = 0;
	}
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

void virtio_serve_queue(struct virtio_mmio *m, unsigned qi,
			struct virtq_req *req,
			uint32_t (*serve)(void *dev, struct virtq_req *req),
			void *dev)
{
	struct virtio_queue *q = &m->queues[qi];
	int n;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		n = virtq_pop(&q->vq, req);
		if (n < 0) {
			virtio_queue_broken(m, q);
			break;
		}
		if (n == 0) {
			if (virtq_prepare_wait(&q->vq))
				continue;
			break;
		}
		virtq_push(&q->vq, req->head, serve(dev, req));
		virtio_mmio_used(m, q);
	}
	pthread_mutex_unlock(&q->lock);
}
