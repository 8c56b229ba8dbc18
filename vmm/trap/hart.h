/* SPDX-License-Identifier: MIT */
#ifndef VMM_TRAP_HART_H
#define VMM_TRAP_HART_H

#include <stdint.h>

#include "decode.h"

/*
 * The virtual hart of the trap-and-emulate backend: M- and S-level CSR
 * state, privilege, and the privileged spec's rules for CSR access, trap
 * delegation and entry, interrupt selection, MRET and SRET (RISC-V
 * privileged architecture 1.12, chapters 3 and 4). Integer registers stay
 * where the executor keeps them (the signal context); this is the rest.
 */
enum priv { PRIV_U = 0, PRIV_S = 1, PRIV_M = 3 };

/* The S-level CSRs a kernel uses all the time (4.1) */
#define CSR_SSTATUS 0x100
#define CSR_SIE 0x104
#define CSR_STVEC 0x105
#define CSR_SSCRATCH 0x140
#define CSR_SEPC 0x141
#define CSR_SCAUSE 0x142
#define CSR_STVAL 0x143
#define CSR_SIP 0x144

/* mstatus fields (3.1.6) */
#define MSTATUS_SIE (1ULL << 1)
#define MSTATUS_MIE (1ULL << 3)
#define MSTATUS_SPIE (1ULL << 5)
#define MSTATUS_UBE (1ULL << 6)
#define MSTATUS_MPIE (1ULL << 7)
#define MSTATUS_SPP (1ULL << 8)
#define MSTATUS_VS (3ULL << 9)
#define MSTATUS_MPP (3ULL << 11)
#define MSTATUS_FS (3ULL << 13)
#define MSTATUS_XS (3ULL << 15)
#define MSTATUS_MPRV (1ULL << 17)
#define MSTATUS_SUM (1ULL << 18)
#define MSTATUS_MXR (1ULL << 19)
#define MSTATUS_TVM (1ULL << 20)
#define MSTATUS_TW (1ULL << 21)
#define MSTATUS_TSR (1ULL << 22)
#define MSTATUS_UXL (3ULL << 32)
#define MSTATUS_SXL (3ULL << 34)
#define MSTATUS_SD (1ULL << 63)

/* Interrupt numbers (3.1.9) and their mip/mie bits. */
#define IRQ_S_SOFT 1
#define IRQ_M_SOFT 3
#define IRQ_S_TIMER 5
#define IRQ_M_TIMER 7
#define IRQ_S_EXT 9
#define IRQ_M_EXT 11
#define MIP_SSIP (1ULL << IRQ_S_SOFT)
#define MIP_MSIP (1ULL << IRQ_M_SOFT)
#define MIP_STIP (1ULL << IRQ_S_TIMER)
#define MIP_MTIP (1ULL << IRQ_M_TIMER)
#define MIP_SEIP (1ULL << IRQ_S_EXT)
#define MIP_MEIP (1ULL << IRQ_M_EXT)

/* Exception codes (3.1.15). */
#define EXC_INSN_MISALIGNED 0
#define EXC_INSN_ACCESS 1
#define EXC_ILLEGAL_INSN 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_S 9
#define EXC_ECALL_M 11
#define EXC_INSN_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15

#define CAUSE_INTERRUPT (1ULL << 63)

#define SATP_MODE_BARE 0ULL
#define SATP_MODE_SV39 8ULL
#define SATP_MODE_SV48 9ULL

#define MENVCFG_STCE (1ULL << 63)

struct hart {
	enum priv priv;
	uint64_t pc;
	uint64_t hartid;
	uint64_t mstatus, misa;
	uint64_t medeleg, mideleg, mie, mip;
	uint64_t mtvec, mepc, mcause, mtval, mscratch;
	uint64_t mcounteren, menvcfg;
	uint64_t stvec, sepc, scause, stval, sscratch, satp;
	uint64_t scounteren, senvcfg, stimecmp;
	uint64_t pmpcfg[16], pmpaddr[64];
	/* Time source for the time CSR and stimecmp, in timebase ticks. */
	uint64_t (*time)(void *opaque);
	void *time_opaque;
};

/* Power-on state: M-mode, pc at entry, misa RV64IMAFDC with S and U. */
void hart_reset(struct hart *h, uint64_t hartid, uint64_t entry);

/* Execute a decoded CSR instruction with the value of rs1 (or its uimm):
 * 0 with *rd_value set, or -1 for an illegal-instruction exception (the
 * caller raises it). Writes obey each register's WARL rules. */
int hart_csr(struct hart *h, const struct insn *in, uint64_t src,
	     uint64_t *rd_value);

/* Read or write one CSR as a CSRRS with x0 or a CSRRW would, with the
 * same checks and WARL rules: 0, or -1 where that would be illegal. */
int hart_csr_read(struct hart *h, unsigned csr, uint64_t *v);
int hart_csr_write(struct hart *h, unsigned csr, uint64_t v);

/* Take an exception (cause < 64) or interrupt (cause | CAUSE_INTERRUPT)
 * at the current pc: delegation, the xEPC/xCAUSE/xTVAL/xSTATUS updates and
 * the jump to xTVEC (vectored for interrupts when MODE is 1). */
void hart_trap(struct hart *h, uint64_t cause, uint64_t tval);

/* The interrupt to take now (CAUSE_INTERRUPT | code), or 0 when none:
 * pending and enabled, globally enabled for where it goes, and first in
 * the order MEI, MSI, MTI, SEI, SSI, STI (3.1.9). Sstc's STIP comes from
 * stimecmp here. */
uint64_t hart_pending_interrupt(struct hart *h);

/* mip as software reads it (with Sstc on, STIP is stimecmp's). */
uint64_t hart_mip(const struct hart *h);

/* MRET / SRET (3.3.2): 0 with pc and privilege moved, or -1 for illegal
 * (SRET in U-mode, or in S-mode with mstatus.TSR; MRET below M). */
int hart_mret(struct hart *h);
int hart_sret(struct hart *h);

#endif
