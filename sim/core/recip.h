/*
 * Exact floor(x * num / den) by a precomputed reciprocal: a multiply-high
 * and one correction step instead of 128-bit divisions, for a divisor that
 * stays the same over many calls (a TSC piece's rate, for one).
 */
#ifndef SIM_CORE_RECIP_H
#define SIM_CORE_RECIP_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/simtime.h"

struct sim_recip {
	sim_u128 den;             /* the divisor; 0: no reciprocal (the caller divides) */
	sim_u128 m;               /* floor(2^192 num / den) */
	uint64_t num;
};

/*
 * Prepares floor(x * num / den) for every x < 2^128.  False (and r->den = 0)
 * unless 0 < num, den < 2^127 and num * 2^64 < den: then m < 2^128 and every
 * result is below 2^64.  O(192) steps: do it once per divisor, not per call.
 */
bool sim_recip_init(struct sim_recip *r, uint64_t num, sim_u128 den);

/* floor(x * r->num / r->den), exactly; r from a successful sim_recip_init(). */
uint64_t sim_recip_apply(const struct sim_recip *r, sim_u128 x);

#endif
