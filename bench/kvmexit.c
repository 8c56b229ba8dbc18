// SPDX-License-Identifier: MIT
/*
 * The barest KVM_RUN loop there is, the floor of an MMIO exit: one VM, 16
 * MiB of RAM at 0x80000000, one vCPU entered at 0x80200000 (where a raw
 * firmware/ binary is loaded), every MMIO read answered 0x60 (a 16550's
 * line status: transmitter empty), writes to the UART's data register
 * copied to stdout, a write to the test finisher (0x100000) the end.
 * usage: bench-kvmexit BINARY
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (16ULL << 20)
#define ENTRY 0x80200000ULL
#define UART 0x10000000ULL
#define FINISHER 0x100000ULL

static int set_pc(int vcpu, uint64_t pc)
{
	struct kvm_one_reg r = {
		.id = KVM_REG_RISCV | KVM_REG_SIZE_U64 | KVM_REG_RISCV_CORE |
		      KVM_REG_RISCV_CORE_REG(regs.pc),
		.addr = (uint64_t)(uintptr_t)&pc,
	};

	return ioctl(vcpu, KVM_SET_ONE_REG, &r);
}

static int fail(const char *what)
{
	fprintf(stderr, "bench-kvmexit: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	struct kvm_userspace_memory_region region = {
		.guest_phys_addr = RAM_BASE,
		.memory_size = RAM_SIZE,
	};
	struct kvm_run *run;
	int kvm, vm, vcpu, fd;
	uint8_t *ram;
	ssize_t n;
	long size;

	if (argc != 2) {
		fprintf(stderr, "usage: bench-kvmexit BINARY\n");
		return 64;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm < 0 || ram == MAP_FAILED)
		return fail("creating the VM");
	region.userspace_addr = (uint64_t)(uintptr_t)ram;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return fail(argv[1]);
	n = read(fd, ram + (ENTRY - RAM_BASE), RAM_SIZE - (ENTRY - RAM_BASE));
	close(fd);
	if (n <= 0)
		return fail("reading the binary");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || size <= 0)
		return fail("creating the vCPU");
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu,
		   0);
	if (run == MAP_FAILED || set_pc(vcpu, ENTRY) < 0)
		return fail("setting up the vCPU");
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			return fail("KVM_RUN");
		}
		if (run->exit_reason != KVM_EXIT_MMIO) {
			fprintf(stderr, "bench-kvmexit: exit reason %u\n",
				run->exit_reason);
			return 1;
		}
		if (!run->mmio.is_write) {
			memset(run->mmio.data, 0, sizeof(run->mmio.data));
			run->mmio.data[0] = 0x60;
		} else if (run->mmio.phys_addr == UART) {
			putchar(run->mmio.data[0]);
		} else if (run->mmio.phys_addr == FINISHER) {
			return run->mmio.data[0] == 0x55 ? 0 : 1;
		}
	}
}
