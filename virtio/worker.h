/* SPDX-License-Identifier: MIT */
#ifndef VMM_VIRTIO_WORKER_H
#define VMM_VIRTIO_WORKER_H

#include <pthread.h>
#include <stdint.h>

#include "mmio.h"

/* A device's I/O thread: sleeps until kicked (the driver notified a
 * queue), then calls drain(arg) to serve what is there, so a vCPU thread
 * only ever wakes it. Its eventfd is the kick: a backend may have the
 * host kernel signal it on the driver's notify (KVM_IOEVENTFD). */
struct virtio_worker {
	pthread_t thread;
	int fd; /* eventfd */
	int stop, started;
	void (*drain)(void *arg);
	void *arg;
};

/* 0 or a negative errno (no eventfd). */
int virtio_worker_init(struct virtio_worker *w, void (*drain)(void *),
		       void *arg);
/* 0 or a negative errno. */
int virtio_worker_start(struct virtio_worker *w);
/* The same with a loop of the device's own in place of "read the kick,
 * drain" (virtio-blk on io_uring waits for its completions as well): it
 * gets w, and must end once w->stop is set and the kick read. */
int virtio_worker_start_loop(struct virtio_worker *w, void *(*loop)(void *));
void virtio_worker_kick(struct virtio_worker *w);
/* Stop the thread (if started), wait for it, close the eventfd. */
void virtio_worker_stop(struct virtio_worker *w);

/* On the I/O thread: serve every chain available on queue q of m with
 * serve(dev, req), which returns the bytes it wrote into the chain, and
 * interrupt the driver as the queue's rules allow. The queue lock is held
 * throughout, so a reset waits for the request in flight; a broken ring
 * disables the queue and sets DEVICE_NEEDS_RESET. req is scratch. */
void virtio_serve_queue(struct virtio_mmio *m, unsigned q,
			struct virtq_req *req,
			uint32_t (*serve)(void *dev, struct virtq_req *req),
			void *dev);

#endif
