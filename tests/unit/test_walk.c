// SPDX-License-Identifier: MIT
/* Guest page-table walks (privileged spec 4.3-4.4) against tables built by
 * hand in a small guest RAM. */
#include "unit.h"

#include <pthread.h>

#include "../../vmm/trap/walk.h"

#define BASE 0x80000000ULL
#define SIZE (8ULL << 20)
#define ROOT (BASE + 0x1000)
#define L1 (BASE + 0x2000)
#define L0 (BASE + 0x3000)
#define DATA (BASE + 0x200000) /* 2 MiB aligned */
#define SV39 (8ULL << 60 | (ROOT >> 12))
#define SV48 (9ULL << 60 | (ROOT >> 12))

static struct guest_mem mem;
static struct translation t;

static uint64_t *pte_at(uint64_t table, unsigned idx)
{
	return guest_mem_ptr(&mem, table + 8 * idx, 8);
}

static uint64_t leaf(uint64_t pa, uint64_t flags)
{
	return (pa >> 12) << 10 | flags | PTE_V;
}

static uint64_t next(uint64_t table)
{
	return (table >> 12) << 10 | PTE_V;
}

static int setup(void **state)
{
	(void)state;
	if (guest_mem_init(&mem, BASE, SIZE))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	guest_mem_free(&mem);
	return 0;
}

static int reset(void **state)
{
	(void)state;
	memset(mem.host, 0, 0x10000);
	return 0;
}

/* va 0x40_0000_1000 style: vpn2 = 1, vpn1 = 0, vpn0 = 1 */
#define VA_4K ((1ULL << 30) | 0x1000 | 0x123)

static void map_4k(uint64_t flags)
{
	*pte_at(ROOT, 1) = next(L1);
	*pte_at(L1, 0) = next(L0);
	*pte_at(L0, 1) = leaf(DATA, flags);
}

static int go(uint64_t satp, uint64_t va, enum access acc, enum priv p, int sum,
	      int mxr)
{
	memset(&t, 0, sizeof(t));
	return walk(&mem, satp, va, acc, p, sum, mxr, &t);
}

static void test_bare_and_m_mode(void **state)
{
	(void)state;
	assert_int_equal(go(0, 0x1234, ACCESS_LOAD, PRIV_S, 0, 0), 0);
	assert_int_equal(t.pa, 0x1234);
	assert_int_equal(go(SV39, 0x1234, ACCESS_LOAD, PRIV_M, 0, 0), 0);
	assert_int_equal(t.pa, 0x1234);
}

static void test_4k_page_and_ad_bits(void **state)
{
	(void)state;
	map_4k(PTE_R | PTE_W | PTE_U);
	assert_int_equal(go(SV39, VA_4K, ACCESS_LOAD, PRIV_U, 0, 0), 0);
	assert_int_equal(t.pa, DATA + 0x123);
	assert_int_equal(t.page_size, 4096);
	assert_true(*pte_at(L0, 1) & PTE_A);
	assert_false(*pte_at(L0, 1) & PTE_D);
	assert_int_equal(go(SV39, VA_4K, ACCESS_STORE, PRIV_U, 0, 0), 0);
	assert_true(*pte_at(L0, 1) & PTE_D);
}

/* The check of a shadow page after a fence: the leaf as it is, whatever
 * the access would be allowed, and nothing written back. */
static void test_peek_leaves_the_pte_alone(void **state)
{
	uint64_t before;

	(void)state;
	map_4k(PTE_R | PTE_W); /* S-only, A and D clear */
	before = *pte_at(L0, 1);
	assert_int_equal(walk_peek(&mem, SV39, VA_4K, &t), 0);
	assert_int_equal(t.pa, DATA + 0x123);
	assert_int_equal(t.pte, before);
	assert_int_equal(*pte_at(L0, 1), before);
	/* no leaf: an invalid PTE, or a non-canonical address */
	*pte_at(L0, 1) = 0;
	assert_int_equal(walk_peek(&mem, SV39, VA_4K, &t), -1);
	assert_int_equal(walk_peek(&mem, SV39, 1ULL << 40, &t), -1);
}

static void test_user_supervisor_isolation(void **state)
{
	(void)state;
	map_4k(PTE_R | PTE_W | PTE_X); /* a supervisor page */
	assert_int_equal(go(SV39, VA_4K, ACCESS_LOAD, PRIV_U, 0, 0),
			 EXC_LOAD_PAGE_FAULT);
	assert_int_equal(go(SV39, VA_4K, ACCESS_FETCH, PRIV_U, 0, 0),
			 EXC_INSN_PAGE_FAULT);
	assert_int_equal(go(SV39, VA_4K, ACCESS_LOAD, PRIV_S, 0, 0), 0);
	map_4k(PTE_R | PTE_W | PTE_X | PTE_U); /* a user page */
	assert_int_equal(go(SV39, VA_4K, ACCESS_LOAD, PRIV_S, 0, 0),
			 EXC_LOAD_PAGE_FAULT); /* SUM clear */
	assert_int_equal(go(SV39, VA_4K, ACCESS_STORE, PRIV_S, 1, 0), 0);
	/* S never executes user pages, SUM or not. */
	assert_int_equal(go(SV39, VA_4K, ACCESS_FETCH, PRIV_S, 1, 0),
			 EXC_INSN_PAGE_FAULT);
}

static void test_permissions(void **state)
{
	(void)state;
	map_4k(PTE_R | PTE_U); /* read-only */
	assert_int_equal(go(SV39, VA_4K, ACCESS_STORE, PRIV_U, 0, 0),
			 EXC_STORE_PAGE_FAULT);
	assert_int_equal(go(SV39, VA_4K, ACCESS_FETCH, PRIV_U, 0, 0),
			 EXC_INSN_PAGE_FAULT);
	map_4k(PTE_X | PTE_U); /* execute-only */
	assert_int_equal(go(SV39, VA_4K, ACCESS_LOAD, PRIV_U, 0, 0),
			 EXC_LOAD_PAGE_FAULT);
	assert_int_equal(go(SV39, VA_4K, ACCESS_LOAD, PRIV_U, 0, 1),
			 0); /* MXR */
	map_4k(PTE_W | PTE_U); /* W without R: reserved */
	assert_int_equal(go(SV39, VA_4K, ACCESS_STORE, PRIV_U, 0, 0),
			 EXC_STORE_PAGE_FAULT);
	*pte_at(L0, 1) = 0; /* not valid */
	assert_int_equal(go(SV39, VA_4K, ACCESS_LOAD, PRIV_U, 0, 0),
			 EXC_LOAD_PAGE_FAULT);
	map_4k(PTE_R | PTE_U | 1ULL << 62); /* PBMT bits: not offered */
	assert_int_equal(go(SV39, VA_4K, ACCESS_LOAD, PRIV_U, 0, 0),
			 EXC_LOAD_PAGE_FAULT);
}

static void test_superpages(void **state)
{
	(void)state;
	*pte_at(ROOT, 1) = next(L1);
	*pte_at(L1, 3) = leaf(DATA, PTE_R | PTE_W | PTE_X); /* 2 MiB */
	assert_int_equal(go(SV39, (1ULL << 30) | 3 << 21 | 0x12345, ACCESS_LOAD,
			    PRIV_S, 0, 0),
			 0);
	assert_int_equal(t.page_size, 2ULL << 20);
	assert_int_equal(t.pa, DATA + 0x12345);
	/* A megapage whose PPN[0] is not zero is misaligned: fault. */
	*pte_at(L1, 3) = leaf(DATA + 0x1000, PTE_R | PTE_W | PTE_X);
	assert_int_equal(
		go(SV39, (1ULL << 30) | 3 << 21, ACCESS_LOAD, PRIV_S, 0, 0),
		EXC_LOAD_PAGE_FAULT);
	/* A gigapage at the root: 0x80000000 is 1 GiB aligned. */
	*pte_at(ROOT, 2) = leaf(BASE, PTE_R | PTE_X);
	assert_int_equal(
		go(SV39, (2ULL << 30) + 0x345678, ACCESS_FETCH, PRIV_S, 0, 0),
		0);
	assert_int_equal(t.pa, BASE + 0x345678);
	assert_int_equal(t.page_size, 1ULL << 30);
	*pte_at(ROOT, 2) = leaf(DATA, PTE_R | PTE_X); /* 2 MiB aligned only */
	assert_int_equal(go(SV39, 2ULL << 30, ACCESS_FETCH, PRIV_S, 0, 0),
			 EXC_INSN_PAGE_FAULT);
}

static void test_malformed_tables(void **state)
{
	(void)state;
	/* Non-canonical address for Sv39. */
	assert_int_equal(go(SV39, 1ULL << 40, ACCESS_LOAD, PRIV_S, 0, 0),
			 EXC_LOAD_PAGE_FAULT);
	assert_int_equal(
		go(SV39, ~0ULL << 38 | 0x1000, ACCESS_LOAD, PRIV_S, 0, 0),
		EXC_LOAD_PAGE_FAULT); /* valid shape, empty root slot */
	/* A pointer to a table outside guest RAM: access fault. */
	*pte_at(ROOT, 1) = next(0x1000);
	assert_int_equal(go(SV39, VA_4K, ACCESS_STORE, PRIV_S, 0, 0),
			 EXC_STORE_ACCESS);
	/* The last level holding a pointer. */
	*pte_at(ROOT, 1) = next(L1);
	*pte_at(L1, 0) = next(L0);
	*pte_at(L0, 1) = next(L0);
	assert_int_equal(go(SV39, VA_4K, ACCESS_LOAD, PRIV_S, 0, 0),
			 EXC_LOAD_PAGE_FAULT);
	/* A satp whose root is outside RAM. */
	assert_int_equal(
		go(8ULL << 60 | 0x10, VA_4K, ACCESS_FETCH, PRIV_S, 0, 0),
		EXC_INSN_ACCESS);
}

static void test_sv48(void **state)
{
	uint64_t l2 = BASE + 0x4000;

	(void)state;
	/* va: vpn3 = 1, vpn2 = 1, vpn1 = 0, vpn0 = 1 */
	*pte_at(ROOT, 1) = next(l2);
	*pte_at(l2, 1) = next(L1);
	*pte_at(L1, 0) = next(L0);
	*pte_at(L0, 1) = leaf(DATA, PTE_R | PTE_U);
	assert_int_equal(go(SV48, (1ULL << 39) | (1ULL << 30) | 0x1000 | 8,
			    ACCESS_LOAD, PRIV_U, 0, 0),
			 0);
	assert_int_equal(t.pa, DATA + 8);
	/* Canonical for Sv48 means bits 63..47 equal. */
	assert_int_equal(go(SV48, 1ULL << 47, ACCESS_LOAD, PRIV_U, 0, 0),
			 EXC_LOAD_PAGE_FAULT);
}

/* What a shadow page may allow: the walk's permissions, writes only once
 * dirty, and no user page executable from S-mode. */
static void test_shadow_prot(void **state)
{
	const uint64_t rwx = PTE_R | PTE_W | PTE_X | PTE_A;

	(void)state;
	assert_int_equal(shadow_prot(rwx | PTE_D, PRIV_S, 0, 0),
			 SHADOW_R | SHADOW_W | SHADOW_X);
	assert_int_equal(shadow_prot(rwx, PRIV_S, 0, 0), SHADOW_R | SHADOW_X);
	assert_int_equal(shadow_prot(rwx | PTE_D, PRIV_U, 0, 0), 0);
	assert_int_equal(shadow_prot(rwx | PTE_D | PTE_U, PRIV_U, 0, 0),
			 SHADOW_R | SHADOW_W | SHADOW_X);
	assert_int_equal(shadow_prot(rwx | PTE_D | PTE_U, PRIV_S, 0, 0), 0);
	assert_int_equal(shadow_prot(rwx | PTE_D | PTE_U, PRIV_S, 1, 0),
			 SHADOW_R | SHADOW_W);
	assert_int_equal(shadow_prot(PTE_X | PTE_A, PRIV_S, 0, 0), SHADOW_X);
	assert_int_equal(shadow_prot(PTE_X | PTE_A, PRIV_S, 0, 1),
			 SHADOW_R | SHADOW_X);
	assert_int_equal(shadow_prot(PTE_R | PTE_A | PTE_D, PRIV_S, 0, 0),
			 SHADOW_R);
}

/* A fault at addr: the instruction's data access when it touches addr's
 * page (straddling included), else the fetch. */
static void test_fault_access(void **state)
{
	struct insn in;

	(void)state;
	insn_decode(0x0005b503, &in); /* ld a0, 0(a1) */
	assert_int_equal(fault_access(&in, 0x5000, 0x5000), ACCESS_LOAD);
	assert_int_equal(fault_access(&in, 0x5000, 0x9000), ACCESS_FETCH);
	assert_int_equal(fault_access(&in, 0x5ffc, 0x6000), ACCESS_LOAD);
	insn_decode(0x00a5b023, &in); /* sd a0, 0(a1) */
	assert_int_equal(fault_access(&in, 0x5008, 0x5000), ACCESS_STORE);
	insn_decode(0x00b5302f, &in); /* amoadd.d zero, a1, (a0) */
	assert_int_equal(fault_access(&in, 0x5000, 0x5000), ACCESS_STORE);
	insn_decode(0x00000073, &in); /* ecall */
	assert_int_equal(fault_access(&in, 0x5000, 0x5000), ACCESS_FETCH);
}

/* Another hart's kernel clears and restores a leaf while walks set its
 * A/D bits (4.3.2 step 7): a walk that succeeds did so on a valid,
 * writable PTE, and A/D never land on a cleared one. */
static int flipping, flips;

static void *flip_leaf(void *arg)
{
	uint64_t *slot = arg, valid = leaf(DATA, PTE_R | PTE_W | PTE_U);

	while (__atomic_load_n(&flipping, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(slot, valid, __ATOMIC_RELEASE);
		__atomic_store_n(slot, 0, __ATOMIC_RELEASE);
		__atomic_add_fetch(&flips, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void test_ad_update_races_a_remap(void **state)
{
	uint64_t *slot, now;
	pthread_t flipper;
	unsigned i, bad = 0;

	(void)state;
	map_4k(PTE_R | PTE_W | PTE_U);
	slot = pte_at(L0, 1);
	__atomic_store_n(&flipping, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_create(&flipper, NULL, flip_leaf, slot), 0);
	while (!__atomic_load_n(&flips, __ATOMIC_ACQUIRE))
		;
	for (i = 0; i < 2000000; i++) {
		if (go(SV39, VA_4K, ACCESS_STORE, PRIV_U, 0, 0) == 0)
			bad += !(t.pte & PTE_V) || !(t.pte & PTE_W);
		now = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
		bad += !(now & PTE_V) && (now & (PTE_A | PTE_D));
	}
	__atomic_store_n(&flipping, 0, __ATOMIC_RELEASE);
	pthread_join(flipper, NULL);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bare_and_m_mode, reset),
		cmocka_unit_test_setup(test_4k_page_and_ad_bits, reset),
		cmocka_unit_test_setup(test_peek_leaves_the_pte_alone, reset),
		cmocka_unit_test_setup(test_user_supervisor_isolation, reset),
		cmocka_unit_test_setup(test_permissions, reset),
		cmocka_unit_test_setup(test_superpages, reset),
		cmocka_unit_test_setup(test_malformed_tables, reset),
		cmocka_unit_test_setup(test_sv48, reset),
		cmocka_unit_test_setup(test_ad_update_races_a_remap, reset),
		cmocka_unit_test(test_shadow_prot),
		cmocka_unit_test(test_fault_access),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
