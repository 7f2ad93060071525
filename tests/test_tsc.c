/*
 * tsc: a CPU's time-stamp counter as a linear piece of true time (or of its
 * crystal's count), tsc0 + floor((now - t0) * rate), continuous across rate
 * changes, set by WRMSR, invertible (tsc_time_of) and 64 bits wide; its
 * power-state physics (P-, C-, T-states by TSC class), TSC_ADJUST and
 * TSC_AUX, RDTSC sampling, features and truth queries.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/core/rng.h"
#include "sim/core/simtime.h"
#include "sim/cpu-tsc/tsc.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define GHZ3 3000000000u
#define S(x) ((sim_ps)(x) * SIM_PS_PER_S)

/* 3 GHz * (1 + 12.5e-6) = 3000037500 Hz. */
static struct sim_freq tsc_fast(void)
{
	struct sim_freq f;

	cr_assert(sim_freq_scale_ppb(sim_freq_hz(GHZ3), 12500, &f));
	return f;
}

Test(tsc, read_is_linear_in_true_time)
{
	static const struct {
		sim_ps now;
		uint64_t want;
	} cases[] = {
		/* tsc0 = 1000 at t0 = 5000 ps, 3 GHz = 3 cycles per 1000 ps. */
		{ 5000, 1000 },
		{ 5333, 1000 },                         /* 333 ps = 0.999 cycles */
		{ 5334, 1001 },                         /* 334 ps = 1.002 cycles */
		{ 6000, 1003 },
		{ 5000 + SIM_PS_PER_S, 1000 + 3000000000u },
		{ 5000 + 3600 * SIM_PS_PER_S, 1000 + 10800000000000u },
	};
	struct cpu_tsc tsc;

	tsc_init(&tsc, 5000, 1000, sim_freq_hz(GHZ3));
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		cr_expect_eq(tsc_read(&tsc, cases[i].now), cases[i].want, "at %" PRIu64 " ps: %" PRIu64,
			     cases[i].now, tsc_read(&tsc, cases[i].now));
}

Test(tsc, rate_change_is_continuous)
{
	struct cpu_tsc tsc;
	/* 1 s + 1 ps: 1000 + floor((1e12 + 1) * 3 / 1000) = 1000 + 3000000000 = 3000001000. */
	const sim_ps tc = SIM_PS_PER_S + 1;
	const uint64_t at_tc = 3000001000u;
	const sim_ps t2 = tc + SIM_PS_PER_S;

	tsc_init(&tsc, 0, 1000, sim_freq_hz(GHZ3));
	cr_assert_eq(tsc_read(&tsc, tc), at_tc);

	tsc_set_rate(&tsc, tc, sim_freq_hz(2000000000u));
	/* No jump at the change instant ... */
	cr_expect_eq(tsc_read(&tsc, tc), at_tc);
	/* ... and the new slope of 2 cycles per 1000 ps afterwards. */
	cr_expect_eq(tsc_read(&tsc, tc + 499), at_tc);
	cr_expect_eq(tsc_read(&tsc, tc + 500), at_tc + 1);
	cr_expect_eq(tsc_read(&tsc, tc + SIM_PS_PER_S / 2), at_tc + 1000000000u);
	cr_expect_eq(tsc_read(&tsc, t2), at_tc + 2000000000u);

	/* A second change, to 3 GHz + 12.5 ppm: one hour later 10800135000000 more cycles. */
	tsc_set_rate(&tsc, t2, tsc_fast());
	cr_expect_eq(tsc_read(&tsc, t2), at_tc + 2000000000u);
	cr_expect_eq(tsc_read(&tsc, t2 + 3600 * SIM_PS_PER_S),
		     at_tc + 2000000000u + 10800135000000u);
}

Test(tsc, rate_changes_never_step_backwards_or_jump)
{
	/*
	 * Random change instants and rates between 1 and 5 GHz: across each change
	 * the counter is monotonic and moves by at most one cycle per ps, and after
	 * it advances by floor(dt * new rate) from its value at the change.
	 */
	struct sim_rng rng;
	struct cpu_tsc tsc;
	sim_ps now = 0;

	sim_rng_init(&rng, 3, "test/tsc/changes");
	tsc_init(&tsc, 0, 0, sim_freq_hz(GHZ3));
	for (int i = 0; i < 2000; i++) {
		struct sim_freq rate = sim_freq_hz(1000000000u + sim_rng_below(&rng, 4000000001u));
		uint64_t before, at, after;
		sim_ps dt = sim_rng_below(&rng, 10 * SIM_PS_PER_MS);

		now += 1 + sim_rng_below(&rng, SIM_PS_PER_MS);
		before = tsc_read(&tsc, now - 1);
		at = tsc_read(&tsc, now);
		tsc_set_rate(&tsc, now, rate);
		cr_assert_eq(tsc_read(&tsc, now), at, "change %d jumps", i);
		after = tsc_read(&tsc, now + 1);
		cr_assert(before <= at && at <= after && after - before <= 1, "change %d", i);
		cr_assert_eq(tsc_read(&tsc, now + dt) - at, sim_ticks_in(dt, rate), "change %d slope", i);
	}
}

Test(tsc, write_sets_value_and_keeps_rate)
{
	struct cpu_tsc tsc;
	const sim_ps tw = 7 * SIM_PS_PER_S + 123;

	tsc_init(&tsc, 0, 0, sim_freq_hz(GHZ3));
	tsc_write(&tsc, tw, 42);
	cr_expect_eq(tsc_read(&tsc, tw), 42);
	cr_expect_eq(tsc_read(&tsc, tw + SIM_PS_PER_US), 42 + 3000);    /* 1 us at 3 GHz */
	cr_expect_eq(tsc_read(&tsc, tw + SIM_PS_PER_S), 42 + 3000000000u);
	/* Writing backwards is allowed (a WRMSR can do it). */
	tsc_write(&tsc, tw + SIM_PS_PER_S, 5);
	cr_expect_eq(tsc_read(&tsc, tw + SIM_PS_PER_S), 5);
	cr_expect_eq(tsc_read(&tsc, tw + 2 * SIM_PS_PER_S), 5 + 3000000000u);
}

Test(tsc, time_of_known_values)
{
	static const struct {
		uint64_t value;
		sim_ps want;
	} cases[] = {
		/* tsc0 = 100 at t0 = 5000 ps, 3 GHz (one cycle every 333.33 ps). */
		{ 0, 5000 },                            /* already past: t0 */
		{ 100, 5000 },
		{ 101, 5334 },                          /* ceil(1000 / 3) = 334 */
		{ 102, 5667 },                          /* ceil(2000 / 3) = 667 */
		{ 103, 6000 },
		{ 100 + 3000000000u, 5000 + SIM_PS_PER_S },
		/* 3 GHz for 2^64 ps is 5.5e16 cycles: UINT64_MAX is never reached. */
		{ UINT64_MAX, SIM_NEVER },
	};
	struct cpu_tsc tsc;

	tsc_init(&tsc, 5000, 100, sim_freq_hz(GHZ3));
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		cr_expect_eq(tsc_time_of(&tsc, cases[i].value), cases[i].want, "value %" PRIu64 ": %" PRIu64,
			     cases[i].value, tsc_time_of(&tsc, cases[i].value));

	/* A piece that starts near the end of time saturates instead of wrapping. */
	tsc_init(&tsc, SIM_NEVER - 10, 0, sim_freq_hz(GHZ3));
	cr_expect_eq(tsc_time_of(&tsc, 1000), SIM_NEVER);
}

Test(tsc, time_of_inverts_read)
{
	/* t = time_of(v) is the first ps at which the counter reads v: read(t) >= v > read(t - 1). */
	const struct sim_freq rates[] = {
		sim_freq_hz(GHZ3), tsc_fast(), sim_freq_hz(2100000000u), sim_freq_hz(1000000007u),
	};
	struct sim_rng rng;

	sim_rng_init(&rng, 4, "test/tsc/invert");
	for (size_t r = 0; r < ARRAY_LEN(rates); r++) {
		struct cpu_tsc tsc;
		const sim_ps t0 = 123456789;
		const uint64_t tsc0 = 2592000000000000u;     /* 10 days of 3 GHz since boot */

		tsc_init(&tsc, t0, tsc0, rates[r]);
		for (int i = 0; i < 20000; i++) {
			/* Up to 1e6 s of cycles ahead, well inside 2^64 ps. */
			uint64_t v = tsc0 + 1 + sim_rng_below(&rng, 1000000000000000u);
			sim_ps t = tsc_time_of(&tsc, v);

			cr_assert_neq(t, SIM_NEVER);
			cr_assert_gt(t, t0);
			cr_assert_geq(tsc_read(&tsc, t), v, "rate %zu value %" PRIu64, r, v);
			cr_assert_lt(tsc_read(&tsc, t - 1), v, "rate %zu value %" PRIu64, r, v);
		}
	}
}

Test(tsc, time_of_follows_the_current_piece)
{
	struct cpu_tsc tsc;

	tsc_init(&tsc, 0, 0, sim_freq_hz(GHZ3));
	/* At 1 s the counter is 3e9; from then on 2 GHz: 2 cycles per 1000 ps. */
	tsc_set_rate(&tsc, SIM_PS_PER_S, sim_freq_hz(2000000000u));
	cr_expect_eq(tsc_time_of(&tsc, 3000000002u), SIM_PS_PER_S + 1000);
	/* After a write of 0 at 2 s, value 1 is 500 ps later. */
	tsc_write(&tsc, 2 * SIM_PS_PER_S, 0);
	cr_expect_eq(tsc_time_of(&tsc, 1), 2 * SIM_PS_PER_S + 500);
}

Test(tsc, counter_wraps_at_64_bits)
{
	static const struct {
		uint64_t tsc0;
		sim_ps now;
		uint64_t want;
	} cases[] = {
		/* 2^64 - 3 + 3 cycles (1000 ps at 3 GHz) = 2^64 = 0 (mod 2^64). */
		{ UINT64_MAX - 2, 0, UINT64_MAX - 2 },
		{ UINT64_MAX - 2, 667, UINT64_MAX },    /* 2.001 cycles */
		{ UINT64_MAX - 2, 1000, 0 },
		{ UINT64_MAX - 2, 2000, 3 },
		/* One second of cycles before the wrap: 2^64 - 3e9 + 3e9 * 2 = 3e9. */
		{ 0 - (uint64_t)GHZ3, SIM_PS_PER_S, 0 },
		{ 0 - (uint64_t)GHZ3, 2 * SIM_PS_PER_S, GHZ3 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct cpu_tsc tsc;

		tsc_init(&tsc, 0, cases[i].tsc0, sim_freq_hz(GHZ3));
		cr_expect_eq(tsc_read(&tsc, cases[i].now), cases[i].want, "case %zu: %" PRIu64, i,
			     tsc_read(&tsc, cases[i].now));
	}
}

static struct crystal make_crystal(const struct crystal_params *p)
{
	struct crystal c;

	cr_assert(crystal_init(&c, p, 1, "test/tsc/crystal"));
	return c;
}

static void init_class(struct cpu_tsc *tsc, enum tsc_class cls, const struct crystal *xtal)
{
	struct tsc_props props = { .cls = cls };

	tsc_init_crystal(tsc, xtal, &props, 0, 0, sim_freq_hz(GHZ3));
}

Test(tsc, crystal_offset_one_hour_is_exact)
{
	/* 3 GHz at +12.5 ppm for exactly 1 h: 3e9 * 3600 * (1 + 12.5e-6) = 10800135000000. */
	struct crystal_params cp = { .offset_ppb = 12500 };
	struct crystal xtal = make_crystal(&cp);
	struct cpu_tsc tsc;

	tsc_init_crystal(&tsc, &xtal, NULL, 0, 1000, sim_freq_hz(GHZ3));
	cr_expect_eq(tsc_read(&tsc, S(3600)) - 1000, 10800135000000ull);
	/* the same as an ideal clock at the scaled rate, at every instant */
	{
		struct cpu_tsc ideal;

		tsc_init(&ideal, 0, 1000, tsc_fast());
		for (sim_ps t = 0; t < 5000; t += 7)
			cr_assert_eq(tsc_read(&tsc, t), tsc_read(&ideal, t), "at %" PRIu64, t);
	}
}

Test(tsc, down_spread_crystal_gives_the_mean_over_whole_periods)
{
	/* 0.5 % down-spread at 31.25 kHz, 1 s = 31250 periods: 3e9 * (1 - 0.0025) cycles. */
	struct crystal_params cp = {
		.ssc = CRYSTAL_SSC_DOWN, .ssc_spread_ppm = 5000, .ssc_mod = { 31250, 1 },
	};
	struct crystal xtal = make_crystal(&cp);
	struct cpu_tsc tsc;
	uint64_t last;

	tsc_init_crystal(&tsc, &xtal, NULL, 0, 0, sim_freq_hz(GHZ3));
	last = tsc_read(&tsc, S(1));
	cr_expect_eq(tsc_read(&tsc, S(1)), 2992500000ull);
	cr_expect_eq(tsc_read(&tsc, S(2)), 2 * 2992500000ull);
	/* a non-decreasing counter, one cycle at most per 333 ps */
	for (sim_ps t = S(1); t < S(1) + 100000000; t += 331) {
		uint64_t v = tsc_read(&tsc, t);

		cr_assert(v >= last && v - last <= 1, "at %" PRIu64, t);
		last = v;
	}
	cr_expect_eq(tsc_rate_ppb(&tsc, S(1), sim_freq_hz(GHZ3)), 0);
	cr_expect_eq(tsc_rate_ppb(&tsc, S(1) + 16000000, sim_freq_hz(GHZ3)), -5000000);
}

Test(tsc, time_of_inverts_read_on_a_crystal)
{
	struct crystal_params cp = {
		.offset_ppb = -700, .ssc = CRYSTAL_SSC_CENTER, .ssc_spread_ppm = 4000,
		.ssc_mod = { 33000, 1 },
	};
	struct crystal xtal = make_crystal(&cp);
	struct cpu_tsc tsc;
	struct sim_rng rng;

	tsc_init_crystal(&tsc, &xtal, NULL, 123456789, 99, sim_freq_hz(GHZ3));
	sim_rng_init(&rng, 5, "test/tsc/crystal-invert");
	for (int i = 0; i < 5000; i++) {
		uint64_t v = 100 + sim_rng_below(&rng, 30000000000000ull);   /* up to 10^4 s */
		sim_ps t = tsc_time_of(&tsc, v);

		cr_assert_neq(t, SIM_NEVER);
		cr_assert_geq(tsc_read(&tsc, t), v, "value %" PRIu64, v);
		cr_assert_lt(tsc_read(&tsc, t - 1), v, "value %" PRIu64, v);
	}
}

Test(tsc, deep_cstate_loses_exactly_the_halted_cycles)
{
	static const struct {
		enum tsc_class cls;
		unsigned cstate;
		uint64_t at_2s;
	} cases[] = {
		/* halted from 1 s to 1.5 s */
		{ TSC_INVARIANT, 3, 6000000000ull },      /* nonstop: counts through */
		{ TSC_CONSTANT, 3, 4500000000ull },       /* stops in C2+: 0.5 s = 1.5e9 cycles lost */
		{ TSC_VARIABLE, 2, 4500000000ull },
		{ TSC_CONSTANT, 1, 6000000000ull },       /* HLT (C1) does not stop it */
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct cpu_tsc tsc;

		init_class(&tsc, cases[i].cls, NULL);
		tsc_cstate_enter(&tsc, S(1), cases[i].cstate);
		if (cases[i].at_2s != 6000000000ull) {
			cr_expect_eq(tsc_read(&tsc, S(1) + S(1) / 4), GHZ3, "case %zu: frozen", i);
			cr_expect_eq(tsc_time_of(&tsc, GHZ3 + 1), SIM_NEVER, "case %zu", i);
			cr_expect_not(tsc_running(&tsc));
		}
		tsc_cstate_exit(&tsc, S(1) + S(1) / 2);
		/* it resumes where it stopped */
		cr_expect_eq(tsc_read(&tsc, S(2)), cases[i].at_2s, "case %zu", i);
		cr_expect_eq(tsc_cycles_counted(&tsc, S(2)), cases[i].at_2s, "case %zu", i);
		cr_expect_eq(tsc_stopped_within(&tsc, 0, S(2)), cases[i].at_2s != 6000000000ull, "case %zu", i);
	}
}

Test(tsc, variable_tsc_follows_the_pstate)
{
	struct cpu_tsc var, cst;

	init_class(&var, TSC_VARIABLE, NULL);
	init_class(&cst, TSC_CONSTANT, NULL);
	/* half the P0 ratio for 1 s (1 s to 2 s): half the cycles */
	tsc_set_pstate(&var, S(1), 1, 2);
	tsc_set_pstate(&cst, S(1), 1, 2);
	cr_expect_eq(tsc_read(&var, S(2)), 3000000000ull + 1500000000ull);
	cr_expect_eq(tsc_read(&cst, S(2)), 6000000000ull, "a constant TSC ignores P-states");
	tsc_set_pstate(&var, S(2), 1, 1);
	cr_expect_eq(tsc_read(&var, S(3)), 7500000000ull);
	/* turbo at 4/3: 4e9 cycles per second */
	tsc_set_pstate(&var, S(3), 4, 3);
	cr_expect_eq(tsc_read(&var, S(4)), 11500000000ull);
	cr_expect(tsc_scaled_within(&var, 0, S(4)));
	cr_expect_not(tsc_scaled_within(&cst, 0, S(4)));
	cr_expect_eq(tsc_rate_ppb(&var, S(4), sim_freq_hz(GHZ3)), 333333333);
}

Test(tsc, throttling_scales_a_non_nonstop_tsc_by_its_duty)
{
	static const struct {
		enum tsc_class cls;
		uint32_t duty_ppm;
		uint64_t in_1s;
	} cases[] = {
		{ TSC_CONSTANT, 500000, 1500000000ull },
		{ TSC_VARIABLE, 125000, 375000000ull },
		{ TSC_INVARIANT, 500000, 3000000000ull },
		{ TSC_CONSTANT, 0, 0 },
		{ TSC_CONSTANT, TSC_DUTY_FULL_PPM, 3000000000ull },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct cpu_tsc tsc;

		init_class(&tsc, cases[i].cls, NULL);
		tsc_set_throttle(&tsc, S(1), cases[i].duty_ppm);
		cr_expect_eq(tsc_read(&tsc, S(2)) - GHZ3, cases[i].in_1s, "case %zu", i);
	}
}

Test(tsc, halted_core_erratum_runs_faster_while_halted)
{
	/* timekeeping.rst 3.5: P-state raised while halted; here 2x in C1. K8 C1 ramping: 1/8. */
	struct tsc_props fast = { .cls = TSC_CONSTANT, .halt_num = 2, .halt_den = 1 };
	struct tsc_props ramp = { .cls = TSC_VARIABLE, .halt_num = 1, .halt_den = 8 };
	struct cpu_tsc a, b;

	tsc_init_crystal(&a, NULL, &fast, 0, 0, sim_freq_hz(GHZ3));
	tsc_init_crystal(&b, NULL, &ramp, 0, 0, sim_freq_hz(GHZ3));
	tsc_cstate_enter(&a, S(1), 1);
	tsc_cstate_enter(&b, S(1), 1);
	tsc_cstate_exit(&a, S(2));
	tsc_cstate_exit(&b, S(2));
	cr_expect_eq(tsc_read(&a, S(3)), 3000000000ull + 6000000000ull + 3000000000ull);
	cr_expect_eq(tsc_read(&b, S(3)), 3000000000ull + 375000000ull + 3000000000ull);
	cr_expect(tsc_scaled_within(&a, S(1), S(3)));
	cr_expect_not(tsc_scaled_within(&a, S(2), S(3)), "the spell ended at 2 s");
}

Test(tsc, writes_and_tsc_adjust_move_together)
{
	struct cpu_tsc tsc;
	uint64_t v = 0;

	tsc_init(&tsc, 0, 0, sim_freq_hz(GHZ3));
	cr_assert(tsc_rdmsr(&tsc, 0, IA32_TSC_ADJUST, &v));
	cr_expect_eq(v, 0, "0 at RESET");
	/* WRMSR TSC at 1 s (counter 3e9) to 1e9: it subtracts 2e9, so does TSC_ADJUST */
	cr_assert(tsc_wrmsr(&tsc, S(1), IA32_TIME_STAMP_COUNTER, 1000000000ull));
	cr_assert(tsc_rdmsr(&tsc, S(1), IA32_TSC_ADJUST, &v));
	cr_expect_eq((int64_t)v, -2000000000);
	cr_expect_eq(tsc_read(&tsc, S(2)), 4000000000ull);
	/* WRMSR TSC_ADJUST from -2e9 to +5e8: the TSC gains 2.5e9 */
	cr_assert(tsc_wrmsr(&tsc, S(2), IA32_TSC_ADJUST, 500000000ull));
	cr_expect_eq(tsc_read(&tsc, S(2)), 6500000000ull);
	cr_expect_eq(tsc_read(&tsc, S(3)), 9500000000ull);
	/* TSC_ADJUST changes only by WRMSR: with no write, the identity TSC = ticks + ADJUST holds */
	cr_expect_eq(tsc_read(&tsc, S(3)), tsc_cycles_counted(&tsc, S(3)) + 500000000ull);
	cr_expect(tsc_written_within(&tsc, S(2), S(3)));
	cr_expect_not(tsc_written_within(&tsc, S(2) + 1, S(3)));
	/* a CPU without TSC_ADJUST: #GP */
	tsc.props.no_adjust = true;
	cr_expect_not(tsc_wrmsr(&tsc, S(3), IA32_TSC_ADJUST, 0));
	cr_expect_not(tsc_rdmsr(&tsc, S(3), IA32_TSC_ADJUST, &v));
	cr_expect_not(tsc_wrmsr(&tsc, S(3), 0x11, 0), "not a TSC MSR");
}

Test(tsc, old_cpus_write_the_low_32_bits_and_clear_the_upper)
{
	struct tsc_props props = { .write_low32 = true };
	struct cpu_tsc tsc;

	tsc_init_crystal(&tsc, NULL, &props, 0, 0x123456789abcdef0ull, sim_freq_hz(GHZ3));
	cr_assert(tsc_wrmsr(&tsc, 0, IA32_TIME_STAMP_COUNTER, 0xfedcba9876543210ull));
	cr_expect_eq(tsc_read(&tsc, 0), 0x76543210ull);
	cr_expect_eq(tsc_read(&tsc, S(1)), 0x76543210ull + 3000000000ull);
	props.write_low32 = false;
	tsc_init_crystal(&tsc, NULL, &props, 0, 0, sim_freq_hz(GHZ3));
	cr_assert(tsc_wrmsr(&tsc, 0, IA32_TIME_STAMP_COUNTER, 0xfedcba9876543210ull));
	cr_expect_eq(tsc_read(&tsc, 0), 0xfedcba9876543210ull);
}

Test(tsc, rdtscp_returns_tsc_aux_and_the_exact_value)
{
	struct tsc_props props = { .rdtsc_window_cycles = 40 };
	struct cpu_tsc tsc;
	struct sim_rng rng;
	uint32_t aux = 0;
	uint64_t v;
	bool below = false, above = false;

	tsc_init_crystal(&tsc, NULL, &props, 0, 0, sim_freq_hz(GHZ3));
	cr_assert(tsc_wrmsr(&tsc, 0, IA32_TSC_AUX, (1ull << 12) | 5));
	cr_expect_not(tsc_wrmsr(&tsc, 0, IA32_TSC_AUX, 1ull << 32), "bits 63:32 are reserved");
	sim_rng_init(&rng, 11, "test/tsc/rdtsc");
	for (int i = 0; i < 2000; i++) {
		sim_ps t = S(1) + (sim_ps)i * 1000;       /* 3 cycles apart */
		uint64_t exact = tsc_read(&tsc, t);
		int64_t d;

		v = tsc_rdtsc(&tsc, t, TSC_RDTSCP, &rng, &aux);
		cr_assert_eq(v, exact);
		cr_assert_eq(aux, (1ull << 12) | 5);
		cr_assert_eq(tsc_rdtsc(&tsc, t, TSC_LFENCE_RDTSC, &rng, NULL), exact);
		d = (int64_t)(tsc_rdtsc(&tsc, t, TSC_RDTSC, &rng, NULL) - exact);
		cr_assert(d >= -40 && d <= 40, "RDTSC off by %" PRId64, d);
		below |= d < 0;
		above |= d > 0;
	}
	cr_expect(below && above, "the window is used both ways");
	/* no window, or no rng: exact */
	props.rdtsc_window_cycles = 0;
	tsc_init_crystal(&tsc, NULL, &props, 0, 0, sim_freq_hz(GHZ3));
	cr_expect_eq(tsc_rdtsc(&tsc, S(1), TSC_RDTSC, &rng, NULL), GHZ3);
}

Test(tsc, features_derive_from_the_class)
{
	static const struct {
		struct tsc_props props;
		struct tsc_features want;
	} cases[] = {
		{ { .cls = TSC_INVARIANT }, { true, true, false, false, true, true } },
		{ { .cls = TSC_CONSTANT }, { true, false, false, false, false, true } },
		{ { .cls = TSC_VARIABLE, .no_adjust = true }, { false, false, false, false, false, false } },
		{ { .cls = TSC_INVARIANT, .known_freq = true, .reliable = true },
		  { true, true, true, true, true, true } },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct cpu_tsc tsc;
		struct tsc_features f;

		tsc_init_crystal(&tsc, NULL, &cases[i].props, 0, 0, sim_freq_hz(GHZ3));
		f = tsc_derived_features(&tsc);
		cr_expect(memcmp(&f, &cases[i].want, sizeof(f)) == 0, "case %zu", i);
		f = tsc_advertised_features(&tsc);
		cr_expect(memcmp(&f, &cases[i].want, sizeof(f)) == 0, "case %zu: advertised = derived", i);
	}
}

Test(tsc, advertised_features_can_lie)
{
	/* a hypervisor advertising invtsc on a TSC that stops in C3 */
	struct tsc_features lie = { .constant_tsc = true, .nonstop_tsc = true, .invariant_cpuid = true };
	struct cpu_tsc tsc;
	struct tsc_features f;

	init_class(&tsc, TSC_CONSTANT, NULL);
	tsc_advertise(&tsc, &lie);
	f = tsc_advertised_features(&tsc);
	cr_expect(f.invariant_cpuid && f.nonstop_tsc);
	cr_expect_not(tsc_derived_features(&tsc).nonstop_tsc);
	/* and the truth query shows the lie once the TSC stops */
	tsc_cstate_enter(&tsc, S(1), 3);
	tsc_cstate_exit(&tsc, S(2));
	cr_expect(tsc_stopped_within(&tsc, 0, S(3)));
	cr_expect_not(tsc_stopped_within(&tsc, S(2), S(3)));
	tsc_advertise(&tsc, NULL);
	cr_expect_not(tsc_advertised_features(&tsc).nonstop_tsc);
}

Test(tsc, stopped_within_sees_the_current_stop)
{
	struct cpu_tsc tsc;

	init_class(&tsc, TSC_CONSTANT, NULL);
	cr_expect_not(tsc_stopped_within(&tsc, 0, S(5)));
	tsc_cstate_enter(&tsc, S(1), 6);
	cr_expect_not(tsc_stopped_within(&tsc, 0, S(1)), "no time has passed");
	cr_expect(tsc_stopped_within(&tsc, 0, S(1) + 1));
	cr_expect(tsc_stopped_within(&tsc, S(4), S(5)));
	/* a zero-length stop does not count */
	tsc_cstate_exit(&tsc, S(5));
	tsc_cstate_enter(&tsc, S(6), 6);
	tsc_cstate_exit(&tsc, S(6));
	cr_expect_not(tsc_stopped_within(&tsc, S(5), S(7)));
	cr_expect_eq(tsc.stops, 1);
}

Test(tsc, rate_error_of_counted_cycles)
{
	static const struct {
		uint64_t cycles;
		sim_ps dt;
		int64_t want_ppb;
	} cases[] = {
		{ 3000000000ull, S(1), 0 },
		{ 2992500000ull, S(1), -2500000 },
		{ 10800135000000ull, S(3600), 12500 },
		{ 3000000001ull, S(1), 0 },               /* 0.33 ppb, floored */
		{ 2999999999ull, S(1), -1 },
		{ 0, S(1), -1000000000 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		cr_expect_eq(tsc_rate_error_ppb(cases[i].cycles, cases[i].dt, sim_freq_hz(GHZ3)),
			     cases[i].want_ppb, "case %zu: %" PRId64, i,
			     tsc_rate_error_ppb(cases[i].cycles, cases[i].dt, sim_freq_hz(GHZ3)));
}

Test(tsc, reset_and_power_off)
{
	struct cpu_tsc tsc;

	init_class(&tsc, TSC_INVARIANT, NULL);
	cr_assert(tsc_wrmsr(&tsc, S(1), IA32_TSC_ADJUST, 77));
	tsc_power_off(&tsc, S(2));
	cr_expect_eq(tsc_read(&tsc, S(3)), 6000000077ull, "even an invariant TSC stops without power");
	tsc_reset(&tsc, S(4), 0);
	cr_expect_eq(tsc.adjust, 0);
	cr_expect_eq(tsc_read(&tsc, S(5)), GHZ3);
	cr_expect_eq(tsc_cycles_counted(&tsc, S(5)), 6000000000ull + GHZ3);
}
