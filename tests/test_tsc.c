/*
 * tsc: a CPU's time-stamp counter as a linear piece of true time,
 * tsc0 + floor((now - t0) * rate), continuous across rate changes, set by
 * WRMSR, invertible (tsc_time_of) and 64 bits wide.
 */
#include <criterion/criterion.h>
#include <inttypes.h>

#include "sim/core/rng.h"
#include "sim/core/simtime.h"
#include "sim/cpu-tsc/tsc.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define GHZ3 3000000000u

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
