// SPDX-License-Identifier: MIT
#include "unit.h"

#include "../../vmm/sbi.h"

static char out[256];
static size_t outlen;
static const char *input;

static void con_write(void *o, const uint8_t *buf, size_t len)
{
	(void)o;
	memcpy(out + outlen, buf, len);
	outlen += len;
}

static int con_getchar(void *o)
{
	(void)o;
	return *input ? *input++ : -1;
}

static struct guest_mem mem;
static struct sbi sbi;

static int setup(void **state)
{
	(void)state;
	outlen = 0;
	input = "";
	sbi.mem = &mem;
	sbi.con = (struct sbi_console){ con_write, con_getchar, NULL };
	return guest_mem_init(&mem, 0x80000000ULL, 1 << 20);
}

static int teardown(void **state)
{
	(void)state;
	guest_mem_free(&mem);
	return 0;
}

static struct sbi_call call(uint64_t ext, uint64_t fid, uint64_t a0,
			    uint64_t a1, uint64_t a2)
{
	struct sbi_call c = { .ext = ext, .fid = fid, .args = { a0, a1, a2 } };

	assert_int_equal(sbi_handle(&sbi, &c), 0);
	return c;
}

static void test_legacy_console(void **state)
{
	(void)state;
	call(SBI_EXT_LEGACY_PUTCHAR, 0, 'A', 0, 0);
	assert_int_equal(outlen, 1);
	assert_int_equal(out[0], 'A');
	input = "z";
	assert_int_equal(call(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0).ret[0], 'z');
	assert_int_equal(call(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0).ret[0], -1);
}

static void test_dbcn_write_and_read(void **state)
{
	char *p = guest_mem_ptr(&mem, 0x80001000ULL, 16);
	struct sbi_call c;

	(void)state;
	memcpy(p, "hello", 5);
	c = call(SBI_EXT_DBCN, SBI_DBCN_WRITE, 5, 0x80001000ULL, 0);
	assert_int_equal(c.ret[0], SBI_SUCCESS);
	assert_int_equal(c.ret[1], 5);
	assert_memory_equal(out, "hello", 5);
	input = "xy";
	c = call(SBI_EXT_DBCN, SBI_DBCN_READ, 8, 0x80001000ULL, 0);
	assert_int_equal(c.ret[0], SBI_SUCCESS);
	assert_int_equal(c.ret[1], 2);
	assert_memory_equal(p, "xyllo", 5);
	c = call(SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, '!', 0, 0);
	assert_int_equal(c.ret[0], SBI_SUCCESS);
	assert_int_equal(out[outlen - 1], '!');
}

static void test_dbcn_rejects_addresses_outside_ram(void **state)
{
	struct sbi_call c;

	(void)state;
	c = call(SBI_EXT_DBCN, SBI_DBCN_WRITE, 16,
		 0x80000000ULL + (1 << 20) - 8, 0);
	assert_int_equal(c.ret[0], SBI_ERR_INVALID_PARAM);
	c = call(SBI_EXT_DBCN, SBI_DBCN_WRITE, 4, 0x1000, 0);
	assert_int_equal(c.ret[0], SBI_ERR_INVALID_PARAM);
	c = call(SBI_EXT_DBCN, SBI_DBCN_READ, ~0ULL, 0x80000000ULL, 0);
	assert_int_equal(c.ret[0], SBI_ERR_INVALID_PARAM);
	c = call(SBI_EXT_DBCN, SBI_DBCN_WRITE, 4, 0x80000000ULL, 1);
	assert_int_equal(c.ret[0], SBI_ERR_INVALID_PARAM);
	assert_int_equal(outlen, 0);
}

static void test_everything_else_not_supported(void **state)
{
	(void)state;
	assert_int_equal(call(0x10, 0, 0, 0, 0).ret[0], SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(call(0x09000000, 1, 0, 0, 0).ret[0],
			 SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(call(SBI_EXT_DBCN, 3, 0, 0, 0).ret[0],
			 SBI_ERR_NOT_SUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_legacy_console, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dbcn_write_and_read, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_dbcn_rejects_addresses_outside_ram, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_everything_else_not_supported, setup, teardown),
	};

	return RUN(tests);
}
