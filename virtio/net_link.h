/* SPDX-License-Identifier: MIT */
#ifndef VMM_VIRTIO_NET_LINK_H
#define VMM_VIRTIO_NET_LINK_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

/* The host end of a virtio-net device: Ethernet frames in and out.
 *  - user: a passt child (user-mode networking: DHCP, DNS, NAT, port
 *    forwarding, no privileges) on one end of a stream socket pair, each
 *    frame after its length as a 32-bit big-endian number (QEMU's
 *    "stream" framing, which passt speaks with --fd);
 *  - tap: a TAP device, one frame per read or write; with more than one
 *    queue (IFF_MULTI_QUEUE), a file per queue, those beyond the ones in
 *    use detached so the host kernel gives them nothing. */
#define NET_MAX_FWDS 8
#define NET_MAX_FRAME 65550 /* an Ethernet header and a 64 KiB payload */
#define NET_MAX_IOV 512 /* the buffers of one chain (VIRTQ_MAX_SEGS) */
#define NET_MAX_PAIRS 8 /* queues of a TAP device: one per vCPU at most */

struct net_fwd {
	int udp;
	uint16_t host_port, guest_port;
};

struct net_options {
	int tap; /* 0: user (passt), 1: tap */
	char ifname[IFNAMSIZ]; /* tap: the device ("" in user mode) */
	uint8_t mac[6];
	int has_mac; /* else derived from the VM's name */
	struct net_fwd fwds[NET_MAX_FWDS]; /* user: hostfwd= */
	unsigned nr_fwds;
};

struct net_link {
	int fds[NET_MAX_PAIRS]; /* nonblocking, one per queue */
	unsigned nr_queues; /* user: 1 */
	unsigned attached; /* tap: a bit per queue the device gives frames */
	int single_queue; /* tap: more were asked, the device has one */
	int stream; /* frames after their 32-bit big-endian length */
	unsigned vnet_hdr; /* tap: frames after a virtio-net header this long */
	pid_t passt; /* the child we started, or 0 */
	int created; /* we made the TAP device: it goes with us */
	unsigned mtu; /* tap: the device's */
	char ifname[IFNAMSIZ];
	/* stream: bytes read but not yet a whole frame */
	uint8_t *in;
	size_t in_off, in_len;
};

/* With up to `queues` queues (a TAP device made without multi_queue has
 * one): 0, or a negative errno with one line in err (what is missing and
 * how to get it). */
int net_link_open(struct net_link *l, const struct net_options *o,
		  unsigned queues, char *err, size_t errlen);
/* tap: the first n queues get frames from the host kernel, the rest none:
 * 0 or a negative errno. */
int net_link_use_queues(struct net_link *l, unsigned n);
/* One frame out on queue q, whole, from n pieces of len bytes in all: 0, -EAGAIN
 * (the host end is full: drop it), or another negative errno (the host end
 * is gone). iov may be changed. */
int net_link_sendv(struct net_link *l, unsigned q, struct iovec *iov, int n,
		   size_t len);
/* tap: what the device may now give us (TUN_F_* of <linux/if_tun.h>) and
 * the header length the driver chose: 0 or a negative errno. */
int net_link_offload(struct net_link *l, unsigned tun_flags, unsigned hdr_len);
/* The length of the next frame a stream has (read in whole first), or
 * 0 for a TAP device (known only once read); -EAGAIN when none is whole
 * yet, another negative errno when the host end is gone or the stream
 * lost its framing. */
ssize_t net_link_next_len(struct net_link *l);
/* One frame in from queue q (after its header, with vnet_hdr) into the
 * cnt buffers of iov: its whole length, which is more than they hold when
 * it did not fit (what did is there, the rest is lost); -EAGAIN when none
 * is ready yet, or another negative errno (the host end is gone). */
ssize_t net_link_recvv(struct net_link *l, unsigned q, const struct iovec *iov,
		       int cnt);
/* After the host end went: why, if passt has ended (" (passt ...)"), else
 * "". */
void net_link_why_gone(struct net_link *l, char *buf, size_t size);
/* Ends passt (and waits for it), removes a TAP device we made. */
void net_link_close(struct net_link *l);

#endif
