/* SPDX-License-Identifier: MIT */
#ifndef VMM_TRAP_QUICK_H
#define VMM_TRAP_QUICK_H

#include <stddef.h>
#include <stdint.h>

/*
 * The common case of running ahead (ahead.c), in one loop: what a kernel
 * runs most between two privileged instructions (RV64I and its
 * compressed forms: arithmetic, branches, jumps, fences, loads and
 * stores on pages run-ahead has already translated or, paging off, on
 * any RAM; the M extension, AMOs, LR and SC through the interpreter's
 * code), its hottest CSR accesses and its system calls' ECALL and SRET,
 * each decoded once from its bits, with no indirect jump per
 * instruction. Whatever else comes (a page not in the cache, a
 * misaligned access, floating point, the rest of SYSTEM, a reserved
 * encoding) it leaves to the general step, which is the reference: a
 * unit test runs random instructions through both.
 */

/* run-ahead's translations of the guest pages it last fetched from,
 * loaded from and stored to (va page-aligned; 1 when none): PAGE_WAYS of
 * each, by the page's number, for a kernel's code and data are spread
 * over many pages */
struct page_cache {
	uint64_t va;
	uint8_t *host;
};

enum { CACHE_FETCH, CACHE_LOAD, CACHE_STORE, CACHE_PAGES };
#define PAGE_WAYS 16

/* The entry of cache (CACHE_PAGES * PAGE_WAYS of them) for va's page. */
static inline struct page_cache *page_slot(struct page_cache *cache,
					   unsigned kind, uint64_t va)
{
	return &cache[kind * PAGE_WAYS + ((va >> 12) & (PAGE_WAYS - 1))];
}

/* The host address of va for a load or a store, from the cache: both
 * steps look it up so (a page the guest may write it may read: W without
 * R is reserved). NULL when it is not there. */
static inline uint8_t *page_cached(struct page_cache *cache, int store,
				   uint64_t va)
{
	const struct page_cache *s = page_slot(cache, CACHE_STORE, va);
	const struct page_cache *l = page_slot(cache, CACHE_LOAD, va);
	uint64_t page = va & ~4095ULL;

	if (s->va == page)
		return s->host + (va & 4095);
	if (!store && l->va == page)
		return l->host + (va & 4095);
	return NULL;
}

struct hart;
struct reservation;

struct quick {
	uint64_t *x; /* x[1..31]; x[0] is the caller's (kept, see quick_run) */
	uint64_t pc;
	struct page_cache *cache; /* CACHE_PAGES * PAGE_WAYS of them */
	/* Paging off, every address in guest RAM is the RAM's own: flat_host
	 * holds [flat_base, flat_base + flat_size), with no cache to look
	 * up or miss (flat_size 0: paging on, the cache only). Both are
	 * multiples of 8. */
	uint64_t flat_base, flat_size;
	uint8_t *flat_host;
	const int *flush; /* nonzero: the cache may be stale (atomic; read
			   * when the run starts: runs are short) */
	/* The hart's LR/SC reservation: LR and SC run here too; while it
	 * is held, stores and AMOs are the general step's (a store to the
	 * reserved address breaks it there). NULL: neither. */
	struct reservation *resv;
	int no_stores; /* quick_run's own: a reservation is held */
	/* With a hart, the CSR accesses a kernel makes most (sstatus,
	 * sscratch, sepc, scause, stval, from S- or M-mode) too, through
	 * the hart's own CSR code, each counted in csr_counts[csr]; and
	 * ECALL from U-mode and SRET, by the hart's own trap code. */
	struct hart *hart;
	uint32_t *csr_counts;
	/* The hart's SBI timer deadline (ticks; ~0: none), for whether an
	 * interrupt is due where one may have become so; NULL: another
	 * source (a CLINT) may raise one too, so the run ends there. */
	const uint64_t *timer_deadline;
	/* out: 1 + the index of the last privileged instruction run (a
	 * CSR access, ECALL, SRET; 0: none), and whether the run stopped
	 * after one that matters at once: one that changed the translation
	 * (a new privilege with paging on, an sstatus write that changes
	 * SUM or MXR), or one after which an interrupt is due (SRET, an
	 * sstatus write that sets SIE; an ECALL into M-mode's hands) */
	unsigned last_privileged;
	int hart_changed;
};

/* Run up to max instructions from q->pc: how many ran; q->pc is the next
 * one's, which quick_run does not run (0 ran: the first is not its). */
unsigned quick_run(struct quick *q, unsigned max);

#endif
