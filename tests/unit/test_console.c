// SPDX-License-Identifier: MIT
#include "unit.h"

#include "../../vmm/console.h"

static ssize_t filter(const char *in, char *out, int *escaped)
{
	size_t len = strlen(in);
	ssize_t n;

	memcpy(out, in, len);
	n = console_filter_escape((uint8_t *)out, len, escaped);
	if (n >= 0)
		out[n] = '\0';
	return n;
}

static void test_plain_bytes_pass(void **state)
{
	char out[64];
	int esc = 0;

	(void)state;
	assert_int_equal(filter("ls -l\r", out, &esc), 6);
	assert_string_equal(out, "ls -l\r");
	assert_int_equal(esc, 0);
}

static void test_ctrl_a_x_quits(void **state)
{
	char out[64];
	int esc = 0;

	(void)state;
	assert_int_equal(filter("ab\001x", out, &esc), -1);
	esc = 0;
	assert_int_equal(filter("\001X", out, &esc), -1);
}

static void test_ctrl_a_ctrl_a_sends_one(void **state)
{
	char out[64];
	int esc = 0;

	(void)state;
	assert_int_equal(filter("a\001\001b", out, &esc), 3);
	assert_string_equal(out, "a\001b");
}

static void test_escape_split_across_reads(void **state)
{
	char out[64];
	int esc = 0;

	(void)state;
	assert_int_equal(filter("abc\001", out, &esc), 3);
	assert_int_equal(esc, 1);
	assert_int_equal(filter("x", out, &esc), -1);
}

static void test_unknown_command_is_swallowed(void **state)
{
	char out[64];
	int esc = 0;

	(void)state;
	assert_int_equal(filter("\001qhi", out, &esc), 2);
	assert_string_equal(out, "hi");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_bytes_pass),
		cmocka_unit_test(test_ctrl_a_x_quits),
		cmocka_unit_test(test_ctrl_a_ctrl_a_sends_one),
		cmocka_unit_test(test_escape_split_across_reads),
		cmocka_unit_test(test_unknown_command_is_swallowed),
	};

	return RUN(tests);
}
