/*
 * recip: floor(x * num / den) by a reciprocal, against a plain long
 * division of the exact 192-bit product, one bit at a time (written here,
 * sharing nothing with the code under test), on random and edge inputs:
 * results at exact multiples of den and one below, the largest x, the
 * largest num the range allows, and the range's refusals.
 */
#include <criterion/criterion.h>
#include <inttypes.h>

#include "sim/core/recip.h"
#include "sim/core/rng.h"

#define ONE128 ((sim_u128)1)

/* floor(x * num / den) via a 192-bit product (three 64-bit limbs) and bitwise division. */
static sim_u128 ref_div(sim_u128 x, uint64_t num, sim_u128 den)
{
	sim_u128 lo = (sim_u128)(uint64_t)x * num;
	sim_u128 hi = (sim_u128)(uint64_t)(x >> 64) * num + (lo >> 64);
	uint64_t limb[3] = { (uint64_t)lo, (uint64_t)hi, (uint64_t)(hi >> 64) };
	sim_u128 rem = 0, q = 0;

	for (int bit = 191; bit >= 0; bit--) {
		int carry = (int)(rem >> 127);

		rem = rem << 1 | ((limb[bit / 64] >> (bit % 64)) & 1);
		q <<= 1;
		if (carry || rem >= den) {
			rem -= den;
			q |= 1;
		}
	}
	return q;
}

static void check(uint64_t num, sim_u128 den, sim_u128 x)
{
	struct sim_recip r;
	sim_u128 want = ref_div(x, num, den);

	cr_assert(sim_recip_init(&r, num, den), "init num %" PRIu64, num);
	cr_assert(want <= UINT64_MAX, "the range promises a 64-bit result");
	cr_assert(sim_recip_apply(&r, x) == (uint64_t)want,
		  "num %" PRIu64 " den %016" PRIx64 "%016" PRIx64 " x %016" PRIx64 "%016" PRIx64
		  ": got %" PRIu64 ", want %" PRIu64, num, (uint64_t)(den >> 64), (uint64_t)den,
		  (uint64_t)(x >> 64), (uint64_t)x, sim_recip_apply(&r, x), (uint64_t)want);
}

Test(recip, reference_division_by_hand)
{
	/* the reference itself: 10 * 3 / 7 = 4; 2^127 * 6 / 2^66 = 3 * 2^62 */
	cr_assert(ref_div(10, 3, 7) == 4);
	cr_assert(ref_div(ONE128 << 127, 6, ONE128 << 66) == (sim_u128)3 << 62);
}

Test(recip, refuses_what_it_cannot_do_exactly)
{
	struct sim_recip r;

	cr_expect_not(sim_recip_init(&r, 0, 1000), "num 0");
	cr_expect_not(sim_recip_init(&r, 1, 0), "den 0");
	cr_expect_not(sim_recip_init(&r, 1, ONE128 << 127), "den 2^127");
	cr_expect_not(sim_recip_init(&r, 1, ONE128 << 64), "num 2^64 = den: results beyond 64 bits");
	cr_expect_eq(r.den, 0, "a refused reciprocal says so");
	cr_expect(sim_recip_init(&r, 1, (ONE128 << 64) + 1), "the smallest den for num 1");
	cr_expect(sim_recip_init(&r, UINT64_C(0x7fffffffffffffff), (ONE128 << 127) - 1),
		  "the largest den, with the largest num it allows");
	cr_expect_not(sim_recip_init(&r, UINT64_C(0x8000000000000000), (ONE128 << 127) - 1),
		      "num 2^63: num 2^64 >= den");
}

Test(recip, exact_multiples_and_one_below)
{
	/* den = c * num: x num / den = x / c, so the result steps at multiples of c */
	static const uint64_t nums[] = { 1, 3, 3000000000u, UINT64_C(0x7fffffffffffffff) };
	static const sim_u128 cs[] = { (ONE128 << 64) + 1, (sim_u128)1000000000000000000u *
					   1000000000000u, (ONE128 << 96) * 3 + 17 };
	int tried = 0;

	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		for (size_t j = 0; j < sizeof(cs) / sizeof(cs[0]); j++) {
			sim_u128 den = cs[j] * nums[i];
			struct sim_recip r;

			if (den / nums[i] != cs[j] || !sim_recip_init(&r, nums[i], den))
				continue;
			tried++;
			for (uint64_t k = 1; k < 2000; k += 97) {
				sim_u128 x = cs[j] * k;

				if (x / k != cs[j])
					break;
				cr_expect_eq(sim_recip_apply(&r, x), k, "at a multiple");
				cr_expect_eq(sim_recip_apply(&r, x - 1), k - 1, "one below");
				check(nums[i], den, x + 1);
			}
		}
	cr_expect_geq(tried, 8, "most pairs are in range");
}

Test(recip, edges)
{
	sim_u128 top = ~(sim_u128)0;

	check(1, (ONE128 << 64) + 1, 0);
	check(1, (ONE128 << 64) + 1, top);
	check(UINT64_C(0x7fffffffffffffff), (ONE128 << 127) - 1, top);
	check(UINT64_C(0x7fffffffffffffff), (ONE128 << 127) - 1, top - 1);
	check(UINT64_C(0x7fffffffffffffff), (sim_u128)UINT64_C(0x7fffffffffffffff) << 64 | 1, top);
	check(3000000000u, (sim_u128)1000000000000000000u * 1000000000000u, top);
	check(3000000000u, (sim_u128)1000000000000000000u * 1000000000000u, 1);
}

Test(recip, random_inputs)
{
	struct sim_rng g;

	sim_rng_init(&g, 11, "test/recip");
	for (int i = 0; i < 20000; i++) {
		uint64_t num = sim_rng_next(&g) >> (sim_rng_next(&g) % 64);
		sim_u128 den = ((sim_u128)sim_rng_next(&g) << 64 | sim_rng_next(&g)) >>
			       (1 + sim_rng_next(&g) % 64);
		sim_u128 x = ((sim_u128)sim_rng_next(&g) << 64 | sim_rng_next(&g)) >>
			     (sim_rng_next(&g) % 128);

		if (num == 0 || ((sim_u128)num << 64) >= den)
			continue;
		check(num, den, x);
	}
}
