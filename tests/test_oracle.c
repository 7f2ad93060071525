/*
 * Tests for the oracle (oracle/oracle.c).  Every expected number is derived by
 * hand from the definitions in docs/oracle.md; the derivation is in the
 * comment next to it.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/check.h"
#include "oracle/oracle.h"
#include "sim/core/trace.h"

/*
 * Allocation counting for the no-allocation test.  The test is linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc (tests/meson.build), so the
 * oracle's calls (and this file's) reach these counters, then the real
 * allocator; Criterion's own allocations, in its shared library, do not.
 * Unlike replacing malloc for the whole process, this leaves the allocator
 * alone, so AddressSanitizer's interceptors keep working.  Only calls made by
 * the test's own thread while `counting` is set are counted.
 */
void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static _Thread_local bool counting;
static _Thread_local uint64_t allocations;

void *__wrap_malloc(size_t size)
{
	if (counting)
		allocations++;
	return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (counting)
		allocations++;
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	if (counting)
		allocations++;
	return __real_realloc(p, size);
}

#define US SIM_PS_PER_US
#define MS SIM_PS_PER_MS
#define S SIM_PS_PER_S

/* Every check enabled, strict thresholds, expect PASS, rate window 1 ms. */
static struct oracle_group_config group_all(unsigned nreaders)
{
	struct oracle_group_config g;

	memset(&g, 0, sizeof(g));
	strcpy(g.name, "clk");
	g.nreaders = nreaders;
	for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++) {
		g.checks[c].enabled = true;
		g.checks[c].threshold = 0;
		g.checks[c].expect = ORACLE_EXPECT_PASS;
	}
	g.checks[ORACLE_RATE].window_ps = 1 * MS;
	return g;
}

/* Only check c enabled. */
static struct oracle_group_config group_only(unsigned nreaders, enum oracle_check_id c,
					     int64_t threshold)
{
	struct oracle_group_config g = group_all(nreaders);

	for (unsigned i = 0; i < ORACLE_CHECK_COUNT; i++)
		g.checks[i].enabled = i == (unsigned)c;
	g.checks[c].threshold = threshold;
	return g;
}

static const struct oracle_check_result *res(const struct oracle *o, unsigned g,
					     enum oracle_check_id c)
{
	return &oracle_results(o, g)[c];
}

/* A read of `cost` ps ending at end_ps. */
static void feed(struct oracle *o, unsigned g, unsigned reader, unsigned vcpu,
		 sim_ps end_ps, sim_ps cost_ps, uint64_t value_ns)
{
	oracle_feed(o, g, reader, vcpu, end_ps - cost_ps, end_ps, value_ns);
}

Test(oracle, check_names_and_units)
{
	static const char *const names[ORACLE_CHECK_COUNT] = {
		"mono_vcpu", "mono_causal", "step_back", "step_fwd", "max_error", "rate",
		"consumer_abort",
	};

	for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++) {
		cr_expect_str_eq(oracle_check_name((enum oracle_check_id)c), names[c]);
		cr_expect_eq(oracle_check_is_rate((enum oracle_check_id)c), c == ORACLE_RATE);
	}
	oracle_destroy(NULL);
}

Test(oracle, perfect_clock_passes_every_check)
{
	struct oracle_group_config g = group_all(2);
	struct oracle *o = oracle_create(&g, 1);
	const unsigned n = 10000;     /* reads per reader, 1 us apart, 10 ms in all */

	cr_assert_not_null(o);
	for (unsigned k = 1; k <= n; k++) {
		sim_ps t = (sim_ps)k * US;

		/* reader 0 on vCPU 0 at t, reader 1 on vCPU 3 half a us later */
		feed(o, 0, 0, 0, t, 100000, t / 1000);
		feed(o, 0, 1, 3, t + US / 2, 100000, (t + US / 2) / 1000);
	}
	cr_expect_eq(oracle_reads(o, 0), 2 * n);
	for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++) {
		const struct oracle_check_result *r = res(o, 0, (enum oracle_check_id)c);

		cr_expect(r->enabled, "%s", oracle_check_name(r->id));
		cr_expect(r->passed, "%s", oracle_check_name(r->id));
		cr_expect(r->expectation_met, "%s", oracle_check_name(r->id));
		cr_expect_eq(r->worst, 0, "%s worst %" PRId64, oracle_check_name(r->id), r->worst);
		cr_expect_eq(r->violations, 0);
		cr_expect_not(r->has_first);
		cr_expect_gt(r->samples, 0, "%s", oracle_check_name(r->id));
	}
	/* n-1 comparisons per reader */
	cr_expect_eq(res(o, 0, ORACLE_MONO_VCPU)->samples, 2 * (n - 1));
	cr_expect_eq(res(o, 0, ORACLE_MAX_ERROR)->samples, 2 * (n - 1));
	/*
	 * Every read except reader 0's first has an earlier read of the other
	 * reader that ended before it started (reads are 0.1 us long, 0.5 us apart).
	 */
	cr_expect_eq(res(o, 0, ORACLE_MONO_CAUSAL)->samples, 2 * n - 1);
	/* windows of >= 1 ms from t = 1 us: closed at 1001, 2001, ..., 9001 us: 9 per reader */
	cr_expect_eq(res(o, 0, ORACLE_RATE)->samples, 18);
	oracle_destroy(o);
}

Test(oracle, zero_samples_pass_with_worst_zero)
{
	struct oracle_group_config g = group_all(1);
	struct oracle *o = oracle_create(&g, 1);

	feed(o, 0, 0, 0, 5 * MS, 0, 123);     /* one read: nothing to compare */
	for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++) {
		const struct oracle_check_result *r = res(o, 0, (enum oracle_check_id)c);

		cr_expect_eq(r->samples, 0, "%s", oracle_check_name(r->id));
		cr_expect(r->passed);
		cr_expect_eq(r->worst, 0);
		cr_expect(r->expectation_met);
	}
	oracle_destroy(o);
}

Test(oracle, backward_step_caught_by_mono_vcpu_and_step_back)
{
	struct oracle_group_config gs[2] = {
		group_all(1),
		group_only(1, ORACLE_STEP_BACK, 10 * (int64_t)US),
	};
	struct oracle *o = oracle_create(gs, 2);
	const struct oracle_check_result *r;

	for (unsigned g = 0; g < 2; g++) {
		feed(o, g, 0, 2, 1 * MS, 0, 1000000);
		feed(o, g, 0, 2, 2 * MS, 0, 2000000);
		feed(o, g, 0, 2, 3 * MS, 0, 1995000);      /* 5 us below the previous read */
	}

	r = res(o, 0, ORACLE_MONO_VCPU);
	cr_expect_not(r->passed);
	cr_expect_eq(r->violations, 1);
	cr_expect_eq(r->samples, 2);
	cr_expect_eq(r->worst, 5000000);
	cr_assert(r->has_first);
	cr_expect_eq(r->first.t_ps, 3 * MS);
	cr_expect_eq(r->first.vcpu, 2);
	cr_expect_eq(r->first.value_ns, 1995000);
	cr_expect_eq(r->first.other_t_ps, 2 * MS);
	cr_expect_eq(r->first.other_vcpu, 2);
	cr_expect_eq(r->first.other_value_ns, 2000000);

	r = res(o, 0, ORACLE_STEP_BACK);          /* threshold 0 */
	cr_expect_not(r->passed);
	cr_expect_eq(r->worst, 5000000);
	cr_assert(r->has_first);
	cr_expect_eq(r->first.t_ps, 3 * MS);
	cr_expect_eq(r->first.other_value_ns, 2000000);

	r = res(o, 1, ORACLE_STEP_BACK);          /* threshold 10 us */
	cr_expect(r->passed);
	cr_expect_eq(r->violations, 0);
	cr_expect_eq(r->worst, 5000000);          /* still measured */
	cr_expect(r->expectation_met);
	cr_expect_not(res(o, 1, ORACLE_MONO_VCPU)->enabled);
	cr_expect_eq(res(o, 1, ORACLE_MONO_VCPU)->samples, 0);   /* disabled: not computed */
	cr_expect(res(o, 1, ORACLE_MONO_VCPU)->expectation_met);
	oracle_destroy(o);
}

Test(oracle, causal_warp_across_readers)
{
	struct oracle_group_config g = group_only(3, ORACLE_MONO_CAUSAL, 0);
	struct oracle *o = oracle_create(&g, 1);
	const struct oracle_check_result *r = res(o, 0, ORACLE_MONO_CAUSAL);

	/* reader 0 on vCPU 2 returns 3000 ns early on: it is not the max */
	oracle_feed(o, 0, 0, 2, 100000, 200000, 3000);
	/* A: reader 2 on vCPU 0, [1.0, 1.1] us, returns 5000 ns */
	oracle_feed(o, 0, 2, 0, 1000000, 1100000, 5000);
	/* B: reader 1 on vCPU 1 starts after A ended and returns 1000 ns less */
	oracle_feed(o, 0, 1, 1, 1200000, 1300000, 4000);

	cr_expect_not(r->passed);
	cr_expect_eq(r->samples, 2);     /* A (against reader 0's read) and B */
	cr_expect_eq(r->violations, 1);
	cr_expect_eq(r->worst, 1000 * 1000);
	cr_assert(r->has_first);
	cr_expect_eq(r->first.t_ps, 1300000);
	cr_expect_eq(r->first.vcpu, 1);
	cr_expect_eq(r->first.value_ns, 4000);
	cr_expect_eq(r->first.other_t_ps, 1100000);
	cr_expect_eq(r->first.other_vcpu, 0);
	cr_expect_eq(r->first.other_value_ns, 5000);
	oracle_destroy(o);
}

Test(oracle, causal_ignores_overlapping_and_same_reader_reads)
{
	struct oracle_group_config g = group_only(2, ORACLE_MONO_CAUSAL, 0);
	struct oracle *o = oracle_create(&g, 1);
	const struct oracle_check_result *r = res(o, 0, ORACLE_MONO_CAUSAL);

	oracle_feed(o, 0, 0, 0, 1000000, 1100000, 5000);
	/* started before A ended: concurrent, not ordered */
	oracle_feed(o, 0, 1, 1, 1050000, 1150000, 4000);
	/* started exactly when A ended: not strictly after */
	oracle_feed(o, 0, 1, 1, 1100000, 1200000, 4001);
	/* reader 0 again, lower than its own earlier read: mono_vcpu's job */
	oracle_feed(o, 0, 0, 0, 1250000, 1300000, 4500);

	/* the last read does see reader 1's reads (max 4001 < 4500): one sample, no warp */
	cr_expect_eq(r->samples, 1);
	cr_expect(r->passed);
	cr_expect_eq(r->worst, 0);
	oracle_destroy(o);
}

Test(oracle, causal_ring_overflow_is_conservative)
{
	struct oracle_group_config gs[2] = {
		group_only(2, ORACLE_MONO_CAUSAL, 0),
		group_only(2, ORACLE_MONO_CAUSAL, 0),
	};
	struct oracle *o = oracle_create(gs, 2);

	/*
	 * The group remembers 32 snapshots (K x nreaders + 1 = 17, up to a power
	 * of two): 31 reads past the last one before a read in flight.  Reader 0
	 * reads A (value 100) ending at 5 ps, then, while reader 1's read B is in
	 * flight from 10 ps, reads 31 more times (group 0) or 32 more times
	 * (group 1) with values >= 1000.
	 */
	for (unsigned g = 0; g < 2; g++) {
		oracle_feed(o, g, 0, 0, 0, 5, 100);
		for (unsigned k = 1; k <= 31 + g; k++)
			oracle_feed(o, g, 0, 0, 10 + k, 10 + k, 1000 + k);
		oracle_feed(o, g, 1, 1, 10, 60, 50);     /* B: 50 < 100, a warp of 50 ns */
	}
	/* 31 reads in flight: A is still known exactly */
	cr_expect_eq(res(o, 0, ORACLE_MONO_CAUSAL)->samples, 1);
	cr_expect_eq(res(o, 0, ORACLE_MONO_CAUSAL)->worst, 50000);
	cr_expect_eq(res(o, 0, ORACLE_MONO_CAUSAL)->first.other_value_ns, 100);
	cr_expect_eq(res(o, 0, ORACLE_MONO_CAUSAL)->first.other_t_ps, 5);
	/* 32 in flight: the ring cannot tell; no comparison rather than a false 1001+ */
	cr_expect_eq(res(o, 1, ORACLE_MONO_CAUSAL)->samples, 0);
	cr_expect(res(o, 1, ORACLE_MONO_CAUSAL)->passed);
	oracle_destroy(o);
}

/*
 * mono_causal keeps the two best readers: a read compares with the best of
 * the other readers, the second when the best is its own.  By hand (reader,
 * [start, end] ps, value ns):
 *   a (0, [0, 10],  500)   b (1, [0, 20], 300)   c (2, [0, 30], 100)
 *   d (0, [40, 45], 400): others before 40: max(300, 100) = 300 <= 400, fine
 *   e (0, [50, 55], 250): 300 from b (vCPU 1, end 20): a warp of 50 ns, the first
 *   f (2, [15, 60], 200): before 15 only a ended: 500, a warp of 300 ns; found
 *     among older snapshots (d and e ended after 15), not the newest
 * Samples: d, e, f (a, b, c have nothing before them) = 3; violations e, f.
 */
Test(oracle, causal_second_best_and_older_snapshot)
{
	struct oracle_group_config gs[1] = { group_only(3, ORACLE_MONO_CAUSAL, 0) };
	struct oracle *o = oracle_create(gs, 1);
	const struct oracle_check_result *r;

	oracle_feed(o, 0, 0, 0, 0, 10, 500);
	oracle_feed(o, 0, 1, 1, 0, 20, 300);
	oracle_feed(o, 0, 2, 2, 0, 30, 100);
	oracle_feed(o, 0, 0, 0, 40, 45, 400);
	oracle_feed(o, 0, 0, 0, 50, 55, 250);
	oracle_feed(o, 0, 2, 2, 15, 60, 200);
	r = res(o, 0, ORACLE_MONO_CAUSAL);
	cr_expect_eq(r->samples, 3);
	cr_expect_eq(r->violations, 2);
	cr_expect_eq(r->worst, 300000);
	cr_expect_eq(r->first.t_ps, 55);
	cr_expect_eq(r->first.other_value_ns, 300);
	cr_expect_eq(r->first.other_vcpu, 1);
	cr_expect_eq(r->first.other_t_ps, 20);
	oracle_destroy(o);
}

/*
 * consumer_abort: one process on two vCPUs keeps the largest value it has
 * seen and aborts below it.  By hand: reads (reader, vCPU, [start, end] ps,
 * value ns):
 *   a (0, 0, [0, 100],      1000)  nothing before it: not compared
 *   b (1, 1, [200, 300],    1010)  max before = 1000: fine
 *   c (0, 0, [400, 500],     995)  max before = 1010: aborts, 15 ns back
 *   d (1, 1, [450, 550],    1020)  max before = 1010 (c ended after d began)
 *   e (1, 1, [600, 700],    1009)  max before = 1020, its own earlier read: aborts, 11 ns
 *   f (0, 0, [800, 900],    1030)  fine
 * 5 compared, 2 aborts, worst 15 ns; the first is c against b.
 */
Test(oracle, consumer_abort_counts_reads_below_the_process_max)
{
	struct oracle_group_config g = group_only(2, ORACLE_CONSUMER_ABORT, 0);
	struct oracle *o = oracle_create(&g, 1);
	const struct oracle_check_result *r;

	oracle_feed(o, 0, 0, 0, 0, 100, 1000);
	oracle_feed(o, 0, 1, 1, 200, 300, 1010);
	oracle_feed(o, 0, 0, 0, 400, 500, 995);
	oracle_feed(o, 0, 1, 1, 450, 550, 1020);
	oracle_feed(o, 0, 1, 1, 600, 700, 1009);
	oracle_feed(o, 0, 0, 0, 800, 900, 1030);
	/* after the reads: the samples of reads the fused pass took are added up here */
	r = res(o, 0, ORACLE_CONSUMER_ABORT);

	cr_expect_not(r->passed);
	cr_expect_eq(r->samples, 5);
	cr_expect_eq(r->violations, 2);
	cr_expect_eq(r->worst, 15 * 1000);
	cr_assert(r->has_first);
	cr_expect_eq(r->first.t_ps, 500);
	cr_expect_eq(r->first.value_ns, 995);
	cr_expect_eq(r->first.other_t_ps, 300);
	cr_expect_eq(r->first.other_vcpu, 1);
	cr_expect_eq(r->first.other_value_ns, 1010);
	oracle_destroy(o);
}

/* Equal values never abort, and concurrent reads are not ordered. */
Test(oracle, consumer_abort_ignores_ties_and_overlaps)
{
	struct oracle_group_config g = group_only(2, ORACLE_CONSUMER_ABORT, 0);
	struct oracle *o = oracle_create(&g, 1);
	const struct oracle_check_result *r = res(o, 0, ORACLE_CONSUMER_ABORT);

	oracle_feed(o, 0, 0, 0, 0, 100, 1000);
	oracle_feed(o, 0, 1, 1, 50, 150, 900);     /* began before 100: not after the first */
	oracle_feed(o, 0, 1, 1, 200, 300, 1000);   /* equal to the max: no step back */
	cr_expect(r->passed);
	cr_expect_eq(r->samples, 1);             /* only the third had a read before it */
	cr_expect_eq(r->worst, 0);
	oracle_destroy(o);
}

/*
 * The group's ring holds 16 reads: with 16 reads ending while B is in flight,
 * A (the read before B began) is the floor and B is judged exactly; with 17
 * the ring cannot tell, and B is not compared rather than falsely aborted.
 */
Test(oracle, consumer_abort_ring_overflow_is_conservative)
{
	struct oracle_group_config gs[2] = {
		group_only(2, ORACLE_CONSUMER_ABORT, 0),
		group_only(2, ORACLE_CONSUMER_ABORT, 0),
	};
	struct oracle *o = oracle_create(gs, 2);

	for (unsigned g = 0; g < 2; g++) {
		oracle_feed(o, g, 0, 0, 0, 5, 100);                 /* A */
		for (unsigned k = 1; k <= 16 + g; k++)
			oracle_feed(o, g, 0, 0, 10 + k, 10 + k, 1000 + k);
		oracle_feed(o, g, 1, 1, 10, 40, 50);                /* B: 50 ns below A */
	}
	cr_expect_eq(res(o, 0, ORACLE_CONSUMER_ABORT)->violations, 1);
	cr_expect_eq(res(o, 0, ORACLE_CONSUMER_ABORT)->worst, 50000);
	cr_expect_eq(res(o, 0, ORACLE_CONSUMER_ABORT)->first.other_value_ns, 100);
	cr_expect_eq(res(o, 1, ORACLE_CONSUMER_ABORT)->violations, 0);
	cr_expect_eq(res(o, 1, ORACLE_CONSUMER_ABORT)->samples, 17);   /* the 17 reads after A, not B */
	oracle_destroy(o);
}

Test(oracle, rate_of_two_thirds_speed_truncates_toward_zero)
{
	struct oracle_group_config g = group_only(1, ORACLE_RATE, 500000);
	struct oracle *o;
	const struct oracle_check_result *r;

	g.checks[ORACLE_RATE].window_ps = 9 * MS;
	o = oracle_create(&g, 1);
	r = res(o, 0, ORACLE_RATE);
	/* every 3 ms of true time the clock advances 2 ms; reads at 0..39 ms */
	for (unsigned k = 0; k <= 13; k++)
		feed(o, 0, 0, 0, (sim_ps)k * 3 * MS, 0, (uint64_t)k * 2000000);
	/*
	 * Windows close at k = 3, 6, 9, 12 (9 ms each); k = 13 is a discarded
	 * partial window.  rate = (6 ms - 9 ms) * 1e9 / 9 ms = -333333333.3,
	 * truncated toward zero (floor would give -333333334).
	 */
	cr_expect_eq(r->samples, 4);
	cr_expect_eq(r->worst, -333333333);
	cr_expect_eq(r->violations, 4);
	cr_assert(r->has_first);
	cr_expect_eq(r->first.t_ps, 9 * MS);
	cr_expect_eq(r->first.value_ns, 6000000);
	cr_expect_eq(r->first.other_t_ps, 0);
	cr_expect_eq(r->first.other_value_ns, 9000000);   /* anchor value + true elapsed */
	oracle_destroy(o);
}

Test(oracle, rate_window_restarts_after_pause)
{
	struct oracle_group_config g = group_only(1, ORACLE_RATE, 500000);
	struct oracle *o;
	const struct oracle_check_result *r;

	g.checks[ORACLE_RATE].window_ps = 9 * MS;
	o = oracle_create(&g, 1);
	r = res(o, 0, ORACLE_RATE);
	feed(o, 0, 0, 0, 0, 0, 0);
	feed(o, 0, 0, 0, 3 * MS, 0, 2000000);
	feed(o, 0, 0, 0, 6 * MS, 0, 4000000);            /* partial window, discarded */
	oracle_vm_paused(o, 7 * MS);
	oracle_vm_paused(o, 50 * MS);                    /* duplicate: ignored */
	oracle_vm_resumed(o, 100 * MS);
	oracle_vm_resumed(o, 100 * MS);                  /* duplicate: ignored */
	/*
	 * 101 ms is the new anchor.  Had the window from t = 0 survived, the read
	 * at 101 ms would give (5 - 101) / 101 * 1e9 = -950495049 ppb.
	 */
	feed(o, 0, 0, 0, 101 * MS, 0, 5000000);
	feed(o, 0, 0, 0, 104 * MS, 0, 7000000);
	feed(o, 0, 0, 0, 107 * MS, 0, 9000000);
	cr_expect_eq(r->samples, 0);
	feed(o, 0, 0, 0, 110 * MS, 0, 11000000);         /* 9 ms after the anchor */
	cr_expect_eq(r->samples, 1);
	cr_expect_eq(r->worst, -333333333);
	cr_expect_eq(r->first.other_t_ps, 101 * MS);
	oracle_destroy(o);
}

Test(oracle, max_error_pause_policy)
{
	/* groups: 0 include / frozen, 1 exclude / frozen, 2 include / advancing, 3 exclude / advancing */
	struct oracle_group_config gs[4];
	struct oracle *o;
	static const sim_ps t_ms[] = { 0, 100, 400, 500 };
	/* frozen from the pause at 100 ms to the resume at 400 ms */
	static const uint64_t frozen_ms[] = { 0, 100, 100, 200 };
	const struct oracle_check_result *r;

	for (unsigned g = 0; g < 4; g++) {
		gs[g] = group_only(1, ORACLE_MAX_ERROR, 1 * (int64_t)MS);
		gs[g].checks[ORACLE_MAX_ERROR].pause = g % 2 ? ORACLE_PAUSE_EXCLUDE
							   : ORACLE_PAUSE_INCLUDE;
	}
	o = oracle_create(gs, 4);
	for (unsigned k = 0; k < 4; k++) {
		if (k == 2) {
			oracle_vm_paused(o, 100 * MS);
			oracle_vm_paused(o, 200 * MS);      /* nested: ignored */
			oracle_vm_resumed(o, 400 * MS);
			oracle_vm_resumed(o, 450 * MS);     /* duplicate: ignored */
		}
		for (unsigned g = 0; g < 4; g++) {
			uint64_t v_ms = g < 2 ? frozen_ms[k] : t_ms[k];

			feed(o, g, 0, 1, t_ms[k] * MS, 0, v_ms * 1000000);
		}
	}

	r = res(o, 0, ORACLE_MAX_ERROR);             /* frozen, include: -300 ms */
	cr_expect_eq(r->worst, -300 * (int64_t)MS);
	cr_expect_eq(r->violations, 2);
	cr_expect_eq(r->samples, 3);
	cr_assert(r->has_first);
	cr_expect_eq(r->first.t_ps, 400 * MS);
	cr_expect_eq(r->first.value_ns, 100000000);
	cr_expect_eq(r->first.other_t_ps, 0);
	cr_expect_eq(r->first.other_vcpu, 1);
	cr_expect_eq(r->first.other_value_ns, 400000000);

	r = res(o, 1, ORACLE_MAX_ERROR);             /* frozen, exclude: 0 */
	cr_expect(r->passed);
	cr_expect_eq(r->worst, 0);

	r = res(o, 2, ORACLE_MAX_ERROR);             /* advancing, include: 0 */
	cr_expect(r->passed);
	cr_expect_eq(r->worst, 0);

	r = res(o, 3, ORACLE_MAX_ERROR);             /* advancing, exclude: +300 ms */
	cr_expect_eq(r->worst, 300 * (int64_t)MS);
	cr_expect_eq(r->violations, 2);
	cr_assert(r->has_first);
	cr_expect_eq(r->first.value_ns, 400000000);
	cr_expect_eq(r->first.other_value_ns, 100000000);   /* 400 ms - 300 ms paused */
	oracle_destroy(o);
}

Test(oracle, max_error_counts_an_open_pause)
{
	struct oracle_group_config g = group_only(1, ORACLE_MAX_ERROR, 0);
	struct oracle *o;

	g.checks[ORACLE_MAX_ERROR].pause = ORACLE_PAUSE_EXCLUDE;
	o = oracle_create(&g, 1);
	feed(o, 0, 0, 0, 10 * MS, 0, 10000000);
	oracle_vm_paused(o, 20 * MS);
	/* a read at 50 ms while still paused: 30 ms of the 40 were paused */
	feed(o, 0, 0, 0, 50 * MS, 0, 20000000);
	cr_expect_eq(res(o, 0, ORACLE_MAX_ERROR)->worst, 0);
	cr_expect(res(o, 0, ORACLE_MAX_ERROR)->passed);
	oracle_destroy(o);
}

Test(oracle, step_fwd_measures_excess_over_true_gap)
{
	struct oracle_group_config g = group_only(1, ORACLE_STEP_FWD, 1 * (int64_t)MS);
	struct oracle *o = oracle_create(&g, 1);
	const struct oracle_check_result *r = res(o, 0, ORACLE_STEP_FWD);

	feed(o, 0, 0, 0, 9 * MS, 0, 9000000);
	feed(o, 0, 0, 0, 10 * MS, 0, 9500000);        /* slow step: excess -0.5 ms */
	cr_expect_eq(r->worst, 0);                     /* worst starts at 0 */
	cr_expect(r->passed);
	feed(o, 0, 0, 0, 11 * MS, 0, 1009500000);     /* +1 s over a 1 ms gap */
	cr_expect_eq(r->worst, 999 * (int64_t)MS);
	cr_expect_eq(r->violations, 1);
	cr_assert(r->has_first);
	cr_expect_eq(r->first.t_ps, 11 * MS);
	cr_expect_eq(r->first.other_t_ps, 10 * MS);
	cr_expect_eq(r->first.other_value_ns, 9500000);
	oracle_destroy(o);
}

Test(oracle, expectations_combine_outcome_and_worst_range)
{
	static const struct {
		enum oracle_expect expect;
		bool has_min, has_max;
		int64_t min, max;
		uint64_t back_ns;       /* backward step fed; 0 = none */
		bool met;
	} cases[] = {
		{ ORACLE_EXPECT_FAIL, true, true, 4000000, 6000000, 5000, true },
		{ ORACLE_EXPECT_FAIL, true, true, 6000000, 7000000, 5000, false },  /* below min */
		{ ORACLE_EXPECT_FAIL, false, true, 0, 4999999, 5000, false },       /* above max */
		{ ORACLE_EXPECT_FAIL, true, false, 5000000, 0, 5000, true },        /* bounds inclusive */
		{ ORACLE_EXPECT_FAIL, false, false, 0, 0, 0, false },               /* passed */
		{ ORACLE_EXPECT_PASS, false, false, 0, 0, 5000, false },            /* failed */
		{ ORACLE_EXPECT_PASS, false, true, 0, 0, 0, true },
		{ ORACLE_EXPECT_PASS, true, false, 1, 0, 0, false },                /* worst 0 < 1 */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct oracle_group_config g = group_only(1, ORACLE_STEP_BACK, 0);
		struct oracle_check_config *c = &g.checks[ORACLE_STEP_BACK];
		struct oracle *o;

		c->expect = cases[i].expect;
		c->has_worst_min = cases[i].has_min;
		c->has_worst_max = cases[i].has_max;
		c->worst_min = cases[i].min;
		c->worst_max = cases[i].max;
		o = oracle_create(&g, 1);
		feed(o, 0, 0, 0, 1 * MS, 0, 2000000);
		feed(o, 0, 0, 0, 2 * MS, 0, 2000000 - cases[i].back_ns);
		cr_expect_eq(res(o, 0, ORACLE_STEP_BACK)->expectation_met, cases[i].met,
			     "case %zu", i);
		oracle_destroy(o);
	}
}

Test(oracle, allocation_counter_sees_oracle_create)
{
	struct oracle_group_config g = group_all(2);
	struct oracle *o;

	counting = true;
	o = oracle_create(&g, 1);
	counting = false;
	cr_expect_geq(allocations, 1);
	oracle_destroy(o);
}

Test(oracle, ten_million_reads_do_not_allocate)
{
	struct oracle_group_config g = group_all(2);
	struct oracle *o;
	const uint64_t n = 10000000;
	const struct oracle_check_result *r;

	g.checks[ORACLE_RATE].window_ps = 1 * S;
	o = oracle_create(&g, 1);
	cr_assert_not_null(o);

	counting = true;
	/* reads 100 ns apart, alternating readers on vCPUs 0 and 1: 1 s in all */
	for (uint64_t k = 1; k <= n; k++) {
		sim_ps t = k * 100000;

		oracle_feed(o, 0, (unsigned)(k & 1), (unsigned)(k & 1), t - 10000, t, t / 1000);
	}
	/* then reader 1 warps 7 ns below reader 0's last read (which ended at 1 s) */
	oracle_feed(o, 0, 1, 1, n * 100000 + 1, n * 100000 + 2, n * 100 - 7);
	counting = false;

	cr_expect_eq(allocations, 0);
	cr_expect_eq(oracle_reads(o, 0), n + 1);
	r = res(o, 0, ORACLE_MONO_CAUSAL);
	cr_expect_eq(r->samples, n);
	cr_expect_eq(r->violations, 1);
	cr_expect_eq(r->worst, 7000);
	cr_expect_eq(r->first.other_t_ps, n * 100000);
	cr_expect_eq(r->first.other_vcpu, 0);
	/* reader 1's own last step, (n-1)*100 -> n*100-7 ns, is forward */
	cr_expect_eq(res(o, 0, ORACLE_MONO_VCPU)->samples, n - 1);
	cr_expect(res(o, 0, ORACLE_MONO_VCPU)->passed);
	/*
	 * max_error of reader 1 (first read: 100 ns at 0.1 us) at the last read:
	 * (1e9 - 107 ns) - (1 s + 2 ps - 0.1 us) = -7002 ps, the only nonzero error.
	 */
	cr_expect_eq(res(o, 0, ORACLE_MAX_ERROR)->violations, 1);
	cr_expect_eq(res(o, 0, ORACLE_MAX_ERROR)->worst, -7002);
	oracle_destroy(o);
}

/*
 * A pause belongs to the group whose clock stopped: group 0 (a VM migrating)
 * pauses from 100 to 400 ms, group 1 (a host's readers) runs on.  Both read
 * a clock that froze for those 300 ms, with pause policy "exclude": the
 * paused group sees no error, the other sees the full -300 ms.
 */
Test(oracle, group_pause_affects_only_that_group)
{
	struct oracle_group_config gs[2];
	struct oracle *o;
	static const sim_ps t_ms[] = { 0, 100, 400, 500 };
	static const uint64_t frozen_ms[] = { 0, 100, 100, 200 };

	for (unsigned g = 0; g < 2; g++) {
		gs[g] = group_only(1, ORACLE_MAX_ERROR, 1 * (int64_t)MS);
		gs[g].checks[ORACLE_MAX_ERROR].pause = ORACLE_PAUSE_EXCLUDE;
	}
	o = oracle_create(gs, 2);
	for (unsigned k = 0; k < 4; k++) {
		if (k == 2) {
			oracle_group_paused(o, 0, 100 * MS);
			oracle_group_resumed(o, 0, 400 * MS);
		}
		for (unsigned g = 0; g < 2; g++)
			feed(o, g, 0, 0, t_ms[k] * MS, 0, frozen_ms[k] * 1000000);
	}
	cr_expect(res(o, 0, ORACLE_MAX_ERROR)->passed);
	cr_expect_eq(res(o, 0, ORACLE_MAX_ERROR)->worst, 0);
	cr_expect(!res(o, 1, ORACLE_MAX_ERROR)->passed);
	cr_expect_eq(res(o, 1, ORACLE_MAX_ERROR)->worst, -300 * (int64_t)MS);
	/* out-of-range groups are ignored */
	oracle_group_paused(o, 7, 0);
	oracle_destroy(o);
}

/* What a trace subscriber saw: every violation record, in order. */
struct seen_violations {
	unsigned n;
	struct sim_trace_record rec[4];
};

static void on_violation(void *ctx, const struct sim_trace_record *rec)
{
	struct seen_violations *s = ctx;

	if (s->n < 4)
		s->rec[s->n] = *rec;
	s->n++;
}

/*
 * Two backward steps of 5 us and 7 us (reads at 1, 2, 3, 4 ms): mono_vcpu and
 * step_back (threshold 1 us), the only checks enabled, each publish their
 * first violation once, at the 3 ms read, with the step in ps as the amount;
 * the second step publishes nothing.
 */
Test(oracle, first_violation_of_each_check_is_published_once)
{
	struct oracle_group_config g = group_only(1, ORACLE_STEP_BACK, 1 * (int64_t)US);
	struct seen_violations seen = { 0 };
	struct sim_trace t;
	struct oracle *o;

	g.checks[ORACLE_MONO_VCPU].enabled = true;
	strcpy(g.name, "kvmclock");
	sim_trace_init(&t);
	cr_assert(sim_trace_subscribe(&t, SIM_TRACE_BIT(SIM_TRACE_VIOLATION), on_violation, &seen));
	o = oracle_create(&g, 1);
	cr_assert_not_null(o);
	oracle_set_trace(o, &t);
	feed(o, 0, 0, 1, 1 * MS, 0, 1000000);
	feed(o, 0, 0, 1, 2 * MS, 0, 2000000);
	feed(o, 0, 0, 1, 3 * MS, 0, 1995000);        /* 5 us back */
	feed(o, 0, 0, 1, 4 * MS, 0, 1988000);        /* 7 us back */
	cr_expect_eq(res(o, 0, ORACLE_STEP_BACK)->violations, 2);
	cr_assert_eq(seen.n, 2);
	for (unsigned i = 0; i < 2; i++) {
		const struct sim_trace_violation *v = &seen.rec[i].u.violation;

		cr_expect_eq(seen.rec[i].kind, SIM_TRACE_VIOLATION);
		cr_expect_eq(seen.rec[i].t_ps, 3 * MS);
		cr_expect_str_eq(v->reader, "kvmclock");
		cr_expect_eq(v->vcpu, 1);
		cr_expect_eq(v->value_ns, 1995000);
		cr_expect_eq(v->amount, 5 * (int64_t)US);
	}
	/* in id order: mono_vcpu before step_back */
	cr_expect_str_eq(seen.rec[0].u.violation.check, "mono_vcpu");
	cr_expect_str_eq(seen.rec[1].u.violation.check, "step_back");
	oracle_destroy(o);
}

/* The amount is in the check's unit: a rate violation publishes ppb. */
Test(oracle, rate_violation_is_published_in_ppb)
{
	struct oracle_group_config g = group_only(1, ORACLE_RATE, 1000);
	struct seen_violations seen = { 0 };
	struct sim_trace t;
	struct oracle *o;

	sim_trace_init(&t);
	cr_assert(sim_trace_subscribe(&t, SIM_TRACE_ALL, on_violation, &seen));
	o = oracle_create(&g, 1);
	oracle_set_trace(o, &t);
	/* 1 ms of true time in which the clock advanced 1.002 ms: +2000 ppm = +2000000 ppb */
	feed(o, 0, 0, 0, 1 * MS, 0, 1000000);
	feed(o, 0, 0, 0, 2 * MS, 0, 2002000);
	cr_assert_eq(seen.n, 1);
	cr_expect_str_eq(seen.rec[0].u.violation.check, "rate");
	cr_expect_eq(seen.rec[0].u.violation.amount, 2000000);
	cr_expect_eq(oracle_check_desc(ORACLE_RATE)->unit, ORACLE_UNIT_PPB);
	oracle_destroy(o);
}

/* Without a stream, or after it is taken away, violations are only counted. */
Test(oracle, no_trace_publishes_nothing)
{
	struct oracle_group_config g = group_only(1, ORACLE_MONO_VCPU, 0);
	struct seen_violations seen = { 0 };
	struct sim_trace t;
	struct oracle *o;

	sim_trace_init(&t);
	cr_assert(sim_trace_subscribe(&t, SIM_TRACE_ALL, on_violation, &seen));
	o = oracle_create(&g, 1);
	oracle_set_trace(o, &t);
	oracle_set_trace(o, NULL);
	oracle_set_trace(NULL, &t);
	feed(o, 0, 0, 0, 1 * MS, 0, 2);
	feed(o, 0, 0, 0, 2 * MS, 0, 1);
	cr_expect_eq(res(o, 0, ORACLE_MONO_VCPU)->violations, 1);
	cr_expect_eq(seen.n, 0);
	oracle_destroy(o);
}

/* Placeholders the human report fills in a comparison's wording (oracle/check.h). */
static bool known_placeholder(const char *name, size_t len)
{
	static const char *const known[] = { "other_t", "other_value", "other_vcpu", "cpu" };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i]) == len && strncmp(name, known[i], len) == 0)
			return true;
	return false;
}

/* What a new row must fill in for the loader, the engine and both reports. */
Test(oracle, every_row_is_complete_and_named_once)
{
	for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++) {
		const struct oracle_check_desc *d = oracle_check_desc((enum oracle_check_id)c);
		const struct oracle_compared_with_desc *w;

		cr_assert_not_null(d);
		cr_assert_not_null(d->name, "row %u", c);
		cr_expect_not_null(d->sample_noun, "%s", d->name);
		cr_expect_not_null(d->summary, "%s", d->name);
		cr_expect_lt(d->unit, ORACLE_UNIT_COUNT, "%s", d->name);
		cr_expect_eq(oracle_check_by_name(d->name), (enum oracle_check_id)c, "%s", d->name);
		cr_expect_eq(d->window_default != NULL, (d->params & ORACLE_PARAM_WINDOW) != 0,
			     "%s: a window default exactly when it takes a window", d->name);
		w = oracle_compared_with_desc(d->compared_with);
		cr_assert_not_null(w, "%s", d->name);
		for (const char *p = strchr(w->wording, '{'); p; p = strchr(p + 1, '{')) {
			const char *end = strchr(p, '}');

			cr_assert_not_null(end, "%s: unclosed placeholder", d->name);
			cr_expect(known_placeholder(p + 1, (size_t)(end - p - 1)),
				  "%s: unknown placeholder %.*s", d->name, (int)(end - p + 1), p);
		}
	}
	cr_expect_null(oracle_check_desc(ORACLE_CHECK_COUNT));
	cr_expect_eq(oracle_check_by_name("no_such_check"), ORACLE_CHECK_COUNT);
	cr_expect_str_eq(oracle_unit_name(ORACLE_UNIT_PPB), "ppb");
	cr_expect_str_eq(oracle_pause_name(ORACLE_PAUSE_EXCLUDE), "exclude");
	cr_expect_str_eq(oracle_expect_name(ORACLE_EXPECT_FAIL), "fail");
}

/*
 * The same floor after the ring's slots have wrapped many times: 100 reads
 * first (values 1 to 100, ended by 200), then A (500 at 305), 16 reads in
 * flight over B, and B (started at 310) below A by 50 ns: judged against A.
 */
Test(oracle, consumer_abort_floor_after_the_ring_wraps)
{
	struct oracle_group_config g = group_only(2, ORACLE_CONSUMER_ABORT, 0);
	struct oracle *o = oracle_create(&g, 1);
	const struct oracle_check_result *r;

	for (unsigned k = 1; k <= 100; k++)
		oracle_feed(o, 0, 0, 0, 2 * k - 1, 2 * k, k);
	oracle_feed(o, 0, 0, 0, 300, 305, 500);                 /* A */
	for (unsigned k = 1; k <= 16; k++)
		oracle_feed(o, 0, 0, 0, 310 + k, 310 + k, 1000 + k);
	oracle_feed(o, 0, 1, 1, 310, 400, 450);                 /* B */
	r = res(o, 0, ORACLE_CONSUMER_ABORT);
	cr_expect_eq(r->violations, 1);
	cr_expect_eq(r->worst, 50000);
	cr_expect_eq(r->first.other_value_ns, 500);
	cr_expect_eq(r->first.other_t_ps, 305);
	oracle_destroy(o);
}

/*
 * oracle_feed tells a check's first violation, and only the first: reader 0
 * reads 100, 90 (mono_vcpu's first), 80 (its second), then 200 and 100 ns
 * less (step_back's first: a 100 ns step over its 50 ns threshold; mono_vcpu's
 * third), then 0 (the fourth and step_back's second).
 */
Test(oracle, feed_tells_each_checks_first_violation_once)
{
	struct oracle_group_config g = group_only(1, ORACLE_MONO_VCPU, 0);
	struct oracle *o;

	g.checks[ORACLE_STEP_BACK].enabled = true;
	g.checks[ORACLE_STEP_BACK].threshold = 50000;
	o = oracle_create(&g, 1);
	cr_expect(!oracle_feed(o, 0, 0, 0, 0, 10, 100));
	cr_expect(oracle_feed(o, 0, 0, 0, 20, 30, 90));     /* 10 ns back: mono_vcpu only */
	cr_expect(!oracle_feed(o, 0, 0, 0, 40, 50, 80));    /* mono_vcpu again */
	cr_expect(!oracle_feed(o, 0, 0, 0, 60, 70, 200));
	cr_expect(oracle_feed(o, 0, 0, 0, 80, 90, 100));    /* step_back's first */
	cr_expect(!oracle_feed(o, 0, 0, 0, 100, 110, 0));   /* both again */
	cr_expect_eq(res(o, 0, ORACLE_MONO_VCPU)->violations, 4);
	cr_expect_eq(res(o, 0, ORACLE_STEP_BACK)->violations, 2);
	oracle_destroy(o);
}

/*
 * max_error at the edge of its 64-bit arithmetic: a reader's first read of
 * v0 at 10 ps, then v at 20 ps (the reference: 10 ps elapsed).  The error is
 * (v - v0) x 1000 - 10 ps: for v - v0 = floor(INT64_MAX / 1000) exactly
 * representable, one more saturates to INT64_MAX; a value below the first is
 * negative.
 */
Test(oracle, max_error_at_the_edge_of_64_bits)
{
	static const struct { uint64_t v0, v; int64_t worst; } cases[] = {
		{ 0, 9223372036854775u, INT64_C(9223372036854774990) },
		{ 0, 9223372036854776u, INT64_MAX },
		{ 5, 9223372036854780u, INT64_C(9223372036854774990) },
		{ 1000, 0, INT64_C(-1000010) },
		{ UINT64_MAX, 0, -INT64_MAX },
		{ 7, 7, -10 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct oracle_group_config g = group_only(1, ORACLE_MAX_ERROR, 1000);
		struct oracle *o = oracle_create(&g, 1);
		const struct oracle_check_result *r;

		oracle_feed(o, 0, 0, 0, 10, 10, cases[i].v0);
		oracle_feed(o, 0, 0, 0, 20, 20, cases[i].v);
		r = res(o, 0, ORACLE_MAX_ERROR);
		cr_expect_eq(r->samples, 1, "case %zu", i);
		cr_expect_eq(r->worst, cases[i].worst, "case %zu: worst %" PRId64, i, r->worst);
		/* over the 1 ns threshold but the last (10 ps short), referenced at v0 + 0 ns */
		cr_expect_eq(r->violations, i + 1 < sizeof(cases) / sizeof(cases[0]), "case %zu", i);
		if (r->violations)
			cr_expect_eq(r->first.other_value_ns, cases[i].v0, "case %zu: reference", i);
		oracle_destroy(o);
	}
}

/*
 * A worst value that moves without a violation still updates the verdict:
 * max_error within a 1 us threshold, expected worst at most 100 ns.  Reads
 * of reader 0 at 1, 2, 3 us: 1000, 2050 (+50 ns), 3200 ns (+200 ns).
 */
Test(oracle, a_worst_outside_its_range_fails_without_a_violation)
{
	struct oracle_group_config g = group_only(1, ORACLE_MAX_ERROR, 1000000);
	struct oracle *o;
	const struct oracle_check_result *r;

	g.checks[ORACLE_MAX_ERROR].has_worst_max = true;
	g.checks[ORACLE_MAX_ERROR].worst_max = 100000;
	o = oracle_create(&g, 1);
	r = res(o, 0, ORACLE_MAX_ERROR);
	oracle_feed(o, 0, 0, 0, 1000000, 1000000, 1000);
	oracle_feed(o, 0, 0, 0, 2000000, 2000000, 2050);
	cr_expect(r->expectation_met);
	cr_expect_eq(r->worst, 50000);
	oracle_feed(o, 0, 0, 0, 3000000, 3000000, 3200);
	cr_expect_eq(r->worst, 200000);
	cr_expect_eq(r->violations, 0);
	cr_expect(r->passed);
	cr_expect(!r->expectation_met, "worst 200 ns is outside [.., 100 ns]");
	oracle_destroy(o);
}

/* on_first's context: calls per group. */
static void count_first_by_group(void *ctx, unsigned group)
{
	unsigned *calls = ctx;

	cr_assert_lt(group, 2);
	calls[group]++;
}

/*
 * The bench's set of checks (a fused group), fed through a handle: reads
 * that need only counts, max_error's signed worst moving both ways, then a
 * read beyond max_error's threshold, whose first violation the hook hears
 * with its group, once.  Every value is hand-derived from docs/oracle.md.
 */
Test(oracle, common_set_through_a_handle_and_the_first_violation_hook)
{
	struct oracle_group_config g[2];
	unsigned calls[2] = { 0, 0 };
	struct oracle_group *h;
	struct oracle *o;

	for (unsigned i = 0; i < 2; i++) {
		g[i] = group_all(2);
		g[i].checks[ORACLE_STEP_BACK].enabled = false;
		g[i].checks[ORACLE_STEP_FWD].enabled = false;
		g[i].checks[ORACLE_RATE].enabled = false;
		g[i].checks[ORACLE_MAX_ERROR].threshold = 1000000;   /* 1 us */
	}
	o = oracle_create(g, 2);
	cr_assert_not_null(o);
	cr_expect_null(oracle_group_handle(o, 2));
	h = oracle_group_handle(o, 1);
	cr_assert_not_null(h);
	oracle_set_on_first(o, count_first_by_group, calls);

	/* reads of 100 ns, each after the last ended and above it */
	cr_expect_not(oracle_group_feed(h, 0, 0, 1 * US - 100000, 1 * US, 1000));  /* r0's origin */
	cr_expect_not(oracle_group_feed(h, 1, 1, 2 * US - 100000, 2 * US, 2000));  /* r1's origin */
	cr_expect_not(oracle_group_feed(h, 0, 0, 3 * US - 100000, 3 * US, 3300));  /* +300 ns */
	cr_expect_not(oracle_group_feed(h, 1, 1, 4 * US - 100000, 4 * US, 3500));  /* -500 ns */
	cr_expect_not(oracle_group_feed(h, 0, 0, 5 * US - 100000, 5 * US, 5200));  /* +200 ns */
	cr_expect_eq(res(o, 1, ORACLE_MAX_ERROR)->worst, -500000);
	cr_expect_eq(res(o, 1, ORACLE_MAX_ERROR)->samples, 3);
	cr_expect_eq(res(o, 1, ORACLE_MONO_VCPU)->samples, 3);
	/* the second read on: each compared with the group before it, which holds the other reader */
	cr_expect_eq(res(o, 1, ORACLE_MONO_CAUSAL)->samples, 4);
	cr_expect_eq(res(o, 1, ORACLE_CONSUMER_ABORT)->samples, 4);
	cr_expect_eq(calls[1], 0);

	/* r1: 5200 ns over 4 us of reference, 1.2 us above it */
	cr_expect(oracle_group_feed(h, 1, 1, 6 * US - 100000, 6 * US, 7200));
	cr_expect_eq(calls[0], 0);
	cr_expect_eq(calls[1], 1);
	cr_expect_eq(res(o, 1, ORACLE_MAX_ERROR)->worst, 1200000);
	cr_expect_eq(res(o, 1, ORACLE_MAX_ERROR)->violations, 1);
	cr_expect_eq(res(o, 1, ORACLE_MAX_ERROR)->samples, 4);
	cr_expect_eq(res(o, 1, ORACLE_MAX_ERROR)->first.other_value_ns, 2000 + 4000);
	cr_expect_not(res(o, 1, ORACLE_MAX_ERROR)->passed);
	cr_expect_eq(res(o, 1, ORACLE_MONO_CAUSAL)->samples, 5);
	cr_expect_eq(res(o, 1, ORACLE_CONSUMER_ABORT)->samples, 5);
	cr_expect_eq(oracle_reads(o, 1), 6);
	cr_expect_eq(oracle_reads(o, 0), 0);
	oracle_destroy(o);
}
