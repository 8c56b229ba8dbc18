// SPDX-License-Identifier: MIT
#include <libfdt.h>

#include "unit.h"

#include "../../fdt/fdt.h"

static uint8_t dtb[64 * 1024];

static struct fdt_vm vm4(void)
{
	struct fdt_vm v = {
		.nr_cpus = 4,
		.isa_letters = "imafdc",
		.isa_exts = { "sstc", "zihintpause" },
		.nr_isa_exts = 2,
		.mmu_type = "riscv,sv48",
		.timebase_hz = 10000000,
		.mem_base = 0x80000000ULL,
		.mem_size = 256ULL << 20,
		.bootargs = "console=ttyS0 quiet",
		.initrd_start = 0x82000000ULL,
		.initrd_end = 0x82100000ULL,
		.nr_virtio = 2,
	};
	return v;
}

static const void *prop(const char *path, const char *name, int *len)
{
	int node = fdt_path_offset(dtb, path);

	assert_true(node >= 0);
	return fdt_getprop(dtb, node, name, len);
}

static uint32_t prop_u32(const char *path, const char *name)
{
	int len;
	const fdt32_t *p = prop(path, name, &len);

	assert_non_null(p);
	assert_int_equal(len, 4);
	return fdt32_to_cpu(*p);
}

static uint64_t prop_u64(const char *path, const char *name, int idx)
{
	int len;
	const uint8_t *p = prop(path, name, &len);
	fdt64_t v;

	assert_non_null(p);
	assert_true(len >= 8 * (idx + 1));
	memcpy(&v, p + 8 * idx, sizeof(v)); /* properties are 4-byte aligned */
	return fdt64_to_cpu(v);
}

static void build(const struct fdt_vm *v)
{
	int size = fdt_build(v, dtb, sizeof(dtb));

	assert_true(size > 0);
	assert_int_equal(fdt_check_header(dtb), 0);
}

static void test_cpus(void **state)
{
	struct fdt_vm v = vm4();
	char path[64];
	int i, len;

	(void)state;
	build(&v);
	assert_int_equal(prop_u32("/cpus", "timebase-frequency"), 10000000);
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "/cpus/cpu@%d", i);
		assert_int_equal(prop_u32(path, "reg"), i);
		assert_string_equal(prop(path, "riscv,isa", &len),
				    "rv64imafdc_sstc_zihintpause");
		assert_string_equal(prop(path, "mmu-type", &len), "riscv,sv48");
		assert_string_equal(prop(path, "riscv,isa-base", &len),
				    "rv64i");
		assert_non_null(prop(path, "riscv,isa-extensions", &len));
		assert_int_equal(len, 6 * 2 + 5 + 12);
		snprintf(path, sizeof(path),
			 "/cpus/cpu@%d/interrupt-controller", i);
		assert_string_equal(prop(path, "compatible", &len),
				    "riscv,cpu-intc");
		assert_int_equal(prop_u32(path, "phandle"), i + 1);
	}
	assert_true(fdt_path_offset(dtb, "/cpus/cpu@4") < 0);
}

/* A 6.12 host's KVM may enable some 50 extensions: all of them go into
 * both ISA properties, in order. */
static void test_many_isa_extensions(void **state)
{
	static char names[FDT_MAX_ISA_EXTS][16];
	struct fdt_vm v = vm4();
	const char *list, *isa;
	int i, len;

	(void)state;
	for (i = 0; i < FDT_MAX_ISA_EXTS; i++) {
		snprintf(names[i], sizeof(names[i]), "zext%02dabcdefg", i);
		v.isa_exts[i] = names[i];
	}
	v.nr_isa_exts = FDT_MAX_ISA_EXTS;
	build(&v);
	isa = prop("/cpus/cpu@3", "riscv,isa", &len);
	assert_non_null(isa);
	assert_non_null(strstr(isa, "_zext63abcdefg"));
	list = prop("/cpus/cpu@3", "riscv,isa-extensions", &len);
	assert_non_null(list);
	/* 6 letters, then the names, each NUL-terminated */
	assert_int_equal(len, 6 * 2 + FDT_MAX_ISA_EXTS * 14);
	assert_string_equal(list + len - 14, "zext63abcdefg");
}

static void test_memory_and_chosen(void **state)
{
	struct fdt_vm v = vm4();
	int len;

	(void)state;
	build(&v);
	assert_int_equal(prop_u64("/memory@80000000", "reg", 0), 0x80000000ULL);
	assert_int_equal(prop_u64("/memory@80000000", "reg", 1), 256ULL << 20);
	assert_string_equal(prop("/chosen", "bootargs", &len),
			    "console=ttyS0 quiet");
	assert_string_equal(prop("/chosen", "stdout-path", &len),
			    "/soc/serial@10000000");
	assert_int_equal(prop_u64("/chosen", "linux,initrd-start", 0),
			 0x82000000ULL);
	assert_int_equal(prop_u64("/chosen", "linux,initrd-end", 0),
			 0x82100000ULL);
	v.initrd_start = v.initrd_end = 0;
	build(&v);
	assert_null(prop("/chosen", "linux,initrd-start", &len));
}

static void test_devices(void **state)
{
	struct fdt_vm v = vm4();
	const fdt32_t *ctx;
	int len;

	(void)state;
	build(&v);
	ctx = prop("/soc/plic@c000000", "interrupts-extended", &len);
	assert_int_equal(len, 4 * 4 * 4);
	assert_int_equal(fdt32_to_cpu(ctx[0]), 1); /* hart 0 intc */
	assert_int_equal(fdt32_to_cpu(ctx[1]), 11); /* M external */
	assert_int_equal(fdt32_to_cpu(ctx[3]), 9); /* S external */
	assert_int_equal(fdt32_to_cpu(ctx[14]), 4); /* hart 3 intc */
	assert_int_equal(prop_u32("/soc/plic@c000000", "riscv,ndev"), 63);
	assert_int_equal(prop_u32("/soc/serial@10000000", "interrupts"), 10);
	assert_int_equal(prop_u32("/soc/serial@10000000", "clock-frequency"),
			 3686400);
	assert_int_equal(prop_u64("/soc/test@100000", "reg", 0), 0x100000);
	assert_int_equal(prop_u32("/poweroff", "value"), 0x5555);
	assert_int_equal(prop_u32("/reboot", "value"), 0x7777);
	assert_int_equal(prop_u32("/soc/virtio_mmio@10001000", "interrupts"),
			 1);
	assert_int_equal(prop_u32("/soc/virtio_mmio@10002000", "interrupts"),
			 2);
	assert_true(fdt_path_offset(dtb, "/soc/virtio_mmio@10003000") < 0);
	assert_true(fdt_path_offset(dtb, "/soc/clint@2000000") < 0);
}

/* M-mode guests (trap backend) get QEMU virt's CLINT. */
static void test_clint(void **state)
{
	struct fdt_vm v = vm4();
	const fdt32_t *irqs;
	int len;

	(void)state;
	v.clint = 1;
	build(&v);
	assert_int_equal(prop_u64("/soc/clint@2000000", "reg", 0), 0x2000000);
	assert_int_equal(prop_u64("/soc/clint@2000000", "reg", 1), 0x10000);
	irqs = prop("/soc/clint@2000000", "interrupts-extended", &len);
	assert_int_equal(len, 4 * 4 * 4);
	assert_int_equal(fdt32_to_cpu(irqs[0]), 1); /* hart 0 intc */
	assert_int_equal(fdt32_to_cpu(irqs[1]), 3); /* M software */
	assert_int_equal(fdt32_to_cpu(irqs[3]), 7); /* M timer */
	assert_int_equal(fdt32_to_cpu(irqs[12]), 4); /* hart 3 intc */
	assert_int_equal(fdt_node_check_compatible(
				 dtb,
				 fdt_path_offset(dtb, "/soc/clint@2000000"),
				 "riscv,clint0"),
			 0);
}

static void test_limits(void **state)
{
	struct fdt_vm v = vm4();
	uint8_t small[256];

	(void)state;
	assert_int_equal(fdt_build(&v, small, sizeof(small)), -ENOSPC);
	v.nr_cpus = 0;
	assert_int_equal(fdt_build(&v, dtb, sizeof(dtb)), -EINVAL);
	v.nr_cpus = 9;
	assert_int_equal(fdt_build(&v, dtb, sizeof(dtb)), -EINVAL);
}

/* dtc must read our DTB back without a single warning. */
/* KVM's in-kernel AIA in place of the PLIC: one IMSIC file per hart, the
 * APLIC in MSI mode, devices wired to the APLIC with their trigger. */
static const struct fdt_aia aia = {
	.aplic_base = 0xd000000,
	.aplic_size = 0x4000,
	.imsic_base = 0x28000000,
	.imsic_stride = 0x1000,
	.nr_ids = 255,
	.nr_sources = 32,
};

static void test_aia(void **state)
{
	struct fdt_vm v = vm4();
	const fdt32_t *c;
	int len;

	(void)state;
	v.aia = &aia;
	build(&v);
	assert_true(fdt_path_offset(dtb, "/soc/plic@c000000") < 0);
	c = prop("/soc/imsics@28000000", "interrupts-extended", &len);
	assert_int_equal(len, 4 * 2 * 4); /* <&intc N 9> for 4 harts */
	assert_int_equal(fdt32_to_cpu(c[0]), 1);
	assert_int_equal(fdt32_to_cpu(c[1]), 9);
	assert_int_equal(fdt32_to_cpu(c[6]), 4);
	assert_int_equal(prop_u64("/soc/imsics@28000000", "reg", 1), 0x4000);
	assert_int_equal(prop_u32("/soc/imsics@28000000", "riscv,num-ids"),
			 255);
	assert_non_null(prop("/soc/imsics@28000000", "msi-controller", &len));
	assert_int_equal(prop_u32("/soc/aplic@d000000", "msi-parent"),
			 prop_u32("/soc/imsics@28000000", "phandle"));
	assert_int_equal(prop_u32("/soc/aplic@d000000", "riscv,num-sources"),
			 32);
	assert_int_equal(prop_u32("/soc/serial@10000000", "interrupt-parent"),
			 prop_u32("/soc/aplic@d000000", "phandle"));
	c = prop("/soc/virtio_mmio@10002000", "interrupts", &len);
	assert_int_equal(len, 8);
	assert_int_equal(fdt32_to_cpu(c[0]), 2);
	assert_int_equal(fdt32_to_cpu(c[1]), 4); /* level high */
}

/* dtc reads it back with no warning (its checks know the bindings). */
static void dtc_reads(const struct fdt_vm *v)
{
	char cmd[256], line[512];
	int size = fdt_build(v, dtb, sizeof(dtb));
	FILE *f;
	int lines = 0;

	assert_true(size > 0);
	f = fopen("build/native/test.dtb", "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(dtb, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	snprintf(
		cmd, sizeof(cmd),
		"dtc -I dtb -O dts -o build/native/test.dts build/native/test.dtb 2>&1; echo status=$?");
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		lines++;
		if (lines == 1)
			assert_string_equal(line, "status=0\n");
		else
			fail_msg("dtc said: %s", line);
	}
	pclose(f);
	assert_int_equal(lines, 1);
}

static void test_dtc_reads_it_without_warnings(void **state)
{
	struct fdt_vm v = vm4();

	(void)state;
	dtc_reads(&v);
	v.aia = &aia;
	dtc_reads(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_many_isa_extensions),
		cmocka_unit_test(test_memory_and_chosen),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_aia),
		cmocka_unit_test(test_clint),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_dtc_reads_it_without_warnings),
	};

	return RUN(tests);
}
