// SPDX-License-Identifier: MIT
/*
 * The `stats` request (control.c): what the harts and the devices of a
 * running VM have counted since it booted, as " owner.name=value" pairs.
 * The devices' threads keep counting while this reads: each figure is
 * read whole (a relaxed atomic load), the set of them is not a snapshot.
 */
#include <errno.h>
#include <stdio.h>

#include "counters.h"
#include "vm.h"

#define read_count(p) __atomic_load_n((p), __ATOMIC_RELAXED)

void counters_put(struct counters *c, const char *owner, const char *name,
		  uint64_t value)
{
	size_t room = c->size - c->used;
	int n = snprintf(c->buf + c->used, room, " %s%s%s=%llu",
			 owner ? owner : "", owner ? "." : "", name,
			 (unsigned long long)value);

	/* a pair that did not fit is left out, not cut in half */
	if (n > 0 && (size_t)n < room)
		c->used += (size_t)n;
	else if (room)
		c->buf[c->used] = '\0';
}

static void blk_counters(const struct virtio_blk *b, unsigned i,
			 struct counters *c)
{
	const struct blk_stats *s = &b->stats;
	char owner[16];

	snprintf(owner, sizeof(owner), "blk%u", i);
	counters_put(c, owner, "reads", read_count(&s->reads));
	counters_put(c, owner, "read_bytes", read_count(&s->read_bytes));
	counters_put(c, owner, "writes", read_count(&s->writes));
	counters_put(c, owner, "write_bytes", read_count(&s->write_bytes));
	counters_put(c, owner, "flushes", read_count(&s->flushes));
	counters_put(c, owner, "other", read_count(&s->other));
	counters_put(c, owner, "errors", read_count(&s->errors));
	counters_put(c, owner, "interrupts", read_count(&b->mmio.interrupts));
}

/* A network device's pairs, added up. */
static void net_counters(const struct virtio_net *n, unsigned i,
			 struct counters *c)
{
	uint64_t rx = 0, rx_dropped = 0, tx = 0, tx_dropped = 0;
	char owner[16];
	unsigned p;

	for (p = 0; p < n->link.nr_queues; p++) {
		const struct net_stats *s = &n->pairs[p].stats;

		rx += read_count(&s->rx_frames);
		rx_dropped += read_count(&s->rx_dropped);
		tx += read_count(&s->tx_frames);
		tx_dropped += read_count(&s->tx_dropped);
	}
	snprintf(owner, sizeof(owner), "net%u", i);
	counters_put(c, owner, "rx_frames", rx);
	counters_put(c, owner, "rx_dropped", rx_dropped);
	counters_put(c, owner, "tx_frames", tx);
	counters_put(c, owner, "tx_dropped", tx_dropped);
	counters_put(c, owner, "interrupts", read_count(&n->mmio.interrupts));
}

int vm_counters(struct vm *vm, struct counters *c)
{
	unsigned i;

	c->used = 0;
	if (c->size)
		c->buf[0] = '\0';
	/* life_lock: the backend neither goes nor comes meanwhile */
	pthread_mutex_lock(&vm->life_lock);
	if (!vm->running) {
		pthread_mutex_unlock(&vm->life_lock);
		return -EAGAIN;
	}
	if (vm->backend->counters)
		vm->backend->counters(vm, c);
	pthread_mutex_unlock(&vm->life_lock);
	for (i = 0; i < vm->nr_disks; i++)
		blk_counters(vm->disks[i], i, c);
	for (i = 0; i < vm->nr_nets; i++)
		net_counters(vm->nets[i], i, c);
	return 0;
}
