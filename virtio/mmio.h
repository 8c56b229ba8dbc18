/* SPDX-License-Identifier: MIT */
#ifndef VMM_VIRTIO_MMIO_H
#define VMM_VIRTIO_MMIO_H

/* virtio-mmio slots (DESIGN.md memory map): slot i at BASE + i * SIZE,
 * PLIC source IRQ + i. */
#define VIRTIO_MMIO_BASE 0x10001000ULL
#define VIRTIO_MMIO_SIZE 0x1000ULL
#define VIRTIO_MMIO_IRQ 1
#define VIRTIO_MMIO_SLOTS 8

#endif
