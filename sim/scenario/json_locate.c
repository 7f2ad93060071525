/*
 * Finds a JSON pointer's value in the source text, for error positions.  A
 * scanner, not a parser: it walks objects and arrays along the pointer and
 * skips everything else by matching quotes and brackets.  The loader, which
 * asks for many positions, indexes the whole document once instead
 * (json_index_build: one pass in step with cJSON's tree), so that a position
 * never costs a rescan of the file.
 */
#include "sim/scenario/json_locate.h"

#include <stdint.h>
#include <stdlib.h>
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
	struct json_line_cache c = { 0, 1, 1 };

	json_line_col_cached(buf, len, &c, off, line, col);
}

void json_line_col_cached(const char *buf, size_t len, struct json_line_cache *c, size_t off,
			  unsigned *line, unsigned *col)
{
	if (off > len)
		off = len;
	if (c->line == 0 || off < c->off)
		*c = (struct json_line_cache){ 0, 1, 1 };
	for (size_t i = c->off; i < off; i++) {
		if (buf[i] == '\n') {
			c->line++;
			c->col = 1;
		} else {
			c->col++;
		}
	}
	c->off = off;
	*line = c->line;
	*col = c->col;
}

/* ---- limits before parsing ---- */

#define SCAN_DEPTH_CAP 256

enum json_scan json_scan_limits(const char *buf, size_t len, unsigned max_depth,
				size_t max_values, size_t *off)
{
	bool in_object[SCAN_DEPTH_CAP + 1] = { false };
	unsigned depth = 0;
	size_t values = 0;
	bool want_value = true;         /* the next token is a value (not a key, not a ',') */

	if (max_depth > SCAN_DEPTH_CAP)
		max_depth = SCAN_DEPTH_CAP;
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (want_value && c != ']' && c != '}' && ++values > max_values) {
			*off = i;
			return JSON_SCAN_TOO_MANY_VALUES;
		}
		want_value = false;
		switch (c) {
		case '"':
			for (i++; i < len && buf[i] != '"'; i++)
				i += buf[i] == '\\';
			break;
		case '[':
		case '{':
			if (++depth > max_depth) {
				*off = i;
				return JSON_SCAN_TOO_DEEP;
			}
			in_object[depth] = c == '{';
			want_value = c == '[';
			break;
		case ']':
		case '}':
			depth -= depth > 0;
			break;
		case ',':
			want_value = !in_object[depth];
			break;
		case ':':
			want_value = true;
			break;
		default:
			break;
		}
	}
	return JSON_SCAN_OK;
}

/* ---- the index ---- */

#define NO_KEY UINT32_MAX

struct json_slot {
	const cJSON *node;
	uint32_t value, key;          /* offsets; key NO_KEY outside an object */
};

static size_t slot_of(const struct json_index *ix, const cJSON *node)
{
	/* the address, mixed (splitmix64's finalizer): only speed depends on it, never a result */
	uint64_t h = (uint64_t)(uintptr_t)node;
	size_t i;

	h = (h ^ h >> 30) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ h >> 27) * 0x94d049bb133111ebULL;
	i = (size_t)(h ^ h >> 31) & ix->mask;

	while (ix->slots[i].node && ix->slots[i].node != node)
		i = (i + 1) & ix->mask;
	return i;
}

static size_t count_nodes(const cJSON *n, unsigned depth)
{
	size_t count = 1;

	if (depth <= CJSON_NESTING_LIMIT)
		for (const cJSON *c = n->child; c; c = c->next)
			count += count_nodes(c, depth + 1);
	return count;
}

/* Skips a number, true, false or null at *i. */
static bool skip_scalar(const struct text *t, size_t *i)
{
	size_t j = *i;

	while (j < t->len && (strchr("+-.eE", t->b[j]) || (t->b[j] >= '0' && t->b[j] <= '9') ||
			      (t->b[j] >= 'a' && t->b[j] <= 'z')))
		j++;
	if (j == *i)
		return false;
	*i = j;
	return true;
}

/*
 * Records node, whose text starts at *i (its key at key), and its children
 * (cJSON keeps members and elements in text order, duplicates included);
 * moves *i past it.  False where text and tree disagree: what is recorded so
 * far stays.
 */
static bool walk(struct json_index *ix, const struct text *t, const cJSON *node, size_t key,
		 size_t *i, unsigned depth)
{
	struct json_slot *s;
	size_t j = *i;
	bool obj = cJSON_IsObject(node);

	if (j >= t->len || depth > CJSON_NESTING_LIMIT)
		return false;
	s = &ix->slots[slot_of(ix, node)];
	*s = (struct json_slot){ node, (uint32_t)j, key == SIZE_MAX ? NO_KEY : (uint32_t)key };
	if (!obj && !cJSON_IsArray(node))
		return t->b[j] == '"' ? skip_string(t, i) : skip_scalar(t, i);
	if (t->b[j] != (obj ? '{' : '['))
		return false;
	j = skip_ws(t, j + 1);
	for (const cJSON *c = node->child; c; c = c->next) {
		size_t k = SIZE_MAX;

		if (obj) {
			k = j;
			if (j >= t->len || t->b[j] != '"' || !skip_string(t, &j))
				return false;
			j = skip_ws(t, j);
			if (j >= t->len || t->b[j] != ':')
				return false;
			j = skip_ws(t, j + 1);
		}
		if (!walk(ix, t, c, k, &j, depth + 1))
			return false;
		j = skip_ws(t, j);
		if (c->next) {
			if (j >= t->len || t->b[j] != ',')
				return false;
			j = skip_ws(t, j + 1);
		}
	}
	if (j >= t->len || t->b[j] != (obj ? '}' : ']'))
		return false;
	*i = j + 1;
	return true;
}

bool json_index_build(struct json_index *ix, const char *buf, size_t len, const cJSON *root)
{
	struct text t = { buf, len };
	size_t cap = 16, i = 0, n;

	ix->slots = NULL;
	ix->mask = 0;
	if (!root || len >= NO_KEY)
		return true;
	n = count_nodes(root, 0);
	while (cap < 2 * n)
		cap *= 2;
	ix->slots = calloc(cap, sizeof(*ix->slots));
	if (!ix->slots)
		return false;
	ix->mask = cap - 1;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;                    /* the byte order mark, as in locate() */
	i = skip_ws(&t, i);
	walk(ix, &t, root, SIZE_MAX, &i, 0);
	return true;
}

void json_index_free(struct json_index *ix)
{
	free(ix->slots);
	ix->slots = NULL;
	ix->mask = 0;
}

static const struct json_slot *find(const struct json_index *ix, const cJSON *node)
{
	const struct json_slot *s;

	if (!ix->slots || !node)
		return NULL;
	s = &ix->slots[slot_of(ix, node)];
	return s->node == node ? s : NULL;
}

bool json_index_value(const struct json_index *ix, const cJSON *node, size_t *off)
{
	const struct json_slot *s = find(ix, node);

	if (!s)
		return false;
	*off = s->value;
	return true;
}

bool json_index_key(const struct json_index *ix, const cJSON *node, size_t *off)
{
	const struct json_slot *s = find(ix, node);

	if (!s || s->key == NO_KEY)
		return false;
	*off = s->key;
	return true;
}

const cJSON *json_pointer_node(const cJSON *root, const char *pointer, unsigned nth)
{
	const cJSON *n = root;
	const char *p = pointer;

	if (*p && *p != '/')
		return NULL;
	while (*p && n) {
		char tok[TOKEN_MAX];
		size_t len, idx;
		const cJSON *c;

		p++;
		if (!next_token(&p, tok, &len))
			return NULL;
		if (cJSON_IsObject(n)) {
			unsigned skip = *p ? 0 : nth;

			for (c = n->child; c; c = c->next)
				if (c->string && strlen(c->string) == len &&
				    memcmp(c->string, tok, len) == 0 && skip-- == 0)
					break;
		} else if (cJSON_IsArray(n) && array_index(tok, len, &idx)) {
			for (c = n->child; c && idx; c = c->next)
				idx--;
		} else {
			return NULL;
		}
		n = c;
	}
	return n;
}
