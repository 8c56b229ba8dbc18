// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: a hostile driver's split ring against the virtqueue
 * walker, the blk request parser and the request code (with a 64 KiB
 * in-memory image), or virtio-net's frame handling (a transmit chain
 * gathered into a frame, a received frame spread over the chain), with a
 * 64 KiB guest RAM. The sanitizers turn any access outside guest RAM, the
 * image or the frame buffers into a crash.
 *
 * Input: [0] log2 queue size, [1] flags (bit 0 indirect, bit 1 event idx,
 * bit 2 read-only disk, bit 3 net instead of blk, bit 4 the legacy 10-byte
 * net header), [2..3] avail idx, then the bytes of guest RAM from
 * its start (descriptor table at 0, available ring at 0x1000, used ring at
 * 0x2000). Descriptor addresses without bit 63 are folded into twice the
 * RAM size above its base, so both good and bad addresses are common.
 */
#include <linux/virtio_net.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../virtio/blk.h"
#include "../../virtio/net.h"
#include "../../vmm/log.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (64 * 1024)

static struct guest_mem ram;
static struct virtio_blk blk;
static struct virtq vq;
static struct virtq_req req;
static struct blk_request br;
static uint8_t frame[NET_HDR_MAX + NET_MAX_FRAME];

/* A transmit chain gathered, then the same bytes given back as a received
 * frame over the chain's writable buffers: what virtio-net does with
 * chains a driver offers. */
static uint32_t net_request(const struct virtq_req *r, unsigned hdr_len)
{
	static struct iovec iov[VIRTQ_MAX_SEGS];
	uint8_t *count_at[2] = { 0 };
	size_t len = 0, got;
	unsigned pairs = 0;
	int i, n;

	got = net_tx_frame(r, hdr_len, hdr_len, iov, &n);
	for (i = 0; got && i < n; i++) {
		memcpy(frame + hdr_len + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	if (len != got)
		__builtin_trap();
	/* the same bytes as a control command */
	if (net_ctrl_command(frame + hdr_len, len, 8, &pairs) ==
		    VIRTIO_NET_OK &&
	    (pairs < 1 || pairs > 8))
		__builtin_trap();
	if (!len)
		len = 60; /* a minimal frame of zeroes */
	return net_rx_copy(r, frame, 0, hdr_len + len, count_at);
}

static void init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	log_level = LOG_ERROR;
	guest_mem_init(&ram, RAM_BASE, RAM_SIZE);
	blk.fd = memfd_create("fuzz-disk", 0);
	if (ftruncate(blk.fd, 64 * 1024))
		__builtin_trap();
	blk.sectors = 64 * 1024 / BLK_SECTOR;
	memcpy(blk.id, "fuzz", 4);
}

static void fold_addresses(uint16_t num)
{
	struct vring_desc *d = (struct vring_desc *)ram.host;
	unsigned i;

	for (i = 0; i < num; i++)
		if (!(d[i].addr >> 63))
			d[i].addr = RAM_BASE + d[i].addr % (2 * RAM_SIZE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned rounds;
	int n;

	init();
	if (size < 4)
		return 0;
	memset(ram.host, 0, RAM_SIZE);
	memcpy(ram.host, data + 4, size - 4 < RAM_SIZE ? size - 4 : RAM_SIZE);
	memset(&vq, 0, sizeof(vq));
	vq.mem = &ram;
	vq.num = (uint16_t)(1u << (data[0] % 8));
	vq.indirect = data[1] & 1;
	vq.event_idx = !!(data[1] & 2);
	blk.opt.readonly = !!(data[1] & 4);
	vq.desc_gpa = RAM_BASE;
	vq.avail_gpa = RAM_BASE + 0x1000;
	vq.used_gpa = RAM_BASE + 0x2000;
	fold_addresses(vq.num);
	if (virtq_enable(&vq))
		return 0;
	vq.avail->idx = (uint16_t)(data[2] | data[3] << 8);
	for (rounds = 0; rounds < 64; rounds++) {
		n = virtq_pop(&vq, &req);
		if (n <= 0)
			break;
		if (data[1] & 8)
			virtq_push(&vq, req.head,
				   net_request(&req, data[1] & 16 ? 10 : 12));
		else if (blk_parse(&req, &br) == 0)
			virtq_push(&vq, req.head, blk_execute(&blk, &br));
		else
			virtq_push(&vq, req.head, 0);
		virtq_should_interrupt(&vq);
	}
	virtq_prepare_wait(&vq);
	return 0;
}
