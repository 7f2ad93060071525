/*
 * rng: per-component deterministic streams (xoshiro256**), keyed by
 * (seed, stream id), with an unbiased sim_rng_below().
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/core/rng.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define DRAWS 64

static void draw(uint64_t seed, const char *id, uint64_t *out)
{
	struct sim_rng r;

	sim_rng_init(&r, seed, id);
	for (int i = 0; i < DRAWS; i++)
		out[i] = sim_rng_next(&r);
}

/* How many of the DRAWS outputs agree position by position. */
static int same_positions(const uint64_t *a, const uint64_t *b)
{
	int n = 0;

	for (int i = 0; i < DRAWS; i++)
		n += a[i] == b[i];
	return n;
}

Test(rng, generator_matches_xoshiro256starstar_reference)
{
	/*
	 * The published xoshiro256** outputs from the state {1, 2, 3, 4} (Blackman
	 * and Vigna's reference C; first output rotl(2 * 5, 7) * 9 = 1280 * 9 = 11520).
	 */
	static const uint64_t want[] = {
		11520u, 0u, 1509978240u, 1215971899390074240u, 1216172134540287360u,
		607988272756665600u,
	};
	struct sim_rng r = { { 1, 2, 3, 4 } };

	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		uint64_t x = sim_rng_next(&r);

		cr_expect_eq(x, want[i], "output %zu: %" PRIu64 ", want %" PRIu64, i, x, want[i]);
	}
}

Test(rng, same_seed_and_id_give_same_sequence)
{
	uint64_t a[DRAWS], b[DRAWS];

	draw(12345, "reader/kvmclock/vcpu2", a);
	draw(12345, "reader/kvmclock/vcpu2", b);
	cr_expect_eq(same_positions(a, b), DRAWS);
	/* A stream does not depend on other streams being drawn from in between. */
	{
		struct sim_rng x, y;

		sim_rng_init(&x, 12345, "reader/kvmclock/vcpu2");
		sim_rng_init(&y, 12345, "other");
		for (int i = 0; i < DRAWS; i++) {
			(void)sim_rng_next(&y);
			cr_expect_eq(sim_rng_next(&x), a[i], "draw %d", i);
		}
	}
}

Test(rng, different_ids_or_seeds_differ)
{
	static const struct {
		uint64_t seed;
		const char *id;
	} streams[] = {
		{ 1, "reader/kvmclock/vcpu0" },
		{ 1, "reader/kvmclock/vcpu1" },      /* one character apart */
		{ 2, "reader/kvmclock/vcpu0" },      /* seed one bit apart */
		{ 3, "reader/kvmclock/vcpu0" },
		{ 1, "" },
		{ 0, "" },
		{ 0, "a" },
		{ UINT64_MAX, "reader/kvmclock/vcpu0" },
	};
	uint64_t out[ARRAY_LEN(streams)][DRAWS];

	for (size_t i = 0; i < ARRAY_LEN(streams); i++)
		draw(streams[i].seed, streams[i].id, out[i]);
	/*
	 * Two independent 64-bit streams agree at a given position with probability
	 * 2^-64; any agreement among these 28 pairs * 64 draws means correlated streams.
	 */
	for (size_t i = 0; i < ARRAY_LEN(streams); i++)
		for (size_t j = i + 1; j < ARRAY_LEN(streams); j++)
			cr_expect_eq(same_positions(out[i], out[j]), 0, "streams %zu and %zu agree", i, j);
}

Test(rng, below_stays_in_range)
{
	static const uint64_t bounds[] = {
		2, 3, 7, 10, 1000, 1ULL << 32, (1ULL << 32) + 1, (1ULL << 63) + 1, UINT64_MAX,
	};
	struct sim_rng r;

	sim_rng_init(&r, 7, "test/rng/range");
	for (size_t b = 0; b < ARRAY_LEN(bounds); b++)
		for (int i = 0; i < 20000; i++) {
			uint64_t x = sim_rng_below(&r, bounds[b]);

			cr_assert_lt(x, bounds[b], "below(%" PRIu64 ") gave %" PRIu64, bounds[b], x);
		}
}

Test(rng, below_zero_and_one_are_zero)
{
	struct sim_rng r;

	sim_rng_init(&r, 7, "test/rng/degenerate");
	for (int i = 0; i < 1000; i++) {
		cr_assert_eq(sim_rng_below(&r, 0), 0);
		cr_assert_eq(sim_rng_below(&r, 1), 0);
	}
}

Test(rng, below_is_roughly_uniform)
{
	/* 100000 draws into 10 buckets: each expects 10000, sd about 95; allow 10 %. */
	enum { N = 100000, B = 10 };
	unsigned count[B] = { 0 };
	struct sim_rng r;

	sim_rng_init(&r, 99, "test/rng/uniform");
	for (int i = 0; i < N; i++)
		count[sim_rng_below(&r, B)]++;
	for (int b = 0; b < B; b++)
		cr_expect(count[b] >= 9000 && count[b] <= 11000, "bucket %d: %u", b, count[b]);
}

Test(rng, below_has_no_modulo_bias)
{
	/*
	 * n = 0xAAAAAAAAAAAAAAAB, about 2/3 of 2^64.  A plain x % n would map
	 * [n, 2^64) onto [0, 2^64 - n), about [0, n/2): values below n/2 would come
	 * up with probability 2/3 instead of 1/2.  With rejection it is 1/2
	 * (sd 0.0016 over 100000 draws); allow 0.01.
	 */
	enum { N = 100000 };
	const uint64_t n = 0xAAAAAAAAAAAAAAABULL;
	unsigned low = 0;
	struct sim_rng r;

	sim_rng_init(&r, 5, "test/rng/bias");
	for (int i = 0; i < N; i++)
		low += sim_rng_below(&r, n) < n / 2;
	cr_expect(low >= 49000 && low <= 51000, "%u of %d below n/2", low, N);
}

/*
 * A model of the draw below n, on a twin stream: outputs whose bucket
 * floor(x / n) is the top, partial one, floor((2^64 - 1) / n), are skipped.
 */
static uint64_t model_below(struct sim_rng *twin, uint64_t n, unsigned *outputs)
{
	for (;;) {
		uint64_t x = sim_rng_next(twin);

		++*outputs;
		if (x / n < UINT64_MAX / n)
			return x % n;
	}
}

Test(rng, a_bound_set_up_once_draws_what_below_draws)
{
	static const uint64_t bounds[] = {
		1, 2, 3, 7, 1000, 1ULL << 32, (1ULL << 32) + 1, 1ULL << 63, (1ULL << 63) + 1,
		0xAAAAAAAAAAAAAAABULL, UINT64_MAX - 1, UINT64_MAX,
	};
	unsigned rejected_big = 0;

	for (size_t b = 0; b < ARRAY_LEN(bounds); b++) {
		struct sim_rng r, below, twin;
		struct sim_rng_bound bound = sim_rng_bound_of(bounds[b]);

		sim_rng_init(&r, 11, "test/rng/bound");
		below = twin = r;
		for (unsigned i = 0, outputs = 0; i < 5000; i++) {
			uint64_t want = model_below(&twin, bounds[b], &outputs);
			uint64_t x = sim_rng_below_bound(&r, &bound);

			cr_assert_eq(x, want, "n %" PRIu64 " draw %u: %" PRIu64 ", model %" PRIu64,
				     bounds[b], i, x, want);
			cr_assert_eq(sim_rng_below(&below, bounds[b]), want);
			/* the same outputs consumed: the streams stay in step */
			cr_assert(memcmp(&r, &twin, sizeof(r)) == 0 && memcmp(&below, &twin, sizeof(r)) == 0,
				  "n %" PRIu64 " draw %u: streams apart", bounds[b], i);
			if (bounds[b] == (1ULL << 63) + 1 && i == 4999)
				rejected_big = outputs - 5000;
		}
	}
	/* about half of the outputs fall in 2^63 + 1's top bucket: the rejection ran */
	cr_expect(rejected_big > 2000, "%u outputs rejected", rejected_big);
}
