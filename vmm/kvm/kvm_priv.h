/* SPDX-License-Identifier: MIT */
#ifndef VMM_KVM_PRIV_H
#define VMM_KVM_PRIV_H

/* The KVM backend's own state, shared by its files (kvm.c: the VM, its
 * vCPU threads and exits; cpus.c: what the harts are; batch.c). */
#include <errno.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "../vm.h"
#include "batch.h"

struct kvm_vcpu {
	struct vm *vm;
	unsigned id;
	int fd;
	int stats_fd; /* KVM_GET_STATS_FD, or -1 (stats.c) */
	struct kvm_run *run;
	pthread_t thread;
	int started;
	unsigned long mmio_seen;
};

#define KVM_MAX_RO_PAGES 4

struct kvm {
	int dev_fd, vm_fd;
	size_t run_size;
	struct kvm_vcpu vcpus[VM_MAX_CPUS];
	unsigned nr_vcpus;
	/* memory slots: guest RAM, then the read-only pages by address (a
	 * page shown again keeps its slot) */
	pthread_mutex_t slots_lock;
	unsigned nr_slots;
	uint64_t slot_addr[KVM_MAX_RO_PAGES];
	/* pause: vCPU threads park here until resumed or the VM ends */
	pthread_mutex_t park_lock;
	pthread_cond_t park_cond;
	int pause_requested;
	unsigned parked, running;
	uint64_t paused_time; /* guest time when paused */
	struct kvm_batch batch; /* writes delivered without an exit each */
};

static inline uint64_t reg_id(uint64_t type, uint64_t index)
{
	return KVM_REG_RISCV | KVM_REG_SIZE_U64 | type | index;
}

static inline int get_reg(int fd, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)val };

	return ioctl(fd, KVM_GET_ONE_REG, &r) < 0 ? -errno : 0;
}

static inline int set_reg(int fd, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	return ioctl(fd, KVM_SET_ONE_REG, &r) < 0 ? -errno : 0;
}

struct fdt_vm;

/* cpus.c: the CPU part of the device tree, from KVM's ONE_REG registers. */
int kvm_describe_cpus(struct vm *vm, struct fdt_vm *f);
/* cpus.c: say which SBI extensions KVM serves itself, and have it hand
 * the debug console (DBCN) to vmm where it can; before the vCPUs run. */
void kvm_sbi_setup(struct kvm *k);
struct fdt_aia;
/* aia.c: the backend's aia_create and aia_set_irq (backend.h). */
int kvm_aia_create(struct vm *vm, unsigned nr_sources, struct fdt_aia *aia);
void kvm_aia_set_irq(struct vm *vm, unsigned irq, int level);
/* stats.c: what KVM counts for a vCPU (its exits by kind): the file it
 * is read from, opened with the vCPU and closed with it; at --log-level
 * debug, as one line; every vCPU's, as the backend's counters. */
void kvm_stats_open(struct kvm_vcpu *v);
void kvm_stats_close(struct kvm_vcpu *v);
void kvm_log_vcpu_stats(const struct kvm_vcpu *v);
struct counters;
void kvm_counters(struct vm *vm, struct counters *c);

#endif
