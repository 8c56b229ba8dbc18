// SPDX-License-Identifier: MIT
/*
 * What KVM counted for a vCPU (its binary statistics, KVM_GET_STATS_FD,
 * Documentation/virt/kvm/api.rst 4.134): every exit the guest took, not
 * only the MMIO exits vmm serves. On a nested host each exit also costs
 * the guest what it takes to refill the translations it lost, so the
 * count is where a guest's time goes. Said at --log-level debug, once per
 * vCPU, as the VM ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../log.h"
#include "kvm_priv.h"

/* Writes " name=value" into out for each counter that is not zero. */
static void describe(int fd, const struct kvm_stats_header *h, char *out,
		     size_t size)
{
	size_t desc_size = sizeof(struct kvm_stats_desc) + h->name_size;
	char *descs = malloc(desc_size * h->num_desc);
	size_t used = 0;
	uint32_t i;

	if (!descs)
		return;
	if (pread(fd, descs, desc_size * h->num_desc, h->desc_offset) !=
	    (ssize_t)(desc_size * h->num_desc))
		goto out;
	for (i = 0; i < h->num_desc && used + 1 < size; i++) {
		struct kvm_stats_desc *d =
			(struct kvm_stats_desc *)(descs + i * desc_size);
		uint64_t val;
		int n;

		d->name[h->name_size - 1] = '\0';
		if (d->size != 1 ||
		    pread(fd, &val, sizeof(val), h->data_offset + d->offset) !=
			    sizeof(val) ||
		    !val)
			continue;
		n = snprintf(out + used, size - used, " %s=%llu", d->name,
			     (unsigned long long)val);
		if (n > 0)
			used += (size_t)n;
	}
out:
	free(descs);
}

void kvm_log_vcpu_stats(const struct kvm_vcpu *v)
{
	struct kvm_stats_header h;
	char line[2048] = "";
	int fd;

	if (log_level < LOG_DEBUG)
		return;
	fd = ioctl(v->fd, KVM_GET_STATS_FD, NULL);
	if (fd < 0)
		return; /* before Linux 5.14: nothing to say */
	if (pread(fd, &h, sizeof(h), 0) == sizeof(h) && h.name_size)
		describe(fd, &h, line, sizeof(line));
	close(fd);
	pr_debug("kvm: vCPU %u counted:%s", v->id, line);
}
