// SPDX-License-Identifier: MIT
/* virtio-net's frame handling (the header on transmit, a frame spread over
 * receive buffers and its num_buffers), the default MAC and --net specs. */
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"

#include "../../virtio/net.h"
#include "../../vmm/config.h"

static void bufs(struct virtq_req *req, unsigned n, uint8_t *const addr[],
		 const uint32_t len[], int writable)
{
	unsigned i;

	memset(req, 0, sizeof(*req));
	req->nr_bufs = n;
	for (i = 0; i < n; i++)
		req->bufs[i] = (struct virtq_buf){ addr[i], len[i], writable };
}

static struct iovec iov[VIRTQ_MAX_SEGS];
static int nr_iov;

/* The header split across buffers is skipped; the frame is what follows,
 * in place (no copy). */
static void test_tx_header_across_buffers(void **state)
{
	static struct virtq_req req;
	uint8_t a[5] = { 0 }, b[20];
	uint8_t *addr[] = { a, b };
	uint32_t len[] = { sizeof(a), sizeof(b) };
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)i;
	bufs(&req, 2, addr, len, 0);
	assert_int_equal(net_tx_frame(&req, 12, 12, iov, &nr_iov), 13);
	assert_int_equal(nr_iov, 1);
	assert_ptr_equal(iov[0].iov_base, &b[7]); /* the chain's 13th byte */
	assert_int_equal(iov[0].iov_len, 13);
	assert_int_equal(net_tx_frame(&req, 10, 10, iov, &nr_iov), 15);
	assert_ptr_equal(iov[0].iov_base, &b[5]);
	/* with the header kept (a TAP device takes it): all of it */
	assert_int_equal(net_tx_frame(&req, 12, 0, iov, &nr_iov), 25);
	assert_int_equal(nr_iov, 2);
	assert_ptr_equal(iov[0].iov_base, a);
}

static void test_tx_dropped(void **state)
{
	static struct virtq_req req;
	static uint8_t big[NET_MAX_FRAME + 1];
	uint8_t hdr[12] = { 0 };
	uint8_t *addr[] = { hdr, big };
	uint32_t len[] = { sizeof(hdr), sizeof(big) };

	(void)state;
	bufs(&req, 1, addr, len, 0); /* a header and nothing else */
	assert_int_equal(net_tx_frame(&req, 12, 12, iov, &nr_iov), 0);
	assert_int_equal(net_tx_frame(&req, 12, 0, iov, &nr_iov), 0);
	len[0] = 8; /* shorter than a header */
	bufs(&req, 1, addr, len, 0);
	assert_int_equal(net_tx_frame(&req, 12, 12, iov, &nr_iov), 0);
	len[0] = 12; /* longer than any frame */
	bufs(&req, 2, addr, len, 0);
	assert_int_equal(net_tx_frame(&req, 12, 12, iov, &nr_iov), 0);
	assert_int_equal(net_tx_frame(&req, 12, 0, iov, &nr_iov), 0);
	len[1] = NET_MAX_FRAME; /* the longest there is */
	bufs(&req, 2, addr, len, 0);
	assert_int_equal(net_tx_frame(&req, 12, 12, iov, &nr_iov),
			 NET_MAX_FRAME);
}

/* Writable buffers only take what the device writes; the driver's
 * readable ones in a transmit chain end the frame. */
static void test_tx_stops_at_writable(void **state)
{
	static struct virtq_req req;
	uint8_t a[16] = { 0 }, b[16];
	uint8_t *addr[] = { a, b };
	uint32_t len[] = { sizeof(a), sizeof(b) };

	(void)state;
	bufs(&req, 2, addr, len, 0);
	req.bufs[1].writable = 1;
	assert_int_equal(net_tx_frame(&req, 12, 12, iov, &nr_iov), 4);
	assert_int_equal(nr_iov, 1);
}

/* A 30-byte frame (12 of header) over three chains of 8, 8 and 16 bytes:
 * num_buffers lands in the second chain. */
static void test_rx_spread_over_chains(void **state)
{
	static struct virtq_req req;
	uint8_t src[30], c1[8], c2[8], c3[16], *count_at[2] = { 0 };
	uint8_t *a1[] = { c1 }, *a2[] = { c2 }, *a3[] = { c3 };
	uint32_t l8[] = { 8 }, l16[] = { 16 };
	size_t done = 0;
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(100 + i);
	bufs(&req, 1, a1, l8, 1);
	done += net_rx_copy(&req, src, done, sizeof(src), count_at);
	assert_int_equal(done, 8);
	assert_null(count_at[0]);
	bufs(&req, 1, a2, l8, 1);
	done += net_rx_copy(&req, src, done, sizeof(src), count_at);
	assert_ptr_equal(count_at[0], &c2[2]); /* byte 10 of the whole */
	assert_ptr_equal(count_at[1], &c2[3]);
	bufs(&req, 1, a3, l16, 1);
	done += net_rx_copy(&req, src, done, sizeof(src), count_at);
	assert_int_equal(done, 30);
	assert_int_equal(c3[13], 129);
	assert_int_equal(c1[0], 100);
}

/* Readable buffers in a receive chain are skipped, never written. */
static void test_rx_skips_readable(void **state)
{
	static struct virtq_req req;
	uint8_t src[20] = { 1 }, r[8] = { 0 }, w[32] = { 0 };
	uint8_t *addr[] = { r, w }, *count_at[2] = { 0 };
	uint32_t len[] = { sizeof(r), sizeof(w) };

	(void)state;
	bufs(&req, 2, addr, len, 1);
	req.bufs[0].writable = 0;
	assert_int_equal(net_rx_copy(&req, src, 0, sizeof(src), count_at), 20);
	assert_int_equal(r[0], 0);
	assert_int_equal(w[0], 1);
}

/* The straight receive path's pieces: a header written and read across
 * buffers, the link's buffers after our header, a frame over chains. */
static void test_rx_iov_pieces(void **state)
{
	uint8_t a[3] = { 0 }, b[5] = { 0 }, c[8] = { 0 },
		h[6] = { 1, 2, 3, 4, 5, 6 };
	struct iovec v[3] = { { a, 3 }, { b, 5 }, { c, 8 } }, out[3];
	struct vring_used_elem used[3] = { { 7, 4 }, { 8, 4 }, { 9, 4 } };
	uint8_t back[6] = { 0 };

	(void)state;
	assert_int_equal(net_iov_copy(v, 3, 2, h, 6, 1), 6);
	assert_int_equal(a[2], 1);
	assert_int_equal(b[3], 5);
	assert_int_equal(b[4], 6);
	assert_int_equal(c[0], 0);
	assert_int_equal(net_iov_copy(v, 3, 2, back, 6, 0), 6);
	assert_memory_equal(back, h, 6);
	assert_int_equal(net_iov_copy(v, 3, 14, back, 6, 0), 2); /* the end */
	assert_int_equal(net_iov_skip(v, 3, 12, out), 1);
	assert_ptr_equal(out[0].iov_base, c + 4);
	assert_int_equal(out[0].iov_len, 4);
	assert_int_equal(net_iov_skip(v, 3, 0, out), 3);
	assert_int_equal(net_rx_spread(used, 3, 6), 2);
	assert_int_equal(used[0].len, 4);
	assert_int_equal(used[1].len, 2);
	assert_int_equal(used[2].len, 4); /* not taken: left as it was */
}

/* passt's stream: each frame after its 32-bit big-endian length, copied
 * straight into the buffers given, its length said first; one too long
 * for them says so by its length and is gone. */
static void test_stream_frames(void **state)
{
	struct net_link l;
	uint8_t in[] = { 0, 0, 0,   5,	 'h', 'e', 'l', 'l', 'o', 0,   0,
			 0, 3, 'a', 'b', 'c', 0,   0,	0,   2,	  'x', 'y' };
	uint8_t a[2], b[8] = { 0 };
	struct iovec v[2] = { { a, 2 }, { b, 8 } };
	int sv[2];

	(void)state;
	memset(&l, 0, sizeof(l));
	l.stream = 1;
	l.in = malloc(4 * (NET_MAX_FRAME + 4));
	assert_non_null(l.in);
	assert_int_equal(
		socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	l.fds[0] = sv[0];
	assert_int_equal(net_link_next_len(&l), -EAGAIN);
	assert_int_equal(write(sv[1], in, 12),
			 12); /* the second frame in part */
	assert_int_equal(net_link_next_len(&l), 5);
	assert_int_equal(net_link_recvv(&l, 0, v, 2), 5);
	assert_memory_equal(a, "he", 2);
	assert_memory_equal(b, "llo", 3);
	assert_int_equal(net_link_recvv(&l, 0, v, 2), -EAGAIN);
	assert_int_equal(write(sv[1], in + 12, sizeof(in) - 12),
			 sizeof(in) - 12);
	assert_int_equal(net_link_recvv(&l, 0, v, 1),
			 3); /* more than a holds */
	assert_int_equal(net_link_next_len(&l), 2);
	assert_int_equal(net_link_recvv(&l, 0, v, 2), 2);
	assert_memory_equal(a, "xy", 2);
	close(sv[1]);
	assert_int_equal(net_link_next_len(&l), -ECONNRESET);
	close(sv[0]);
	free(l.in);
}

/* A TAP device's header on a received frame, against what the driver
 * negotiated; and what the TAP device is told it may do. */
static void test_offloads(void **state)
{
	static struct virtio_mmio m;
	struct virtio_net_hdr h = { 0 };

	(void)state;
	m.driver_features = 1ULL << VIRTIO_F_VERSION_1;
	assert_true(net_rx_hdr_allowed(&m, (uint8_t *)&h));
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	assert_false(net_rx_hdr_allowed(&m, (uint8_t *)&h));
	assert_int_equal(net_tun_offload(&m), 0);
	m.driver_features |= 1ULL << VIRTIO_NET_F_GUEST_CSUM;
	assert_true(net_rx_hdr_allowed(&m, (uint8_t *)&h));
	assert_int_equal(net_tun_offload(&m), TUN_F_CSUM);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	assert_false(net_rx_hdr_allowed(&m, (uint8_t *)&h));
	m.driver_features |= 1ULL << VIRTIO_NET_F_GUEST_TSO4;
	assert_true(net_rx_hdr_allowed(&m, (uint8_t *)&h));
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	assert_false(net_rx_hdr_allowed(&m, (uint8_t *)&h));
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	assert_false(net_rx_hdr_allowed(&m, (uint8_t *)&h));
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP; /* never offered */
	assert_false(net_rx_hdr_allowed(&m, (uint8_t *)&h));
	m.driver_features |= 1ULL << VIRTIO_NET_F_GUEST_TSO6 |
			     1ULL << VIRTIO_NET_F_GUEST_ECN;
	assert_int_equal(net_tun_offload(&m),
			 TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN);
	/* segmentation without checksums is not a combination (5.1.3.1) */
	m.driver_features &= ~(1ULL << VIRTIO_NET_F_GUEST_CSUM);
	assert_int_equal(net_tun_offload(&m), 0);
}

/* 5.1.6.5.5: the one control command served, and what is refused. */
static void test_ctrl_mq(void **state)
{
	const uint8_t set2[] = { VIRTIO_NET_CTRL_MQ,
				 VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 2, 0 };
	const uint8_t set0[] = { VIRTIO_NET_CTRL_MQ,
				 VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 0, 0 };
	const uint8_t set257[] = { VIRTIO_NET_CTRL_MQ,
				   VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, 1, 1 };
	const uint8_t promisc[] = { VIRTIO_NET_CTRL_RX,
				    VIRTIO_NET_CTRL_RX_PROMISC, 1 };
	struct virtio_mmio m = { 0 };
	unsigned pairs = 0;

	(void)state;
	assert_int_equal(net_ctrl_command(set2, 4, 4, &pairs), VIRTIO_NET_OK);
	assert_int_equal(pairs, 2);
	pairs = 0;
	assert_int_equal(net_ctrl_command(set2, 4, 1, &pairs), VIRTIO_NET_ERR);
	assert_int_equal(net_ctrl_command(set0, 4, 4, &pairs), VIRTIO_NET_ERR);
	assert_int_equal(net_ctrl_command(set257, 4, 8, &pairs),
			 VIRTIO_NET_ERR);
	assert_int_equal(net_ctrl_command(set2, 3, 4, &pairs), VIRTIO_NET_ERR);
	assert_int_equal(net_ctrl_command(promisc, 3, 4, &pairs),
			 VIRTIO_NET_ERR);
	assert_int_equal(pairs, 0); /* nothing taken from a refusal */
	/* the control queue follows the pairs only with MQ (5.1.2) */
	m.driver_features = 1ULL << VIRTIO_NET_F_CTRL_VQ;
	assert_int_equal(net_ctrl_queue(&m, 4), 2);
	m.driver_features |= 1ULL << VIRTIO_NET_F_MQ;
	assert_int_equal(net_ctrl_queue(&m, 4), 8);
}

static void test_default_mac(void **state)
{
	uint8_t a[6], b[6], c[6];

	(void)state;
	net_default_mac("web", 0, a);
	net_default_mac("web", 0, b);
	net_default_mac("web", 1, c);
	assert_memory_equal(a, b, 6); /* stable */
	assert_memory_not_equal(a, c, 6); /* one per interface */
	assert_int_equal(a[0], 0x52); /* locally administered, unicast */
	assert_int_equal(a[1], 0x54);
	assert_int_equal(a[2], 0x00);
}

static void test_parse_net(void **state)
{
	struct net_options o;
	char err[160];

	(void)state;
	assert_int_equal(parse_net("user", &o, err, sizeof(err)), 0);
	assert_false(o.tap);
	assert_int_equal(
		parse_net(
			"user,hostfwd=tcp:8022:22,hostfwd=udp:5353:53,mac=52:54:00:12:34:56",
			&o, err, sizeof(err)),
		0);
	assert_int_equal(o.nr_fwds, 2);
	assert_int_equal(o.fwds[0].host_port, 8022);
	assert_int_equal(o.fwds[0].guest_port, 22);
	assert_true(o.fwds[1].udp);
	assert_true(o.has_mac);
	assert_int_equal(o.mac[5], 0x56);
	assert_int_equal(parse_net("tap=tap0,mac=52:54:00:00:00:01", &o, err,
				   sizeof(err)),
			 0);
	assert_true(o.tap);
	assert_string_equal(o.ifname, "tap0");

	assert_int_equal(parse_net("slirp", &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "'slirp': must start with user or tap=IFNAME");
	assert_int_equal(parse_net("tap=", &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(
		parse_net("tap=averyveryverylongname", &o, err, sizeof(err)),
		-EINVAL);
	assert_int_equal(
		parse_net("user,hostfwd=tcp:0:22", &o, err, sizeof(err)),
		-EINVAL);
	assert_int_equal(
		parse_net("user,hostfwd=sctp:1:2", &o, err, sizeof(err)),
		-EINVAL);
	assert_int_equal(
		parse_net("user,hostfwd=tcp:1:2x", &o, err, sizeof(err)),
		-EINVAL);
	assert_int_equal(
		parse_net("user,mac=53:54:00:12:34:56", &o, err, sizeof(err)),
		-EINVAL); /* multicast */
	assert_int_equal(
		parse_net("user,mac=52:54:00:12:34", &o, err, sizeof(err)),
		-EINVAL);
	assert_int_equal(parse_net("user,speed=10", &o, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "unknown option 'speed' (hostfwd, mac)");
	assert_int_equal(
		parse_net("tap=tap0,hostfwd=tcp:1:2", &o, err, sizeof(err)),
		-EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_header_across_buffers),
		cmocka_unit_test(test_tx_dropped),
		cmocka_unit_test(test_tx_stops_at_writable),
		cmocka_unit_test(test_rx_spread_over_chains),
		cmocka_unit_test(test_rx_skips_readable),
		cmocka_unit_test(test_rx_iov_pieces),
		cmocka_unit_test(test_stream_frames),
		cmocka_unit_test(test_offloads),
		cmocka_unit_test(test_ctrl_mq),
		cmocka_unit_test(test_default_mac),
		cmocka_unit_test(test_parse_net),
	};

	return RUN(tests);
}
