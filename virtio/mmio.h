/* SPDX-License-Identifier: MIT */
#ifndef VMM_VIRTIO_MMIO_H
#define VMM_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdint.h>

#include "../vmm/irq.h"
#include "../vmm/mem.h"
#include "virtq.h"

/* virtio-mmio slots (DESIGN.md memory map): slot i at BASE + i * SIZE,
 * PLIC source IRQ + i. */
#define VIRTIO_MMIO_BASE 0x10001000ULL
#define VIRTIO_MMIO_SIZE 0x1000ULL
#define VIRTIO_MMIO_IRQ 1
#define VIRTIO_MMIO_SLOTS 8

/* InterruptACK may reach the device late (a backend batches it, without
 * an exit), in order, before the driver's next read of any register and
 * before the interrupt controller may deliver the device's interrupt
 * again (vmm's PLIC: after the guest's complete, an exit). An ACK acts as
 * of the driver's last read of InterruptStatus: an event raised after
 * that read keeps its bit, and its interrupt, however late the ACK comes. */
#define VIRTIO_MMIO_LATE_WRITES_OFF 0x064
#define VIRTIO_MMIO_LATE_WRITES_LEN 4

/* virtio-net's 8 queue pairs (one per vCPU) and its control queue */
#define VIRTIO_MAX_QUEUES 17

/* What a device (blk, ...) gives the transport. The transport owns the
 * queues and their locks; an I/O thread takes a queue's lock around every
 * virtq_pop()/virtq_push() batch and checks vq.ready under it. */
struct virtio_device_ops {
	const char *name;
	/* NULL: no configuration space (reads 0, writes ignored) */
	int (*config_read)(void *dev, uint64_t off, unsigned size,
			   uint64_t *val);
	int (*config_write)(void *dev, uint64_t off, unsigned size,
			    uint64_t val);
	/* The driver kicked queue q (vCPU thread): wake its I/O thread. */
	void (*notify)(void *dev, unsigned q);
	/* NULL, or: the device was reset (the queues are gone already);
	 * called with the registers' lock held. */
	void (*reset)(void *dev);
};

struct virtio_queue {
	pthread_mutex_t lock;
	struct virtq vq;
	/* Requests popped and not yet pushed by a device that serves them
	 * with the lock dropped (virtio-blk on io_uring): they still write
	 * guest RAM and the used ring, so a reset or a queue disable waits
	 * until none is left. Under the lock. */
	unsigned in_flight;
	pthread_cond_t idle;
};

/* One virtio-mmio device slot (virtio 1.2, 4.2.2; legacy: 4.2.4). */
struct virtio_mmio {
	pthread_mutex_t lock; /* registers; taken before a queue lock */
	pthread_mutex_t irq_lock; /* interrupt_status; taken last */
	const struct virtio_device_ops *ops;
	void *dev;
	const struct guest_mem *mem;
	struct irq_line irq;
	uint32_t device_id;
	uint64_t device_features;
	unsigned nr_queues;
	int legacy; /* version 1 register layout */

	uint32_t status; /* atomic: I/O threads may set NEEDS_RESET */
	uint32_t device_features_sel, driver_features_sel, queue_sel;
	uint64_t driver_features;
	uint32_t interrupt_status;
	/* raised since the driver last read InterruptStatus; status_read:
	 * it has read it since its last ACK (both under irq_lock) */
	uint32_t interrupt_fresh;
	int status_read;
	uint64_t interrupts; /* times its line went up (`vmm stats`) */
	uint32_t config_generation;
	uint32_t guest_page_size, queue_align; /* legacy */
	struct virtio_queue queues[VIRTIO_MAX_QUEUES];
	uint32_t queue_pfn[VIRTIO_MAX_QUEUES]; /* legacy */
	/* the eventfd that wakes each queue's I/O thread (-1: none), for a
	 * backend to signal on QueueNotify without an exit */
	int notify_fd[VIRTIO_MAX_QUEUES];
};

void virtio_mmio_init(struct virtio_mmio *m, const struct guest_mem *mem,
		      struct irq_line irq, uint32_t device_id,
		      uint64_t device_features, unsigned nr_queues,
		      const struct virtio_device_ops *ops, void *dev,
		      int legacy);
/* Back to the state after power-on (a guest reboot). */
void virtio_mmio_reset(struct virtio_mmio *m);
int virtio_mmio_read(void *m, uint64_t off, unsigned size, uint64_t *val);
/* A slot with no device, as QEMU's virt machine has them: the magic
 * value, version 2, QEMU's VendorID and DeviceID 0, which guests that
 * probe every slot (xv6 and its kind) take for "nothing here"; writes are
 * ignored. */
int virtio_mmio_empty_read(void *m, uint64_t off, unsigned size, uint64_t *val);
int virtio_mmio_empty_write(void *m, uint64_t off, unsigned size, uint64_t val);
int virtio_mmio_write(void *m, uint64_t off, unsigned size, uint64_t val);

/* I/O thread side (with the queue's lock held): interrupt the driver for
 * used buffers if the queue's suppression rules allow. */
void virtio_mmio_used(struct virtio_mmio *m, struct virtio_queue *q);
/* With the queue's lock held: n of the queue's requests in flight are
 * pushed (or dropped); wakes a reset waiting for the last. */
void virtio_queue_retire(struct virtio_queue *q, unsigned n);
/* With the queue's lock held: its driver broke the ring (virtq_pop()
 * failed): stop the queue and ask for a reset. */
void virtio_queue_broken(struct virtio_mmio *m, struct virtio_queue *q);
/* The driver broke the rules: set DEVICE_NEEDS_RESET and tell it. */
void virtio_mmio_needs_reset(struct virtio_mmio *m, const char *why);
int virtio_mmio_negotiated(const struct virtio_mmio *m, unsigned bit);

#endif
