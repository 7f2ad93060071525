/*
 * Exact parsing of quantities with units.  A quantity is an optional sign,
 * decimal digits, an optional '.' followed by more digits, and a unit written
 * right after the number (no space, no exponent).  The number is kept as an
 * integer mantissa and a count of decimals, so "14.31818MHz" is
 * 1431818 * 10^6 / 10^5 Hz exactly; no floating point is involved.
 */
#include "sim/core/units.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * Mantissas stay below 10^21 and scales below 10^17, so their product fits in
 * 128 bits (< 3.4 * 10^38); so does 10^MAX_DECIMALS times the largest divisor
 * (1000).  A number with more significant digits than that is refused: too
 * large if the integer part alone exceeds the cap, too precise otherwise.
 */
#define MANT_CAP ((sim_u128)1000000000ULL * 1000000000000ULL)
#define MAX_DECIMALS 35

struct unit {
	const char *name;
	uint64_t scale;            /* value of one unit in the base unit (ps, ppb or Hz) */
};

static const struct unit duration_units[] = {
	{ "ps", 1 },
	{ "ns", SIM_PS_PER_NS },
	{ "us", SIM_PS_PER_US },
	{ "\xc2\xb5s", SIM_PS_PER_US },    /* U+00B5 MICRO SIGN */
	{ "\xce\xbcs", SIM_PS_PER_US },    /* U+03BC GREEK SMALL LETTER MU */
	{ "ms", SIM_PS_PER_MS },
	{ "s", SIM_PS_PER_S },
	{ "min", 60 * SIM_PS_PER_S },
	{ "h", 3600 * SIM_PS_PER_S },
	{ "d", 86400 * SIM_PS_PER_S },
	{ NULL, 0 },
};

static const struct unit freq_units[] = {
	{ "Hz", 1 },
	{ "kHz", 1000 },
	{ "MHz", 1000000 },
	{ "GHz", 1000000000 },
	{ NULL, 0 },
};

static const struct unit ppb_units[] = {
	{ "ppm", 1000 },
	{ "ppb", 1 },
	{ NULL, 0 },
};

static const struct unit fraction_units[] = {
	{ "%", 10000000 },
	{ "ppm", 1000 },
	{ "ppb", 1 },
	{ NULL, 0 },
};

/* How a kind of quantity is described in messages. */
struct kind {
	const char *what;          /* "a duration" */
	const char *example;       /* "300ms" */
	const char *unit_list;     /* "ps, ns, ..." */
	const struct unit *units;
};

static const struct kind duration_kind = {
	"a duration", "300ms", "ps, ns, us, ms, s, min, h, d", duration_units,
};

static const struct kind signed_duration_kind = {
	"a duration", "-20us", "ps, ns, us, ms, s, min, h, d", duration_units,
};

static const struct kind freq_kind = {
	"a frequency", "3GHz", "Hz, kHz, MHz, GHz", freq_units,
};

static const struct kind ppb_kind = {
	"a fractional offset", "+20ppm", "ppm, ppb", ppb_units,
};

static const struct kind fraction_kind = {
	"a fraction", "0.5%", "%, ppm, ppb", fraction_units,
};

/* A parsed "[sign]digits[.digits]unit": the value is mant / 10^dec units. */
struct number {
	bool neg;
	bool has_sign;
	bool int_too_big;          /* the integer part alone reaches MANT_CAP */
	bool frac_too_long;        /* the fraction's digits push the mantissa past it */
	sim_u128 mant;
	unsigned dec;
	const struct unit *unit;
};

/*
 * Copies at most max bytes of s into dst for a message: control bytes as
 * \xNN, quotes and backslashes escaped, "..." when s is cut short, and in
 * quotation marks when marks is set.  Copying goes on while more than 8 bytes of
 * dst are free (5 without marks, and then "..." only when it fits).
 */
static const char *escape(char *dst, size_t len, const char *s, size_t max, bool marks)
{
	size_t keep = marks ? 8 : 5;
	size_t n = 0;
	size_t i;

	if (marks)
		dst[n++] = '"';
	for (i = 0; s[i] && i < max && n + keep < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			n += (size_t)snprintf(dst + n, len - n, "\\x%02x", c);
		} else {
			if (c == '"' || c == '\\')
				dst[n++] = '\\';
			dst[n++] = (char)c;
		}
	}
	if (s[i] && n + 4 <= len) {
		memcpy(dst + n, "...", 3);
		n += 3;
	}
	if (marks)
		dst[n++] = '"';
	dst[n] = '\0';
	return dst;
}

/* s for a message without quotes: at most 40 bytes. */
static const char *show(char *dst, size_t len, const char *s)
{
	return escape(dst, len, s, 40, false);
}

const char *sim_quote(char *dst, size_t len, const char *s)
{
	return escape(dst, len, s, 48, true);
}

static bool fail(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (why && why_len) {
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return false;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static sim_u128 pow10_u128(unsigned n)
{
	sim_u128 p = 1;

	while (n--)
		p *= 10;
	return p;
}

/* Appends a digit to the mantissa; false (mantissa unchanged) when it would reach MANT_CAP. */
static bool add_digit(struct number *num, char c)
{
	if (num->mant >= MANT_CAP / 10)
		return false;
	num->mant = num->mant * 10 + (unsigned)(c - '0');
	return true;
}

/*
 * Parses s as a quantity of kind k.  On a syntax error, writes a message
 * naming what was expected and returns false.
 */
static bool parse_number(const char *s, const struct kind *k, struct number *num,
			 char *why, size_t why_len)
{
	char got[64];
	const char *p = s;
	const char *detail = "";
	char detail_buf[96];

	memset(num, 0, sizeof(*num));
	if (*p == '+' || *p == '-') {
		num->has_sign = true;
		num->neg = *p == '-';
		p++;
	}
	if (!is_digit(*p)) {
		if (!*s)
			detail = " (empty)";
		else if (*p == '.')
			detail = " (write a digit before the '.')";
		else
			detail = " (no number)";
		goto bad;
	}
	while (*p == '0' && is_digit(p[1]))
		p++;
	for (; is_digit(*p); p++)
		if (!add_digit(num, *p))
			num->int_too_big = true;
	if (*p == '.') {
		const char *last = NULL;
		const char *q;

		p++;
		if (!is_digit(*p)) {
			detail = " (write a digit after the '.')";
			goto bad;
		}
		/* Trailing zeros carry no precision: stop at the last nonzero digit. */
		for (q = p; is_digit(*q); q++)
			if (*q != '0')
				last = q;
		for (; last && p <= last && !num->int_too_big; p++) {
			if (num->dec == MAX_DECIMALS || !add_digit(num, *p)) {
				num->frac_too_long = true;
				break;
			}
			num->dec++;
		}
		while (is_digit(*p))
			p++;
	}
	if (!*p) {
		detail = " (missing unit)";
		goto bad;
	}
	for (const struct unit *u = k->units; u->name; u++) {
		if (strcmp(p, u->name) == 0) {
			num->unit = u;
			return true;
		}
	}
	if (*p == ' ' || *p == '\t') {
		detail = " (no space is allowed before the unit)";
	} else if (*p == 'e' || *p == 'E') {
		detail = " (exponents are not supported)";
	} else {
		snprintf(detail_buf, sizeof(detail_buf), " (unknown unit \"%s\")",
			 show(got, sizeof(got), p));
		detail = detail_buf;
	}
bad:
	return fail(why, why_len, "expected %s such as \"%s\" (units: %s), got \"%s\"%s",
		    k->what, k->example, k->unit_list, show(got, sizeof(got), s), detail);
}

/*
 * Converts num to an integer count of base units / div.  Returns 0 on
 * success, 1 if the value is not a whole count, 2 if it exceeds max.
 */
static int to_integer(const struct number *num, uint64_t div, uint64_t max, uint64_t *out)
{
	sim_u128 value, divisor;

	if (num->int_too_big)
		return 2;
	if (num->frac_too_long)
		return 1;
	value = num->mant * num->unit->scale;
	divisor = pow10_u128(num->dec) * div;
	if (value % divisor)
		return 1;
	value /= divisor;
	if (value > max)
		return 2;
	*out = (uint64_t)value;
	return 0;
}

static bool parse_duration(const char *s, uint64_t div, uint64_t max, const char *base,
			   const char *limit, bool allow_sign, uint64_t *out, bool *neg,
			   char *why, size_t why_len)
{
	const struct kind *k = allow_sign ? &signed_duration_kind : &duration_kind;
	struct number num;
	char got[64];

	if (!parse_number(s, k, &num, why, why_len))
		return false;
	if (num.has_sign && !allow_sign)
		return fail(why, why_len,
			    "expected a duration without a sign such as \"300ms\", got \"%s\"",
			    show(got, sizeof(got), s));
	switch (to_integer(&num, div, max, out)) {
	case 1:
		return fail(why, why_len, "duration \"%s\" is not a whole number of %s",
			    show(got, sizeof(got), s), base);
	case 2:
		return fail(why, why_len, "duration too long: \"%s\" (at most %s)",
			    show(got, sizeof(got), s), limit);
	default:
		break;
	}
	*neg = num.neg && *out != 0;
	return true;
}

bool sim_parse_duration_ps(const char *s, sim_ps *out, char *why, size_t why_len)
{
	uint64_t v = 0;
	bool neg = false;

	if (!parse_duration(s, 1, UINT64_MAX, "ps", "213 days", false, &v, &neg, why, why_len))
		return false;
	*out = v;
	return true;
}

bool sim_parse_signed_duration_ps(const char *s, int64_t *out, char *why, size_t why_len)
{
	uint64_t v = 0;
	bool neg = false;

	if (!parse_duration(s, 1, INT64_MAX, "ps", "106 days either way", true, &v, &neg,
			    why, why_len))
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

bool sim_parse_duration_ns(const char *s, uint64_t *out, char *why, size_t why_len)
{
	uint64_t v = 0;
	bool neg = false;

	if (!parse_duration(s, SIM_PS_PER_NS, UINT64_MAX, "ns", "584 years", false, &v, &neg,
			    why, why_len))
		return false;
	*out = v;
	return true;
}

static uint64_t gcd_u128(sim_u128 a, sim_u128 b)
{
	while (b) {
		sim_u128 r = a % b;

		a = b;
		b = r;
	}
	return (uint64_t)a;
}

bool sim_parse_freq(const char *s, struct sim_freq *out, char *why, size_t why_len)
{
	struct number num;
	char got[64];
	sim_u128 n, d, g;

	if (!parse_number(s, &freq_kind, &num, why, why_len))
		return false;
	if (num.neg || num.has_sign)
		return fail(why, why_len,
			    "expected a frequency without a sign such as \"3GHz\", got \"%s\"",
			    show(got, sizeof(got), s));
	if (num.int_too_big || num.frac_too_long)
		return fail(why, why_len, "frequency \"%s\" has too many digits",
			    show(got, sizeof(got), s));
	n = num.mant * num.unit->scale;
	d = pow10_u128(num.dec);
	if (n == 0)
		return fail(why, why_len, "expected a frequency above 0, got \"%s\"",
			    show(got, sizeof(got), s));
	g = gcd_u128(n, d);
	n /= g;
	d /= g;
	if (d > UINT64_MAX)
		return fail(why, why_len, "frequency \"%s\" has too many decimals",
			    show(got, sizeof(got), s));
	if (n >= (sim_u128)1 << 63 || !sim_freq_make((uint64_t)n, (uint64_t)d, out))
		return fail(why, why_len, "frequency too high: \"%s\"", show(got, sizeof(got), s));
	return true;
}

static bool parse_ppb(const char *s, const struct kind *k, int64_t *out, char *why,
		      size_t why_len)
{
	struct number num;
	char got[64];
	uint64_t v;

	if (!parse_number(s, k, &num, why, why_len))
		return false;
	switch (to_integer(&num, 1, INT64_MAX, &v)) {
	case 1:
		return fail(why, why_len,
			    "\"%s\" is not a whole number of ppb (parts per 10^9)",
			    show(got, sizeof(got), s));
	case 2:
		return fail(why, why_len, "fractional offset too large: \"%s\"",
			    show(got, sizeof(got), s));
	default:
		break;
	}
	*out = num.neg ? -(int64_t)v : (int64_t)v;
	return true;
}

bool sim_parse_ppb(const char *s, int64_t *out, char *why, size_t why_len)
{
	return parse_ppb(s, &ppb_kind, out, why, why_len);
}

bool sim_parse_fraction_ppb(const char *s, int64_t *out, char *why, size_t why_len)
{
	return parse_ppb(s, &fraction_kind, out, why, why_len);
}

int sim_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool sim_parse_u64(const char *s, uint64_t *out, char *why, size_t why_len)
{
	char got[64];
	const char *p = s;
	unsigned base = 10;
	uint64_t v = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		goto bad;
	for (; *p; p++) {
		int d = sim_hex_digit(*p);

		if (d < 0 || (unsigned)d >= base)
			goto bad;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return fail(why, why_len,
				    "integer too large: \"%s\" (at most 18446744073709551615)",
				    show(got, sizeof(got), s));
		v = v * base + (unsigned)d;
	}
	*out = v;
	return true;
bad:
	return fail(why, why_len,
		    "expected an unsigned integer (decimal, or hex with 0x), got \"%s\"",
		    show(got, sizeof(got), s));
}
