// SPDX-License-Identifier: MIT
#include "walk.h"

#define PAGE_SHIFT 12
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK ((1ULL << 44) - 1)
#define PTE_RESERVED (~0ULL << 54) /* N, PBMT and reserved: not offered */

static int page_fault(enum access acc)
{
	static const int codes[] = { EXC_INSN_PAGE_FAULT, EXC_LOAD_PAGE_FAULT,
				     EXC_STORE_PAGE_FAULT };
	return codes[acc];
}

static int access_fault(enum access acc)
{
	static const int codes[] = { EXC_INSN_ACCESS, EXC_LOAD_ACCESS,
				     EXC_STORE_ACCESS };
	return codes[acc];
}

/* 4.3.1 step 5: may this access use this leaf? */
static int permitted(uint64_t pte, enum access acc, enum priv priv, int sum,
		     int mxr)
{
	if (pte & PTE_U) {
		/* S-mode never executes user pages, and touches their data
		 * only with SUM. */
		if (priv == PRIV_S && (acc == ACCESS_FETCH || !sum))
			return 0;
	} else if (priv == PRIV_U) {
		return 0;
	}
	switch (acc) {
	case ACCESS_FETCH:
		return !!(pte & PTE_X);
	case ACCESS_LOAD:
		return (pte & PTE_R) || (mxr && (pte & PTE_X));
	default:
		return !!(pte & PTE_W);
	}
}

int shadow_prot(uint64_t pte, enum priv priv, int sum, int mxr)
{
	int prot = 0;

	if (permitted(pte, ACCESS_LOAD, priv, sum, mxr))
		prot |= SHADOW_R;
	if (permitted(pte, ACCESS_STORE, priv, sum, mxr) && (pte & PTE_D))
		prot |= SHADOW_W;
	if (permitted(pte, ACCESS_FETCH, priv, sum, mxr))
		prot |= SHADOW_X;
	return prot;
}

enum access fault_access(const struct insn *in, uint64_t base, uint64_t addr)
{
	uint64_t ea = base + (uint64_t)in->imm, page = addr >> PAGE_SHIFT;

	switch (in->kind) {
	case INSN_LOAD:
	case INSN_LR:
	case INSN_STORE:
	case INSN_SC:
	case INSN_AMO:
		/* an access may straddle two pages: either can fault */
		if (ea >> PAGE_SHIFT != page &&
		    (ea + in->width - 1) >> PAGE_SHIFT != page)
			return ACCESS_FETCH;
		/* AMOs need both: a store fault covers it */
		return in->kind == INSN_LOAD || in->kind == INSN_LR
			       ? ACCESS_LOAD
			       : ACCESS_STORE;
	default:
		return ACCESS_FETCH;
	}
}

#define WALK_AGAIN (-1) /* the leaf changed under the A/D update */
#define WALK_TRIES 64

/* The leaf PTE that maps va (4.3.2 steps 2 to 4 and 6): 0 with *slot,
 * *pte and *level, or the fault of acc. */
static int find_leaf(const struct guest_mem *mem, uint64_t satp, uint64_t va,
		     enum access acc, uint64_t **slot, uint64_t *pte,
		     int *level)
{
	uint64_t mode = satp >> 60, a;
	int levels, i, va_bits;

	levels = mode == SATP_MODE_SV48 ? 4 : 3;
	va_bits = PAGE_SHIFT + 9 * levels;
	/* The upper bits must all equal bit va_bits - 1. */
	if ((uint64_t)((int64_t)(va << (64 - va_bits)) >> (64 - va_bits)) != va)
		return page_fault(acc);
	a = (satp & PTE_PPN_MASK) << PAGE_SHIFT;
	for (i = levels - 1;; i--) {
		uint64_t vpn = (va >> (PAGE_SHIFT + 9 * i)) & 0x1ff;

		*slot = guest_mem_ptr(mem, a + vpn * 8, 8);
		if (!*slot)
			return access_fault(acc);
		*pte = __atomic_load_n(*slot, __ATOMIC_ACQUIRE);
		if (!(*pte & PTE_V) || (!(*pte & PTE_R) && (*pte & PTE_W)) ||
		    (*pte & PTE_RESERVED))
			return page_fault(acc);
		if (*pte & (PTE_R | PTE_X))
			break; /* a leaf */
		if (i == 0 || (*pte & (PTE_D | PTE_A | PTE_U)))
			return page_fault(acc); /* non-leaf: no A/D/U */
		a = ((*pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK) << PAGE_SHIFT;
	}
	/* A superpage's low PPN bits must be zero (4.3.2 step 6). */
	if (i > 0 && ((*pte >> PTE_PPN_SHIFT) & ((1ULL << (9 * i)) - 1)))
		return page_fault(acc);
	*level = i;
	return 0;
}

static void fill(struct translation *t, uint64_t va, uint64_t pte, int level)
{
	t->page_size = 1ULL << (PAGE_SHIFT + 9 * level);
	t->pa = (((pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK) << PAGE_SHIFT &
		 ~(t->page_size - 1)) |
		(va & (t->page_size - 1));
	t->pte = pte;
}

static int walk_once(const struct guest_mem *mem, uint64_t satp, uint64_t va,
		     enum access acc, enum priv priv, int sum, int mxr,
		     struct translation *t)
{
	uint64_t pte, *slot;
	int level, exc;

	if ((satp >> 60) == SATP_MODE_BARE || priv == PRIV_M) {
		t->pa = va;
		t->page_size = 1ULL << PAGE_SHIFT;
		t->pte = 0;
		return 0;
	}
	exc = find_leaf(mem, satp, va, acc, &slot, &pte, &level);
	if (exc)
		return exc;
	if (!permitted(pte, acc, priv, sum, mxr))
		return page_fault(acc);
	/* 4.3.2 step 7: the A/D update lands only on the PTE checked above,
	 * no store in between (another hart's kernel may be changing it). */
	if (!(pte & PTE_A) || (acc == ACCESS_STORE && !(pte & PTE_D))) {
		uint64_t set = PTE_A | (acc == ACCESS_STORE ? PTE_D : 0);

		if (!__atomic_compare_exchange_n(slot, &pte, pte | set, 0,
						 __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			return WALK_AGAIN;
		pte |= set;
	}
	fill(t, va, pte, level);
	return 0;
}

int walk_peek(const struct guest_mem *mem, uint64_t satp, uint64_t va,
	      struct translation *t)
{
	uint64_t pte, *slot;
	int level;

	if (find_leaf(mem, satp, va, ACCESS_LOAD, &slot, &pte, &level))
		return -1;
	fill(t, va, pte, level);
	return 0;
}

int walk(const struct guest_mem *mem, uint64_t satp, uint64_t va,
	 enum access acc, enum priv priv, int sum, int mxr,
	 struct translation *t)
{
	unsigned i;
	int r;

	/* a PTE that keeps changing under us ends as a page fault, which
	 * the guest retries */
	for (i = 0; i < WALK_TRIES; i++) {
		r = walk_once(mem, satp, va, acc, priv, sum, mxr, t);
		if (r != WALK_AGAIN)
			return r;
	}
	return page_fault(acc);
}
