/* SPDX-License-Identifier: MIT */
#ifndef VMM_COUNTERS_H
#define VMM_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

struct vm;

/* What a running VM has counted so far, for the control socket's `stats`
 * request: " OWNER.NAME=VALUE" pairs in one line, the harts' (the
 * backend's: vcpu0, vcpu1, ...) then each device's (blk0, net0, ...). */
/* Room for every pair of the largest VM (8 harts, 8 devices), twice. */
#define COUNTERS_MAX 32768

struct counters {
	char *buf;
	size_t size, used;
};

/* Append " owner.name=value" (" name=value" with no owner); what does
 * not fit is left out whole. */
void counters_put(struct counters *c, const char *owner, const char *name,
		  uint64_t value);

/* Everything the VM counts, into c: 0, or -EAGAIN between two boots (no
 * harts to ask). From the control thread. */
int vm_counters(struct vm *vm, struct counters *c);

#endif
