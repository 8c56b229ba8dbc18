// SPDX-License-Identifier: MIT
/*
 * Platform-Level Interrupt Controller, after the RISC-V PLIC specification
 * 1.0.0 and the SiFive register map QEMU's virt machine uses:
 *   0x000000 + 4*src      priority
 *   0x001000              pending bits
 *   0x002000 + 0x80*ctx   enable bits
 *   0x200000 + 0x1000*ctx threshold (+0) and claim/complete (+4)
 * Inputs are level-triggered: the gateway forwards a request when the wire
 * is high and that source is neither pending nor in service; completing it
 * re-arms the gateway, which forwards again if the wire is still high.
 */
#include <errno.h>
#include <string.h>

#include "plic.h"

#define PRIORITY_BASE 0x0
#define PENDING_BASE 0x1000
#define ENABLE_BASE PLIC_ENABLE_PAGE
#define ENABLE_STRIDE 0x80
_Static_assert((PLIC_NR_CONTEXTS * ENABLE_STRIDE) <= PLIC_ENABLE_PAGE_SIZE,
	       "every context's enable bits in the page");
#define CONTEXT_BASE 0x200000
#define CONTEXT_STRIDE 0x1000
#define SOURCE_MASK (~1ULL) /* source 0 does not exist */

void plic_init(struct plic *p, unsigned nr_harts, plic_notify_fn notify,
	       void *opaque)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	p->nr_harts = nr_harts;
	p->notify = notify;
	p->notify_opaque = opaque;
}

/* The enable page's copy of a context's two words. A vCPU reads it with
 * no lock: each word is stored whole. */
static void mirror(struct plic *p, unsigned ctx)
{
	uint32_t *w;

	if (!p->enable_page)
		return;
	w = p->enable_page + ctx * ENABLE_STRIDE / 4;
	__atomic_store_n(&w[0], (uint32_t)p->enable[ctx], __ATOMIC_RELEASE);
	__atomic_store_n(&w[1], (uint32_t)(p->enable[ctx] >> 32),
			 __ATOMIC_RELEASE);
}

static void mirror_all(struct plic *p)
{
	unsigned ctx;

	for (ctx = 0; ctx < PLIC_NR_CONTEXTS; ctx++)
		mirror(p, ctx);
}

void plic_mirror_enables(struct plic *p, uint32_t *page)
{
	pthread_mutex_lock(&p->lock);
	p->enable_page = page;
	if (page)
		memset(page, 0, PLIC_ENABLE_PAGE_SIZE);
	mirror_all(p);
	pthread_mutex_unlock(&p->lock);
}

void plic_reset(struct plic *p)
{
	pthread_mutex_lock(&p->lock);
	memset(p->priority, 0, sizeof(p->priority));
	memset(p->enable, 0, sizeof(p->enable));
	mirror_all(p);
	memset(p->threshold, 0, sizeof(p->threshold));
	memset(p->output, 0, sizeof(p->output));
	p->pending = p->in_service = p->level = 0;
	pthread_mutex_unlock(&p->lock);
}

static unsigned nr_contexts(const struct plic *p)
{
	return 2 * p->nr_harts;
}

/* The pending, enabled source of highest priority above the threshold
 * (lowest id wins ties), or 0. */
static unsigned best_source(const struct plic *p, unsigned ctx)
{
	uint64_t cand = p->pending & p->enable[ctx] & SOURCE_MASK;
	uint32_t best_prio = p->threshold[ctx];
	unsigned best = 0, src;

	for (src = 1; src < PLIC_NR_SOURCES; src++) {
		if (!(cand & (1ULL << src)))
			continue;
		if (p->priority[src] > best_prio) {
			best_prio = p->priority[src];
			best = src;
		}
	}
	return best;
}

/* Called with the lock held; notifies outside of nothing else. */
static void update(struct plic *p)
{
	unsigned ctx;

	for (ctx = 0; ctx < nr_contexts(p); ctx++) {
		int level = best_source(p, ctx) != 0;

		if (level == p->output[ctx])
			continue;
		p->output[ctx] = level;
		if (p->notify)
			p->notify(p->notify_opaque, ctx / 2,
				  ctx % 2 ? PLIC_MODE_S : PLIC_MODE_M, level);
	}
}

static void gateway(struct plic *p, unsigned src)
{
	uint64_t bit = 1ULL << src;

	if ((p->level & bit) && !(p->in_service & bit))
		p->pending |= bit;
}

void plic_set_irq(void *opaque, unsigned irq, int level)
{
	struct plic *p = opaque;

	if (irq == 0 || irq >= PLIC_NR_SOURCES)
		return;
	pthread_mutex_lock(&p->lock);
	if (level)
		p->level |= 1ULL << irq;
	else
		p->level &= ~(1ULL << irq);
	/* A level-triggered request that goes away before it is claimed is
	 * withdrawn, so the guest never claims a stale interrupt. */
	if (!level)
		p->pending &= ~(1ULL << irq);
	gateway(p, irq);
	update(p);
	pthread_mutex_unlock(&p->lock);
}

struct irq_line plic_irq_line(struct plic *p, unsigned irq)
{
	struct irq_line l = { .set_level = plic_set_irq,
			      .ctrl = p,
			      .irq = irq };

	return l;
}

static uint32_t claim(struct plic *p, unsigned ctx)
{
	unsigned src = best_source(p, ctx);

	if (src) {
		p->pending &= ~(1ULL << src);
		p->in_service |= 1ULL << src;
	}
	update(p);
	return src;
}

static void complete(struct plic *p, unsigned ctx, uint32_t src)
{
	/* The spec ignores a completion for a source not enabled for this
	 * context. */
	if (src == 0 || src >= PLIC_NR_SOURCES ||
	    !(p->enable[ctx] & (1ULL << src)))
		return;
	p->in_service &= ~(1ULL << src);
	gateway(p, src);
	update(p);
}

static int read_locked(struct plic *p, uint64_t off, uint64_t *val)
{
	unsigned ctx;

	if (off < PENDING_BASE) {
		unsigned src = off / 4;

		*val = src < PLIC_NR_SOURCES ? p->priority[src] : 0;
		return 0;
	}
	if (off < ENABLE_BASE) {
		unsigned word = (off - PENDING_BASE) / 4;

		*val = word < 2 ? (uint32_t)(p->pending >> (32 * word)) : 0;
		return 0;
	}
	if (off < CONTEXT_BASE) {
		unsigned word = ((off - ENABLE_BASE) % ENABLE_STRIDE) / 4;

		ctx = (off - ENABLE_BASE) / ENABLE_STRIDE;
		if (ctx >= nr_contexts(p) || word >= 2)
			return 0;
		*val = (uint32_t)(p->enable[ctx] >> (32 * word));
		return 0;
	}
	ctx = (off - CONTEXT_BASE) / CONTEXT_STRIDE;
	if (ctx >= nr_contexts(p))
		return 0;
	switch ((off - CONTEXT_BASE) % CONTEXT_STRIDE) {
	case 0:
		*val = p->threshold[ctx];
		break;
	case 4:
		*val = claim(p, ctx);
		break;
	}
	return 0;
}

static void write_locked(struct plic *p, uint64_t off, uint32_t val)
{
	unsigned ctx;

	if (off < PENDING_BASE) {
		unsigned src = off / 4;

		if (src > 0 && src < PLIC_NR_SOURCES)
			p->priority[src] = val & 7;
	} else if (off < ENABLE_BASE) {
		/* pending bits are read-only */
	} else if (off < CONTEXT_BASE) {
		unsigned word = ((off - ENABLE_BASE) % ENABLE_STRIDE) / 4;
		uint64_t mask = 0xffffffffULL << (32 * word);

		ctx = (off - ENABLE_BASE) / ENABLE_STRIDE;
		if (ctx >= nr_contexts(p) || word >= 2)
			return;
		p->enable[ctx] = (p->enable[ctx] & ~mask) |
				 (((uint64_t)val << (32 * word)) & SOURCE_MASK);
		mirror(p, ctx);
	} else {
		ctx = (off - CONTEXT_BASE) / CONTEXT_STRIDE;
		if (ctx >= nr_contexts(p))
			return;
		switch ((off - CONTEXT_BASE) % CONTEXT_STRIDE) {
		case 0:
			p->threshold[ctx] = val & 7;
			break;
		case 4:
			complete(p, ctx, val);
			return;
		}
	}
	update(p);
}

int plic_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
	struct plic *p = opaque;

	*val = 0;
	/* Registers are 32 bits wide and naturally aligned. */
	if (size != 4 || off % 4)
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	read_locked(p, off, val);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int plic_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct plic *p = opaque;

	if (size != 4 || off % 4)
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	write_locked(p, off, (uint32_t)val);
	pthread_mutex_unlock(&p->lock);
	return 0;
}
