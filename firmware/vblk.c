// SPDX-License-Identifier: MIT
/* The smallest virtio-blk reader (virtio 1.2, 4.2 and 2.7): one
 * three-descriptor chain, polled, or completed by the device's interrupt
 * once vblk_use_interrupts() asks for it. For guests that just need a
 * sector; firmware/virtio.c drives the rings by hand to attack them. */
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "fw.h"

#define QNUM 4

static uintptr_t dev;
static unsigned slot;
static uint16_t seen; /* the used ring's index when the last request went */
static uint8_t rings[3 * 4096] __attribute__((aligned(4096)));
static struct vring_desc *const desc = (struct vring_desc *)rings;
static struct vring_avail *const avail = (struct vring_avail *)(rings + 4096);
static struct vring_used *const used = (struct vring_used *)(rings + 8192);
static struct virtio_blk_outhdr hdr;
static volatile uint8_t status;

static uint32_t rd(unsigned off)
{
	return mmio_read32(dev + off);
}

static void wr(unsigned off, uint32_t v)
{
	mmio_write32(dev + off, v);
}

int vblk_open(void)
{
	dev = fw_virtio_find(2);
	if (!dev || fw_virtio_negotiate(dev, 0))
		return -1;
	slot = (unsigned)((dev - 0x10001000UL) / 0x1000);
	avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	fw_virtio_queue(dev, 0, QNUM, desc, avail, used);
	fw_virtio_start(dev);
	return 0;
}

void vblk_use_interrupts(void)
{
	avail->flags = 0;
	__sync_synchronize();
}

unsigned vblk_irq(void)
{
	return slot + 1; /* DESIGN.md's memory map, and QEMU virt's */
}

uint32_t vblk_ack(void)
{
	uint32_t st = rd(VIRTIO_MMIO_INTERRUPT_STATUS);

	wr(VIRTIO_MMIO_INTERRUPT_ACK, st);
	return st;
}

void vblk_submit(uint64_t sector, void *buf)
{
	seen = *(volatile uint16_t *)&used->idx;
	hdr = (struct virtio_blk_outhdr){ VIRTIO_BLK_T_IN, 0, sector };
	desc[0] = (struct vring_desc){ (uintptr_t)&hdr, sizeof(hdr),
				       VRING_DESC_F_NEXT, 1 };
	desc[1] = (struct vring_desc){ (uintptr_t)buf, 512,
				       VRING_DESC_F_NEXT | VRING_DESC_F_WRITE,
				       2 };
	desc[2] = (struct vring_desc){ (uintptr_t)&status, 1,
				       VRING_DESC_F_WRITE, 0 };
	status = 0xff;
	avail->ring[avail->idx % QNUM] = 0;
	__sync_synchronize();
	avail->idx++;
	__sync_synchronize();
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

int vblk_done(void)
{
	if (*(volatile uint16_t *)&used->idx == seen)
		return 0;
	__sync_synchronize();
	return status == VIRTIO_BLK_S_OK ? 1 : -1;
}

int vblk_read(uint64_t sector, void *buf)
{
	long spins;
	int done = 0;

	vblk_submit(sector, buf);
	for (spins = 0; spins < 100000000 && !done; spins++)
		done = vblk_done();
	return done == 1 ? 0 : -1;
}
