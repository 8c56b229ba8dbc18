/* SPDX-License-Identifier: MIT */
#ifndef VMM_BACKEND_H
#define VMM_BACKEND_H

#include <stdint.h>

struct vm;
struct fdt_vm;
struct fdt_aia;
struct counters;

/* What a backend must do for the VM; it never knows device registers.
 * Every function returns 0 or a negative errno. */
struct backend_ops {
	const char *name;
	/* Open the hypervisor, create the VM and its vCPUs, map guest RAM. */
	int (*create)(struct vm *vm);
	/* Fill the CPU part of the device tree (ISA, MMU, timebase). */
	int (*describe_cpus)(struct vm *vm, struct fdt_vm *f);
	/* Start all vCPUs: hart 0 at entry with a0 = 0, a1 = dtb; the others
	 * stopped until the guest starts them (SBI HSM). */
	int (*start)(struct vm *vm, uint64_t entry, uint64_t dtb);
	/* Stop and join every vCPU thread (after vm_request_exit). */
	void (*stop)(struct vm *vm);
	/* Hold every vCPU out of the guest, and let them go again; guest
	 * time does not advance in between. */
	int (*pause)(struct vm *vm);
	int (*resume)(struct vm *vm);
	/* Raise or lower a hart's external interrupt, supervisor's or (M-mode
	 * guests) machine's. Any thread. */
	void (*set_external_irq)(struct vm *vm, unsigned hart, int machine,
				 int level);
	/* The CLINT (M-mode guests): a write may have moved a hart's timer or
	 * software interrupt. NULL for backends without M-mode guests. */
	void (*clint_changed)(struct vm *vm, unsigned hart);
	/* Have a 4-byte guest write of value at addr signal the eventfd fd
	 * with no exit (a virtio QueueNotify); after create, before start.
	 * NULL, or an error, and the write is an MMIO access as any other. */
	int (*notify_by_fd)(struct vm *vm, uint64_t addr, uint32_t value,
			    int fd);
	/* Let guest writes to [addr, addr + len) reach the bus late, in
	 * order: before the next exit of any vCPU is served, within 10 ms,
	 * and at pause and stop; after create, before start. NULL, or an
	 * error, and each write is an MMIO access as any other. */
	int (*batch_writes)(struct vm *vm, uint64_t addr, uint64_t len);
	/* Let guest reads of [addr, addr + len) come from host, memory
	 * vmm keeps as the device would answer, with no exit; writes
	 * there still reach the bus. Page-aligned; after create, the
	 * vCPUs running or not. NULL, or an error, and those reads exit as
	 * before. */
	int (*map_readonly)(struct vm *vm, uint64_t addr, void *host,
			    uint64_t len);
	/* Take back what map_readonly gave at addr: the guest's next read
	 * there exits again. Any thread; NULL with map_readonly. */
	int (*unmap_readonly)(struct vm *vm, uint64_t addr);
	/* An in-kernel AIA (APLIC and IMSICs) in place of the PLIC, for
	 * nr_sources wired sources; after create, before start: 0 with aia
	 * filled for the device tree, -ENODEV where the host has none, or
	 * another negative errno. NULL: never. */
	int (*aia_create)(struct vm *vm, unsigned nr_sources,
			  struct fdt_aia *aia);
	/* Drive one of its wired sources. Any thread. */
	void (*aia_set_irq)(struct vm *vm, unsigned irq, int level);
	/* What each hart has counted this boot, as "vcpuN" pairs
	 * (counters.h); while the vCPUs run. NULL: nothing. */
	void (*counters)(struct vm *vm, struct counters *c);
	void (*destroy)(struct vm *vm);
};

extern const struct backend_ops kvm_backend;
extern const struct backend_ops trap_backend;

#endif
