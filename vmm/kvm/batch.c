// SPDX-License-Identifier: MIT
/*
 * Batched MMIO writes (Documentation/virt/kvm/api.rst, 4.116
 * KVM_REGISTER_COALESCED_MMIO): KVM appends a write inside a registered
 * zone to a ring and lets the vCPU run on. A device offers such a zone
 * only where a write may reach it late as long as the order holds and it
 * comes before any other access to the device (the UART's THR: a console
 * byte costs no exit). So the ring is drained before any exit is served,
 * on a timer (a guest that writes and then idles would otherwise keep its
 * last bytes), and at pause and stop. KVM keeps one entry free and, with
 * the ring full, makes the write an ordinary exit: nothing is dropped.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../log.h"
#include "../vm.h"
#include "batch.h"

#define BATCH_PERIOD_NS (10 * 1000 * 1000)

void kvm_batch_init(struct kvm_batch *b, struct vm *vm)
{
	memset(b, 0, sizeof(*b));
	pthread_mutex_init(&b->lock, NULL);
	b->vm = vm;
}

static void *timer_thread(void *arg)
{
	struct kvm_batch *b = arg;
	struct timespec t = { 0, BATCH_PERIOD_NS };

	while (!__atomic_load_n(&b->stop, __ATOMIC_ACQUIRE)) {
		nanosleep(&t, NULL);
		kvm_batch_drain(b);
	}
	return NULL;
}

/* The 10 ms drain, from the first zone on. */
static int start_timer(struct kvm_batch *b)
{
	sigset_t all, old;
	int e;

	if (b->timer_started)
		return 0;
	/* no signal meant for a vCPU thread lands here */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	e = pthread_create(&b->timer, NULL, timer_thread, b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	b->timer_started = !e;
	return -e;
}

int kvm_batch_add(struct kvm_batch *b, int dev_fd, int vm_fd, void *run,
		  uint64_t addr, uint64_t len)
{
	struct kvm_coalesced_mmio_zone zone = { .addr = addr,
						.size = (uint32_t)len };
	long page = sysconf(_SC_PAGESIZE);
	int e, off = 1;

	if (!b->ring) /* asked once, with the first zone */
		off = ioctl(dev_fd, KVM_CHECK_EXTENSION,
			    KVM_CAP_COALESCED_MMIO);
	if (off <= 0 || page <= 0)
		return -ENOTSUP;
	if (ioctl(vm_fd, KVM_REGISTER_COALESCED_MMIO, &zone) < 0)
		return -errno;
	if (!b->ring) {
		b->ring = (struct kvm_coalesced_mmio_ring
				   *)((char *)run + (size_t)off * (size_t)page);
		b->size = (unsigned)(((size_t)page - sizeof(*b->ring)) /
				     sizeof(struct kvm_coalesced_mmio));
	}
	e = start_timer(b);
	if (e)
		pr_warn("batched writes: timer thread: %s (what an idle guest wrote last waits for its next exit)",
			strerror(-e));
	return 0;
}

void kvm_batch_drain(struct kvm_batch *b)
{
	struct kvm_coalesced_mmio_ring *r = b->ring;
	uint32_t first;

	if (!r || __atomic_load_n(&r->first, __ATOMIC_RELAXED) ==
			  __atomic_load_n(&r->last, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&b->lock);
	first = __atomic_load_n(&r->first, __ATOMIC_RELAXED) % b->size;
	while (first != __atomic_load_n(&r->last, __ATOMIC_ACQUIRE)) {
		struct kvm_coalesced_mmio *e = &r->coalesced_mmio[first];
		uint64_t val = 0;

		if (e->len <= sizeof(val)) { /* KVM's own: 1 to 8 bytes */
			memcpy(&val, e->data, e->len);
			vm_mmio(b->vm, e->phys_addr, e->len, 1, &val);
		}
		first = (first + 1) % b->size;
		__atomic_store_n(&r->first, first, __ATOMIC_RELEASE);
		b->writes++;
	}
	pthread_mutex_unlock(&b->lock);
}

void kvm_batch_stop(struct kvm_batch *b)
{
	if (b->timer_started) {
		__atomic_store_n(&b->stop, 1, __ATOMIC_RELEASE);
		pthread_join(b->timer, NULL);
		b->timer_started = 0;
	}
	kvm_batch_drain(b);
	if (b->ring)
		pr_debug("kvm: %llu batched writes delivered", b->writes);
	b->writes = 0;
}
