// SPDX-License-Identifier: MIT
/* run-ahead's quick loop (vmm/trap/quick.c) against the general step it
 * stands in for: the interpreter (interp.c) for arithmetic, branches and
 * jumps, the decoder (decode.c) for loads and stores. Random instructions
 * on random registers: whatever quick_run() runs must come out as the
 * general step has it, registers, pc and memory alike; what it leaves
 * must be something it may leave. */
#include "unit.h"

#include "../../vmm/trap/decode.h"
#include "../../vmm/trap/hart.h"
#include "../../vmm/trap/interp.h"
#include "../../vmm/trap/quick.h"

#define CODE_VA 0x80000000ULL
#define LOAD_VA 0x80001000ULL
#define STORE_VA 0x80002000ULL

static uint8_t code[4096], mem_a[2][4096], mem_b[2][4096];

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void caches(struct page_cache *c, uint8_t m[2][4096])
{
	unsigned i;

	for (i = 0; i < CACHE_PAGES * PAGE_WAYS; i++)
		c[i] = (struct page_cache){ 1, NULL };
	*page_slot(c, CACHE_FETCH, CODE_VA) =
		(struct page_cache){ CODE_VA, code };
	*page_slot(c, CACHE_LOAD, LOAD_VA) =
		(struct page_cache){ LOAD_VA, m[0] };
	*page_slot(c, CACHE_STORE, STORE_VA) =
		(struct page_cache){ STORE_VA, m[1] };
}

/* The general step on the same state: 1 when it is a plain instruction
 * run-ahead runs without stopping, with x, *pc and memory updated. */
static int reference(uint64_t *x, uint64_t *pc, uint32_t raw,
		     struct page_cache *c, struct reservation *resv)
{
	int no_stores = resv->valid;
	unsigned len = insn_length((uint16_t)raw);
	uint32_t full = len == 4 ? raw : rvc_expand((uint16_t)raw);
	struct insn in;
	uint64_t va, page;
	uint8_t *p = NULL;

	if (full && interp_alu(x, pc, full, len))
		return 1;
	insn_decode(raw, &in);
	if (in.kind == INSN_LR || in.kind == INSN_SC) { /* ahead_atomic()'s */
		va = in.rs1 ? x[in.rs1] : 0;
		page = va & ~4095ULL;
		if (va & (in.width - 1))
			return 0;
		if (page_slot(c, CACHE_STORE, va)->va == page)
			p = page_slot(c, CACHE_STORE, va)->host + (va & 4095);
		else if (in.kind == INSN_LR &&
			 page_slot(c, CACHE_LOAD, va)->va == page)
			p = page_slot(c, CACHE_LOAD, va)->host + (va & 4095);
		if (!p)
			return 0;
		va = in.kind == INSN_LR ? interp_lr(resv, p, va, in.width)
					: interp_sc(resv, p, va, in.width,
						    in.rs2 ? x[in.rs2] : 0);
		if (in.rd)
			x[in.rd] = va;
		*pc += 4;
		return 1;
	}
	if (in.kind == INSN_AMO) { /* ahead_atomic()'s, on a cached page */
		va = in.rs1 ? x[in.rs1] : 0;
		page = va & ~4095ULL;
		if (no_stores || (va & (in.width - 1)) ||
		    page_slot(c, CACHE_STORE, va)->va != page)
			return 0;
		p = page_slot(c, CACHE_STORE, va)->host + (va & 4095);
		va = interp_amo(p, in.width, raw >> 27, in.rs2 ? x[in.rs2] : 0);
		if (in.rd)
			x[in.rd] = va;
		*pc += 4;
		return 1;
	}
	if ((in.kind != INSN_LOAD && in.kind != INSN_STORE) || in.fp)
		return 0;
	va = (in.rs1 ? x[in.rs1] : 0) + (uint64_t)in.imm;
	page = va & ~4095ULL;
	if (va & (in.width - 1))
		return 0;
	if (page_slot(c, CACHE_STORE, va)->va == page)
		p = page_slot(c, CACHE_STORE, va)->host + (va & 4095);
	else if (in.kind == INSN_LOAD &&
		 page_slot(c, CACHE_LOAD, va)->va == page)
		p = page_slot(c, CACHE_LOAD, va)->host + (va & 4095);
	if (!p || (in.kind == INSN_STORE && no_stores))
		return 0;
	if (in.kind == INSN_STORE) {
		interp_store(p, in.width, in.rs2 ? x[in.rs2] : 0);
	} else if (in.rd) {
		uint64_t v = interp_load(p, in.width);

		x[in.rd] = in.sign_extend ? interp_sext(v, in.width) : v;
	}
	*pc += len;
	return 1;
}

/* A register value: small, anything, or an address in one of the pages
 * (aligned or not). */
static uint64_t random_value(void)
{
	uint64_t r = next_rand();

	switch (r % 5) {
	case 0:
		return r >> 40;
	case 1:
		return r;
	case 2:
		return LOAD_VA + (next_rand() % 4096);
	case 3:
		return STORE_VA + (next_rand() % 4096 & ~7ULL);
	default:
		return STORE_VA + 2048 + (next_rand() % 64);
	}
}

/* Opcodes quick.c knows, and some it must leave (M, AMO, SYSTEM, FP). */
static const uint32_t opcodes[] = { 0x13, 0x1b, 0x33, 0x3b, 0x37, 0x17,
				    0x6f, 0x67, 0x63, 0x03, 0x23, 0x2f,
				    0x73, 0x07, 0x27, 0x0f };

static uint32_t random_insn(void)
{
	uint64_t r = next_rand();

	if (r & 1) {
		uint16_t c = (uint16_t)(r >> 8);

		return (c & 3) == 3 ? c & ~1u : c; /* compressed */
	}
	if ((r >> 1) % 16 == 0) /* LR or SC, which random bits rarely give */
		return ((uint32_t)(r >> 16) & 0x07ff8f80u) |
		       (2u + ((r >> 5) & 1)) << 27 |
		       (2u + ((r >> 6) & 1)) << 12 | 0x2f;
	return ((uint32_t)(r >> 16) & ~0x7fu) |
	       opcodes[(r >> 1) % (sizeof(opcodes) / sizeof(opcodes[0]))];
}

/* A reservation, held or not, on the address in one of the registers,
 * with what is there now (so that an SC there may succeed) or not. */
static struct reservation random_reservation(const uint64_t *x, int held,
					     struct page_cache *c)
{
	struct reservation r = { .addr = x[1 + next_rand() % 31],
				 .val = next_rand(),
				 .valid = held };
	struct page_cache *e = page_slot(c, CACHE_STORE, r.addr);
	uint64_t v;

	if (next_rand() & 1)
		r.addr &= ~7ULL;
	if (e->va == (r.addr & ~4095ULL) && !(r.addr & 3) && next_rand() & 1) {
		memcpy(&v, e->host + (r.addr & 4095),
		       (r.addr & 4095) > 4088 ? 4 : 8);
		r.val = next_rand() & 1 ? v : (uint64_t)(int64_t)(int32_t)v;
	}
	return r;
}

/* The flat window's RAM (see one()). */
static uint8_t ram_a[3][4096], ram_b[3][4096];
#define RAM_A ((uint8_t *)ram_a)
#define RAM_B ((uint8_t *)ram_b)

static uint64_t flat_value(void)
{
	uint64_t r = next_rand();

	if (r % 4 == 0) /* in the code page, or across the window's end */
		return r & 8 ? CODE_VA + (r >> 8) % 4096
			     : CODE_VA + 3 * 4096 - 12 + (r >> 8) % 24;
	return random_value();
}

/* One instruction through quick_run() and, when it ran it, through the
 * general step on copies of the same state: both must come out the
 * same. With flat, paging off: three pages of RAM from CODE_VA (the
 * code in the first) in the flat window and no cache for quick_run;
 * the general step has all three as pages it may load from and store
 * to, and nothing beyond them. How many quick_run() ran. */
static unsigned one(uint32_t raw, uint64_t off, int held, int flat)
{
	struct page_cache ca[CACHE_PAGES * PAGE_WAYS],
		cb[CACHE_PAGES * PAGE_WAYS];
	uint64_t xa[32], xb[32], pc_b = CODE_VA + off;
	struct reservation ra, rb;
	int flush = 0;
	struct quick q = { .x = xa,
			   .pc = CODE_VA + off,
			   .cache = ca,
			   .flush = &flush,
			   .resv = &ra };
	uint8_t *ma = flat ? RAM_A : (uint8_t *)mem_a;
	uint8_t *mb = flat ? RAM_B : (uint8_t *)mem_b;
	size_t len = flat ? sizeof(ram_a) : sizeof(mem_a);
	unsigned i;

	for (i = 0; i < 32; i++)
		xa[i] = xb[i] = flat ? flat_value() : random_value();
	xa[0] = xb[0] = 0xdeadbeef; /* never read, never written */
	for (i = 0; i < len; i++)
		ma[i] = mb[i] = (uint8_t)next_rand();
	if (flat) {
		q.flat_base = CODE_VA;
		q.flat_size = sizeof(ram_a);
		q.flat_host = RAM_A;
		memcpy(RAM_A + off, &raw, (raw & 3) == 3 ? 4 : 2);
		memcpy(RAM_B + off, &raw, (raw & 3) == 3 ? 4 : 2);
		for (i = 0; i < CACHE_PAGES * PAGE_WAYS; i++)
			ca[i] = cb[i] = (struct page_cache){ 1, NULL };
		for (i = 0; i < 3; i++)
			*page_slot(cb, CACHE_STORE, CODE_VA + i * 4096) =
				(struct page_cache){ CODE_VA + i * 4096,
						     ram_b[i] };
	} else {
		memset(code, 0, sizeof(code));
		memcpy(code + off, &raw, (raw & 3) == 3 ? 4 : 2);
		caches(ca, mem_a);
		caches(cb, mem_b);
	}
	ra = rb = random_reservation(xa, held, cb);
	if (!quick_run(&q, 1))
		return 0;
	assert_int_equal(reference(xb, &pc_b, raw, cb, &rb), 1);
	if (memcmp(xa, xb, sizeof(xa)) || q.pc != pc_b || memcmp(ma, mb, len) ||
	    ra.valid != rb.valid ||
	    (ra.valid && (ra.addr != rb.addr || ra.val != rb.val)))
		fail_msg("0x%08x: quick and the general step differ%s", raw,
			 flat ? " (flat)" : "");
	return 1;
}

static void test_random_against_general(void **state)
{
	unsigned i, ran = 0;

	(void)state;
	for (i = 0; i < 400000; i++)
		ran += one(random_insn(), (next_rand() % 2046) * 2,
			   (int)(next_rand() & 1), 0);
	/* It must take a good share, or it speeds nothing up. */
	assert_true(ran > 400000 / 4);
}

static void test_flat_against_general(void **state)
{
	unsigned i, ran = 0;
	struct page_cache c[CACHE_PAGES * PAGE_WAYS];
	uint64_t x[32] = { 0 };
	int flush = 0;
	struct quick q = { .x = x,
			   .cache = c,
			   .flat_base = CODE_VA,
			   .flat_size = sizeof(ram_a),
			   .flat_host = RAM_A,
			   .flush = &flush };

	(void)state;
	for (i = 0; i < 400000; i++)
		ran += one(random_insn(), (next_rand() % 2048) * 2,
			   (int)(next_rand() & 1), 1);
	assert_true(ran > 400000 / 4);
	/* the last two bytes of the window hold half an instruction, and
	 * the bytes after it are none of the guest's */
	for (i = 0; i < CACHE_PAGES * PAGE_WAYS; i++)
		c[i] = (struct page_cache){ 1, NULL };
	memcpy(ram_a[2] + 4094, &(uint16_t){ 0x0593 }, 2);
	q.pc = CODE_VA + sizeof(ram_a) - 2;
	assert_int_equal(quick_run(&q, 1), 0);
	memcpy(ram_a[2] + 4094, &(uint16_t){ 0x0505 }, 2); /* c.addi a0, 1 */
	assert_int_equal(quick_run(&q, 2), 1);
	assert_int_equal(x[10], 1);
	assert_int_equal(q.pc, CODE_VA + sizeof(ram_a));
}

/* What a kernel runs most: each of these quick_run takes itself. */
static void test_common_ones_taken(void **state)
{
	static const uint32_t common[] = {
		0x00a00593, /* addi a1, zero, 10 */
		0x00b50533, /* add a0, a0, a1 */
		0x852e, /* c.mv a0, a1 */
		0x0505, /* c.addi a0, 1 */
		0x4501, /* c.li a0, 0 */
		0x6398, /* c.ld a4, 0(a5) */
		0xe398, /* c.sd a4, 0(a5) */
		0xc111, /* c.beqz a0, +4 */
		0xa011, /* c.j +4 */
		0x8082, /* c.jr ra */
		0x60a2, /* c.ldsp ra, 8(sp) */
		0xe406, /* c.sdsp ra, 8(sp) */
		0x0007b703, /* ld a4, 0(a5) */
		0x00e7b023, /* sd a4, 0(a5) */
		0x00b50463, /* beq a0, a1, +8 */
		0x008000ef, /* jal ra, +8 */
		0x000080e7, /* jalr ra, 0(ra) */
		0x000125b7, /* lui a1, 0x12 */
		0x0ff0000f, /* fence */
		0x02b50533, /* mul a0, a0, a1 */
		0x02b54533, /* div a0, a0, a1 */
		0x00e7a02f, /* amoadd.w zero, a4, (a5) */
	};
	struct page_cache c[CACHE_PAGES * PAGE_WAYS];
	uint64_t x[32] = { 0 };
	int flush = 0;
	struct quick q = { .x = x, .cache = c, .flush = &flush };
	unsigned i;

	(void)state;
	caches(c, mem_a);
	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		memset(x, 0, sizeof(x));
		x[2] = STORE_VA + 512; /* sp */
		x[15] = STORE_VA + 1024; /* a5 */
		x[1] = CODE_VA + 64; /* ra */
		memcpy(code, &common[i], 4);
		q.pc = CODE_VA;
		if (quick_run(&q, 1) != 1)
			fail_msg("0x%08x: not taken", common[i]);
	}
	/* a flush pending, a page not in the cache, a reservation's store */
	memcpy(code, &common[13], 4); /* sd a4, 0(a5) */
	flush = 1;
	q.pc = CODE_VA;
	assert_int_equal(quick_run(&q, 1), 0);
	flush = 0;
	x[15] = 0x1000;
	assert_int_equal(quick_run(&q, 1), 0); /* no page there */
	x[15] = STORE_VA;
	q.resv = &(struct reservation){ .valid = 1 };
	assert_int_equal(quick_run(&q, 1), 0);
}

/* The CSR accesses quick_run() takes (with a hart) against hart_csr()
 * on the decoder's reading of the same instruction; the ones it leaves
 * must be ones it may leave; an sstatus write that sets SIE or changes
 * SUM or MXR ends the run. */
static void test_csrs_against_general(void **state)
{
	static const unsigned csrs[] = { CSR_SSTATUS, CSR_SSCRATCH, CSR_SEPC,
					 CSR_SCAUSE,  CSR_STVAL,    0x104,
					 0x105,	      0x180,	    0x300,
					 0xc01 };
	static const enum priv privs[] = { PRIV_U, PRIV_S, PRIV_M };
	struct page_cache c[CACHE_PAGES * PAGE_WAYS];
	static uint32_t counts[4096];
	unsigned i, taken = 0;
	int flush = 0;

	(void)state;
	caches(c, mem_a);
	for (i = 0; i < 200000; i++) {
		uint64_t xa[32], xb[32], old, pc_b = CODE_VA, before;
		struct hart ha, hb;
		struct insn in;
		unsigned k, csr = csrs[next_rand() % 10];
		uint32_t raw =
			csr << 20 | (uint32_t)(next_rand() & 0xfff80) | 0x73;
		struct quick q = { .x = xa,
				   .pc = CODE_VA,
				   .cache = c,
				   .flush = &flush,
				   .hart = &ha,
				   .csr_counts = counts };
		int expect;

		hart_reset(&ha, 0, CODE_VA);
		ha.priv = privs[next_rand() % 3];
		ha.mstatus = next_rand();
		ha.sscratch = next_rand();
		ha.sepc = next_rand() & ~1ULL;
		ha.scause = next_rand();
		ha.stval = next_rand();
		hb = ha;
		for (k = 0; k < 32; k++)
			xa[k] = xb[k] = next_rand();
		memcpy(code, &raw, 4);
		before = ha.mstatus;
		if (!quick_run(&q, 1)) {
			insn_decode(raw, &in);
			assert_true(in.kind != INSN_CSR || hb.priv == PRIV_U ||
				    (csr != CSR_SSTATUS &&
				     (csr < CSR_SSCRATCH || csr > CSR_STVAL)) ||
				    hart_csr(&hb, &in,
					     in.csr_imm ? in.rs1 : xb[in.rs1],
					     &old));
			continue;
		}
		taken++;
		insn_decode(raw, &in);
		assert_int_equal(in.kind, INSN_CSR);
		assert_int_equal(hart_csr(&hb, &in,
					  in.csr_imm ? in.rs1
					  : in.rs1   ? xb[in.rs1]
						     : 0,
					  &old),
				 0);
		if (in.rd)
			xb[in.rd] = old;
		pc_b += 4;
		if (memcmp(xa, xb, sizeof(xa)) || q.pc != pc_b ||
		    memcmp(&ha, &hb, sizeof(ha)))
			fail_msg("0x%08x: quick and the general step differ",
				 raw);
		expect =
			((before ^ ha.mstatus) & (MSTATUS_SUM | MSTATUS_MXR)) ||
			((before ^ ha.mstatus) & ha.mstatus & MSTATUS_SIE);
		assert_int_equal(q.hart_changed, expect);
		assert_int_equal(q.last_privileged, 1);
	}
	assert_true(taken > 200000 / 8); /* about a quarter are its */
}

/* ECALL from U-mode and SRET, which quick_run() takes with a hart,
 * against the hart's own code as the general step calls it
 * (trap_guest_ecall, trap_privileged); what it leaves (ECALL from S- or
 * M-mode, an SRET that is illegal) must be ones it may leave. */
static void test_traps_against_general(void **state)
{
	static const enum priv privs[] = { PRIV_U, PRIV_S, PRIV_M };
	struct page_cache c[CACHE_PAGES * PAGE_WAYS];
	static uint32_t counts[4096];
	unsigned i, taken = 0;
	int flush = 0;

	(void)state;
	caches(c, mem_a);
	for (i = 0; i < 100000; i++) {
		uint32_t raw = next_rand() & 1 ? 0x00000073 : 0x10200073;
		uint64_t xa[32] = { 0 };
		struct hart ha, hb;
		struct quick q = { .x = xa,
				   .pc = CODE_VA + 8,
				   .cache = c,
				   .flush = &flush,
				   .hart = &ha,
				   .csr_counts = counts };
		int legal;

		hart_reset(&ha, 0, 0);
		ha.priv = privs[next_rand() % 3];
		ha.mstatus = next_rand();
		ha.medeleg = next_rand();
		ha.stvec = next_rand() & ~3ULL;
		ha.mtvec = next_rand() & ~3ULL;
		ha.sepc = next_rand() & ~1ULL;
		ha.mie = next_rand() & next_rand();
		ha.satp = next_rand() & 1 ? 0 : 8ULL << 60;
		hb = ha;
		hb.pc = CODE_VA + 8;
		memcpy(code + 8, &raw, 4);
		if (raw == 0x73) {
			legal = hb.priv == PRIV_U;
			if (legal)
				hart_trap(&hb, EXC_ECALL_U, 0);
		} else {
			legal = hart_sret(&hb) == 0;
		}
		if (!quick_run(&q, 1)) {
			assert_false(legal);
			continue;
		}
		taken++;
		assert_true(legal);
		/* SRET ends the run; ECALL unless it lands in S-mode with
		 * paging off and no M-mode interrupt enabled */
		assert_int_equal(q.hart_changed,
				 raw != 0x73 || hb.priv != PRIV_S ||
					 (hb.satp >> 60) != SATP_MODE_BARE ||
					 (hb.mie & (MIP_MSIP | MIP_MTIP |
						    MIP_MEIP)) != 0);
		assert_int_equal(q.last_privileged, 1);
		assert_int_equal(q.pc, hb.pc);
		ha.pc = hb.pc;
		if (memcmp(&ha, &hb, sizeof(ha)))
			fail_msg("0x%08x: quick and the general step differ",
				 raw);
	}
	assert_true(taken > 100000 / 4);
}

static uint64_t now_ticks = 1000;

static uint64_t test_time(void *opaque)
{
	(void)opaque;
	return now_ticks;
}

/* With the SBI timer's deadline to look at, an sstatus write that sets
 * SIE and an SRET end the run only when an interrupt is then due: one
 * pending and enabled, or the deadline passed. */
static void test_interrupt_due_ends_run(void **state)
{
	static uint32_t counts[4096];
	static const uint32_t csrsi_sie = 0x10016073; /* csrsi sstatus, 2 */
	static const uint32_t sret = 0x10200073;
	struct page_cache c[CACHE_PAGES * PAGE_WAYS];
	uint64_t x[32] = { 0 }, deadline;
	int flush = 0, k;
	struct hart h;
	struct quick q = { .x = x,
			   .cache = c,
			   .flush = &flush,
			   .hart = &h,
			   .csr_counts = counts,
			   .timer_deadline = &deadline };

	(void)state;
	caches(c, mem_a);
	for (k = 0; k < 8; k++) {
		int use_sret = k & 1, pending = k & 2, passed = k & 4;

		hart_reset(&h, 0, 0);
		h.time = test_time;
		h.priv = PRIV_S;
		h.mideleg = MIP_SSIP | MIP_STIP | MIP_SEIP;
		h.mie = MIP_STIP;
		h.mip = pending ? MIP_STIP : 0;
		h.mstatus = use_sret ? MSTATUS_SPIE : 0; /* back to U */
		h.sepc = CODE_VA + 64;
		deadline = passed ? now_ticks - 1 : now_ticks + 100;
		memcpy(code, use_sret ? &sret : &csrsi_sie, 4);
		q.pc = CODE_VA;
		assert_int_equal(quick_run(&q, 1), 1);
		assert_int_equal(q.hart_changed, pending || passed);
		assert_int_equal(q.pc, use_sret ? CODE_VA + 64 : CODE_VA + 4);
	}
	/* no deadline set: the timer is no reason */
	deadline = ~0ULL;
	hart_reset(&h, 0, 0);
	h.time = test_time;
	h.priv = PRIV_S;
	memcpy(code, &csrsi_sie, 4);
	q.pc = CODE_VA;
	assert_int_equal(quick_run(&q, 1), 1);
	assert_int_equal(q.hart_changed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_against_general),
		cmocka_unit_test(test_flat_against_general),
		cmocka_unit_test(test_common_ones_taken),
		cmocka_unit_test(test_csrs_against_general),
		cmocka_unit_test(test_traps_against_general),
		cmocka_unit_test(test_interrupt_due_ends_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
