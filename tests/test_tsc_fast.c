/*
 * tsc_fast: a TSC piece's cache (tsc.h, struct tsc_fast), the exact line
 * cycles_base + floor((u + kr dt) / dr) from a base instant, against the
 * piece's count computed by 128-bit division (crystal_count_to_cycles() of
 * crystal_count(), no reciprocal), over random crystals, rates and instants
 * and at the instants a cycle begins; and when the cache holds or not.
 */
#include <criterion/criterion.h>
#include <inttypes.h>

#include "sim/core/rng.h"
#include "sim/core/simtime.h"
#include "sim/cpu-tsc/crystal.h"
#include "sim/cpu-tsc/tsc.h"

#define MS ((sim_ps)1000000000)

/* The cycles the piece has counted at t, by division. */
static uint64_t by_division(const struct cpu_tsc *tsc, sim_ps t)
{
	sim_u128 c = crystal_count(tsc->xtal, t);

	if (t <= tsc->seg.t0 || c <= tsc->seg.c0)
		return 0;
	return (uint64_t)crystal_count_to_cycles(c - tsc->seg.c0, tsc->seg.rate);
}

static void make_crystal(struct crystal *x, int64_t ppb)
{
	struct crystal_params p = { .offset_ppb = ppb };

	cr_assert(crystal_init(x, &p, 1, "test/tsc_fast"));
}

/* A cache built at base, checked at base + dt against the division. */
static void check_at(struct cpu_tsc *tsc, sim_ps t)
{
	uint64_t got, want = by_division(tsc, t);

	cr_assert(tsc_fast_cycles(tsc, t, &got), "cache does not hold at t=%" PRIu64, t);
	cr_assert_eq(got, want, "t=%" PRIu64 " base=%" PRIu64 " rate=%" PRIu64 "/%" PRIu64
		     " ppb=%" PRId64 ": %" PRIu64 " != %" PRIu64, t, tsc->fast.t_base,
		     tsc->seg.rate.num, tsc->seg.rate.den, tsc->xtal->hist[tsc->xtal->cur].ppb,
		     got, want);
	cr_assert_eq(tsc_read(tsc, t), tsc->seg.tsc0 + want);
}

Test(tsc_fast, random_rates_crystals_and_instants_match_the_division)
{
	struct sim_rng rng;
	int built = 0;

	sim_rng_init(&rng, 7, "test/tsc_fast/random");
	for (int i = 0; i < 400; i++) {
		struct crystal x;
		struct cpu_tsc tsc;
		int64_t ppb = (int64_t)sim_rng_below(&rng, 2 * CRYSTAL_MAX_PPB + 1) - CRYSTAL_MAX_PPB;
		/*
		 * 1 kHz .. 9.2 GHz, over a denominator of 1 .. 10^8 (the
		 * reciprocal's range), or not reduced (a factor the gcd removes)
		 */
		uint64_t den = i % 4 == 0 ? 1 : 1 + sim_rng_below(&rng, 100000000);
		uint64_t hz = 1000 + sim_rng_below(&rng, UINT64_C(9200000000));
		uint64_t unreduced = i % 3 == 0 ? 1000 : 1;
		struct sim_freq rate = { hz * unreduced, den * unreduced };
		sim_ps t0 = sim_rng_below(&rng, 1000 * MS);
		sim_ps base = t0 + 1 + sim_rng_below(&rng, 1000 * MS);
		uint64_t cycles;

		make_crystal(&x, ppb);
		tsc_init_crystal(&tsc, &x, NULL, t0, sim_rng_next(&rng), rate);
		if (!tsc.seg.recip.den)
			continue;
		/*
		 * the line needs (10^9 + e) num below 2^63 after the gcd (about
		 * 8 GHz): it is built whenever the product is below 2^63 already
		 */
		if (!tsc_fast_build(&tsc, base, &cycles)) {
			cr_assert_geq((sim_u128)(uint64_t)(1000000000 + ppb) * hz, (sim_u128)1 << 63);
			cr_assert_eq(tsc_read_cached(&tsc, base), tsc.seg.tsc0 + by_division(&tsc, base));
			continue;
		}
		built++;
		cr_assert_eq(cycles, by_division(&tsc, base));
		check_at(&tsc, base);
		for (int k = 0; k < 50; k++) {
			/* dt from a few ps to the whole 64-bit range the counter can reach */
			unsigned bits = (unsigned)sim_rng_below(&rng, 62) + 1;
			sim_ps dt = sim_rng_next(&rng) >> (64 - bits);

			if (dt > UINT64_MAX / 4 - base)
				dt = UINT64_MAX / 4 - base;
			check_at(&tsc, base + dt);
		}
	}
	cr_assert_gt(built, 200);
}

/* Every instant a cycle begins, and the picosecond before it. */
Test(tsc_fast, cycle_edges_match_the_division)
{
	static const struct {
		int64_t ppb;
		struct sim_freq rate;
	} cases[] = {
		{ -16000, { 2500000000u, 1 } },        /* the bench's host */
		{ 12500, { 3000000000u, 1 } },
		{ 0, { 14318180u, 1 } },               /* an HPET-like rate */
		{ 99999999, { 2999999999u, 7 } },
		{ -99999999, { 9000000000u, 1 } },
		{ 1, { 1000000007u, 99999989 } },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct crystal x;
		struct cpu_tsc tsc;
		uint64_t cycles;
		sim_ps base = 3 * MS + 17;

		make_crystal(&x, cases[i].ppb);
		tsc_init_crystal(&tsc, &x, NULL, MS, 100, cases[i].rate);
		cr_assert(tsc_fast_build(&tsc, base, &cycles));
		for (uint64_t k = 1; k < 3000; k += 1 + k / 4) {
			sim_ps t = tsc_time_of(&tsc, tsc.seg.tsc0 + cycles + k);

			cr_assert_neq(t, SIM_NEVER);
			check_at(&tsc, t);
			check_at(&tsc, t - 1);
			cr_assert_eq(by_division(&tsc, t), cycles + k);
			cr_assert_eq(by_division(&tsc, t - 1), cycles + k - 1);
		}
	}
}

Test(tsc_fast, holds_until_the_piece_or_the_crystal_changes)
{
	struct crystal x;
	struct cpu_tsc tsc;
	uint64_t cycles, before;
	struct tsc_props invariant = { .cls = TSC_INVARIANT };
	struct tsc_props constant = { .cls = TSC_CONSTANT };

	make_crystal(&x, -16000);
	tsc_init_crystal(&tsc, &x, &invariant, 0, 0, sim_freq_hz(2500000000u));
	/* nothing built yet: the first cached read builds at its own instant */
	cr_assert_not(tsc_fast_cycles(&tsc, MS, &cycles));
	cr_assert_eq(tsc_read_cached(&tsc, MS), by_division(&tsc, MS));
	cr_assert_eq(tsc.fast.t_base, MS);
	/* before the base it does not hold; tsc_read divides */
	cr_assert_not(tsc_fast_cycles(&tsc, MS - 1, &cycles));
	cr_assert_eq(tsc_read(&tsc, MS - 1), by_division(&tsc, MS - 1));

	/* a WRMSR starts a piece: none at its first instant, then one from a later read */
	tsc_write(&tsc, 2 * MS, 5);
	before = tsc_read_cached(&tsc, 2 * MS);
	cr_assert_eq(before, 5);
	cr_assert_not(tsc_fast_cycles(&tsc, 3 * MS, &cycles));
	cr_assert_eq(tsc_read_cached(&tsc, 3 * MS), 5 + by_division(&tsc, 3 * MS));
	cr_assert(tsc_fast_cycles(&tsc, 3 * MS + 1, &cycles));
	cr_assert_eq(tsc_read(&tsc, 3 * MS + 1), 5 + by_division(&tsc, 3 * MS + 1));

	/* a temperature step: the crystal's next piece, the cache no longer holds */
	crystal_add_step_ppb(&x, 4 * MS, 30000);
	cr_assert_not(tsc_fast_cycles(&tsc, 5 * MS, &cycles));
	cr_assert_eq(tsc_read_cached(&tsc, 5 * MS), tsc.seg.tsc0 + by_division(&tsc, 5 * MS));
	cr_assert(tsc_fast_cycles(&tsc, 6 * MS, &cycles));
	cr_assert_eq(cycles, by_division(&tsc, 6 * MS));

	/* a new piece of the TSC (a rate change) empties it */
	tsc_set_rate(&tsc, 7 * MS, sim_freq_hz(3000000000u));
	cr_assert_not(tsc_fast_cycles(&tsc, 8 * MS, &cycles));
	cr_assert_eq(tsc_read_cached(&tsc, 8 * MS), tsc.seg.tsc0 + by_division(&tsc, 8 * MS));

	/* a stopped counter (a constant TSC in C3) has no cache */
	tsc_init_crystal(&tsc, &x, &constant, 0, 0, sim_freq_hz(2500000000u));
	tsc_cstate_enter(&tsc, MS, 3);
	cr_assert_not(tsc_fast_build(&tsc, 2 * MS, &cycles));
	cr_assert_eq(tsc_read_cached(&tsc, 2 * MS), tsc_read(&tsc, MS));
}

Test(tsc_fast, not_built_with_spread_spectrum_or_without_a_crystal)
{
	struct crystal x;
	struct cpu_tsc tsc;
	struct crystal_params ssc = { .ssc = CRYSTAL_SSC_DOWN, .ssc_spread_ppm = 5000 };
	uint64_t cycles;

	cr_assert(crystal_init(&x, &ssc, 1, "test/tsc_fast/ssc"));
	tsc_init_crystal(&tsc, &x, NULL, 0, 0, sim_freq_hz(3000000000u));
	cr_assert_not(tsc_fast_build(&tsc, MS, &cycles));
	cr_assert_eq(tsc_read_cached(&tsc, MS), by_division(&tsc, MS));

	tsc_init(&tsc, 0, 0, sim_freq_hz(3000000000u));
	cr_assert_not(tsc_fast_build(&tsc, MS, &cycles));
	cr_assert_eq(tsc_read_cached(&tsc, MS), 3000000u);
}

/*
 * The estimate alone settles an instant when the low half of dt g + uf is
 * at most 2^64 - 1 - dt (tsc.h); the other instants take the remainder's
 * test.  Both kinds of instant, counted here from the cache's own g and uf,
 * come out as the division says: at large dt (2^56 to 2^62 ps) about dt / 2^64
 * of them need the remainder, and each is checked where a cycle begins
 * (where an estimate one too low would show) and a picosecond before.
 */
Test(tsc_fast, instants_settled_by_the_estimate_and_by_the_remainder_match_the_division)
{
	struct sim_rng rng;
	unsigned settled = 0, corrected = 0;

	sim_rng_init(&rng, 9, "test/tsc_fast/paths");
	for (int i = 0; i < 60; i++) {
		struct crystal x;
		struct cpu_tsc tsc;
		int64_t ppb = (int64_t)sim_rng_below(&rng, 2 * CRYSTAL_MAX_PPB + 1) - CRYSTAL_MAX_PPB;
		struct sim_freq rate = { 1000000 + sim_rng_below(&rng, UINT64_C(5000000000)), 1 };
		sim_ps base = 2 * MS + sim_rng_below(&rng, MS);
		uint64_t cycles;

		make_crystal(&x, ppb);
		tsc_init_crystal(&tsc, &x, NULL, MS, sim_rng_next(&rng), rate);
		if (!tsc_fast_build(&tsc, base, &cycles))
			continue;
		for (int k = 0; k < 200; k++) {
			unsigned bits = 56 + (unsigned)sim_rng_below(&rng, 7);
			sim_ps dt = sim_rng_next(&rng) >> (64 - bits);
			uint64_t n = by_division(&tsc, base + dt);
			sim_ps t = tsc_time_of(&tsc, tsc.seg.tsc0 + n + 1);   /* the next cycle's start */
			sim_ps at[] = { base + dt, t, t - 1 };

			cr_assert_neq(t, SIM_NEVER);
			for (unsigned j = 0; j < 3; j++) {
				sim_ps d = at[j] - tsc.fast.t_base;
				uint64_t low = (uint64_t)((sim_u128)d * tsc.fast.g + tsc.fast.uf);

				if (low <= ~d)
					settled++;
				else
					corrected++;
				check_at(&tsc, at[j]);
			}
		}
	}
	cr_assert_gt(settled, 10000);
	cr_assert_gt(corrected, 100, "only %u instants took the remainder", corrected);
}
