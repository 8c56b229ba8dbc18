// SPDX-License-Identifier: MIT
/*
 * The VM's device tree, written with libfdt's sequential-write API. Node
 * layout and bindings follow QEMU's virt machine so that guests written for
 * it find what they expect (Documentation/devicetree/bindings/ in Linux:
 * riscv/cpus.yaml, interrupt-controller/sifive,plic-1.0.0.yaml,
 * serial/8250.yaml, power/reset/syscon-poweroff.yaml, virtio/mmio.yaml).
 */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "../vmm/hw/finisher.h"
#include "../vmm/hw/clint.h"
#include "../vmm/hw/plic.h"
#include "../vmm/hw/uart8250.h"
#include "../virtio/mmio.h"
#include "fdt.h"

/* phandles: one per hart's interrupt controller, then these. */
#define PHANDLE_PLIC 100
#define PHANDLE_TEST 101
#define PHANDLE_IMSIC 102
#define PHANDLE_APLIC 103

#define IRQ_TYPE_LEVEL_HIGH 4 /* dt-bindings/interrupt-controller/irq.h */

#define IRQ_M_SOFT 3
#define IRQ_M_TIMER 7
#define IRQ_S_EXT 9
#define IRQ_M_EXT 11

/* Every libfdt call returns 0 or a negative FDT_ERR_*; stop at the first. */
#define TRY(call)                    \
	do {                         \
		int err_ = (call);   \
		if (err_)            \
			return err_; \
	} while (0)

static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

static int isa_string(const struct fdt_vm *v, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "rv64%s", v->isa_letters);
	unsigned i;

	for (i = 0; i < v->nr_isa_exts && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "_%s", v->isa_exts[i]);
	return n < size ? 0 : -FDT_ERR_NOSPACE;
}

/* riscv,isa-extensions: a string list of every extension, letters too. */
static int isa_extensions(void *fdt, const struct fdt_vm *v)
{
	char list[1024];
	size_t n = 0;
	const char *l;
	unsigned i;

	for (l = v->isa_letters; *l && n + 2 <= sizeof(list); l++) {
		list[n++] = *l;
		list[n++] = '\0';
	}
	for (i = 0; i < v->nr_isa_exts; i++) {
		size_t len = strlen(v->isa_exts[i]) + 1;

		if (n + len > sizeof(list))
			return -FDT_ERR_NOSPACE;
		memcpy(list + n, v->isa_exts[i], len);
		n += len;
	}
	return fdt_property(fdt, "riscv,isa-extensions", list, (int)n);
}

static int cpu_node(void *fdt, const struct fdt_vm *v, unsigned hart)
{
	char name[32], isa[1024];

	snprintf(name, sizeof(name), "cpu@%u", hart);
	TRY(isa_string(v, isa, sizeof(isa)));
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "device_type", "cpu"));
	TRY(fdt_property_u32(fdt, "reg", hart));
	TRY(fdt_property_string(fdt, "status", "okay"));
	TRY(fdt_property_string(fdt, "compatible", "riscv"));
	TRY(fdt_property_string(fdt, "riscv,isa", isa));
	TRY(fdt_property_string(fdt, "riscv,isa-base", "rv64i"));
	TRY(isa_extensions(fdt, v));
	TRY(fdt_property_string(fdt, "mmu-type", v->mmu_type));
	if (v->cbom_block_size)
		TRY(fdt_property_u32(fdt, "riscv,cbom-block-size",
				     v->cbom_block_size));
	TRY(fdt_begin_node(fdt, "interrupt-controller"));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
	TRY(fdt_property_u32(fdt, "phandle", hart + 1));
	TRY(fdt_end_node(fdt));
	return fdt_end_node(fdt);
}

static int cpus_node(void *fdt, const struct fdt_vm *v)
{
	unsigned i;

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	TRY(fdt_property_u32(fdt, "timebase-frequency", v->timebase_hz));
	for (i = 0; i < v->nr_cpus; i++)
		TRY(cpu_node(fdt, v, i));
	return fdt_end_node(fdt);
}

/* A device's node, "PREFIX@BASE", with its compatible strings (compat,
 * len bytes with their NULs: COMPAT("a") or a "a\0b" array) and its one
 * register range. */
#define COMPAT(s) s, sizeof(s)
static int begin_device(void *fdt, const char *prefix, const char *compat,
			int len, uint64_t base, uint64_t size)
{
	char name[40];

	snprintf(name, sizeof(name), "%s@%llx", prefix,
		 (unsigned long long)base);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property(fdt, "compatible", compat, len));
	return prop_reg(fdt, base, size);
}

static int memory_node(void *fdt, const struct fdt_vm *v)
{
	char name[32];

	snprintf(name, sizeof(name), "memory@%llx",
		 (unsigned long long)v->mem_base);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(prop_reg(fdt, v->mem_base, v->mem_size));
	return fdt_end_node(fdt);
}

/* interrupts-extended with the lines irqs[0..n-1] (n at most 2), in that
 * order, into each of the first nr harts' interrupt controllers. */
static int per_hart_irqs(void *fdt, unsigned nr, const unsigned *irqs,
			 unsigned n)
{
	fdt32_t cells[4 * PLIC_MAX_HARTS];
	unsigned i, j, k = 0;

	for (i = 0; i < nr && i < PLIC_MAX_HARTS; i++)
		for (j = 0; j < n && j < 2; j++) {
			cells[k++] = cpu_to_fdt32(i + 1);
			cells[k++] = cpu_to_fdt32(irqs[j]);
		}
	return fdt_property(fdt, "interrupts-extended", cells,
			    (int)(k * sizeof(fdt32_t)));
}

/* Two contexts per hart, M then S, as plic.c numbers them. */
static int plic_node(void *fdt, const struct fdt_vm *v)
{
	TRY(begin_device(fdt, "plic", COMPAT("sifive,plic-1.0.0"), PLIC_BASE,
			 PLIC_SIZE));
	TRY(per_hart_irqs(fdt, v->nr_cpus,
			  (const unsigned[]){ IRQ_M_EXT, IRQ_S_EXT }, 2));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property_u32(fdt, "riscv,ndev", PLIC_NR_SOURCES - 1));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_PLIC));
	return fdt_end_node(fdt);
}

/* The S-level IMSIC files, one per hart (interrupt-controller/
 * riscv,imsics.yaml): each hart's supervisor external interrupt. */
static int imsic_node(void *fdt, const struct fdt_vm *v)
{
	static const unsigned s_ext[] = { IRQ_S_EXT };
	const struct fdt_aia *a = v->aia;

	TRY(begin_device(fdt, "imsics", COMPAT("riscv,imsics"), a->imsic_base,
			 (uint64_t)a->imsic_stride * v->nr_cpus));
	TRY(per_hart_irqs(fdt, v->nr_cpus, s_ext, 1));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 0));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property(fdt, "msi-controller", NULL, 0));
	TRY(fdt_property_u32(fdt, "#msi-cells", 0));
	TRY(fdt_property_u32(fdt, "riscv,num-ids", a->nr_ids));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_IMSIC));
	return fdt_end_node(fdt);
}

/* The S-level APLIC in MSI mode (interrupt-controller/riscv,aplic.yaml). */
static int aplic_node(void *fdt, const struct fdt_vm *v)
{
	const struct fdt_aia *a = v->aia;

	TRY(begin_device(fdt, "aplic", COMPAT("riscv,aplic"), a->aplic_base,
			 a->aplic_size));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 2));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property_u32(fdt, "msi-parent", PHANDLE_IMSIC));
	TRY(fdt_property_u32(fdt, "riscv,num-sources", a->nr_sources));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_APLIC));
	return fdt_end_node(fdt);
}

/* Machine software and timer interrupts of every hart. */
static int clint_node(void *fdt, const struct fdt_vm *v)
{
	static const char compat[] = "sifive,clint0\0riscv,clint0";

	TRY(begin_device(fdt, "clint", compat, sizeof(compat), CLINT_BASE,
			 CLINT_SIZE));
	TRY(per_hart_irqs(fdt, v->nr_cpus,
			  (const unsigned[]){ IRQ_M_SOFT, IRQ_M_TIMER }, 2));
	return fdt_end_node(fdt);
}

/* A device's wired interrupt: one cell into the PLIC, or the source and
 * its trigger into the APLIC. */
static int device_irq(void *fdt, const struct fdt_vm *v, unsigned irq)
{
	fdt32_t cells[2] = { cpu_to_fdt32(irq),
			     cpu_to_fdt32(IRQ_TYPE_LEVEL_HIGH) };

	if (!v->aia) {
		TRY(fdt_property_u32(fdt, "interrupts", irq));
		return fdt_property_u32(fdt, "interrupt-parent", PHANDLE_PLIC);
	}
	TRY(fdt_property(fdt, "interrupts", cells, sizeof(cells)));
	return fdt_property_u32(fdt, "interrupt-parent", PHANDLE_APLIC);
}

static int uart_node(void *fdt, const struct fdt_vm *v)
{
	TRY(begin_device(fdt, "serial", COMPAT("ns16550a"), UART_BASE,
			 UART_SIZE));
	TRY(fdt_property_u32(fdt, "clock-frequency", UART_CLOCK_HZ));
	TRY(device_irq(fdt, v, UART_IRQ));
	return fdt_end_node(fdt);
}

static int syscon_power_node(void *fdt, const char *name, const char *compat,
			     uint32_t value)
{
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "compatible", compat));
	TRY(fdt_property_u32(fdt, "regmap", PHANDLE_TEST));
	TRY(fdt_property_u32(fdt, "offset", 0));
	TRY(fdt_property_u32(fdt, "value", value));
	return fdt_end_node(fdt);
}

static int finisher_node(void *fdt)
{
	static const char compat[] = "sifive,test1\0sifive,test0\0syscon";

	TRY(begin_device(fdt, "test", compat, sizeof(compat), FINISHER_BASE,
			 FINISHER_SIZE));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_TEST));
	return fdt_end_node(fdt);
}

/* At the root, as on QEMU virt: they have no registers of their own. */
static int power_nodes(void *fdt)
{
	TRY(syscon_power_node(fdt, "poweroff", "syscon-poweroff",
			      FINISHER_PASS));
	return syscon_power_node(fdt, "reboot", "syscon-reboot",
				 FINISHER_RESET);
}

static int virtio_nodes(void *fdt, const struct fdt_vm *v)
{
	unsigned i;

	for (i = 0; i < v->nr_virtio; i++) {
		TRY(begin_device(fdt, "virtio_mmio", COMPAT("virtio,mmio"),
				 VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_SIZE,
				 VIRTIO_MMIO_SIZE));
		TRY(device_irq(fdt, v, VIRTIO_MMIO_IRQ + i));
		TRY(fdt_end_node(fdt));
	}
	return 0;
}

static int soc_node(void *fdt, const struct fdt_vm *v)
{
	TRY(fdt_begin_node(fdt, "soc"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
	TRY(fdt_property(fdt, "ranges", NULL, 0));
	if (v->clint)
		TRY(clint_node(fdt, v));
	if (v->aia) {
		TRY(imsic_node(fdt, v));
		TRY(aplic_node(fdt, v));
	} else {
		TRY(plic_node(fdt, v));
	}
	TRY(uart_node(fdt, v));
	TRY(finisher_node(fdt));
	TRY(virtio_nodes(fdt, v));
	return fdt_end_node(fdt);
}

static int chosen_node(void *fdt, const struct fdt_vm *v)
{
	TRY(fdt_begin_node(fdt, "chosen"));
	TRY(fdt_property_string(fdt, "bootargs",
				v->bootargs ? v->bootargs : ""));
	TRY(fdt_property_string(fdt, "stdout-path", "/soc/serial@10000000"));
	if (v->initrd_end > v->initrd_start) {
		TRY(fdt_property_u64(fdt, "linux,initrd-start",
				     v->initrd_start));
		TRY(fdt_property_u64(fdt, "linux,initrd-end", v->initrd_end));
	}
	return fdt_end_node(fdt);
}

static int build(void *fdt, const struct fdt_vm *v, size_t size)
{
	TRY(fdt_create(fdt, (int)size));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "riscv-virtio"));
	TRY(fdt_property_string(fdt, "model", "riscv-virtio,vmm"));
	TRY(chosen_node(fdt, v));
	TRY(cpus_node(fdt, v));
	TRY(memory_node(fdt, v));
	TRY(soc_node(fdt, v));
	TRY(power_nodes(fdt));
	TRY(fdt_end_node(fdt));
	return fdt_finish(fdt);
}

int fdt_build(const struct fdt_vm *v, void *buf, size_t size)
{
	int err;

	if (v->nr_cpus == 0 || v->nr_cpus > PLIC_MAX_HARTS ||
	    v->nr_virtio > FDT_MAX_VIRTIO)
		return -EINVAL;
	err = build(buf, v, size);
	if (err == -FDT_ERR_NOSPACE)
		return -ENOSPC;
	if (err)
		return -EINVAL;
	return (int)fdt_totalsize(buf);
}
