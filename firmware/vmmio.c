// SPDX-License-Identifier: MIT
/* The virtio-mmio steps every firmware driver takes (virtio 1.2, 4.2.3):
 * find a device, negotiate, give it a queue, start it. */
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "fw.h"

#define SLOT0 0x10001000UL
#define SLOTS 8

uintptr_t fw_virtio_find(uint32_t device_id)
{
	unsigned i;

	for (i = 0; i < SLOTS; i++) {
		uintptr_t dev = SLOT0 + 0x1000 * i;

		if (mmio_read32(dev + VIRTIO_MMIO_MAGIC_VALUE) == 0x74726976 &&
		    mmio_read32(dev + VIRTIO_MMIO_VERSION) == 2 &&
		    mmio_read32(dev + VIRTIO_MMIO_DEVICE_ID) == device_id)
			return dev;
	}
	return 0;
}

int fw_virtio_negotiate(uintptr_t dev, uint32_t features)
{
	const uint32_t ad =
		VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	mmio_write32(dev + VIRTIO_MMIO_STATUS, 0);
	mmio_write32(dev + VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	mmio_write32(dev + VIRTIO_MMIO_STATUS, ad);
	mmio_write32(dev + VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	mmio_write32(dev + VIRTIO_MMIO_DRIVER_FEATURES, features);
	mmio_write32(dev + VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	mmio_write32(dev + VIRTIO_MMIO_DRIVER_FEATURES,
		     1u << (VIRTIO_F_VERSION_1 - 32));
	mmio_write32(dev + VIRTIO_MMIO_STATUS,
		     ad | VIRTIO_CONFIG_S_FEATURES_OK);
	return mmio_read32(dev + VIRTIO_MMIO_STATUS) &
			       VIRTIO_CONFIG_S_FEATURES_OK
		       ? 0
		       : -1;
}

static void write64(uintptr_t dev, unsigned lo, const void *p)
{
	mmio_write32(dev + lo, (uint32_t)(uintptr_t)p);
	mmio_write32(dev + lo + 4, (uint32_t)((uintptr_t)p >> 32));
}

void fw_virtio_queue(uintptr_t dev, unsigned q, unsigned num, const void *desc,
		     const void *avail, const void *used)
{
	mmio_write32(dev + VIRTIO_MMIO_QUEUE_SEL, q);
	mmio_write32(dev + VIRTIO_MMIO_QUEUE_NUM, num);
	write64(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	write64(dev, VIRTIO_MMIO_QUEUE_AVAIL_LOW, avail);
	write64(dev, VIRTIO_MMIO_QUEUE_USED_LOW, used);
	mmio_write32(dev + VIRTIO_MMIO_QUEUE_READY, 1);
}

void fw_virtio_start(uintptr_t dev)
{
	mmio_write32(dev + VIRTIO_MMIO_STATUS,
		     mmio_read32(dev + VIRTIO_MMIO_STATUS) |
			     VIRTIO_CONFIG_S_DRIVER_OK);
}
