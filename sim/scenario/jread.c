/*
 * The typed JSON reader: nodes that know their JSON pointer, messages that
 * name the file, line:column, pointer and what was expected, and readers of
 * plain values (objects, arrays, integers, strings, booleans, enums, names).
 */
#include "sim/scenario/loader_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/core/units.h"
#include "sim/scenario/json_locate.h"

/* ---- messages ---- */

/* "a, b, c" (or "\"a\", \"b\"" when quoted) from a NULL-terminated list. */
const char *name_list(char *dst, size_t len, const char *const names[], bool quoted)
{
	size_t n = 0;

	dst[0] = '\0';
	for (size_t i = 0; names[i] && n < len; i++) {
		int w = snprintf(dst + n, len - n, quoted ? "%s\"%s\"" : "%s%s", i ? ", " : "",
				 names[i]);

		n += w > 0 ? (size_t)w : 0;
	}
	return dst;
}

/* Exact, readable duration: the largest unit among s, ms, us, ns, ps, with a decimal fraction. */
const char *fmt_ps(char *dst, size_t len, int64_t sign, sim_ps v)
{
	static const struct {
		const char *name;
		sim_ps scale;
		unsigned digits;
	} units[] = {
		{ "s", SIM_PS_PER_S, 12 }, { "ms", SIM_PS_PER_MS, 9 }, { "us", SIM_PS_PER_US, 6 },
		{ "ns", SIM_PS_PER_NS, 3 }, { "ps", 1, 0 },
	};
	size_t u = 0;
	char frac[16] = "";

	while (v && u + 1 < sizeof(units) / sizeof(units[0]) && v < units[u].scale)
		u++;
	if (v % units[u].scale) {
		size_t k;

		snprintf(frac, sizeof(frac), ".%0*" PRIu64, (int)units[u].digits, v % units[u].scale);
		for (k = strlen(frac); k > 1 && frac[k - 1] == '0'; k--)
			frac[k - 1] = '\0';
	}
	snprintf(dst, len, "%s%" PRIu64 "%s%s", sign < 0 && v ? "-" : "", v / units[u].scale,
		 frac, units[u].name);
	return dst;
}

void append_name(char *dst, size_t cap, size_t *n, const char *name)
{
	int w;

	if (*n >= cap)
		return;
	w = snprintf(dst + *n, cap - *n, "%s%s", *n ? ", " : "", name);
	if (w > 0)
		*n = *n + (size_t)w < cap ? *n + (size_t)w : cap;
}

const char *fmt_sps(char *dst, size_t len, int64_t v)
{
	return fmt_ps(dst, len, v, v < 0 ? (sim_ps)0 - (sim_ps)v : (sim_ps)v);
}

const char *fmt_ppb(char *dst, size_t len, int64_t v)
{
	if (v % 1000 == 0)
		snprintf(dst, len, "%" PRId64 "ppm", v / 1000);
	else
		snprintf(dst, len, "%" PRId64 "ppb", v);
	return dst;
}

/* Offset of the value at path (of its nth key when key), from the document's index. */
static bool locate(const struct loader *ld, const char *path, bool key, unsigned nth, size_t *off)
{
	const cJSON *n = ld->root ? json_pointer_node(ld->root, path, nth) : NULL;

	return n && (key ? json_index_key(&ld->ix, n, off) : json_index_value(&ld->ix, n, off));
}

/* Records an error about path, at buf[off] when found. */
static void report_at(struct loader *ld, const char *path, bool found, size_t off, const char *msg)
{
	unsigned line, col;
	struct sim_diag e;

	sim_diag_clear(&e);
	sim_diag_set_file(&e, ld->file);
	sim_diag_set_path(&e, path);
	if (found) {
		json_line_col_cached(ld->buf, ld->len, &ld->lines, off, &line, &col);
		sim_diag_set_pos(&e, line, col);
	}
	sim_diag_fail(&e, "%s", msg);
	record_error(ld, &e);
}

/* Sets err: file, pointer, line:column of the anchor (or of the nearest enclosing value found). */
static void report(struct loader *ld, const char *path, enum anchor a, unsigned nth,
		   const char *msg)
{
	char p[PATH_LEN];
	size_t off = 0;
	bool found = false;

	snprintf(p, sizeof(p), "%s", path);
	if (a == AT_KEY)
		found = locate(ld, p, true, nth, &off);
	if (a == AT_PARENT && strrchr(p, '/'))
		*strrchr(p, '/') = '\0';
	while (!found) {
		found = locate(ld, p, false, 0, &off);
		if (found || !strrchr(p, '/'))
			break;
		*strrchr(p, '/') = '\0';
	}
	report_at(ld, path, found, off, msg);
}

void record_error(struct loader *ld, const struct sim_diag *e)
{
	if (ld->nerrors++ == 0)
		*ld->err = *e;
	if (ld->list && !sim_diag_list_add(ld->list, e))
		ld->stop = true;
	/* without a list only the first is kept: stop where a list would be full */
	if (!ld->list && ld->nerrors >= SIM_DIAG_LIST_MAX)
		ld->stop = true;
}

static void append(char *msg, const char *text)
{
	size_t n = strlen(msg);

	if (n + 1 < MSG_LEN)
		snprintf(msg + n, MSG_LEN - n, "%s", text);
}

const char *last_error_msg(const struct loader *ld)
{
	if (ld->list && ld->list->n == ld->nerrors && ld->nerrors)
		return ld->list->items[ld->list->n - 1].msg;
	return ld->nerrors == 1 ? ld->err->msg : "";
}

void amend_last_error(struct loader *ld, const char *text)
{
	if (ld->nerrors == 1)
		append(ld->err->msg, text);
	if (ld->list && ld->list->n == ld->nerrors)
		append(ld->list->items[ld->list->n - 1].msg, text);
}

bool fail_at(struct loader *ld, const char *path, enum anchor a, unsigned nth,
		    const char *fmt, ...)
{
	char msg[MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(ld, path, a, nth, msg);
	return false;
}

/* ---- nodes ---- */

void join_key(char *dst, const char *parent, const char *key)
{
	int w = snprintf(dst, PATH_LEN, "%s/", parent);
	size_t n = w > 0 ? (size_t)w : 0;

	for (; *key && n + 3 < PATH_LEN; key++) {
		if (*key == '~' || *key == '/') {
			dst[n++] = '~';
			dst[n++] = *key == '~' ? '0' : '1';
		} else {
			dst[n++] = *key;
		}
	}
	dst[n < PATH_LEN ? n : PATH_LEN - 1] = '\0';
}

/* Stores a pointer (always short here: "/readers/15") in a SCN_PATH_MAX field. */
void keep_path(char dst[SCN_PATH_MAX], const char *path)
{
	size_t n = strlen(path);

	if (n >= SCN_PATH_MAX)
		n = SCN_PATH_MAX - 1;
	memcpy(dst, path, n);
	dst[n] = '\0';
}

void node_element(const struct node *arr, unsigned i, struct node *el)
{
	char idx[16];

	el->json = cJSON_GetArrayItem(arr->json, (int)i);
	snprintf(idx, sizeof(idx), "%u", i);
	join_key(el->path, arr->path, idx);
}

void node_next(const struct node *arr, unsigned i, struct node *el)
{
	char idx[16];

	/* cJSON's arrays are lists: GetArrayItem(i) walks i links, ->next one */
	el->json = i && el->json ? el->json->next : cJSON_GetArrayItem(arr->json, (int)i);
	snprintf(idx, sizeof(idx), "%u", i);
	join_key(el->path, arr->path, idx);
}

/* What v is, for "got ..." in a type error: "the number 300", "an array", ... */
static const char *describe(struct loader *ld, const struct node *v, char *dst, size_t len)
{
	const cJSON *j = v->json;
	char q[80];
	size_t off = 0;

	if (cJSON_IsString(j)) {
		snprintf(dst, len, "the string %s", sim_quote(q, sizeof(q), j->valuestring));
	} else if (cJSON_IsNumber(j)) {
		size_t n = 0;

		if (json_index_value(&ld->ix, j, &off))
			while (off + n < ld->len && n < 24 && strchr("+-.eE0123456789", ld->buf[off + n]))
				n++;
		snprintf(dst, len, n ? "the number %.*s" : "a number", (int)n, ld->buf + off);
	} else if (cJSON_IsBool(j)) {
		snprintf(dst, len, "%s", cJSON_IsTrue(j) ? "true" : "false");
	} else if (cJSON_IsNull(j)) {
		snprintf(dst, len, "null");
	} else if (cJSON_IsArray(j)) {
		snprintf(dst, len, "an array");
	} else {
		snprintf(dst, len, "an object");
	}
	return dst;
}

bool type_error(struct loader *ld, const struct node *v, const char *expected)
{
	char got[96];

	return fail(ld, v->path, "expected %s, got %s", expected, describe(ld, v, got, sizeof(got)));
}

bool in_list(const char *const names[], const char *s)
{
	for (size_t i = 0; names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return true;
	return false;
}

/*
 * v must be an object whose keys are all in keys, each once.  A key in
 * elsewhere (valid in a sibling context) is reported as not allowed in
 * context rather than as unknown.
 */
bool read_object_in(struct loader *ld, const struct node *v, const char *const keys[],
			   const char *const elsewhere[], const char *context)
{
	char path[PATH_LEN], q[80], names[256], msg[MSG_LEN];
	bool ok = true, found;
	size_t off = 0;

	if (!cJSON_IsObject(v->json))
		return type_error(ld, v, "an object");
	/* every bad key is reported, not only the first */
	for (const cJSON *c = v->json->child; c && !ld->stop; c = c->next) {
		unsigned nth = 0;

		for (const cJSON *p = v->json->child; p != c; p = p->next)
			nth += strcmp(p->string, c->string) == 0;
		join_key(path, v->path, c->string);
		if (in_list(keys, c->string) && !nth)
			continue;
		if (nth)
			snprintf(msg, sizeof(msg), "duplicate key %s",
				 sim_quote(q, sizeof(q), c->string));
		else if (elsewhere && in_list(elsewhere, c->string))
			snprintf(msg, sizeof(msg),
				 "key %s is not allowed in %s; expected one of: %s",
				 sim_quote(q, sizeof(q), c->string), context,
				 name_list(names, sizeof(names), keys, false));
		else
			snprintf(msg, sizeof(msg), "unknown key %s; expected one of: %s",
				 sim_quote(q, sizeof(q), c->string),
				 name_list(names, sizeof(names), keys, false));
		/* at the key itself: its pointer may be cut short (a long key), its node is not */
		found = json_index_key(&ld->ix, c, &off);
		report_at(ld, path, found, off, msg);
		ok = false;
	}
	return ok;
}

bool read_object(struct loader *ld, const struct node *v, const char *const keys[])
{
	return read_object_in(ld, v, keys, NULL, NULL);
}

/* The member key of o (json NULL when absent); an error when absent and required. */
bool node_get(struct loader *ld, const struct node *o, const char *key, bool required,
		struct node *v)
{
	join_key(v->path, o->path, key);
	v->json = cJSON_GetObjectItemCaseSensitive(o->json, key);
	if (!v->json && required)
		return fail_at(ld, v->path, AT_PARENT, 0, "missing required key \"%s\"", key);
	return true;
}

/*
 * The read_* functions leave *out alone (the default) when v is absent.
 */

bool read_array(struct loader *ld, const struct node *v, unsigned min, unsigned max,
		       const char *what, unsigned *n)
{
	char expected[96];
	int size;

	snprintf(expected, sizeof(expected), "an array of %s", what);
	if (!v->json)
		return true;
	if (!cJSON_IsArray(v->json))
		return type_error(ld, v, expected);
	size = cJSON_GetArraySize(v->json);
	if (min == max && (unsigned)size != min)
		return fail(ld, v->path, "expected exactly %u %s, got %d", min, what, size);
	if ((unsigned)size < min || (unsigned)size > max)
		return fail(ld, v->path, "expected %u to %u %s, got %d", min, max, what, size);
	*n = (unsigned)size;
	return true;
}

/*
 * The source text of the JSON number v, when it can be found: the literal
 * (for messages), its sign and its magnitude, which is exact up to 2^53 (big
 * when above).  Fails on leading zeros, a fraction or an exponent; what names
 * the value in those errors.  False with *found false when v is not in the
 * text (then the caller falls back to cJSON's double).
 */
bool int_literal(struct loader *ld, const struct node *v, const char *what,
			char lit[32], bool *neg, bool *big, uint64_t *mag, bool *found)
{
	const char *p, *end = ld->buf + ld->len;
	size_t off, n = 0;

	*neg = *big = false;
	*mag = 0;
	*found = json_index_value(&ld->ix, v->json, &off);
	if (!*found)
		return false;
	p = ld->buf + off;
	while (p + n < end && n + 1 < 32 && strchr("+-.eE0123456789", p[n]))
		n++;
	memcpy(lit, p, n);
	lit[n] = '\0';
	if (p < end && *p == '-') {
		*neg = true;
		p++;
	}
	if (p + 1 < end && p[0] == '0' && p[1] >= '0' && p[1] <= '9')
		return fail(ld, v->path, "expected %s without leading zeros, got %s", what, lit);
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (*mag > MAX_U53)
			*big = true;
		else
			*mag = *mag * 10 + (uint64_t)(*p - '0');
	}
	if (*mag > MAX_U53)
		*big = true;
	if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
		return fail(ld, v->path, "expected %s (digits only, no fraction or exponent), got %s",
			    what, lit);
	return true;
}

/*
 * An integer in [min, max], checked on its source text: digits only, at most
 * 2^53 (cJSON keeps numbers as double, which is exact only up to there).
 * what names the value in range errors ("a vCPU index").
 */
bool read_int(struct loader *ld, const struct node *v, uint64_t min, uint64_t max,
		     const char *what, uint64_t *out)
{
	char lit[32] = "";
	uint64_t x = 0;
	bool neg, big, found;

	if (!v->json)
		return true;
	if (!cJSON_IsNumber(v->json))
		return type_error(ld, v, what);
	if (int_literal(ld, v, what, lit, &neg, &big, &x, &found)) {
		if (!neg && big)
			return fail(ld, v->path,
				    "integer too large: %s (at most 2^53 = 9007199254740992)", lit);
		if (neg && (big || x)) {
			return fail(ld, v->path, "expected %s in [%" PRIu64 ", %" PRIu64 "], got %s",
				    what, min, max, lit);
		}
	} else if (found) {
		return false;
	} else {
		double d = v->json->valuedouble;

		if (!(d >= 0 && d <= (double)MAX_U53) || d != (double)(uint64_t)d)
			return fail(ld, v->path, "expected %s in [%" PRIu64 ", %" PRIu64 "]",
				    what, min, max);
		x = (uint64_t)d;
		snprintf(lit, sizeof(lit), "%" PRIu64, x);
	}
	if (x < min || x > max)
		return fail(ld, v->path, "expected %s in [%" PRIu64 ", %" PRIu64 "], got %s",
			    what, min, max, lit);
	*out = x;
	return true;
}

bool read_uint(struct loader *ld, const struct node *v, unsigned min, unsigned max,
		      const char *what, unsigned *out)
{
	uint64_t x = *out;

	if (!read_int(ld, v, min, max, what, &x))
		return false;
	*out = (unsigned)x;
	return true;
}

bool read_str(struct loader *ld, const struct node *v, const char *expected,
		     const char **s)
{
	if (!cJSON_IsString(v->json))
		return type_error(ld, v, expected);
	*s = v->json->valuestring;
	return true;
}

bool read_bool(struct loader *ld, const struct node *v, bool *out)
{
	if (!v->json)
		return true;
	if (!cJSON_IsBool(v->json))
		return type_error(ld, v, "true or false");
	*out = cJSON_IsTrue(v->json);
	return true;
}

bool read_enum(struct loader *ld, const struct node *v, const char *const names[],
		      unsigned *out)
{
	char expected[256], names_list[240], q[80];
	const char *s = "";

	if (!v->json)
		return true;
	snprintf(expected, sizeof(expected), "one of %s",
		 name_list(names_list, sizeof(names_list), names, true));
	if (!read_str(ld, v, expected, &s))
		return false;
	for (unsigned i = 0; names[i]; i++) {
		if (strcmp(names[i], s) == 0) {
			*out = i;
			return true;
		}
	}
	return fail(ld, v->path, "expected %s, got %s", expected, sim_quote(q, sizeof(q), s));
}

/* A name: 1 to cap-1 letters, digits, '_', '-' or '.'. */
bool read_name(struct loader *ld, const struct node *v, char *dst, size_t cap)
{
	char expected[96], q[80];
	const char *s = "";
	size_t n;

	if (!v->json)
		return true;
	snprintf(expected, sizeof(expected),
		 "a name of 1 to %zu characters (letters, digits, '_', '-', '.')", cap - 1);
	if (!read_str(ld, v, expected, &s))
		return false;
	n = strlen(s);
	if (n == 0 || n >= cap || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					"0123456789_-.") != n)
		return fail(ld, v->path, "expected %s, got %s", expected,
			    sim_quote(q, sizeof(q), s));
	memcpy(dst, s, n + 1);
	return true;
}

/* Free text of at most cap-1 bytes. */
bool read_text(struct loader *ld, const struct node *v, char *dst, size_t cap)
{
	const char *s = "";
	size_t n;

	if (!v->json)
		return true;
	if (!read_str(ld, v, "a string", &s))
		return false;
	n = strlen(s);
	if (n >= cap)
		return fail(ld, v->path, "string too long: %zu bytes (at most %zu)", n, cap - 1);
	memcpy(dst, s, n + 1);
	return true;
}

/* ---- the rules every string follows ---- */

/* Length of the UTF-8 sequence at s (shortest form, no surrogates, at most U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80 ||
		    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

/* Whether the JSON string whose opening quote is at buf[off] holds a NUL, escaped or raw. */
static bool raw_nul(const struct loader *ld, size_t off)
{
	for (size_t i = off + 1; i < ld->len && ld->buf[i] != '"'; i++) {
		if (ld->buf[i] == '\0')
			return true;
		if (ld->buf[i] == '\\' && i + 1 < ld->len) {
			if (ld->buf[i + 1] == 'u' && i + 5 < ld->len &&
			    memcmp(ld->buf + i + 2, "0000", 4) == 0)
				return true;
			i++;
		}
	}
	return false;
}

/* Where node (its key when is_key) starts in the text. */
static bool node_offset(const struct loader *ld, const cJSON *node, bool is_key, size_t *off)
{
	return is_key ? json_index_key(&ld->ix, node, off) : json_index_value(&ld->ix, node, off);
}

/*
 * Checks the string s (a key when is_key) of node, at path; true when it
 * follows the rules.  nul: the text holds "\u0000" or a NUL byte somewhere.
 */
static bool check_string(struct loader *ld, const cJSON *node, const char *s, bool is_key,
			 const char *path, bool nul)
{
	const char *what = is_key ? "key" : "string";
	size_t off = 0, n;
	char msg[MSG_LEN];

	if (nul && node_offset(ld, node, is_key, &off) && raw_nul(ld, off)) {
		snprintf(msg, sizeof(msg), "%s contains a NUL character (\\u0000): no string may",
			 what);
		report_at(ld, path, true, off, msg);
		return false;
	}
	for (size_t i = 0; s[i]; i += n) {
		const unsigned char *u = (const unsigned char *)s + i;

		n = utf8_len(u);
		if (n == 0) {
			snprintf(msg, sizeof(msg), "%s is not valid UTF-8: byte 0x%02x at byte %zu",
				 what, u[0], i);
		} else if (u[0] < 0x20 || u[0] == 0x7f || (u[0] == 0xc2 && u[1] <= 0x9f)) {
			snprintf(msg, sizeof(msg),
				 "%s contains the control character U+%04X at byte %zu: "
				 "no string may (U+0000 to U+001F, U+007F to U+009F)", what,
				 n == 1 ? u[0] : u[1], i);
		} else {
			continue;
		}
		nul = node_offset(ld, node, is_key, &off);      /* found: before off is read */
		report_at(ld, path, nul, off, msg);
		return false;
	}
	return true;
}

static bool check_node(struct loader *ld, const cJSON *node, const char *path, unsigned depth,
		       bool nul)
{
	bool ok = true;
	unsigned i = 0;

	if (cJSON_IsString(node))
		return check_string(ld, node, node->valuestring, false, path, nul);
	/* the depth is bounded before parsing (MAX_JSON_DEPTH); this only guards the stack */
	if (depth > MAX_JSON_DEPTH)
		return true;
	for (const cJSON *c = node->child; c && !ld->stop; c = c->next, i++) {
		char p[PATH_LEN], idx[16];

		if (cJSON_IsObject(node)) {
			join_key(p, path, c->string);
			ok &= check_string(ld, c, c->string, true, p, nul);
		} else {
			snprintf(idx, sizeof(idx), "%u", i);
			join_key(p, path, idx);
		}
		ok &= check_node(ld, c, p, depth + 1, nul);
	}
	return ok;
}

bool check_strings(struct loader *ld, const cJSON *root)
{
	/* a cheap look first: most files hold no NUL, and then no string needs its source text */
	bool nul = memchr(ld->buf, '\0', ld->len) || strstr(ld->buf, "\\u0000");

	return check_node(ld, root, "", 0, nul);
}
