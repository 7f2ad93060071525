/*
 * pvclock arithmetic: KVM's kvm_get_time_scale() and the guest's scale_delta,
 * read_cycles and tsc_khz.  Expected values are derived by hand from the
 * definitions (stated next to each case), not read back from the code.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdbool.h>

#include "sim/kvm/pvclock.h"

#define NSEC_PER_SEC 1000000000ULL
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Hand derivation, scaled = 10^9 Hz (ns), mul = floor(2^32 * 10^9 / base')
 * where base' = base >> -shift (or << shift) is the first value in (10^9, 2*10^9]
 * reachable by halving (loop 1: base' <= 2 * 10^9 and below 2^32) or by
 * doubling (loop 2: base' > 10^9):
 *   2.1 GHz: 2.1e9 > 2e9, halve once -> 1.05e9, shift -1;
 *            mul = floor(2^32 / 1.05) = floor(4090445043.8) = 0xf3cf3cf3
 *            (the value a real KVM host writes for a 2.1 GHz TSC).
 *   3 GHz:   halve once -> 1.5e9, shift -1; mul = floor(2^32 * 2/3)
 *            = floor(2863311530.67) = 0xaaaaaaaa.
 *   2 GHz:   2e9 is not > 2e9 and fits in 32 bits, and 2e9 > 1e9: shift 0;
 *            mul = 2^32 / 2 = 0x80000000.
 *   1 GHz:   1e9 <= 1e9, double once -> 2e9, shift +1; mul = 2^31 = 0x80000000.
 *   100 MHz: double 4 times -> 1.6e9, shift +4; mul = 2^32 * 0.625 = 0xa0000000.
 *   5 GHz:   halve twice -> 1.25e9, shift -2; mul = floor(2^32 * 0.8)
 *            = floor(3435973836.8) = 0xcccccccc.
 */
Test(pvclock, time_scale_known_rates)
{
	static const struct {
		uint64_t base_hz;
		int8_t shift;
		uint32_t mul;
	} cases[] = {
		{ 2100000000ULL, -1, 0xf3cf3cf3u },
		{ 3000000000ULL, -1, 0xaaaaaaaau },
		{ 2000000000ULL, 0, 0x80000000u },
		{ 1000000000ULL, 1, 0x80000000u },
		{ 100000000ULL, 4, 0xa0000000u },
		{ 5000000000ULL, -2, 0xccccccccu },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int8_t shift = 99;
		uint32_t mul = 0;

		kvm_get_time_scale(NSEC_PER_SEC, cases[i].base_hz, &shift, &mul);
		cr_expect_eq(shift, cases[i].shift, "base %" PRIu64 ": shift %d, want %d",
			     cases[i].base_hz, shift, cases[i].shift);
		cr_expect_eq(mul, cases[i].mul, "base %" PRIu64 ": mul 0x%08x, want 0x%08x",
			     cases[i].base_hz, mul, cases[i].mul);
	}
}

/*
 * The other direction KVM uses (ns -> cycles, virtual_tsc_mult), and the
 * branch of loop 2 that halves `scaled` instead of doubling `base`:
 *   scaled 2.1e9, base 1e9: 1e9 <= 2.1e9, double -> 2e9 (shift 1), still
 *     <= 2.1e9, double -> 4e9 (shift 2); mul = floor(2^32 * 2.1/4)
 *     = floor(2254857830.4) = 2254857830.
 *   scaled 5e9, base 1e9: scaled has bits above 32: halve -> 2.5e9 (shift 1);
 *     double base -> 2e9 (2), -> 4e9 (3); mul = 2^32 * 2.5/4 = 0xa0000000.
 *   scaled 3e9, base 2.5e9: 2.5e9 <= 3e9 but has bit 31 set, so halve scaled
 *     -> 1.5e9 (shift 1); mul = floor(2^32 * 0.6) = floor(2576980377.6).
 */
Test(pvclock, time_scale_other_directions)
{
	static const struct {
		uint64_t scaled_hz, base_hz;
		int8_t shift;
		uint32_t mul;
	} cases[] = {
		{ 2100000000ULL, 1000000000ULL, 2, 2254857830u },
		{ 5000000000ULL, 1000000000ULL, 3, 0xa0000000u },
		{ 3000000000ULL, 2500000000ULL, 1, 2576980377u },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int8_t shift;
		uint32_t mul;

		kvm_get_time_scale(cases[i].scaled_hz, cases[i].base_hz, &shift, &mul);
		cr_expect_eq(shift, cases[i].shift, "case %zu: shift %d", i, shift);
		cr_expect_eq(mul, cases[i].mul, "case %zu: mul %u", i, mul);
	}
}

/* The invariant behind the closed form: the 32.32 fraction is in [1/2, 1). */
Test(pvclock, time_scale_fraction_in_half_open_unit_interval)
{
	for (uint64_t khz = 1000; khz <= 8000000; khz += 7919) {
		int8_t shift;
		uint32_t mul;

		kvm_get_time_scale(NSEC_PER_SEC, khz * 1000, &shift, &mul);
		cr_assert_geq(mul, 0x80000000u, "%" PRIu64 " kHz: mul 0x%08x below 1/2", khz, mul);
	}
}

Test(pvclock, time_scale_zero_rate_terminates)
{
	int8_t shift = 5;
	uint32_t mul = 5;

	kvm_get_time_scale(NSEC_PER_SEC, 0, &shift, &mul);
	cr_expect_eq(shift, 0);
	cr_expect_eq(mul, 0u);
}

/*
 * A positive shift wraps in 64 bits, as the guest's u64 does:
 *   delta = 2^63 + 5, shift 1: delta << 1 = 2^64 + 10 = 10 (mod 2^64);
 *     mul 0x80000000 (1/2): 10 / 2 = 5.  Without the wrap it would be 2^63 + 5.
 *   delta = 2^64 - 1, shift 4: (2^64 - 1) << 4 = 2^64 - 16 (mod 2^64);
 *     mul 0xa0000000 (5/8): (2^64 - 16) * 5/8 = 2^64 * 5/8 - 10
 *     = 11529215046068469760 - 10 = 11529215046068469750 (exact, no rounding).
 */
Test(pvclock, scale_delta_positive_shift_wraps_in_64_bits)
{
	cr_expect_eq(pvclock_scale_delta((1ULL << 63) + 5, 0x80000000u, 1), 5u);
	cr_expect_eq(pvclock_scale_delta(UINT64_MAX, 0xa0000000u, 4),
		     11529215046068469750ULL);
}

/*
 * Negative shifts truncate before the multiply:
 *   7 >> 1 = 3, * 1/2 = 1.5 -> 1.
 *   2.1e9 cycles at 2.1 GHz: >> 1 = 1.05e9; * 0xf3cf3cf3 / 2^32
 *     = 1.05e9 * (2^32/1.05 - 0.8095) / 2^32 = 10^9 - 0.198 -> 999999999.
 *   2^64 - 1 >> 2 = 2^62 - 1, and 0xcccccccc = 4 (2^32 - 1) / 5, so the
 *     product / 2^32 = 4/5 (2^62 - 1)(1 - 2^-32) = 4/5 (2^62 - 2^30 - 1) + 4/5 2^-32
 *     = 18446744069414584316 / 5 + tiny = 3689348813882916863.2 -> ...863.
 */
Test(pvclock, scale_delta_negative_shift)
{
	cr_expect_eq(pvclock_scale_delta(7, 0x80000000u, -1), 1u);
	cr_expect_eq(pvclock_scale_delta(2100000000ULL, 0xf3cf3cf3u, -1), 999999999u);
	cr_expect_eq(pvclock_scale_delta(UINT64_MAX, 0xccccccccu, -2), 3689348813882916863ULL);
}

/*
 * One second of cycles at the page's own rate: with base' = rate * 2^shift
 * (exact for the rates below) and mul = floor(2^32 * 10^9 / base'),
 *   base' * mul / 2^32 >= base' * (2^32 * 10^9 / base' - 1) / 2^32
 *                      = 10^9 - base' / 2^32 > 10^9 - 1    (base' < 2^32),
 * and the result is at most 10^9 since every step floors.  So the result is
 * 10^9 - 1 or 10^9: exactly 10^9 when mul is exact (2 GHz, 1 GHz, 100 MHz).
 */
Test(pvclock, one_second_of_cycles_is_one_second)
{
	static const struct {
		uint64_t hz;
		bool exact;
	} cases[] = {
		{ 2100000000ULL, false }, { 3000000000ULL, false }, { 2000000000ULL, true },
		{ 1000000000ULL, true }, { 100000000ULL, true }, { 5000000000ULL, false },
		{ 2593992000ULL, false }, { 3500000000ULL, false },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int8_t shift;
		uint32_t mul;
		uint64_t ns;

		kvm_get_time_scale(NSEC_PER_SEC, cases[i].hz, &shift, &mul);
		ns = pvclock_scale_delta(cases[i].hz, mul, shift);
		cr_expect_leq(ns, NSEC_PER_SEC, "%" PRIu64 " Hz: %" PRIu64 " ns", cases[i].hz, ns);
		cr_expect_geq(ns, NSEC_PER_SEC - 1, "%" PRIu64 " Hz: %" PRIu64 " ns",
			      cases[i].hz, ns);
		if (cases[i].exact)
			cr_expect_eq(ns, NSEC_PER_SEC, "%" PRIu64 " Hz", cases[i].hz);
	}
}

Test(pvclock, read_cycles_adds_scaled_delta)
{
	struct pvclock_vcpu_time_info p = {
		.tsc_timestamp = 1000000,
		.system_time = 5000000000ULL,
		.tsc_to_system_mul = 0x80000000u,   /* 2 GHz: 1/2 ns per cycle */
		.tsc_shift = 0,
	};

	/* 3000 cycles after the timestamp: 1500 ns. */
	cr_expect_eq(pvclock_read_cycles(&p, 1003000), 5000001500ULL);
	cr_expect_eq(pvclock_read_cycles(&p, 1000000), 5000000000ULL);
}

/*
 * A TSC one below the timestamp: delta = 2^64 - 1, * 1/2 = 2^63 - 1/2 -> 2^63 - 1,
 * so the clock leaps forward by 2^63 - 1 ns instead of going back by 1/2 ns.
 */
Test(pvclock, read_cycles_tsc_below_timestamp_wraps)
{
	struct pvclock_vcpu_time_info p = {
		.tsc_timestamp = 1000,
		.system_time = 5000000000ULL,
		.tsc_to_system_mul = 0x80000000u,
		.tsc_shift = 0,
	};

	cr_expect_eq(pvclock_read_cycles(&p, 999), 5000000000ULL + (1ULL << 63) - 1);
}

/* system_time + delta wraps modulo 2^64 too. */
Test(pvclock, read_cycles_sum_wraps)
{
	struct pvclock_vcpu_time_info p = {
		.tsc_timestamp = 0,
		.system_time = UINT64_MAX - 9,
		.tsc_to_system_mul = 0x80000000u,
		.tsc_shift = 0,
	};

	/* 40 cycles = 20 ns; (2^64 - 10) + 20 = 10 (mod 2^64). */
	cr_expect_eq(pvclock_read_cycles(&p, 40), 10u);
}

/*
 * pvclock_tsc_khz() inverts kvm_get_time_scale(NSEC_PER_SEC, khz * 1000).
 * With k = -shift in 0..3, base' = khz * 1000 / 2^k is exact (1000 = 8 * 125)
 * and mul = floor(2^32 * 10^9 / base') is at most 1 below the exact quotient,
 * so 2^32 * 10^6 / mul lies in [khz / 2^k, khz / 2^k + 0.005) (the excess is
 * below base'/1000 * base'/(2^32 * 10^9 - base') < 0.005 for base' < 2^32).
 * Flooring and shifting back gives khz rounded down to a multiple of 2^k:
 * exact for even rates at shift -1, 1 kHz low for odd ones, up to 3 kHz low at
 * shift -2 (above 4 GHz).  For shift >= 0, base' = khz * 1000 * 2^shift and
 * khz * 2^shift is an integer, so the result is exact.
 */
Test(pvclock, tsc_khz_inverts_time_scale)
{
	static const struct {
		uint64_t khz;
		int8_t shift;
		uint64_t want;           /* khz rounded down to a multiple of 2^-shift */
	} cases[] = {
		{ 2100000, -1, 2100000 }, { 3000000, -1, 3000000 }, { 2000000, 0, 2000000 },
		{ 1000000, 1, 1000000 }, { 100000, 4, 100000 }, { 3500000, -1, 3500000 },
		{ 2593992, -1, 2593992 }, { 4000000, -1, 4000000 }, { 1999999, 0, 1999999 },
		{ 2100001, -1, 2100000 }, { 2999999, -1, 2999998 },
		{ 5000003, -2, 5000000 }, { 5000004, -2, 5000004 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct pvclock_vcpu_time_info p = { 0 };
		uint64_t got;

		kvm_get_time_scale(NSEC_PER_SEC, cases[i].khz * 1000, &p.tsc_shift,
				   &p.tsc_to_system_mul);
		cr_expect_eq(p.tsc_shift, cases[i].shift, "%" PRIu64 " kHz", cases[i].khz);
		got = pvclock_tsc_khz(&p);
		cr_expect_eq(got, cases[i].want, "%" PRIu64 " kHz -> %" PRIu64,
			     cases[i].khz, got);
		/* within 1 kHz at every shift >= -1 (all rates up to 4 GHz) */
		if (cases[i].shift >= -1)
			cr_expect_leq(cases[i].khz - got, 1u, "%" PRIu64 " kHz", cases[i].khz);
	}
}

Test(pvclock, tsc_khz_of_unwritten_page_is_zero)
{
	struct pvclock_vcpu_time_info p = { 0 };

	cr_expect_eq(pvclock_tsc_khz(&p), 0u);
}

/*
 * pvclock_read_checked(): the same value as pvclock_read_cycles(), and false
 * exactly when a wrap took part.  Page: timestamp 1000, 5 s, mul 1/2.
 */
Test(pvclock, read_checked_refuses_a_tsc_below_the_timestamp_and_a_sum_past_2_64)
{
	struct pvclock_vcpu_time_info p = {
		.tsc_timestamp = 1000,
		.system_time = 5000000000ULL,
		.tsc_to_system_mul = 0x80000000u,
		.tsc_shift = 0,
	};
	uint64_t ns = 0;

	/* at and after the timestamp: no wrap */
	cr_expect(pvclock_read_checked(&p, 1000, &ns));
	cr_expect_eq(ns, 5000000000ULL);
	cr_expect(pvclock_read_checked(&p, 3000, &ns));
	cr_expect_eq(ns, 5000001000ULL);
	/* one cycle below: delta 2^64 - 1, the 2^63 - 1 ns leap of the test above */
	cr_expect_not(pvclock_read_checked(&p, 999, &ns));
	cr_expect_eq(ns, 5000000000ULL + (1ULL << 63) - 1);
	/* 2^63 cycles ahead is a negative delta as signed: refused as well */
	cr_expect_not(pvclock_read_checked(&p, 1000 + (1ULL << 63), &ns));
	/* the largest delta that is not negative: 2^63 - 1 cycles, (2^63 - 1) / 2 ns */
	cr_expect(pvclock_read_checked(&p, 1000 + (1ULL << 63) - 1, &ns));
	cr_expect_eq(ns, 5000000000ULL + ((1ULL << 63) - 1) / 2);
	/* system_time near 2^64: 40 cycles = 20 ns wrap the sum to 10 */
	p.tsc_timestamp = 0;
	p.system_time = UINT64_MAX - 9;
	cr_expect_not(pvclock_read_checked(&p, 40, &ns));
	cr_expect_eq(ns, 10u);
	cr_expect(pvclock_read_checked(&p, 18, &ns));
	cr_expect_eq(ns, UINT64_MAX);
}
