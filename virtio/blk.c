// SPDX-License-Identifier: MIT
/*
 * virtio-blk (virtio 1.2, 5.2) over a raw image file or block device.
 * Each queue has an I/O thread that serves requests with preadv/pwritev
 * straight between the image and guest RAM, so a slow disk never stalls a
 * vCPU: the vCPU thread only wakes the I/O thread on a notify.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../vmm/log.h"
#include "blk.h"

#define MAX_DISCARD_SEG 1
#define LOG_LIMIT 20

/* --- request parsing (pure) ------------------------------------------ */

int blk_parse(const struct virtq_req *req, struct blk_request *out)
{
	struct virtio_blk_outhdr hdr;
	const struct virtq_buf *last;
	uint32_t got = 0, off = 0, take;
	unsigned i = 0;

	/* The header may be split over several readable buffers. */
	while (got < sizeof(hdr)) {
		if (i >= req->nr_bufs || req->bufs[i].writable)
			return -EINVAL;
		take = req->bufs[i].len - off;
		if (take > sizeof(hdr) - got)
			take = sizeof(hdr) - got;
		memcpy((uint8_t *)&hdr + got, req->bufs[i].addr + off, take);
		got += take;
		off += take;
		if (off == req->bufs[i].len) {
			i++;
			off = 0;
		}
	}
	/* The status byte is the last byte of the last buffer, writable. */
	last = &req->bufs[req->nr_bufs - 1];
	if (!last->writable || last->len == 0)
		return -EINVAL;
	out->status = last->addr + last->len - 1;
	out->type = hdr.type;
	out->sector = hdr.sector;
	out->iovcnt = 0;
	out->len = 0;
	out->readable = out->writable = 0;
	for (; i < req->nr_bufs; i++, off = 0) {
		uint32_t len = req->bufs[i].len - off;

		if (i == req->nr_bufs - 1)
			len--; /* the status byte is not data */
		if (len == 0)
			continue;
		out->iov[out->iovcnt].iov_base = req->bufs[i].addr + off;
		out->iov[out->iovcnt].iov_len = len;
		out->iovcnt++;
		if (req->bufs[i].writable)
			out->writable++;
		else
			out->readable++;
		out->len += len;
	}
	return 0;
}

/* --- serving requests -------------------------------------------------- */

/* Step past the first n bytes of an iovec array (our own scratch copy). */
static void iov_advance(struct iovec **iov, unsigned *cnt, size_t n)
{
	while (*cnt && n >= (*iov)->iov_len) {
		n -= (*iov)->iov_len;
		(*iov)++;
		(*cnt)--;
	}
	if (*cnt) {
		(*iov)->iov_base = (uint8_t *)(*iov)->iov_base + n;
		(*iov)->iov_len -= n;
	}
}

static int rw_full(int fd, struct iovec *iov, unsigned cnt, uint64_t off,
		   int write)
{
	while (cnt) {
		ssize_t n = write ? pwritev(fd, iov, (int)cnt, (off_t)off)
				  : preadv(fd, iov, (int)cnt, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += (uint64_t)n;
		iov_advance(&iov, &cnt, (size_t)n);
	}
	return 0;
}

static int in_range(const struct virtio_blk *b, uint64_t sector, uint64_t count)
{
	return sector <= b->sectors && count <= b->sectors - sector;
}

/* Copy between a flat buffer and the request's data buffers. */
static size_t copy_iov(const struct blk_request *r, uint8_t *buf, size_t len,
		       int to_guest)
{
	size_t done = 0;
	unsigned i;

	for (i = 0; i < r->iovcnt && done < len; i++) {
		size_t n = r->iov[i].iov_len;

		if (n > len - done)
			n = len - done;
		if (to_guest)
			memcpy(r->iov[i].iov_base, buf + done, n);
		else
			memcpy(buf + done, r->iov[i].iov_base, n);
		done += n;
	}
	return done;
}

static int write_zeroes_by_hand(struct virtio_blk *b, uint64_t start,
				uint64_t bytes)
{
	static const uint8_t zero[64 * 1024];
	uint64_t done = 0;

	while (done < bytes) {
		uint64_t n = bytes - done;
		struct iovec z;

		if (n > sizeof(zero))
			n = sizeof(zero);
		z.iov_base = (void *)zero;
		z.iov_len = n;
		if (rw_full(b->fd, &z, 1, start + done, 1))
			return -EIO;
		done += n;
	}
	return 0;
}

/* DISCARD and WRITE_ZEROES (5.2.6.2): one segment per request. */
static uint8_t discard_or_zero(struct virtio_blk *b, struct blk_request *r)
{
	struct virtio_blk_discard_write_zeroes seg;
	int unmap, mode;
	uint64_t start, bytes;

	if (r->writable || r->len != sizeof(seg) * MAX_DISCARD_SEG)
		return VIRTIO_BLK_S_IOERR;
	copy_iov(r, (uint8_t *)&seg, sizeof(seg), 0);
	unmap = seg.flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;
	if (!in_range(b, seg.sector, seg.num_sectors) ||
	    (seg.flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) ||
	    (unmap && r->type == VIRTIO_BLK_T_DISCARD))
		return VIRTIO_BLK_S_IOERR;
	start = seg.sector * BLK_SECTOR;
	bytes = (uint64_t)seg.num_sectors * BLK_SECTOR;
	if (!bytes)
		return VIRTIO_BLK_S_OK;
	/* A hole reads back as zeroes, so both may punch one. */
	mode = r->type == VIRTIO_BLK_T_DISCARD || unmap
		       ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
		       : FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
	if (!fallocate(b->fd, mode, (off_t)start, (off_t)bytes))
		return VIRTIO_BLK_S_OK;
	if (errno != EOPNOTSUPP && errno != ENODEV)
		return VIRTIO_BLK_S_IOERR;
	/* Discard is only a hint; zeroes we must write ourselves. */
	if (r->type == VIRTIO_BLK_T_DISCARD)
		return VIRTIO_BLK_S_OK;
	return write_zeroes_by_hand(b, start, bytes) ? VIRTIO_BLK_S_IOERR
						     : VIRTIO_BLK_S_OK;
}

uint8_t blk_rw_check(const struct virtio_blk *b, const struct blk_request *r)
{
	int write = r->type == VIRTIO_BLK_T_OUT;

	/* IN fills writable buffers only; OUT reads readable ones only. */
	if (write ? r->writable : r->readable)
		return VIRTIO_BLK_S_IOERR;
	if (r->len % BLK_SECTOR || !in_range(b, r->sector, r->len / BLK_SECTOR))
		return VIRTIO_BLK_S_IOERR;
	if (write && b->opt.readonly)
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

uint8_t blk_rw_rest(struct virtio_blk *b, const struct blk_request *r,
		    uint64_t done, uint32_t *written)
{
	struct iovec tmp[VIRTQ_MAX_SEGS], *iov = tmp;
	int write = r->type == VIRTIO_BLK_T_OUT;
	unsigned cnt = r->iovcnt;

	*written = 0;
	memcpy(tmp, r->iov, cnt * sizeof(tmp[0]));
	iov_advance(&iov, &cnt, (size_t)done);
	if (rw_full(b->fd, iov, cnt, r->sector * BLK_SECTOR + done, write))
		return VIRTIO_BLK_S_IOERR;
	if (!write)
		*written = (uint32_t)r->len;
	return VIRTIO_BLK_S_OK;
}

static uint8_t read_write(struct virtio_blk *b, struct blk_request *r,
			  uint32_t *written)
{
	uint8_t status = blk_rw_check(b, r);

	return status == VIRTIO_BLK_S_OK ? blk_rw_rest(b, r, 0, written)
					 : status;
}

uint32_t blk_execute(struct virtio_blk *b, struct blk_request *r)
{
	uint32_t written = 0;
	uint8_t status;

	switch (r->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		status = read_write(b, r, &written);
		break;
	case VIRTIO_BLK_T_FLUSH:
		/* Success only once the data is on stable storage. */
		status =
			fdatasync(b->fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID:
		if (r->readable) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		written = (uint32_t)copy_iov(
			r, (uint8_t *)b->id,
			r->len < BLK_ID_BYTES ? r->len : BLK_ID_BYTES, 1);
		status = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		status = b->opt.readonly ? VIRTIO_BLK_S_IOERR
					 : discard_or_zero(b, r);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
	}
	*r->status = status;
	blk_count(b, r, status);
	return written + 1;
}

void blk_count(struct virtio_blk *b, const struct blk_request *r,
	       uint8_t status)
{
	struct blk_stats *s = &b->stats;
	uint64_t *n = &s->other, *bytes = NULL;

	if (status != VIRTIO_BLK_S_OK)
		n = &s->errors;
	else if (r->type == VIRTIO_BLK_T_IN)
		n = &s->reads, bytes = &s->read_bytes;
	else if (r->type == VIRTIO_BLK_T_OUT)
		n = &s->writes, bytes = &s->write_bytes;
	else if (r->type == VIRTIO_BLK_T_FLUSH)
		n = &s->flushes;
	__atomic_fetch_add(n, 1, __ATOMIC_RELAXED);
	if (bytes)
		__atomic_fetch_add(bytes, r->len, __ATOMIC_RELAXED);
}

/* --- the device ---------------------------------------------------------- */

static void log_bad_chain(struct virtio_blk *b, const char *why)
{
	static unsigned logged;

	if (__atomic_fetch_add(&logged, 1, __ATOMIC_RELAXED) < LOG_LIMIT)
		pr_warn("virtio-blk %s: request dropped: %s", b->opt.path, why);
}

int blk_take(struct virtio_blk *b, const struct virtq_req *req,
	     struct blk_request *r)
{
	int err = blk_parse(req, r);

	if (err)
		log_bad_chain(b, "no header or no status byte");
	return err;
}

static uint32_t serve(void *dev, struct virtq_req *req)
{
	struct blk_queue *bq = dev;

	if (blk_take(bq->blk, req, &bq->breq))
		return 0;
	return blk_execute(bq->blk, &bq->breq);
}

static void drain(void *arg)
{
	struct blk_queue *bq = arg;

	virtio_serve_queue(&bq->blk->mmio, bq->index, &bq->req, serve, bq);
}

static void blk_notify(void *dev, unsigned q)
{
	struct virtio_blk *b = dev;

	virtio_worker_kick(&b->queues[q].worker);
}

static void fill_config(const struct virtio_blk *b, struct virtio_blk_config *c)
{
	memset(c, 0, sizeof(*c));
	c->capacity = b->sectors;
	c->seg_max = BLK_SEG_MAX;
	c->blk_size = BLK_SECTOR;
	c->num_queues = (uint16_t)b->nr_queues;
	c->max_discard_sectors = UINT32_MAX;
	c->max_discard_seg = MAX_DISCARD_SEG;
	c->discard_sector_alignment = 1;
	c->max_write_zeroes_sectors = UINT32_MAX;
	c->max_write_zeroes_seg = MAX_DISCARD_SEG;
	c->write_zeroes_may_unmap = 1;
}

/* Config space (5.2.4), little-endian like the host: any width, any
 * offset inside it. */
static int blk_config_read(void *dev, uint64_t off, unsigned size,
			   uint64_t *val)
{
	struct virtio_blk_config c;

	fill_config(dev, &c);
	*val = 0;
	if (size > 8 || off > sizeof(c) || size > sizeof(c) - off)
		return -EINVAL;
	memcpy(val, (uint8_t *)&c + off, size);
	return 0;
}

static const struct virtio_device_ops blk_ops = {
	.name = "blk",
	.config_read = blk_config_read,
	/* nothing writable: no VIRTIO_BLK_F_CONFIG_WCE */
	.notify = blk_notify,
};

static uint64_t features(const struct virtio_blk *b)
{
	uint64_t f = 1ULL << VIRTIO_BLK_F_SEG_MAX |
		     1ULL << VIRTIO_BLK_F_BLK_SIZE |
		     1ULL << VIRTIO_BLK_F_FLUSH | 1ULL << VIRTIO_BLK_F_MQ |
		     1ULL << VIRTIO_BLK_F_DISCARD |
		     1ULL << VIRTIO_BLK_F_WRITE_ZEROES |
		     1ULL << VIRTIO_RING_F_INDIRECT_DESC |
		     1ULL << VIRTIO_RING_F_EVENT_IDX;

	if (b->opt.readonly)
		f |= 1ULL << VIRTIO_BLK_F_RO;
	return f;
}

static int open_image(struct virtio_blk *b)
{
	int flags = O_CLOEXEC | (b->opt.direct ? O_DIRECT : 0);

	b->fd = -1;
	if (!b->opt.readonly) {
		b->fd = open(b->opt.path, O_RDWR | flags);
		/* A file we may not write is attached read-only. */
		if (b->fd < 0 &&
		    (errno == EACCES || errno == EROFS || errno == EPERM)) {
			pr_info("disk %s: not writable, attaching read-only",
				b->opt.path);
			b->opt.readonly = 1;
		} else if (b->fd < 0) {
			return -errno;
		}
	}
	if (b->fd < 0)
		b->fd = open(b->opt.path, O_RDONLY | flags);
	return b->fd < 0 ? -errno : 0;
}

/* An OFD lock: shared for a read-only disk, exclusive for a writable one,
 * so no two VMs write one image and none reads one another writes. */
static int lock_image(struct virtio_blk *b)
{
	struct flock fl = { .l_type = b->opt.readonly ? F_RDLCK : F_WRLCK,
			    .l_whence = SEEK_SET };

	if (fcntl(b->fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	return errno == EAGAIN || errno == EACCES ? -EBUSY : -errno;
}

static int image_size(struct virtio_blk *b, uint64_t *size)
{
	struct stat st;

	if (fstat(b->fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	if (S_ISBLK(st.st_mode))
		return ioctl(b->fd, BLKGETSIZE64, size) < 0 ? -errno : 0;
	return -EINVAL;
}

static const char *open_error(const struct virtio_blk *b, int err)
{
	switch (err) {
	case -EBUSY:
		return "in use by another VM (the image is locked)";
	case -EINVAL:
		return b->opt.direct
			       ? "cannot open with O_DIRECT (cache=none): the file system does not support it"
			       : "not a regular file or block device";
	default:
		return strerror(-err);
	}
}

int virtio_blk_open(struct virtio_blk *b, const struct blk_options *opt,
		    const struct guest_mem *mem, struct irq_line irq,
		    unsigned nr_queues)
{
	const char *base;
	uint64_t size = 0;
	unsigned i;
	int err;

	memset(b, 0, sizeof(*b));
	b->opt = *opt;
	b->nr_queues = nr_queues < 1		       ? 1
		       : nr_queues > VIRTIO_MAX_QUEUES ? VIRTIO_MAX_QUEUES
						       : nr_queues;
	err = open_image(b);
	if (!err)
		err = lock_image(b);
	if (!err)
		err = image_size(b, &size);
	if (err) {
		pr_err("disk %s: %s", opt->path, open_error(b, err));
		if (b->fd >= 0)
			close(b->fd);
		b->fd = -1;
		return err;
	}
	if (size % BLK_SECTOR)
		pr_warn("disk %s: size is not a multiple of 512: the last %llu bytes are not visible",
			opt->path, (unsigned long long)(size % BLK_SECTOR));
	b->sectors = size / BLK_SECTOR;
	base = strrchr(opt->path, '/');
	base = base ? base + 1 : opt->path;
	/* 20 bytes, NUL-padded, not necessarily NUL-terminated (5.2.6). */
	memcpy(b->id, base, strnlen(base, BLK_ID_BYTES));
	virtio_mmio_init(&b->mmio, mem, irq, VIRTIO_ID_BLOCK, features(b),
			 b->nr_queues, &blk_ops, b, opt->legacy);
	for (i = 0; i < b->nr_queues; i++) {
		b->queues[i].blk = b;
		b->queues[i].index = i;
		b->queues[i].worker.fd = -1;
	}
	for (i = 0, err = 0; i < b->nr_queues && !err; i++) {
		err = virtio_worker_init(&b->queues[i].worker, drain,
					 &b->queues[i]);
		b->mmio.notify_fd[i] = b->queues[i].worker.fd;
	}
	if (err) {
		pr_err("disk %s: %s", opt->path, strerror(-err));
		virtio_blk_close(b);
	}
	return err;
}

int virtio_blk_start(struct virtio_blk *b)
{
	int err = blk_aio_setup(b);
	unsigned i;

	if (!err)
		pr_info("disk %s: requests in flight on io_uring", b->opt.path);
	else if (err != -ECANCELED)
		pr_info("disk %s: io_uring: %s: one request at a time per queue",
			b->opt.path, strerror(-err));
	for (i = 0; i < b->nr_queues; i++) {
		struct virtio_worker *w = &b->queues[i].worker;

		err = b->queues[i].aio
			      ? virtio_worker_start_loop(w, blk_aio_loop)
			      : virtio_worker_start(w);
		if (err)
			return err;
	}
	return 0;
}

void virtio_blk_close(struct virtio_blk *b)
{
	unsigned i;

	for (i = 0; i < b->nr_queues; i++)
		virtio_worker_stop(&b->queues[i].worker);
	blk_aio_free(b);
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}
