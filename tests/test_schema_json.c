/*
 * The schema's unit patterns (docs/scenario.schema.json's $defs) against the
 * parsers the loader uses (sim/core/units.c): every string a parser accepts
 * matches its pattern, so the schema never refuses a valid quantity; and a
 * string that breaks the grammar (no digit before '.', an exponent, a space,
 * an unknown unit, a sign where none is allowed) matches no pattern.  The
 * patterns are taken from `sim schema`'s text and compiled as POSIX extended
 * regular expressions, which agree with JSON Schema's for these patterns.
 */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/units.h"
#include "sim/scenario/schema.h"

/* The "pattern" of $defs entry def in the schema text, unescaped, into dst. */
static void def_pattern(const char *schema, const char *def, char *dst, size_t cap)
{
	char key[64];
	const char *defs = strstr(schema, "\n  \"$defs\": {"), *p;
	size_t n = 0;

	cr_assert(defs, "no $defs in the schema");
	snprintf(key, sizeof(key), "\n    \"%s\": {", def);
	p = strstr(defs, key);
	cr_assert(p, "no $defs/%s", def);
	p = strstr(p, "\"pattern\": \"");
	cr_assert(p, "$defs/%s has no pattern", def);
	for (p += strlen("\"pattern\": \""); *p && *p != '"' && n + 1 < cap; p++)
		dst[n++] = *p == '\\' ? *++p : *p;
	dst[n] = '\0';
}

typedef bool (*parse_fn)(const char *s, void *out, char *why, size_t why_len);

static bool parse_duration(const char *s, void *out, char *why, size_t len)
{
	return sim_parse_duration_ps(s, out, why, len);
}

static bool parse_signed(const char *s, void *out, char *why, size_t len)
{
	return sim_parse_signed_duration_ps(s, out, why, len);
}

static bool parse_freq(const char *s, void *out, char *why, size_t len)
{
	return sim_parse_freq(s, out, why, len);
}

static bool parse_ppb(const char *s, void *out, char *why, size_t len)
{
	return sim_parse_ppb(s, out, why, len);
}

static bool parse_fraction(const char *s, void *out, char *why, size_t len)
{
	return sim_parse_fraction_ppb(s, out, why, len);
}

static const struct {
	const char *def;
	parse_fn parse;
} kinds[] = {
	{ "duration", parse_duration },
	{ "signed_duration", parse_signed },
	{ "frequency", parse_freq },
	{ "offset", parse_ppb },
	{ "fraction", parse_fraction },
};

/* Every unit any parser knows, and words that are none. */
static const char *const units[] = {
	"ps", "ns", "us", "\xc2\xb5s", "\xce\xbcs", "ms", "s", "min", "h", "d", "Hz", "kHz",
	"MHz", "GHz", "ppm", "ppb", "%", "sec", "m", "S", "mhz", "Ms", " s", "", "s ", "e3s",
};
static const char *const signs[] = { "", "+", "-" };
/* Well formed and in range for every unit: a pattern that matches must parse. */
static const char *const plain[] = { "1", "12", "100" };
/* Well formed, perhaps out of range or too fine: a parser that takes it must match. */
static const char *const other[] = { "0", "1.5", "1.000", "007", "0.25" };
/* Not the grammar: no parser takes it, and no pattern may match. */
static const char *const broken[] = { ".5", "5.", "1e3", "", "1 ", "1.2.3", "0x10", "1,5" };

Test(schema_json, unit_patterns_match_the_parsers)
{
	char err[200], pat[256], why[160], s[64];
	char *schema = scenario_schema_json(err, sizeof(err));
	unsigned checked = 0;

	cr_assert(schema, "sim schema: %s", err);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		regex_t re;
		uint64_t out[4];

		def_pattern(schema, kinds[k].def, pat, sizeof(pat));
		cr_assert_eq(regcomp(&re, pat, REG_EXTENDED | REG_NOSUB), 0, "%s: %s", kinds[k].def,
			     pat);
		for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
			for (size_t g = 0; g < sizeof(signs) / sizeof(signs[0]); g++) {
				const char *const *sets[] = { plain, other, broken };
				const size_t counts[] = { sizeof(plain) / sizeof(plain[0]),
							  sizeof(other) / sizeof(other[0]),
							  sizeof(broken) / sizeof(broken[0]) };

				for (size_t set = 0; set < 3; set++)
					for (size_t m = 0; m < counts[set]; m++) {
						bool parsed, matched;

						snprintf(s, sizeof(s), "%s%s%s", signs[g], sets[set][m],
							 units[u]);
						parsed = kinds[k].parse(s, out, why, sizeof(why));
						matched = regexec(&re, s, 0, NULL, 0) == 0;
						checked++;
						cr_expect(!parsed || matched,
							  "%s: \"%s\" parses, but the pattern %s refuses it",
							  kinds[k].def, s, pat);
						if (set == 0)
							cr_expect(!matched || parsed,
								  "%s: \"%s\" matches %s, but the parser "
								  "refuses it: %s", kinds[k].def, s, pat,
								  why);
						if (set == 2)
							cr_expect(!matched && !parsed,
								  "%s: \"%s\" is not the grammar, yet it "
								  "%s", kinds[k].def, s,
								  parsed ? "parses" : "matches");
					}
			}
		regfree(&re);
	}
	cr_expect_gt(checked, 1000);
	free(schema);
}

/* "duration_above_0" refuses, by its "not" pattern, exactly the durations that parse to 0. */
Test(schema_json, zero_duration_pattern_matches_the_parser)
{
	static const char *const mants[] = { "0", "00", "0.0", "0.000", "0.5", "0.05", "1", "10",
					     "100", "0.001", "1.0" };
	char err[200], pat[256], why[160], s[64];
	char *schema = scenario_schema_json(err, sizeof(err));
	regex_t re;

	cr_assert(schema, "sim schema: %s", err);
	def_pattern(schema, "duration_above_0", pat, sizeof(pat));
	cr_assert_eq(regcomp(&re, pat, REG_EXTENDED | REG_NOSUB), 0, "%s", pat);
	for (size_t m = 0; m < sizeof(mants) / sizeof(mants[0]); m++)
		for (size_t u = 0; u < 10; u++) {   /* the duration units, first in units[] */
			sim_ps v = 0;

			snprintf(s, sizeof(s), "%s%s", mants[m], units[u]);
			if (!sim_parse_duration_ps(s, &v, why, sizeof(why)))
				continue;
			cr_expect_eq(v == 0, regexec(&re, s, 0, NULL, 0) == 0,
				     "\"%s\" is %s0, but with the \"not\" pattern %s the schema %s it", s,
				     v ? "not " : "", pat,
				     v ? "refuses" : "accepts");
		}
	regfree(&re);
	free(schema);
}

/* The string form of integers ("0x608"): every literal sim_parse_u64 takes matches. */
Test(schema_json, integer_string_pattern_matches_the_parser)
{
	static const char *const cases[] = {
		"0", "12", "0x1f", "0X1F", "0xffffffffffffffff", "18446744073709551615", "007",
		"0x", "x1", "-1", "+1", "1.0", "", " 1", "1 ", "0b1", "1e3", "0x1g",
	};
	char err[200], pat[256], why[160];
	char *schema = scenario_schema_json(err, sizeof(err));
	regex_t re;

	cr_assert(schema, "sim schema: %s", err);
	def_pattern(schema, "uint_string", pat, sizeof(pat));
	cr_assert_eq(regcomp(&re, pat, REG_EXTENDED | REG_NOSUB), 0, "%s", pat);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v;
		bool parsed = sim_parse_u64(cases[i], &v, why, sizeof(why));
		bool matched = regexec(&re, cases[i], 0, NULL, 0) == 0;

		cr_expect_eq(parsed, matched, "\"%s\": the parser %s it, the pattern %s %s",
			     cases[i], parsed ? "takes" : "refuses", pat,
			     matched ? "matches" : "does not");
	}
	regfree(&re);
	free(schema);
}

/* Every F_CUSTOM row names its shape: the generator refuses a row it cannot describe. */
Test(schema_json, every_key_is_described)
{
	char err[200] = "";
	char *schema = scenario_schema_json(err, sizeof(err));

	cr_assert(schema, "sim schema: %s", err);
	cr_expect(strstr(schema, "\"additionalProperties\": false"));
	cr_expect_null(strstr(schema, "\"additionalProperties\": true"));
	free(schema);
}
