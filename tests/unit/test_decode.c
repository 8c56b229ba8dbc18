// SPDX-License-Identifier: MIT
/* Encodings from riscv64-linux-gnu-as (objdump -M no-aliases). */
#include "unit.h"

#include "../../vmm/trap/decode.h"

enum { ZERO = 0, SP = 2, T0 = 5, S1 = 9, A0 = 10, A1, A2, A3, A4 };

static struct insn d(uint32_t raw)
{
	struct insn in;

	insn_decode(raw, &in);
	return in;
}

static void test_csr_forms(void **state)
{
	static const struct {
		uint32_t raw;
		unsigned csr, rd, rs1;
		enum csr_op op;
		int imm;
	} t[] = {
		{ 0x10059573, 0x100, A0, A1, CSR_RW,
		  0 }, /* csrrw a0,sstatus,a1 */
		{ 0x104022f3, 0x104, T0, ZERO, CSR_RS,
		  0 }, /* csrrs t0,sie,zero */
		{ 0x1414b073, 0x141, ZERO, S1, CSR_RC,
		  0 }, /* csrrc zero,sepc,s1 */
		{ 0x1802d673, 0x180, A2, 5, CSR_RW, 1 }, /* csrrwi a2,satp,5 */
		{ 0x300fe6f3, 0x300, A3, 31, CSR_RS,
		  1 }, /* csrrsi a3,mstatus,31 */
		{ 0x30007773, 0x300, A4, 0, CSR_RC,
		  1 }, /* csrrci a4,mstatus,0 */
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct insn in = d(t[i].raw);

		assert_int_equal(in.kind, INSN_CSR);
		assert_int_equal(in.len, 4);
		assert_int_equal(in.csr, t[i].csr);
		assert_int_equal(in.rd, t[i].rd);
		assert_int_equal(in.rs1, t[i].rs1);
		assert_int_equal(in.csr_op, t[i].op);
		assert_int_equal(in.csr_imm, t[i].imm);
	}
}

static void test_privileged(void **state)
{
	struct insn in;

	(void)state;
	assert_int_equal(d(0x10200073).kind, INSN_SRET);
	assert_int_equal(d(0x30200073).kind, INSN_MRET);
	assert_int_equal(d(0x10500073).kind, INSN_WFI);
	assert_int_equal(d(0x00000073).kind, INSN_ECALL);
	assert_int_equal(d(0x00100073).kind, INSN_EBREAK);
	assert_int_equal(d(0x9002).kind, INSN_EBREAK); /* c.ebreak */
	assert_int_equal(d(0x9002).len, 2);
	in = d(0x12b50073); /* sfence.vma a0,a1 */
	assert_int_equal(in.kind, INSN_SFENCE_VMA);
	assert_int_equal(in.rs1, A0);
	assert_int_equal(in.rs2, A1);
	assert_int_equal(d(0x12000073).kind, INSN_SFENCE_VMA);
	/* hfence.vvma and a reserved SYSTEM encoding are not ours. */
	assert_int_equal(insn_decode(0x22000073, &in), -1);
	assert_int_equal(in.kind, INSN_ILLEGAL);
	assert_int_equal(d(0x10300073).kind, INSN_ILLEGAL);
}

static void test_loads_and_stores(void **state)
{
	static const struct {
		uint32_t raw;
		enum insn_kind kind;
		unsigned len, width, reg, rs1;
		int64_t imm;
		int sign, fp;
	} t[] = {
		{ 0xfff58503, INSN_LOAD, 4, 1, A0, A1, -1, 1, 0 }, /* lb */
		{ 0x00259503, INSN_LOAD, 4, 2, A0, A1, 2, 1, 0 }, /* lh */
		{ 0x0045a503, INSN_LOAD, 4, 4, A0, A1, 4, 1, 0 }, /* lw */
		{ 0x0085b503, INSN_LOAD, 4, 8, A0, A1, 8, 1, 0 }, /* ld */
		{ 0x0105c503, INSN_LOAD, 4, 1, A0, A1, 16, 0, 0 }, /* lbu */
		{ 0x0205d503, INSN_LOAD, 4, 2, A0, A1, 32, 0, 0 }, /* lhu */
		{ 0x0405e503, INSN_LOAD, 4, 4, A0, A1, 64, 0, 0 }, /* lwu */
		{ 0xfec68c23, INSN_STORE, 4, 1, A2, A3, -8, 0, 0 }, /* sb */
		{ 0x00c69523, INSN_STORE, 4, 2, A2, A3, 10, 0, 0 }, /* sh */
		{ 0x00c6a623, INSN_STORE, 4, 4, A2, A3, 12, 0, 0 }, /* sw */
		{ 0x7ec6bfa3, INSN_STORE, 4, 8, A2, A3, 2047, 0, 0 }, /* sd */
		{ 0x0045a507, INSN_LOAD, 4, 4, A0, A1, 4, 0, 1 }, /* flw fa0 */
		{ 0x8005b587, INSN_LOAD, 4, 8, A1, A1, -2048, 0,
		  1 }, /* fld fa1 */
		{ 0x00c12427, INSN_STORE, 4, 4, A2, SP, 8, 0, 1 }, /* fsw fa2 */
		{ 0x00d13827, INSN_STORE, 4, 8, A3, SP, 16, 0,
		  1 }, /* fsd fa3 */
		{ 0x41c8, INSN_LOAD, 2, 4, A0, A1, 4, 1, 0 }, /* c.lw */
		{ 0x6690, INSN_LOAD, 2, 8, A2, A3, 8, 1, 0 }, /* c.ld */
		{ 0xc1c8, INSN_STORE, 2, 4, A0, A1, 4, 0, 0 }, /* c.sw */
		{ 0xe690, INSN_STORE, 2, 8, A2, A3, 8, 0, 0 }, /* c.sd */
		{ 0x4532, INSN_LOAD, 2, 4, A0, SP, 12, 1, 0 }, /* c.lwsp */
		{ 0x65c2, INSN_LOAD, 2, 8, A1, SP, 16, 1, 0 }, /* c.ldsp */
		{ 0xca32, INSN_STORE, 2, 4, A2, SP, 20, 0, 0 }, /* c.swsp */
		{ 0xec36, INSN_STORE, 2, 8, A3, SP, 24, 0, 0 }, /* c.sdsp */
		{ 0x2588, INSN_LOAD, 2, 8, A0, A1, 8, 0, 1 }, /* c.fld fa0 */
		{ 0xaa0c, INSN_STORE, 2, 8, A1, A2, 16, 0, 1 }, /* c.fsd fa1 */
		{ 0x3602, INSN_LOAD, 2, 8, A2, SP, 32, 0, 1 }, /* c.fldsp fa2 */
		{ 0xb436, INSN_STORE, 2, 8, A3, SP, 40, 0,
		  1 }, /* c.fsdsp fa3 */
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct insn in = d(t[i].raw);

		assert_int_equal(in.kind, t[i].kind);
		assert_int_equal(in.len, t[i].len);
		assert_int_equal(in.width, t[i].width);
		assert_int_equal(t[i].kind == INSN_LOAD ? in.rd : in.rs2,
				 t[i].reg);
		assert_int_equal(in.rs1, t[i].rs1);
		assert_int_equal(in.imm, t[i].imm);
		assert_int_equal(in.sign_extend, t[i].sign);
		assert_int_equal(in.fp, t[i].fp);
	}
}

static void test_atomics(void **state)
{
	struct insn in;

	(void)state;
	in = d(0x00b6252f); /* amoadd.w a0,a1,(a2) */
	assert_int_equal(in.kind, INSN_AMO);
	assert_int_equal(in.width, 4);
	assert_int_equal(in.rs1, A2);
	in = d(0x08b6352f); /* amoswap.d */
	assert_int_equal(in.kind, INSN_AMO);
	assert_int_equal(in.width, 8);
	in = d(0x1005a52f); /* lr.w a0,(a1) */
	assert_int_equal(in.kind, INSN_LR);
	assert_int_equal(in.rs1, A1);
	in = d(0x18b6352f); /* sc.d a0,a1,(a2) */
	assert_int_equal(in.kind, INSN_SC);
	assert_int_equal(in.width, 8);
}

static void test_everything_else_is_not_ours(void **state)
{
	(void)state;
	assert_int_equal(d(0x00c58533).kind, INSN_ILLEGAL); /* add */
	assert_int_equal(d(0x0505).kind, INSN_ILLEGAL); /* c.addi */
	assert_int_equal(d(0x0000).kind, INSN_ILLEGAL); /* defined illegal */
	assert_int_equal(d(0x00007003).kind, INSN_ILLEGAL); /* load funct3 7 */
	assert_int_equal(d(0x00004023).kind, INSN_ILLEGAL); /* store funct3 4 */
	assert_int_equal(d(0x00001007).kind, INSN_ILLEGAL); /* flh (Zfh) */
	assert_int_equal(d(0x4002).kind, INSN_ILLEGAL); /* c.lwsp x0 */
	assert_int_equal(insn_length(0x41c8), 2);
	assert_int_equal(insn_length(0x9503), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csr_forms),
		cmocka_unit_test(test_privileged),
		cmocka_unit_test(test_loads_and_stores),
		cmocka_unit_test(test_atomics),
		cmocka_unit_test(test_everything_else_is_not_ours),
	};

	return RUN(tests);
}
