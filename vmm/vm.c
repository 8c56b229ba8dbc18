// SPDX-License-Identifier: MIT
/* A VM's life: load files, build RAM and devices, boot, wait for the end. */
#include <errno.h>
#include <fcntl.h>
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

static void console_quit(void *opaque)
{
	pr_info("console escape: quitting");
	vm_request_exit(opaque, VMM_EXIT_OK);
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

static int has_isa_ext(const struct fdt_vm *f, const char *name)
{
	unsigned i;

	for (i = 0; i < f->nr_isa_exts; i++)
		if (!strcmp(f->isa_exts[i], name))
			return 1;
	return 0;
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
	f.nr_virtio = vm_virtio_slots(vm, devs);
	f.clint = vm->has_clint;
	f.aia = vm->aia_on ? &vm->aia : NULL;
	err = vm->backend->describe_cpus(vm, &f);
	if (err) {
		pr_err("%s: reading the vCPU's ISA: %s", vm->backend->name,
		       strerror(-err));
		return err;
	}
	vm->guest_svpbmt = has_isa_ext(&f, "svpbmt");
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

/* Device threads, console input and an unnamed VM's control socket start
 * once the guest runs: off the path to its first instruction, and only
 * once across reboots. */
static int start_once(struct vm *vm)
{
	int err;

	if (vm->started_once)
		return 0;
	vm->started_once = 1;
	err = vm_start_devices(vm);
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
	/* Before the vCPUs run, though each costs KVM a grace period: done
	 * while the guest ran, they kept the vCPU thread from its CPU in
	 * the guest's first milliseconds, and firmware that sets its timer
	 * by SBI lost it more often (README, Known problems). */
	vm_notify_by_fd(vm);
	vm_batch_late_writes(vm);
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
		/* off the path to the first instruction (a memory slot costs
		 * KVM a grace period): until then the devices serve those
		 * reads */
		vm_map_device_pages(vm);
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
	/* input may still come (a stop's SysRq): the UART must not ask the
	 * backend, which is going, to take its page back */
	uart_page_stop(&vm->uart);
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
	vm_reset_devices(vm);
	guest_mem_clear(&vm->mem);
}

/* auto: KVM when /dev/kvm opens, else trap-and-emulate; M-mode guests
 * only run on the latter. The open /dev/kvm goes to the first boot's
 * backend, in vm->kvm_fd: a system call less before the first
 * instruction. */
static const struct backend_ops *pick_backend(struct vm *vm)
{
	const char *name = vm->cfg->backend;

	vm->kvm_fd = -1;
	if (!strcmp(name, "kvm"))
		return &kvm_backend;
	if (!strcmp(name, "trap") || vm->cfg->entry_mode == 'm')
		return &trap_backend;
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	return vm->kvm_fd < 0 ? &trap_backend : &kvm_backend;
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
	vm->backend = pick_backend(vm);
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
	if (vm_add_devices(vm)) {
		status = VMM_EXIT_ERROR;
		goto out_devices;
	}
	for (;;) {
		status = boot(vm);
		if (!boot_again(vm, &status))
			break;
		pr_info("guest reset: rebooting");
		reset_machine(vm);
	}
out_devices:
	vm_remove_devices(vm);
	guest_mem_free(&vm->mem);
out:
	if (vm->kvm_fd >= 0) /* no backend took it */
		close(vm->kvm_fd);
	/* vm is not freed: the console input thread may still point at it
	 * until the process exits. */
	return status;
}
