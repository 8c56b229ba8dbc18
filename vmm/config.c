// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "loader.h"

void vm_config_defaults(struct vm_config *c)
{
	*c = (struct vm_config){
		.cmdline = "console=ttyS0",
		.cpus = 1,
		.memory = VM_DEFAULT_MEMORY,
		.kernel_addr = DEFAULT_KERNEL_ADDR,
		.backend = "auto",
		.console = "stdio",
	};
}

int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	default:
		return -EINVAL;
	}
	if (*end && end[1] != '\0' &&
	    !(end[1] == 'i' && end[2] == 'B' && !end[3]))
		return -EINVAL;
	if (shift && v > (~0ULL >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

int vm_config_validate(const struct vm_config *c, char *err, unsigned errlen)
{
	if (!c->kernel) {
		snprintf(err, errlen, "no kernel given (--kernel FILE)");
		return -EINVAL;
	}
	if (c->cpus < 1 || c->cpus > VM_MAX_CPUS) {
		snprintf(err, errlen, "--cpus %u: must be 1 to %d", c->cpus,
			 VM_MAX_CPUS);
		return -EINVAL;
	}
	if (c->memory < VM_MIN_MEMORY || c->memory > VM_MAX_MEMORY ||
	    c->memory % 4096) {
		snprintf(
			err, errlen,
			"--memory %llu: must be a multiple of 4K from 2M to 64G",
			(unsigned long long)c->memory);
		return -EINVAL;
	}
	if (c->kernel_addr < VM_RAM_BASE ||
	    c->kernel_addr - VM_RAM_BASE >= c->memory) {
		snprintf(err, errlen, "--kernel-addr 0x%llx: outside guest RAM",
			 (unsigned long long)c->kernel_addr);
		return -EINVAL;
	}
	return 0;
}
