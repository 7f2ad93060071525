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

uint64_t sim_rng_next(struct sim_rng *r);

/* Uniform in [0, n), unbiased; returns 0 when n is 0. */
uint64_t sim_rng_below(struct sim_rng *r, uint64_t n);

#endif
