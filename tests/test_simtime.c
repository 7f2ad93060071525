/*
 * simtime: exact tick <-> picosecond conversion on rational frequencies.
 *
 * Every expected value below is worked out by hand from the definitions
 * tick_time(n) = ceil(n / f) and ticks_in(t) = floor(t * f), with f in Hz and t
 * in ps (1 s = 1e12 ps); the arithmetic is written next to each case.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/core/rng.h"
#include "sim/core/simtime.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct sim_freq freq_of(uint64_t num, uint64_t den)
{
	struct sim_freq f;

	cr_assert(sim_freq_make(num, den, &f), "sim_freq_make(%" PRIu64 ", %" PRIu64 ")", num, den);
	return f;
}

/* 3 GHz with a +12.5 ppm crystal: 3e9 * (1 + 12500e-9) = 3000037500 Hz exactly. */
static struct sim_freq tsc_fast(void)
{
	struct sim_freq f;

	cr_assert(sim_freq_scale_ppb(sim_freq_hz(3000000000u), 12500, &f));
	return f;
}

Test(simtime, freq_make_reduces_by_gcd)
{
	static const struct {
		uint64_t num, den;
		uint64_t want_num, want_den;
	} cases[] = {
		/* PIT: 105 MHz / 88; gcd(105000000, 88) = 8 -> 13125000 / 11. */
		{ 105000000, 88, 13125000, 11 },
		{ 3000000000u, 1, 3000000000u, 1 },
		{ 6, 4, 3, 2 },
		{ 1000, 1000, 1, 1 },
		/* 2^63 / 2 reduces to 2^62 / 1, which fits below 2^63. */
		{ 1ULL << 63, 2, 1ULL << 62, 1 },
		{ (1ULL << 63) - 1, 1, (1ULL << 63) - 1, 1 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct sim_freq f = { 0, 0 };

		cr_assert(sim_freq_make(cases[i].num, cases[i].den, &f), "case %zu", i);
		cr_expect_eq(f.num, cases[i].want_num, "case %zu: num %" PRIu64, i, f.num);
		cr_expect_eq(f.den, cases[i].want_den, "case %zu: den %" PRIu64, i, f.den);
	}
}

Test(simtime, freq_make_rejects_zero_and_huge)
{
	static const struct {
		uint64_t num, den;
	} cases[] = {
		{ 0, 1 },
		{ 1, 0 },
		{ 0, 0 },
		{ 1ULL << 63, 1 },            /* reduced num must stay below 2^63 */
		{ UINT64_MAX, 1 },
		{ UINT64_MAX, 2 },            /* odd: gcd 1, num stays above 2^63 */
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct sim_freq f = { 77, 77 };

		cr_expect_not(sim_freq_make(cases[i].num, cases[i].den, &f), "case %zu accepted", i);
		cr_expect(f.num == 77 && f.den == 77, "case %zu: output written on failure", i);
	}
	/* A num above 2^63 is fine when the gcd brings it below: 2^63 + 1 = 3 * 3074457345618258603. */
	{
		struct sim_freq f;

		cr_expect(sim_freq_make((1ULL << 63) + 1, 3, &f));
		cr_expect_eq(f.num, 3074457345618258603ULL);
		cr_expect_eq(f.den, 1);
	}
}

Test(simtime, freq_scale_ppb_is_exact)
{
	static const struct {
		uint64_t hz;
		int64_t ppb;
		uint64_t want_num, want_den;
	} cases[] = {
		/* 3e9 * (1e9 + 12500) / 1e9 = 3 * 1000012500 = 3000037500. */
		{ 3000000000u, 12500, 3000037500u, 1 },
		/* 3e9 * (1e9 - 50) / 1e9 = 3 * 999999950 = 2999999850. */
		{ 3000000000u, -50, 2999999850u, 1 },
		{ 3000000000u, 0, 3000000000u, 1 },
		/* 1 Hz * (1e9 + 1) / 1e9: already coprime. */
		{ 1, 1, 1000000001u, 1000000000u },
		/* 3e9 * 1 / 1e9 = 3 Hz: the most negative accepted offset. */
		{ 3000000000u, -999999999, 3, 1 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct sim_freq f = { 0, 0 };

		cr_assert(sim_freq_scale_ppb(sim_freq_hz(cases[i].hz), cases[i].ppb, &f), "case %zu", i);
		cr_expect_eq(f.num, cases[i].want_num, "case %zu: num %" PRIu64, i, f.num);
		cr_expect_eq(f.den, cases[i].want_den, "case %zu: den %" PRIu64, i, f.den);
	}
}

Test(simtime, freq_scale_ppb_rejects_unrepresentable)
{
	struct sim_freq f;

	/* A factor of 1 + ppb / 1e9 <= 0 is no frequency. */
	cr_expect_not(sim_freq_scale_ppb(sim_freq_hz(3000000000u), -1000000000, &f));
	cr_expect_not(sim_freq_scale_ppb(sim_freq_hz(3000000000u), INT64_MIN, &f));
	/* (2^63 - 1) * 2: the numerator reaches 2^63. */
	cr_expect_not(sim_freq_scale_ppb(sim_freq_hz((1ULL << 63) - 1), 1000000000, &f));
	/* A zero-initialised (unset) frequency must fail, not divide by zero. */
	cr_expect_not(sim_freq_scale_ppb((struct sim_freq){ 0, 0 }, 0, &f));
	cr_expect_not(sim_freq_scale_ppb((struct sim_freq){ 0, 1 }, 0, &f));
}

Test(simtime, freq_floor_hz_and_khz)
{
	/* 105e6 / 88 = 1193181.818... Hz = 1193.18... kHz. */
	cr_expect_eq(sim_freq_floor_hz(freq_of(105000000, 88)), 1193181);
	cr_expect_eq(sim_freq_floor_khz(freq_of(105000000, 88)), 1193);
	/* 3000037500 Hz = 3000037.5 kHz. */
	cr_expect_eq(sim_freq_floor_hz(tsc_fast()), 3000037500u);
	cr_expect_eq(sim_freq_floor_khz(tsc_fast()), 3000037);
	cr_expect_eq(sim_freq_floor_khz(sim_freq_hz(999)), 0);
}

Test(simtime, tick_time_of_known_ticks)
{
	static const struct {
		const char *what;
		uint64_t num, den;
		uint64_t n;
		sim_ps want;
	} cases[] = {
		/* PIT at 105/88 MHz: one tick is 88e12 / 105e6 = 838095.238 ps. */
		{ "pit", 105000000, 88, 0, 0 },
		{ "pit", 105000000, 88, 1, 838096 },                 /* ceil(838095.238) */
		{ "pit", 105000000, 88, 105, 88000000 },             /* 105 * 88e6 / 105 exactly */
		/* 1193182 * 88e6 / 105 = 105000016e6 / 105 = 1000000152380.95 */
		{ "pit", 105000000, 88, 1193182, 1000000152381 },
		/* 3 GHz: one tick is 1000 / 3 = 333.33 ps. */
		{ "3GHz", 3000000000u, 1, 1, 334 },
		{ "3GHz", 3000000000u, 1, 3, 1000 },
		{ "3GHz", 3000000000u, 1, 3000000000u, SIM_PS_PER_S },
		/* HPET 14.31818 MHz: 1e12 / 14318180 = 69841.27 ps; 1431818 ticks = 0.1 s. */
		{ "hpet", 14318180, 1, 1, 69842 },
		{ "hpet", 14318180, 1, 1431818, 100000000000 },
		/* 3000037500 Hz: 1e12 / 3000037500 = 333.329 ps; f ticks = 1 s. */
		{ "tsc+12.5ppm", 3000037500u, 1, 1, 334 },
		{ "tsc+12.5ppm", 3000037500u, 1, 3000037500u, SIM_PS_PER_S },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		sim_ps t = sim_tick_time(cases[i].n, freq_of(cases[i].num, cases[i].den));

		cr_expect_eq(t, cases[i].want, "%s tick %" PRIu64 ": %" PRIu64 " ps, want %" PRIu64,
			     cases[i].what, cases[i].n, t, cases[i].want);
	}
}

/*
 * For f <= 1 THz (at most one tick per ps), t = ceil(n / f) is the first ps at
 * which floor(t * f) >= n, and floor(t * f) < n + f <= n + 1, so
 * ticks_in(t) == n exactly and ticks_in(t - 1) == n - 1.
 */
static void check_round_trip(const char *what, struct sim_freq f, uint64_t n)
{
	sim_ps t = sim_tick_time(n, f);

	cr_assert_neq(t, SIM_NEVER, "%s tick %" PRIu64 " does not fit", what, n);
	cr_assert_eq(sim_ticks_in(t, f), n, "%s: ticks_in(tick_time(%" PRIu64 ")) = %" PRIu64,
		     what, n, sim_ticks_in(t, f));
	if (n > 0)
		cr_assert_eq(sim_ticks_in(t - 1, f), n - 1,
			     "%s: one ps before tick %" PRIu64 " reads %" PRIu64, what, n,
			     sim_ticks_in(t - 1, f));
}

Test(simtime, tick_time_round_trips)
{
	const struct {
		const char *what;
		struct sim_freq f;
	} clocks[] = {
		{ "pit", freq_of(105000000, 88) },
		{ "3GHz", sim_freq_hz(3000000000u) },
		{ "hpet", freq_of(143181800, 10) },        /* 14.31818 MHz, reduced to 14318180 / 1 */
		{ "tsc+12.5ppm", tsc_fast() },
		{ "rtc", sim_freq_hz(32768) },
		{ "1THz", sim_freq_hz(1000000000000u) },   /* exactly one tick per ps */
		{ "odd", freq_of(1000000007, 3) },
	};
	static const uint64_t fixed[] = {
		0, 1, 2, 3, 7, 999, 1000, 1001, 65535, 65536, 1193182, 14318180,
		999999999, 3000000000u, 3000037500u, 1000000000000u,
	};
	struct sim_rng rng;

	sim_rng_init(&rng, 42, "test/simtime/round-trip");
	for (size_t c = 0; c < ARRAY_LEN(clocks); c++) {
		/* 1e7 s (116 days) of ticks stays below 2^64 ps (213 days). */
		uint64_t limit = sim_freq_floor_hz(clocks[c].f) * 10000000u;

		for (size_t i = 0; i < ARRAY_LEN(fixed); i++)
			if (fixed[i] < limit)
				check_round_trip(clocks[c].what, clocks[c].f, fixed[i]);
		for (int i = 0; i < 20000; i++)
			check_round_trip(clocks[c].what, clocks[c].f, sim_rng_below(&rng, limit));
		check_round_trip(clocks[c].what, clocks[c].f, limit);
	}
}

Test(simtime, ticks_in_floors_at_tick_boundaries)
{
	struct sim_freq pit = freq_of(105000000, 88);

	/* Tick 1 of the PIT is at 838095.238 ps. */
	cr_expect_eq(sim_ticks_in(838095, pit), 0);
	cr_expect_eq(sim_ticks_in(838096, pit), 1);
	/* Tick 105 at exactly 88 us. */
	cr_expect_eq(sim_ticks_in(88000000 - 1, pit), 104);
	cr_expect_eq(sim_ticks_in(88000000, pit), 105);
	/* 3 GHz: 3 ticks per 1000 ps exactly. */
	cr_expect_eq(sim_ticks_in(999, sim_freq_hz(3000000000u)), 2);
	cr_expect_eq(sim_ticks_in(1000, sim_freq_hz(3000000000u)), 3);
	cr_expect_eq(sim_ticks_in(0, sim_freq_hz(3000000000u)), 0);
}

Test(simtime, one_hour_at_plus_12_5_ppm)
{
	/* 3e9 * 3600 * (1 + 12.5e-6) = 10800000000000 + 135000000 = 10800135000000. */
	sim_ps hour = 3600 * SIM_PS_PER_S;

	cr_expect_eq(sim_ticks_in(hour, tsc_fast()), 10800135000000ULL);
	cr_expect_eq(sim_ticks_in(hour - 1, tsc_fast()), 10800135000000ULL - 1);
	cr_expect_eq(sim_tick_time(10800135000000ULL, tsc_fast()), hour);
}

Test(simtime, tick_time_never_when_out_of_range)
{
	const struct {
		const char *what;
		uint64_t n;
		struct sim_freq f;
		sim_ps want;
	} cases[] = {
		/* 2^64 - 1 s is far beyond 2^64 ps. */
		{ "1Hz max", UINT64_MAX, sim_freq_hz(1), SIM_NEVER },
		/* n * den * 1e12 overflows 128 bits: 2^64 * 2^62 * 1e12 > 2^128. */
		{ "slow max", UINT64_MAX, freq_of(1, 1ULL << 62), SIM_NEVER },
		/*
		 * n * den * 1e12 = 2^54 * 2^62 * 2^12 * 244140625 = 2^128 * 244140625: a
		 * 128-bit product would wrap to exactly 0.  The time is about 2^53 s.
		 */
		{ "wraps to 0", 1ULL << 54, freq_of((1ULL << 63) - 1, 1ULL << 62), SIM_NEVER },
		/* At 1 THz tick n is at n ps: 2^64 - 2 fits, 2^64 - 1 is SIM_NEVER itself. */
		{ "1THz last", UINT64_MAX - 1, sim_freq_hz(1000000000000u), UINT64_MAX - 1 },
		{ "1THz over", UINT64_MAX, sim_freq_hz(1000000000000u), SIM_NEVER },
		/* 3 GHz: 2^64 ps holds floor(2^64 * 3 / 1000) = 55340232221128654 ticks. */
		{ "3GHz over", 55340232221128655ULL, sim_freq_hz(3000000000u), SIM_NEVER },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		sim_ps t = sim_tick_time(cases[i].n, cases[i].f);

		cr_expect_eq(t, cases[i].want, "%s: %" PRIu64, cases[i].what, t);
	}
	/* 55340232221128654 * 1000 / 3 = 18446744073709551333.3 -> ...334, which fits. */
	cr_expect_eq(sim_tick_time(55340232221128654ULL, sim_freq_hz(3000000000u)),
		     18446744073709551334ULL);
}

Test(simtime, ticks_in_saturates)
{
	/* (2^64 - 1) ps at 2^60 Hz is about 2^64 * 2^60 / 2^40 = 2^84 ticks. */
	cr_expect_eq(sim_ticks_in(SIM_NEVER, sim_freq_hz(1ULL << 60)), UINT64_MAX);
}

Test(simtime, mul_div_is_exact_then_saturates)
{
	static const struct {
		uint64_t a, b, c, want;
	} cases[] = {
		{ 6, 7, 4, 10 },                                   /* 42 / 4 = 10.5 */
		{ UINT64_MAX, 2, 2, UINT64_MAX },                  /* exact, no saturation */
		{ UINT64_MAX, 3, 4, 13835058055282163711ULL },     /* (2^64 - 1) * 3 / 4 = ...711.25 */
		{ 1ULL << 63, 2, 1, UINT64_MAX },                  /* 2^64: saturates */
		{ UINT64_MAX, UINT64_MAX, 1, UINT64_MAX },
		{ UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX },
		{ 0, UINT64_MAX, 7, 0 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		uint64_t q = sim_mul_div(cases[i].a, cases[i].b, cases[i].c);

		cr_expect_eq(q, cases[i].want, "case %zu: %" PRIu64, i, q);
	}
}

Test(simtime, add_sat_saturates_at_never)
{
	cr_expect_eq(sim_add_sat(1, 2), 3);
	cr_expect_eq(sim_add_sat(SIM_NEVER - 5, 5), SIM_NEVER);
	cr_expect_eq(sim_add_sat(SIM_NEVER - 5, 6), SIM_NEVER);
	cr_expect_eq(sim_add_sat(SIM_NEVER - 5, 4), SIM_NEVER - 1);
}

Test(simtime, format_seconds)
{
	static const struct {
		sim_ps t;
		const char *want;
	} cases[] = {
		{ 0, "0.000000000" },
		{ 999, "0.000000000" },                          /* below 1 ns: truncated */
		{ 1000, "0.000000001" },
		{ 5300000000000ULL, "5.300000000" },
		{ 3600 * SIM_PS_PER_S + 1234567890, "3600.001234567" },
		{ SIM_NEVER, "18446744.073709551" },             /* 18446744073709551615 ps */
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char buf[32];

		memset(buf, 'X', sizeof(buf));
		cr_expect_eq(sim_format_seconds(buf, cases[i].t), buf);
		cr_expect_str_eq(buf, cases[i].want, "case %zu", i);
	}
}
