// SPDX-License-Identifier: MIT
/*
 * KVM's in-kernel AIA irqchip (Documentation/virt/kvm/devices/riscv-aia.rst,
 * Linux 6.5 and later): an APLIC in MSI mode and one S-level IMSIC file
 * per hart, which KVM emulates or backs with the host's guest interrupt
 * files. With it the guest claims and completes its interrupts with no
 * exit to vmm, where vmm's PLIC costs two MMIO exits an interrupt; the
 * devices drive their wired sources with KVM_IRQ_LINE. The numbers are
 * KVM's ABI, spelled out here since Debian 12's headers (6.1) lack them.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../../fdt/fdt.h"
#include "../log.h"
#include "kvm_priv.h"

#define AIA_DEVICE_TYPE 11 /* KVM_DEV_TYPE_RISCV_AIA */
#define AIA_GRP_CONFIG 0
#define AIA_CONFIG_MODE 0
#define AIA_CONFIG_IDS 1
#define AIA_CONFIG_SRCS 2
#define AIA_CONFIG_HART_BITS 5
#define AIA_CONFIG_GUEST_BITS 6
#define AIA_GRP_ADDR 1
#define AIA_ADDR_APLIC 0
#define AIA_ADDR_IMSIC(hart) (1 + (hart))
#define AIA_GRP_CTRL 2
#define AIA_CTRL_INIT 0

/* Where the guest finds them: QEMU virt's S-level APLIC and IMSICs. */
#define AIA_APLIC_BASE 0x0d000000ULL
#define AIA_APLIC_SIZE 0x4000ULL
#define AIA_IMSIC_BASE 0x28000000ULL
#define AIA_IMSIC_FILE 0x1000U

static const char *const aia_modes[] = { "emulated", "hardware-accelerated",
					 "automatic" };

static int attr(int fd, unsigned long req, uint32_t group, uint64_t a,
		void *val)
{
	struct kvm_device_attr d = { .group = group,
				     .attr = a,
				     .addr = (uint64_t)(uintptr_t)val };

	return ioctl(fd, req, &d) < 0 ? -errno : 0;
}

static int set_config(int fd, uint64_t a, uint32_t v)
{
	return attr(fd, KVM_SET_DEVICE_ATTR, AIA_GRP_CONFIG, a, &v);
}

static unsigned bits_for(unsigned n) /* to number 0 .. n - 1 */
{
	unsigned b = 0;

	while ((1U << b) < n)
		b++;
	return b;
}

/* The device's configuration, in the order KVM wants it: sources and
 * hart bits, then where the APLIC and each hart's IMSIC file are. */
static int configure(struct kvm *k, int fd, unsigned nr_sources,
		     struct fdt_aia *aia)
{
	uint32_t ids = 0, guest_bits = 0;
	uint64_t addr;
	unsigned i;
	int e;

	e = attr(fd, KVM_GET_DEVICE_ATTR, AIA_GRP_CONFIG, AIA_CONFIG_IDS, &ids);
	if (!e)
		e = attr(fd, KVM_GET_DEVICE_ATTR, AIA_GRP_CONFIG,
			 AIA_CONFIG_GUEST_BITS, &guest_bits);
	if (!e)
		e = set_config(fd, AIA_CONFIG_SRCS, nr_sources);
	if (!e) /* at least one bit, even for one hart */
		e = set_config(fd, AIA_CONFIG_HART_BITS,
			       bits_for(k->nr_vcpus > 1 ? k->nr_vcpus : 2));
	if (e)
		return e;
	addr = AIA_APLIC_BASE;
	e = attr(fd, KVM_SET_DEVICE_ATTR, AIA_GRP_ADDR, AIA_ADDR_APLIC, &addr);
	/* each hart's file, guest_bits files apart (KVM's stride) */
	for (i = 0; i < k->nr_vcpus && !e; i++) {
		addr = AIA_IMSIC_BASE +
		       ((uint64_t)i * AIA_IMSIC_FILE << guest_bits);
		e = attr(fd, KVM_SET_DEVICE_ATTR, AIA_GRP_ADDR,
			 AIA_ADDR_IMSIC(i), &addr);
	}
	aia->aplic_base = AIA_APLIC_BASE;
	aia->aplic_size = AIA_APLIC_SIZE;
	aia->imsic_base = AIA_IMSIC_BASE;
	aia->imsic_stride = AIA_IMSIC_FILE << guest_bits;
	aia->nr_ids = ids;
	aia->nr_sources = nr_sources;
	return e;
}

int kvm_aia_create(struct vm *vm, unsigned nr_sources, struct fdt_aia *aia)
{
	struct kvm *k = vm->backend_data;
	struct kvm_create_device cd = { .type = AIA_DEVICE_TYPE };
	uint32_t mode = 0;
	int e;

	if (ioctl(k->vm_fd, KVM_CREATE_DEVICE, &cd) < 0) {
		e = errno;
		return e == ENODEV || e == ENXIO ? -ENODEV : -e;
	}
	e = configure(k, (int)cd.fd, nr_sources, aia);
	if (!e)
		e = attr((int)cd.fd, KVM_SET_DEVICE_ATTR, AIA_GRP_CTRL,
			 AIA_CTRL_INIT, NULL);
	attr((int)cd.fd, KVM_GET_DEVICE_ATTR, AIA_GRP_CONFIG, AIA_CONFIG_MODE,
	     &mode);
	close((int)cd.fd); /* the VM holds the device */
	if (e)
		return e;
	pr_info("kvm: in-kernel AIA irqchip (%s): APLIC at 0x%llx with %u sources, an IMSIC file per hart from 0x%llx with %u identities",
		mode < 3 ? aia_modes[mode] : "?",
		(unsigned long long)aia->aplic_base, nr_sources,
		(unsigned long long)aia->imsic_base, aia->nr_ids);
	return 0;
}

void kvm_aia_set_irq(struct vm *vm, unsigned irq, int level)
{
	struct kvm *k = vm->backend_data;
	struct kvm_irq_level l = { .irq = irq, .level = (uint32_t) !!level };

	if (ioctl(k->vm_fd, KVM_IRQ_LINE, &l) < 0)
		pr_warn("kvm: AIA source %u: KVM_IRQ_LINE: %s", irq,
			strerror(errno));
}
