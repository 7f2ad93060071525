/* Known-deviation files: see known.h. */
#include "sim/scenario/known.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/json_locate.h"

#define KNOWN_MAX_BYTES (4u << 20)     /* a file of a few hundred entries is ~100 KiB */

static const char *const match_keys[] = {
#define KNOWN_KEY_NAME(f, k) [KNOWN_MATCH_##f] = k,
	KNOWN_MATCH_KEYS(KNOWN_KEY_NAME)
#undef KNOWN_KEY_NAME
};
_Static_assert(sizeof(match_keys) / sizeof(match_keys[0]) == KNOWN_MATCH_COUNT, "one name per key");

static const char *const entry_keys[] = { "id", "kind", "summary", "citation", "match", NULL };
static const char *const kinds[] = { "deviation", "model-choice", "timing", "protocol", NULL };

const char *known_match_key_name(enum known_match_key k)
{
	return match_keys[k];
}

struct reader {
	const char *buf;
	size_t len;
	struct sim_diag *err;
	const char *key_ptr;          /* set by fail_key() */
};

/* An error at pointer: the file's line and column of that value (or of the document). */
static bool fail_at(struct reader *r, const char *pointer, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool fail_at(struct reader *r, const char *pointer, const char *fmt, ...)
{
	bool key = pointer == r->key_ptr;   /* fail_key(): point at the key, not its value */
	size_t off = 0;
	unsigned line, col;
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!(key ? json_locate_key(r->buf, r->len, pointer, 0, &off) :
		    json_locate(r->buf, r->len, pointer, &off)))
		off = 0;
	json_line_col(r->buf, r->len, off, &line, &col);
	sim_diag_set_pos(r->err, line, col);
	sim_diag_set_path(r->err, pointer);
	return sim_diag_fail(r->err, "%s", msg);
}

static bool fail_key(struct reader *r, const char *pointer, const char *key)
{
	r->key_ptr = pointer;
	return fail_at(r, pointer, "unknown key '%s'", key);
}

static bool only_keys(struct reader *r, const cJSON *o, const char *ptr, const char *const keys[])
{
	char p[192];

	for (const cJSON *c = o->child; c; c = c->next) {
		bool ok = false;

		for (unsigned i = 0; keys[i]; i++)
			ok = ok || strcmp(c->string, keys[i]) == 0;
		if (!ok) {
			snprintf(p, sizeof(p), "%s/%s", ptr, c->string);
			return fail_key(r, p, c->string);
		}
	}
	return true;
}

/* A non-empty string member; NULL member allowed when !required. */
static bool get_str(struct reader *r, const cJSON *o, const char *ptr, const char *key,
		    bool required, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	char p[192];

	snprintf(p, sizeof(p), "%s/%s", ptr, key);
	*out = NULL;
	if (!v)
		return required ? fail_at(r, ptr, "missing key '%s' (a string)", key) : true;
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return fail_at(r, p, "'%s': expected a non-empty string", key);
	*out = strdup(v->valuestring);
	return *out != NULL || sim_diag_fail(r->err, "out of memory");
}

static bool read_entry(struct reader *r, const cJSON *e, unsigned i, struct known_entry *k)
{
	char ptr[64], mp[80];
	const cJSON *m;
	bool kind_ok = false;

	snprintf(ptr, sizeof(ptr), "/deviations/%u", i);
	if (!cJSON_IsObject(e))
		return fail_at(r, ptr, "%s: expected an object", "deviation");
	if (!only_keys(r, e, ptr, entry_keys) || !get_str(r, e, ptr, "id", true, &k->id) ||
	    !get_str(r, e, ptr, "kind", true, &k->kind) ||
	    !get_str(r, e, ptr, "summary", true, &k->summary) ||
	    !get_str(r, e, ptr, "citation", true, &k->citation))
		return false;
	for (unsigned j = 0; kinds[j]; j++)
		kind_ok = kind_ok || strcmp(k->kind, kinds[j]) == 0;
	if (!kind_ok) {
		snprintf(mp, sizeof(mp), "%s/kind", ptr);
		return fail_at(r, mp, "kind '%s': expected deviation, model-choice, timing or protocol",
			       k->kind);
	}
	m = cJSON_GetObjectItemCaseSensitive(e, "match");
	snprintf(mp, sizeof(mp), "%s/match", ptr);
	if (!m)
		return fail_at(r, ptr, "missing key '%s' (an object of patterns)", "match");
	if (!cJSON_IsObject(m))
		return fail_at(r, mp, "'%s': expected an object of patterns", "match");
	{
		const char *names[KNOWN_MATCH_COUNT + 1];

		for (unsigned j = 0; j < KNOWN_MATCH_COUNT; j++)
			names[j] = match_keys[j];
		names[KNOWN_MATCH_COUNT] = NULL;
		if (!only_keys(r, m, mp, names))
			return false;
	}
	for (unsigned j = 0; j < KNOWN_MATCH_COUNT; j++) {
		char kp[112];
		size_t off = 0;

		if (!get_str(r, m, mp, match_keys[j], j == KNOWN_MATCH_command, &k->match[j]))
			return false;
		snprintf(kp, sizeof(kp), "%s/%s", mp, match_keys[j]);
		if (k->match[j] && json_locate(r->buf, r->len, kp, &off))
			json_line_col(r->buf, r->len, off, &k->line[j], &k->col[j]);
	}
	return true;
}

static bool read_doc(struct reader *r, const cJSON *root, struct known_file *kf)
{
	const cJSON *v, *devs;
	static const char *const top[] = { "format", "peer", "deviations", NULL };
	unsigned n;

	if (!cJSON_IsObject(root))
		return fail_at(r, "", "%s", "expected an object {\"format\", \"peer\", \"deviations\"}");
	if (!only_keys(r, root, "", top))
		return false;
	v = cJSON_GetObjectItemCaseSensitive(root, "format");
	if (!v)
		return fail_at(r, "", "missing key '%s' (the number 1)", "format");
	if (!cJSON_IsNumber(v) || v->valuedouble != KNOWN_FORMAT_VERSION)
		return fail_at(r, "/format", "'%s': expected 1 (the only format version)", "format");
	if (!get_str(r, root, "", "peer", true, &kf->peer))
		return false;
	devs = cJSON_GetObjectItemCaseSensitive(root, "deviations");
	if (!devs)
		return fail_at(r, "", "missing key '%s' (an array)", "deviations");
	if (!cJSON_IsArray(devs))
		return fail_at(r, "/deviations", "'%s': expected an array", "deviations");
	n = (unsigned)cJSON_GetArraySize(devs);
	if (n > KNOWN_MAX_ENTRIES)
		return fail_at(r, "/deviations", "%s: more than 256 entries", "deviations");
	kf->entries = calloc(n ? n : 1, sizeof(*kf->entries));
	if (!kf->entries)
		return sim_diag_fail(r->err, "out of memory");
	kf->cap = n;
	for (const cJSON *e = devs->child; e; e = e->next) {
		if (!read_entry(r, e, kf->n, &kf->entries[kf->n]))
			return false;
		kf->n++;
		for (unsigned j = 0; j + 1 < kf->n; j++)
			if (strcmp(kf->entries[j].id, kf->entries[kf->n - 1].id) == 0) {
				char p[64];

				snprintf(p, sizeof(p), "/deviations/%u/id", kf->n - 1);
				return fail_at(r, p, "id '%s' given twice", kf->entries[j].id);
			}
	}
	return true;
}

bool known_load(const char *path, struct known_file *kf, struct sim_diag *err)
{
	struct reader r = { NULL, 0, err, NULL };
	FILE *f;
	char *buf;
	size_t n;
	cJSON *root;
	bool ok;
	size_t off;

	memset(kf, 0, sizeof(*kf));
	sim_diag_set_file(err, path);
	f = fopen(path, "rb");
	if (!f)
		return sim_diag_fail(err, "cannot open: %s", strerror(errno));
	buf = malloc(KNOWN_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		return sim_diag_fail(err, "out of memory");
	}
	n = fread(buf, 1, KNOWN_MAX_BYTES + 1, f);
	fclose(f);
	if (n > KNOWN_MAX_BYTES) {
		free(buf);
		return sim_diag_fail(err, "larger than 4 MiB: not a known-deviation file");
	}
	buf[n] = '\0';
	r.buf = buf;
	r.len = n;
	if (json_scan_limits(buf, n, 16, 100000, &off) != JSON_SCAN_OK) {
		unsigned line, col;

		json_line_col(buf, n, off, &line, &col);
		sim_diag_set_pos(err, line, col);
		free(buf);
		return sim_diag_fail(err, "nested deeper than 16 or more than 100000 values");
	}
	root = cJSON_ParseWithLength(buf, n);
	if (!root) {
		const char *at = cJSON_GetErrorPtr();
		unsigned line = 1, col = 1;

		if (at && at >= buf && at <= buf + n)
			json_line_col(buf, n, (size_t)(at - buf), &line, &col);
		sim_diag_set_pos(err, line, col);
		free(buf);
		return sim_diag_fail(err, "not valid JSON");
	}
	ok = read_doc(&r, root, kf);
	cJSON_Delete(root);
	free(buf);
	if (!ok)
		known_free(kf);
	return ok;
}

void known_free(struct known_file *kf)
{
	for (unsigned i = 0; kf->entries && i < kf->cap; i++) {
		struct known_entry *k = &kf->entries[i];

		free(k->id);
		free(k->kind);
		free(k->summary);
		free(k->citation);
		for (unsigned j = 0; j < KNOWN_MATCH_COUNT; j++)
			free(k->match[j]);
	}
	free(kf->entries);
	free(kf->peer);
	memset(kf, 0, sizeof(*kf));
}
