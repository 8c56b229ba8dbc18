// SPDX-License-Identifier: MIT
/*
 * A virtio-net driver in raw split-ring operations (virtio 1.2, 2.7 and
 * 5.1) that asks passt's gateway for its MAC by ARP, then treats the device
 * as no honest driver would: frames that are only a header or too long,
 * buffers outside RAM, a descriptor loop, a receive buffer too small for
 * the frame, a flood of transmits, a receive queue left empty while the
 * answers pile up. Each must end in a dropped frame or DEVICE_NEEDS_RESET,
 * and after a reset an ARP round trip works again. Run with --net user on
 * a host whose default route passt copies (10.0.2.15, gateway 10.0.2.2).
 */
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "fw.h"

#define QNUM 8
#define RXQ 0
#define TXQ 1

struct queue {
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_used;
};

static uintptr_t dev;
static uint8_t ring_mem[2][3 * 4096] __attribute__((aligned(4096)));
static struct queue qs[2];
static uint8_t mac[6];
static uint8_t tx_frame[12 + 42];
static uint8_t rx_buf[2048];
static int failures;

static uint32_t rd(unsigned off)
{
	return mmio_read32(dev + off);
}

static void wr(unsigned off, uint32_t v)
{
	mmio_write32(dev + off, v);
}

static void setup_queue(unsigned i)
{
	struct queue *q = &qs[i];
	uint64_t a;

	for (a = 0; a < sizeof(ring_mem[i]); a++)
		ring_mem[i][a] = 0;
	q->desc = (struct vring_desc *)ring_mem[i];
	q->avail = (struct vring_avail *)(ring_mem[i] + 4096);
	q->used = (struct vring_used *)(ring_mem[i] + 8192);
	q->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	q->last_used = 0;
	fw_virtio_queue(dev, i, QNUM, q->desc, q->avail, q->used);
}

/* VERSION_1 and MAC only: no mergeable buffers, so one receive chain must
 * hold a whole frame. */
static int init_device(void)
{
	unsigned i;

	if (fw_virtio_negotiate(dev, 1u << VIRTIO_NET_F_MAC))
		return -1;
	setup_queue(RXQ);
	setup_queue(TXQ);
	for (i = 0; i < 6; i++)
		mac[i] = mmio_read8(dev + VIRTIO_MMIO_CONFIG + i);
	fw_virtio_start(dev);
	return 0;
}

/* The chain at head 0 of queue i offered (each test uses one at a time),
 * and the device told. */
static void offer_head(unsigned i)
{
	struct queue *q = &qs[i];

	q->avail->ring[q->avail->idx % QNUM] = 0;
	__sync_synchronize(); /* descriptors before the index */
	q->avail->idx++;
	__sync_synchronize(); /* the index before the notify */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, i);
}

/* One descriptor, offered. */
static void offer(unsigned i, void *addr, uint32_t len, uint16_t flags)
{
	qs[i].desc[0] = (struct vring_desc){ (uintptr_t)addr, len, flags, 0 };
	offer_head(i);
}

enum outcome { DONE, NEEDS_RESET, TIMEOUT };

/* Wait until queue i returns a chain (its length in *len). A reply from
 * passt crosses the nested host: give it seconds. */
static enum outcome wait_used(unsigned i, uint32_t *len)
{
	struct queue *q = &qs[i];
	unsigned long end = rdtime() + 10000000UL * 5; /* 10 MHz timebase */

	while (rdtime() < end) {
		if (rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET)
			return NEEDS_RESET;
		if (*(volatile uint16_t *)&q->used->idx != q->last_used) {
			__sync_synchronize();
			*len = q->used->ring[q->last_used % QNUM].len;
			q->last_used++;
			return DONE;
		}
	}
	return TIMEOUT;
}

static void put_be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Who has 10.0.2.2? Tell 10.0.2.15 (RFC 826), after a zeroed header. */
static void build_arp_request(void)
{
	uint8_t *f = tx_frame + 12;
	static const uint8_t me[4] = { 10, 0, 2, 15 }, gw[4] = { 10, 0, 2, 2 };
	unsigned i;

	for (i = 0; i < sizeof(tx_frame); i++)
		tx_frame[i] = 0;
	for (i = 0; i < 6; i++) {
		f[i] = 0xff;
		f[6 + i] = mac[i];
		f[22 + i] = mac[i];
	}
	put_be16(f + 12, 0x0806);
	put_be16(f + 14, 1); /* Ethernet */
	put_be16(f + 16, 0x0800); /* IPv4 */
	f[18] = 6;
	f[19] = 4;
	put_be16(f + 20, 1); /* request */
	for (i = 0; i < 4; i++) {
		f[28 + i] = me[i];
		f[38 + i] = gw[i];
	}
}

static int send_frame(void *addr, uint32_t len)
{
	uint32_t used_len;

	offer(TXQ, addr, len, 0);
	return wait_used(TXQ, &used_len) == DONE ? 0 : -1;
}

/* An ARP reply to us, whole, in rx_buf after the header. */
static int is_arp_reply(uint32_t len)
{
	const uint8_t *f = rx_buf + 12;
	unsigned i;

	if (len < 12 + 42 || f[12] != 0x08 || f[13] != 0x06 || f[21] != 2)
		return 0;
	for (i = 0; i < 6; i++)
		if (f[i] != mac[i])
			return 0;
	return f[28] == 10 && f[29] == 0 && f[30] == 2 && f[31] == 2;
}

/* A receive buffer of size bytes, then an ARP request: the reply's used
 * length, or -1 when none came. Other frames (passt's own) are skipped. */
static long arp_round_trip(uint32_t size)
{
	uint32_t len;
	int tries;

	build_arp_request();
	if (send_frame(tx_frame, sizeof(tx_frame)))
		return -1;
	for (tries = 0; tries < 4; tries++) {
		offer(RXQ, rx_buf, size, VRING_DESC_F_WRITE);
		if (wait_used(RXQ, &len) != DONE)
			return -1;
		if (len == 0 || is_arp_reply(len))
			return len;
	}
	return -1;
}

static void expect(const char *what, int ok)
{
	fw_printf("net: %s: %s\n", what, ok ? "as expected" : "WRONG");
	failures += !ok;
}

static void expect_reset(const char *what, enum outcome o)
{
	fw_printf("net: %s: %s\n", what,
		  o == NEEDS_RESET ? "device needs reset"
		  : o == DONE	   ? "completed"
				   : "no answer");
	failures += o != NEEDS_RESET;
	init_device();
	expect("after a reset an ARP round trip works again",
	       arp_round_trip(sizeof(rx_buf)) > 0);
}

int main(unsigned long hartid, unsigned long dtb)
{
	static uint8_t header_only[12];
	uint32_t len;
	unsigned i;

	(void)hartid;
	(void)dtb;
	dev = fw_virtio_find(1);
	if (!dev || init_device()) {
		fw_printf("net: no virtio-net device, or it refused us\n");
		return 1;
	}
	fw_printf("net: MAC %x:%x:%x:%x:%x:%x\n", mac[0], mac[1], mac[2],
		  mac[3], mac[4], mac[5]);
	expect("link up in the status field",
	       mmio_read8(dev + VIRTIO_MMIO_CONFIG + 6) & VIRTIO_NET_S_LINK_UP);
	expect("passt's gateway answers ARP",
	       arp_round_trip(sizeof(rx_buf)) == 12 + 42);
	expect("a receive buffer too small for the frame: returned empty",
	       arp_round_trip(20) == 0);
	expect("a frame that is only a header: dropped, chain returned",
	       send_frame(header_only, sizeof(header_only)) == 0);
	expect("a frame longer than 64 KiB: dropped, chain returned",
	       send_frame((void *)0x80000000UL, 70000) == 0);
	for (i = 0; i < 2000; i++) {
		build_arp_request();
		if (send_frame(tx_frame, sizeof(tx_frame)))
			break;
	}
	expect("2000 frames in a row, nothing to receive them: all sent",
	       i == 2000);
	expect("the device still works", arp_round_trip(sizeof(rx_buf)) > 0);

	offer(TXQ, (void *)0x1000, 64, 0);
	expect_reset("transmit buffer outside guest RAM", wait_used(TXQ, &len));
	qs[TXQ].desc[0] = (struct vring_desc){ (uintptr_t)tx_frame, 8,
					       VRING_DESC_F_NEXT, 1 };
	qs[TXQ].desc[1] = (struct vring_desc){ (uintptr_t)tx_frame, 8,
					       VRING_DESC_F_NEXT, 0 };
	offer_head(TXQ); /* 0 -> 1 -> 0 ... */
	expect_reset("descriptor loop", wait_used(TXQ, &len));
	build_arp_request();
	send_frame(tx_frame, sizeof(tx_frame));
	offer(RXQ, (void *)0x1000, 2048, VRING_DESC_F_WRITE);
	expect_reset("receive buffer outside guest RAM", wait_used(RXQ, &len));
	fw_printf("net: %d unexpected outcomes\n", failures);
	return failures ? 2 : 0;
}
