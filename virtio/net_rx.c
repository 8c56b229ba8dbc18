// SPDX-License-Identifier: MIT
/*
 * virtio-net's receive side (virtio 1.2, 5.1.6.3 and 5.1.6.4): each
 * pair's thread takes frames from its link queue into the driver's
 * buffers.
 *
 * Straight where it can: it takes as many of the driver's buffers as the
 * largest frame the link may give next needs, and the link reads into
 * them. On a TAP device whose header is the driver's that is no copy in
 * vmm at all; on passt, one (out of the batch read from its socket). The
 * buffers the frame did not need go back to the driver untouched as far
 * as it can tell.
 *
 * Else the frame is read into the pair's own buffer and copied once the
 * driver's buffers hold it: when the driver has not given enough yet (a
 * frame waits for it there), when it gives small buffers without
 * MRG_RXBUF, or when the TAP device's header is not yet the driver's.
 */
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "../vmm/log.h"
#include "net.h"

#define VLAN_HLEN 4

/* --- pure helpers (net.h) ----------------------------------------------- */

size_t net_iov_copy(const struct iovec *iov, unsigned cnt, size_t off,
		    void *buf, size_t len, int into_iov)
{
	uint8_t *b = buf;
	size_t done = 0;
	unsigned i;

	for (i = 0; i < cnt && done < len; i++) {
		size_t n = iov[i].iov_len;

		if (off >= n) {
			off -= n;
			continue;
		}
		n -= off;
		if (n > len - done)
			n = len - done;
		if (into_iov)
			memcpy((uint8_t *)iov[i].iov_base + off, b + done, n);
		else
			memcpy(b + done, (uint8_t *)iov[i].iov_base + off, n);
		done += n;
		off = 0;
	}
	return done;
}

unsigned net_iov_skip(const struct iovec *iov, unsigned cnt, size_t skip,
		      struct iovec *out)
{
	unsigned i, n = 0;

	for (i = 0; i < cnt; i++) {
		size_t len = iov[i].iov_len;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		out[n].iov_base = (uint8_t *)iov[i].iov_base + skip;
		out[n].iov_len = len - skip;
		n++;
		skip = 0;
	}
	return n;
}

unsigned net_rx_spread(struct vring_used_elem *used, unsigned nr, size_t total)
{
	unsigned i;

	for (i = 0; i < nr && total; i++) {
		if (used[i].len > total)
			used[i].len = (uint32_t)total;
		total -= used[i].len;
	}
	return i;
}

/* --- the copy path ------------------------------------------------------ */

/* Give the pending frame to the driver: 1 when given (or dropped), 0 when
 * its buffers do not hold it yet, -1 when the queue broke. Queue lock
 * held. */
static int rx_give(struct net_pair *p, struct virtio_queue *q)
{
	struct vring_used_elem *used = p->rx_used;
	struct virtio_mmio *m = &p->dev->mmio;
	int mergeable = virtio_mmio_negotiated(m, VIRTIO_NET_F_MRG_RXBUF);
	unsigned hdr = net_hdr_len(m), nr = 0;
	size_t total = hdr + p->rx_pending, done = 0;
	uint8_t *src = p->rx_buf + NET_HDR_MAX - hdr, *count_at[2] = { 0 };
	int r;

	if (!q->vq.ready)
		return 0; /* no driver yet, or it is resetting the device */
	if (p->rx_link_hdr) {
		/* The TAP device's header (kept aside: this may be a second
		 * try): the 10 bytes both lengths share, against the frame. */
		if (!net_rx_hdr_allowed(m, p->rx_hdr)) {
			p->stats.rx_dropped++;
			return 1;
		}
		memcpy(src, p->rx_hdr, sizeof(struct virtio_net_hdr));
		memset(src + sizeof(struct virtio_net_hdr), 0,
		       hdr - sizeof(struct virtio_net_hdr));
	} else {
		memset(src, 0, hdr);
	}
	while (done < total && nr < q->vq.num) {
		uint32_t got;

		r = virtq_pop(&q->vq, &p->rx_req);
		if (r < 0) {
			virtio_queue_broken(m, q);
			return -1;
		}
		if (r == 0) {
			virtq_unpop(&q->vq, nr);
			return 0;
		}
		got = net_rx_copy(&p->rx_req, src, done, total, count_at);
		used[nr].id = p->rx_req.head;
		used[nr].len = got;
		nr++;
		done += got;
		if (!mergeable)
			break;
	}
	if (done < total) { /* the driver's buffers are too small for it */
		p->stats.rx_dropped++;
		for (r = 0; r < (int)nr; r++)
			used[r].len = 0;
	} else {
		p->stats.rx_frames++;
		if (hdr == 12 && count_at[0] && count_at[1]) {
			*count_at[0] = (uint8_t)nr; /* le16 num_buffers */
			*count_at[1] = (uint8_t)(nr >> 8);
		}
	}
	virtq_push_n(&q->vq, used, nr);
	virtio_mmio_used(m, q);
	return 1;
}

/* The link failed with err (not -EAGAIN): said once, with passt's end if
 * it ended. */
static void rx_link_failed(struct net_pair *p, ssize_t err, int *gone)
{
	char why[96];

	if (*gone)
		return;
	*gone = 1;
	usleep(100000); /* passt's end, if it ended, is known by now */
	net_link_why_gone(&p->dev->link, why, sizeof(why));
	pr_err("virtio-net: the host end of the link is gone: %s%s",
	       strerror((int)-err), why);
}

/* The next frame from the link into rx_pending: 1, or 0 to wait. */
static int rx_fetch(struct net_pair *p, int *gone)
{
	struct net_link *l = &p->dev->link;
	unsigned lh = l->vnet_hdr;
	struct iovec iov = { p->rx_buf + NET_HDR_MAX - lh, lh + NET_MAX_FRAME };
	ssize_t r = net_link_recvv(l, p->index, &iov, 1);

	if (r > (ssize_t)lh && r <= (ssize_t)iov.iov_len) {
		p->rx_pending = (size_t)r - lh;
		p->rx_link_hdr = lh;
		if (lh)
			memcpy(p->rx_hdr, iov.iov_base,
			       sizeof(struct virtio_net_hdr));
		return 1;
	}
	if (r >= 0 || r == -EINTR) {
		p->stats.rx_dropped += r != -EINTR; /* too short or too long */
		return 1; /* nothing pending: look again */
	}
	if (r != -EAGAIN)
		rx_link_failed(p, r, gone);
	return 0;
}

/* --- straight into the driver's buffers ---------------------------------- */

enum rx_direct { RX_GIVEN, RX_NONE, RX_NO_ROOM, RX_BROKEN, RX_GONE };

/* How many bytes the link's next frame may take in the driver's buffers,
 * header included: a stream says, a TAP device gives at most its MTU's
 * worth, or 64 KiB with segmentation offloads. */
static size_t rx_need(struct virtio_net *n, unsigned hdr, size_t next)
{
	unsigned off = __atomic_load_n(&n->offload, __ATOMIC_ACQUIRE);

	if (n->link.stream)
		return hdr + next;
	if (off & (TUN_F_TSO4 | TUN_F_TSO6))
		return hdr + NET_MAX_FRAME;
	return hdr + (n->link.mtu ? n->link.mtu : ETH_DATA_LEN) + ETH_HLEN +
	       VLAN_HLEN;
}

/* Pop the driver's chains until their writable buffers (in p->rx_iov)
 * hold need bytes, one chain without MRG_RXBUF: how many chains (their
 * heads and sizes in p->rx_used), -1 when the queue broke. */
static int rx_take(struct net_pair *p, struct virtio_queue *q, size_t need,
		   int mergeable, size_t *room)
{
	unsigned nr = 0, i;
	int r;

	*room = 0;
	p->rx_nr_iov = 0;
	while (*room < need && nr < q->vq.num) {
		size_t got = 0;
		unsigned start = p->rx_nr_iov;

		r = virtq_pop(&q->vq, &p->rx_req);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		for (i = 0; i < p->rx_req.nr_bufs; i++) {
			const struct virtq_buf *b = &p->rx_req.bufs[i];

			if (!b->writable || !b->len)
				continue;
			if (p->rx_nr_iov == NET_MAX_IOV)
				break;
			p->rx_iov[p->rx_nr_iov++] =
				(struct iovec){ b->addr, b->len };
			got += b->len;
		}
		if (i < p->rx_req.nr_bufs && nr) { /* no room for its iovecs */
			p->rx_nr_iov = start;
			virtq_unpop(&q->vq, 1);
			break;
		}
		p->rx_used[nr].id = p->rx_req.head;
		p->rx_used[nr].len =
			got > UINT32_MAX ? UINT32_MAX : (uint32_t)got;
		*room += p->rx_used[nr].len;
		nr++;
		if (!mergeable)
			break;
	}
	return (int)nr;
}

/* Give the frame of total bytes now in the first chains of nr: 1, or 0
 * when it was dropped (its header asks for what was not negotiated). */
static int rx_finish(struct net_pair *p, struct virtio_queue *q, unsigned nr,
		     size_t total, unsigned hdr, int own_hdr)
{
	struct virtio_mmio *m = &p->dev->mmio;
	uint8_t h[NET_HDR_MAX] = { 0 };
	unsigned used = net_rx_spread(p->rx_used, nr, total);

	if (!own_hdr) { /* the TAP device's */
		net_iov_copy(p->rx_iov, p->rx_nr_iov, 0, h,
			     sizeof(struct virtio_net_hdr), 0);
		if (!net_rx_hdr_allowed(m, h)) {
			virtq_unpop(&q->vq, nr);
			return 0;
		}
	}
	h[10] = (uint8_t)used; /* le16 num_buffers (5.1.6.4) */
	h[11] = (uint8_t)(used >> 8);
	if (own_hdr)
		net_iov_copy(p->rx_iov, p->rx_nr_iov, 0, h, hdr, 1);
	else if (hdr == 12)
		net_iov_copy(p->rx_iov, p->rx_nr_iov, 10, h + 10, 2, 1);
	virtq_unpop(&q->vq, nr - used);
	virtq_push_n(&q->vq, p->rx_used, used);
	virtio_mmio_used(m, q);
	return 1;
}

/* One frame from the link straight into the driver's buffers. Queue lock
 * held. */
static enum rx_direct rx_direct(struct net_pair *p, struct virtio_queue *q,
				int *gone)
{
	struct virtio_net *n = p->dev;
	struct virtio_mmio *m = &n->mmio;
	unsigned hdr = net_hdr_len(m), lh = n->link.vnet_hdr, cnt;
	int mergeable = virtio_mmio_negotiated(m, VIRTIO_NET_F_MRG_RXBUF), nr;
	size_t need, room, total;
	ssize_t next, r;

	if (!q->vq.ready || (lh && lh != hdr))
		return RX_NO_ROOM;
	next = net_link_next_len(&n->link);
	if (next < 0 && next != -EAGAIN)
		rx_link_failed(p, next, gone);
	if (next < 0)
		return next == -EAGAIN ? RX_NONE : RX_GONE;
	need = rx_need(n, hdr, (size_t)next);
	nr = rx_take(p, q, need, mergeable, &room);
	if (nr < 0) {
		virtio_queue_broken(m, q);
		return RX_BROKEN;
	}
	if (room < need) {
		virtq_unpop(&q->vq, (unsigned)nr);
		return RX_NO_ROOM;
	}
	/* Without a header from the link, ours goes first (rx_finish). */
	cnt = net_iov_skip(p->rx_iov, p->rx_nr_iov, lh ? 0 : hdr,
			   p->rx_link_iov);
	r = net_link_recvv(&n->link, p->index, p->rx_link_iov, (int)cnt);
	if (r < 0) {
		virtq_unpop(&q->vq, (unsigned)nr);
		if (r == -EAGAIN || r == -EINTR)
			return RX_NONE;
		rx_link_failed(p, r, gone);
		return RX_GONE;
	}
	total = (size_t)r + (lh ? 0 : hdr);
	if (r <= (ssize_t)lh || total > room) { /* a runt, or too long */
		virtq_unpop(&q->vq, (unsigned)nr);
		p->stats.rx_dropped++;
		return RX_GIVEN;
	}
	if (!rx_finish(p, q, (unsigned)nr, total, hdr, !lh)) {
		p->stats.rx_dropped++;
		return RX_GIVEN;
	}
	p->stats.rx_frames++;
	p->stats.rx_direct++;
	return RX_GIVEN;
}

/* --- the thread ---------------------------------------------------------- */

/* Wait for the link (when asked) or a kick; the kick's count is read. */
static void rx_wait(struct net_pair *p, int link)
{
	struct pollfd fds[2] = { { .fd = p->rx_kick, .events = POLLIN },
				 { .fd = p->dev->link.fds[p->index],
				   .events = POLLIN } };
	uint64_t v;

	if (poll(fds, link ? 2 : 1, -1) > 0 && (fds[0].revents & POLLIN))
		(void)!read(p->rx_kick, &v, sizeof(v));
}

/* A TAP device gives what the driver negotiated, and nothing more (the
 * offloads are the device's: the first pair's thread tells it). */
static void rx_offload(struct virtio_net *n)
{
	unsigned f = net_tun_offload(&n->mmio), hdr = net_hdr_len(&n->mmio);
	int e;

	if (!n->link.vnet_hdr || (f == n->offload && hdr == n->offload_hdr))
		return;
	/* said before the device may give larger frames (rx_need()) */
	__atomic_store_n(&n->offload, f, __ATOMIC_RELEASE);
	n->offload_hdr = hdr;
	e = net_link_offload(&n->link, f, hdr);
	if (e)
		pr_warn("virtio-net: tap %s offloads 0x%x: %s", n->link.ifname,
			f, strerror(-e));
}

/* Whether the driver uses this pair now: a pair out of use reads nothing
 * from its link queue (which is detached, and would poll as an error). */
static int pair_in_use(struct net_pair *p)
{
	return p->index < __atomic_load_n(&p->dev->active, __ATOMIC_ACQUIRE);
}

/* No frame waits in the pair's buffer: the next one, straight if it can
 * go so, else into that buffer. 0 to look again, 1 to wait. */
static int rx_next(struct net_pair *p, struct virtio_queue *q, int *gone)
{
	enum rx_direct d;

	pthread_mutex_lock(&q->lock);
	d = rx_direct(p, q, gone);
	pthread_mutex_unlock(&q->lock);
	switch (d) {
	case RX_GIVEN:
	case RX_BROKEN:
		return 0;
	case RX_NO_ROOM:
		return !rx_fetch(p, gone);
	default:
		return 1;
	}
}

void *net_rx_thread(void *arg)
{
	struct net_pair *p = arg;
	struct virtio_net *n = p->dev;
	struct virtio_queue *q = &n->mmio.queues[2 * p->index];
	int gone = 0, r;

	while (!__atomic_load_n(&n->stop, __ATOMIC_ACQUIRE)) {
		if (p->index == 0)
			rx_offload(n);
		if (!pair_in_use(p)) { /* a frame read before: too late */
			p->stats.rx_dropped += p->rx_pending != 0;
			p->rx_pending = 0;
			rx_wait(p, 0);
			/* Without MQ the control queue is queue 2, whose
			 * notify's eventfd is this pair's: pass it on. */
			if (p->index == 1 &&
			    net_ctrl_queue(&n->mmio, n->link.nr_queues) == 2)
				virtio_worker_kick(&n->ctrl);
			continue;
		}
		if (!p->rx_pending) {
			if (rx_next(p, q, &gone))
				rx_wait(p, !gone);
			continue;
		}
		pthread_mutex_lock(&q->lock);
		r = rx_give(p, q);
		if (r == 0 && virtq_wait_for_more(&q->vq))
			r = 2; /* buffers came meanwhile: try again */
		pthread_mutex_unlock(&q->lock);
		if (r == 1 || r == -1)
			p->rx_pending = 0;
		else if (r == 0)
			rx_wait(p, 0);
	}
	return NULL;
}
