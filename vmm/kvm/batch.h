/* SPDX-License-Identifier: MIT */
#ifndef VMM_KVM_BATCH_H
#define VMM_KVM_BATCH_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdint.h>

struct vm;

/* Guest writes KVM collects without an exit (KVM_REGISTER_COALESCED_MMIO)
 * in a ring it shares with us, delivered to the bus in order: before any
 * exit of any vCPU is served, every 10 ms, and at pause and stop. */
struct kvm_batch {
	struct kvm_coalesced_mmio_ring *ring; /* NULL: nothing is batched */
	unsigned size; /* entries in the ring */
	pthread_mutex_t lock; /* one drainer at a time */
	struct vm *vm;
	pthread_t timer;
	int timer_started, stop;
	unsigned long long writes; /* delivered from the ring */
};

void kvm_batch_init(struct kvm_batch *b, struct vm *vm);
/* Batch the writes to [addr, addr + len) (before the vCPUs run), and
 * start the 10 ms timer with the first zone: run is vCPU 0's mapping,
 * whose page KVM_COALESCED_MMIO_PAGE_OFFSET is the ring. 0 or a negative
 * errno (-ENOTSUP: this KVM has no coalesced MMIO). */
int kvm_batch_add(struct kvm_batch *b, int dev_fd, int vm_fd, void *run,
		  uint64_t addr, uint64_t len);
/* Deliver what the ring holds; cheap when it is empty. */
void kvm_batch_drain(struct kvm_batch *b);
/* Stop the timer and deliver what is left. */
void kvm_batch_stop(struct kvm_batch *b);

#endif
