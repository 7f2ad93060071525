/*
 * Finds a JSON pointer's value in the source text, for error positions.  A
 * scanner, not a parser: it walks objects and arrays along the pointer and
 * skips everything else by matching quotes and brackets.
 */
#include "sim/scenario/json_locate.h"

#include <stdint.h>
#include <string.h>

#define TOKEN_MAX 256

struct text {
	const char *b;
	size_t len;
};

static size_t skip_ws(const struct text *t, size_t i)
{
	while (i < t->len && (t->b[i] == ' ' || t->b[i] == '\t' || t->b[i] == '\n' ||
			      t->b[i] == '\r'))
		i++;
	return i;
}

/* *i is at an opening quote; moves past the closing one. */
static bool skip_string(const struct text *t, size_t *i)
{
	size_t j = *i + 1;

	while (j < t->len) {
		if (t->b[j] == '\\') {
			j += 2;
		} else if (t->b[j] == '"') {
			*i = j + 1;
			return true;
		} else {
			j++;
		}
	}
	return false;
}

/* *i is at the first character of a value; moves just past it. */
static bool skip_value(const struct text *t, size_t *i)
{
	size_t j = *i;
	unsigned depth = 0;

	if (j >= t->len)
		return false;
	if (t->b[j] != '{' && t->b[j] != '[' && t->b[j] != '"') {
		while (j < t->len && !strchr(",]} \t\r\n", t->b[j]))
			j++;
		if (j == *i)
			return false;
		*i = j;
		return true;
	}
	do {
		char c = t->b[j];

		if (c == '"') {
			if (!skip_string(t, &j))
				return false;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		j++;
	} while (depth > 0 && j < t->len);
	*i = j;
	return depth == 0;
}

static int hex4(const struct text *t, size_t i)
{
	int v = 0;

	if (i + 4 > t->len)
		return -1;
	for (size_t k = i; k < i + 4; k++) {
		char c = t->b[k];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* The character a one-letter escape stands for, or -1. */
static int unescape(char c)
{
	switch (c) {
	case '"': return '"';
	case '\\': return '\\';
	case '/': return '/';
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	default: return -1;
	}
}

/* Encodes cp as UTF-8 into out (4 bytes); returns the length. */
static size_t utf8(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Whether the JSON string at b[i] (an opening quote) decodes to tok[0..n). */
static bool key_equals(const struct text *t, size_t i, const char *tok, size_t n)
{
	size_t k = 0;

	for (i++; i < t->len && t->b[i] != '"'; i++) {
		char enc[4];
		size_t m = 1;

		enc[0] = t->b[i];
		if (t->b[i] == '\\' && ++i < t->len) {
			int cp, lo;

			if (t->b[i] != 'u') {
				if ((cp = unescape(t->b[i])) < 0)
					return false;
				enc[0] = (char)cp;
			} else if ((cp = hex4(t, i + 1)) < 0) {
				return false;
			} else {
				i += 4;
				if (cp >= 0xd800 && cp < 0xdc00 && i + 2 < t->len &&
				    t->b[i + 1] == '\\' && t->b[i + 2] == 'u' &&
				    (lo = hex4(t, i + 3)) >= 0xdc00 && lo < 0xe000) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					i += 6;
				}
				m = utf8((uint32_t)cp, enc);
			}
		}
		if (k + m > n || memcmp(tok + k, enc, m) != 0)
			return false;
		k += m;
	}
	return i < t->len && k == n;
}

/* Decodes the token starting after a '/' (RFC 6901 ~0, ~1); advances *p to the next '/' or end. */
static bool next_token(const char **p, char *tok, size_t *n)
{
	const char *s = *p;

	*n = 0;
	while (*s && *s != '/') {
		char c = *s++;

		if (c == '~') {
			if (*s != '0' && *s != '1')
				return false;
			c = *s++ == '0' ? '~' : '/';
		}
		if (*n == TOKEN_MAX)
			return false;
		tok[(*n)++] = c;
	}
	*p = s;
	return true;
}

/* An RFC 6901 array index: "0" or digits without a leading zero. */
static bool array_index(const char *tok, size_t n, size_t *idx)
{
	if (n == 0 || n > 9 || (tok[0] == '0' && n > 1))
		return false;
	*idx = 0;
	for (size_t k = 0; k < n; k++) {
		if (tok[k] < '0' || tok[k] > '9')
			return false;
		*idx = *idx * 10 + (size_t)(tok[k] - '0');
	}
	return true;
}

/* Shared walk: the value (want_key false) or the nth occurrence of the last key. */
static bool locate(const char *buf, size_t len, const char *pointer, bool want_key,
		   unsigned nth, size_t *off)
{
	struct text t = { buf, len };
	const char *p = pointer;
	size_t i = 0;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;                    /* UTF-8 byte order mark, which cJSON skips too */
	i = skip_ws(&t, i);
	if (*p && *p != '/')
		return false;
	while (*p) {
		char tok[TOKEN_MAX];
		size_t n, idx;
		bool last;

		p++;
		if (!next_token(&p, tok, &n))
			return false;
		last = *p == '\0';
		if (i >= len)
			return false;
		if (buf[i] == '{') {
			unsigned seen = 0;

			for (i = skip_ws(&t, i + 1);; i = skip_ws(&t, i + 1)) {
				size_t key = i;
				bool match;

				if (i >= len || buf[i] != '"')
					return false;
				match = key_equals(&t, i, tok, n);
				if (!skip_string(&t, &i))
					return false;
				i = skip_ws(&t, i);
				if (i >= len || buf[i] != ':')
					return false;
				i = skip_ws(&t, i + 1);
				if (match && last && want_key && seen++ == nth) {
					*off = key;
					return true;
				}
				if (match && !(last && want_key))
					break;
				if (!skip_value(&t, &i))
					return false;
				i = skip_ws(&t, i);
				if (i >= len || buf[i] != ',')
					return false;
			}
		} else if (buf[i] == '[' && !(last && want_key) && array_index(tok, n, &idx)) {
			i = skip_ws(&t, i + 1);
			if (i < len && buf[i] == ']')
				return false;
			for (; idx > 0; idx--) {
				if (!skip_value(&t, &i))
					return false;
				i = skip_ws(&t, i);
				if (i >= len || buf[i] != ',')
					return false;
				i = skip_ws(&t, i + 1);
			}
		} else {
			return false;
		}
	}
	if (want_key || i >= len)
		return false;
	*off = i;
	return true;
}

bool json_locate(const char *buf, size_t len, const char *pointer, size_t *off)
{
	return locate(buf, len, pointer, false, 0, off);
}

bool json_locate_key(const char *buf, size_t len, const char *pointer, unsigned nth,
		     size_t *off)
{
	return locate(buf, len, pointer, true, nth, off);
}

void json_line_col(const char *buf, size_t len, size_t off, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}
