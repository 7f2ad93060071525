/*
 * tsc_sync: Linux 6.12's check_tsc_warp() / check_tsc_sync_source() /
 * check_tsc_sync_target() on two simulated CPUs.
 *
 * The TSC model here: both CPUs count at exactly 3 GHz, so at true time t ps
 * CPU c reads BASE + floor(3 t / 1000) + offset[c] + adjust[c].  The lock
 * hand-off is h ps, so when the source reads x at t the target reads
 * x + 3h/1000 - D one hand-off later if it is D cycles behind: Linux sees
 * a warp of D - 3h/1000 cycles exactly when that is positive (the check
 * measures the offset minus the hand-off, never the offset itself).
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/core/rng.h"
#include "sim/core/simtime.h"
#include "sim/linux/tsc_sync.h"

#define BASE_CYCLES UINT64_C(1000000000000)
#define NS(x) ((sim_ps)(x) * SIM_PS_PER_NS)

struct two_cpus {
	int64_t offset[2];        /* cycles */
	int64_t adjust[2];        /* IA32_TSC_ADJUST */
	bool ignore_adjust;       /* a hypervisor that drops the write */
	uint64_t noise_cycles;    /* per-read pseudo-random error on CPU 1, +-this / 2 */
	uint64_t adjust_calls;
	sim_ps last_t;            /* callbacks must come in time order */
	bool out_of_order;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	return x;
}

static uint64_t rdtsc_cb(void *ctx, unsigned cpu, sim_ps t)
{
	struct two_cpus *m = ctx;
	uint64_t v = BASE_CYCLES + t * 3 / 1000 + (uint64_t)(m->offset[cpu] + m->adjust[cpu]);

	if (t < m->last_t)
		m->out_of_order = true;
	m->last_t = t;
	if (cpu == 1 && m->noise_cycles)
		v += mix(t) % (m->noise_cycles + 1) - m->noise_cycles / 2;
	return v;
}

static void adjust_cb(void *ctx, unsigned cpu, int64_t delta, sim_ps t)
{
	struct two_cpus *m = ctx;

	if (t < m->last_t)
		m->out_of_order = true;
	m->last_t = t;
	m->adjust_calls++;
	if (!m->ignore_adjust)
		m->adjust[cpu] += delta;
}

static struct tsc_sync_params params(struct two_cpus *m, struct sim_rng *rng)
{
	return (struct tsc_sync_params){
		.rdtsc = rdtsc_cb,
		.adjust = adjust_cb,
		.ctx = m,
		.source_cpu = 0,
		.target_cpu = 1,
		.tsc_khz = 3000000,
		.handoff_ps = NS(20),
		.handoff_jitter_ps = rng ? NS(10) : 0,
		.solo_iter_ps = NS(10),
		.start_skew_max_ps = rng ? NS(1000) : 0,
		.rerun_gap_ps = NS(2000),
		.rng = rng,
	};
}

Test(tsc_sync, finds_a_165_cycle_warp_in_every_seeded_run)
{
	/* h in [20, 30] ns = [60, 90] cycles: the warp seen is 165 - 90 .. 165 - 60. */
	for (uint64_t seed = 1; seed <= 100; seed++) {
		struct two_cpus m = { .offset = { 0, -165 } };
		struct sim_rng rng;
		struct tsc_sync_params p;
		struct tsc_sync_result r;
		struct sim_diag d;

		sim_rng_init(&rng, seed, "linux/tsc_sync");
		p = params(&m, &rng);
		cr_assert(tsc_sync_check(&p, SIM_PS_PER_MS, &r, &d), "%s", d.msg);
		cr_expect(r.warp, "seed %" PRIu64 ": warp missed", seed);
		cr_expect(r.marks_unstable, "seed %" PRIu64, seed);
		cr_expect_eq(r.runs, 1);
		cr_expect_eq(r.adjust_writes, 0);
		cr_expect_geq(r.max_warp_cycles, 165 - 91, "seed %" PRIu64 ": %" PRIu64, seed,
			      r.max_warp_cycles);
		cr_expect_leq(r.max_warp_cycles, 165 - 59, "seed %" PRIu64 ": %" PRIu64, seed,
			      r.max_warp_cycles);
		cr_expect_eq(r.reported_warp_cycles, r.max_warp_cycles);
		cr_expect(!r.random_warps);
		cr_expect_eq(r.run[0].cur_max_warp[TSC_SYNC_SOURCE], 0, "the source is ahead: no warp");
		cr_expect_neq(r.first_warp_ps, SIM_NEVER);
		cr_expect_eq(r.unstable_ps, r.end_ps);
		cr_expect(!m.out_of_order);
	}
}

Test(tsc_sync, warp_is_the_offset_minus_the_handoff)
{
	/* Fixed 20 ns = 60-cycle hand-off: 165 behind shows 105; 225 behind shows 165. */
	static const struct {
		int64_t behind;
		uint64_t seen;
	} cases[] = { { 165, 105 }, { 225, 165 }, { 61, 1 }, { 60, 0 }, { 30, 0 } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct two_cpus m = { .offset = { 0, -cases[i].behind } };
		struct tsc_sync_params p = params(&m, NULL);
		struct tsc_sync_result r;
		struct sim_diag d;

		cr_assert(tsc_sync_check(&p, 0, &r, &d));
		cr_expect_eq(r.max_warp_cycles, cases[i].seen, "behind %" PRId64 ": %" PRIu64,
			     cases[i].behind, r.max_warp_cycles);
		cr_expect_eq(r.warp, cases[i].seen > 0);
		cr_expect_eq(r.marks_unstable, cases[i].seen > 0);
	}
}

Test(tsc_sync, synchronised_cpus_never_warp)
{
	for (uint64_t seed = 1; seed <= 100; seed++) {
		struct two_cpus m = { .offset = { 0, 0 } };
		struct sim_rng rng;
		struct tsc_sync_params p;
		struct tsc_sync_result r;
		struct sim_diag d;

		sim_rng_init(&rng, seed, "linux/tsc_sync");
		p = params(&m, &rng);
		p.have_tsc_adjust = seed & 1;
		cr_assert(tsc_sync_check(&p, 0, &r, &d));
		cr_expect(!r.warp, "seed %" PRIu64 ": %" PRIu64 " cycles", seed, r.max_warp_cycles);
		cr_expect(!r.marks_unstable);
		cr_expect_eq(r.runs, 1);
		cr_expect_eq(m.adjust_calls, 0);
		cr_expect_eq(r.first_warp_ps, SIM_NEVER);
	}
}

Test(tsc_sync, tsc_adjust_makes_the_second_run_clean)
{
	/*
	 * Behind by 165: run 1 sees 105 (offset - 60-cycle hand-off), the
	 * target adds 105 to TSC_ADJUST and is left 60 behind, which the
	 * 60-cycle hand-off hides exactly (prev == now is no warp).  Ahead by
	 * 165: the source sees the warps, the target saw none and moves back
	 * by the global maximum.
	 */
	static const struct {
		int64_t target_offset;
		int64_t written;
	} cases[] = { { -165, 105 }, { 165, -105 } };

	for (size_t i = 0; i < 2; i++) {
		struct two_cpus m = { .offset = { 0, cases[i].target_offset } };
		struct tsc_sync_params p = params(&m, NULL);
		struct tsc_sync_result r;
		struct sim_diag d;

		p.have_tsc_adjust = true;
		p.target_boot_adjust = 0;
		cr_assert(tsc_sync_check(&p, 0, &r, &d));
		cr_expect_eq(r.runs, 2, "case %zu: %u runs", i, r.runs);
		cr_expect(r.warp);
		cr_expect_eq(r.run[0].max_warp_cycles, 105);
		cr_expect_eq(r.run[0].adjust_delta, cases[i].written);
		cr_expect_eq(r.run[1].nr_warps, 0);
		cr_expect_eq(r.adjust_writes, 1);
		cr_expect_eq(r.adjust_written, cases[i].written);
		cr_expect_eq(m.adjust[1], cases[i].written);
		cr_expect(r.compensated);
		cr_expect(!r.marks_unstable);
		cr_expect_eq(r.unstable_ps, SIM_NEVER);
		cr_expect_eq(r.run[1].start_ps, r.run[0].end_ps + NS(2000));
		cr_expect(!m.out_of_order);
	}
}

Test(tsc_sync, tsc_adjust_with_jitter_compensates_within_three_runs)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct two_cpus m = { .offset = { 0, -165 }, .adjust = { 0, 7 } };
		struct sim_rng rng;
		struct tsc_sync_params p;
		struct tsc_sync_result r;
		struct sim_diag d;

		sim_rng_init(&rng, seed, "linux/tsc_sync");
		p = params(&m, &rng);
		p.have_tsc_adjust = true;
		p.target_boot_adjust = 7;
		cr_assert(tsc_sync_check(&p, 0, &r, &d));
		cr_expect_geq(r.runs, 2);
		cr_expect_leq(r.runs, 3);
		/* Each write adds the warp seen to the boot value. */
		cr_expect_eq(r.adjust_written, m.adjust[1]);
		if (!r.marks_unstable)
			cr_expect(r.compensated);
	}
}

Test(tsc_sync, without_tsc_adjust_the_tsc_is_marked_unstable)
{
	struct two_cpus m = { .offset = { 0, -165 } };
	struct tsc_sync_params p = params(&m, NULL);
	struct tsc_sync_result r;
	struct sim_diag d;

	p.adjust = NULL;
	cr_assert(tsc_sync_check(&p, 0, &r, &d));
	cr_expect_eq(r.runs, TSC_SYNC_RUNS_PLAIN);
	cr_expect(r.marks_unstable);
	cr_expect(!r.compensated);
	cr_expect_eq(r.reported_warp_cycles, 105);
}

Test(tsc_sync, ignored_adjust_writes_give_up_after_three_runs)
{
	struct two_cpus m = { .offset = { 0, -165 }, .ignore_adjust = true };
	struct tsc_sync_params p = params(&m, NULL);
	struct tsc_sync_result r;
	struct sim_diag d;

	p.have_tsc_adjust = true;
	cr_assert(tsc_sync_check(&p, 0, &r, &d));
	cr_expect_eq(r.runs, TSC_SYNC_RUNS_ADJUST);
	cr_expect_eq(r.adjust_writes, 2);
	cr_expect_eq(m.adjust_calls, 2);
	/* Linux's bookkeeping believes both writes landed. */
	cr_expect_eq(r.adjust_written, 210);
	cr_expect(r.marks_unstable);
	cr_expect(!r.compensated);
	cr_expect_eq(r.unstable_ps, r.run[2].end_ps);
}

Test(tsc_sync, random_warps_stop_the_retries_at_once)
{
	/* A target TSC that jitters by +-250 cycles: both CPUs see time go back. */
	struct two_cpus m = { .noise_cycles = 500 };
	struct tsc_sync_params p = params(&m, NULL);
	struct tsc_sync_result r;
	struct sim_diag d;

	p.have_tsc_adjust = true;
	cr_assert(tsc_sync_check(&p, 0, &r, &d));
	cr_expect(r.random_warps);
	cr_expect_gt(r.run[0].random_warps, 0);
	cr_expect_eq(r.runs, 1);
	cr_expect_eq(r.adjust_writes, 0);
	cr_expect(r.marks_unstable);
}

Test(tsc_sync, loop_runs_20_ms_first_in_package_else_2_ms)
{
	static const struct {
		bool sibling;
		uint64_t ms;
	} cases[] = { { false, 20 }, { true, 2 } };

	for (size_t i = 0; i < 2; i++) {
		struct two_cpus m = { 0 };
		struct tsc_sync_params p = params(&m, NULL);
		struct tsc_sync_result r;
		struct sim_diag d;
		sim_ps len;

		p.package_has_online_cpu = cases[i].sibling;
		cr_expect_eq(tsc_sync_timeout_ms(cases[i].sibling), cases[i].ms);
		cr_assert(tsc_sync_check(&p, 0, &r, &d));
		len = r.run[0].end_ps - r.run[0].start_ps;
		/* Leaves at the first 8th iteration past the end: within 1 us. */
		cr_expect_gt(len, cases[i].ms * SIM_PS_PER_MS);
		cr_expect_leq(len, cases[i].ms * SIM_PS_PER_MS + NS(1000));
		/* Alternating hand-offs of 20 ns: each CPU loops once every 40 ns. */
		cr_expect_geq(r.run[0].loops[TSC_SYNC_SOURCE], cases[i].ms * 1000000 / 40);
		cr_expect_leq(r.run[0].loops[TSC_SYNC_SOURCE], cases[i].ms * 1000000 / 40 + 16);
		cr_expect_eq(r.run[0].loops[TSC_SYNC_SOURCE] % 8, 1);
	}
}

Test(tsc_sync, package_sibling_with_tsc_adjust_copies_the_package_value)
{
	struct two_cpus m = { .offset = { 0, -5000 }, .adjust = { 0, 45960750 } };
	struct tsc_sync_params p = params(&m, NULL);
	struct tsc_sync_result r;
	struct sim_diag d;

	p.have_tsc_adjust = true;
	p.package_has_online_cpu = true;
	p.target_boot_adjust = 45960750;
	p.package_ref_adjust = 78394770;
	cr_assert(tsc_sync_check(&p, 0, &r, &d));
	cr_expect_eq(r.skip, TSC_SYNC_SKIP_PACKAGE);
	cr_expect_eq(r.runs, 0);
	cr_expect_eq(r.adjust_writes, 1);
	cr_expect_eq(r.adjust_written, 78394770);
	cr_expect_eq(m.adjust[1], 78394770);
	cr_expect(!r.marks_unstable, "a skipped check finds nothing, even 5000 cycles");
}

Test(tsc_sync, skips_when_reliable_or_already_unstable)
{
	struct two_cpus m = { .offset = { 0, -165 } };
	struct tsc_sync_params p = params(&m, NULL);
	struct tsc_sync_result r;
	struct sim_diag d;

	p.tsc_reliable = true;
	cr_assert(tsc_sync_check(&p, 0, &r, &d));
	cr_expect_eq(r.skip, TSC_SYNC_SKIP_RELIABLE);
	cr_expect(!r.warp);
	p.tsc_reliable = false;
	p.tsc_unstable = true;
	cr_assert(tsc_sync_check(&p, 0, &r, &d));
	cr_expect_eq(r.skip, TSC_SYNC_SKIP_UNSTABLE);
	cr_expect_eq(r.runs, 0);
}

Test(tsc_sync, same_seed_same_result)
{
	struct tsc_sync_result r[2];

	for (int k = 0; k < 2; k++) {
		struct two_cpus m = { .offset = { 0, -165 } };
		struct sim_rng rng;
		struct tsc_sync_params p;
		struct sim_diag d;

		sim_rng_init(&rng, 42, "linux/tsc_sync");
		p = params(&m, &rng);
		p.have_tsc_adjust = true;
		cr_assert(tsc_sync_check(&p, 0, &r[k], &d));
	}
	cr_expect_eq(r[0].runs, r[1].runs);
	cr_expect_eq(r[0].end_ps, r[1].end_ps);
	cr_expect_eq(r[0].max_warp_cycles, r[1].max_warp_cycles);
	cr_expect_eq(r[0].adjust_written, r[1].adjust_written);
	for (unsigned i = 0; i < r[0].runs; i++) {
		cr_expect_eq(r[0].run[i].nr_warps, r[1].run[i].nr_warps);
		cr_expect_eq(r[0].run[i].first_warp_ps, r[1].run[i].first_warp_ps);
	}
}

Test(tsc_sync, rejects_bad_parameters)
{
	struct two_cpus m = { 0 };
	struct tsc_sync_params p = params(&m, NULL);
	struct tsc_sync_result r;
	struct sim_diag d;

	p.tsc_khz = 0;
	cr_expect(!tsc_sync_check(&p, 0, &r, &d));
	cr_expect(strstr(d.msg, "tsc_khz") != NULL, "%s", d.msg);
	p = params(&m, NULL);
	p.target_cpu = 0;
	cr_expect(!tsc_sync_check(&p, 0, &r, &d));
	p = params(&m, NULL);
	p.have_tsc_adjust = true;
	p.adjust = NULL;
	cr_expect(!tsc_sync_check(&p, 0, &r, &d));
	p = params(&m, NULL);
	p.rdtsc = NULL;
	cr_expect(!tsc_sync_check(&p, 0, &r, &d));
}
