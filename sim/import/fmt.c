/* Matching a line against a printk-style format (import_internal.h). */
#include <stdio.h>
#include <string.h>

#include "sim/import/import_internal.h"
#include "sim/core/units.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Digits at text[*i]: base 10 or 16, at most max; false when none or too large. */
static bool scan_unsigned(const char *text, size_t len, size_t *i, unsigned base, uint64_t max,
			  uint64_t *out)
{
	uint64_t v = 0;
	size_t start = *i;

	while (*i < len) {
		int d = base == 16 ? sim_hex_digit(text[*i]) : (text[*i] >= '0' && text[*i] <= '9'
							     ? text[*i] - '0' : -1);

		if (d < 0)
			break;
		if (v > (max - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
		(*i)++;
	}
	*out = v;
	return *i > start;
}

static bool scan_signed(const char *text, size_t len, size_t *i, int64_t min, int64_t max,
			int64_t *out)
{
	bool neg = *i < len && text[*i] == '-';
	uint64_t mag;

	if (neg)
		(*i)++;
	if (!scan_unsigned(text, len, i, 10, neg ? (uint64_t)(-(min + 1)) + 1 : (uint64_t)max,
			   &mag))
		return false;
	*out = neg ? (mag == (uint64_t)(-(min + 1)) + 1 ? min : -(int64_t)mag) : (int64_t)mag;
	return true;
}

/* "expected 'LITERAL'": the literal run of fmt at f, up to the next conversion. */
static void expected_literal(const char *f, char *why, size_t why_len)
{
	size_t n = strcspn(f, "%");

	while (n > 0 && is_blank(f[n - 1]))
		n--;
	if (n > 40)
		n = 40;
	snprintf(why, why_len, "expected '%.*s'", (int)n, f);
}

static const char *conversion_noun(char c)
{
	switch (c) {
	case 'u': return "an unsigned decimal number (32 bits)";
	case 'U': return "an unsigned decimal number (64 bits)";
	case 'd': return "a decimal number (32 bits)";
	case 'D': return "a decimal number (64 bits)";
	case 'x': return "hex digits (32 bits)";
	case 'X': return "hex digits (64 bits)";
	case 's': return "a word";
	default: return "a 'quoted' name";
	}
}

bool fmt_match(const char *fmt, const char *text, size_t len, struct fmt_value *v,
	       size_t *col, char *why, size_t why_len)
{
	const char *f = fmt;
	size_t i = 0, nv = 0;

	while (*f) {
		if (*f == ' ') {
			if (i >= len || !is_blank(text[i]))
				goto literal;
			while (i < len && is_blank(text[i]))
				i++;
			f++;
		} else if (*f != '%') {
			if (i >= len || text[i] != *f)
				goto literal;
			i++;
			f++;
		} else {
			struct fmt_value *o = &v[nv];
			char c = f[1];
			size_t start = i;
			bool ok;

			memset(o, 0, sizeof(*o));
			switch (c) {
			case 'u': ok = scan_unsigned(text, len, &i, 10, UINT32_MAX, &o->u); break;
			case 'U': ok = scan_unsigned(text, len, &i, 10, UINT64_MAX, &o->u); break;
			case 'x': ok = scan_unsigned(text, len, &i, 16, UINT32_MAX, &o->u); break;
			case 'X': ok = scan_unsigned(text, len, &i, 16, UINT64_MAX, &o->u); break;
			case 'd': ok = scan_signed(text, len, &i, INT32_MIN, INT32_MAX, &o->i); break;
			case 'D': ok = scan_signed(text, len, &i, INT64_MIN, INT64_MAX, &o->i); break;
			case 's':
				while (i < len && !is_blank(text[i]))
					i++;
				ok = i > start;
				o->s = text + start;
				o->n = i - start;
				break;
			default: /* 'q' */
				ok = false;
				if (i < len && text[i] == '\'') {
					const char *end = memchr(text + i + 1, '\'', len - i - 1);

					if (end && end > text + i + 1) {
						o->s = text + i + 1;
						o->n = (size_t)(end - o->s);
						i = (size_t)(end - text) + 1;
						ok = true;
					}
				}
				break;
			}
			if (!ok) {
				bool digits = c != 's' && c != 'q' && start < len &&
					      sim_hex_digit(text[start]) >= 0;

				*col = start;
				snprintf(why, why_len, "expected %s%s", conversion_noun(c),
					 digits ? ", got one out of range or not a number" : "");
				return false;
			}
			nv++;
			f += 2;
		}
	}
	while (i < len && is_blank(text[i]))
		i++;
	if (i < len) {
		*col = i;
		snprintf(why, why_len, "%s", "unexpected text after the last field");
		return false;
	}
	return true;
literal:
	*col = i;
	expected_literal(f, why, why_len);
	return false;
}

bool parse_seconds_ns(const char *text, size_t len, uint64_t *ns)
{
	size_t i = 0, digits = 0;
	uint64_t s, frac = 0;

	if (!scan_unsigned(text, len, &i, 10, UINT64_MAX / 1000000000u - 1, &s))
		return false;
	if (i >= len || text[i] != '.')
		return false;
	for (i++; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
		if (++digits > 9)
			return false;
		frac = frac * 10 + (uint64_t)(text[i] - '0');
	}
	if (digits == 0 || i != len)
		return false;
	for (; digits < 9; digits++)
		frac *= 10;
	*ns = s * 1000000000u + frac;
	return true;
}
