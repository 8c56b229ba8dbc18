// SPDX-License-Identifier: MIT
#include <linux/virtio_blk.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

#include "../../virtio/blk.h"
#include "virtq_helpers.h"

static struct virtio_blk blk;
static struct virtq_req req;
static struct blk_request br;
static char path[64];

/* A 32 KiB image at a fresh name made from tmpl (ending in XXXXXX): sector i
 * filled with i. */
static void make_image(char *name, const char *tmpl)
{
	uint8_t sector[512];
	int fd, i;

	strcpy(name, tmpl);
	fd = mkstemp(name);
	assert_true(fd >= 0);
	for (i = 0; i < 64; i++) {
		memset(sector, i, sizeof(sector));
		assert_int_equal(write(fd, sector, sizeof(sector)), 512);
	}
	close(fd);
}

static int setup(void **state)
{
	struct blk_options o = { .path = path };
	struct irq_line none = { 0 };

	(void)state;
	assert_int_equal(guest_mem_init(&ram, RAM_BASE, RAM_SIZE), 0);
	make_image(path, "/tmp/vmm-test-blk-XXXXXX");
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
	struct blk_stats was = blk.stats;

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
	/* what `vmm stats` says of them */
	assert_int_equal(blk.stats.reads - was.reads, 2);
	assert_int_equal(blk.stats.read_bytes - was.read_bytes, 1024 + 512);
	assert_int_equal(blk.stats.writes - was.writes, 1);
	assert_int_equal(blk.stats.write_bytes - was.write_bytes, 512);
	assert_int_equal(blk.stats.flushes - was.flushes, 1);
	assert_int_equal(blk.stats.errors - was.errors, 0);
}

static void test_bad_requests_fail_alone(void **state)
{
	struct blk_stats was = blk.stats;

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
	assert_int_equal(blk.stats.errors - was.errors, 6);
	assert_int_equal(blk.stats.reads - was.reads, 0);
	assert_int_equal(blk.stats.writes - was.writes, 0);
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

/* --- a queue served by its I/O thread, requests in flight --------------- */

static struct virtio_blk qb; /* a device of its own, on its own image */
static char qpath[64];

#define IND_GPA (DATA_GPA + 0x8000) /* request k's indirect table */
#define BUF_GPA (DATA_GPA + 0x10000) /* request k's header, data, status */

static int queue_setup(void **state)
{
	struct blk_options o = { .path = qpath };
	struct irq_line none = { 0 };

	(void)state;
	make_image(qpath, "/tmp/vmm-test-blkq-XXXXXX");
	assert_int_equal(virtio_blk_open(&qb, &o, &ram, none, 1), 0);
	setup_queue(&qb.mmio.queues[0].vq, 1, 1);
	return 0;
}

static int queue_teardown(void **state)
{
	(void)state;
	virtio_blk_close(&qb);
	unlink(qpath);
	return 0;
}

/* Request k as one descriptor naming an indirect table of three: header,
 * 512 bytes of data, status. Reads k < 4 read sector 3 - k; the others
 * write sector 40 + k with 0xc0 + k. */
static void post_request(unsigned k)
{
	uint64_t buf = BUF_GPA + k * 1024, ind = IND_GPA + k * 64;
	struct virtio_blk_outhdr *h = gpa(buf);
	int rd = k < 4;

	h->type = rd ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT;
	h->sector = rd ? 3 - k : 40 + k;
	memset(gpa(buf + 16), rd ? 0xee : 0xc0 + k, 512);
	*(uint8_t *)gpa(buf + 528) = 0xff;
	set_desc(ind, 0, buf, 16, VRING_DESC_F_NEXT, 1);
	set_desc(ind, 1, buf + 16, 512,
		 VRING_DESC_F_NEXT | (rd ? VRING_DESC_F_WRITE : 0), 2);
	set_desc(ind, 2, buf + 528, 1, VRING_DESC_F_WRITE, 0);
	set_desc(DESC_GPA, k, ind, 48, VRING_DESC_F_INDIRECT, 0);
	make_available((uint16_t)k);
}

static int wait_used(uint16_t n)
{
	struct vring_used *u = gpa(USED_GPA);
	int ms;

	for (ms = 0; ms < 10000; ms++) {
		if (__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) == n)
			return 1;
		usleep(1000);
	}
	return 0;
}

static void serve_eight(void)
{
	struct vring_used *u = gpa(USED_GPA);
	struct blk_stats before = qb.stats;
	uint8_t sector[512];
	unsigned k, seen = 0;
	int fd;

	for (k = 0; k < QNUM; k++)
		post_request(k);
	virtio_worker_kick(&qb.queues[0].worker);
	assert_true(wait_used(QNUM));
	for (k = 0; k < QNUM; k++) {
		unsigned id = u->ring[k].id;

		assert_true(id < QNUM);
		seen |= 1u << id;
		assert_int_equal(u->ring[k].len, id < 4 ? 513 : 1);
		assert_int_equal(*(uint8_t *)gpa(BUF_GPA + id * 1024 + 528),
				 VIRTIO_BLK_S_OK);
	}
	assert_int_equal(seen, 0xff);
	assert_int_equal(qb.stats.reads - before.reads, 4);
	assert_int_equal(qb.stats.read_bytes - before.read_bytes, 4 * 512);
	assert_int_equal(qb.stats.writes - before.writes, 4);
	assert_int_equal(qb.stats.write_bytes - before.write_bytes, 4 * 512);
	for (k = 0; k < 4; k++) {
		memset(sector, 3 - k, sizeof(sector));
		assert_memory_equal(gpa(BUF_GPA + k * 1024 + 16), sector, 512);
	}
	fd = open(qpath, O_RDONLY);
	assert_true(fd >= 0);
	for (k = 4; k < QNUM; k++) {
		assert_int_equal(pread(fd, sector, 512, (40 + k) * 512), 512);
		assert_int_equal(sector[0], 0xc0 + k);
		assert_int_equal(sector[511], 0xc0 + k);
	}
	close(fd);
}

/* Eight requests posted at once come back, each with its status and
 * data, whichever order the ring completes them in. */
static void test_queue_on_io_uring(void **state)
{
	(void)state;
	assert_int_equal(virtio_blk_start(&qb), 0);
	if (!qb.queues[0].aio)
		fail_msg(
			"io_uring is not available to this test (io_uring_setup failed): the path it covers is untested");
	serve_eight();
}

/* The same with VMM_BLK_URING=0: one request at a time. */
static void test_queue_one_at_a_time(void **state)
{
	(void)state;
	setenv("VMM_BLK_URING", "0", 1);
	assert_int_equal(virtio_blk_start(&qb), 0);
	unsetenv("VMM_BLK_URING");
	assert_null(qb.queues[0].aio);
	serve_eight();
}

/* A reset while requests may be in flight: afterwards none is, and
 * nothing touches the queue it took away (test_virtio_mmio has the
 * deterministic version). */
static void test_reset_waits_for_requests_in_flight(void **state)
{
	unsigned k;

	(void)state;
	assert_int_equal(virtio_blk_start(&qb), 0);
	for (k = 0; k < QNUM; k++)
		post_request(k);
	virtio_worker_kick(&qb.queues[0].worker);
	usleep(100); /* some runs catch them in flight, some do not */
	virtio_mmio_reset(&qb.mmio);
	assert_int_equal(qb.mmio.queues[0].in_flight, 0);
	assert_false(qb.mmio.queues[0].vq.ready);
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
		cmocka_unit_test_setup_teardown(test_queue_on_io_uring,
						queue_setup, queue_teardown),
		cmocka_unit_test_setup_teardown(test_queue_one_at_a_time,
						queue_setup, queue_teardown),
		cmocka_unit_test_setup_teardown(
			test_reset_waits_for_requests_in_flight, queue_setup,
			queue_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
