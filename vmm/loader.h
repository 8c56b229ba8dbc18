/* SPDX-License-Identifier: MIT */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

/* Where S-mode guests start: QEMU virt's and OpenSBI's convention. */
#define DEFAULT_KERNEL_ADDR 0x80200000ULL

/* RISC-V Linux image header (Documentation/riscv/boot-image-header.rst). */
struct riscv_image {
	uint64_t text_offset; /* load offset from the start of RAM */
	uint64_t image_size; /* bytes the kernel occupies, bss included */
};

enum kernel_format { KERNEL_IMAGE, KERNEL_ELF, KERNEL_RAW };

struct load_info {
	enum kernel_format format;
	uint64_t entry;
	uint64_t kernel_start, kernel_end; /* [start, end) in guest RAM */
	uint64_t initrd_start, initrd_end; /* both 0 without an initrd */
	uint64_t dtb_addr;
};

/* Where a file's bytes come from: a buffer (unit tests) or a file
 * descriptor read straight into guest RAM, so vmm never holds a second copy
 * of the kernel or initrd. */
struct load_src {
	const uint8_t *buf; /* NULL: read from fd */
	int fd;
	uint64_t len;
};

/* Copy len bytes at off into dst: 0, -EINVAL past the end, or -errno. */
int load_src_read(const struct load_src *src, uint64_t off, void *dst,
		  uint64_t len);

/* 0 and *img filled; -ENOEXEC when buf is not an Image at all; -EINVAL
 * when it has the magic but the header is truncated or inconsistent. */
int riscv_image_parse(const void *buf, size_t len, struct riscv_image *img);

/* Load a kernel (Image, ELF or raw binary at raw_addr) into guest RAM.
 * -EFBIG when it does not fit, -EINVAL for a corrupt file. */
int load_kernel(struct guest_mem *m, const struct load_src *src,
		uint64_t raw_addr, struct load_info *li);
/* Place the initrd after the kernel. -EFBIG when it does not fit below
 * reserve_top (where the DTB goes). */
int load_initrd(struct guest_mem *m, const struct load_src *src,
		uint64_t reserve_top, struct load_info *li);
/* Where a DTB of dtb_size bytes goes: near the top of RAM, 4 KiB aligned. */
uint64_t dtb_place(const struct guest_mem *m, size_t dtb_size);

const char *kernel_format_name(enum kernel_format f);

#endif
