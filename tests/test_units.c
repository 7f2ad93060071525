/* Exact parsing of durations, frequencies, ppb offsets, percentages and integers. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "sim/core/units.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A failing case: the input and a fragment its message must contain. */
struct bad_case {
	const char *s;
	const char *why;
};

Test(units, duration_ps_exact_values)
{
	static const struct {
		const char *s;
		sim_ps ps;
	} cases[] = {
		{ "0s", 0 },
		{ "1ps", 1 },
		{ "250ns", 250000 },
		{ "1.5us", 1500000 },
		{ "1.5\xc2\xb5s", 1500000 },
		{ "1.5\xce\xbcs", 1500000 },
		{ "300ms", 300000000000ULL },
		{ "1.25s", 1250000000000ULL },
		{ "2min", 120000000000000ULL },
		{ "1h", 3600000000000000ULL },
		{ "10d", 864000000000000000ULL },
		{ "1.000ps", 1 },
		{ "007ms", 7000000000ULL },
		{ "0.000000000001s", 1 },
		{ "18446744073709551615ps", UINT64_MAX },
		{ "213d", 213ULL * 86400 * 1000000000000ULL },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char why[256] = "";
		sim_ps v = 42;

		cr_expect(sim_parse_duration_ps(cases[i].s, &v, why, sizeof(why)),
			  "%s: %s", cases[i].s, why);
		cr_expect_eq(v, cases[i].ps, "%s: got %" PRIu64, cases[i].s, v);
	}
}

Test(units, duration_ps_failures_name_expected_and_got)
{
	static const struct bad_case cases[] = {
		{ "300", "expected a duration such as \"300ms\" (units: ps, ns, us, ms, s, min, h, d), got \"300\" (missing unit)" },
		{ "", "got \"\" (empty)" },
		{ "ms", "got \"ms\" (no number)" },
		{ "5sec", "(unknown unit \"sec\")" },
		{ "5 ms", "(no space is allowed before the unit)" },
		{ "1e3ms", "(exponents are not supported)" },
		{ ".5ms", "digit before the '.'" },
		{ "5.ms", "digit after the '.'" },
		{ "5MS", "unknown unit \"MS\"" },
		{ "-5ms", "expected a duration without a sign" },
		{ "+5ms", "expected a duration without a sign" },
		{ "1.5ps", "duration \"1.5ps\" is not a whole number of ps" },
		{ "0.001ps", "not a whole number of ps" },
		{ "300d", "duration too long: \"300d\" (at most 213 days)" },
		{ "18446744073709551616ps", "duration too long" },
		{ "123456789012345678901234567890s", "duration too long" },
		{ "1.0000000000000000000000000000001s", "not a whole number of ps" },
		{ "5ms ", "unknown unit \"ms \"" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char why[256] = "";
		sim_ps v = 42;

		cr_expect_not(sim_parse_duration_ps(cases[i].s, &v, why, sizeof(why)),
			      "%s parsed", cases[i].s);
		cr_expect(strstr(why, cases[i].why), "%s: got message '%s'", cases[i].s, why);
		cr_expect_eq(v, 42, "%s: output written on failure", cases[i].s);
	}
}

Test(units, signed_duration_ps)
{
	static const struct {
		const char *s;
		int64_t ps;
	} cases[] = {
		{ "-20us", -20000000 },
		{ "+20us", 20000000 },
		{ "20us", 20000000 },
		{ "-0s", 0 },
		{ "-1.5ns", -1500 },
		{ "106d", 106LL * 86400 * 1000000000000LL },
		{ "-106d", -106LL * 86400 * 1000000000000LL },
		{ "9223372036854775807ps", INT64_MAX },
		{ "-9223372036854775807ps", -INT64_MAX },
	};
	static const struct bad_case bad[] = {
		{ "107d", "duration too long: \"107d\" (at most 106 days either way)" },
		{ "-107d", "duration too long" },
		{ "-9223372036854775808ps", "duration too long" },
		{ "--5us", "expected a duration such as \"-20us\"" },
		{ "-0.5ps", "not a whole number of ps" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char why[256] = "";
		int64_t v = 42;

		cr_expect(sim_parse_signed_duration_ps(cases[i].s, &v, why, sizeof(why)),
			  "%s: %s", cases[i].s, why);
		cr_expect_eq(v, cases[i].ps, "%s: got %" PRId64, cases[i].s, v);
	}
	for (size_t i = 0; i < N(bad); i++) {
		char why[256] = "";
		int64_t v = 42;

		cr_expect_not(sim_parse_signed_duration_ps(bad[i].s, &v, why, sizeof(why)),
			      "%s parsed", bad[i].s);
		cr_expect(strstr(why, bad[i].why), "%s: got message '%s'", bad[i].s, why);
	}
}

Test(units, duration_ns)
{
	static const struct {
		const char *s;
		uint64_t ns;
	} cases[] = {
		{ "10d", 864000000000000ULL },
		{ "1h", 3600000000000ULL },
		{ "1000ps", 1 },
		{ "1.5us", 1500 },
		{ "584d", 584ULL * 86400 * 1000000000ULL },
		{ "200000d", 200000ULL * 86400 * 1000000000ULL },
	};
	static const struct bad_case bad[] = {
		{ "1ps", "duration \"1ps\" is not a whole number of ns" },
		{ "1.0001us", "not a whole number of ns" },
		{ "213504d", "duration too long: \"213504d\" (at most 584 years)" },
		{ "-1s", "without a sign" },
		{ "500y", "unknown unit \"y\"" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char why[256] = "";
		uint64_t v = 42;

		cr_expect(sim_parse_duration_ns(cases[i].s, &v, why, sizeof(why)),
			  "%s: %s", cases[i].s, why);
		cr_expect_eq(v, cases[i].ns, "%s: got %" PRIu64, cases[i].s, v);
	}
	for (size_t i = 0; i < N(bad); i++) {
		char why[256] = "";
		uint64_t v = 42;

		cr_expect_not(sim_parse_duration_ns(bad[i].s, &v, why, sizeof(why)),
			      "%s parsed", bad[i].s);
		cr_expect(strstr(why, bad[i].why), "%s: got message '%s'", bad[i].s, why);
	}
}

Test(units, freq_exact_ratios)
{
	static const struct {
		const char *s;
		uint64_t num, den;
	} cases[] = {
		{ "1.193182MHz", 1193182, 1 },
		{ "14.31818MHz", 14318180, 1 },
		{ "3GHz", 3000000000ULL, 1 },
		{ "2.9994GHz", 2999400000ULL, 1 },
		{ "24MHz", 24000000, 1 },
		{ "32768Hz", 32768, 1 },
		{ "0.5Hz", 1, 2 },
		{ "1.193181818kHz", 596590909, 500000 },
		{ "3000000kHz", 3000000000ULL, 1 },
		{ "3.000GHz", 3000000000ULL, 1 },
	};
	static const struct bad_case bad[] = {
		{ "3 GHz", "expected a frequency such as \"3GHz\" (units: Hz, kHz, MHz, GHz), got \"3 GHz\"" },
		{ "3ghz", "unknown unit \"ghz\"" },
		{ "3", "(missing unit)" },
		{ "0Hz", "expected a frequency above 0, got \"0Hz\"" },
		{ "-3GHz", "without a sign" },
		{ "10000000000GHz", "frequency too high" },
		{ "1.00000000000000000001Hz", "too many decimals" },
		{ "1e9Hz", "exponents are not supported" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char why[256] = "";
		struct sim_freq f = { 0, 0 };

		cr_expect(sim_parse_freq(cases[i].s, &f, why, sizeof(why)), "%s: %s", cases[i].s, why);
		cr_expect(f.num == cases[i].num && f.den == cases[i].den,
			  "%s: got %" PRIu64 "/%" PRIu64, cases[i].s, f.num, f.den);
	}
	for (size_t i = 0; i < N(bad); i++) {
		char why[256] = "";
		struct sim_freq f = { 0, 0 };

		cr_expect_not(sim_parse_freq(bad[i].s, &f, why, sizeof(why)), "%s parsed", bad[i].s);
		cr_expect(strstr(why, bad[i].why), "%s: got message '%s'", bad[i].s, why);
	}
}

Test(units, ppb)
{
	static const struct {
		const char *s;
		int64_t ppb;
	} cases[] = {
		{ "12.5ppm", 12500 },
		{ "+20ppm", 20000 },
		{ "-20ppm", -20000 },
		{ "-50ppb", -50 },
		{ "0ppm", 0 },
		{ "0.001ppm", 1 },
		{ "-333333.333ppm", -333333333 },
	};
	static const struct bad_case bad[] = {
		{ "0.5ppb", "\"0.5ppb\" is not a whole number of ppb" },
		{ "0.0001ppm", "not a whole number of ppb" },
		{ "20", "expected a fractional offset such as \"+20ppm\" (units: ppm, ppb), got \"20\" (missing unit)" },
		{ "20%", "unknown unit \"%\"" },
		{ "20 ppm", "no space" },
		{ "99999999999999999999ppm", "fractional offset too large" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char why[256] = "";
		int64_t v = 42;

		cr_expect(sim_parse_ppb(cases[i].s, &v, why, sizeof(why)), "%s: %s", cases[i].s, why);
		cr_expect_eq(v, cases[i].ppb, "%s: got %" PRId64, cases[i].s, v);
	}
	for (size_t i = 0; i < N(bad); i++) {
		char why[256] = "";
		int64_t v = 42;

		cr_expect_not(sim_parse_ppb(bad[i].s, &v, why, sizeof(why)), "%s parsed", bad[i].s);
		cr_expect(strstr(why, bad[i].why), "%s: got message '%s'", bad[i].s, why);
	}
}

Test(units, fraction_ppb_accepts_percent)
{
	static const struct {
		const char *s;
		int64_t ppb;
	} cases[] = {
		{ "0.5%", 5000000 },
		{ "2%", 20000000 },
		{ "100%", 1000000000 },
		{ "-1.25%", -12500000 },
		{ "0.0000001%", 1 },
		{ "5000ppm", 5000000 },
		{ "+7ppb", 7 },
		{ "0%", 0 },
	};
	static const struct bad_case bad[] = {
		{ "0.00000001%", "\"0.00000001%\" is not a whole number of ppb" },
		{ "50", "expected a fraction such as \"0.5%\" (units: %, ppm, ppb), got \"50\" (missing unit)" },
		{ "50 %", "no space" },
		{ "50pct", "unknown unit \"pct\"" },
		{ "99999999999999999999%", "fractional offset too large" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char why[256] = "";
		int64_t v = 42;

		cr_expect(sim_parse_fraction_ppb(cases[i].s, &v, why, sizeof(why)), "%s: %s",
			  cases[i].s, why);
		cr_expect_eq(v, cases[i].ppb, "%s: got %" PRId64, cases[i].s, v);
	}
	for (size_t i = 0; i < N(bad); i++) {
		char why[256] = "";
		int64_t v = 42;

		cr_expect_not(sim_parse_fraction_ppb(bad[i].s, &v, why, sizeof(why)), "%s parsed",
			      bad[i].s);
		cr_expect(strstr(why, bad[i].why), "%s: got message '%s'", bad[i].s, why);
		cr_expect_eq(v, 42, "%s: left alone", bad[i].s);
	}
}

Test(units, u64_decimal_and_hex)
{
	static const struct {
		const char *s;
		uint64_t v;
	} cases[] = {
		{ "0", 0 },
		{ "42", 42 },
		{ "0x2a", 42 },
		{ "0X2A", 42 },
		{ "18446744073709551615", UINT64_MAX },
		{ "0xffffffffffffffff", UINT64_MAX },
	};
	static const struct bad_case bad[] = {
		{ "", "expected an unsigned integer (decimal, or hex with 0x), got \"\"" },
		{ "0x", "expected an unsigned integer" },
		{ "-1", "expected an unsigned integer" },
		{ "+1", "expected an unsigned integer" },
		{ "12a", "got \"12a\"" },
		{ " 1", "expected an unsigned integer" },
		{ "18446744073709551616", "integer too large" },
		{ "0x10000000000000000", "integer too large" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char why[256] = "";
		uint64_t v = 7;

		cr_expect(sim_parse_u64(cases[i].s, &v, why, sizeof(why)), "%s: %s", cases[i].s, why);
		cr_expect_eq(v, cases[i].v, "%s: got %" PRIu64, cases[i].s, v);
	}
	for (size_t i = 0; i < N(bad); i++) {
		char why[256] = "";
		uint64_t v = 7;

		cr_expect_not(sim_parse_u64(bad[i].s, &v, why, sizeof(why)), "%s parsed", bad[i].s);
		cr_expect(strstr(why, bad[i].why), "%s: got message '%s'", bad[i].s, why);
	}
}

Test(units, messages_quote_input_safely)
{
	char why[256] = "";
	sim_ps v;

	cr_expect_not(sim_parse_duration_ps("a\"b\n", &v, why, sizeof(why)));
	cr_expect(strstr(why, "got \"a\\\"b\\x0a\""), "%s", why);
	cr_expect_not(sim_parse_duration_ps("1111111111111111111111111111111111111111111111111ms",
					    &v, why, sizeof(why)));
	cr_expect(strstr(why, "...\""), "long input is cut: %s", why);
	/* A NULL or empty reason buffer is allowed. */
	cr_expect_not(sim_parse_duration_ps("x", &v, NULL, 0));
}
