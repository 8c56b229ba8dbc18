// SPDX-License-Identifier: MIT
#include <elf.h>

#include "unit.h"

#include "../../vmm/loader.h"

#define MiB (1ULL << 20)
#define SRC(b, l) (&(struct load_src){ .buf = (b), .fd = -1, .len = (l) })

static struct guest_mem mem;

static int setup(void **state)
{
	(void)state;
	return guest_mem_init(&mem, 0x80000000ULL, 16 * MiB);
}

static int teardown(void **state)
{
	(void)state;
	guest_mem_free(&mem);
	return 0;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A Linux Image header: text_offset, image_size, both magics. */
static void make_image(uint8_t *buf, size_t len, uint64_t text_offset,
		       uint64_t image_size)
{
	memset(buf, 0x13, len); /* nops */
	put_le64(buf + 8, text_offset);
	put_le64(buf + 16, image_size);
	memcpy(buf + 48, "RISCV\0\0\0", 8);
	memcpy(buf + 56, "RSC\x05", 4);
}

static void test_image_header(void **state)
{
	uint8_t buf[4096];
	struct riscv_image img;

	(void)state;
	make_image(buf, sizeof(buf), 0x200000, 8192);
	assert_int_equal(riscv_image_parse(buf, sizeof(buf), &img), 0);
	assert_int_equal(img.text_offset, 0x200000);
	assert_int_equal(img.image_size, 8192);
}

static void test_image_truncated_header(void **state)
{
	uint8_t buf[4096];
	struct riscv_image img;

	(void)state;
	make_image(buf, sizeof(buf), 0x200000, 8192);
	/* Magic present but the header cut short. */
	assert_int_equal(riscv_image_parse(buf, 60, &img), -EINVAL);
	assert_int_equal(riscv_image_parse(buf, 63, &img), -EINVAL);
	/* Too short for any magic: not an Image at all. */
	assert_int_equal(riscv_image_parse(buf, 40, &img), -ENOEXEC);
	assert_int_equal(riscv_image_parse(buf, 0, &img), -ENOEXEC);
}

static void test_image_corrupt_header(void **state)
{
	uint8_t buf[4096];
	struct riscv_image img;

	(void)state;
	make_image(buf, sizeof(buf), 0x200000, 100); /* smaller than the file */
	assert_int_equal(riscv_image_parse(buf, sizeof(buf), &img), -EINVAL);
	make_image(buf, sizeof(buf), 0x200123, 8192); /* misaligned */
	assert_int_equal(riscv_image_parse(buf, sizeof(buf), &img), -EINVAL);
	make_image(buf, sizeof(buf), 0x200000, 1ULL << 50); /* absurd */
	assert_int_equal(riscv_image_parse(buf, sizeof(buf), &img), -EINVAL);
	make_image(buf, sizeof(buf), 0x200000, 8192);
	buf[56] = 'X'; /* one magic is enough... */
	assert_int_equal(riscv_image_parse(buf, sizeof(buf), &img), 0);
	buf[48] = 'X'; /* ...but not none */
	assert_int_equal(riscv_image_parse(buf, sizeof(buf), &img), -ENOEXEC);
}

static void test_load_image_zeroes_bss(void **state)
{
	uint8_t buf[4096];
	struct load_info li;
	uint8_t *p;

	(void)state;
	make_image(buf, sizeof(buf), 0x200000, 3 * 4096);
	p = guest_mem_ptr(&mem, 0x80200000ULL, 3 * 4096);
	memset(p, 0xff, 3 * 4096);
	assert_int_equal(
		load_kernel(&mem, SRC(buf, sizeof(buf)), 0x80200000ULL, &li),
		0);
	assert_int_equal(li.format, KERNEL_IMAGE);
	assert_int_equal(li.entry, 0x80200000ULL);
	assert_int_equal(li.kernel_end, 0x80200000ULL + 3 * 4096);
	assert_int_equal(p[100], 0x13);
	assert_int_equal(p[4096], 0);
	assert_int_equal(p[3 * 4096 - 1], 0);
}

static void test_load_image_too_big(void **state)
{
	uint8_t buf[4096];
	struct load_info li;

	(void)state;
	make_image(buf, sizeof(buf), 0x200000, 15 * MiB);
	assert_int_equal(
		load_kernel(&mem, SRC(buf, sizeof(buf)), 0x80200000ULL, &li),
		-EFBIG);
}

static void test_load_raw(void **state)
{
	uint8_t buf[64];
	struct load_info li;

	(void)state;
	memset(buf, 0x42, sizeof(buf));
	assert_int_equal(
		load_kernel(&mem, SRC(buf, sizeof(buf)), 0x80400000ULL, &li),
		0);
	assert_int_equal(li.format, KERNEL_RAW);
	assert_int_equal(li.entry, 0x80400000ULL);
	assert_int_equal(*(uint8_t *)guest_mem_ptr(&mem, 0x80400000ULL, 1),
			 0x42);
	/* Past the end of RAM. */
	assert_int_equal(load_kernel(&mem, SRC(buf, sizeof(buf)),
				     0x80000000ULL + 16 * MiB - 10, &li),
			 -EFBIG);
	assert_int_equal(load_kernel(&mem, SRC(buf, 0), 0x80400000ULL, &li),
			 -EINVAL);
}

static size_t make_elf(uint8_t *buf, uint64_t paddr, uint64_t entry,
		       uint64_t filesz, uint64_t memsz)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));

	memset(buf, 0, 4096);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_machine = EM_RISCV;
	eh->e_entry = entry;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = PT_LOAD;
	ph->p_offset = 1024;
	ph->p_paddr = paddr;
	ph->p_filesz = filesz;
	ph->p_memsz = memsz;
	memset(buf + 1024, 0x77, filesz);
	return 1024 + filesz;
}

static void test_load_elf(void **state)
{
	uint8_t buf[4096];
	struct load_info li;
	size_t len = make_elf(buf, 0x80000000ULL, 0x80000010ULL, 100, 200);
	uint8_t *p = guest_mem_ptr(&mem, 0x80000000ULL, 200);

	(void)state;
	memset(p, 0xff, 200);
	assert_int_equal(load_kernel(&mem, SRC(buf, len), 0x80200000ULL, &li),
			 0);
	assert_int_equal(li.format, KERNEL_ELF);
	assert_int_equal(li.entry, 0x80000010ULL);
	assert_int_equal(li.kernel_end, 0x80000000ULL + 200);
	assert_int_equal(p[99], 0x77);
	assert_int_equal(p[100], 0);
}

static void test_load_elf_hostile(void **state)
{
	uint8_t buf[4096];
	struct load_info li;
	size_t len;

	(void)state;
	/* Segment outside RAM. */
	len = make_elf(buf, 0x10000000ULL, 0x10000000ULL, 100, 100);
	assert_int_equal(load_kernel(&mem, SRC(buf, len), 0, &li), -EFBIG);
	/* File data past the end of the file. */
	len = make_elf(buf, 0x80000000ULL, 0x80000000ULL, 100, 100);
	assert_int_equal(load_kernel(&mem, SRC(buf, len - 1), 0, &li), -EINVAL);
	/* filesz > memsz. */
	len = make_elf(buf, 0x80000000ULL, 0x80000000ULL, 100, 50);
	assert_int_equal(load_kernel(&mem, SRC(buf, len), 0, &li), -EINVAL);
	/* Entry outside RAM. */
	len = make_elf(buf, 0x80000000ULL, 0x1000ULL, 100, 100);
	assert_int_equal(load_kernel(&mem, SRC(buf, len), 0, &li), -EINVAL);
	/* Program headers past the end. */
	len = make_elf(buf, 0x80000000ULL, 0x80000000ULL, 100, 100);
	((Elf64_Ehdr *)buf)->e_phnum = 60000;
	assert_int_equal(load_kernel(&mem, SRC(buf, len), 0, &li), -EINVAL);
	/* Wrong machine. */
	len = make_elf(buf, 0x80000000ULL, 0x80000000ULL, 100, 100);
	((Elf64_Ehdr *)buf)->e_machine = EM_X86_64;
	assert_int_equal(load_kernel(&mem, SRC(buf, len), 0, &li), -EINVAL);
}

static void test_initrd_after_kernel(void **state)
{
	struct load_info li = { .kernel_end = 0x80200000ULL + 5000 };
	uint8_t rd[100];
	uint64_t top = dtb_place(&mem, 64 * 1024);

	(void)state;
	memset(rd, 0x31, sizeof(rd));
	assert_int_equal(top, 0x80000000ULL + 16 * MiB - 64 * 1024);
	assert_int_equal(load_initrd(&mem, SRC(rd, sizeof(rd)), top, &li), 0);
	assert_int_equal(li.initrd_start, 0x80202000ULL);
	assert_int_equal(li.initrd_end, 0x80202000ULL + 100);
	assert_int_equal(load_initrd(&mem, SRC(rd, 16 * MiB), top, &li),
			 -EFBIG);
	li.kernel_end = top - 50;
	assert_int_equal(load_initrd(&mem, SRC(rd, sizeof(rd)), top, &li),
			 -EFBIG);
}

/* The file descriptor path reads straight into guest RAM. */
static void test_load_from_fd(void **state)
{
	uint8_t buf[4096];
	struct load_info li;
	struct load_src src = { .buf = NULL };
	FILE *f = tmpfile();

	(void)state;
	make_image(buf, sizeof(buf), 0x200000, 2 * 4096);
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, sizeof(buf), f), sizeof(buf));
	fflush(f);
	src.fd = fileno(f);
	src.len = sizeof(buf);
	assert_int_equal(load_kernel(&mem, &src, 0x80200000ULL, &li), 0);
	assert_memory_equal(guest_mem_ptr(&mem, 0x80200000ULL, 4096), buf,
			    4096);
	/* A file that is shorter than it claimed (it shrank). */
	src.len = 2 * sizeof(buf);
	buf[16] = 0; /* keep image_size >= len */
	assert_int_equal(load_initrd(&mem, &src, 0x80800000ULL, &li), -EIO);
	fclose(f);
}

static void test_guest_mem_ptr_bounds(void **state)
{
	(void)state;
	assert_non_null(guest_mem_ptr(&mem, 0x80000000ULL, 16 * MiB));
	assert_null(guest_mem_ptr(&mem, 0x80000000ULL, 16 * MiB + 1));
	assert_null(guest_mem_ptr(&mem, 0x7fffffffULL, 1));
	assert_null(guest_mem_ptr(&mem, 0x80000000ULL + 16 * MiB, 1));
	assert_non_null(guest_mem_ptr(&mem, 0x80000000ULL + 16 * MiB, 0));
	assert_null(guest_mem_ptr(&mem, ~0ULL, 2));
	assert_null(guest_mem_ptr(&mem, 0x80000001ULL, ~0ULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image_header),
		cmocka_unit_test(test_image_truncated_header),
		cmocka_unit_test(test_image_corrupt_header),
		cmocka_unit_test_setup_teardown(test_load_image_zeroes_bss,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_image_too_big, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_elf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_elf_hostile, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_initrd_after_kernel, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_from_fd, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_guest_mem_ptr_bounds,
						setup, teardown),
	};

	return RUN(tests);
}
