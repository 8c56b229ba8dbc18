/* SPDX-License-Identifier: MIT */
#ifndef VMM_VIRTIO_NET_H
#define VMM_VIRTIO_NET_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "mmio.h"
#include "net_link.h"
#include "worker.h"

/* The header in front of every frame: 12 bytes with VERSION_1 or
 * MRG_RXBUF, else 10 (virtio 1.2, 5.1.6). */
#define NET_HDR_MAX 12
#define NET_MTU_USER 65520 /* what passt offers its guests */

struct net_stats {
	uint64_t rx_frames, tx_frames;
	uint64_t rx_direct; /* of rx_frames, read straight into the driver's
			     * buffers (net_rx.c) */
	uint64_t rx_dropped; /* too long for the driver's buffers */
	uint64_t tx_dropped; /* malformed, or the host end was full */
};

struct virtio_net;

/* A receive queue and a transmit queue (2i and 2i + 1) with their link
 * queue and their two threads: transmit on a worker kicked by the
 * driver's notify, receive on a thread that waits for the link or for
 * the driver's fresh buffers. */
struct net_pair {
	struct virtio_net *dev;
	unsigned index;
	struct virtio_worker tx;
	pthread_t rx_thread;
	int rx_started, rx_kick; /* rx_kick: an eventfd */
	size_t rx_pending; /* a frame read from the link, not yet given */
	unsigned rx_link_hdr; /* the link's header in front of it, or 0 */
	uint8_t rx_hdr[10]; /* its first 10 bytes (struct virtio_net_hdr) */
	struct net_stats stats;
	struct virtq_req tx_req, rx_req; /* scratch */
	struct iovec tx_iov[VIRTQ_MAX_SEGS];
	/* receive scratch: the chains taken and their writable buffers,
	 * and those buffers less our header, for the link */
	struct vring_used_elem rx_used[VIRTQ_MAX_SIZE];
	struct iovec rx_iov[NET_MAX_IOV], rx_link_iov[NET_MAX_IOV];
	unsigned rx_nr_iov;
	uint8_t rx_buf[NET_HDR_MAX + NET_MAX_FRAME];
};

struct virtio_net {
	struct virtio_mmio mmio;
	struct net_link link;
	uint8_t mac[6];
	uint16_t mtu;
	struct net_pair *pairs; /* link.nr_queues of them */
	unsigned active; /* pairs in use: 1 until the driver asks (5.1.6.5.5) */
	pthread_mutex_t active_lock; /* active and the link's queues */
	struct virtio_worker ctrl; /* serves the control queue */
	struct virtq_req ctrl_req;
	int stop;
	unsigned offload, offload_hdr; /* what the TAP device was told */
};

/* The header length the driver negotiated. */
unsigned net_hdr_len(const struct virtio_mmio *m);
/* One transmit chain as iov (its readable buffers, less the first skip
 * bytes: the header, or nothing): the bytes that leaves, or 0 for a chain
 * to drop (no frame after its hdr_len-byte header, or a frame longer than
 * NET_MAX_FRAME). iov has room for VIRTQ_MAX_SEGS. Pure. */
size_t net_tx_frame(const struct virtq_req *req, unsigned hdr_len,
		    unsigned skip, struct iovec *iov, int *nr_iov);
/* The driver's receive buffers of one chain, from offset `at` of the
 * whole frame (header included) of total bytes at src: how many it took.
 * num_buffers (header bytes 10 and 11) is left to net_rx_set_count(). */
uint32_t net_rx_copy(const struct virtq_req *req, const uint8_t *src, size_t at,
		     size_t total, uint8_t *count_at[2]);
/* Copy len bytes between buf and the cnt buffers of iov, from offset off
 * of those: into them (into_iov) or out of them. How many. Pure. */
size_t net_iov_copy(const struct iovec *iov, unsigned cnt, size_t off,
		    void *buf, size_t len, int into_iov);
/* The cnt buffers of iov less their first skip bytes, into out (room for
 * cnt): how many. Pure. */
unsigned net_iov_skip(const struct iovec *iov, unsigned cnt, size_t skip,
		      struct iovec *out);
/* A received frame of total bytes over nr chains whose sizes used[].len
 * holds, in order: each chain's len becomes what it takes; how many it
 * takes. Pure. */
unsigned net_rx_spread(struct vring_used_elem *used, unsigned nr, size_t total);
/* Whether a received frame's header (from a TAP device) asks for what the
 * driver did not negotiate: a checksum to finish, or segmentation. */
int net_rx_hdr_allowed(const struct virtio_mmio *m, const uint8_t *hdr);
/* The TUN_F_* offloads a TAP device may use with the negotiated features. */
unsigned net_tun_offload(const struct virtio_mmio *m);
/* The control queue's index: 2N, N the pairs with MQ, else 1 (5.1.2). */
unsigned net_ctrl_queue(const struct virtio_mmio *m, unsigned max_pairs);
/* A pair's receive thread (net_rx.c). */
void *net_rx_thread(void *arg);
/* The control queue's worker: serve what the driver asked. */
void net_ctrl_drain(void *arg);
/* After a device reset: one pair in use again. */
void net_reset(void *dev);
/* One control request (its readable bytes: class, command, data) against
 * max_pairs: the ack (VIRTIO_NET_OK or VIRTIO_NET_ERR) and, for a valid
 * VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, the pairs asked for in *pairs. Pure. */
uint8_t net_ctrl_command(const uint8_t *req, size_t len, unsigned max_pairs,
			 unsigned *pairs);
/* A MAC for the VM's index-th interface, stable for its name: QEMU's
 * locally administered 52:54:00 prefix, then a hash. */
void net_default_mac(const char *vm_name, unsigned index, uint8_t mac[6]);

/* 0, or a negative errno (logged). */
/* pairs: the queue pairs wanted (one per vCPU), as the link allows. */
int virtio_net_open(struct virtio_net *n, const struct net_options *o,
		    const uint8_t mac[6], unsigned pairs,
		    const struct guest_mem *mem, struct irq_line irq);
int virtio_net_start(struct virtio_net *n);
void virtio_net_close(struct virtio_net *n);

#endif
