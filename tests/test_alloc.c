/*
 * alloc: the allocation helpers of sim/core/alloc.h.  Expectations are the
 * definitions: aligned and zeroed; doubling from the first capacity, the
 * array's contents kept, and a size that would overflow refused.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "sim/core/alloc.h"

Test(alloc, calloc_aligned_is_aligned_zeroed_and_refuses_an_overflow)
{
	unsigned char *p = sim_calloc_aligned(3, 64, 64);

	cr_assert_not_null(p);
	cr_expect_eq((uintptr_t)p % 64, 0);
	for (unsigned i = 0; i < 3 * 64; i++)
		cr_expect_eq(p[i], 0, "byte %u", i);
	free(p);
	cr_expect_null(sim_calloc_aligned(SIZE_MAX / 64 + 1, 64, 64));
}

Test(alloc, grow_doubles_from_the_first_capacity_and_keeps_the_elements)
{
	uint32_t *v = NULL;
	size_t cap = 0, caps_seen = 0;

	for (uint32_t n = 0; n < 1000; n++) {
		size_t before = cap;
		uint32_t *g = sim_grow(v, &cap, n, sizeof(*v), 16);

		cr_assert_not_null(g);
		if (n < before) {
			cr_expect_eq(g, v, "room at %u: the same array", n);
		} else {
			cr_expect_eq(cap, before ? 2 * before : 16, "at %u", n);
			caps_seen++;
		}
		v = g;
		v[n] = n * 7;
	}
	/* 16, 32, ..., 1024 */
	cr_expect_eq(cap, 1024);
	cr_expect_eq(caps_seen, 7);
	for (uint32_t n = 0; n < 1000; n++)
		cr_expect_eq(v[n], n * 7, "element %u", n);
	free(v);
}

Test(alloc, grow_refuses_a_size_that_overflows_and_leaves_the_array)
{
	char *v = malloc(4);
	size_t cap = 4;

	cr_assert_not_null(v);
	cr_expect_null(sim_grow(v, &cap, 4, SIZE_MAX / 4, 1));
	cr_expect_eq(cap, 4);
	cap = SIZE_MAX / 2 + 1;   /* doubling wraps */
	cr_expect_null(sim_grow(v, &cap, cap, 1, 1));
	cr_expect_eq(cap, SIZE_MAX / 2 + 1);
	free(v);
}
