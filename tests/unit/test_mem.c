// SPDX-License-Identifier: MIT
/* Guest RAM: a reboot's clear zeroes it and frees what the guest used. */
#include <sys/stat.h>

#include "unit.h"

#include "../../vmm/mem.h"

static long long blocks(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return (long long)st.st_blocks;
}

static void test_clear_zeroes_without_committing(void **state)
{
	struct guest_mem m = { 0 };
	const uint64_t size = 8 << 20;
	uint64_t i;

	(void)state;
	assert_int_equal(guest_mem_init(&m, 0x80000000ULL, size), 0);
	assert_int_equal(blocks(m.fd), 0);
	memset(m.host, 0xa5, 1 << 20); /* a boot that used 1 MiB */
	assert_true(blocks(m.fd) >= (1 << 20) / 512);
	guest_mem_clear(&m);
	/* nothing of RAM is held any more (a memset committed all 8 MiB) */
	assert_int_equal(blocks(m.fd), 0);
	for (i = 0; i < size; i += 4096)
		assert_int_equal(m.host[i] | m.host[i + 4095], 0);
	guest_mem_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clear_zeroes_without_committing),
	};

	return RUN(tests);
}
