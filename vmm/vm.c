// SPDX-License-Identifier: MIT
/* A VM's life: load files, build RAM and devices, boot, wait for the end. */
#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_mmio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../fdt/fdt.h"
#include "../virtio/mmio.h"
#include "loader.h"
#include "log.h"
#include "control.h"
#include "rundir.h"
#include "vm.h"

#define DTB_MAX_SIZE (64 * 1024)
#define MMIO_WARN_LIMIT 10

/* Open a regular file as a loader source (read straight into guest RAM). */
static int open_src(const char *path, struct load_src *src, uint64_t limit)
{
	struct stat st;
	int err;

	src->buf = NULL;
	src->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (src->fd < 0)
		return -errno;
	if (fstat(src->fd, &st) < 0)
		err = -errno;
	else if (!S_ISREG(st.st_mode))
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	else if ((uint64_t)st.st_size > limit)
		err = -EFBIG;
	else
		err = 0;
	if (err) {
		close(src->fd);
		src->fd = -1;
		return err;
	}
	src->len = (uint64_t)st.st_size;
	return 0;
}

void vm_request_exit(struct vm *vm, int status)
{
	pthread_mutex_lock(&vm->exit_lock);
	if (status != VMM_EXIT_RESET && !vm->final) {
		vm->final = 1;
		vm->final_status = status;
	}
	if (!vm->exiting) {
		vm->exiting = 1;
		vm->exit_status = status;
		pthread_cond_broadcast(&vm->exit_cond);
	}
	pthread_mutex_unlock(&vm->exit_lock);
}

int vm_exiting(struct vm *vm)
{
	return __atomic_load_n(&vm->exiting, __ATOMIC_ACQUIRE);
}

int vm_mmio(struct vm *vm, uint64_t addr, unsigned size, int is_write,
	    uint64_t *val)
{
	static unsigned warnings;
	int err;

	if (is_write)
		err = bus_write(&vm->bus, addr, size, *val);
	else
		err = bus_read(&vm->bus, addr, size, val);
	if (!err)
		return 0;
	/* A guest can trigger this at will: keep the log bounded. */
	if (__atomic_fetch_add(&warnings, 1, __ATOMIC_RELAXED) <
	    MMIO_WARN_LIMIT)
		pr_warn("guest %s of %u bytes at 0x%llx: %s%s",
			is_write ? "write" : "read", size,
			(unsigned long long)addr,
			err == -EFAULT ? "no device there" : "bad access",
			warnings == MMIO_WARN_LIMIT ? " (no more such warnings)"
						    : "");
	return err;
}

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

static void console_quit(void *opaque)
{
	pr_info("console escape: quitting");
	vm_request_exit(opaque, VMM_EXIT_OK);
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
static unsigned virtio_slots(const struct vm *vm,
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

/* The slots no device took answer as QEMU's empty ones do. */
/* The devices' threads, started once the guest runs: off the path to its
 * first instruction (a notify made before then waits in its eventfd). */
static int start_devices(struct vm *vm)
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

static int add_empty_slots(struct vm *vm)
{
	struct virtio_mmio *devs[VIRTIO_MMIO_SLOTS];
	unsigned slot = virtio_slots(vm, devs);
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

static void remove_virtio_devices(struct vm *vm)
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

static int add_devices(struct vm *vm)
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
	uart_init(&vm->uart, vm_irq_line(vm, UART_IRQ), console_write,
		  vm->console);
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

static const char *errno_text(int err)
{
	switch (err) {
	case -EFBIG:
		return "does not fit in guest RAM";
	case -EINVAL:
		return "not a valid image (corrupt or truncated)";
	default:
		return strerror(-err);
	}
}

static void report(const char *what, const char *path, int err, uint64_t ram)
{
	if (err == -EFBIG)
		pr_err("%s %s: %s (%llu MiB)", what, path, errno_text(err),
		       (unsigned long long)(ram >> 20));
	else
		pr_err("%s %s: %s", what, path, errno_text(err));
}

static int load_files(struct vm *vm, struct load_info *li, uint64_t dtb_addr)
{
	const struct vm_config *cfg = vm->cfg;
	struct load_src src;
	int err;

	err = open_src(cfg->kernel, &src, cfg->memory);
	if (!err) {
		err = load_kernel(&vm->mem, &src, vm_kernel_addr(cfg), li);
		if (!err && li->kernel_end > dtb_addr)
			err = -EFBIG;
		close(src.fd);
	}
	if (err) {
		report("kernel", cfg->kernel, err, cfg->memory);
		return err;
	}
	pr_info("kernel %s: %s, entry 0x%llx", cfg->kernel,
		kernel_format_name(li->format), (unsigned long long)li->entry);
	if (!cfg->initrd)
		return 0;
	err = open_src(cfg->initrd, &src, cfg->memory);
	if (!err) {
		err = load_initrd(&vm->mem, &src, dtb_addr, li);
		close(src.fd);
	}
	if (err)
		report("initrd", cfg->initrd, err, cfg->memory);
	return err;
}

static int write_dtb(const char *path, const void *dtb, size_t len)
{
	FILE *f = fopen(path, "wb");
	int err = 0;

	if (!f)
		return -errno;
	if (fwrite(dtb, 1, len, f) != len)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static int build_dtb(struct vm *vm, const struct load_info *li, void *dtb)
{
	struct virtio_mmio *devs[VIRTIO_MMIO_SLOTS];
	struct fdt_vm f = { 0 };
	int err;

	f.nr_cpus = vm->cfg->cpus;
	f.mem_base = vm->mem.base;
	f.mem_size = vm->mem.size;
	f.bootargs = vm->cfg->cmdline;
	f.initrd_start = li->initrd_start;
	f.initrd_end = li->initrd_end;
	f.nr_virtio = virtio_slots(vm, devs);
	f.clint = vm->has_clint;
	f.aia = vm->aia_on ? &vm->aia : NULL;
	err = vm->backend->describe_cpus(vm, &f);
	if (err) {
		pr_err("%s: reading the vCPU's ISA: %s", vm->backend->name,
		       strerror(-err));
		return err;
	}
	csr_emul_init(&vm->csr, f.timebase_hz);
	/* fdt_create() zeroes its whole buffer, and each page of guest RAM
	 * it touches first costs a fault: start with one page (a typical VM's
	 * tree is under 2 KiB), then 4, then all 16. */
	err = fdt_build(&f, dtb, 4096);
	if (err == -ENOSPC)
		err = fdt_build(&f, dtb, DTB_MAX_SIZE / 4);
	if (err == -ENOSPC)
		err = fdt_build(&f, dtb, DTB_MAX_SIZE);
	if (err < 0)
		pr_err("device tree: %s", strerror(-err));
	return err;
}

/* The PLIC calls into the backend with its lock held: holding the same
 * lock while the backend comes and goes keeps device threads from raising
 * an interrupt on a vCPU that is being created or freed. */
static int create_backend(struct vm *vm)
{
	int err;

	pthread_mutex_lock(&vm->plic.lock);
	err = vm->backend->create(vm);
	pthread_mutex_unlock(&vm->plic.lock);
	return err;
}

static void destroy_backend(struct vm *vm)
{
	vm_irqchip_stop(vm); /* no device reaches the AIA any more */
	pthread_mutex_lock(&vm->plic.lock);
	vm->backend->destroy(vm);
	pthread_mutex_unlock(&vm->plic.lock);
}

/* Each virtio queue's notify wakes its I/O thread from the host kernel
 * where the backend can (KVM_IOEVENTFD), with no exit to vmm; elsewhere,
 * or with VMM_IOEVENTFD=0 (for comparisons), through vmm's MMIO path. */
static void notify_by_fd(struct vm *vm)
{
	const char *env = getenv("VMM_IOEVENTFD");
	struct virtio_mmio *devs[VIRTIO_MMIO_SLOTS];
	unsigned n = virtio_slots(vm, devs), i, q, done = 0;
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
static void batch_late_writes(struct vm *vm)
{
	const char *env = getenv("VMM_BATCH_WRITES");
	struct virtio_mmio *devs[VIRTIO_MMIO_SLOTS];
	unsigned n = virtio_slots(vm, devs), i;
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

/* Device threads, console input and an unnamed VM's control socket start
 * once the guest runs: off the path to its first instruction, and only
 * once across reboots. */
static int start_once(struct vm *vm)
{
	int err;

	if (vm->started_once)
		return 0;
	vm->started_once = 1;
	err = start_devices(vm);
	if (err)
		return err;
	err = console_start_input(vm->console, &vm->uart, console_quit, vm);
	if (err)
		pr_warn("console input: %s", strerror(-err));
	if (!vm->control)
		return 0;
	err = control_started(vm->control, vm);
	if (err)
		pr_err("control socket: %s", strerror(-err));
	return err;
}

/* One boot of the guest, from empty RAM to the guest's last exit. */
static int boot(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	struct load_info li;
	uint64_t dtb_addr = dtb_place(&vm->mem, DTB_MAX_SIZE);
	void *dtb;
	int size, err;

	err = load_files(vm, &li, dtb_addr);
	if (err)
		return VMM_EXIT_ERROR;
	pr_debug("files loaded");
	err = create_backend(vm);
	if (err)
		return VMM_EXIT_ERROR; /* the backend said why */
	pr_debug("%s backend ready", vm->backend->name);
	if (vm_irqchip_start(vm)) {
		destroy_backend(vm);
		return VMM_EXIT_ERROR;
	}
	notify_by_fd(vm);
	batch_late_writes(vm);
	dtb = guest_mem_ptr(&vm->mem, dtb_addr, DTB_MAX_SIZE);
	size = build_dtb(vm, &li, dtb);
	if (size < 0) {
		destroy_backend(vm);
		return VMM_EXIT_ERROR;
	}
	if (cfg->dump_dtb) {
		err = write_dtb(cfg->dump_dtb, dtb, (size_t)size);
		destroy_backend(vm);
		if (err)
			pr_err("dump-dtb %s: %s", cfg->dump_dtb,
			       strerror(-err));
		return err ? VMM_EXIT_ERROR : VMM_EXIT_OK;
	}
	pr_debug("device tree built (%d bytes at 0x%llx)", size,
		 (unsigned long long)dtb_addr);
	/* M-mode guests start where qemu -bios none starts them. */
	err = vm->backend->start(
		vm, cfg->entry_mode == 'm' ? VM_RAM_BASE : li.entry, dtb_addr);
	if (!err)
		err = start_once(vm);
	if (!err) {
		pthread_mutex_lock(&vm->life_lock); /* pause works from here */
		vm->running = 1;
		pthread_mutex_unlock(&vm->life_lock);
		pthread_mutex_lock(&vm->exit_lock);
		while (!vm->exiting)
			pthread_cond_wait(&vm->exit_cond, &vm->exit_lock);
		pthread_mutex_unlock(&vm->exit_lock);
	} else {
		vm_request_exit(vm, VMM_EXIT_ERROR);
	}
	pthread_mutex_lock(&vm->life_lock); /* no pause from now on */
	vm->running = 0;
	vm->paused = 0;
	vm->backend->stop(vm);
	destroy_backend(vm);
	pthread_mutex_unlock(&vm->life_lock);
	return vm->exit_status;
}

/* After a boot: 1 to boot again (the guest reset itself, --reboot is on,
 * and nothing has asked the VM to end: no kill, no stop), else 0 with
 * *status what the VM ends with. From here on a kill ends the next boot
 * at once. */
static int boot_again(struct vm *vm, int *status)
{
	int again;

	pthread_mutex_lock(&vm->exit_lock);
	if (vm->final)
		*status = vm->final_status;
	again = *status == VMM_EXIT_RESET && vm->cfg->reboot &&
		!__atomic_load_n(&vm->stopping, __ATOMIC_ACQUIRE);
	if (again)
		vm->exiting = 0;
	pthread_mutex_unlock(&vm->exit_lock);
	return again;
}

/* The machine as at power-on, for a reboot: the devices first (a disk's
 * request in flight completes before its queue goes), then guest RAM,
 * zeroed without committing it. */
static void reset_machine(struct vm *vm)
{
	struct virtio_mmio *devs[VIRTIO_MMIO_SLOTS];
	unsigned i, n = virtio_slots(vm, devs);

	uart_reset(&vm->uart);
	plic_reset(&vm->plic);
	for (i = 0; i < n; i++)
		virtio_mmio_reset(devs[i]);
	guest_mem_clear(&vm->mem);
}

/* auto: KVM when /dev/kvm opens, else trap-and-emulate; M-mode guests
 * only run on the latter. */
static const struct backend_ops *pick_backend(const struct vm_config *cfg)
{
	const char *name = cfg->backend;
	int fd;

	if (!strcmp(name, "kvm"))
		return &kvm_backend;
	if (!strcmp(name, "trap") || cfg->entry_mode == 'm')
		return &trap_backend;
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return &trap_backend;
	close(fd);
	return &kvm_backend;
}

int vm_run(const struct vm_config *cfg, struct console *console,
	   struct control *ctl)
{
	struct vm *vm;
	int status, err;

	vm = calloc(1, sizeof(*vm));
	if (!vm) {
		pr_err("out of memory");
		return VMM_EXIT_ERROR;
	}
	pr_debug("vm_run: start");
	vm->cfg = cfg;
	vm->console = console;
	vm->control = ctl;
	vm->backend = pick_backend(cfg);
	pthread_mutex_init(&vm->exit_lock, NULL);
	pthread_mutex_init(&vm->irq_lock, NULL);
	pthread_mutex_init(&vm->life_lock, NULL);
	pthread_cond_init(&vm->exit_cond, NULL);
	pr_info("backend: %s", vm->backend->name);
	err = guest_mem_init(&vm->mem, VM_RAM_BASE, cfg->memory);
	if (err) {
		pr_err("guest RAM (%llu MiB): %s",
		       (unsigned long long)(cfg->memory >> 20), strerror(-err));
		status = VMM_EXIT_ERROR;
		goto out;
	}
	err = add_devices(vm);
	if (err) {
		pr_err("devices: %s", strerror(-err));
		status = VMM_EXIT_ERROR;
		goto out_mem;
	}
	if (add_disks(vm) || add_nets(vm) || add_rng(vm) ||
	    add_empty_slots(vm)) {
		status = VMM_EXIT_ERROR;
		goto out_disks;
	}
	for (;;) {
		status = boot(vm);
		if (!boot_again(vm, &status))
			break;
		pr_info("guest reset: rebooting");
		reset_machine(vm);
	}
out_disks:
	remove_virtio_devices(vm);
out_mem:
	guest_mem_free(&vm->mem);
out:
	/* vm is not freed: the console input thread may still point at it
	 * until the process exits. */
	return status;
}
