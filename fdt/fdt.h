/* SPDX-License-Identifier: MIT */
#ifndef VMM_FDT_H
#define VMM_FDT_H

#include <stddef.h>
#include <stdint.h>

#define FDT_MAX_ISA_EXTS 64
#define FDT_MAX_VIRTIO 8

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
};

/* Write the DTB into buf; returns its size or a negative errno
 * (-ENOSPC when buf is too small). */
int fdt_build(const struct fdt_vm *v, void *buf, size_t size);

#endif
