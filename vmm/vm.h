/* SPDX-License-Identifier: MIT */
#ifndef VMM_VM_H
#define VMM_VM_H

#include <pthread.h>

#include "backend.h"
#include "config.h"
#include "console.h"
#include "bus.h"
#include "hw/clint.h"
#include "hw/finisher.h"
#include "hw/plic.h"
#include "hw/uart8250.h"
#include "mem.h"
#include "sbi.h"
#include "trap/csr.h"
#include "../virtio/blk.h"
#include "../virtio/net.h"
#include "../virtio/rng.h"
#include "../fdt/fdt.h"

/* Exit statuses of `vmm run` (README "Exit status"). Guest fail codes from
 * the test finisher pass through when 1..63; other codes become 63. */
#define VMM_EXIT_OK 0
#define VMM_EXIT_GUEST_FAIL_MAX 63
#define VMM_EXIT_USAGE 64
#define VMM_EXIT_RESET 65
#define VMM_EXIT_GUEST_CRASH 66
#define VMM_EXIT_KILLED 67
#define VMM_EXIT_ERROR 70
#define VMM_EXIT_NO_VM 71 /* lifecycle commands: no such VM, socket failed */

struct vm {
	const struct vm_config *cfg;
	const struct backend_ops *backend;
	void *backend_data;
	int kvm_fd; /* /dev/kvm, opened to pick the backend; -1 once taken */
	struct guest_mem mem;
	struct bus bus;
	struct plic plic;
	uint32_t *plic_enables; /* its enable bits' page (devices.c) */
	uint8_t *uart_page; /* the UART's register page (devices.c) */
	int guest_svpbmt; /* the guest maps devices uncached (Svpbmt) */
	/* irqchip.c: the devices' wires go to the PLIC, or to the backend's
	 * in-kernel AIA when aia_on; irq_levels is what each drives. */
	pthread_mutex_t irq_lock;
	uint64_t irq_levels;
	int aia_on;
	struct fdt_aia aia;
	struct uart8250 uart;
	struct finisher finisher;
	struct clint clint;
	int has_clint; /* M-mode guests on the trap backend */
	struct console *console;
	struct csr_emul csr;
	struct sbi sbi;
	struct virtio_blk *disks[VIRTIO_MMIO_SLOTS];
	unsigned nr_disks;
	struct virtio_net *nets[VM_MAX_NETS]; /* in the slots after the disks */
	unsigned nr_nets;
	struct virtio_rng *rng; /* in the slot after those, or NULL */

	pthread_mutex_t exit_lock;
	pthread_cond_t exit_cond;
	int exiting; /* this boot ends */
	int exit_status;
	int final; /* and the VM ends with it: anything but a guest reset */
	int final_status;
	pthread_mutex_t life_lock; /* pause and resume */
	int running; /* a backend runs the guest (not between reboots) */
	int paused;
	int stopping; /* a graceful stop is under way */
	int started_once; /* console input and control started (not again on reboot) */
	unsigned stop_timeout;
	struct control *control;
};

struct control;

/* Boot the VM described by cfg; returns a VMM_EXIT_* status (the error is
 * already reported on stderr). ctl (may be NULL) starts serving requests
 * once the guest runs. */
int vm_run(const struct vm_config *cfg, struct console *console,
	   struct control *ctl);

/* Lifecycle, from the control thread. 0 or a negative errno. */
int vm_pause(struct vm *vm);
int vm_resume(struct vm *vm);
/* Ask the guest to power off (serial break + SysRq s, u, o); after
 * timeout seconds end the VM with VMM_EXIT_KILLED. */
void vm_stop(struct vm *vm, unsigned timeout);
const char *vm_state(struct vm *vm);

/* End this boot; the first caller's status wins. A guest reset
 * (VMM_EXIT_RESET) with --reboot boots again; any other status ends the
 * VM for good, even one that comes while a reset is under way. Any
 * thread. */
void vm_request_exit(struct vm *vm, int status);
/* irqchip.c: a device's interrupt line, into whichever controller this
 * boot has; at each boot, after the backend is created, the in-kernel AIA
 * as --irqchip says (0, or a negative errno, said); before it goes. */
struct irq_line vm_irq_line(struct vm *vm, unsigned irq);
int vm_irqchip_start(struct vm *vm);
void vm_irqchip_stop(struct vm *vm);
int vm_exiting(struct vm *vm);

/* devices.c: the VM's devices on its bus, once, before the first boot:
 * 0, or a negative errno (said); those made so far stay for
 * vm_remove_devices(), which is also the end of them all. */
int vm_add_devices(struct vm *vm);
void vm_remove_devices(struct vm *vm);
/* Their threads, once the guest first runs. */
int vm_start_devices(struct vm *vm);
/* As at power-on, for a reboot. */
void vm_reset_devices(struct vm *vm);
/* The virtio transports in slot order: how many. */
unsigned vm_virtio_slots(const struct vm *vm,
			 struct virtio_mmio *devs[VIRTIO_MMIO_SLOTS]);
/* What each boot's backend can do for them, once it is created (before
 * the vCPUs start): each queue's notify by eventfd, the writes it may
 * batch; and (once they run) the pages whose reads need no exit. */
void vm_notify_by_fd(struct vm *vm);
void vm_batch_late_writes(struct vm *vm);
void vm_map_device_pages(struct vm *vm);

/* Serve an MMIO access the backend could not; logs (rate-limited) and
 * reads 0 when nothing answers at addr. Returns 0, -EFAULT when no device
 * is there (the trap backend raises an access fault, as QEMU does; KVM
 * has no way to), or the device's error. */
int vm_mmio(struct vm *vm, uint64_t addr, unsigned size, int is_write,
	    uint64_t *val);

#endif
