// SPDX-License-Identifier: MIT
/*
 * Shadow spaces (exec.h). A hart keeps up to TRAP_SPACES guest processes,
 * one per translation its guest runs under (satp with its ASID, the
 * privilege, SUM and MXR; or paging off), each holding the shadow pages
 * filled for that translation. A switch of satp or privilege hands the
 * guest over to the process of the space it needs now, and the pages of
 * the one it left stay. A fence (sfence.vma, SBI RFENCE) does not throw
 * them away either: it marks every space stale, and before a stale space
 * runs again each page it remembers is checked against the guest's page
 * table as it is now; only pages whose translation changed go. A guest
 * that switches page tables and fences on every trap (xv6 and its kind)
 * so refills only what its page tables really changed.
 */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/futex.h>

#include "../log.h"
#include "../vm.h"
#include "exec.h"

static void key_of(const struct hart *h, struct guest_space *k)
{
	memset(k, 0, sizeof(*k));
	/* each privilege its own process, paging on or off: what the fast
	 * path may do there rests on it (fast.c) */
	k->priv = h->priv;
	if (!trap_paging_on(h))
		return;
	k->virt = 1;
	k->satp = h->satp;
	k->sum = !!(h->mstatus & MSTATUS_SUM);
	k->mxr = !!(h->mstatus & MSTATUS_MXR);
}

static int same_key(const struct guest_space *a, const struct guest_space *b)
{
	return a->virt == b->virt && a->satp == b->satp && a->priv == b->priv &&
	       a->sum == b->sum && a->mxr == b->mxr;
}

/* The entry of page in s's list (open addressing): where it is, or the
 * free one where it would go; NULL when the list is full. */
static struct shadow_page *entry(struct shadow_space *s, uint64_t page)
{
	unsigned i, h = (unsigned)((page >> 12) * 2654435761u) % SPACE_PAGES;

	for (i = 0; i < SPACE_PAGES; i++) {
		struct shadow_page *p = &s->pages[(h + i) % SPACE_PAGES];

		if (!p->used || p->va == page)
			return p;
	}
	return NULL;
}

void trap_space_record(struct trap_vcpu *v, uint64_t page, uint64_t pa,
		       int prot)
{
	struct shadow_space *s = &v->spaces[v->cur];
	struct shadow_page *p = NULL;

	if ((prot & SHADOW_X) && !(prot & SHADOW_R))
		s->exec_only = 1;
	if (s->nr < SPACE_PAGES * 3 / 4)
		p = entry(s, page);
	if (!p) {
		s->unlisted = 1; /* mapped, but not checkable: all go */
		return;
	}
	if (!p->used) {
		p->used = 1;
		p->va = page;
		s->nr++;
	}
	p->pa = pa;
	p->prot = prot;
}

/* The space remembers no page. */
static void forget_pages(struct shadow_space *s)
{
	if (s->nr)
		memset(s->pages, 0, sizeof(s->pages));
	s->nr = 0;
	s->unlisted = 0;
	s->exec_only = 0;
}

/* Everything the space's process may see goes (paging off: guest RAM
 * comes back), to be filled anew. */
static void drop_all(struct trap_vcpu *v, unsigned i)
{
	struct shadow_space *s = &v->spaces[i];
	struct sandbox *b = &v->boxes[i];

	sandbox_drop_ops(b); /* pages filled a moment ago go too */
	sandbox_unmap_all(b);
	if (!s->key.virt)
		sandbox_map(b, v->vm->mem.base, v->vm->mem.size,
			    SHADOW_R | SHADOW_W | SHADOW_X, 0);
	forget_pages(s);
	s->stale = 0;
}

/* A page still maps what it was filled with: the same guest page, the
 * same permissions, and A still set (the guest may clear it to see what
 * was used since). */
static int still_valid(struct trap_vcpu *v, const struct shadow_space *s,
		       const struct shadow_page *p)
{
	struct translation t;

	return !walk_peek(&v->vm->mem, s->key.satp, p->va, &t) &&
	       (t.pte & PTE_A) && (t.pa & PAGE_MASK) == p->pa &&
	       shadow_prot(t.pte, s->key.priv, s->key.sum, s->key.mxr) ==
		       p->prot;
}

/* A stale space about to run: its pages checked, the changed ones gone. */
static void check_space(struct trap_vcpu *v, unsigned i)
{
	struct shadow_space *s = &v->spaces[i];
	unsigned j;

	if (!s->stale)
		return;
	s->stale = 0;
	if (!s->key.virt)
		return; /* guest RAM as it is: nothing to check */
	if (s->unlisted) {
		drop_all(v, i);
		return;
	}
	for (j = 0; j < SPACE_PAGES; j++) {
		struct shadow_page *p = &s->pages[j];

		if (!p->used || p->prot < 0 || still_valid(v, s, p))
			continue;
		if (sandbox_map(&v->boxes[i], p->va, PAGE_SIZE, -1, 0)) {
			drop_all(v, i); /* more changed than one resume takes */
			return;
		}
		p->prot = -1; /* unmapped; a fill takes the entry again */
		v->stats.dropped++;
	}
}

/* A space for want: a new guest process in a free slot, else the one run
 * least recently (the current one only when there is no other) starts
 * over for it. */
static unsigned make_space(struct trap_vcpu *v, const struct guest_space *want)
{
	unsigned i, lru = v->cur;

	for (i = 0; i < TRAP_SPACES; i++) {
		if (v->spaces[i].live)
			continue;
		if (!sandbox_spawn(&v->boxes[i], &v->vm->mem,
				   &v->vm->exiting)) {
			v->spaces[i].live = 1;
			goto found;
		}
		break; /* no more processes: reuse one */
	}
	for (i = 0; i < TRAP_SPACES; i++)
		if (i != v->cur && v->spaces[i].live &&
		    (lru == v->cur || v->spaces[i].used < v->spaces[lru].used))
			lru = i;
	i = lru;
	v->stats.evicted++;
found:
	v->spaces[i].key = *want;
	drop_all(v, i); /* a new process starts with RAM at its address */
	return i;
}

/* The guest goes on in space i's process, with the registers of the one
 * it leaves (which stays parked, its pages kept). */
static void switch_to(struct trap_vcpu *v, unsigned i)
{
	if (i == v->cur)
		return;
	memcpy(v->boxes[i].regs, v->box->regs, sizeof(v->box->regs));
	pthread_mutex_lock(&v->box_lock);
	v->cur = i;
	v->box = &v->boxes[i];
	pthread_mutex_unlock(&v->box_lock);
	v->stats.switches++;
}

void trap_sync_space(struct trap_vcpu *v)
{
	struct guest_space want;
	unsigned i;
	int fence;

	key_of(&v->hart, &want);
	/* in_guest is set already: a fence asked for after this exchange
	 * waits for the next flush (wait_for_fence) */
	fence = __atomic_exchange_n(&v->flush, 0, __ATOMIC_SEQ_CST);
	if (fence)
		for (i = 0; i < TRAP_SPACES; i++)
			v->spaces[i].stale = 1;
	i = v->cur;
	if (!same_key(&v->spaces[i].key, &want)) {
		for (i = 0; i < TRAP_SPACES; i++)
			if (v->spaces[i].live &&
			    same_key(&v->spaces[i].key, &want))
				break;
		if (i == TRAP_SPACES)
			i = make_space(v, &want);
		switch_to(v, i);
	}
	check_space(v, i);
	v->spaces[i].used = ++v->ticks;
	if (!fence)
		return;
	/* the guest runs again only after the handler made these changes */
	__atomic_add_fetch(&v->flushes, 1, __ATOMIC_SEQ_CST);
	/* a system call only when an RFENCE waits: fences are frequent */
	if (__atomic_load_n(&v->fence_waiters, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &v->flushes, FUTEX_WAKE_PRIVATE, INT32_MAX,
			NULL, NULL, 0);
}

int trap_spaces_start(struct trap_vcpu *v)
{
	int err;

	pthread_mutex_lock(&v->box_lock);
	err = sandbox_spawn(&v->boxes[0], &v->vm->mem, &v->vm->exiting);
	v->cur = 0;
	v->box = &v->boxes[0];
	key_of(&v->hart, &v->spaces[0].key);
	v->spaces[0].live = !err;
	pthread_mutex_unlock(&v->box_lock);
	return err;
}

void trap_spaces_kill(struct trap_vcpu *v)
{
	unsigned i;

	pthread_mutex_lock(&v->box_lock);
	for (i = 0; i < TRAP_SPACES; i++) {
		struct shadow_space *s = &v->spaces[i];

		sandbox_kill(&v->boxes[i]);
		forget_pages(s);
		s->live = s->stale = 0;
	}
	pthread_mutex_unlock(&v->box_lock);
}
