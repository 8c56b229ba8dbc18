/* SPDX-License-Identifier: MIT */
#ifndef VMM_FDT_H
#define VMM_FDT_H

#include <stddef.h>
#include <stdint.h>

#define FDT_MAX_ISA_EXTS 64
#define FDT_MAX_VIRTIO 8

/* An AIA in place of the PLIC (KVM's in-kernel irqchip): an APLIC whose
 * wired sources become MSIs to one S-level IMSIC file per hart, at
 * imsic_base + hart * imsic_stride. */
struct fdt_aia {
	uint64_t aplic_base, aplic_size, imsic_base;
	uint32_t imsic_stride;
	unsigned nr_ids; /* MSI identities per IMSIC file */
	unsigned nr_sources; /* the APLIC's wired sources, 1 to nr_sources */
};

/* What the device tree describes: filled in by the VM from its config, the
 * backend (ISA, timebase) and the loader (initrd). */
struct fdt_vm {
	unsigned nr_cpus;
	/* Single-letter extensions in canonical order ("imafdc"), then the
	 * multi-letter ones ("sstc", "zihintpause"). */
	const char *isa_letters;
	const char *isa_exts[FDT_MAX_ISA_EXTS];
	unsigned nr_isa_exts;
	const char *mmu_type; /* "riscv,sv39", ... */
	uint32_t timebase_hz;
	uint32_t cbom_block_size; /* 0: no Zicbom */
	uint64_t mem_base, mem_size;
	const char *bootargs;
	uint64_t initrd_start, initrd_end; /* 0, 0: none */
	unsigned nr_virtio; /* slots in use, from slot 0 */
	int clint; /* a CLINT for M-mode guests (trap backend) */
	const struct fdt_aia *aia; /* NULL: the PLIC */
};

/* Write the DTB into buf; returns its size or a negative errno
 * (-ENOSPC when buf is too small). */
int fdt_build(const struct fdt_vm *v, void *buf, size_t size);

#endif
