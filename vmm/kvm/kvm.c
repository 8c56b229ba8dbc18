// SPDX-License-Identifier: MIT
/*
 * The KVM backend (Documentation/virt/kvm/api.rst): one VM fd, guest RAM as
 * one memory slot, one thread per vCPU running KVM_RUN and serving its exits.
 * Secondary harts start in KVM_MP_STATE_STOPPED; the kernel's SBI HSM starts
 * them. SBI calls and CSRs the kernel does not handle come back here.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../fdt/fdt.h"
#include "../log.h"
#include "../vm.h"
#include "batch.h"
#include "kvm_priv.h"

#define KICK_SIGNAL SIGUSR1

static uint64_t core_reg(size_t offset)
{
	return reg_id(KVM_REG_RISCV_CORE, offset / sizeof(unsigned long));
}

#define CORE_REG(name) core_reg(offsetof(struct kvm_riscv_core, name))
#define CSR_REG(name) reg_id(KVM_REG_RISCV_CSR, KVM_REG_RISCV_CSR_REG(name))
#define TIMER_REG(name) \
	reg_id(KVM_REG_RISCV_TIMER, KVM_REG_RISCV_TIMER_REG(name))

/* Every RISC-V KVM (Linux 5.16 on) has what vmm needs of the API
 * (user memory, ONE_REG, MP_STATE): only its version is asked, each
 * question being a system call before the first instruction. */
static int check_kvm(struct kvm *k)
{
	int ver = ioctl(k->dev_fd, KVM_GET_API_VERSION, 0);

	if (ver != KVM_API_VERSION) {
		pr_err("/dev/kvm: API version %d, need %d", ver,
		       KVM_API_VERSION);
		return -ENOTSUP;
	}
	return 0;
}

/* Why KVM_CREATE_VCPU failed, where the host's limit says it. */
static void report_vcpu_failure(struct kvm *k, unsigned cpus, unsigned id,
				int err)
{
	int max = ioctl(k->dev_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);

	if (err == -EINVAL && max > 0 && id >= (unsigned)max)
		pr_err("/dev/kvm: %u vCPUs asked, the host allows %d", cpus,
		       max);
	else
		pr_err("/dev/kvm: creating vCPU %u: %s", id, strerror(-err));
}

static int create_vcpu(struct kvm *k, struct vm *vm, unsigned id)
{
	struct kvm_vcpu *v = &k->vcpus[id];
	void *run;

	v->vm = vm;
	v->id = id;
	v->fd = ioctl(k->vm_fd, KVM_CREATE_VCPU, id);
	if (v->fd < 0)
		return -errno;
	run = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd,
		   0);
	if (run == MAP_FAILED) {
		close(v->fd);
		v->fd = -1;
		return -errno;
	}
	v->run = run;
	kvm_stats_open(v);
	k->nr_vcpus++;
	return 0;
}

static void kvm_destroy(struct vm *vm)
{
	struct kvm *k = vm->backend_data;
	unsigned i;

	if (!k)
		return;
	if (k->batch.timer_started) /* its ring is in vCPU 0's mapping */
		kvm_batch_stop(&k->batch);
	k->batch.ring = NULL;
	for (i = 0; i < k->nr_vcpus; i++) {
		munmap(k->vcpus[i].run, k->run_size);
		kvm_stats_close(&k->vcpus[i]);
		close(k->vcpus[i].fd);
	}
	if (k->vm_fd >= 0)
		close(k->vm_fd);
	if (k->dev_fd >= 0)
		close(k->dev_fd);
	free(k);
	vm->backend_data = NULL;
}

static int kvm_create(struct vm *vm)
{
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm *k;
	unsigned i;
	int err, size;

	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->vm_fd = -1;
	pthread_mutex_init(&k->park_lock, NULL);
	pthread_cond_init(&k->park_cond, NULL);
	pthread_mutex_init(&k->slots_lock, NULL);
	kvm_batch_init(&k->batch, vm);
	vm->backend_data = k;
	k->dev_fd = vm->kvm_fd >= 0 ? vm->kvm_fd
				    : open("/dev/kvm", O_RDWR | O_CLOEXEC);
	vm->kvm_fd = -1;
	if (k->dev_fd < 0) {
		err = -errno;
		pr_err("/dev/kvm: %s (this host has no usable KVM)",
		       strerror(-err));
		goto fail;
	}
	err = check_kvm(k);
	if (err)
		goto fail;
	size = ioctl(k->dev_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	k->vm_fd = ioctl(k->dev_fd, KVM_CREATE_VM, 0);
	if (size <= 0 || k->vm_fd < 0) {
		err = -errno;
		pr_err("/dev/kvm: creating the VM: %s", strerror(-err));
		goto fail;
	}
	k->run_size = (size_t)size;
	region.guest_phys_addr = vm->mem.base;
	region.memory_size = vm->mem.size;
	region.userspace_addr = (uint64_t)(uintptr_t)vm->mem.host;
	if (ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		err = -errno;
		pr_err("/dev/kvm: mapping guest RAM: %s", strerror(-err));
		goto fail;
	}
	k->nr_slots = 1;
	for (i = 0; i < vm->cfg->cpus; i++) {
		err = create_vcpu(k, vm, i);
		if (err) {
			report_vcpu_failure(k, vm->cfg->cpus, i, err);
			goto fail;
		}
	}
	kvm_sbi_setup(k);
	return 0;
fail:
	kvm_destroy(vm);
	return err;
}

static void dump_vcpu(struct kvm_vcpu *v)
{
	static const char *const names[] = {
		"pc", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2",
		"s0", "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
		"a6", "a7", "s2",  "s3",  "s4", "s5", "s6", "s7",
		"s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
	};
	static const char *const csrs[] = { "sstatus",	"sie",	"stvec",
					    "sscratch", "sepc", "scause",
					    "stval",	"sip",	"satp" };
	uint64_t val;
	unsigned i;

	pr_err("vCPU %u registers:", v->id);
	for (i = 0; i < 32; i++)
		if (!get_reg(v->fd, core_reg(i * sizeof(unsigned long)), &val))
			pr_err("  %-4s 0x%016llx", names[i],
			       (unsigned long long)val);
	for (i = 0; i < sizeof(csrs) / sizeof(csrs[0]); i++)
		if (!get_reg(v->fd, reg_id(KVM_REG_RISCV_CSR, i), &val))
			pr_err("  %-8s 0x%016llx", csrs[i],
			       (unsigned long long)val);
}

static void handle_mmio(struct kvm_vcpu *v)
{
	struct kvm_run *r = v->run;
	uint64_t val = 0;

	if (r->mmio.len > 8) {
		vm_mmio(v->vm, r->mmio.phys_addr, 0, r->mmio.is_write, &val);
		return;
	}
	/* Guest data is little-endian, as is every riscv64 host. */
	if (r->mmio.is_write)
		memcpy(&val, r->mmio.data, r->mmio.len);
	vm_mmio(v->vm, r->mmio.phys_addr, r->mmio.len, r->mmio.is_write, &val);
	if (!r->mmio.is_write)
		memcpy(r->mmio.data, &val, r->mmio.len);
}

static void handle_sbi(struct kvm_vcpu *v)
{
	struct kvm_run *r = v->run;
	struct sbi_call c = { .ext = r->riscv_sbi.extension_id,
			      .fid = r->riscv_sbi.function_id };

	memcpy(c.args, r->riscv_sbi.args, sizeof(c.args));
	sbi_handle(&v->vm->sbi, &c);
	r->riscv_sbi.ret[0] = (unsigned long)c.ret[0];
	r->riscv_sbi.ret[1] = (unsigned long)c.ret[1];
}

static void handle_csr(struct kvm_vcpu *v)
{
	struct kvm_run *r = v->run;
	uint64_t old = 0;

	if (csr_emulate(&v->vm->csr, (unsigned)r->riscv_csr.csr_num,
			r->riscv_csr.new_value, r->riscv_csr.write_mask, &old))
		pr_warn("vCPU %u: CSR 0x%lx emulation failed", v->id,
			r->riscv_csr.csr_num);
	r->riscv_csr.ret_value = old;
}

static void handle_system_event(struct kvm_vcpu *v)
{
	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		vm_request_exit(v->vm, VMM_EXIT_OK);
		break;
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_exit(v->vm, VMM_EXIT_RESET);
		break;
	default:
		pr_err("vCPU %u: guest system event %u", v->id,
		       v->run->system_event.type);
		vm_request_exit(v->vm, VMM_EXIT_GUEST_CRASH);
	}
}

/* Returns 0 to keep running, or the exit status the VM must end with. */
static int handle_exit(struct kvm_vcpu *v)
{
	struct kvm_run *r = v->run;

	switch (r->exit_reason) {
	case KVM_EXIT_MMIO:
		if (log_level == LOG_DEBUG && !v->mmio_seen++)
			pr_debug("vCPU %u: first MMIO exit", v->id);
		handle_mmio(v);
		return 0;
	case KVM_EXIT_RISCV_SBI:
		handle_sbi(v);
		return 0;
	case KVM_EXIT_RISCV_CSR:
		handle_csr(v);
		return 0;
	case KVM_EXIT_SYSTEM_EVENT:
		handle_system_event(v);
		return 0;
	case KVM_EXIT_INTR:
		return 0;
	case KVM_EXIT_FAIL_ENTRY:
		pr_err("vCPU %u: entry failed (hardware reason 0x%llx)", v->id,
		       (unsigned long long)
			       r->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		pr_err("vCPU %u: KVM internal error %u", v->id,
		       r->internal.suberror);
		break;
	default:
		pr_err("vCPU %u: unexpected exit reason %u", v->id,
		       r->exit_reason);
		break;
	}
	dump_vcpu(v);
	return VMM_EXIT_GUEST_CRASH;
}

/* Wait out a pause. The kick that brought us here left immediate_exit
 * set: clear it, or KVM_RUN would return at once forever. */
static void park(struct kvm *k, struct kvm_vcpu *v)
{
	pthread_mutex_lock(&k->park_lock);
	k->parked++;
	pthread_cond_broadcast(&k->park_cond);
	while (k->pause_requested && !vm_exiting(v->vm))
		pthread_cond_wait(&k->park_cond, &k->park_lock);
	k->parked--;
	__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&k->park_lock);
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *v = arg;
	struct kvm *k = v->vm->backend_data;
	sigset_t set;
	int status;

	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (v->id == 0)
		pr_info("vCPU 0: entering the guest %.3f ms after start",
			log_elapsed_ms());
	while (!vm_exiting(v->vm)) {
		if (__atomic_load_n(&k->pause_requested, __ATOMIC_ACQUIRE)) {
			park(k, v);
			continue;
		}
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			/* A guest trap KVM cannot handle fails KVM_RUN: 6.1
			 * with EFAULT (an illegal instruction it was not
			 * delegated), 6.12 with EOPNOTSUPP (which delivers
			 * that trap, and then fails a fetch from no RAM):
			 * the guest's crash, not ours. */
			pr_err("vCPU %u: KVM_RUN: %s", v->id, strerror(errno));
			dump_vcpu(v);
			vm_request_exit(v->vm,
					errno == EFAULT || errno == EOPNOTSUPP
						? VMM_EXIT_GUEST_CRASH
						: VMM_EXIT_ERROR);
			break;
		}
		kvm_batch_drain(&k->batch); /* what came before this exit */
		status = handle_exit(v);
		if (status)
			vm_request_exit(v->vm, status);
	}
	return NULL;
}

static void on_kick(int sig)
{
	(void)sig; /* only there to make KVM_RUN return EINTR */
}

static int setup_vcpu(struct kvm_vcpu *v, uint64_t entry, uint64_t dtb)
{
	struct kvm_mp_state stopped = { .mp_state = KVM_MP_STATE_STOPPED };
	int err;

	if (v->id != 0)
		return ioctl(v->fd, KVM_SET_MP_STATE, &stopped) < 0 ? -errno
								    : 0;
	err = set_reg(v->fd, CORE_REG(regs.pc), entry);
	if (!err)
		err = set_reg(v->fd, CORE_REG(regs.a0), v->id);
	if (!err)
		err = set_reg(v->fd, CORE_REG(regs.a1), dtb);
	return err;
}

static int kvm_start(struct vm *vm, uint64_t entry, uint64_t dtb)
{
	struct kvm *k = vm->backend_data;
	struct sigaction sa = { .sa_handler = on_kick };
	sigset_t set, old;
	unsigned i;
	int err;

	sigaction(KICK_SIGNAL, &sa, NULL);
	for (i = 0; i < k->nr_vcpus; i++) {
		err = setup_vcpu(&k->vcpus[i], entry, dtb);
		if (err) {
			pr_err("vCPU %u: setting registers: %s", i,
			       strerror(-err));
			return err;
		}
	}
	/* Threads inherit a mask with the kick signal blocked and unblock it
	 * themselves, so it never lands on another thread. */
	sigemptyset(&set);
	sigaddset(&set, KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	for (i = 0; i < k->nr_vcpus; i++) {
		err = pthread_create(&k->vcpus[i].thread, NULL, vcpu_thread,
				     &k->vcpus[i]);
		if (err) {
			pr_err("vCPU %u: thread: %s", i, strerror(err));
			break;
		}
		k->vcpus[i].started = 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err ? -err : 0;
}

/* Get every vCPU thread out of KVM_RUN. immediate_exit covers a kick that
 * lands just before a thread enters KVM_RUN. */
static void kick_all(struct kvm *k)
{
	unsigned i;

	for (i = 0; i < k->nr_vcpus; i++) {
		struct kvm_vcpu *v = &k->vcpus[i];

		if (!v->started)
			continue;
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_RELEASE);
		pthread_kill(v->thread, KICK_SIGNAL);
	}
}

static unsigned nr_started(const struct kvm *k)
{
	unsigned i, n = 0;

	for (i = 0; i < k->nr_vcpus; i++)
		n += k->vcpus[i].started;
	return n;
}

/* At --log-level debug, where a paused vCPU stands as KVM keeps it: what
 * a guest that waits for ever waits for (its pc, which interrupts it
 * enables and KVM holds pending, and its timer against the clock). */
static void log_paused_vcpu(struct kvm_vcpu *v)
{
	uint64_t pc = 0, sie = 0, sip = 0, now = 0, cmp = 0, on = 0;
	int err = get_reg(v->fd, CORE_REG(regs.pc), &pc);

	err = err ?: get_reg(v->fd, CSR_REG(sie), &sie);
	err = err ?: get_reg(v->fd, CSR_REG(sip), &sip);
	err = err ?: get_reg(v->fd, TIMER_REG(time), &now);
	err = err ?: get_reg(v->fd, TIMER_REG(compare), &cmp);
	err = err ?: get_reg(v->fd, TIMER_REG(state), &on);
	if (err) {
		pr_debug("pause: vCPU %u: %s", v->id, strerror(-err));
		return;
	}
	pr_debug(
		"pause: vCPU %u at pc 0x%llx, sie 0x%llx, sip 0x%llx; timer %s, compare 0x%llx, time 0x%llx",
		v->id, (unsigned long long)pc, (unsigned long long)sie,
		(unsigned long long)sip, on ? "on" : "off",
		(unsigned long long)cmp, (unsigned long long)now);
}

static int kvm_pause(struct vm *vm)
{
	struct kvm *k = vm->backend_data;
	unsigned want = nr_started(k), i;
	int err;

	pthread_mutex_lock(&k->park_lock);
	k->pause_requested = 1;
	pthread_mutex_unlock(&k->park_lock);
	kick_all(k);
	pthread_mutex_lock(&k->park_lock);
	/* Threads that see the VM end leave without parking: look again
	 * every 100 ms rather than wait for a broadcast that never comes. */
	while (k->parked < want && !vm_exiting(vm)) {
		struct timespec t;

		clock_gettime(CLOCK_REALTIME, &t);
		t.tv_nsec += 100000000;
		if (t.tv_nsec >= 1000000000) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&k->park_cond, &k->park_lock, &t);
	}
	pthread_mutex_unlock(&k->park_lock);
	if (vm_exiting(vm))
		return -ESRCH;
	kvm_batch_drain(&k->batch); /* a paused guest's output is all out */
	/* Remember the guest's clock, to start it again where it stopped. */
	err = get_reg(k->vcpus[0].fd, TIMER_REG(time), &k->paused_time);
	if (err)
		pr_warn("pause: reading the guest timer: %s", strerror(-err));
	for (i = 0; log_level == LOG_DEBUG && i < k->nr_vcpus; i++)
		if (k->vcpus[i].started)
			log_paused_vcpu(&k->vcpus[i]);
	return 0;
}

static int kvm_resume(struct vm *vm)
{
	struct kvm *k = vm->backend_data;
	int err;

	/* The guest timer is per VM in KVM: one write sets every hart's. */
	err = set_reg(k->vcpus[0].fd, TIMER_REG(time), k->paused_time);
	if (err)
		pr_warn("resume: setting the guest timer: %s", strerror(-err));
	pthread_mutex_lock(&k->park_lock);
	k->pause_requested = 0;
	pthread_cond_broadcast(&k->park_cond);
	pthread_mutex_unlock(&k->park_lock);
	return 0;
}

static void kvm_stop(struct vm *vm)
{
	struct kvm *k = vm->backend_data;
	unsigned long exits = 0; /* counted at --log-level debug */
	unsigned i;

	kick_all(k);
	/* Parked threads see the VM exiting and come out. */
	pthread_mutex_lock(&k->park_lock);
	pthread_cond_broadcast(&k->park_cond);
	pthread_mutex_unlock(&k->park_lock);
	for (i = 0; i < k->nr_vcpus; i++) {
		if (!k->vcpus[i].started)
			continue;
		pthread_join(k->vcpus[i].thread, NULL);
		k->vcpus[i].started = 0;
		exits += k->vcpus[i].mmio_seen;
		kvm_log_vcpu_stats(&k->vcpus[i]);
	}
	kvm_batch_stop(&k->batch);
	pr_debug("kvm: %lu MMIO exits served", exits);
}

static void kvm_set_external_irq(struct vm *vm, unsigned hart, int machine,
				 int level)
{
	struct kvm *k = vm->backend_data;
	struct kvm_interrupt irq = { .irq = level ? KVM_INTERRUPT_SET
						  : KVM_INTERRUPT_UNSET };

	/* KVM_INTERRUPT is an asynchronous vCPU ioctl on RISC-V: safe from
	 * the device threads while the vCPU thread sits in KVM_RUN. */
	if (machine)
		return; /* KVM guests have no M-mode to take it */
	if (k && hart < k->nr_vcpus &&
	    ioctl(k->vcpus[hart].fd, KVM_INTERRUPT, &irq) < 0)
		pr_warn("vCPU %u: KVM_INTERRUPT: %s", hart, strerror(errno));
}

static int kvm_notify_by_fd(struct vm *vm, uint64_t addr, uint32_t value,
			    int fd)
{
	struct kvm *k = vm->backend_data;
	struct kvm_ioeventfd io = { .datamatch = value,
				    .addr = addr,
				    .len = 4,
				    .fd = fd,
				    .flags = KVM_IOEVENTFD_FLAG_DATAMATCH };

	return ioctl(k->vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}

/* The slot of the read-only page at addr, a new one if it has none; -1
 * when all are taken. With slots_lock held. */
static int ro_slot(struct kvm *k, uint64_t addr)
{
	unsigned i;

	for (i = 1; i < k->nr_slots; i++)
		if (k->slot_addr[i - 1] == addr)
			return (int)i;
	if (k->nr_slots > KVM_MAX_RO_PAGES)
		return -1;
	k->slot_addr[k->nr_slots - 1] = addr;
	return (int)k->nr_slots++;
}

/* A read-only memory slot: the guest's loads read host memory, its
 * stores fault to an MMIO exit (Documentation/virt/kvm/api.rst 4.35).
 * len 0 deletes it. */
static int set_ro_slot(struct vm *vm, uint64_t addr, void *host, uint64_t len)
{
	struct kvm *k = vm->backend_data;
	struct kvm_userspace_memory_region region = {
		.flags = len ? KVM_MEM_READONLY : 0,
		.guest_phys_addr = addr,
		.memory_size = len,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};
	int slot, err = 0;

	if (!k) /* between boots: the slot went with the VM */
		return -ENODEV;
	if (len &&
	    ioctl(k->dev_fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) <= 0)
		return -ENOSYS;
	pthread_mutex_lock(&k->slots_lock);
	slot = ro_slot(k, addr);
	region.slot = (uint32_t)slot;
	if (slot < 0)
		err = -ENOSPC;
	else if (ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		err = -errno;
	pthread_mutex_unlock(&k->slots_lock);
	return err;
}

static int kvm_map_readonly(struct vm *vm, uint64_t addr, void *host,
			    uint64_t len)
{
	return set_ro_slot(vm, addr, host, len);
}

static int kvm_unmap_readonly(struct vm *vm, uint64_t addr)
{
	return set_ro_slot(vm, addr, NULL, 0);
}

static int kvm_batch_writes(struct vm *vm, uint64_t addr, uint64_t len)
{
	struct kvm *k = vm->backend_data;

	return kvm_batch_add(&k->batch, k->dev_fd, k->vm_fd, k->vcpus[0].run,
			     addr, len);
}

const struct backend_ops kvm_backend = {
	.name = "kvm",
	.create = kvm_create,
	.describe_cpus = kvm_describe_cpus,
	.start = kvm_start,
	.stop = kvm_stop,
	.pause = kvm_pause,
	.resume = kvm_resume,
	.set_external_irq = kvm_set_external_irq,
	.notify_by_fd = kvm_notify_by_fd,
	.batch_writes = kvm_batch_writes,
	.map_readonly = kvm_map_readonly,
	.unmap_readonly = kvm_unmap_readonly,
	.aia_create = kvm_aia_create,
	.aia_set_irq = kvm_aia_set_irq,
	.counters = kvm_counters,
	.destroy = kvm_destroy,
};
