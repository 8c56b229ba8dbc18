// SPDX-License-Identifier: MIT
/*
 * virtio-net's control queue (virtio 1.2, 5.1.6.5), offered with a
 * multiqueue TAP device: the one command served is how many queue pairs
 * the driver uses (VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 5.1.6.5.5). The
 * device starts, and starts again after every reset, with one; the link's
 * queues beyond those in use are detached, so the host kernel steers no
 * frame to a receive queue the driver does not read.
 */
#include <errno.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <unistd.h>

#include "../vmm/log.h"
#include "net.h"

unsigned net_ctrl_queue(const struct virtio_mmio *m, unsigned max_pairs)
{
	return 2 * (virtio_mmio_negotiated(m, VIRTIO_NET_F_MQ) ? max_pairs : 1);
}

uint8_t net_ctrl_command(const uint8_t *req, size_t len, unsigned max_pairs,
			 unsigned *pairs)
{
	unsigned k;

	if (len != 4 || req[0] != VIRTIO_NET_CTRL_MQ ||
	    req[1] != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET)
		return VIRTIO_NET_ERR;
	k = (unsigned)req[2] | (unsigned)req[3] << 8; /* le16 */
	if (k < VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN || k > max_pairs)
		return VIRTIO_NET_ERR;
	*pairs = k;
	return VIRTIO_NET_OK;
}

/* The first k pairs in use from now on: 0 or a negative errno. */
static int use_pairs(struct virtio_net *n, unsigned k)
{
	uint64_t one = 1;
	unsigned i;
	int e;

	pthread_mutex_lock(&n->active_lock);
	e = net_link_use_queues(&n->link, k);
	if (!e)
		__atomic_store_n(&n->active, k, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&n->active_lock);
	if (e)
		pr_warn("virtio-net: tap %s: %u queues: %s", n->link.ifname, k,
			strerror(-e));
	/* each receive thread sees whether its pair is in use now */
	for (i = 0; i < n->link.nr_queues; i++)
		(void)!write(n->pairs[i].rx_kick, &one, sizeof(one));
	return e;
}

void net_reset(void *dev)
{
	struct virtio_net *n = dev;

	if (n->link.nr_queues > 1 &&
	    __atomic_load_n(&n->active, __ATOMIC_ACQUIRE) != 1)
		use_pairs(n, 1);
}

static uint32_t ctrl_serve(void *dev, struct virtq_req *req)
{
	struct virtio_net *n = dev;
	uint8_t cmd[8], ack, *ack_at = NULL;
	size_t len = 0;
	unsigned i, pairs = 0;

	for (i = 0; i < req->nr_bufs; i++) {
		size_t k = req->bufs[i].len;

		if (req->bufs[i].writable) {
			if (!ack_at && k)
				ack_at = req->bufs[i].addr;
			continue;
		}
		if (len + k > sizeof(cmd)) { /* no command we serve */
			len = sizeof(cmd) + 1;
			continue;
		}
		memcpy(cmd + len, req->bufs[i].addr, k);
		len += k;
	}
	if (!ack_at)
		return 0; /* nowhere to answer */
	ack = net_ctrl_command(cmd, len, n->link.nr_queues, &pairs);
	if (ack == VIRTIO_NET_OK && use_pairs(n, pairs))
		ack = VIRTIO_NET_ERR;
	*ack_at = ack;
	return 1;
}

void net_ctrl_drain(void *arg)
{
	struct virtio_net *n = arg;

	virtio_serve_queue(&n->mmio,
			   net_ctrl_queue(&n->mmio, n->link.nr_queues),
			   &n->ctrl_req, ctrl_serve, n);
}
