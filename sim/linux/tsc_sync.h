/*
 * Linux's boot-time TSC synchronisation check (arch/x86/kernel/tsc_sync.c,
 * Linux 6.12), run on simulated CPUs: check_tsc_sync_target() on the CPU
 * coming up and check_tsc_sync_source() on a CPU already online each run
 * check_tsc_warp(), and with X86_FEATURE_TSC_ADJUST the target tries to
 * compensate a warp through MSR_IA32_TSC_ADJUST and the pair reruns.
 *
 * The interleaving is simulated, not the hardware: the two CPUs take the
 * global lock strictly in turn while both are in the loop, and the time from
 * one CPU's RDTSC to the other's is a lock hand-off (a base plus jitter from
 * the caller's PRNG stream).  A CPU alone in the loop re-takes the lock every
 * solo_iter_ps.  The TSC values come from a callback, so the check sees
 * whatever the machine's TSC model says.  Not modelled: the extra lock
 * acquisitions that record a warp, interrupts, and the per-package
 * "TSC ADJUST differs" warnings beyond the skip rule below.
 */
#ifndef SIM_LINUX_TSC_SYNC_H
#define SIM_LINUX_TSC_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/diag.h"
#include "sim/core/rng.h"
#include "sim/core/simtime.h"

/* check_tsc_sync_source(): 1 run without TSC_ADJUST, 3 with it (test_runs). */
#define TSC_SYNC_RUNS_PLAIN 1u
#define TSC_SYNC_RUNS_ADJUST 3u
#define TSC_SYNC_MAX_RUNS TSC_SYNC_RUNS_ADJUST

/* loop_timeout(): 20 ms for the first CPU of a package, 2 ms otherwise. */
#define TSC_SYNC_TIMEOUT_FIRST_MS 20u
#define TSC_SYNC_TIMEOUT_SIBLING_MS 2u

/* check_tsc_warp(): safety exit after this many iterations. */
#define TSC_SYNC_MAX_LOOPS 10000000u

/* Index of each CPU in the per-CPU arrays of a run. */
#define TSC_SYNC_SOURCE 0u
#define TSC_SYNC_TARGET 1u

enum tsc_sync_skip {
	TSC_SYNC_RAN,             /* the check ran */
	TSC_SYNC_SKIP_UNSTABLE,   /* unsynchronized_tsc(): already known bad */
	TSC_SYNC_SKIP_RELIABLE,   /* tsc_clocksource_reliable (tsc=reliable, some SoCs) */
	TSC_SYNC_SKIP_PACKAGE,    /* TSC_ADJUST and a CPU of the package is online */
};

struct tsc_sync_params {
	/* RDTSC (rdtsc_ordered) on `cpu` at true time t.  Must reflect adjust(). */
	uint64_t (*rdtsc)(void *ctx, unsigned cpu, sim_ps t);
	/*
	 * The target adds `delta` to its IA32_TSC_ADJUST at t (Linux writes the
	 * absolute value: previous + delta).  May be NULL only without TSC_ADJUST.
	 */
	void (*adjust)(void *ctx, unsigned cpu, int64_t delta, sim_ps t);
	void *ctx;
	unsigned source_cpu;      /* the CPU already online */
	unsigned target_cpu;      /* the CPU coming up */
	uint64_t tsc_khz;         /* the kernel's tsc_khz: sets the loop's end */
	bool have_tsc_adjust;     /* X86_FEATURE_TSC_ADJUST */
	/*
	 * Another CPU of the target's package is already online.  With
	 * TSC_ADJUST Linux then skips the check (tsc_store_and_check_tsc_adjust()
	 * copies the package's ADJUST value instead, when it differs); without
	 * it the loop runs 2 ms instead of 20 ms.
	 */
	bool package_has_online_cpu;
	int64_t target_boot_adjust;    /* target's IA32_TSC_ADJUST at bring-up */
	int64_t package_ref_adjust;    /* the online package CPU's adjusted value */
	bool tsc_reliable;        /* tsc_clocksource_reliable: skip */
	bool tsc_unstable;        /* unsynchronized_tsc(): skip */
	sim_ps handoff_ps;        /* lock hand-off, RDTSC to RDTSC across CPUs */
	sim_ps handoff_jitter_ps; /* plus uniform [0, this] from rng */
	sim_ps solo_iter_ps;      /* one CPU alone in the loop; 0: handoff_ps */
	sim_ps start_skew_max_ps; /* each CPU enters the loop within [0, this] */
	sim_ps rerun_gap_ps;      /* rendezvous + MSR write between runs */
	struct sim_rng *rng;      /* jitter, first lock holder; NULL: none, source first */
};

/* One check_tsc_warp() pass of the pair. */
struct tsc_sync_run {
	sim_ps start_ps;
	sim_ps end_ps;            /* both CPUs out of the loop */
	uint64_t loops[2];        /* iterations per CPU (TSC_SYNC_SOURCE / _TARGET) */
	uint64_t nr_warps;
	uint64_t random_warps;    /* both CPUs saw time go backwards */
	uint64_t max_warp_cycles;
	sim_ps first_warp_ps;     /* SIM_NEVER when none */
	uint64_t cur_max_warp[2]; /* check_tsc_warp()'s return value per CPU */
	int64_t adjust_delta;     /* written by the target after this run; 0: none */
};

struct tsc_sync_result {
	enum tsc_sync_skip skip;
	unsigned runs;            /* passes made, 0..TSC_SYNC_MAX_RUNS */
	struct tsc_sync_run run[TSC_SYNC_MAX_RUNS];
	bool warp;                /* some pass saw a warp */
	uint64_t max_warp_cycles; /* over all passes */
	sim_ps first_warp_ps;     /* SIM_NEVER when none */
	bool random_warps;
	unsigned adjust_writes;
	int64_t adjust_written;   /* target's IA32_TSC_ADJUST at the end */
	bool compensated;         /* ADJUST was written and the last pass was clean */
	bool marks_unstable;      /* mark_tsc_unstable("check_tsc_sync_source failed") */
	sim_ps unstable_ps;       /* SIM_NEVER when not */
	uint64_t reported_warp_cycles; /* "Measured %lld cycles TSC warp": the failing pass's max */
	sim_ps end_ps;
};

/*
 * Runs the check for the pair starting at `start`, calling p->rdtsc and
 * p->adjust in time order, and fills *out.  Advances p->rng.  False (diag
 * filled, *out untouched) on a missing callback, tsc_khz 0 or the same CPU twice.
 */
bool tsc_sync_check(const struct tsc_sync_params *p, sim_ps start, struct tsc_sync_result *out,
		    struct sim_diag *diag);

/* loop_timeout(): the measurement length in ms for the target. */
unsigned tsc_sync_timeout_ms(bool package_has_online_cpu);

#endif
