/* SPDX-License-Identifier: MIT */
#ifndef VMM_TRAP_EXEC_H
#define VMM_TRAP_EXEC_H

/*
 * The trap backend's executor, shared by its files (riscv64 only):
 * exec.c runs each hart's thread and its guest process, emulate.c turns a
 * report of the guest process into the hart's next state, ahead.c runs
 * the instructions after a trap, harts.c serves the SBI calls that
 * involve other harts, spaces.c keeps each hart's shadow spaces (a guest
 * process per translation), stats.c counts where the time goes.
 */
#include <pthread.h>
#include <stdint.h>

#include "../sbi.h"
#include "../vm.h"
#include "decode.h"
#include "hart.h"
#include "interp.h"
#include "sandbox.h"
#include "walk.h"

#define PAGE_SIZE 4096ULL
#define PAGE_MASK (~(PAGE_SIZE - 1))

/* What a guest process's mappings show: guest RAM at its physical
 * address (virt 0), or shadow pages for this translation (virt 1). */
struct guest_space {
	int virt;
	uint64_t satp;
	enum priv priv;
	int sum, mxr;
};

/* The shadow spaces a hart keeps (spaces.c): a guest process each, and
 * the pages filled there, remembered to be checked after a fence. Bounds:
 * TRAP_SPACES processes per hart, SPACE_PAGES remembered pages a space
 * (a space that fills more is dropped whole at its next fence). */
#define TRAP_SPACES 6
#define SPACE_PAGES 1024
struct shadow_page {
	uint64_t va, pa; /* pages */
	int prot; /* SHADOW_*, or -1: unmapped since */
	int used;
};
struct shadow_space {
	struct guest_space key;
	int live; /* its guest process runs (parked, when not current) */
	int stale; /* fenced since its pages were last checked */
	int unlisted; /* it has pages its list lost: drop all */
	int exec_only; /* a page executable but not readable: no fast path */
	uint64_t used; /* when it last ran, for eviction */
	unsigned nr;
	struct shadow_page pages[SPACE_PAGES];
};

/* Counters of one hart's traps, logged at exit (--log-level debug). */
enum { REPORT_ILL, REPORT_SEGV, REPORT_SYS, REPORT_OTHER, REPORT_KINDS };
#define STATS_SBI 16
/* why run_ahead handed the guest back to its process */
enum ahead_stop {
	AHEAD_STOP_QUIET, /* RUN_AHEAD_QUIET_S/U instructions needed no privilege */
	AHEAD_STOP_MAX,
	AHEAD_STOP_FP,
	AHEAD_STOP_USER_CSR, /* fcsr, time, cycle: native */
	AHEAD_STOP_MISALIGNED,
	AHEAD_STOP_DEVICE, /* an atomic on a device */
	AHEAD_STOP_NOTHING, /* neither RAM nor a device */
	AHEAD_STOP_FETCH,
	AHEAD_STOP_OTHER,
	AHEAD_STOPS
};
struct trap_stats {
	uint64_t reports[REPORT_KINDS]; /* round trips, by signal */
	uint64_t ahead; /* instructions vmm ran itself (run_ahead) */
	uint64_t quick; /* of those, run by quick_run() */
	uint64_t switches, evicted, dropped; /* shadow spaces (spaces.c) */
	uint64_t fast; /* CSR accesses the fast path served (fast.c) */
	uint64_t stops[AHEAD_STOPS];
	uint32_t csr[4096]; /* CSR instructions, trapped or run ahead */
	struct {
		uint64_t ext, count;
	} sbi[STATS_SBI]; /* SBI calls by extension; the last slot: others */
};

struct trap_vcpu {
	struct vm *vm;
	struct hart hart;
	uint64_t timebase_hz;
	uint64_t timer_deadline; /* SBI set_timer's, ~0 when none */
	uint32_t wake; /* futex: bumped when an interrupt arrives */
	unsigned id;
	int hsm_state; /* SBI HSM: started, stopped, start pending */
	uint64_t start_pc, start_arg;
	int entering;
	volatile int stop_requested;
	struct sandbox boxes[TRAP_SPACES]; /* a guest process per space */
	struct shadow_space spaces[TRAP_SPACES];
	struct sandbox *box; /* the one the guest runs in: boxes[cur] */
	unsigned cur; /* changed under box_lock */
	uint64_t ticks; /* for spaces[].used */
	int flush; /* sfence.vma, RFENCE: drop every shadow page (atomic) */
	uint32_t flushes; /* futex: shadow flushes made, for RFENCE to wait */
	uint32_t fence_waiters; /* harts waiting on flushes: wake them */
	pthread_mutex_t box_lock; /* kicks from other threads vs its end
				   and vs a switch of box */
	volatile int in_guest; /* the guest runs: kick it for interrupts */
	pthread_t thread;
	int started;
	/* the instruction at the pc touched a page below the map floor:
	 * run_ahead must run it */
	int must_run;
	/* LR/SC run ahead (run_ahead): the reserved address and what LR read */
	struct reservation resv;
	struct trap_stats stats; /* where the time goes: at exit, debug */
};

#define HSM_STARTED 0
#define HSM_STOPPED 1
#define HSM_START_PENDING 2
#define SBI_EXT_HSM 0x48534d
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464e43
#define SBI_ERR_ALREADY_AVAILABLE -6

struct trap {
	struct trap_vcpu vcpus[VM_MAX_CPUS];
	unsigned nr;
	int m_mode; /* M-mode guest: no SBI from us, a CLINT instead */
	uint32_t paused; /* futex: harts stay out of their guest while set */
	int fast; /* the fast path may be on (VMM_TRAP_FAST) */
	/* guest pages below it cannot be shadow-mapped (sandbox_map_floor):
	 * vmm runs whatever touches them itself (run_ahead) */
	uint64_t map_floor;
	int floor_told; /* the user was told so, once */
};

extern __thread struct trap_vcpu *trap_current; /* the hart of this thread */

/* A report's registers: r[0] is the pc, r[1..31] x1..x31, r[32..63]
 * f0..f31. Its contents are the guest's to choose: every index comes from
 * a decoded 5-bit field. */
static inline uint64_t get_x(const uint64_t *r, unsigned i)
{
	return i ? r[i] : 0;
}

static inline void set_x(uint64_t *r, unsigned i, uint64_t v)
{
	if (i)
		r[i] = v;
}

/* exec.c: time, interrupts, the guest process */
uint64_t trap_now_ticks(void);
int trap_deliver_interrupt(struct trap_vcpu *v);
void trap_wait_for_interrupt(struct trap_vcpu *v);
void trap_kick(struct trap_vcpu *v);

/* emulate.c */
int trap_translate(struct trap_vcpu *v, uint64_t va, enum access acc,
		   struct translation *t);
int trap_fetch(struct trap_vcpu *v, uint64_t pc, uint32_t *raw, uint64_t *tval);
void trap_privileged(struct trap_vcpu *v, uint64_t *r, uint32_t raw);
void trap_mmio(struct trap_vcpu *v, uint64_t *r, const struct insn *in,
	       uint64_t pa, uint64_t va);
void trap_ecall(struct trap_vcpu *v, uint64_t *r);
void trap_guest_ecall(struct trap_vcpu *v, uint64_t *r);
void trap_memory_fault(struct trap_vcpu *v, uint64_t *r, uint64_t addr);
void trap_tell_floor(struct trap_vcpu *v, uint64_t va);
void trap_handle_report(struct trap_vcpu *v, struct sandbox *box);
int trap_paging_on(const struct hart *h);

/* Paging on and va on a page the guest process cannot map (map_floor) */
static inline int trap_below_floor(const struct trap_vcpu *v, uint64_t va)
{
	const struct trap *t = v->vm->backend_data;

	return va < t->map_floor && trap_paging_on(&v->hart);
}

/* fast.c: the fast path's CSR copies, written into the process the
 * guest resumes in and taken back from the one that parked; whether an
 * interrupt is pending and enabled that the copies do not show (the
 * guest must be kicked to take it if it sets SIE on the fast path);
 * whether VMM_TRAP_FAST leaves it on. */
void trap_fast_push(struct trap_vcpu *v, struct sandbox *box);
void trap_fast_pull(struct trap_vcpu *v, struct sandbox *box);
int trap_fast_unaware(struct trap_vcpu *v, const struct sandbox *box);
int trap_fast_wanted(void);

/* spaces.c: the space the guest must run in next, its process current,
 * its pages checked after a fence; a filled page remembered; the first
 * process started, all of them ended. */
void trap_sync_space(struct trap_vcpu *v);
void trap_space_record(struct trap_vcpu *v, uint64_t page, uint64_t pa,
		       int prot);
int trap_spaces_start(struct trap_vcpu *v);
void trap_spaces_kill(struct trap_vcpu *v);

/* harts.c: wake a hart's thread from wfi or from waiting to start; HSM,
 * IPI and RFENCE calls (1 when c was one of those) */
void trap_wake(struct trap_vcpu *v);
int trap_multi_hart_call(struct trap_vcpu *v, struct sbi_call *c);

/* ahead.c */
void trap_run_ahead(struct trap_vcpu *v, uint64_t *r);

/* stats.c */
unsigned trap_report_kind(uint64_t sig);
void trap_count_sbi(struct trap_stats *st, uint64_t ext);
void trap_log_stats(const struct trap_vcpu *v);
struct counters;
void trap_counters(struct vm *vm, struct counters *c);
const char *trap_ahead_stop_name(enum ahead_stop why);

#endif
