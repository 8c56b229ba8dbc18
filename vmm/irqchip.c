// SPDX-License-Identifier: MIT
/*
 * Where a device's interrupt wire goes: vmm's PLIC, or the backend's
 * in-kernel AIA (KVM's APLIC and IMSICs), which the guest then claims and
 * completes without an exit (--irqchip: auto takes the AIA where the host
 * offers one). A device gets its line once, from vm_irq_line(); which
 * controller listens is decided at each boot, since a reboot makes a new
 * backend, so the levels the devices drive are kept here and handed to a
 * new AIA as it comes.
 */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "vm.h"

/* Wired sources an AIA gets: as many as the PLIC has. */
#define AIA_SOURCES (PLIC_NR_SOURCES - 1)

static void set_level(void *ctrl, unsigned irq, int level)
{
	struct vm *vm = ctrl;

	if (irq >= 64)
		return;
	pthread_mutex_lock(&vm->irq_lock);
	if (level)
		vm->irq_levels |= 1ULL << irq;
	else
		vm->irq_levels &= ~(1ULL << irq);
	if (vm->aia_on)
		vm->backend->aia_set_irq(vm, irq, level);
	else
		plic_set_irq(&vm->plic, irq, level);
	pthread_mutex_unlock(&vm->irq_lock);
}

struct irq_line vm_irq_line(struct vm *vm, unsigned irq)
{
	struct irq_line l = { .set_level = set_level, .ctrl = vm, .irq = irq };

	return l;
}

int vm_irqchip_start(struct vm *vm)
{
	const char *want = vm->cfg->irqchip ? vm->cfg->irqchip : "auto";
	unsigned irq;
	int e;

	if (!strcmp(want, "plic"))
		return 0;
	e = vm->backend->aia_create
		    ? vm->backend->aia_create(vm, AIA_SOURCES, &vm->aia)
		    : -ENODEV;
	if (e) {
		if (!strcmp(want, "aia")) {
			pr_err("--irqchip aia: %s",
			       e != -ENODEV ? strerror(-e)
			       : vm->backend->aia_create
				       ? "this host's KVM has no in-kernel AIA (it needs Linux 6.5 or later on harts with Ssaia)"
				       : "only the KVM backend has one");
			return e;
		}
		if (e != -ENODEV)
			pr_warn("in-kernel AIA: %s: vmm's PLIC instead",
				strerror(-e));
		else
			pr_info("interrupts: vmm's PLIC (no in-kernel AIA here)");
		return 0;
	}
	pthread_mutex_lock(&vm->irq_lock);
	vm->aia_on = 1;
	for (irq = 1; irq <= AIA_SOURCES && irq < 64; irq++)
		if (vm->irq_levels & (1ULL << irq))
			vm->backend->aia_set_irq(vm, irq, 1);
	pthread_mutex_unlock(&vm->irq_lock);
	return 0;
}

void vm_irqchip_stop(struct vm *vm)
{
	pthread_mutex_lock(&vm->irq_lock);
	vm->aia_on = 0;
	pthread_mutex_unlock(&vm->irq_lock);
}
