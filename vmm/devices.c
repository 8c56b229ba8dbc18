// SPDX-License-Identifier: MIT
/*
 * A VM's devices: the fixed ones (PLIC, UART, test finisher, and the
 * CLINT for M-mode guests) wired to the VM, and the virtio-mmio slots in
 * their order (disks, network interfaces, the rng, then empty slots),
 * with what each boot's backend can do for them (notifies by eventfd,
 * writes batched, the PLIC's enable bits read from a page without an
 * exit). vm.c builds them once and boots the guest with them.
 */
#include <errno.h>
#include <linux/virtio_mmio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../virtio/mmio.h"
#include "log.h"
#include "rundir.h"
#include "vm.h"

static void on_finisher(void *opaque, enum finisher_event ev, unsigned code)
{
	struct vm *vm = opaque;

	switch (ev) {
	case FINISHER_EV_PASS:
		vm_request_exit(vm, VMM_EXIT_OK);
		break;
	case FINISHER_EV_FAIL:
		if (code == 0 || code > VMM_EXIT_GUEST_FAIL_MAX)
			code = VMM_EXIT_GUEST_FAIL_MAX;
		vm_request_exit(vm, (int)code);
		break;
	case FINISHER_EV_RESET:
		vm_request_exit(vm, VMM_EXIT_RESET);
		break;
	}
}

static void on_plic_output(void *opaque, unsigned hart, enum plic_mode mode,
			   int level)
{
	struct vm *vm = opaque;

	vm->backend->set_external_irq(vm, hart, mode == PLIC_MODE_M, level);
}

/* SBI console calls share the UART's input queue and output. */
static int sbi_console_getchar(void *opaque)
{
	struct vm *vm = opaque;

	return uart_pop_input(&vm->uart);
}

static void sbi_console_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct vm *vm = opaque;

	console_write(vm->console, buf, len);
}

/* One virtio-blk device per --disk, in slot order. */
static int add_disks(struct vm *vm)
{
	unsigned i;
	int err;

	for (i = 0; i < vm->cfg->nr_disks; i++) {
		struct virtio_blk *b = calloc(1, sizeof(*b));
		struct bus_region r = { "virtio-blk",
					VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_SIZE,
					VIRTIO_MMIO_SIZE,
					NULL,
					virtio_mmio_read,
					virtio_mmio_write };

		if (!b)
			return -ENOMEM;
		err = virtio_blk_open(b, &vm->cfg->disks[i], &vm->mem,
				      vm_irq_line(vm, VIRTIO_MMIO_IRQ + i),
				      vm->cfg->cpus);
		if (err) {
			free(b);
			return err; /* the device said why */
		}
		vm->disks[vm->nr_disks++] = b;
		r.opaque = &b->mmio;
		err = bus_register(&vm->bus, &r);
		if (err) {
			pr_err("disk %s: %s", vm->cfg->disks[i].path,
			       strerror(-err));
			return err;
		}
	}
	return 0;
}

/* One virtio-net device per --net, in the slots after the disks. The
 * default MACs hash the VM's name, which an unnamed VM gets only once it
 * runs (vm-PID): the same one here. */
static int add_nets(struct vm *vm)
{
	const char *name = vm->cfg->name;
	char unnamed[32];
	unsigned i;
	int err;

	if (!name) {
		unnamed_vm_name(unnamed, sizeof(unnamed));
		name = unnamed;
	}

	for (i = 0; i < vm->cfg->nr_nets; i++) {
		const struct net_options *o = &vm->cfg->nets[i];
		unsigned slot = vm->nr_disks + i;
		struct virtio_net *n = calloc(1, sizeof(*n));
		struct bus_region r = {
			"virtio-net",
			VIRTIO_MMIO_BASE + slot * VIRTIO_MMIO_SIZE,
			VIRTIO_MMIO_SIZE,
			NULL,
			virtio_mmio_read,
			virtio_mmio_write
		};
		uint8_t mac[6];

		if (!n)
			return -ENOMEM;
		if (o->has_mac)
			memcpy(mac, o->mac, sizeof(mac));
		else
			net_default_mac(name, i, mac);
		vm->nets[vm->nr_nets++] = n;
		err = virtio_net_open(n, o, mac, vm->cfg->cpus, &vm->mem,
				      vm_irq_line(vm, VIRTIO_MMIO_IRQ + slot));
		if (err)
			return err; /* the device said why */
		r.opaque = &n->mmio;
		err = bus_register(&vm->bus, &r);
		if (err) {
			pr_err("virtio-net: %s", strerror(-err));
			return err;
		}
		pr_info("net%u: %s%s, MAC %02x:%02x:%02x:%02x:%02x:%02x", i,
			o->tap ? "tap " : "user (passt)", o->ifname, mac[0],
			mac[1], mac[2], mac[3], mac[4], mac[5]);
	}
	return 0;
}

/* The entropy device, in the first slot the disks and nets left free. */
static int add_rng(struct vm *vm)
{
	unsigned slot = vm->nr_disks + vm->nr_nets;
	struct bus_region r = {
		"virtio-rng",	  VIRTIO_MMIO_BASE + slot * VIRTIO_MMIO_SIZE,
		VIRTIO_MMIO_SIZE, NULL,
		virtio_mmio_read, virtio_mmio_write
	};
	int err;

	if (!vm->cfg->rng)
		return 0;
	if (slot >= VIRTIO_MMIO_SLOTS) {
		pr_warn("%u disks and network interfaces take every virtio slot: no virtio-rng",
			slot);
		return 0;
	}
	vm->rng = calloc(1, sizeof(*vm->rng));
	if (!vm->rng)
		return -ENOMEM;
	err = virtio_rng_init(vm->rng, &vm->mem,
			      vm_irq_line(vm, VIRTIO_MMIO_IRQ + slot));
	r.opaque = &vm->rng->mmio;
	if (!err)
		err = bus_register(&vm->bus, &r);
	if (err)
		pr_err("virtio-rng: %s", strerror(-err));
	return err;
}

/* The virtio devices' transports in slot order (disks, network
 * interfaces, then the rng): how many there are. */
unsigned vm_virtio_slots(const struct vm *vm,
			 struct virtio_mmio *devs[VIRTIO_MMIO_SLOTS])
{
	unsigned i, n = 0;

	for (i = 0; i < vm->nr_disks; i++)
		devs[n++] = &vm->disks[i]->mmio;
	for (i = 0; i < vm->nr_nets; i++)
		devs[n++] = &vm->nets[i]->mmio;
	if (vm->rng)
		devs[n++] = &vm->rng->mmio;
	return n;
}

/* The devices' threads, started once the guest runs: off the path to its
 * first instruction (a notify made before then waits in its eventfd). */
int vm_start_devices(struct vm *vm)
{
	unsigned i;
	int err = 0;

	for (i = 0; i < vm->nr_disks && !err; i++)
		err = virtio_blk_start(vm->disks[i]);
	for (i = 0; i < vm->nr_nets && !err; i++)
		err = virtio_net_start(vm->nets[i]);
	if (!err && vm->rng)
		err = virtio_rng_start(vm->rng);
	if (err)
		pr_err("devices: starting their threads: %s", strerror(-err));
	return err;
}

/* The slots no device took answer as QEMU's empty ones do. */
static int add_empty_slots(struct vm *vm)
{
	struct virtio_mmio *devs[VIRTIO_MMIO_SLOTS];
	unsigned slot = vm_virtio_slots(vm, devs);
	int err = 0;

	for (; slot < VIRTIO_MMIO_SLOTS && !err; slot++) {
		struct bus_region r = {
			"virtio-mmio (empty)",
			VIRTIO_MMIO_BASE + slot * VIRTIO_MMIO_SIZE,
			VIRTIO_MMIO_SIZE,
			NULL,
			virtio_mmio_empty_read,
			virtio_mmio_empty_write
		};

		err = bus_register(&vm->bus, &r);
	}
	return err;
}

void vm_remove_devices(struct vm *vm)
{
	while (vm->nr_disks) {
		struct virtio_blk *b = vm->disks[--vm->nr_disks];

		virtio_blk_close(b);
		free(b);
	}
	while (vm->nr_nets) {
		struct virtio_net *n = vm->nets[--vm->nr_nets];

		virtio_net_close(n);
		free(n);
	}
	if (vm->rng)
		virtio_rng_stop(vm->rng);
	free(vm->rng);
	vm->rng = NULL;
	if (vm->plic_enables) {
		plic_mirror_enables(&vm->plic, NULL);
		munmap(vm->plic_enables, PLIC_ENABLE_PAGE_SIZE);
		vm->plic_enables = NULL;
	}
	if (vm->uart_page) {
		uart_set_page(&vm->uart, NULL, NULL, NULL);
		munmap(vm->uart_page, UART_PAGE_SIZE);
		vm->uart_page = NULL;
	}
}

static uint64_t host_time(void *opaque)
{
	uint64_t t = 0;

	(void)opaque;
#ifdef __riscv
	asm volatile("rdtime %0" : "=r"(t));
#endif
	return t; /* elsewhere no backend runs a guest (foreign_host.c) */
}

static void on_clint_change(void *opaque, unsigned hart)
{
	struct vm *vm = opaque;

	vm->backend->clint_changed(vm, hart);
}

/* M-mode guests get QEMU virt's CLINT for their timers and IPIs. */
static int add_clint(struct vm *vm)
{
	const struct bus_region r = { "clint",	  CLINT_BASE, CLINT_SIZE,
				      &vm->clint, clint_read, clint_write };

	if (vm->cfg->entry_mode != 'm' || !vm->backend->clint_changed)
		return 0;
	clint_init(&vm->clint, vm->cfg->cpus, host_time, on_clint_change, vm);
	vm->has_clint = 1;
	return bus_register(&vm->bus, &r);
}

/* The UART's register page, shown to the guest and taken back as the
 * UART says (uart8250.h). */
static int show_uart_page(void *opaque, int on)
{
	struct vm *vm = opaque;

	if (!on)
		return vm->backend->unmap_readonly(vm, UART_BASE);
	return vm->backend->map_readonly(vm, UART_BASE, vm->uart_page,
					 UART_PAGE_SIZE);
}

static int add_fixed_devices(struct vm *vm)
{
	const struct bus_region regions[] = {
		{ "plic", PLIC_BASE, PLIC_SIZE, &vm->plic, plic_read,
		  plic_write },
		{ "uart", UART_BASE, UART_SIZE, &vm->uart, uart_read,
		  uart_write },
		{ "finisher", FINISHER_BASE, FINISHER_SIZE, &vm->finisher,
		  finisher_read, finisher_write },
	};
	size_t i;
	int err;

	plic_init(&vm->plic, vm->cfg->cpus, on_plic_output, vm);
	/* the page vm_map_device_pages() may give the guest to read */
	vm->plic_enables =
		mmap(NULL, PLIC_ENABLE_PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->plic_enables == MAP_FAILED) {
		vm->plic_enables = NULL;
		return -ENOMEM;
	}
	plic_mirror_enables(&vm->plic, vm->plic_enables);
	uart_init(&vm->uart, vm_irq_line(vm, UART_IRQ), console_write,
		  vm->console);
	vm->uart_page = mmap(NULL, UART_PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->uart_page == MAP_FAILED) {
		vm->uart_page = NULL;
		return -ENOMEM;
	}
	uart_set_page(&vm->uart, vm->uart_page, show_uart_page, vm);
	vm->finisher.fn = on_finisher;
	vm->finisher.opaque = vm;
	vm->sbi.mem = &vm->mem;
	vm->sbi.con.write = sbi_console_write;
	vm->sbi.con.getchar = sbi_console_getchar;
	vm->sbi.con.opaque = vm;
	for (i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
		err = bus_register(&vm->bus, &regions[i]);
		if (err)
			return err;
	}
	return add_clint(vm);
}

/* Each virtio queue's notify wakes its I/O thread from the host kernel
 * where the backend can (KVM_IOEVENTFD), with no exit to vmm; elsewhere,
 * or with VMM_IOEVENTFD=0 (for comparisons), through vmm's MMIO path. */
void vm_notify_by_fd(struct vm *vm)
{
	const char *env = getenv("VMM_IOEVENTFD");
	struct virtio_mmio *devs[VIRTIO_MMIO_SLOTS];
	unsigned n = vm_virtio_slots(vm, devs), i, q, done = 0;
	int err = 0;

	if (!vm->backend->notify_by_fd || (env && !strcmp(env, "0")))
		return;
	for (i = 0; i < n && !err; i++)
		for (q = 0; q < devs[i]->nr_queues && !err; q++) {
			if (devs[i]->notify_fd[q] < 0)
				continue;
			err = vm->backend->notify_by_fd(
				vm,
				VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_SIZE +
					VIRTIO_MMIO_QUEUE_NOTIFY,
				q, devs[i]->notify_fd[q]);
			done += !err;
		}
	if (err)
		pr_info("virtio: notify by eventfd: %s: the rest by MMIO exit",
			strerror(-err));
	if (done)
		pr_info("virtio: notify by eventfd, without an exit: %u queue%s",
			done, done == 1 ? "" : "s");
}

/* Writes that reach their device late, without an exit to vmm each,
 * where the backend can batch them (KVM's coalesced MMIO): the UART's
 * transmitted bytes (a Linux boot writes tens of thousands) and, where
 * vmm's PLIC takes the interrupts, each virtio device's InterruptACK: the
 * guest's complete is an exit, served after the batch, so the ACK has
 * lowered the line before the PLIC may deliver it again. (An in-kernel
 * AIA would deliver a line a late ACK has yet to lower.) A virtio
 * interrupt then costs Linux one exit to vmm fewer. VMM_BATCH_WRITES=0
 * turns it all off (for comparisons). */
void vm_batch_late_writes(struct vm *vm)
{
	const char *env = getenv("VMM_BATCH_WRITES");
	struct virtio_mmio *devs[VIRTIO_MMIO_SLOTS];
	unsigned n = vm_virtio_slots(vm, devs), i;
	int err;

	if (!vm->backend->batch_writes || (env && !strcmp(env, "0")))
		return;
	err = vm->backend->batch_writes(vm, UART_BASE + UART_LATE_WRITES_OFF,
					UART_LATE_WRITES_LEN);
	if (err) {
		pr_info("batched writes: %s: an exit per console byte and interrupt acknowledgement",
			strerror(-err));
		return;
	}
	for (i = 0; i < n && !err && !vm->aia_on; i++)
		err = vm->backend->batch_writes(
			vm,
			VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_SIZE +
				VIRTIO_MMIO_LATE_WRITES_OFF,
			VIRTIO_MMIO_LATE_WRITES_LEN);
	if (err)
		pr_info("batched writes: %s: the console's, and some virtio interrupt acknowledgements",
			strerror(-err));
	else
		pr_info("batched writes: the console's%s, without an exit to vmm each",
			vm->aia_on || !n
				? ""
				: " and virtio interrupt acknowledgements");
}

/* Reads that need no exit where the backend can map a page read-only
 * into the guest: the PLIC's enable bits (when the PLIC, not an in-kernel
 * AIA, takes the interrupts), which Linux 6.1 reads at every interrupt's
 * completion, and the UART's registers while the guest polls it (its
 * boot log, a read of the line status a byte). Not for a guest with
 * Svpbmt: it maps devices uncached, and an uncached read need not see
 * what the host wrote through its cache. VMM_DEVICE_PAGES=0 turns it off
 * (for comparisons). */
void vm_map_device_pages(struct vm *vm)
{
	const char *env = getenv("VMM_DEVICE_PAGES");
	int err;

	if (!vm->backend->map_readonly || vm->guest_svpbmt ||
	    (env && !strcmp(env, "0")))
		return;
	if (vm->uart_page && vm->backend->unmap_readonly) {
		uart_page_start(&vm->uart);
		pr_info("uart: its registers read without an exit while no interrupt is enabled");
	}
	if (vm->aia_on || !vm->plic_enables)
		return;
	err = vm->backend->map_readonly(vm, PLIC_BASE + PLIC_ENABLE_PAGE,
					vm->plic_enables,
					PLIC_ENABLE_PAGE_SIZE);
	if (err)
		pr_info("plic: its enable bits read by MMIO exit: %s",
			strerror(-err));
	else
		pr_info("plic: its enable bits read without an exit");
}

int vm_add_devices(struct vm *vm)
{
	int err = add_fixed_devices(vm);

	if (err) {
		pr_err("devices: %s", strerror(-err));
		return err;
	}
	err = add_disks(vm);
	if (!err)
		err = add_nets(vm);
	if (!err)
		err = add_rng(vm);
	if (!err)
		err = add_empty_slots(vm); /* each said why it failed */
	return err;
}

void vm_reset_devices(struct vm *vm)
{
	struct virtio_mmio *devs[VIRTIO_MMIO_SLOTS];
	unsigned i, n = vm_virtio_slots(vm, devs);

	uart_reset(&vm->uart);
	plic_reset(&vm->plic);
	for (i = 0; i < n; i++)
		virtio_mmio_reset(devs[i]);
}
