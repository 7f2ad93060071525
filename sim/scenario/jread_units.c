/*
 * Readers of quantities with units (durations, frequencies, ppb, fractions),
 * of integers beyond 2^53 written as strings, and of UTC times.
 */
#include "sim/scenario/loader_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/core/civil.h"
#include "sim/core/units.h"

/* v's string parsed by parse, a sim_parse_* for a uint64_t; expected names it in type errors. */
static bool read_parsed_u64(struct loader *ld, const struct node *v, const char *expected,
			    bool (*parse)(const char *, uint64_t *, char *, size_t), uint64_t *out)
{
	char why[256];
	const char *s = "";

	if (!v->json)
		return true;
	if (!read_str(ld, v, expected, &s))
		return false;
	if (!parse(s, out, why, sizeof(why)))
		return fail(ld, v->path, "%s", why);
	return true;
}

/* The same for a sim_parse_* into an int64_t. */
static bool read_parsed_s64(struct loader *ld, const struct node *v, const char *expected,
			    bool (*parse)(const char *, int64_t *, char *, size_t), int64_t *out)
{
	char why[256];
	const char *s = "";

	if (!v->json)
		return true;
	if (!read_str(ld, v, expected, &s))
		return false;
	if (!parse(s, out, why, sizeof(why)))
		return fail(ld, v->path, "%s", why);
	return true;
}

bool read_duration_ps(struct loader *ld, const struct node *v, sim_ps *out)
{
	return read_parsed_u64(ld, v, EXPECT_DURATION, sim_parse_duration_ps, out);
}

bool read_duration_ns(struct loader *ld, const struct node *v, uint64_t *out)
{
	return read_parsed_u64(ld, v, EXPECT_DURATION, sim_parse_duration_ns, out);
}

bool read_signed_ps(struct loader *ld, const struct node *v, int64_t *out)
{
	return read_parsed_s64(ld, v, EXPECT_SIGNED, sim_parse_signed_duration_ps, out);
}

bool read_signed_ns(struct loader *ld, const struct node *v, int64_t *out)
{
	char q[80];
	int64_t ps = 0;

	if (!v->json)
		return true;
	if (!read_signed_ps(ld, v, &ps))
		return false;
	if (ps % (int64_t)SIM_PS_PER_NS)
		return fail(ld, v->path, "duration %s is not a whole number of ns",
			    sim_quote(q, sizeof(q), v->json->valuestring));
	*out = ps / (int64_t)SIM_PS_PER_NS;
	return true;
}

/* A frequency in [min_hz, max_hz]. */
bool read_freq(struct loader *ld, const struct node *v, uint64_t min_hz, uint64_t max_hz,
		      const char *range, struct sim_freq *out)
{
	char why[256], q[80];
	struct sim_freq f;
	const char *s = "";

	if (!v->json)
		return true;
	if (!read_str(ld, v, EXPECT_FREQ, &s))
		return false;
	if (!sim_parse_freq(s, &f, why, sizeof(why)))
		return fail(ld, v->path, "%s", why);
	if ((sim_u128)f.num < (sim_u128)min_hz * f.den || (sim_u128)f.num > (sim_u128)max_hz * f.den)
		return fail(ld, v->path, "expected a frequency from %s, got %s", range,
			    sim_quote(q, sizeof(q), s));
	*out = f;
	return true;
}

/* A fractional offset in ppb, in [-limit, limit]. */
bool read_ppb(struct loader *ld, const struct node *v, int64_t limit, int64_t *out)
{
	char q[80], lo[32], hi[32];
	int64_t x;

	if (!v->json)
		return true;
	if (!read_parsed_s64(ld, v, EXPECT_PPB, sim_parse_ppb, &x))
		return false;
	if (x < -limit || x > limit)
		return fail(ld, v->path, "expected an offset from %s to +%s, got %s",
			    fmt_ppb(lo, sizeof(lo), -limit), fmt_ppb(hi, sizeof(hi), limit),
			    sim_quote(q, sizeof(q), v->json->valuestring));
	*out = x;
	return true;
}

/* A fraction in ppb, also as a percentage ("0.5%"), in [min, max]; range names the limits. */
bool read_fraction(struct loader *ld, const struct node *v, int64_t min, int64_t max,
			  const char *range, int64_t *out)
{
	char q[80];
	int64_t x;

	if (!v->json)
		return true;
	if (!read_parsed_s64(ld, v, EXPECT_FRACTION, sim_parse_fraction_ppb, &x))
		return false;
	if (x < min || x > max)
		return fail(ld, v->path, "expected %s, got %s", range,
			    sim_quote(q, sizeof(q), v->json->valuestring));
	*out = x;
	return true;
}

/* An integer that must be a or b ("32 or 64"); what names it in type errors. */
bool read_either(struct loader *ld, const struct node *v, unsigned a, unsigned b,
			const char *what, unsigned *out)
{
	uint64_t x = 0;

	if (!v->json)
		return true;
	if (!read_int(ld, v, 0, MAX_U53, what, &x))
		return false;
	if (x != a && x != b)
		return fail(ld, v->path, "expected %s: %u or %u, got %" PRIu64, what, a, b, x);
	*out = (unsigned)x;
	return true;
}

/*
 * An unsigned integer in [0, max]: a JSON integer (at most 2^53) or a string
 * holding a decimal or 0x-hex literal (up to 2^64-1).  what names it in
 * errors; a range error is in hex when the value was written as a string.
 */
bool read_u64(struct loader *ld, const struct node *v, const char *what, uint64_t max,
		     uint64_t *out)
{
	char expected[160], why[256], q[80];
	const char *s = "";
	uint64_t x;

	if (!v->json)
		return true;
	snprintf(expected, sizeof(expected), "%s: an integer or a string such as \"0x1f\"", what);
	if (cJSON_IsNumber(v->json)) {
		if (read_int(ld, v, 0, max < MAX_U53 ? max : MAX_U53, what, out))
			return true;
		if (max > MAX_U53 && strncmp(last_error_msg(ld), "integer too large", 17) == 0)
			amend_last_error(ld, "; write larger values as a string such as "
					 "\"0xffffffffffffffff\"");
		return false;
	}
	if (!read_str(ld, v, expected, &s))
		return false;
	if (!sim_parse_u64(s, &x, why, sizeof(why)))
		return fail(ld, v->path, "%s", why);
	if (x > max)
		return fail(ld, v->path, "expected %s in [0x0, 0x%" PRIx64 "], got %s", what, max,
			    sim_quote(q, sizeof(q), s));
	*out = x;
	return true;
}

/*
 * A signed integer with |x| < 2^63: a JSON integer (|x| at most 2^53, checked
 * on its digits) or a string holding an optionally signed decimal integer.
 */
bool read_s64(struct loader *ld, const struct node *v, const char *what, int64_t *out)
{
	char expected[160], why[256], lit[32] = "", q[80];
	const char *s = "", *magnitude;
	bool neg, big, found;
	uint64_t x = 0;

	if (!v->json)
		return true;
	snprintf(expected, sizeof(expected), "%s: an integer or a string such as \"-4096\"", what);
	if (cJSON_IsNumber(v->json)) {
		if (int_literal(ld, v, what, lit, &neg, &big, &x, &found)) {
			if (big)
				return fail(ld, v->path,
					    "integer too large: %s (at most 2^53 = 9007199254740992 "
					    "either way); write larger values as a string such as "
					    "\"-9223372036854775807\"", lit);
			*out = neg ? -(int64_t)x : (int64_t)x;
			return true;
		}
		if (found)
			return false;
		return fail(ld, v->path, "expected %s", expected);
	}
	if (!read_str(ld, v, expected, &s))
		return false;
	magnitude = s + (s[0] == '-' || s[0] == '+');
	if (!*magnitude || strspn(magnitude, "0123456789") != strlen(magnitude))
		return fail(ld, v->path, "expected %s (decimal digits with an optional sign), got %s",
			    what, sim_quote(q, sizeof(q), s));
	if (!sim_parse_u64(magnitude, &x, why, sizeof(why)) || x > (uint64_t)INT64_MAX)
		return fail(ld, v->path, "integer too large: %s (|x| at most 2^63-1 = "
			    "9223372036854775807)", sim_quote(q, sizeof(q), s));
	*out = s[0] == '-' ? -(int64_t)x : (int64_t)x;
	return true;
}

/* ---- utc_start ---- */

static bool digits(const char *s, unsigned n, unsigned *out)
{
	*out = 0;
	for (unsigned i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*out = *out * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

/* "YYYY-MM-DDTHH:MM:SS[.fraction]Z" to ns since 1970; why gets the reason on failure. */
static bool parse_utc(const char *s, uint64_t *ns, const char **why)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, mo, d, h, mi, sec, frac = 0, nfrac = 0;
	const char *p = s + 19;
	bool leap;

	*why = "";
	if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return false;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && nfrac < 9; p++, nfrac++)
			frac = frac * 10 + (unsigned)(*p - '0');
		if (nfrac == 0 || (*p >= '0' && *p <= '9')) {
			*why = " (1 to 9 digits after the seconds' '.')";
			return false;
		}
		for (unsigned k = nfrac; k < 9; k++)
			frac *= 10;
	}
	if ((*p != 'Z' && *p != 'z') || p[1]) {
		*why = " (only UTC times, ending in Z, are accepted)";
		return false;
	}
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 ||
	    mi > 59 || sec > 59) {
		*why = " (no such date or time)";
		return false;
	}
	if (y < 1970 || y >= 2500) {
		*why = " (from 1970-01-01T00:00:00Z to before 2500-01-01T00:00:00Z)";
		return false;
	}
	*ns = (uint64_t)sim_epoch_seconds(y, mo, d, h, mi, sec) * SIM_NS_PER_S + frac;
	return true;
}

bool read_utc_start(struct loader *ld, const struct node *v, uint64_t *ns)
{
	const char *why;
	char q[80];
	uint64_t s = 0;

	if (!v->json)
		return true;
	if (cJSON_IsNumber(v->json)) {
		if (!read_int(ld, v, 0, UTC_START_LIMIT_S - 1, "seconds since 1970", &s))
			return false;
		*ns = s * SIM_NS_PER_S;
		return true;
	}
	if (!cJSON_IsString(v->json))
		return type_error(ld, v, EXPECT_UTC);
	if (!parse_utc(v->json->valuestring, ns, &why))
		return fail(ld, v->path,
			    "expected a UTC time such as \"2026-01-01T00:00:00Z\", got %s%s",
			    sim_quote(q, sizeof(q), v->json->valuestring), why);
	return true;
}

bool check_before_end(struct loader *ld, const char *path, sim_ps t)
{
	char a[32], b[32];

	if (t < ld->sc->duration_ps)
		return true;
	return fail(ld, path, "expected a time before the end of the run (%s), got %s",
		    fmt_ps(a, sizeof(a), 1, ld->sc->duration_ps), fmt_ps(b, sizeof(b), 1, t));
}
