// SPDX-License-Identifier: MIT
#include <linux/virtio_blk.h>
#include <unistd.h>

#include "unit.h"

#include "../../virtio/blk.h"
#include "virtq_helpers.h"

static struct virtio_blk blk;
static struct virtq_req req;
static struct blk_request br;
static char path[64];

static int setup(void **state)
{
	struct blk_options o = { .path = path };
	struct irq_line none = { 0 };
	uint8_t sector[512];
	int fd, i;

	(void)state;
	assert_int_equal(guest_mem_init(&ram, RAM_BASE, RAM_SIZE), 0);
	strcpy(path, "/tmp/vmm-test-blk-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	for (i = 0; i < 64; i++) { /* 32 KiB: sector i filled with i */
		memset(sector, i, sizeof(sector));
		assert_int_equal(write(fd, sector, sizeof(sector)), 512);
	}
	close(fd);
	return virtio_blk_open(&blk, &o, &ram, none, 1);
}

static int teardown(void **state)
{
	(void)state;
	virtio_blk_close(&blk);
	unlink(path);
	guest_mem_free(&ram);
	return 0;
}

/* A request as a chain: header (readable), data, status (writable). */
static void make_req(uint32_t type, uint64_t sector, uint32_t data_len,
		     int data_writable)
{
	struct virtio_blk_outhdr *h = gpa(DATA_GPA);

	h->type = type;
	h->ioprio = 0;
	h->sector = sector;
	req.nr_bufs = 0;
	req.bufs[req.nr_bufs++] = (struct virtq_buf){ gpa(DATA_GPA), 16, 0 };
	if (data_len)
		req.bufs[req.nr_bufs++] =
			(struct virtq_buf){ gpa(DATA_GPA + 4096), data_len,
					    data_writable };
	req.bufs[req.nr_bufs++] =
		(struct virtq_buf){ gpa(DATA_GPA + 64), 1, 1 };
}

static uint8_t run(void)
{
	uint8_t *status = gpa(DATA_GPA + 64);

	*status = 0xff;
	assert_int_equal(blk_parse(&req, &br), 0);
	blk_execute(&blk, &br);
	return *status;
}

static void test_parse_split_header(void **state)
{
	struct virtio_blk_outhdr *h = gpa(DATA_GPA);

	(void)state;
	h->type = VIRTIO_BLK_T_IN;
	h->sector = 7;
	req.nr_bufs = 4;
	req.bufs[0] = (struct virtq_buf){ gpa(DATA_GPA), 5, 0 };
	req.bufs[1] = (struct virtq_buf){ gpa(DATA_GPA + 5), 11, 0 };
	req.bufs[2] = (struct virtq_buf){ gpa(DATA_GPA + 4096), 1024, 1 };
	req.bufs[3] = (struct virtq_buf){ gpa(DATA_GPA + 8192), 1, 1 };
	assert_int_equal(blk_parse(&req, &br), 0);
	assert_int_equal(br.type, VIRTIO_BLK_T_IN);
	assert_int_equal(br.sector, 7);
	assert_int_equal(br.len, 1024);
	assert_int_equal(br.iovcnt, 1);
	assert_int_equal(br.writable, 1);
	assert_ptr_equal(br.status, gpa(DATA_GPA + 8192));
	/* Data and status in one writable buffer. */
	req.nr_bufs = 2;
	req.bufs[0] = (struct virtq_buf){ gpa(DATA_GPA), 16, 0 };
	req.bufs[1] = (struct virtq_buf){ gpa(DATA_GPA + 4096), 513, 1 };
	assert_int_equal(blk_parse(&req, &br), 0);
	assert_int_equal(br.len, 512);
	assert_ptr_equal(br.status, gpa(DATA_GPA + 4096 + 512));
}

static void test_parse_rejects_unusable_chains(void **state)
{
	(void)state;
	/* Header shorter than 16 bytes. */
	req.nr_bufs = 2;
	req.bufs[0] = (struct virtq_buf){ gpa(DATA_GPA), 8, 0 };
	req.bufs[1] = (struct virtq_buf){ gpa(DATA_GPA + 64), 1, 1 };
	assert_int_equal(blk_parse(&req, &br), -EINVAL);
	/* No writable status byte. */
	req.bufs[0].len = 16;
	req.bufs[1].writable = 0;
	assert_int_equal(blk_parse(&req, &br), -EINVAL);
	/* Zero-length status buffer. */
	req.bufs[1] = (struct virtq_buf){ gpa(DATA_GPA + 64), 0, 1 };
	assert_int_equal(blk_parse(&req, &br), -EINVAL);
	/* Header in a writable buffer. */
	req.bufs[0].writable = 1;
	req.bufs[1].len = 1;
	assert_int_equal(blk_parse(&req, &br), -EINVAL);
}

static void test_read_write(void **state)
{
	uint8_t *data = gpa(DATA_GPA + 4096);

	(void)state;
	make_req(VIRTIO_BLK_T_IN, 3, 1024, 1);
	assert_int_equal(run(), VIRTIO_BLK_S_OK);
	assert_int_equal(data[0], 3);
	assert_int_equal(data[1023], 4);
	memset(data, 0xab, 512);
	make_req(VIRTIO_BLK_T_OUT, 10, 512, 0);
	assert_int_equal(run(), VIRTIO_BLK_S_OK);
	memset(data, 0, 512);
	make_req(VIRTIO_BLK_T_IN, 10, 512, 1);
	assert_int_equal(run(), VIRTIO_BLK_S_OK);
	assert_int_equal(data[100], 0xab);
	make_req(VIRTIO_BLK_T_FLUSH, 0, 0, 0);
	assert_int_equal(run(), VIRTIO_BLK_S_OK);
}

static void test_bad_requests_fail_alone(void **state)
{
	(void)state;
	make_req(VIRTIO_BLK_T_IN, 63, 1024, 1); /* runs past the end */
	assert_int_equal(run(), VIRTIO_BLK_S_IOERR);
	make_req(VIRTIO_BLK_T_IN, ~0ULL, 512, 1); /* sector overflow */
	assert_int_equal(run(), VIRTIO_BLK_S_IOERR);
	make_req(VIRTIO_BLK_T_OUT, 0, 100, 0); /* not whole sectors */
	assert_int_equal(run(), VIRTIO_BLK_S_IOERR);
	make_req(VIRTIO_BLK_T_IN, 0, 512, 0); /* IN into a readable buffer */
	assert_int_equal(run(), VIRTIO_BLK_S_IOERR);
	make_req(VIRTIO_BLK_T_OUT, 0, 512, 1); /* OUT from a writable one */
	assert_int_equal(run(), VIRTIO_BLK_S_IOERR);
	make_req(12345, 0, 0, 0);
	assert_int_equal(run(), VIRTIO_BLK_S_UNSUPP);
}

static void test_read_only(void **state)
{
	(void)state;
	blk.opt.readonly = 1;
	make_req(VIRTIO_BLK_T_OUT, 0, 512, 0);
	assert_int_equal(run(), VIRTIO_BLK_S_IOERR);
	make_req(VIRTIO_BLK_T_IN, 0, 512, 1);
	assert_int_equal(run(), VIRTIO_BLK_S_OK);
	blk.opt.readonly = 0;
}

static void test_get_id(void **state)
{
	char *data = gpa(DATA_GPA + 4096);

	(void)state;
	memset(data, 'z', 32);
	make_req(VIRTIO_BLK_T_GET_ID, 0, 20, 1);
	assert_int_equal(run(), VIRTIO_BLK_S_OK);
	assert_memory_equal(data, "vmm-test-blk-", 13);
}

static void test_discard_and_write_zeroes(void **state)
{
	struct virtio_blk_discard_write_zeroes *seg = gpa(DATA_GPA + 4096);
	uint8_t *data = gpa(DATA_GPA + 8192);
	unsigned i;

	(void)state;
	*seg = (struct virtio_blk_discard_write_zeroes){ .sector = 20,
							 .num_sectors = 4 };
	make_req(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, 0);
	assert_int_equal(run(), VIRTIO_BLK_S_OK);
	seg->sector = 30;
	seg->flags = VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;
	assert_int_equal(run(), VIRTIO_BLK_S_OK);
	seg->sector = 40;
	seg->flags = 0;
	make_req(VIRTIO_BLK_T_DISCARD, 0, 16, 0);
	assert_int_equal(run(), VIRTIO_BLK_S_OK);
	for (i = 0; i < 3; i++) {
		static const uint64_t sectors[] = { 20, 30, 40 };

		req.nr_bufs = 0;
		make_req(VIRTIO_BLK_T_IN, sectors[i], 2048, 1);
		req.bufs[1].addr = data;
		assert_int_equal(run(), VIRTIO_BLK_S_OK);
		assert_int_equal(data[0], 0);
		assert_int_equal(data[2047], 0);
	}
	/* Out of range, unknown flags, unmap on a discard, two segments. */
	seg->sector = 62;
	seg->num_sectors = 4;
	make_req(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, 0);
	assert_int_equal(run(), VIRTIO_BLK_S_IOERR);
	seg->sector = 0;
	seg->flags = 0x80;
	assert_int_equal(run(), VIRTIO_BLK_S_IOERR);
	seg->flags = VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;
	make_req(VIRTIO_BLK_T_DISCARD, 0, 16, 0);
	assert_int_equal(run(), VIRTIO_BLK_S_IOERR);
	seg->flags = 0;
	make_req(VIRTIO_BLK_T_DISCARD, 0, 32, 0);
	assert_int_equal(run(), VIRTIO_BLK_S_IOERR);
}

static void test_second_writer_is_locked_out(void **state)
{
	struct blk_options o = { .path = path };
	struct irq_line none = { 0 };
	struct virtio_blk *other = calloc(1, sizeof(*other));

	(void)state;
	assert_int_equal(virtio_blk_open(other, &o, &ram, none, 1), -EBUSY);
	o.readonly = 1; /* a reader is locked out by a writer too */
	assert_int_equal(virtio_blk_open(other, &o, &ram, none, 1), -EBUSY);
	o.path = "/nonexistent/disk.img";
	assert_int_equal(virtio_blk_open(other, &o, &ram, none, 1), -ENOENT);
	o.path = "/tmp";
	assert_true(virtio_blk_open(other, &o, &ram, none, 1) < 0);
	free(other);
}

static void test_config_space(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(virtio_mmio_read(&blk.mmio, 0x100, 4, &v), 0);
	assert_int_equal(v, 64); /* capacity, low half */
	assert_int_equal(virtio_mmio_read(&blk.mmio, 0x100, 8, &v), 0);
	assert_int_equal(v, 64);
	assert_int_equal(virtio_mmio_read(&blk.mmio, 0x100 + 34, 2, &v), 0);
	assert_int_equal(v, 1); /* num_queues */
	assert_int_equal(virtio_mmio_read(&blk.mmio, 0x100 + 0x1000, 4, &v),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_split_header),
		cmocka_unit_test(test_parse_rejects_unusable_chains),
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_bad_requests_fail_alone),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_get_id),
		cmocka_unit_test(test_discard_and_write_zeroes),
		cmocka_unit_test(test_second_writer_is_locked_out),
		cmocka_unit_test(test_config_space),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
