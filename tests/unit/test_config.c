// SPDX-License-Identifier: MIT
#include "unit.h"

#include "../../vmm/config.h"

static void test_parse_size(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_size("256M", &v), 0);
	assert_int_equal(v, 256ULL << 20);
	assert_int_equal(parse_size("2G", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(parse_size("64k", &v), 0);
	assert_int_equal(v, 64ULL << 10);
	assert_int_equal(parse_size("512MiB", &v), 0);
	assert_int_equal(v, 512ULL << 20);
	assert_int_equal(parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("0x1000", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("", &v), -EINVAL);
	assert_int_equal(parse_size("M", &v), -EINVAL);
	assert_int_equal(parse_size("-1M", &v), -EINVAL);
	assert_int_equal(parse_size("12Q", &v), -EINVAL);
	assert_int_equal(parse_size("12MB", &v), -EINVAL);
	assert_int_equal(parse_size("99999999999999G", &v), -EINVAL);
	assert_int_equal(parse_size("99999999999999999999999", &v), -EINVAL);
}

static void test_parse_word(void **state)
{
	(void)state;
	assert_int_equal(parse_word("auto", "auto|plic|aia"), 0);
	assert_int_equal(parse_word("plic", "auto|plic|aia"), 0);
	assert_int_equal(parse_word("aia", "auto|plic|aia"), 0);
	assert_int_equal(parse_word("ai", "auto|plic|aia"), -EINVAL);
	assert_int_equal(parse_word("aiaa", "auto|plic|aia"), -EINVAL);
	assert_int_equal(parse_word("", "auto|plic|aia"), -EINVAL);
	assert_int_equal(parse_word("plic|aia", "auto|plic|aia"), -EINVAL);
	assert_int_equal(parse_word("auto|", "auto|plic|aia"), -EINVAL);
}

static void test_validate(void **state)
{
	struct vm_config c;
	char err[128];

	(void)state;
	vm_config_defaults(&c);
	assert_int_equal(vm_config_validate(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no kernel"));
	c.kernel = "Image";
	assert_int_equal(vm_config_validate(&c, err, sizeof(err)), 0);
	c.memory = 0;
	assert_int_equal(vm_config_validate(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--memory"));
	c.memory = 256ULL << 20;
	c.cpus = 99;
	assert_int_equal(vm_config_validate(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--cpus 99"));
	c.cpus = 8;
	c.kernel_addr = 0x1000;
	assert_int_equal(vm_config_validate(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--kernel-addr"));
	c.kernel_addr = 0x80000000ULL + (256ULL << 20);
	assert_int_equal(vm_config_validate(&c, err, sizeof(err)), -EINVAL);
	c.kernel_addr = 0;
	assert_int_equal(c.entry_mode, 's');
	assert_int_equal(vm_config_validate(&c, err, sizeof(err)), 0);
	/* not given: 0x80200000 for S-mode, where the hart starts for M */
	assert_int_equal(vm_kernel_addr(&c), 0x80200000ULL);
	c.entry_mode = 'm';
	assert_int_equal(vm_kernel_addr(&c), 0x80000000ULL);
	c.kernel_addr = 0x80400000ULL;
	assert_int_equal(vm_kernel_addr(&c), 0x80400000ULL);
	assert_int_equal(vm_config_validate(&c, err, sizeof(err)), 0);
	c.backend = "kvm";
	assert_int_equal(vm_config_validate(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(
		strstr(err, "--entry-mode m: KVM runs guests in S-mode"));
	assert_int_equal(parse_entry_mode("m"), 'm');
	assert_int_equal(parse_entry_mode("s"), 's');
	assert_int_equal(parse_entry_mode("M"), 0);
	assert_int_equal(parse_entry_mode("mm"), 0);
}

static void test_parse_disk(void **state)
{
	struct blk_options o;
	char err[160];

	(void)state;
	assert_int_equal(parse_disk("root.img", &o, err, sizeof(err)), 0);
	assert_string_equal(o.path, "root.img");
	assert_false(o.readonly || o.direct || o.legacy);
	free((char *)o.path);
	assert_int_equal(parse_disk("/d/x.img,readonly=on,cache=none,legacy=on",
				    &o, err, sizeof(err)),
			 0);
	assert_string_equal(o.path, "/d/x.img");
	assert_true(o.readonly && o.direct && o.legacy);
	free((char *)o.path);
	assert_int_equal(parse_disk("x.img,cache=writeback,readonly=off", &o,
				    err, sizeof(err)),
			 0);
	assert_false(o.readonly || o.direct);
	free((char *)o.path);
	assert_int_equal(
		parse_disk("x.img,cache=sometimes", &o, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "cache=sometimes: must be writeback or none");
	assert_int_equal(
		parse_disk("x.img,readonly=maybe", &o, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "readonly=maybe: must be on or off");
	assert_int_equal(parse_disk("x.img,fast=yes", &o, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "unknown option 'fast'"));
	assert_int_equal(parse_disk("x.img,ro", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse_disk(",readonly=on", &o, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "no file name");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_word),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_parse_disk),
	};

	return RUN(tests);
}
