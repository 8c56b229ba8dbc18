// SPDX-License-Identifier: MIT
/*
 * A virtio-blk driver in a hundred lines, driving the device through raw
 * split-ring operations (virtio 1.2, 2.7 and 4.2), then attacking it with
 * chains no honest driver builds. After each attack the device must say
 * DEVICE_NEEDS_RESET (or fail just that request), and after a reset serve
 * a good request again: the monitor must survive all of it.
 * The disk must start with "VMMDISK!".
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "fw.h"

#define QNUM 8

static uintptr_t dev;
/* The queue: descriptors, then the available and used rings a page apart. */
static uint8_t ring_mem[3 * 4096] __attribute__((aligned(4096)));
static struct vring_desc *const desc = (struct vring_desc *)ring_mem;
static struct vring_avail *const avail =
	(struct vring_avail *)(ring_mem + 4096);
static struct vring_used *const used = (struct vring_used *)(ring_mem + 8192);
static struct vring_desc table[1000] __attribute__((aligned(16)));
static struct virtio_blk_outhdr hdr;
static uint8_t data[4096] __attribute__((aligned(512)));
static volatile uint8_t status_byte;
static uint16_t last_used;
static int failures;

static uint32_t rd(unsigned off)
{
	return mmio_read32(dev + off);
}

static void wr(unsigned off, uint32_t v)
{
	mmio_write32(dev + off, v);
}

static int init_device(void)
{
	uint64_t q;

	if (fw_virtio_negotiate(dev, 1u << VIRTIO_RING_F_INDIRECT_DESC))
		return -1;
	for (q = 0; q < sizeof(ring_mem); q++)
		ring_mem[q] = 0;
	avail->idx = 0;
	avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	used->idx = 0;
	last_used = 0;
	fw_virtio_queue(dev, 0, QNUM, desc, avail, used);
	fw_virtio_start(dev);
	return 0;
}

static void set(unsigned i, void *addr, uint32_t len, uint16_t flags,
		uint16_t next)
{
	desc[i] = (struct vring_desc){ (uintptr_t)addr, len, flags, next };
}

enum outcome { DONE, NEEDS_RESET, TIMEOUT };

/* Offer the chain at head 0; wait until it is used or the device gives up. */
static enum outcome submit(uint32_t *used_len)
{
	long spins;

	status_byte = 0xff;
	avail->ring[avail->idx % QNUM] = 0;
	__sync_synchronize(); /* descriptors before the index */
	avail->idx++;
	__sync_synchronize(); /* the index before the notify */
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (spins = 0; spins < 200000000; spins++) {
		if (rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET)
			return NEEDS_RESET;
		if (*(volatile uint16_t *)&used->idx != last_used) {
			__sync_synchronize();
			*used_len = used->ring[last_used % QNUM].len;
			last_used++;
			return DONE;
		}
	}
	return TIMEOUT;
}

static void request(uint32_t type, uint64_t sector, uint32_t len, int write)
{
	hdr = (struct virtio_blk_outhdr){ type, 0, sector };
	set(0, &hdr, sizeof(hdr), VRING_DESC_F_NEXT, 1);
	set(1, data, len, VRING_DESC_F_NEXT | (write ? 0 : VRING_DESC_F_WRITE),
	    2);
	set(2, (void *)&status_byte, 1, VRING_DESC_F_WRITE, 0);
}

static void expect(const char *what, int ok)
{
	fw_printf("virtio: %s: %s\n", what, ok ? "as expected" : "WRONG");
	failures += !ok;
}

static int good_read(void)
{
	uint32_t len = 0;

	request(VIRTIO_BLK_T_IN, 0, 512, 0);
	return submit(&len) == DONE && status_byte == VIRTIO_BLK_S_OK &&
	       len == 513 && data[0] == 'V' && data[7] == '!';
}

/* After an attack: NEEDS_RESET, then a reset brings the device back. */
static void attack(const char *what)
{
	uint32_t len;
	enum outcome o = submit(&len);

	fw_printf("virtio: %s: %s\n", what,
		  o == NEEDS_RESET ? "device needs reset"
		  : o == DONE	   ? "request completed"
				   : "no answer");
	failures += o != NEEDS_RESET;
	init_device();
	expect("after a reset a good read works again", good_read());
}

int main(unsigned long hartid, unsigned long dtb)
{
	uint32_t len = 0;
	unsigned i;

	(void)hartid;
	(void)dtb;
	dev = fw_virtio_find(2);
	if (!dev || init_device()) {
		fw_printf("virtio: no virtio-blk device, or it refused us\n");
		return 1;
	}
	expect("read sector 0", good_read());
	for (i = 0; i < 512; i++)
		data[i] = (uint8_t)i;
	request(VIRTIO_BLK_T_OUT, 1, 512, 1);
	expect("write sector 1", submit(&len) == DONE && status_byte == 0);
	for (i = 0; i < 512; i++)
		data[i] = 0;
	request(VIRTIO_BLK_T_IN, 1, 512, 0);
	expect("read sector 1 back",
	       submit(&len) == DONE && status_byte == 0 && data[511] == 255);
	request(VIRTIO_BLK_T_IN, 0, 0, 0);
	expect("zero-length data buffer: completes",
	       submit(&len) == DONE && status_byte != 0xff);
	request(VIRTIO_BLK_T_IN, 1ULL << 40, 512, 0);
	expect("sector past the end: that request fails alone",
	       submit(&len) == DONE && status_byte == VIRTIO_BLK_S_IOERR);
	set(0, &hdr, sizeof(hdr), 0, 0); /* no status byte at all */
	expect("chain without a status byte: completed with nothing written",
	       submit(&len) == DONE && len == 0);
	expect("the device still works", good_read());

	request(VIRTIO_BLK_T_IN, 0, 512, 0);
	set(1, (void *)0x1000, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	attack("buffer outside guest RAM");
	request(VIRTIO_BLK_T_IN, 0, 512, 0);
	set(1, data, 0x7fffffff, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	attack("buffer running off the end of RAM");
	request(VIRTIO_BLK_T_IN, 0, 512, 0);
	set(2, (void *)&status_byte, 1, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT,
	    1);
	attack("descriptor loop");
	request(VIRTIO_BLK_T_IN, 0, 512, 0);
	set(1, data, 512, VRING_DESC_F_NEXT, 2); /* readable... */
	set(0, &hdr, sizeof(hdr), VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	attack("readable buffer after a writable one");
	for (i = 0; i < 1000; i++)
		table[i] = (struct vring_desc){
			(uintptr_t)data, 512,
			VRING_DESC_F_WRITE | (i < 999 ? VRING_DESC_F_NEXT : 0),
			(uint16_t)(i + 1)
		};
	table[0] = (struct vring_desc){ (uintptr_t)&hdr, sizeof(hdr),
					VRING_DESC_F_NEXT, 1 };
	hdr = (struct virtio_blk_outhdr){ VIRTIO_BLK_T_IN, 0, 0 };
	set(0, table, sizeof(table), VRING_DESC_F_INDIRECT, 0);
	attack("1000-element chain");
	fw_printf("virtio: %d unexpected outcomes\n", failures);
	return failures ? 2 : 0;
}
