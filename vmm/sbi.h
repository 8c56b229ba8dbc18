/* SPDX-License-Identifier: MIT */
#ifndef VMM_SBI_H
#define VMM_SBI_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"

/* SBI 2.0 (RISC-V Supervisor Binary Interface), chapter 3: error codes. */
#define SBI_SUCCESS 0
#define SBI_ERR_FAILED -1
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3
#define SBI_ERR_DENIED -4
#define SBI_ERR_INVALID_ADDRESS -5

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02
#define SBI_EXT_DBCN 0x4442434e /* "DBCN", chapter 12 */
#define SBI_DBCN_WRITE 0
#define SBI_DBCN_READ 1
#define SBI_DBCN_WRITE_BYTE 2

/* One SBI call: a7 = ext, a6 = fid, a0..a5 = args; ret[0] -> a0 (error),
 * ret[1] -> a1 (value). Legacy calls return only a0. */
struct sbi_call {
	uint64_t ext, fid;
	uint64_t args[6];
	int64_t ret[2];
};

/* The console the SBI calls talk to. */
struct sbi_console {
	void (*write)(void *opaque, const uint8_t *buf, size_t len);
	/* Next input byte, or -1 when none is waiting. */
	int (*getchar)(void *opaque);
	void *opaque;
};

#define SBI_EXT_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_BASE 0x10
#define SBI_EXT_SRST 0x53525354 /* "SRST", chapter 10 */
#define SBI_EXT_TIME 0x54494d45 /* "TIME", chapter 6 */
#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_SPEC_VERSION (2 << 24) /* 2.0 */
#define SBI_IMPL_ID 0x564d4d /* "VMM", not an assigned id */

enum sbi_reset { SBI_RESET_SHUTDOWN, SBI_RESET_REBOOT };

struct sbi {
	const struct guest_mem *mem;
	struct sbi_console con;
	/* Set when vmm is the guest's whole SBI implementation (the trap
	 * backend): then base and SRST are answered here too. */
	void (*system_reset)(void *opaque, enum sbi_reset type);
	/* Program the supervisor timer (TIME, legacy set_timer): the
	 * interrupt is due when the time CSR reaches when. */
	void (*set_timer)(void *opaque, uint64_t when);
	void *reset_opaque; /* for both callbacks */
};

/* Serve the calls a KVM host forwards to userspace: legacy console, DBCN;
 * anything else is answered SBI_ERR_NOT_SUPPORTED. Always returns 0: no
 * guest argument can make the monitor fail. */
int sbi_handle(struct sbi *s, struct sbi_call *c);

#endif
