// SPDX-License-Identifier: MIT
/* The I/O thread a virtio device serves its queues on (worker.h). */
#include "worker.h"

void virtio_worker_init(struct virtio_worker *w, void (*drain)(void *),
			void *arg)
{
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->kick, NULL);
	w->kicked = w->stop = w->started = 0;
	w->drain = drain;
	w->arg = arg;
}

static void *worker_thread(void *arg)
{
	struct virtio_worker *w = arg;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (!w->kicked && !w->stop)
			pthread_cond_wait(&w->kick, &w->lock);
		w->kicked = 0;
		if (w->stop) {
			pthread_mutex_unlock(&w->lock);
			return NULL;
		}
		pthread_mutex_unlock(&w->lock);
		w->drain(w->arg);
	}
}

int virtio_worker_start(struct virtio_worker *w)
{
	int err = pthread_create(&w->thread, NULL, worker_thread, w);

	w->started = !err;
	return -err;
}

void virtio_worker_kick(struct virtio_worker *w)
{
	pthread_mutex_lock(&w->lock);
	w->kicked = 1;
	pthread_cond_signal(&w->kick);
	pthread_mutex_unlock(&w->lock);
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
			virtq_disable(&q->vq);
			virtio_mmio_needs_reset(m, q->vq.error);
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

void virtio_worker_stop(struct virtio_worker *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->kick);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	w->started = 0;
}
