/* SPDX-License-Identifier: MIT */
#ifndef VMM_HW_PLIC_H
#define VMM_HW_PLIC_H

#include <pthread.h>
#include <stdint.h>

#include "../irq.h"

/* SiFive PLIC ("sifive,plic-1.0.0"), as on QEMU's virt machine: two contexts
 * per hart, M-mode (2 * hart) then S-mode (2 * hart + 1). */
#define PLIC_BASE 0x0c000000ULL
#define PLIC_SIZE 0x600000ULL
#define PLIC_NR_SOURCES 64 /* source 0 is reserved: riscv,ndev = 63 */
#define PLIC_MAX_HARTS 8
#define PLIC_NR_CONTEXTS (2 * PLIC_MAX_HARTS)

enum plic_mode { PLIC_MODE_M, PLIC_MODE_S };

/* Called with the new level of a hart's external interrupt input, only
 * when it changes. */
typedef void (*plic_notify_fn)(void *opaque, unsigned hart, enum plic_mode mode,
			       int level);

struct plic {
	pthread_mutex_t lock;
	unsigned nr_harts;
	uint32_t priority[PLIC_NR_SOURCES];
	uint64_t pending; /* gateway has forwarded, not yet claimed */
	uint64_t in_service; /* claimed, not yet completed */
	uint64_t level; /* current level of each input wire */
	uint64_t enable[PLIC_NR_CONTEXTS];
	uint32_t threshold[PLIC_NR_CONTEXTS];
	int output[PLIC_NR_CONTEXTS];
	plic_notify_fn notify;
	void *notify_opaque;
	uint32_t *enable_page; /* the enable bits as read, or NULL */
};

/* The enable bits' page (offsets 0x2000 to 0x2fff), which a backend can
 * map read-only into the guest so that reading them takes no exit: Linux
 * 6.1 reads its context's enable word at every completion
 * (plic_irq_eoi). Writes still come as MMIO. */
#define PLIC_ENABLE_PAGE 0x2000ULL
#define PLIC_ENABLE_PAGE_SIZE 0x1000ULL

void plic_init(struct plic *p, unsigned nr_harts, plic_notify_fn notify,
	       void *opaque);
/* Keep page (PLIC_ENABLE_PAGE_SIZE bytes) holding the enable bits as
 * the guest reads them at PLIC_ENABLE_PAGE, from now on. */
void plic_mirror_enables(struct plic *p, uint32_t *page);
/* Back to power-on state (a guest reboot). */
void plic_reset(struct plic *p);
/* Drive input wire irq (1..63) to level: safe from any thread. */
void plic_set_irq(void *plic, unsigned irq, int level);
struct irq_line plic_irq_line(struct plic *p, unsigned irq);
int plic_read(void *plic, uint64_t off, unsigned size, uint64_t *val);
int plic_write(void *plic, uint64_t off, unsigned size, uint64_t val);

#endif
