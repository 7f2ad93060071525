/* A JSON reader without allocation: see jline.h.  Grammar: RFC 8259. */
#include "sim/scenario/jline.h"
#include "sim/core/units.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool fail(struct jl_error *e, const char *base, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool fail(struct jl_error *e, const char *base, const char *at, const char *fmt, ...)
{
	va_list ap;

	e->off = (size_t)(at - base);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return false;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool scan_value(const char *base, const char **pp, const char *end, unsigned depth,
		       struct jl_value *v, struct jl_error *e);

/* A string starting at *pp (on its quote); v gets the bytes between the quotes. */
static bool scan_string(const char *base, const char **pp, const char *end, struct jl_value *v,
			struct jl_error *e)
{
	const char *p = *pp + 1;

	v->type = JL_STRING;
	v->p = p;
	v->escaped = false;
	for (;;) {
		unsigned char c;

		if (p >= end)
			return fail(e, base, *pp, "a string that does not end (expected '\"')");
		c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(e, base, p, "a control character (0x%02x) inside a string", c);
		if (c == '\\') {
			v->escaped = true;
			if (p + 1 >= end)
				return fail(e, base, p, "an escape that does not end");
			if (p[1] == 'u') {
				for (int i = 2; i < 6; i++)
					if (p + i >= end || sim_hex_digit(p[i]) < 0)
						return fail(e, base, p, "expected 4 hex digits after \\u");
				p += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", p[1]) || p[1] == '\0')
				return fail(e, base, p, "an unknown escape \\%c", p[1]);
			p += 2;
			continue;
		}
		p++;
	}
	v->n = (size_t)(p - v->p);
	*pp = p + 1;
	return true;
}

static bool scan_number(const char *base, const char **pp, const char *end, struct jl_value *v,
			struct jl_error *e)
{
	const char *p = *pp;

	v->type = JL_NUMBER;
	v->p = p;
	v->escaped = false;
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0') {
		p++;
	} else if (p < end && is_digit(*p)) {
		while (p < end && is_digit(*p))
			p++;
	} else {
		return fail(e, base, p, "expected a digit");
	}
	if (p < end && *p == '.') {
		if (++p >= end || !is_digit(*p))
			return fail(e, base, p, "expected a digit after '.'");
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit(*p))
			return fail(e, base, p, "expected a digit in the exponent");
		while (p < end && is_digit(*p))
			p++;
	}
	v->n = (size_t)(p - v->p);
	*pp = p;
	return true;
}

/* An object or array at *pp, checked to its closing bracket. */
static bool scan_container(const char *base, const char **pp, const char *end, unsigned depth,
			   struct jl_value *v, struct jl_error *e)
{
	const bool array = **pp == '[';
	const char close = array ? ']' : '}';
	const char *p = *pp + 1;
	struct jl_value k, x;
	bool first = true;

	if (depth >= JL_MAX_DEPTH)
		return fail(e, base, *pp, "values nested deeper than %d levels", JL_MAX_DEPTH);
	v->type = array ? JL_ARRAY : JL_OBJECT;
	v->p = *pp;
	v->escaped = false;
	for (;;) {
		p = skip_ws(p, end);
		if (p < end && *p == close && first)
			break;
		if (!first) {
			if (p < end && *p == close)
				break;
			if (p >= end || *p != ',')
				return fail(e, base, p, "expected ',' or '%c'", close);
			p = skip_ws(p + 1, end);
		}
		first = false;
		if (!array) {
			if (p >= end || *p != '"')
				return fail(e, base, p, "expected a key in quotes");
			if (!scan_string(base, &p, end, &k, e))
				return false;
			p = skip_ws(p, end);
			if (p >= end || *p != ':')
				return fail(e, base, p, "expected ':' after a key");
			p = skip_ws(p + 1, end);
		}
		if (!scan_value(base, &p, end, depth + 1, &x, e))
			return false;
	}
	v->n = (size_t)(p + 1 - v->p);
	*pp = p + 1;
	return true;
}

static bool literal(const char *base, const char **pp, const char *end, const char *lit,
		    enum jl_type t, struct jl_value *v, struct jl_error *e)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *pp) < n || memcmp(*pp, lit, n) != 0)
		return fail(e, base, *pp, "expected a value (a string, number, object, array, true, "
			    "false or null)");
	v->type = t;
	v->p = *pp;
	v->n = n;
	v->escaped = false;
	*pp += n;
	return true;
}

static bool scan_value(const char *base, const char **pp, const char *end, unsigned depth,
		       struct jl_value *v, struct jl_error *e)
{
	const char *p = *pp;

	if (p >= end)
		return fail(e, base, p, "expected a value, found the end");
	switch (*p) {
	case '"':
		return scan_string(base, pp, end, v, e);
	case '{':
	case '[':
		return scan_container(base, pp, end, depth, v, e);
	case 't':
		return literal(base, pp, end, "true", JL_TRUE, v, e);
	case 'f':
		return literal(base, pp, end, "false", JL_FALSE, v, e);
	case 'n':
		return literal(base, pp, end, "null", JL_NULL, v, e);
	default:
		if (*p == '-' || is_digit(*p))
			return scan_number(base, pp, end, v, e);
		return literal(base, pp, end, "?", JL_NULL, v, e);
	}
}

bool jl_begin(struct jl_iter *it, const char *p, size_t n, bool array, struct jl_error *e)
{
	const char *end = p + n, *q = skip_ws(p, end);

	it->base = p;
	it->end = end;
	it->array = array;
	it->top = true;
	it->first = true;
	it->p = q;
	if (q >= end || *q != (array ? '[' : '{'))
		return fail(e, p, q, "expected %s", array ? "an array '['" : "an object '{'");
	it->p = q + 1;
	return true;
}

bool jl_enter(struct jl_iter *it, const struct jl_iter *parent, const struct jl_value *v,
	      struct jl_error *e)
{
	if (v->type != JL_OBJECT && v->type != JL_ARRAY)
		return fail(e, parent->base, v->p, "expected an object or an array");
	it->base = parent->base;
	it->array = v->type == JL_ARRAY;
	it->top = false;
	it->first = true;
	it->p = v->p + 1;
	it->end = v->p + v->n - 1;   /* the closing bracket: the end of this walk */
	return true;
}

int jl_next(struct jl_iter *it, struct jl_value *key, struct jl_value *val, struct jl_error *e)
{
	const char close = it->array ? ']' : '}';
	const char *p = skip_ws(it->p, it->end);
	/* an entered value's walk ends on its bracket; a begun one's bracket is in the text */
	bool at_close = it->top ? p < it->end && *p == close : p >= it->end;

	if (at_close) {
		if (it->top && skip_ws(p + 1, it->end) != it->end) {
			fail(e, it->base, skip_ws(p + 1, it->end), "text after the end of the %s",
			     it->array ? "array" : "object");
			return -1;
		}
		it->p = p;
		return 0;
	}
	if (!it->first) {
		if (p >= it->end || *p != ',') {
			fail(e, it->base, p, "expected ',' or '%c'", close);
			return -1;
		}
		p = skip_ws(p + 1, it->end);
	}
	it->first = false;
	if (!it->array) {
		if (p >= it->end || *p != '"') {
			fail(e, it->base, p, "expected a key in quotes");
			return -1;
		}
		if (!scan_string(it->base, &p, it->end, key, e))
			return -1;
		p = skip_ws(p, it->end);
		if (p >= it->end || *p != ':') {
			fail(e, it->base, p, "expected ':' after a key");
			return -1;
		}
		p = skip_ws(p + 1, it->end);
	}
	if (!scan_value(it->base, &p, it->end, 1, val, e))
		return -1;
	it->p = p;
	return 1;
}

size_t jl_offset(const struct jl_iter *it, const struct jl_value *v)
{
	return (size_t)((v->type == JL_STRING ? v->p - 1 : v->p) - it->base);
}

/* One \u escape's code point at p (on the backslash); *len its bytes (12 for a pair). */
static uint32_t escape_u(const char *p, const char *end, size_t *len)
{
	uint32_t c = 0, lo = 0;

	for (int i = 2; i < 6; i++)
		c = c * 16 + (uint32_t)sim_hex_digit(p[i]);
	*len = 6;
	if (c >= 0xd800 && c < 0xdc00 && end - p >= 12 && p[6] == '\\' && p[7] == 'u') {
		for (int i = 8; i < 12; i++) {
			int d = sim_hex_digit(p[i]);

			if (d < 0)
				return 0xfffd;
			lo = lo * 16 + (uint32_t)d;
		}
		if (lo >= 0xdc00 && lo < 0xe000) {
			*len = 12;
			return 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
		}
	}
	return c >= 0xd800 && c < 0xe000 ? 0xfffd : c;
}

static size_t put_utf8(char *d, uint32_t c)
{
	if (c < 0x80) {
		d[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		d[0] = (char)(0xc0 | (c >> 6));
		d[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		d[0] = (char)(0xe0 | (c >> 12));
		d[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		d[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | (c >> 18));
	d[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	d[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	d[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

bool jl_string(const struct jl_value *s, char *dst, size_t cap)
{
	const char *p = s->p, *end = s->p + s->n;
	size_t o = 0;

	while (p < end) {
		char buf[4];
		size_t len = 1, w = 1;

		buf[0] = *p;
		if (*p == '\\') {
			const char *map = "\"\"\\\\//b\bf\fn\nr\rt\t";
			const char *m = strchr(map, p[1]);

			len = 2;
			if (p[1] == 'u') {
				uint32_t c = escape_u(p, end, &len);

				if (c == 0)
					return false;
				w = put_utf8(buf, c);
			} else if (m && (m - map) % 2 == 0) {
				buf[0] = m[1];
			}
		}
		if (o + w >= cap)
			return false;
		memcpy(dst + o, buf, w);
		o += w;
		p += len;
	}
	dst[o] = '\0';
	return true;
}

bool jl_is(const struct jl_value *s, const char *lit)
{
	char buf[64];

	if (s->type != JL_STRING)
		return false;
	if (!s->escaped)
		return strlen(lit) == s->n && memcmp(s->p, lit, s->n) == 0;
	return jl_string(s, buf, sizeof(buf)) && strcmp(buf, lit) == 0;
}

static const char int_forms[] = "expected an integer (a JSON number without fraction or "
	"exponent, a decimal string or a \"0x\" hex string)";

/* The digits of v as magnitude and sign, for both jl_u64 and jl_i64. */
static bool int_parts(const struct jl_value *v, uint64_t *mag, bool *neg, char *why, size_t len)
{
	const char *p = v->p, *end = v->p + v->n;
	uint64_t m = 0;

	*neg = false;
	if ((v->type != JL_NUMBER && v->type != JL_STRING) || v->escaped || v->n == 0) {
		snprintf(why, len, "%s", int_forms);
		return false;
	}
	if (v->type == JL_STRING && v->n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		if (v->n > 18) {
			snprintf(why, len, "a hex integer above 2^64 - 1");
			return false;
		}
		for (p += 2; p < end; p++) {
			int d = sim_hex_digit(*p);

			if (d < 0) {
				snprintf(why, len, "%s", int_forms);
				return false;
			}
			m = m * 16 + (uint64_t)d;
		}
		*mag = m;
		return true;
	}
	if (*p == '-') {
		*neg = true;
		p++;
	}
	if (p >= end) {
		snprintf(why, len, "%s", int_forms);
		return false;
	}
	for (; p < end; p++) {
		if (!is_digit(*p)) {
			snprintf(why, len, "%s", int_forms);
			return false;
		}
		if (m > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) {
			snprintf(why, len, "an integer beyond 64 bits");
			return false;
		}
		m = m * 10 + (uint64_t)(*p - '0');
	}
	*mag = m;
	return true;
}

bool jl_u64(const struct jl_value *v, uint64_t *out, char *why, size_t why_len)
{
	bool neg;

	if (!int_parts(v, out, &neg, why, why_len))
		return false;
	if (neg && *out != 0) {
		snprintf(why, why_len, "expected an integer >= 0");
		return false;
	}
	return true;
}

bool jl_i64(const struct jl_value *v, int64_t *out, char *why, size_t why_len)
{
	uint64_t mag;
	bool neg;

	if (!int_parts(v, &mag, &neg, why, why_len))
		return false;
	if (mag > (uint64_t)INT64_MAX + neg) {
		snprintf(why, why_len, "a signed integer beyond 64 bits");
		return false;
	}
	*out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return true;
}

void jl_line_col(const char *buf, size_t off, unsigned *line, unsigned *col)
{
	unsigned l = 1, c = 1;

	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}
