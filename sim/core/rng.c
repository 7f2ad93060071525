/*
 * xoshiro256** (Blackman and Vigna, 2018), seeded through splitmix64 from the
 * scenario seed mixed with an FNV-1a hash of the stream id.
 */
#include "sim/core/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void sim_rng_init(struct sim_rng *r, uint64_t seed, const char *stream_id)
{
	uint64_t x = seed ^ sim_rng_rotl(fnv1a64(stream_id), 17);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

uint64_t sim_rng_below(struct sim_rng *r, uint64_t n)
{
	struct sim_rng_bound b;

	if (n == 0)
		return 0;
	/* Reject the top partial bucket so every residue is equally likely. */
	b = sim_rng_bound_of(n);
	return sim_rng_below_bound(r, &b);
}
