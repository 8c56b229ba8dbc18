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

#endif
