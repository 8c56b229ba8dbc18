// SPDX-License-Identifier: MIT
/* The run-ahead interpreter's integer core. Compressed/expanded pairs are
 * from riscv64-linux-gnu-as, the same line assembled with and without
 * .option rvc. */
#include "unit.h"

#include "../../vmm/trap/interp.h"

static void test_rvc_expansion(void **state)
{
	static const struct {
		uint16_t c;
		uint32_t full;
	} t[] = {
		{ 0x0808, 0x01010513 }, /* addi a0, sp, 16 */
		{ 0x1fe4, 0x3fc10493 }, /* addi s1, sp, 1020 */
		{ 0x0505, 0x00150513 }, /* addi a0, a0, 1 */
		{ 0x1781, 0xfe078793 }, /* addi a5, a5, -32 */
		{ 0x0001, 0x00000013 }, /* addi zero, zero, 0 */
		{ 0x357d, 0xfff5051b }, /* addiw a0, a0, -1 */
		{ 0x237d, 0x01f3031b }, /* addiw t1, t1, 31 */
		{ 0x4515, 0x00500513 }, /* li a0, 5 */
		{ 0x5381, 0xfe000393 }, /* li t2, -32 */
		{ 0x7139, 0xfc010113 }, /* addi sp, sp, -64 */
		{ 0x617d, 0x1f010113 }, /* addi sp, sp, 496 */
		{ 0x6505, 0x00001537 }, /* lui a0, 1 */
		{ 0x7901, 0xfffe0937 }, /* lui s2, 0xfffe0 */
		{ 0x62fd, 0x0001f2b7 }, /* lui t0, 31 */
		{ 0x8105, 0x00155513 }, /* srli a0, a0, 1 */
		{ 0x90fd, 0x03f4d493 }, /* srli s1, s1, 63 */
		{ 0x9601, 0x42065613 }, /* srai a2, a2, 32 */
		{ 0x9afd, 0xfff6f693 }, /* andi a3, a3, -1 */
		{ 0x8b1d, 0x00777713 }, /* andi a4, a4, 7 */
		{ 0x8d0d, 0x40b50533 }, /* sub a0, a0, a1 */
		{ 0x8c25, 0x00944433 }, /* xor s0, s0, s1 */
		{ 0x8fd9, 0x00e7e7b3 }, /* or a5, a5, a4 */
		{ 0x8e75, 0x00d67633 }, /* and a2, a2, a3 */
		{ 0x9d0d, 0x40b5053b }, /* subw a0, a0, a1 */
		{ 0x9fb1, 0x00c787bb }, /* addw a5, a5, a2 */
		{ 0x050e, 0x00351513 }, /* slli a0, a0, 3 */
		{ 0x1e7e, 0x03fe1e13 }, /* slli t3, t3, 63 */
		{ 0x8082, 0x00008067 }, /* jr ra */
		{ 0x8282, 0x00028067 }, /* jr t0 */
		{ 0x852e,
		  0x00b00533 }, /* mv a0, a1 (C.MV is add rd,x0,rs2; as writes addi) */
		{ 0x8dfe, 0x01f00db3 }, /* mv s11, t6 */
		{ 0x9782, 0x000780e7 }, /* jalr a5 */
		{ 0x952e, 0x00b50533 }, /* add a0, a0, a1 */
		{ 0x9f8a, 0x002f8fb3 }, /* add t6, t6, sp */
		{ 0xc501, 0x00050463 }, /* beqz a0, .+8 */
		{ 0xf0e1, 0xfc0490e3 }, /* bnez s1, .-64 */
		{ 0xcffd, 0x0e078f63 }, /* beqz a5, .+254 */
		{ 0xf201, 0xf00610e3 }, /* bnez a2, .-256 */
		{ 0xaffd, 0x7fe0006f }, /* j .+2046 */
		{ 0xb001, 0x801ff06f }, /* j .-2048 */
		{ 0xa095, 0x0640006f }, /* j .+100 */
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("0x%04x\n", t[i].c);
		assert_int_equal(rvc_expand(t[i].c), t[i].full);
	}
}

/* What interp_alu leaves to others: memory, system, FP, reserved. */
static void test_rvc_not_expanded(void **state)
{
	static const uint16_t t[] = {
		0x0000, /* illegal */
		0x4108, /* c.lw a0,0(a0) */
		0x6108, /* c.ld a0,0(a0) */
		0xe108, /* c.sd a0,0(a0) */
		0x2108, /* c.fld fa0,0(a0) */
		0x4502 + 0x0000, /* c.lwsp a0,0(sp) */
		0x9002, /* c.ebreak */
		0x8002, /* c.jr zero: reserved */
		0x6101, /* c.addi16sp 0: reserved */
		0x6501, /* c.lui a0,0: reserved */
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("0x%04x\n", t[i]);
		assert_int_equal(rvc_expand(t[i]), 0);
	}
}

static uint64_t x[32];
static uint64_t pc;

static void run(uint32_t raw)
{
	assert_int_equal(interp_alu(x, &pc, raw, 4), 1);
}

static void test_arithmetic(void **state)
{
	(void)state;
	memset(x, 0, sizeof(x));
	pc = 0x80000000;
	x[11] = 7;
	x[12] = (uint64_t)-3;
	run(0x00b50533); /* add a0,a0,a1 */
	assert_int_equal(x[10], 7);
	run(0x40c58533); /* sub a0,a1,a2 */
	assert_int_equal(x[10], 10);
	run(0x02c58533); /* mul a0,a1,a2 */
	assert_int_equal(x[10], (uint64_t)-21);
	run(0x02c5c533); /* div a0,a1,a2 */
	assert_int_equal(x[10], (uint64_t)-2);
	run(0x02c5e533); /* rem a0,a1,a2 */
	assert_int_equal(x[10], 1);
	run(0x02c5d533); /* divu a0,a1,a2: 7 / huge */
	assert_int_equal(x[10], 0);
	run(0x0205c533); /* div a0,a1,zero: all ones */
	assert_int_equal(x[10], ~0ULL);
	run(0x0205e533); /* rem a0,a1,zero: the dividend */
	assert_int_equal(x[10], 7);
	run(0x02c5b533); /* mulhu a0,a1,a2 */
	assert_int_equal(x[10], 6);
	run(0x02c59533); /* mulh a0,a1,a2 */
	assert_int_equal(x[10], ~0ULL);
	run(0x00c5a533); /* slt a0,a1,a2 */
	assert_int_equal(x[10], 0);
	run(0x00c5b533); /* sltu a0,a1,a2 */
	assert_int_equal(x[10], 1);
	run(0x43f65513); /* srai a0,a2,63 */
	assert_int_equal(x[10], ~0ULL);
	run(0x03f65513); /* srli a0,a2,63 */
	assert_int_equal(x[10], 1);
	run(0x0016151b); /* slliw a0,a2,1: -6 */
	assert_int_equal(x[10], (uint64_t)-6);
	run(0x0016551b); /* srliw a0,a2,1: 0x7ffffffe */
	assert_int_equal(x[10], 0x7ffffffe);
	run(0x02c5853b); /* mulw a0,a1,a2 */
	assert_int_equal(x[10], (uint64_t)-21);
	run(0x02c5c53b); /* divw a0,a1,a2 */
	assert_int_equal(x[10], (uint64_t)-2);
	run(0x800005b7); /* lui a1,0x80000: sign-extended */
	assert_int_equal(x[11], 0xffffffff80000000ULL);
	run(0xfff5851b); /* addiw a0,a1,-1: 32-bit wrap */
	assert_int_equal(x[10], 0x7fffffff);
	run(0x00000517); /* auipc a0,0 */
	assert_int_equal(x[10], pc - 4);
	run(0x00100013); /* addi zero,zero,1: x0 stays 0 */
	assert_int_equal(x[0], 0);
	assert_int_equal(pc, 0x80000000 + 4 * 22);
}

static void test_jumps_and_branches(void **state)
{
	(void)state;
	memset(x, 0, sizeof(x));
	pc = 0x80001000;
	run(0x0080006f); /* j .+8 */
	assert_int_equal(pc, 0x80001008);
	run(0x008000ef); /* jal ra,.+8 */
	assert_int_equal(x[1], 0x8000100c);
	assert_int_equal(pc, 0x80001010);
	x[5] = 0x80002001;
	run(0x000280e7); /* jalr ra,0(t0): bit 0 cleared */
	assert_int_equal(pc, 0x80002000);
	assert_int_equal(x[1], 0x80001014);
	x[10] = 1;
	run(0x00050463); /* beqz a0,.+8: not taken */
	assert_int_equal(pc, 0x80002004);
	run(0xfc0510e3); /* bnez a0,.-64: taken */
	assert_int_equal(pc, 0x80002004 - 64);
	/* a compressed jump links past its 2 bytes */
	assert_int_equal(interp_alu(x, &pc, rvc_expand(0x9782), 2), 1);
	assert_int_equal(x[1], 0x80002004 - 64 + 2);
}

static void test_not_mine(void **state)
{
	uint64_t before = 0x1000;

	(void)state;
	pc = before;
	assert_int_equal(interp_alu(x, &pc, 0x00053503, 4), 0); /* ld */
	assert_int_equal(interp_alu(x, &pc, 0x10059573, 4), 0); /* csrrw */
	assert_int_equal(interp_alu(x, &pc, 0x02b57553, 4), 0); /* fadd.d */
	assert_int_equal(interp_alu(x, &pc, 0x0000100f, 4), 1); /* fence.i */
	assert_int_equal(interp_alu(x, &pc, 0x0000200f, 4), 0); /* reserved */
	assert_int_equal(pc, before + 4);
}

/* AMOs (funct5 from the A chapter's table) return the old value,
 * sign-extended for .W, and leave op(old, src) behind. */
static void test_amo(void **state)
{
	uint64_t d = 5;
	uint32_t w = 0xfffffffe; /* -2 */

	(void)state;
	assert_int_equal(interp_amo(&d, 8, 0x00, 3), 5); /* AMOADD.D */
	assert_int_equal(d, 8);
	assert_int_equal(interp_amo(&d, 8, 0x01, 42), 8); /* AMOSWAP.D */
	assert_int_equal(d, 42);
	assert_int_equal(interp_amo(&d, 8, 0x0c, 0x0f), 42); /* AMOAND.D */
	assert_int_equal(d, 42 & 0x0f);
	assert_int_equal(interp_amo(&d, 8, 0x08, 0x100), 10); /* AMOOR.D */
	assert_int_equal(d, 0x10a);
	assert_int_equal(interp_amo(&d, 8, 0x04, 0x10a), 0x10a); /* AMOXOR.D */
	assert_int_equal(d, 0);
	assert_int_equal(interp_amo(&w, 4, 0x00, 1), (uint64_t)-2); /* .W */
	assert_int_equal(w, 0xffffffff);
	assert_int_equal(interp_amo(&w, 4, 0x10, 0), (uint64_t)-1); /* MIN.W */
	assert_int_equal(w, 0xffffffff); /* -1 < 0 */
	assert_int_equal(interp_amo(&w, 4, 0x18, 0), (uint64_t)-1); /* MINU */
	assert_int_equal(w, 0);
	assert_int_equal(interp_amo(&w, 4, 0x14, 7), 0); /* AMOMAX.W */
	assert_int_equal(w, 7);
	assert_int_equal(interp_amo(&w, 4, 0x1c, 0x80000000), 7); /* MAXU */
	assert_int_equal(w, 0x80000000);
	d = (uint64_t)-5;
	assert_int_equal(interp_amo(&d, 8, 0x14, 3), (uint64_t)-5); /* MAX.D */
	assert_int_equal(d, 3);
}

static void test_load_store_widths(void **state)
{
	uint8_t b[8] = { 0 };

	(void)state;
	interp_store(b, 2, 0x12345678);
	assert_int_equal(b[0], 0x78);
	assert_int_equal(b[1], 0x56);
	assert_int_equal(b[2], 0);
	assert_int_equal(interp_load(b, 2), 0x5678);
	interp_store(b, 1, 0xff);
	assert_int_equal(interp_sext(interp_load(b, 1), 1), ~0ULL);
	assert_int_equal(interp_sext(0x80000000, 4), 0xffffffff80000000ULL);
	assert_int_equal(interp_sext(0x7fff, 2), 0x7fff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rvc_expansion),
		cmocka_unit_test(test_rvc_not_expanded),
		cmocka_unit_test(test_arithmetic),
		cmocka_unit_test(test_jumps_and_branches),
		cmocka_unit_test(test_not_mine),
		cmocka_unit_test(test_amo),
		cmocka_unit_test(test_load_store_widths),
	};

	return RUN(tests);
}
