/*
 * clocksource: the mult/shift pair Linux picks for a clocksource
 * (kernel/time/clocksource.c), and the ns it converts cycles to.
 *
 * Linux's algorithm, which every expected value below is derived from by hand:
 *
 *   __clocksource_update_freq_scale(cs, scale, freq):
 *     sec = mask / freq / scale; if sec == 0: sec = 1;
 *     else if sec > 600 and mask > 2^32 - 1: sec = 600     (10 minutes)
 *     clocks_calc_mult_shift(&mult, &shift, freq, 1e9 / scale, sec * scale)
 *     then while mult + mult * 11 / 100 overflows 32 bits: mult >>= 1, shift--
 *
 *   clocks_calc_mult_shift(from, to, maxsec):
 *     sftacc = 32 - (number of bits of (maxsec * from) >> 32)
 *     for sft = 32 down to 1:
 *       mult = (to << sft + from / 2) / from     (to / from rounded, in 2^-sft units)
 *       stop at the first sft with mult < 2^sftacc
 */
#include <criterion/criterion.h>
#include <inttypes.h>

#include "sim/core/simtime.h"
#include "sim/cpu-tsc/clocksource.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct cs_case {
	const char *what;
	uint64_t mask;
	uint32_t scale;
	uint32_t freq;
	uint32_t mult, shift;
	bool halved;              /* the NTP headroom halved mult: no longer round(ratio) */
};

static const struct cs_case cs_cases[] = {
	/*
	 * TSC, clocksource_register_khz(3000000): mask / 3e6 / 1000 is huge and the
	 * mask is wide, so sec = 600 and maxsec = 600 * 1000 = 600000 "ms".
	 * (600000 * 3000000) >> 32 = 1.8e12 / 2^32 = 419 (9 bits): sftacc = 23.
	 * mult = round(1e6 * 2^sft / 3e6) = round(2^sft / 3):
	 *   sft 25: 11184811 >= 2^23 = 8388608, too wide;
	 *   sft 24: round(5592405.33) = 5592405 < 2^23: taken.
	 * 5592405 + 11 % = 6207569 fits in 32 bits: no halving.
	 */
	{ "tsc 3 GHz", UINT64_MAX, 1000, 3000000, 5592405, 24, false },
	/*
	 * TSC at 2100000 kHz: (600000 * 2100000) >> 32 = 1.26e12 / 2^32 = 293 (9 bits):
	 * sftacc = 23.  mult = round(2^sft / 2.1):
	 *   sft 25: 15978301 >= 2^23;  sft 24: round(7989150.48) = 7989150: taken.
	 */
	{ "tsc 2.1 GHz", UINT64_MAX, 1000, 2100000, 7989150, 24, false },
	/*
	 * TSC at 2400000 kHz: (600000 * 2400000) >> 32 = 335 (9 bits): sftacc = 23.
	 * sft 24: round(2^24 / 2.4) = round(6990506.67) = 6990507 (rounded up).
	 */
	{ "tsc 2.4 GHz", UINT64_MAX, 1000, 2400000, 6990507, 24, false },
	/*
	 * TSC at 2000000 kHz: (600000 * 2000000) >> 32 = 279 (9 bits): sftacc = 23.
	 * mult = round(2^sft / 2):
	 *   sft 24: (2^24 * 1e6 + 1e6) / 2e6 = 2^23 (+0.5, floored), not < 2^23;
	 *   sft 23: 2^22 = 4194304: taken.  Exact: 2^22 / 2^23 = 0.5 ns per cycle.
	 */
	{ "tsc 2 GHz", UINT64_MAX, 1000, 2000000, 4194304, 23, false },
	/*
	 * HPET, clocksource_register_hz(14318180) with a 32-bit mask:
	 * sec = (2^32 - 1) / 14318180 = 299 (not > 600).  299 * 14318180 = 4281135820
	 * < 2^32, so sftacc = 32.  mult = round(1e9 * 2^sft / 14318180), 69.84 * 2^sft:
	 *   sft 26: 4.69e9 >= 2^32;
	 *   sft 25: 1e9 * 33554432 / 14318180 = 2343484437.27 -> 2343484437: taken.
	 * 2343484437 + 257783287 = 2601267724 < 2^32: no halving.
	 */
	{ "hpet", UINT32_MAX, 1, 14318180, 2343484437u, 25, false },
	/*
	 * A 32768 Hz 32-bit counter (OMAP's 32k counter): sec = (2^32 - 1) / 32768 =
	 * 131071, not capped (32-bit mask); 131071 * 32768 < 2^32, sftacc = 32.
	 * mult = 1e9 * 2^sft / 2^15: sft 18: 8e9, too wide; sft 17: 4e9 < 2^32.
	 * 4e9 + 11 % = 4.44e9 overflows 32 bits: halved to 2e9, shift 16.
	 */
	{ "32 kHz", UINT32_MAX, 1, 32768, 2000000000u, 16, true },
	/*
	 * A 32-bit counter at 1.105 GHz: sec = 3, 3 * f < 2^32, sftacc = 32.
	 * sft 32: round(2^32 / 1.105) = round(3886848231.67) = 3886848232 < 2^32.
	 * That lies between 2^32 / 1.11 and 2^32 / 1.10: 3886848232 + 427553305 (11 %)
	 * overflows 32 bits (a 10 % margin would not), so it is halved once:
	 * 1943424116, shift 31.
	 */
	{ "11 % headroom", UINT32_MAX, 1, 1105000000, 1943424116u, 31, true },
};

Test(clocksource, linux_mult_shift)
{
	for (size_t i = 0; i < ARRAY_LEN(cs_cases); i++) {
		const struct cs_case *c = &cs_cases[i];
		struct linux_clocksource cs;

		clocksource_init_freq(&cs, c->mask, c->scale, c->freq);
		cr_expect_eq(cs.mult, c->mult, "%s: mult %" PRIu32 ", want %" PRIu32, c->what, cs.mult,
			     c->mult);
		cr_expect_eq(cs.shift, c->shift, "%s: shift %" PRIu32 ", want %" PRIu32, c->what,
			     cs.shift, c->shift);
		cr_expect_eq(cs.mask, c->mask, "%s: mask", c->what);
	}
}

Test(clocksource, calc_mult_shift_direct)
{
	static const struct {
		uint32_t from, to, maxsec;
		uint32_t mult, shift;
	} cases[] = {
		/*
		 * A 19.2 MHz counter over 600 s: 600 * 19200000 = 0x2AEA54000, >> 32 = 2
		 * (2 bits): sftacc = 30.  1e9 / 19.2e6 = 52.083 per cycle:
		 * sft 25: 1.75e9 >= 2^30; sft 24: 52.083 * 2^24 = 873813333.3 -> 873813333.
		 */
		{ 19200000, 1000000000, 600, 873813333, 24 },
		/* 1:1 over 1 s: sftacc 32, sft 32 gives 2^32 (too wide), sft 31 gives 2^31. */
		{ 1000000000, 1000000000, 1, 1u << 31, 31 },
	};

	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		uint32_t mult = 0, shift = 0;

		clocks_calc_mult_shift(&mult, &shift, cases[i].from, cases[i].to, cases[i].maxsec);
		cr_expect_eq(mult, cases[i].mult, "case %zu: mult %" PRIu32, i, mult);
		cr_expect_eq(shift, cases[i].shift, "case %zu: shift %" PRIu32, i, shift);
	}
}

Test(clocksource, wide_counters_convert_ten_minutes_in_64_bits)
{
	/* The point of sftacc: 600 s of cycles times mult does not overflow 64 bits. */
	static const uint32_t khz[] = { 1000000, 2000000, 2100000, 2999999, 3000000, 3000037,
					4000000, 5000000 };

	for (size_t i = 0; i < ARRAY_LEN(khz); i++) {
		struct linux_clocksource cs;
		sim_u128 product;

		clocksource_init_freq(&cs, UINT64_MAX, 1000, khz[i]);
		product = (sim_u128)600 * khz[i] * 1000 * cs.mult;
		cr_expect(product <= UINT64_MAX, "%" PRIu32 " kHz: 600 s * mult overflows", khz[i]);
		/*
		 * ... and the shift is not needlessly coarse: the next one up would need
		 * mult >= 2^sftacc, which puts the product at 2^63 or more, so this one is
		 * at least about 2^62.  Allow 2^61.
		 */
		cr_expect(product >= (sim_u128)1 << 61, "%" PRIu32 " kHz: shift %" PRIu32 " too coarse",
			  khz[i], cs.shift);
	}
}

Test(clocksource, cyc2ns_of_one_second_within_rounding_bound)
{
	/*
	 * mult = round(1e9 * 2^shift / f) is off the exact ratio by at most 1/2, so
	 * for c cycles (c * mult) >> shift is within c / 2^(shift + 1) of the exact
	 * ns, minus up to 1 for the final floor:
	 *   exact - c / 2^(shift + 1) - 1 < cyc2ns(c) <= exact + c / 2^(shift + 1).
	 * (Halved mults are excluded: the halving floors, which can lose one more unit.)
	 * For one second of cycles the exact value is 1e9 ns.
	 */
	for (size_t i = 0; i < ARRAY_LEN(cs_cases); i++) {
		const struct cs_case *c = &cs_cases[i];
		struct linux_clocksource cs;
		uint64_t cycles = (uint64_t)c->freq * c->scale;
		uint64_t ns;
		double bound, err;

		if (c->halved)
			continue;
		clocksource_init_freq(&cs, c->mask, c->scale, c->freq);
		ns = clocksource_cyc2ns(&cs, cycles);
		bound = (double)cycles / (double)(1ULL << (cs.shift + 1));
		err = (double)ns - 1e9;
		cr_expect(err <= bound && err > -bound - 1, "%s: %" PRIu64 " ns, bound %.1f", c->what,
			  ns, bound);
	}
}

Test(clocksource, cyc2ns_exact_values)
{
	struct linux_clocksource cs;

	/* 3 GHz: mult / 2^24 = (2^24 - 1) / 3 / 2^24, so 3e9 cycles -> 1e9 * (1 - 2^-24) = 1e9 - 59.6. */
	clocksource_init_freq(&cs, UINT64_MAX, 1000, 3000000);
	cr_expect_eq(clocksource_cyc2ns(&cs, 3000000000u), 999999940u);
	cr_expect_eq(clocksource_cyc2ns(&cs, 0), 0);
	/* 3 cycles are 1 ns, but (2^24 - 1) / 2^24 floors to 0; 6 cycles give 1. */
	cr_expect_eq(clocksource_cyc2ns(&cs, 3), 0);
	cr_expect_eq(clocksource_cyc2ns(&cs, 6), 1);
	/*
	 * 10 days of cycles (2.592e15) overflow a 64-bit product; the 128-bit one gives
	 * 864000e9 * (1 - 2^-24) = 864e12 - 51498413.09 -> 863999948501586.
	 */
	cr_expect_eq(clocksource_cyc2ns(&cs, 2592000000000000u), 863999948501586u);

	/* 2.4 GHz: mult 6990507 is 1/3 above 2^24 / 2.4: 2.4e9 cycles -> 1e9 + 47.7. */
	clocksource_init_freq(&cs, UINT64_MAX, 1000, 2400000);
	cr_expect_eq(clocksource_cyc2ns(&cs, 2400000000u), 1000000047u);

	/* 2 GHz: exactly 0.5 ns per cycle. */
	clocksource_init_freq(&cs, UINT64_MAX, 1000, 2000000);
	cr_expect_eq(clocksource_cyc2ns(&cs, 2000000000u), 1000000000u);
	cr_expect_eq(clocksource_cyc2ns(&cs, 7), 3);
}
