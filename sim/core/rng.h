/*
 * Deterministic PRNG streams.  Each component owns its own stream, derived
 * from (scenario seed, stable stream id string), so adding a component never
 * shifts another component's numbers (clknetsim instead seeds every
 * generator from one shared libc stream).
 * Generator: xoshiro256**, seeded through splitmix64.
 */
#ifndef SIM_CORE_RNG_H
#define SIM_CORE_RNG_H

#include <stdint.h>

struct sim_rng {
	uint64_t s[4];
};

/* stream_id is a stable name such as "reader/kvmclock/vcpu2". */
void sim_rng_init(struct sim_rng *r, uint64_t seed, const char *stream_id);

static inline uint64_t sim_rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* The next 64 bits of the stream (inline: a periodic reader draws once a period). */
static inline uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = sim_rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = sim_rng_rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n), unbiased; returns 0 when n is 0. */
uint64_t sim_rng_below(struct sim_rng *r, uint64_t n);

/*
 * A bound n >= 1 for many draws below it: sim_rng_below()'s rejection limit,
 * computed once.  sim_rng_below_bound() then makes the same draws and returns
 * the same values as sim_rng_below(r, n), without the division for the limit.
 */
struct sim_rng_bound {
	uint64_t n;
	uint64_t limit;           /* draws at or above it are rejected */
};

static inline struct sim_rng_bound sim_rng_bound_of(uint64_t n)
{
	/* the largest multiple of n that fits, so every residue is equally likely below it */
	return (struct sim_rng_bound){ .n = n, .limit = UINT64_MAX - UINT64_MAX % n };
}

static inline uint64_t sim_rng_below_bound(struct sim_rng *r, const struct sim_rng_bound *b)
{
	uint64_t x;

	do {
		x = sim_rng_next(r);
	} while (x >= b->limit);
	return x % b->n;
}

#endif
