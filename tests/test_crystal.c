/*
 * crystal: C(t), the integral of f(t) / f_nominal in units of 1e-18 ps,
 * against closed forms: static offsets and whole spread-spectrum periods
 * exactly, partial periods by the triangle's quadratic, wander bounded and
 * reproducible, aging and steps piecewise constant.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/core/rng.h"
#include "sim/core/simtime.h"
#include "sim/cpu-tsc/crystal.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define E9 ((sim_u128)1000000000)
#define E18 (E9 * E9)
#define GHZ3 3000000000u
#define S(x) ((sim_ps)(x) * SIM_PS_PER_S)

static void init_ok(struct crystal *c, const struct crystal_params *p, uint64_t seed,
		    const char *id)
{
	cr_assert(crystal_init(c, p, seed, id), "crystal_init refused the parameters");
}

static struct crystal_params down_spread(uint32_t ppm, uint64_t mod_hz_num, uint64_t mod_hz_den)
{
	return (struct crystal_params){
		.ssc = CRYSTAL_SSC_DOWN,
		.ssc_spread_ppm = ppm,
		.ssc_mod = { mod_hz_num, mod_hz_den },
	};
}

Test(crystal, ideal_crystal_counts_true_time)
{
	static const sim_ps times[] = { 0, 1, 333, S(1), S(3600) + 7, SIM_NEVER - 1 };
	struct crystal_params p = { 0 };
	struct crystal c;

	init_ok(&c, &p, 1, "t");
	cr_expect_eq(crystal_next_update(&c), SIM_NEVER, "nothing to update");
	for (size_t i = 0; i < ARRAY_LEN(times); i++) {
		cr_expect(crystal_count(&c, times[i]) == (sim_u128)times[i] * E18, "t %" PRIu64, times[i]);
		cr_expect_eq(crystal_time_of_count(&c, (sim_u128)times[i] * E18), times[i]);
		if (times[i] > 0)
			cr_expect_eq(crystal_time_of_count(&c, (sim_u128)times[i] * E18 - 1), times[i]);
	}
	cr_expect_eq(crystal_rate_ppb(&c, 12345), 0);
}

Test(crystal, static_offset_is_exact_over_an_hour)
{
	/* +12.5 ppm for exactly 1 h: 3600 s * (1 + 12.5e-6) of nominal time, 3e9 * that in cycles. */
	struct crystal_params p = { .offset_ppb = 12500 };
	struct crystal c;

	init_ok(&c, &p, 1, "t");
	cr_expect(crystal_count(&c, S(3600)) == (sim_u128)S(3600) * (E9 + 12500) * E9);
	cr_expect_eq(crystal_ticks(&c, S(3600), sim_freq_hz(GHZ3)), 10800135000000u);
	cr_expect_eq(crystal_rate_ppb(&c, S(7)), 12500);
	cr_expect_eq(crystal_mean_rate_ppb(&c, S(1), S(3600)), 12500);

	/* -3 ppm: 3e9 * 3600 * (1 - 3e-6) = 10799967600000 */
	p.offset_ppb = -3000;
	init_ok(&c, &p, 1, "t");
	cr_expect_eq(crystal_ticks(&c, S(3600), sim_freq_hz(GHZ3)), 10799967600000u);
}

Test(crystal, whole_down_spread_periods_integrate_to_their_mean)
{
	/*
	 * 0.5 % down-spread at 31.25 kHz: P = 32 us and 1 s holds 31250 periods,
	 * so C(1 s) = 1 s * (1 - 0.0025) exactly and a 3 GHz clock counts
	 * 3e9 * 0.9975 = 2992500000 cycles.
	 */
	struct crystal_params p = down_spread(5000, 31250, 1);
	struct crystal c;

	init_ok(&c, &p, 1, "t");
	cr_assert_eq(c.period_ps, 32000000);
	cr_expect(crystal_count(&c, S(1)) == (sim_u128)S(1) * (E9 - 2500000) * E9);
	cr_expect_eq(crystal_ticks(&c, S(1), sim_freq_hz(GHZ3)), 2992500000u);
	/* and at every period boundary */
	for (uint64_t k = 0; k <= 31250; k += 977)
		cr_expect(crystal_count(&c, k * 32000000) ==
			  (sim_u128)k * 32000000 * (E9 - 2500000) * E9, "period %" PRIu64, k);
	/* one hour at 32 kHz (P = 31.25 us): 3600 * 3e9 * 0.9975 */
	p = down_spread(5000, 0, 0);
	init_ok(&c, &p, 1, "t");
	cr_assert_eq(c.period_ps, 31250000);
	cr_expect_eq(crystal_ticks(&c, S(3600), sim_freq_hz(GHZ3)), 10773000000000u);
	cr_expect_eq(crystal_mean_rate_ppb(&c, 0, S(1)), -2500000);
	cr_expect_eq(crystal_piece_mean_ppb(&c), -2500000);
}

Test(crystal, whole_center_spread_periods_average_nominal)
{
	struct crystal_params p = {
		.offset_ppb = -40, .ssc = CRYSTAL_SSC_CENTER, .ssc_spread_ppm = 5000,
		.ssc_mod = { 31250, 1 },
	};
	struct crystal c;

	init_ok(&c, &p, 1, "t");
	for (uint64_t k = 0; k <= 31250; k += 1250)
		cr_expect(crystal_count(&c, k * 32000000) == (sim_u128)k * 32000000 * (E9 - 40) * E9,
			  "period %" PRIu64, k);
	cr_expect_eq(crystal_piece_mean_ppb(&c), -40);
}

/*
 * floor(1e18 * integral_0^tau (1 - s tri(u)) du) for a triangle falling from
 * 1 to 1 - s over P/2 and back: tau - s tau^2 / P on the first half and
 * tau - s (P/2 - (P - tau)^2 / P) on the second; s = S / 1e9.
 */
static sim_u128 quadratic_count(sim_u128 period, sim_u128 s_ppb, sim_u128 tau)
{
	if (2 * tau <= period)
		return (E18 * tau * period - E9 * s_ppb * tau * tau) / period;
	return (E18 * tau * period -
		E9 * s_ppb * (period * period / 2 - (period - tau) * (period - tau))) / period;
}

Test(crystal, partial_periods_follow_the_quadratic)
{
	/* 0.5 % down-spread, P = 32 us, phase 0: g falls from nominal at the period's start. */
	static const sim_ps taus[] = {
		0, 1, 2, 999, 1000000, 7999999, 8000000, 15999999, 16000000, 16000001,
		20000000, 24000000, 31999999,
	};
	struct crystal_params p = down_spread(5000, 31250, 1);
	struct crystal c;
	const sim_ps base = 12345 * (sim_ps)32000000;     /* a whole number of periods in */
	const sim_u128 at_base = (sim_u128)base * (E9 - 2500000) * E9;

	init_ok(&c, &p, 1, "t");
	for (size_t i = 0; i < ARRAY_LEN(taus); i++) {
		sim_u128 want = at_base + quadratic_count(32000000, 5000000, taus[i]);

		cr_expect(crystal_count(&c, base + taus[i]) == want, "tau %" PRIu64, taus[i]);
	}
	/* the trough at P/2: 16 us * (1 - s/2) exactly */
	cr_expect(crystal_count(&c, base + 16000000) - at_base == (sim_u128)16000000 * (E9 - 2500000) * E9);
	/* the rate follows the triangle: 0 at the top, -s at the trough, -s/2 half way */
	cr_expect_eq(crystal_rate_ppb(&c, base), 0);
	cr_expect_eq(crystal_rate_ppb(&c, base + 8000000), -2500000);
	cr_expect_eq(crystal_rate_ppb(&c, base + 16000000), -5000000);
	cr_expect_eq(crystal_rate_ppb(&c, base + 24000000), -2500000);
}

Test(crystal, phase_shifts_the_triangle)
{
	/* Starting at the trough (phase P/2): the first half period runs 1 - s -> 1. */
	struct crystal_params p = down_spread(5000, 31250, 1);
	struct crystal c;

	p.ssc_phase_ps = 16000000;
	init_ok(&c, &p, 1, "t");
	cr_expect_eq(crystal_rate_ppb(&c, 0), -5000000);
	cr_expect(crystal_count(&c, 16000000) ==
		  quadratic_count(32000000, 5000000, 32000000) - quadratic_count(32000000, 5000000, 16000000));
	cr_expect(crystal_count(&c, S(1)) == (sim_u128)S(1) * (E9 - 2500000) * E9);
}

Test(crystal, count_is_strictly_increasing)
{
	/* SSC + wander + steps; every ps step moves C by at least (1e9 - 1e5)(1e9 - 5e6) units. */
	struct crystal_params p = down_spread(5000, 33000, 1);
	struct crystal c;
	struct sim_rng rng;
	sim_ps t = 0;
	sim_u128 last = 0;
	const sim_u128 min_step = (E9 - 100000) * (E9 - 5000000);

	p.wander_sigma_ppb = 200;
	p.wander_bound_ppb = 100000;
	p.wander_step_ps = 10 * SIM_PS_PER_US;
	init_ok(&c, &p, 7, "test/crystal/increasing");
	sim_rng_init(&rng, 7, "test/crystal/increasing/times");
	for (int i = 0; i < 20000; i++) {
		sim_u128 v;

		t += 1 + sim_rng_below(&rng, i % 3 ? 3000 : 3000000);
		if (crystal_next_update(&c) <= t)
			crystal_update(&c, t);
		if (i % 5000 == 4999)
			crystal_add_step_ppb(&c, t, i % 2 ? 3000 : -3000);
		v = crystal_count(&c, t);
		cr_assert(v > last, "C did not increase at %" PRIu64 " ps", t);
		cr_assert(crystal_count(&c, t + 1) - v >= min_step, "slope at %" PRIu64, t);
		last = v;
	}
}

Test(crystal, time_of_count_inverts_count)
{
	struct crystal_params p = down_spread(5000, 0, 0);
	struct crystal c;
	struct sim_rng rng;

	p.offset_ppb = 3000;
	p.wander_sigma_ppb = 50;
	p.wander_bound_ppb = 500;
	init_ok(&c, &p, 9, "test/crystal/invert");
	crystal_update(&c, S(3));                  /* pieces at 1, 2 and 3 s */
	sim_rng_init(&rng, 9, "test/crystal/invert/targets");
	for (int i = 0; i < 5000; i++) {
		/* targets up to 5 s: the kept pieces and the open last one */
		sim_u128 target = (sim_u128)sim_rng_below(&rng, S(5)) * E18 + sim_rng_below(&rng, E18);
		sim_ps t = crystal_time_of_count(&c, target);

		cr_assert_neq(t, SIM_NEVER);
		cr_assert(crystal_count(&c, t) >= target, "i %d", i);
		if (t > 0)
			cr_assert(crystal_count(&c, t - 1) < target, "i %d: not the earliest", i);
	}
	cr_expect_eq(crystal_time_of_count(&c, ~(sim_u128)0), SIM_NEVER);
}

Test(crystal, wander_stays_bounded_and_is_reproducible)
{
	struct crystal_params p = { .offset_ppb = 1000, .wander_sigma_ppb = 40, .wander_bound_ppb = 300 };
	struct crystal a, b, other;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	double sum2 = 0;
	int64_t prev = 0;
	bool differs = false;
	const int steps = 20000;

	init_ok(&a, &p, 42, "host/h0/socket0/crystal");
	init_ok(&b, &p, 42, "host/h0/socket0/crystal");
	init_ok(&other, &p, 42, "host/h0/socket1/crystal");
	cr_expect_eq(crystal_next_update(&a), S(1));
	for (int i = 1; i <= steps; i++) {
		int64_t e;

		crystal_update(&a, S(i));
		crystal_update(&b, S(i));
		crystal_update(&other, S(i));
		e = crystal_rate_ppb(&a, S(i));
		cr_assert_eq(e, crystal_rate_ppb(&b, S(i)), "same seed and stream, step %d", i);
		differs |= e != crystal_rate_ppb(&other, S(i));
		/* wander rounded to the ppb, reflected inside +-300 ppb */
		cr_assert(e >= 1000 - 300 && e <= 1000 + 300, "step %d: %" PRId64 " ppb", i, e);
		cr_assert(a.wander_ppt >= -300000 && a.wander_ppt <= 300000);
		if (e < lo)
			lo = e;
		if (e > hi)
			hi = e;
		/* increments are sigma * z with |z| <= 6 (reflection can only shorten them) */
		if (i > 1)
			cr_assert(e - prev <= 6 * 40 + 1 && prev - e <= 6 * 40 + 1, "step %d", i);
		sum2 += (double)(e - prev) * (double)(e - prev) * (i > 1);
		prev = e;
		cr_assert_eq(crystal_next_update(&a), S(i + 1));
	}
	cr_expect(differs, "another stream id gives another walk");
	cr_expect(lo < 1000 - 150 && hi > 1000 + 150, "the walk explores its range: [%" PRId64 ", %" PRId64 "]",
		  lo, hi);
	/* step variance ~ sigma^2 = 1600 (loosely: reflections and rounding) */
	cr_expect(sum2 / (steps - 1) > 1200 && sum2 / (steps - 1) < 2000, "variance %.0f",
		  sum2 / (steps - 1));
}

Test(crystal, aging_steps_are_piecewise_constant)
{
	/* 86400 ppb/day = 1 ppb/s, applied at each 1 s step: piece k runs at k ppb. */
	struct crystal_params p = { .aging_ppb_per_day = 86400 };
	struct crystal c;
	sim_u128 want = 0;

	init_ok(&c, &p, 1, "t");
	for (unsigned k = 0; k < 10; k++) {
		crystal_update(&c, S(k));
		cr_expect_eq(crystal_rate_ppb(&c, S(k) + 1), (int64_t)k);
		want += (E9 + k) * E9 * S(1);
	}
	crystal_update(&c, S(10));
	cr_expect(crystal_count(&c, S(10)) == want);
	cr_expect(crystal_count(&c, S(10)) == (sim_u128)S(10) * E18 + (sim_u128)45 * E9 * S(1));
}

Test(crystal, temperature_step_changes_the_rate_at_its_instant)
{
	struct crystal_params p = { .offset_ppb = -2000 };
	struct crystal c;

	init_ok(&c, &p, 1, "t");
	crystal_add_step_ppb(&c, S(1) / 2, 1500);
	cr_expect_eq(crystal_rate_ppb(&c, S(1) / 2 - 1), -2000);
	cr_expect_eq(crystal_rate_ppb(&c, S(1) / 2), -500);
	/* 0.5 s at -2 ppm then 0.5 s at -0.5 ppm */
	cr_expect(crystal_count(&c, S(1)) ==
		  (E9 - 2000) * E9 * (S(1) / 2) + (E9 - 500) * E9 * (S(1) / 2));
	cr_expect_eq(crystal_mean_rate_ppb(&c, 0, S(1)), -1250);
	/*
	 * With SSC (P = 32 us, s = 0.5 %): 2 periods at e = 0, a +1000 ppb step
	 * 5 us into the third, then on to 4 P.  In units of 1e-18 ps times P:
	 * whole period P^2 (1e9 - s/2), first 5 us of a period 1e9 tau P - s tau^2.
	 */
	{
		const sim_u128 period = 32000000, sp = 5000000, tau = 5000000, k1 = E9 + 1000;
		const sim_u128 whole_p = period * period * (E9 - sp / 2);
		const sim_u128 head_p = E9 * tau * period - sp * tau * tau;
		sim_u128 total_p = 2 * E9 * whole_p + E9 * head_p + k1 * (whole_p - head_p) + k1 * whole_p;

		p = down_spread(5000, 31250, 1);
		init_ok(&c, &p, 1, "t");
		crystal_add_step_ppb(&c, 2 * 32000000 + 5000000, 1000);
		cr_expect(crystal_count(&c, 4 * 32000000) == total_p / period);
	}
}

Test(crystal, reads_in_the_past_survive_updates)
{
	/* Values at times before an update are final: history pieces give them back. */
	static const sim_ps times[] = { S(1) / 3, S(1), S(2) + 17, S(5) - 1, S(5) };
	struct crystal_params p = down_spread(5000, 0, 0);
	struct crystal eager, late;
	sim_u128 before[ARRAY_LEN(times)];

	p.wander_sigma_ppb = 100;
	p.aging_ppb_per_day = 5000;
	init_ok(&eager, &p, 3, "s");
	init_ok(&late, &p, 3, "s");
	for (size_t i = 0; i < ARRAY_LEN(times); i++) {
		crystal_update(&eager, times[i]);
		before[i] = crystal_count(&eager, times[i]);
	}
	/* one late call applies the 5 missed steps at their own instants */
	crystal_update(&late, S(5));
	crystal_update(&eager, S(5));
	for (size_t i = 0; i < ARRAY_LEN(times); i++) {
		cr_expect(crystal_count(&eager, times[i]) == before[i], "eager, time %zu", i);
		cr_expect(crystal_count(&late, times[i]) == before[i], "late, time %zu", i);
	}
}

Test(crystal, equivalence_and_determinism)
{
	struct crystal_params p = down_spread(5000, 0, 0);
	struct crystal a, b, w;

	init_ok(&a, &p, 1, "a");
	init_ok(&b, &p, 2, "b");
	cr_expect(crystal_is_deterministic(&a));
	cr_expect(crystal_equivalent(&a, &b), "same parameters, no randomness");
	crystal_add_step_ppb(&b, S(1), 10);
	cr_expect_not(crystal_equivalent(&a, &b), "a step on one of them");
	p.wander_sigma_ppb = 1;
	init_ok(&w, &p, 1, "a");
	cr_expect_not(crystal_is_deterministic(&w));
	cr_expect_not(crystal_equivalent(&a, &w));
	cr_expect(crystal_equivalent(&w, &w));
}

Test(crystal, out_of_range_parameters_are_refused)
{
	static const struct crystal_params bad[] = {
		{ .offset_ppb = CRYSTAL_MAX_PPB + 1 },
		{ .ssc = CRYSTAL_SSC_DOWN, .ssc_spread_ppm = CRYSTAL_MAX_SPREAD_PPM + 1 },
		{ .ssc = CRYSTAL_SSC_DOWN, .ssc_spread_ppm = 5000, .ssc_mod = { 10, 1 } },   /* 10 Hz */
		{ .ssc = CRYSTAL_SSC_DOWN, .ssc_spread_ppm = 5000, .ssc_mod = { 5, 0 } },
		{ .ssc = (enum crystal_ssc)7, .ssc_spread_ppm = 5000 },
		{ .wander_sigma_ppb = (uint64_t)CRYSTAL_MAX_PPB + 1 },
	};

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct crystal c;

		memset(&c, 0xa5, sizeof(c));
		cr_expect_not(crystal_init(&c, &bad[i], 1, "t"), "case %zu", i);
	}
}

Test(crystal, cycles_and_counts_convert_exactly)
{
	static const struct {
		uint64_t k;
		struct sim_freq f;
	} cases[] = {
		{ 1, { GHZ3, 1 } }, { 2, { GHZ3, 1 } }, { 3000000000u, { GHZ3, 1 } },
		{ 12345678901234u, { 3000037500u, 1 } }, { 1, { 14318180, 1 } },
		{ 999, { 6000075001u, 2 } }, { 100000000000000000u, { GHZ3, 1 } },
	};
	sim_u128 unused;

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		sim_u128 d;

		cr_assert(crystal_cycles_to_count(cases[i].k, cases[i].f, &d), "case %zu", i);
		cr_expect(crystal_count_to_cycles(d, cases[i].f) >= cases[i].k, "case %zu", i);
		cr_expect(crystal_count_to_cycles(d - 1, cases[i].f) < cases[i].k, "case %zu: least", i);
	}
	/* 2^64 cycles at 3 GHz need 6e39 units: more than 128 bits */
	cr_expect_not(crystal_cycles_to_count(UINT64_MAX, sim_freq_hz(GHZ3), &unused));
	/* 1 cycle of 3 GHz is 333.33.. ps: ceil(1e30 / 3e9) units */
	{
		sim_u128 d;

		cr_assert(crystal_cycles_to_count(1, sim_freq_hz(GHZ3), &d));
		cr_expect(d == E18 * 333 + (E18 / 3) + 1);
	}
}

Test(crystal, cycles_recip_matches_the_division)
{
	/*
	 * The reciprocal against crystal_count_to_cycles on the rates a TSC
	 * runs at (3 GHz and its ppm neighbours, the HPET, fractional rates):
	 * at the least count of k cycles and one below (the boundaries), and
	 * on random counts over the whole 128-bit range.
	 */
	static const struct sim_freq fs[] = {
		{ GHZ3, 1 }, { 3000037500u, 1 }, { 14318180, 1 }, { 6000075001u, 2 },
		{ 1, 1 }, { 13125000, 11 }, { UINT64_C(54000000000), 1 },
	};
	static const uint64_t ks[] = { 1, 2, 3, 999, 3000000000u, 12345678901234u,
				       UINT64_C(1) << 62, UINT64_MAX / 4 };
	struct sim_rng g;

	sim_rng_init(&g, 5, "test/crystal/recip");
	for (size_t i = 0; i < ARRAY_LEN(fs); i++) {
		struct sim_recip r;

		cr_assert(crystal_cycles_recip(fs[i], &r), "rate %zu", i);
		for (size_t j = 0; j < ARRAY_LEN(ks); j++) {
			sim_u128 d;

			if (!crystal_cycles_to_count(ks[j], fs[i], &d))
				continue;
			cr_expect_eq(sim_recip_apply(&r, d), (uint64_t)crystal_count_to_cycles(d, fs[i]),
				     "rate %zu, k %zu", i, j);
			cr_expect_eq(sim_recip_apply(&r, d), ks[j], "rate %zu: k %zu at its count", i, j);
			cr_expect_eq(sim_recip_apply(&r, d - 1), ks[j] - 1, "rate %zu, k %zu: below", i, j);
		}
		for (int n = 0; n < 5000; n++) {
			sim_u128 d = ((sim_u128)sim_rng_next(&g) << 64 | sim_rng_next(&g)) >>
				     (sim_rng_next(&g) % 128);

			cr_expect_eq(sim_recip_apply(&r, d), (uint64_t)crystal_count_to_cycles(d, fs[i]),
				     "rate %zu, draw %d", i, n);
		}
	}
	/* out of range: callers divide instead */
	{
		struct sim_recip r;

		cr_expect_not(crystal_cycles_recip((struct sim_freq){ 0, 0 }, &r), "stopped");
		cr_expect_not(crystal_cycles_recip((struct sim_freq){ UINT64_C(55000000000), 1 }, &r),
			      "55 GHz");
		cr_expect_not(crystal_cycles_recip((struct sim_freq){ 1, 200000000 }, &r), "den 2e8");
		cr_expect_eq(r.den, 0);
	}
}
