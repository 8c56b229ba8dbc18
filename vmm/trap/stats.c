// SPDX-License-Identifier: MIT
/* Where a hart's time goes, counted and logged at exit (exec.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../counters.h"
#include "../log.h"
#include "../vm.h"
#include "exec.h"

void trap_count_sbi(struct trap_stats *st, uint64_t ext)
{
	unsigned i;

	for (i = 0; i < STATS_SBI - 1; i++) {
		if (!st->sbi[i].count)
			st->sbi[i].ext = ext;
		if (st->sbi[i].ext == ext)
			break;
	}
	st->sbi[i].count++;
}

unsigned trap_report_kind(uint64_t sig)
{
	switch (sig) {
	case SIGILL:
		return REPORT_ILL;
	case SIGSEGV:
	case SIGBUS:
		return REPORT_SEGV;
	case SIGSYS:
		return REPORT_SYS;
	}
	return REPORT_OTHER;
}

static const char *const stop_names[AHEAD_STOPS] = {
	"quiet",	 "max",	      "fp",    "user-csr", "misaligned",
	"device-atomic", "no-device", "fetch", "other",
};

const char *trap_ahead_stop_name(enum ahead_stop why)
{
	return why < AHEAD_STOPS ? stop_names[why] : "?";
}

/* The hart's counters, once it is done: round trips by kind, what vmm
 * ran itself, the busiest CSRs, the SBI calls, what ended running ahead. */
void trap_log_stats(const struct trap_vcpu *v)
{
	const struct trap_stats *st = &v->stats;
	char line[256];
	unsigned i, k, n = 0, top[6] = { 0 };

	pr_debug(
		"vCPU %u: %llu round trips to the guest process (%llu SIGILL, %llu SIGSEGV/SIGBUS, %llu SIGSYS, %llu other), %llu CSR accesses served in the guest process (fast path), %llu instructions run by vmm (%llu in its quick loop)",
		v->id,
		(unsigned long long)(st->reports[0] + st->reports[1] +
				     st->reports[2] + st->reports[3]),
		(unsigned long long)st->reports[0],
		(unsigned long long)st->reports[1],
		(unsigned long long)st->reports[2],
		(unsigned long long)st->reports[3],
		(unsigned long long)st->fast, (unsigned long long)st->ahead,
		(unsigned long long)st->quick);
	for (i = 1; i < 4096; i++)
		for (k = 0; k < 6; k++)
			if (st->csr[i] > st->csr[top[k]]) {
				memmove(&top[k + 1], &top[k],
					(5 - k) * sizeof(top[0]));
				top[k] = i;
				break;
			}
	for (k = 0; k < 6 && st->csr[top[k]]; k++)
		n += (unsigned)snprintf(line + n, sizeof(line) - n,
					" 0x%03x:%u", top[k], st->csr[top[k]]);
	if (n)
		pr_debug("vCPU %u: busiest CSRs (number:accesses):%s", v->id,
			 line);
	for (n = 0, i = 0; i < STATS_SBI && st->sbi[i].count; i++)
		n += (unsigned)snprintf(line + n, sizeof(line) - n,
					" 0x%llx:%llu",
					(unsigned long long)st->sbi[i].ext,
					(unsigned long long)st->sbi[i].count);
	if (n)
		pr_debug("vCPU %u: SBI calls (extension:calls):%s", v->id,
			 line);
	for (n = 0, i = 0; i < AHEAD_STOPS; i++)
		n += (unsigned)snprintf(line + n, sizeof(line) - n, " %s:%llu",
					stop_names[i],
					(unsigned long long)st->stops[i]);
	pr_debug("vCPU %u: run ahead ended by (reason:times):%s", v->id, line);
	pr_debug(
		"vCPU %u: shadow spaces: %llu switches between guest processes, %llu reused for another space, %llu pages dropped as changed after a fence",
		v->id, (unsigned long long)st->switches,
		(unsigned long long)st->evicted,
		(unsigned long long)st->dropped);
}

/* `vmm stats`: each hart's round trips to its guest process and what vmm
 * ran or served itself. The hart's thread counts as it goes: each figure
 * is read whole, the set of them is not a snapshot. */
void trap_counters(struct vm *vm, struct counters *c)
{
	struct trap *t = vm->backend_data;
	unsigned i, k;

	for (i = 0; t && i < t->nr; i++) {
		const struct trap_stats *st = &t->vcpus[i].stats;
		uint64_t trips = 0;
		char owner[16];

		for (k = 0; k < REPORT_KINDS; k++)
			trips += __atomic_load_n(&st->reports[k],
						 __ATOMIC_RELAXED);
		snprintf(owner, sizeof(owner), "vcpu%u", i);
		counters_put(c, owner, "round_trips", trips);
		counters_put(c, owner, "fast",
			     __atomic_load_n(&st->fast, __ATOMIC_RELAXED));
		counters_put(c, owner, "ahead",
			     __atomic_load_n(&st->ahead, __ATOMIC_RELAXED));
		counters_put(c, owner, "quick",
			     __atomic_load_n(&st->quick, __ATOMIC_RELAXED));
		counters_put(c, owner, "switches",
			     __atomic_load_n(&st->switches, __ATOMIC_RELAXED));
	}
}
