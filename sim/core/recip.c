/*
 * Exact division by a reciprocal (see recip.h).
 *
 * Why one correction step is enough.  Let Q = x num / den (a real) and
 * m = floor(2^192 num / den), so 2^192 num / den - 1 < m <= 2^192 num / den.
 * Then x m / 2^192 lies in (Q - x / 2^192, Q], and with x < 2^128 in
 * (Q - 1, Q]: its floor q' is floor(Q) or floor(Q) - 1.  The remainder
 * r = x num - q' den is therefore in [0, 2 den); as den < 2^127 it is below
 * 2^128, so computing it modulo 2^128 (wrapping products) gives it exactly.
 * floor(Q) is q' + 1 when r >= den, else q'.  And floor(Q) < 2^64 because
 * num / den < 2^-64 and x < 2^128.
 */
#include "sim/core/recip.h"

#define TOP127 ((sim_u128)1 << 127)

bool sim_recip_init(struct sim_recip *r, uint64_t num, sim_u128 den)
{
	sim_u128 rem, m = 0;

	*r = (struct sim_recip){ 0 };
	if (num == 0 || den == 0 || den >= TOP127 || ((sim_u128)num << 64) >= den)
		return false;
	/*
	 * Long division of num * 2^192 by den, one bit at a time: num < den,
	 * so the quotient's bits start after num's, and the remainder stays
	 * below den < 2^127, so doubling it never overflows.
	 */
	rem = num;
	for (int i = 0; i < 192; i++) {
		rem <<= 1;
		m <<= 1;
		if (rem >= den) {
			rem -= den;
			m |= 1;
		}
	}
	r->den = den;
	r->m = m;
	r->num = num;
	return true;
}

/* floor(x * m / 2^192) for 128-bit x and m: the top 64 bits of the 256-bit product. */
static uint64_t mul_hi192(sim_u128 x, sim_u128 m)
{
	uint64_t x0 = (uint64_t)x, x1 = (uint64_t)(x >> 64);
	uint64_t m0 = (uint64_t)m, m1 = (uint64_t)(m >> 64);
	sim_u128 p00 = (sim_u128)x0 * m0, p01 = (sim_u128)x0 * m1;
	sim_u128 p10 = (sim_u128)x1 * m0, p11 = (sim_u128)x1 * m1;
	/* bits 64..127 of the product, with their carry into bit 128 */
	sim_u128 mid = (p00 >> 64) + (uint64_t)p01 + (uint64_t)p10;
	sim_u128 hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);

	return (uint64_t)(hi >> 64);
}

uint64_t sim_recip_apply(const struct sim_recip *r, sim_u128 x)
{
	uint64_t q = mul_hi192(x, r->m);
	/* x num - q den, modulo 2^128: exact, as it is in [0, 2 den) */
	sim_u128 rem = x * r->num - r->den * q;

	return rem >= r->den ? q + 1 : q;
}
