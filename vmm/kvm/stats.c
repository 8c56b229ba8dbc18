// SPDX-License-Identifier: MIT
/*
 * What KVM counted for a vCPU (its binary statistics, KVM_GET_STATS_FD,
 * Documentation/virt/kvm/api.rst 4.134): every exit the guest took, not
 * only the MMIO exits vmm serves. On a nested host each exit also costs
 * the guest what it takes to refill the translations it lost, so the
 * count is where a guest's time goes. Said at --log-level debug, once per
 * vCPU, as the VM ends, and read by `vmm stats` while it runs.
 *
 * The file is opened with the vCPU: the ioctl takes the vCPU's mutex,
 * which KVM_RUN holds, while reading the file takes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../counters.h"
#include "../log.h"
#include "kvm_priv.h"

void kvm_stats_open(struct kvm_vcpu *v)
{
	v->stats_fd = ioctl(v->fd, KVM_GET_STATS_FD, NULL);
	/* before Linux 5.14: -1, nothing to say */
}

void kvm_stats_close(struct kvm_vcpu *v)
{
	if (v->stats_fd >= 0)
		close(v->stats_fd);
	v->stats_fd = -1;
}

/* Call fn for each single-valued counter of the vCPU, in KVM's order. */
static void each_stat(const struct kvm_vcpu *v,
		      void (*fn)(void *arg, const char *name, uint64_t val),
		      void *arg)
{
	struct kvm_stats_header h;
	size_t desc_size;
	char *descs = NULL;
	uint32_t i;

	if (v->stats_fd < 0 ||
	    pread(v->stats_fd, &h, sizeof(h), 0) != sizeof(h) || !h.name_size)
		return;
	desc_size = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = malloc(desc_size * h.num_desc);
	if (!descs || pread(v->stats_fd, descs, desc_size * h.num_desc,
			    h.desc_offset) != (ssize_t)(desc_size * h.num_desc))
		goto out;
	for (i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *d =
			(struct kvm_stats_desc *)(descs + i * desc_size);
		uint64_t val;

		d->name[h.name_size - 1] = '\0';
		if (d->size == 1 &&
		    pread(v->stats_fd, &val, sizeof(val),
			  h.data_offset + d->offset) == sizeof(val))
			fn(arg, d->name, val);
	}
out:
	free(descs);
}

/* " name=value" for each counter that is not zero */
static void put_nonzero(void *arg, const char *name, uint64_t val)
{
	if (val)
		counters_put(arg, NULL, name, val);
}

void kvm_log_vcpu_stats(const struct kvm_vcpu *v)
{
	char buf[2048] = "";
	struct counters c = { .buf = buf, .size = sizeof(buf) };

	if (log_level < LOG_DEBUG || v->stats_fd < 0)
		return;
	each_stat(v, put_nonzero, &c);
	pr_debug("kvm: vCPU %u counted:%s", v->id, buf);
}

struct owned {
	struct counters *c;
	char owner[16];
};

static void put_counter(void *arg, const char *name, uint64_t val)
{
	struct owned *o = arg;

	counters_put(o->c, o->owner, name, val);
}

void kvm_counters(struct vm *vm, struct counters *c)
{
	struct kvm *k = vm->backend_data;
	struct owned o = { .c = c };
	unsigned i;

	for (i = 0; k && i < k->nr_vcpus; i++) {
		snprintf(o.owner, sizeof(o.owner), "vcpu%u", i);
		each_stat(&k->vcpus[i], put_counter, &o);
	}
}
