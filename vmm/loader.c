// SPDX-License-Identifier: MIT
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"

#define IMAGE_HEADER_SIZE 64
#define IMAGE_MAGIC2_OFF 56 /* "RSC\x05" */
#define IMAGE_MAGIC_OFF 48 /* "RISCV\0\0\0", deprecated but still set */
#define PAGE_SIZE 4096ULL

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int has_image_magic(const uint8_t *p, size_t len)
{
	return (len >= IMAGE_MAGIC2_OFF + 4 &&
		!memcmp(p + IMAGE_MAGIC2_OFF, "RSC\x05", 4)) ||
	       (len >= IMAGE_MAGIC_OFF + 8 &&
		!memcmp(p + IMAGE_MAGIC_OFF, "RISCV\0\0\0", 8));
}

int riscv_image_parse(const void *buf, size_t len, struct riscv_image *img)
{
	const uint8_t *p = buf;

	if (!has_image_magic(p, len))
		return -ENOEXEC;
	if (len < IMAGE_HEADER_SIZE)
		return -EINVAL;
	img->text_offset = get_le64(p + 8);
	img->image_size = get_le64(p + 16);
	/* The file is a prefix of what the kernel occupies; a size smaller
	 * than the file, or absurdly large, means a corrupt header. */
	if (img->image_size < len || img->image_size > (1ULL << 40) ||
	    img->text_offset > (1ULL << 40) || img->text_offset % PAGE_SIZE)
		return -EINVAL;
	return 0;
}

int load_src_read(const struct load_src *src, uint64_t off, void *dst,
		  uint64_t len)
{
	uint8_t *p = dst;
	ssize_t n;

	if (off > src->len || len > src->len - off)
		return -EINVAL;
	if (src->buf) {
		memcpy(dst, src->buf + off, len);
		return 0;
	}
	while (len) {
		n = pread(src->fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO; /* the file shrank */
		p += n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

/* Copy filesz bytes of the source at off to gpa and zero up to memsz. */
static int place(struct guest_mem *m, uint64_t gpa, const struct load_src *src,
		 uint64_t off, uint64_t filesz, uint64_t memsz)
{
	uint8_t *dst = guest_mem_ptr(m, gpa, memsz);
	int err;

	if (!dst)
		return -EFBIG;
	if (filesz > memsz)
		return -EINVAL;
	err = load_src_read(src, off, dst, filesz);
	if (err)
		return err;
	memset(dst + filesz, 0, memsz - filesz);
	return 0;
}

static int load_image(struct guest_mem *m, const struct load_src *src,
		      const struct riscv_image *img, struct load_info *li)
{
	uint64_t start = m->base + img->text_offset;
	int err = place(m, start, src, 0, src->len, img->image_size);

	if (err)
		return err;
	li->format = KERNEL_IMAGE;
	li->entry = start;
	li->kernel_start = start;
	li->kernel_end = start + img->image_size;
	return 0;
}

static int load_elf(struct guest_mem *m, const struct load_src *src,
		    struct load_info *li)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int i, err;

	if (load_src_read(src, 0, &eh, sizeof(eh)) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_RISCV ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		return -EINVAL;
	for (i = 0; i < eh.e_phnum; i++) {
		if (eh.e_phoff > src->len ||
		    load_src_read(src, eh.e_phoff + (uint64_t)i * sizeof(ph),
				  &ph, sizeof(ph)))
			return -EINVAL;
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		err = place(m, ph.p_paddr, src, ph.p_offset, ph.p_filesz,
			    ph.p_memsz);
		if (err)
			return err;
		if (ph.p_paddr < lo)
			lo = ph.p_paddr;
		if (ph.p_paddr + ph.p_memsz > hi)
			hi = ph.p_paddr + ph.p_memsz;
	}
	if (hi == 0 || !guest_mem_ptr(m, eh.e_entry, 2))
		return -EINVAL;
	li->format = KERNEL_ELF;
	li->entry = eh.e_entry;
	li->kernel_start = lo;
	li->kernel_end = hi;
	return 0;
}

int load_kernel(struct guest_mem *m, const struct load_src *src,
		uint64_t raw_addr, struct load_info *li)
{
	uint8_t head[IMAGE_HEADER_SIZE] = { 0 };
	uint64_t head_len = src->len < sizeof(head) ? src->len : sizeof(head);
	struct riscv_image img;
	int err;

	memset(li, 0, sizeof(*li));
	if (src->len == 0)
		return -EINVAL;
	err = load_src_read(src, 0, head, head_len);
	if (err)
		return err;
	/* riscv_image_parse compares image_size with the whole file. */
	err = riscv_image_parse(head, head_len, &img);
	if (err == 0 && img.image_size < src->len)
		err = -EINVAL;
	if (err == 0)
		return load_image(m, src, &img, li);
	if (err != -ENOEXEC)
		return err;
	if (head_len >= SELFMAG && !memcmp(head, ELFMAG, SELFMAG))
		return load_elf(m, src, li);
	err = place(m, raw_addr, src, 0, src->len, src->len);
	if (err)
		return err;
	li->format = KERNEL_RAW;
	li->entry = raw_addr;
	li->kernel_start = raw_addr;
	li->kernel_end = raw_addr + src->len;
	return 0;
}

int load_initrd(struct guest_mem *m, const struct load_src *src,
		uint64_t reserve_top, struct load_info *li)
{
	uint64_t start = align_up(li->kernel_end, PAGE_SIZE);
	int err;

	if (start < m->base || start > reserve_top ||
	    src->len > reserve_top - start)
		return -EFBIG;
	err = place(m, start, src, 0, src->len, src->len);
	if (err)
		return err;
	li->initrd_start = start;
	li->initrd_end = start + src->len;
	return 0;
}

uint64_t dtb_place(const struct guest_mem *m, size_t dtb_size)
{
	return (m->base + m->size - dtb_size) & ~(PAGE_SIZE - 1);
}

const char *kernel_format_name(enum kernel_format f)
{
	switch (f) {
	case KERNEL_IMAGE:
		return "Linux Image";
	case KERNEL_ELF:
		return "ELF";
	default:
		return "raw binary";
	}
}
