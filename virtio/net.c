// SPDX-License-Identifier: MIT
/*
 * virtio-net, the network device (virtio 1.2, 5.1): a receive queue (0)
 * and a transmit queue (1), the MAC, link status and MTU in the
 * configuration space, and mergeable receive buffers (a frame may take
 * several of the driver's buffers). Frames go to and come from a net_link
 * (passt or a TAP device) on two threads of the device's own: transmit on
 * a worker kicked by the driver's notify, receive on a thread that waits
 * for the link or for the driver's fresh buffers. On a TAP device the
 * driver's virtio-net header passes through both ways, so checksum and
 * segmentation offloads are the host kernel's to do; passt takes plain
 * frames, so there the guest checksums and segments.
 *
 * A driver that breaks the rules gets DEVICE_NEEDS_RESET; a malformed or
 * oversized frame is dropped and counted; a driver that never gives
 * receive buffers stops the receive thread reading the link, so what
 * waits is bounded by the socket's buffer (passt then drops).
 */
#include <errno.h>
#include <linux/if_tun.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../vmm/log.h"
#include "net.h"

#define RXQ 0
#define TXQ 1

_Static_assert(sizeof(struct virtio_net_hdr) == 10, "the legacy header");

unsigned net_hdr_len(const struct virtio_mmio *m)
{
	return virtio_mmio_negotiated(m, VIRTIO_F_VERSION_1) ||
			       virtio_mmio_negotiated(m, VIRTIO_NET_F_MRG_RXBUF)
		       ? 12
		       : 10;
}

size_t net_tx_frame(const struct virtq_req *req, unsigned hdr_len,
		    unsigned skip, struct iovec *iov, int *nr_iov)
{
	size_t total = 0;
	unsigned i;
	int n = 0;

	for (i = 0; i < req->nr_bufs && !req->bufs[i].writable; i++) {
		uint8_t *p = req->bufs[i].addr;
		size_t len = req->bufs[i].len;

		if (total + len > hdr_len + (size_t)NET_MAX_FRAME)
			return 0;
		if (total < skip) { /* the header, left out */
			size_t k = skip - total < len ? skip - total : len;

			p += k;
			len -= k;
			total += k;
		}
		if (len)
			iov[n++] = (struct iovec){ p, len };
		total += len;
	}
	*nr_iov = n;
	return total > hdr_len ? total - skip : 0;
}

uint32_t net_rx_copy(const struct virtq_req *req, const uint8_t *src, size_t at,
		     size_t total, uint8_t *count_at[2])
{
	uint32_t done = 0;
	unsigned i;

	for (i = 0; i < req->nr_bufs && at + done < total; i++) {
		size_t n = req->bufs[i].len, k;

		if (!req->bufs[i].writable)
			continue;
		if (n > total - at - done)
			n = total - at - done;
		for (k = 0; k < 2; k++) {
			size_t o = offsetof(struct virtio_net_hdr_v1,
					    num_buffers) +
				   k;

			if (o >= at + done && o < at + done + n)
				count_at[k] =
					req->bufs[i].addr + (o - at - done);
		}
		memcpy(req->bufs[i].addr, src + at + done, n);
		done += (uint32_t)n;
	}
	return done;
}

void net_default_mac(const char *vm_name, unsigned index, uint8_t mac[6])
{
	uint32_t h = 2166136261u; /* FNV-1a */
	const char *p;

	for (p = vm_name ? vm_name : ""; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	h = (h ^ index) * 16777619u;
	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

int net_rx_hdr_allowed(const struct virtio_mmio *m, const uint8_t *hdr)
{
	struct virtio_net_hdr h;
	unsigned gso;

	memcpy(&h, hdr, sizeof(h));
	gso = h.gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	if ((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !virtio_mmio_negotiated(m, VIRTIO_NET_F_GUEST_CSUM))
		return 0;
	if ((h.gso_type & VIRTIO_NET_HDR_GSO_ECN) &&
	    !virtio_mmio_negotiated(m, VIRTIO_NET_F_GUEST_ECN))
		return 0;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return 1;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return virtio_mmio_negotiated(m, VIRTIO_NET_F_GUEST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return virtio_mmio_negotiated(m, VIRTIO_NET_F_GUEST_TSO6);
	default:
		return 0;
	}
}

unsigned net_tun_offload(const struct virtio_mmio *m)
{
	unsigned f = 0;

	if (!virtio_mmio_negotiated(m, VIRTIO_NET_F_GUEST_CSUM))
		return 0; /* segmentation needs checksums (5.1.3.1) */
	f |= TUN_F_CSUM;
	if (virtio_mmio_negotiated(m, VIRTIO_NET_F_GUEST_TSO4))
		f |= TUN_F_TSO4;
	if (virtio_mmio_negotiated(m, VIRTIO_NET_F_GUEST_TSO6))
		f |= TUN_F_TSO6;
	if ((f & (TUN_F_TSO4 | TUN_F_TSO6)) &&
	    virtio_mmio_negotiated(m, VIRTIO_NET_F_GUEST_ECN))
		f |= TUN_F_TSO_ECN;
	return f;
}

/* --- transmit ------------------------------------------------------------ */

static uint32_t tx_serve(void *dev, struct virtq_req *req)
{
	struct virtio_net *n = dev;
	unsigned hdr = net_hdr_len(&n->mmio);
	int nr_iov;
	/* A TAP device with a virtio-net header of its own takes the
	 * driver's as it is (offloads included); anything else gets the
	 * bare frame. */
	size_t len = net_tx_frame(req, hdr, n->link.vnet_hdr ? 0 : hdr,
				  n->tx_iov, &nr_iov);

	if (!len || net_link_sendv(&n->link, n->tx_iov, nr_iov, len))
		n->stats.tx_dropped++;
	else
		n->stats.tx_frames++;
	return 0; /* nothing written into a transmit chain */
}

static void tx_drain(void *arg)
{
	struct virtio_net *n = arg;

	virtio_serve_queue(&n->mmio, TXQ, &n->tx_req, tx_serve, n);
}

/* --- receive ------------------------------------------------------------- */

/* Give the pending frame to the driver: 1 when given (or dropped), 0 when
 * its buffers do not hold it yet, -1 when the queue broke. Queue lock
 * held. */
static int rx_give(struct virtio_net *n, struct virtio_queue *q)
{
	struct vring_used_elem used[VIRTQ_MAX_SIZE];
	int mergeable =
		virtio_mmio_negotiated(&n->mmio, VIRTIO_NET_F_MRG_RXBUF);
	unsigned hdr = net_hdr_len(&n->mmio), nr = 0;
	size_t total = hdr + n->rx_pending, done = 0;
	uint8_t *src = n->rx_buf + NET_HDR_MAX - hdr, *count_at[2] = { 0 };
	int r;

	if (!q->vq.ready)
		return 0; /* no driver yet, or it is resetting the device */
	if (n->rx_link_hdr) {
		/* The TAP device's header (kept aside: this may be a second
		 * try): the 10 bytes both lengths share, against the frame. */
		if (!net_rx_hdr_allowed(&n->mmio, n->rx_hdr)) {
			n->stats.rx_dropped++;
			return 1;
		}
		memcpy(src, n->rx_hdr, sizeof(struct virtio_net_hdr));
		memset(src + sizeof(struct virtio_net_hdr), 0,
		       hdr - sizeof(struct virtio_net_hdr));
	} else {
		memset(src, 0, hdr);
	}
	while (done < total && nr < q->vq.num) {
		uint32_t got;

		r = virtq_pop(&q->vq, &n->rx_req);
		if (r < 0) {
			virtq_disable(&q->vq);
			virtio_mmio_needs_reset(&n->mmio, q->vq.error);
			return -1;
		}
		if (r == 0) {
			virtq_unpop(&q->vq, nr);
			return 0;
		}
		got = net_rx_copy(&n->rx_req, src, done, total, count_at);
		used[nr].id = n->rx_req.head;
		used[nr].len = got;
		nr++;
		done += got;
		if (!mergeable)
			break;
	}
	if (done < total) { /* the driver's buffers are too small for it */
		n->stats.rx_dropped++;
		for (r = 0; r < (int)nr; r++)
			used[r].len = 0;
	} else {
		n->stats.rx_frames++;
		if (hdr == 12 && count_at[0] && count_at[1]) {
			*count_at[0] = (uint8_t)nr; /* le16 num_buffers */
			*count_at[1] = (uint8_t)(nr >> 8);
		}
	}
	virtq_push_n(&q->vq, used, nr);
	virtio_mmio_used(&n->mmio, q);
	return 1;
}

/* Wait for the link (when asked) or a kick; the kick's count is read. */
static void rx_wait(struct virtio_net *n, int link)
{
	struct pollfd p[2] = { { .fd = n->rx_kick, .events = POLLIN },
			       { .fd = n->link.fd, .events = POLLIN } };
	uint64_t v;

	if (poll(p, link ? 2 : 1, -1) > 0 && (p[0].revents & POLLIN))
		(void)!read(n->rx_kick, &v, sizeof(v));
}

/* The next frame from the link into rx_pending: 1, or 0 to wait. */
static int rx_fetch(struct virtio_net *n, int *gone)
{
	unsigned lh = n->link.vnet_hdr;
	ssize_t r = net_link_recv(&n->link, n->rx_buf + NET_HDR_MAX - lh,
				  lh + NET_MAX_FRAME);

	if (r > (ssize_t)lh) {
		n->rx_pending = (size_t)r - lh;
		n->rx_link_hdr = lh;
		if (lh)
			memcpy(n->rx_hdr, n->rx_buf + NET_HDR_MAX - lh,
			       sizeof(struct virtio_net_hdr));
		return 1;
	}
	if (r >= 0 || r == -EMSGSIZE || r == -EINTR) {
		n->stats.rx_dropped += r != -EINTR;
		return 1; /* nothing pending: look again */
	}
	if (r != -EAGAIN && !*gone) {
		char why[96];

		*gone = 1;
		usleep(100000); /* passt's end, if it ended, is known by now */
		net_link_why_gone(&n->link, why, sizeof(why));
		pr_err("virtio-net: the host end of the link is gone: %s%s",
		       strerror((int)-r), why);
	}
	return 0;
}

/* A TAP device gives what the driver negotiated, and nothing more. */
static void rx_offload(struct virtio_net *n)
{
	unsigned f = net_tun_offload(&n->mmio), hdr = net_hdr_len(&n->mmio);
	int e;

	if (!n->link.vnet_hdr || (f == n->offload && hdr == n->offload_hdr))
		return;
	e = net_link_offload(&n->link, f, hdr);
	if (e)
		pr_warn("virtio-net: tap %s offloads 0x%x: %s", n->link.ifname,
			f, strerror(-e));
	n->offload = f;
	n->offload_hdr = hdr;
}

static void *rx_thread(void *arg)
{
	struct virtio_net *n = arg;
	struct virtio_queue *q = &n->mmio.queues[RXQ];
	int gone = 0, r;

	while (!__atomic_load_n(&n->stop, __ATOMIC_ACQUIRE)) {
		rx_offload(n);
		if (!n->rx_pending) {
			if (!rx_fetch(n, &gone))
				rx_wait(n, !gone);
			continue;
		}
		pthread_mutex_lock(&q->lock);
		r = rx_give(n, q);
		if (r == 0 && virtq_wait_for_more(&q->vq))
			r = 2; /* buffers came meanwhile: try again */
		pthread_mutex_unlock(&q->lock);
		if (r == 1 || r == -1)
			n->rx_pending = 0;
		else if (r == 0)
			rx_wait(n, 0);
	}
	return NULL;
}

/* --- the device ---------------------------------------------------------- */

static int net_config_read(void *dev, uint64_t off, unsigned size,
			   uint64_t *val)
{
	struct virtio_net *n = dev;
	struct virtio_net_config c = { 0 };

	memcpy(c.mac, n->mac, sizeof(c.mac));
	c.status = VIRTIO_NET_S_LINK_UP;
	c.max_virtqueue_pairs = 1;
	c.mtu = n->mtu;
	*val = 0;
	if (size > 8 || off > sizeof(c) || size > sizeof(c) - off)
		return -EINVAL;
	memcpy(val, (uint8_t *)&c + off, size);
	return 0;
}

static void net_notify(void *dev, unsigned q)
{
	struct virtio_net *n = dev;
	uint64_t one = 1;

	if (q == TXQ)
		virtio_worker_kick(&n->tx);
	else if (q == RXQ && write(n->rx_kick, &one, sizeof(one)) < 0)
		return; /* the count only grows: a failed add changes nothing */
}

static const struct virtio_device_ops net_ops = {
	.name = "net",
	.config_read = net_config_read, /* writes (the MAC, legacy) ignored */
	.notify = net_notify,
};

int virtio_net_open(struct virtio_net *n, const struct net_options *o,
		    const uint8_t mac[6], const struct guest_mem *mem,
		    struct irq_line irq)
{
	uint64_t features;
	char err[256];
	int e;

	memset(n, 0, sizeof(*n));
	n->rx_kick = -1;
	n->tx.fd = -1;
	memcpy(n->mac, mac, sizeof(n->mac));
	e = net_link_open(&n->link, o, err, sizeof(err));
	if (e) {
		pr_err("%s", err);
		return e;
	}
	n->mtu = (uint16_t)(o->tap ? n->link.mtu : NET_MTU_USER);
	features = 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS |
		   1ULL << VIRTIO_NET_F_MRG_RXBUF | 1ULL << VIRTIO_NET_F_MTU |
		   1ULL << VIRTIO_RING_F_INDIRECT_DESC |
		   1ULL << VIRTIO_RING_F_EVENT_IDX;
	if (n->link.vnet_hdr) /* the TAP device takes and gives them */
		features |= 1ULL << VIRTIO_NET_F_CSUM |
			    1ULL << VIRTIO_NET_F_HOST_TSO4 |
			    1ULL << VIRTIO_NET_F_HOST_TSO6 |
			    1ULL << VIRTIO_NET_F_HOST_ECN |
			    1ULL << VIRTIO_NET_F_GUEST_CSUM |
			    1ULL << VIRTIO_NET_F_GUEST_TSO4 |
			    1ULL << VIRTIO_NET_F_GUEST_TSO6 |
			    1ULL << VIRTIO_NET_F_GUEST_ECN;
	virtio_mmio_init(&n->mmio, mem, irq, VIRTIO_ID_NET, features, 2,
			 &net_ops, n, 0);
	n->rx_kick = eventfd(0, EFD_CLOEXEC);
	if (n->rx_kick < 0)
		return -errno;
	e = virtio_worker_init(&n->tx, tx_drain, n);
	n->mmio.notify_fd[RXQ] = n->rx_kick;
	n->mmio.notify_fd[TXQ] = n->tx.fd;
	return e;
}

int virtio_net_start(struct virtio_net *n)
{
	int e = virtio_worker_start(&n->tx);

	if (e)
		return e;
	e = -pthread_create(&n->rx_thread, NULL, rx_thread, n);
	n->rx_started = !e;
	return e;
}

void virtio_net_close(struct virtio_net *n)
{
	uint64_t one = 1;

	if (n->rx_started) {
		__atomic_store_n(&n->stop, 1, __ATOMIC_RELEASE);
		(void)!write(n->rx_kick, &one, sizeof(one));
		pthread_join(n->rx_thread, NULL);
		n->rx_started = 0;
	}
	virtio_worker_stop(&n->tx);
	if (n->rx_kick >= 0)
		close(n->rx_kick);
	n->rx_kick = -1;
	net_link_close(&n->link);
	pr_debug(
		"virtio-net: %llu frames in (%llu dropped), %llu out (%llu dropped)",
		(unsigned long long)n->stats.rx_frames,
		(unsigned long long)n->stats.rx_dropped,
		(unsigned long long)n->stats.tx_frames,
		(unsigned long long)n->stats.tx_dropped);
}
