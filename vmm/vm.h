/* SPDX-License-Identifier: MIT */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <pthread.h>

#include "backend.h"
#include "config.h"
#include "console.h"
#include "bus.h"
#include "hw/finisher.h"
#include "hw/plic.h"
#include "hw/uart8250.h"
#include "mem.h"
#include "sbi.h"
#include "trap/csr.h"
#include "../virtio/blk.h"

/* Exit statuses of `vmm run` (README "Exit status"). Guest fail codes from
 * the test finisher pass through when 1..63; other codes become 63. */
#define VMM_EXIT_OK 0
#define VMM_EXIT_GUEST_FAIL_MAX 63
#define VMM_EXIT_USAGE 64
#define VMM_EXIT_RESET 65
#define VMM_EXIT_GUEST_CRASH 66
#define VMM_EXIT_ERROR 70

struct vm {
	const struct vm_config *cfg;
	const struct backend_ops *backend;
	void *backend_data;
	struct guest_mem mem;
	struct bus bus;
	struct plic plic;
	struct uart8250 uart;
	struct finisher finisher;
	struct console *console;
	struct csr_emul csr;
	struct sbi sbi;
	struct virtio_blk *disks[VIRTIO_MMIO_SLOTS];
	unsigned nr_disks;

	pthread_mutex_t exit_lock;
	pthread_cond_t exit_cond;
	int exiting;
	int exit_status;
};

/* Boot the VM described by cfg; returns a VMM_EXIT_* status (the error is
 * already reported on stderr). */
int vm_run(const struct vm_config *cfg, struct console *console);

/* First caller wins: the VM ends with this status. Any thread. */
void vm_request_exit(struct vm *vm, int status);
int vm_exiting(struct vm *vm);

/* Serve an MMIO access the backend could not; logs (rate-limited) and
 * reads 0 when nothing answers at addr. */
void vm_mmio(struct vm *vm, uint64_t addr, unsigned size, int is_write,
	     uint64_t *val);

#endif
