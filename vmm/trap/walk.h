/* SPDX-License-Identifier: MIT */
#ifndef VMM_TRAP_WALK_H
#define VMM_TRAP_WALK_H

#include <stdint.h>

#include "../mem.h"
#include "hart.h"

enum access { ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE };

/* PTE bits (4.3.1) */
#define PTE_V (1ULL << 0)
#define PTE_R (1ULL << 1)
#define PTE_W (1ULL << 2)
#define PTE_X (1ULL << 3)
#define PTE_U (1ULL << 4)
#define PTE_G (1ULL << 5)
#define PTE_A (1ULL << 6)
#define PTE_D (1ULL << 7)

struct translation {
	uint64_t pa;
	uint64_t page_size; /* 4 KiB, or a superpage's size */
	uint64_t pte; /* the leaf, after the A/D update */
};

/*
 * The guest's page-table walk (privileged spec 4.3.2, Sv39 and Sv48) for
 * an access at privilege priv (MPRV already applied by the caller), with
 * mstatus.SUM and MXR. Returns 0 with *t filled, or the exception code to
 * raise: the page fault of the access type, or its access fault when a
 * page-table entry lies outside guest RAM. A and D are set in the guest's
 * PTE as hardware with Svadu would (QEMU's behaviour).
 */
int walk(const struct guest_mem *mem, uint64_t satp, uint64_t va,
	 enum access acc, enum priv priv, int sum, int mxr,
	 struct translation *t);

/*
 * The leaf that maps va under satp (paging on), as it is now: 0 with *t
 * filled (t->pte as in memory: no permission checked, A and D left as
 * they are), or -1 when no valid leaf maps it. For checking a shadow page
 * still matches its PTE.
 */
int walk_peek(const struct guest_mem *mem, uint64_t satp, uint64_t va,
	      struct translation *t);

/*
 * What a shadow mapping of the leaf pte may allow at priv (with SUM and
 * MXR): SHADOW_R, _W and _X, the accesses the walk would permit, except
 * that a page is writable only once D is set, so that the first store
 * comes back to set it.
 */
#define SHADOW_R 1
#define SHADOW_W 2
#define SHADOW_X 4
int shadow_prot(uint64_t pte, enum priv priv, int sum, int mxr);

/* Which access of the instruction in (with x[rs1] = base) made a page
 * fault at addr: its load or store when the data it touches lies on
 * addr's page, else the fetch of the instruction itself. */
enum access fault_access(const struct insn *in, uint64_t base, uint64_t addr);

#endif
