/* SPDX-License-Identifier: MIT */
#ifndef VMM_TRAP_CSR_H
#define VMM_TRAP_CSR_H

#include <stddef.h>
#include <stdint.h>

/* CSR numbers this module emulates (privileged spec, table 2.2-2.5). */
#define CSR_SEED 0x015
#define CSR_CYCLE 0xc00
#define CSR_TIME 0xc01
#define CSR_INSTRET 0xc02
#define CSR_HPMCOUNTER3 0xc03
#define CSR_HPMCOUNTER31 0xc1f

/* seed's OPST field (Zkr, scalar crypto spec 4.1): ES16 = 16 bits ready. */
#define SEED_OPST_ES16 (2ULL << 30)

/* Virtual CSRs that the hardware (or KVM) hands to the monitor. Shared by
 * the KVM backend (KVM_EXIT_RISCV_CSR) and the trap backend. */
struct csr_emul {
	uint64_t timebase_hz;
	/* Fills buf with random bytes; returns 0 or a negative errno. */
	int (*random)(void *buf, size_t len);
	/* Nanoseconds since an arbitrary start. */
	uint64_t (*now_ns)(void);
	uint32_t warned[4096 / 32]; /* unknown CSRs already logged */
};

void csr_emul_init(struct csr_emul *c, uint64_t timebase_hz);

/* Emulate one CSR instruction: *old gets the value the instruction returns
 * in rd; the bits of new_value selected by write_mask are written. An
 * unknown CSR reads as 0 and ignores writes (logged once per CSR), since the
 * 6.1 KVM API cannot raise an illegal-instruction exception from userspace.
 * Returns 0, or -EIO when the entropy source failed. */
int csr_emulate(struct csr_emul *c, unsigned csr, uint64_t new_value,
		uint64_t write_mask, uint64_t *old);

#endif
