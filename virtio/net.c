// SPDX-License-Identifier: MIT
/*
 * virtio-net, the network device (virtio 1.2, 5.1): queue pairs of a
 * receive queue (2i) and a transmit queue (2i + 1), the MAC, link status
 * and MTU in the configuration space, and mergeable receive buffers (a
 * frame may take several of the driver's buffers). Frames go to and come
 * from a net_link (passt or a TAP device) on two threads of each pair's
 * own: transmit on a worker kicked by the driver's notify, receive on a
 * thread that waits for the link or for the driver's fresh buffers
 * (net_rx.c). A multiqueue TAP device gives one pair per vCPU (MQ); the
 * driver says on the control queue how many it uses (net_ctrl.c). On a TAP device the
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
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../vmm/log.h"
#include "net.h"

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

static uint32_t tx_serve(void *arg, struct virtq_req *req)
{
	struct net_pair *p = arg;
	struct virtio_net *n = p->dev;
	unsigned hdr = net_hdr_len(&n->mmio);
	int nr_iov;
	/* A TAP device with a virtio-net header of its own takes the
	 * driver's as it is (offloads included); anything else gets the
	 * bare frame. */
	size_t len = net_tx_frame(req, hdr, n->link.vnet_hdr ? 0 : hdr,
				  p->tx_iov, &nr_iov);

	if (!len || net_link_sendv(&n->link, p->index, p->tx_iov, nr_iov, len))
		p->stats.tx_dropped++;
	else
		p->stats.tx_frames++;
	return 0; /* nothing written into a transmit chain */
}

static void tx_drain(void *arg)
{
	struct net_pair *p = arg;

	virtio_serve_queue(&p->dev->mmio, 2 * p->index + 1, &p->tx_req,
			   tx_serve, p);
}

/* --- the device ---------------------------------------------------------- */

static int net_config_read(void *dev, uint64_t off, unsigned size,
			   uint64_t *val)
{
	struct virtio_net *n = dev;
	struct virtio_net_config c = { 0 };

	memcpy(c.mac, n->mac, sizeof(c.mac));
	c.status = VIRTIO_NET_S_LINK_UP;
	c.max_virtqueue_pairs = (uint16_t)n->link.nr_queues;
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

	if (n->link.nr_queues > 1 &&
	    q == net_ctrl_queue(&n->mmio, n->link.nr_queues))
		virtio_worker_kick(&n->ctrl);
	else if (q / 2 >= n->link.nr_queues)
		return;
	else if (q % 2)
		virtio_worker_kick(&n->pairs[q / 2].tx);
	else if (write(n->pairs[q / 2].rx_kick, &one, sizeof(one)) < 0)
		return; /* the count only grows: a failed add changes nothing */
}

static const struct virtio_device_ops net_ops = {
	.name = "net",
	.config_read = net_config_read, /* writes (the MAC, legacy) ignored */
	.notify = net_notify,
	.reset = net_reset,
};

static uint64_t net_features(const struct net_link *l)
{
	uint64_t f = 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS |
		     1ULL << VIRTIO_NET_F_MRG_RXBUF | 1ULL << VIRTIO_NET_F_MTU |
		     1ULL << VIRTIO_RING_F_INDIRECT_DESC |
		     1ULL << VIRTIO_RING_F_EVENT_IDX;

	if (l->vnet_hdr) /* the TAP device takes and gives them */
		f |= 1ULL << VIRTIO_NET_F_CSUM |
		     1ULL << VIRTIO_NET_F_HOST_TSO4 |
		     1ULL << VIRTIO_NET_F_HOST_TSO6 |
		     1ULL << VIRTIO_NET_F_HOST_ECN |
		     1ULL << VIRTIO_NET_F_GUEST_CSUM |
		     1ULL << VIRTIO_NET_F_GUEST_TSO4 |
		     1ULL << VIRTIO_NET_F_GUEST_TSO6 |
		     1ULL << VIRTIO_NET_F_GUEST_ECN;
	if (l->nr_queues > 1) /* the driver picks how many, by command */
		f |= 1ULL << VIRTIO_NET_F_CTRL_VQ | 1ULL << VIRTIO_NET_F_MQ;
	return f;
}

static int pairs_init(struct virtio_net *n)
{
	unsigned i;
	int e = 0;

	n->pairs = calloc(n->link.nr_queues, sizeof(*n->pairs));
	if (!n->pairs)
		return -ENOMEM;
	for (i = 0; i < n->link.nr_queues; i++) {
		n->pairs[i].dev = n;
		n->pairs[i].index = i;
		n->pairs[i].tx.fd = -1;
		n->pairs[i].rx_kick = -1;
	}
	for (i = 0; i < n->link.nr_queues && !e; i++) {
		struct net_pair *p = &n->pairs[i];

		p->rx_kick = eventfd(0, EFD_CLOEXEC);
		e = p->rx_kick < 0 ? -errno
				   : virtio_worker_init(&p->tx, tx_drain, p);
		n->mmio.notify_fd[2 * i] = p->rx_kick;
		n->mmio.notify_fd[2 * i + 1] = p->tx.fd;
	}
	return e;
}

int virtio_net_open(struct virtio_net *n, const struct net_options *o,
		    const uint8_t mac[6], unsigned pairs,
		    const struct guest_mem *mem, struct irq_line irq)
{
	unsigned nr;
	char err[256];
	int e;

	memset(n, 0, sizeof(*n));
	n->ctrl.fd = -1;
	n->active = 1;
	pthread_mutex_init(&n->active_lock, NULL);
	memcpy(n->mac, mac, sizeof(n->mac));
	e = net_link_open(&n->link, o, pairs ? pairs : 1, err, sizeof(err));
	if (e) {
		pr_err("%s", err);
		return e;
	}
	if (n->link.single_queue)
		pr_info("virtio-net: tap %s was made without multi_queue: one queue pair, not %u (ip tuntap add dev %s mode tap multi_queue)",
			n->link.ifname, pairs, n->link.ifname);
	n->mtu = (uint16_t)(o->tap ? n->link.mtu : NET_MTU_USER);
	nr = 2 * n->link.nr_queues + (n->link.nr_queues > 1);
	virtio_mmio_init(&n->mmio, mem, irq, VIRTIO_ID_NET,
			 net_features(&n->link), nr, &net_ops, n, 0);
	e = pairs_init(n);
	if (!e && n->link.nr_queues > 1) {
		e = virtio_worker_init(&n->ctrl, net_ctrl_drain, n);
		n->mmio.notify_fd[nr - 1] = n->ctrl.fd;
	}
	return e;
}

int virtio_net_start(struct virtio_net *n)
{
	unsigned i;
	int e = n->link.nr_queues > 1 ? virtio_worker_start(&n->ctrl) : 0;

	for (i = 0; i < n->link.nr_queues && !e; i++) {
		struct net_pair *p = &n->pairs[i];

		e = virtio_worker_start(&p->tx);
		if (!e)
			e = -pthread_create(&p->rx_thread, NULL, net_rx_thread,
					    p);
		p->rx_started = !e;
	}
	return e;
}

void virtio_net_close(struct virtio_net *n)
{
	uint64_t one = 1;
	unsigned i;

	__atomic_store_n(&n->stop, 1, __ATOMIC_RELEASE);
	virtio_worker_stop(&n->ctrl);
	for (i = 0; n->pairs && i < n->link.nr_queues; i++) {
		struct net_pair *p = &n->pairs[i];

		if (p->rx_started) {
			(void)!write(p->rx_kick, &one, sizeof(one));
			pthread_join(p->rx_thread, NULL);
			p->rx_started = 0;
		}
		virtio_worker_stop(&p->tx);
		if (p->rx_kick >= 0)
			close(p->rx_kick);
		p->rx_kick = -1;
		pr_debug(
			"virtio-net: pair %u: %llu frames in (%llu straight into the driver's buffers, %llu dropped), %llu out (%llu dropped)",
			i, (unsigned long long)p->stats.rx_frames,
			(unsigned long long)p->stats.rx_direct,
			(unsigned long long)p->stats.rx_dropped,
			(unsigned long long)p->stats.tx_frames,
			(unsigned long long)p->stats.tx_dropped);
	}
	net_link_close(&n->link);
	free(n->pairs);
	n->pairs = NULL;
}
