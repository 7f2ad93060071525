/*
 * The sweep file loader (sweep_file.h, format in docs/sweeps.md).  It reads
 * the file as the scenario loader does (size and nesting limits, UTF-8
 * strings, every error at its line:column and JSON pointer), through field
 * tables of its own.  Values to set are kept as compact JSON text: the plan
 * (sim/sweep) splices them into the scenario's text (variant.h).
 */
#include "sim/scenario/sweep_file.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/units.h"
#include "sim/scenario/loader_internal.h"

/* What the tables read before it is checked and copied into the spec. */
struct sweep_top {
	char scenario[SWEEP_PATH_MAX];
};

struct sweep_axis_row {
	char path[SCN_PATH_MAX];
	uint64_t step;
	char unit[16];
};

struct sweep_seed_range {
	uint64_t from, to;
};

#define T(m) offsetof(struct sweep_top, m)
#define A(m) offsetof(struct sweep_axis_row, m)
#define R(m) offsetof(struct sweep_seed_range, m)

static const struct field axis_rows[] = {
	{ ROW("path", F_TEXT, A(path)), .required = true, .min = 1, .max = SCN_PATH_MAX },
	{ ROW("values", F_CUSTOM, 0), .like = F_TEXT, .list = true, .min = 1,
	  .max = SWEEP_MAX_VALUES },
	{ ROW("from", F_CUSTOM, 0), .like = F_U64 },
	{ ROW("to", F_CUSTOM, 0), .like = F_U64 },
	{ ROW("step", F_U64, A(step)), .dflt = "1", .min = 1, .max = MAX_U53, .what = "a step" },
	{ ROW("unit", F_TEXT, A(unit)), .dflt = "", .max = 16 },
};
static const struct field_table axis_table = FIELDS("sweep axes", axis_rows);

static const struct field seed_rows[] = {
	{ ROW("from", F_U64, R(from)), .required = true, .max = MAX_U53, .what = "a seed" },
	{ ROW("to", F_U64, R(to)), .required = true, .max = MAX_U53, .what = "a seed" },
};
static const struct field_table seed_table = FIELDS("sweep seeds", seed_rows);

static const struct field top_rows[] = {
	{ ROW("scenario", F_TEXT, T(scenario)), .required = true, .min = 1,
	  .max = SWEEP_PATH_MAX },
	/* free text of any length (within the file's size): read by load_spec(), then dropped */
	{ ROW("description", F_CUSTOM, 0), .like = F_TEXT },
	{ ROW("axes", F_CUSTOM, 0), .sub = &axis_table, .nest = NEST_ARRAY,
	  .max = SWEEP_MAX_AXES },
	{ ROW("seeds", F_CUSTOM, 0), .sub = &seed_table, .shape = "seed list" },
	{ ROW("expect", F_CUSTOM, 0), .shape = "pointer map" },
};
static const struct field_table top_table = FIELDS("sweep file", top_rows);

/*
 * RFC 6901 has two escapes, "~0" ('~') and "~1" ('/'); any other '~' is an
 * error, not a literal key (it would name a key the user did not mean).
 * False with why: the offset (bytes from 0) of the bad '~' and what was expected.
 */
static bool pointer_escapes_ok(const char *p, char *why, size_t len)
{
	for (size_t i = 0; p[i]; i++) {
		if (p[i] != '~' || p[i + 1] == '0' || p[i + 1] == '1')
			continue;
		if (p[i + 1] == '\0')
			snprintf(why, len, "a '~' ends the pointer (offset %zu): expected \"~0\" (a '~' "
				 "in a key) or \"~1\" (a '/' in a key), the only escapes of RFC 6901", i);
		else
			snprintf(why, len, "\"~%c\" at offset %zu is not an escape: expected \"~0\" (a "
				 "'~' in a key) or \"~1\" (a '/' in a key), the only escapes of RFC 6901",
				 p[i + 1], i);
		return false;
	}
	return true;
}

/*
 * A JSON pointer a value can be set at: starts with '/', valid escapes, not
 * the seed (use "seeds").
 */
static bool check_pointer(struct loader *ld, const char *path, const char *p)
{
	char why[200];

	if (p[0] != '/')
		return fail(ld, path, "expected a JSON pointer such as \"/readers/0/period\", got "
			    "\"%.*s\"", 64, p);
	if (!pointer_escapes_ok(p, why, sizeof(why)))
		return fail(ld, path, "%.96s: %s", p, why);
	if (strcmp(p, "/seed") == 0)
		return fail(ld, path, "the seed is not an axis: give the sweep's \"seeds\"");
	return true;
}

/* How two pointers' values overlap: setting one changes what the other set. */
enum overlap {
	APART,
	SAME,           /* the same value */
	INSIDE,         /* a is within b's value: /readers/0/period in /readers/0 */
	CONTAINS,       /* b is within a's value */
};

/* The verb of "a ... b's path" per overlap, for the messages. */
static const char *const overlap_verb[] = {
	[SAME] = "is also",
	[INSIDE] = "is inside",
	[CONTAINS] = "contains",
};

/* Whole tokens only: /readers/1 does not contain /readers/10 ('/' in a key is "~1"). */
static enum overlap pointer_overlap(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (na == nb)
		return strcmp(a, b) == 0 ? SAME : APART;
	if (na > nb)
		return strncmp(a, b, nb) == 0 && a[nb] == '/' ? INSIDE : APART;
	return strncmp(a, b, na) == 0 && b[na] == '/' ? CONTAINS : APART;
}

/*
 * Each axis's path against the earlier axes' and the "expect" pointers: two
 * values set at one place (or one inside the other) would override each other,
 * and a row's "vary" would hold one key twice.
 */
static bool check_overlaps(struct loader *ld, const struct sweep_spec *sp)
{
	bool ok = true;

	for (unsigned j = 0; j < sp->naxes && !ld->stop; j++) {
		const char *b = sp->axes[j].path;
		char at[PATH_LEN];
		enum overlap o;

		snprintf(at, sizeof(at), "/axes/%u/path", j);
		for (unsigned i = 0; i < j; i++)
			if ((o = pointer_overlap(b, sp->axes[i].path)) != APART)
				ok = fail(ld, at, "%s %s the path of /axes/%u/path (%s): one axis would "
					  "override the other", b, overlap_verb[o], i, sp->axes[i].path);
		for (unsigned k = 0; k < sp->nsets; k++) {
			const char *e = sp->sets[k].pointer;
			char epath[PATH_LEN];

			if ((o = pointer_overlap(b, e)) == APART)
				continue;
			join_key(epath, "/expect", e);
			ok = fail(ld, at, "%s %s a pointer that \"expect\" sets (%.96s, at %.96s): one "
				  "would override the other", b, overlap_verb[o], e, epath);
		}
	}
	return ok;
}

/* Keeps a JSON node's compact text; false when out of memory. */
static bool keep_json(struct loader *ld, const struct node *v, char **out)
{
	*out = cJSON_PrintUnformatted(v->json);
	return *out ? true : fail(ld, v->path, "out of memory");
}

/* i-th value of a range: from + i * step, as an integer or a string with the unit. */
static bool range_value(struct loader *ld, const struct node *o, int64_t x, const char *unit,
			char **out)
{
	char buf[48];

	if (unit[0])
		snprintf(buf, sizeof(buf), "\"%" PRId64 "%s\"", x, unit);
	else
		snprintf(buf, sizeof(buf), "%" PRId64, x);
	*out = strdup(buf);
	return *out ? true : fail(ld, o->path, "out of memory");
}

/* "from", "to", "step" (and "unit") into the axis's values. */
static bool load_range(struct loader *ld, const struct node *o, const struct sweep_axis_row *r,
		       struct sweep_axis *ax)
{
	struct node from, to;
	int64_t a = 0, b = 0;
	uint64_t count;

	if (!node_get(ld, o, "from", true, &from) || !node_get(ld, o, "to", true, &to) ||
	    !read_s64(ld, &from, "a range's start", &a) || !read_s64(ld, &to, "a range's end", &b))
		return false;
	if (b < a)
		return fail(ld, to.path, "a range must not end before it starts (%" PRId64 " > %"
			    PRId64 ")", a, b);
	count = ((uint64_t)b - (uint64_t)a) / r->step + 1;
	if (count > SWEEP_MAX_VALUES)
		return fail(ld, o->path, "this range has %" PRIu64 " values (at most %u per axis)",
			    count, SWEEP_MAX_VALUES);
	ax->values = calloc(count, sizeof(*ax->values));
	if (!ax->values)
		return fail(ld, o->path, "out of memory");
	for (uint64_t i = 0; i < count; i++, ax->nvalues++)
		if (!range_value(ld, o, a + (int64_t)(i * r->step), r->unit,
				 &ax->values[ax->nvalues]))
			return false;
	return true;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

/*
 * The first repeated value of an axis in sorted order, by its two indices
 * (first < again): 1, or 0 when every value differs, -1 out of memory.
 * Sorted, O(n log n): an axis may hold 10^5 values.
 */
static int repeated_value(const struct sweep_axis *ax, unsigned *first, unsigned *again)
{
	char ***ptr = malloc(ax->nvalues * sizeof(*ptr));
	int found = 0;

	if (!ptr)
		return -1;
	for (unsigned i = 0; i < ax->nvalues; i++)
		ptr[i] = &ax->values[i];
	qsort(ptr, ax->nvalues, sizeof(*ptr), by_text);
	for (unsigned i = 1; i < ax->nvalues && !found; i++)
		if (strcmp(*ptr[i - 1], *ptr[i]) == 0) {
			unsigned a = (unsigned)(ptr[i - 1] - ax->values), b = (unsigned)(ptr[i] - ax->values);

			*first = a < b ? a : b;
			*again = a > b ? a : b;
			found = 1;
		}
	free(ptr);
	return found;
}

/* A repeated value is the same job twice: its id would not be unique. */
static bool duplicate_values(struct loader *ld, const char *path, const struct sweep_axis *ax)
{
	unsigned a = 0, b = 0;
	int r = repeated_value(ax, &a, &b);

	if (r < 0)
		return fail(ld, path, "out of memory");
	if (r > 0)
		return fail(ld, path, "value %u repeats value %u (%.40s): each variant must be a "
			    "different job", b, a, ax->values[b]);
	return true;
}

static bool load_axis(struct loader *ld, const struct node *o, struct sweep_axis *ax)
{
	struct sweep_axis_row r = { 0 };
	struct node values, from, pv;
	unsigned n = 0;

	if (!load_fields(ld, o, &axis_table, 0, NULL, &r, NULL))
		return false;
	node_get(ld, o, "path", false, &pv);
	if (!check_pointer(ld, pv.path, r.path))
		return false;
	snprintf(ax->path, sizeof(ax->path), "%s", r.path);
	node_get(ld, o, "values", false, &values);
	node_get(ld, o, "from", false, &from);
	if (!values.json == !from.json)
		return fail(ld, o->path, "an axis has either \"values\" or a range (\"from\", "
			    "\"to\", \"step\")");
	if (from.json) {
		/* a range's values increase: no repeats */
		return load_range(ld, o, &r, ax);
	}
	if (r.unit[0] || cJSON_GetObjectItemCaseSensitive(o->json, "step") ||
	    cJSON_GetObjectItemCaseSensitive(o->json, "to"))
		return fail(ld, o->path, "\"to\", \"step\" and \"unit\" belong to a range (with "
			    "\"from\"), not to \"values\"");
	if (!read_array(ld, &values, 1, SWEEP_MAX_VALUES, "values", &n))
		return false;
	ax->values = calloc(n, sizeof(*ax->values));
	if (!ax->values)
		return fail(ld, values.path, "out of memory");
	for (unsigned i = 0; i < n; i++, ax->nvalues++) {
		struct node el;

		node_element(&values, i, &el);
		if (!keep_json(ld, &el, &ax->values[i]))
			return false;
	}
	return duplicate_values(ld, values.path, ax);
}

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* A seed given twice is the same job twice.  Sorted, O(n log n). */
static bool distinct_seeds(struct loader *ld, const struct node *v, const struct sweep_spec *sp)
{
	uint64_t *sorted = malloc(sp->nseeds * sizeof(*sorted));
	bool ok = true;

	if (!sorted)
		return fail(ld, v->path, "out of memory");
	memcpy(sorted, sp->seed_list, sp->nseeds * sizeof(*sorted));
	qsort(sorted, sp->nseeds, sizeof(*sorted), by_u64);
	for (uint64_t i = 1; i < sp->nseeds && ok; i++)
		if (sorted[i - 1] == sorted[i])
			ok = fail(ld, v->path, "seed %" PRIu64 " is given twice", sorted[i]);
	free(sorted);
	return ok;
}

static bool load_seeds(struct loader *ld, const struct node *v, struct sweep_spec *sp)
{
	unsigned n = 0;

	if (!v->json)
		return true;
	sp->seeds_given = true;
	if (cJSON_IsObject(v->json)) {
		struct sweep_seed_range r = { 0 };

		if (!load_fields(ld, v, &seed_table, 0, NULL, &r, NULL))
			return false;
		if (r.to < r.from)
			return fail(ld, v->path, "seeds from %" PRIu64 " to %" PRIu64 ": \"to\" is "
				    "before \"from\"", r.from, r.to);
		if (r.to - r.from >= SWEEP_MAX_SEEDS)
			return fail(ld, v->path, "%" PRIu64 " seeds (at most %u)", r.to - r.from + 1,
				    SWEEP_MAX_SEEDS);
		sp->seed_first = r.from;
		sp->nseeds = r.to - r.from + 1;
		return true;
	}
	if (!cJSON_IsArray(v->json))
		return type_error(ld, v, "an array of seeds or {\"from\": A, \"to\": B}");
	if (!read_array(ld, v, 1, SWEEP_MAX_SEEDS, "seeds", &n))
		return false;
	sp->seed_list = calloc(n, sizeof(*sp->seed_list));
	if (!sp->seed_list)
		return fail(ld, v->path, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		struct node el;

		node_element(v, i, &el);
		if (!read_int(ld, &el, 0, MAX_U53, "a seed", &sp->seed_list[i]))
			return false;
	}
	sp->nseeds = n;
	return distinct_seeds(ld, v, sp);
}

static bool load_expect(struct loader *ld, const struct node *v, struct sweep_spec *sp)
{
	if (!v->json)
		return true;
	if (!cJSON_IsObject(v->json))
		return type_error(ld, v, "an object of JSON pointers and the values to set there");
	for (const cJSON *c = v->json->child; c; c = c->next) {
		struct scn_override *o = &sp->sets[sp->nsets];
		struct node el;

		if (!node_get(ld, v, c->string, false, &el))
			return false;
		if (sp->nsets == SWEEP_MAX_SETS)
			return fail(ld, el.path, "more than %u values to set", SWEEP_MAX_SETS);
		if (!check_pointer(ld, el.path, c->string))
			return false;
		/* cJSON keeps both of a repeated key: the second would override the first */
		for (unsigned i = 0; i < sp->nsets; i++)
			if (strcmp(sp->sets[i].pointer, c->string) == 0)
				return fail_at(ld, el.path, AT_KEY, 1, "duplicate key \"%.96s\": "
					       "expected each pointer once", c->string);
		o->pointer = strdup(c->string);
		if (!o->pointer || !keep_json(ld, &el, (char **)&o->json))
			return fail(ld, el.path, "out of memory");
		sp->nsets++;
	}
	return true;
}

/* The scenario's path as written, relative to the sweep file's directory. */
static bool resolve_scenario(struct loader *ld, const char *file, const char *rel,
			     struct sweep_spec *sp)
{
	const char *slash = strrchr(file, '/');
	int n;

	if (rel[0] == '/' || !slash)
		n = snprintf(sp->scenario, sizeof(sp->scenario), "%s", rel);
	else
		n = snprintf(sp->scenario, sizeof(sp->scenario), "%.*s/%s", (int)(slash - file),
			     file, rel);
	if (n < 0 || (size_t)n >= sizeof(sp->scenario))
		return fail(ld, "/scenario", "the scenario's path is too long");
	return true;
}

/* Variants times seeds, within SWEEP_MAX_JOBS. */
static bool count_jobs(struct sweep_spec *sp, char *why, size_t len)
{
	uint64_t n = sp->nseeds;

	for (unsigned i = 0; i < sp->naxes; i++) {
		if (n > SWEEP_MAX_JOBS / sp->axes[i].nvalues) {
			snprintf(why, len, "more than %u jobs (the values of every axis multiplied, "
				 "times the seeds)", SWEEP_MAX_JOBS);
			return false;
		}
		n *= sp->axes[i].nvalues;
	}
	if (n > SWEEP_MAX_JOBS) {
		snprintf(why, len, "more than %u jobs", SWEEP_MAX_JOBS);
		return false;
	}
	sp->njobs = n;
	return true;
}

static bool load_spec(struct loader *ld, const struct node *top, struct sweep_spec *sp)
{
	struct sweep_top t = { 0 };
	struct node axes, seeds, expect, desc;
	const char *text;
	unsigned n = 0;
	char why[160];
	bool ok;

	if (!load_fields(ld, top, &top_table, 0, NULL, &t, NULL))
		return false;
	if (!t.scenario[0])
		return fail(ld, "/scenario", "expected the base scenario's file name");
	ok = resolve_scenario(ld, ld->file, t.scenario, sp);
	node_get(ld, top, "description", false, &desc);
	ok &= !desc.json || read_str(ld, &desc, "a string (free text)", &text);
	node_get(ld, top, "axes", false, &axes);
	if (read_array(ld, &axes, 0, SWEEP_MAX_AXES, "axes", &n)) {
		for (unsigned i = 0; i < n && !ld->stop; i++, sp->naxes++) {
			struct node el;

			node_element(&axes, i, &el);
			ok &= load_axis(ld, &el, &sp->axes[i]);
		}
	} else {
		ok = false;
	}
	node_get(ld, top, "seeds", false, &seeds);
	ok &= load_seeds(ld, &seeds, sp);
	node_get(ld, top, "expect", false, &expect);
	ok &= load_expect(ld, &expect, sp);
	ok = ok && check_overlaps(ld, sp);
	if (ok && !count_jobs(sp, why, sizeof(why)))
		return fail(ld, "/axes", "%s", why);
	return ok;
}

static void syntax_error(struct sim_diag *err, const char *file, const char *buf, size_t len,
			 size_t off, const char *what)
{
	unsigned line, col;

	json_line_col(buf, len, off, &line, &col);
	sim_diag_set_file(err, file);
	sim_diag_set_pos(err, line, col);
	sim_diag_fail(err, "%s", what);
}

struct sweep_spec *sweep_spec_new(const char *scenario)
{
	struct sweep_spec *sp = calloc(1, sizeof(*sp));

	if (sp) {
		snprintf(sp->scenario, sizeof(sp->scenario), "%s", scenario);
		sp->nseeds = 1;
	}
	return sp;
}

struct sweep_spec *sweep_spec_load(const char *file, struct sim_diag *err,
				   struct sim_diag_list *list)
{
	struct loader ld = { .file = file, .err = err, .list = list };
	struct node top = { NULL, "" };
	struct sweep_spec *sp = NULL;
	const char *end = NULL;
	cJSON *root = NULL;
	char *buf;
	size_t len = 0, off = 0;
	bool ok = false;

	if (list)
		sim_diag_list_clear(list);
	buf = scenario_read_text(file, &len, err);
	if (!buf)
		goto out;
	ld.buf = buf;
	ld.len = len;
	if (json_scan_limits(buf, len, MAX_JSON_DEPTH, MAX_JSON_VALUES, &off) != JSON_SCAN_OK) {
		syntax_error(err, file, buf, len, off, "nested deeper than 32 or more than 10^6 "
			     "values");
		goto out;
	}
	root = cJSON_ParseWithLengthOpts(buf, len, &end, false);
	if (!root) {
		off = end && end >= buf && end <= buf + len ? (size_t)(end - buf) : 0;
		syntax_error(err, file, buf, len, off, "invalid JSON: unexpected text");
		goto out;
	}
	for (off = (size_t)(end - buf); off < len && strchr(" \t\r\n", buf[off]); off++)
		;
	if (off < len) {
		syntax_error(err, file, buf, len, off, "invalid JSON: text after the end of the "
			     "top-level value");
		goto out;
	}
	sp = sweep_spec_new("");
	if (!sp || !json_index_build(&ld.ix, buf, len, root)) {
		sim_diag_set_file(err, file);
		sim_diag_fail(err, "out of memory");
		goto out;
	}
	snprintf(sp->file, sizeof(sp->file), "%s", file);
	ld.root = root;
	top.json = root;
	ok = check_strings(&ld, root) && load_spec(&ld, &top, sp);
	json_index_free(&ld.ix);
out:
	cJSON_Delete(root);
	free(buf);
	if (!ok) {
		if (list && list->n == 0 && err->msg[0])
			sim_diag_list_add(list, err);
		sweep_spec_free(sp);
		return NULL;
	}
	return sp;
}

/* At most 48 bytes of a --vary argument, for its messages ("..." when cut). */
static const char *arg_excerpt(const char *arg, char dst[56])
{
	snprintf(dst, 56, "%.48s%s", arg, strlen(arg) > 48 ? "..." : "");
	return dst;
}

/*
 * The --vary value at p (inside arg) into *json, compact; where it ends (a
 * comma or the NUL) into *next.  A value that starts with '{', '[' or '"' is
 * one JSON value, commas inside it included; any other runs to the next comma
 * and, as before, is JSON when it parses as JSON, else a string.  Offsets in
 * messages count bytes of arg from 0.
 */
static bool vary_value(const char *arg, const char *p, const char **next, char **json,
		       char *why, size_t len)
{
	size_t off = (size_t)(p - arg), n;
	char ex[56], *one;

	if (*p == '{' || *p == '[' || *p == '"') {
		const char *end = NULL;
		cJSON *v = cJSON_ParseWithOpts(p, &end, false);

		if (!v) {
			size_t at = end && end >= p ? (size_t)(end - arg) : off;

			snprintf(why, len, "'%s': offset %zu: the value there starts with '%c', so it is "
				 "one JSON value, but it is not valid or not closed (the parser stopped "
				 "at offset %zu): expected a whole JSON value, commas inside it included",
				 arg_excerpt(arg, ex), off, *p, at);
			return false;
		}
		/* compact, as a sweep file's values are */
		*json = *end == ',' || *end == '\0' ? cJSON_PrintUnformatted(v) : NULL;
		cJSON_Delete(v);
		if (*end != ',' && *end != '\0') {
			snprintf(why, len, "'%s': offset %zu: expected ',' or the end after the JSON "
				 "value at offset %zu", arg_excerpt(arg, ex), (size_t)(end - arg), off);
			return false;
		}
		*next = end;
	} else {
		n = strcspn(p, ",");
		if (n == 0) {
			snprintf(why, len, "'%s': offset %zu: expected a value, found %s",
				 arg_excerpt(arg, ex), off, *p ? "','" : "the end");
			return false;
		}
		one = strndup(p, n);
		if (one && !scenario_json_value(one, json))
			*json = scenario_json_string(one);
		free(one);
		*next = p + n;
	}
	if (!*json)
		snprintf(why, len, "out of memory");
	return *json != NULL;
}

/* --vary's values each once (numbered from 1 in the message, as the user counts them). */
static bool vary_distinct(const struct sweep_axis *ax, char *why, size_t len)
{
	unsigned a = 0, b = 0;
	int r = repeated_value(ax, &a, &b);

	if (r < 0)
		snprintf(why, len, "out of memory");
	else if (r > 0)
		snprintf(why, len, "%s: value %u (%.60s) is given twice", ax->path, b + 1,
			 ax->values[b]);
	return r == 0;
}

bool sweep_spec_add_vary(struct sweep_spec *sp, const char *arg, char *why, size_t len)
{
	const char *eq = strchr(arg, '=');
	struct sweep_axis *ax = &sp->axes[sp->naxes];
	unsigned cap = 0;
	char w[200];

	if (!eq || eq == arg || eq[1] == '\0' || arg[0] != '/') {
		snprintf(why, len, "expected PATH=V1,V2,... with PATH a JSON pointer such as "
			 "/readers/0/period, got '%.60s'", arg);
		return false;
	}
	if (sp->naxes == SWEEP_MAX_AXES || (size_t)(eq - arg) >= sizeof(ax->path)) {
		snprintf(why, len, "at most %u axes, each path shorter than %u bytes",
			 SWEEP_MAX_AXES, SCN_PATH_MAX);
		return false;
	}
	snprintf(ax->path, sizeof(ax->path), "%.*s", (int)(eq - arg), arg);
	if (!pointer_escapes_ok(ax->path, w, sizeof(w))) {
		snprintf(why, len, "%s: %s", ax->path, w);
		return false;
	}
	if (strcmp(ax->path, "/seed") == 0) {
		snprintf(why, len, "the seed is not an axis: use --seeds A..B");
		return false;
	}
	for (unsigned i = 0; i < sp->naxes; i++) {
		enum overlap o = pointer_overlap(ax->path, sp->axes[i].path);

		if (o != APART) {
			snprintf(why, len, "%s (--vary %u) %s the path of --vary %u (%s): one axis "
				 "would override the other", ax->path, sp->naxes + 1, overlap_verb[o],
				 i + 1, sp->axes[i].path);
			return false;
		}
	}
	sp->naxes++;
	for (const char *p = eq + 1;; p++) {
		char *v = NULL;

		if (ax->nvalues == SWEEP_MAX_VALUES) {
			snprintf(why, len, "%s: too many values (at most %u)", ax->path,
				 SWEEP_MAX_VALUES);
			return false;
		}
		if (ax->nvalues == cap) {
			char **grown;

			cap = cap ? 2 * cap : 8;
			grown = realloc(ax->values, cap * sizeof(*ax->values));
			if (!grown) {
				snprintf(why, len, "out of memory");
				return false;
			}
			ax->values = grown;
		}
		if (!vary_value(arg, p, &p, &v, why, len))
			return false;
		ax->values[ax->nvalues++] = v;
		if (*p == '\0')
			break;
	}
	return vary_distinct(ax, why, len);
}

bool sweep_spec_set_seeds(struct sweep_spec *sp, const char *arg, char *why, size_t len)
{
	const char *dots = strstr(arg, "..");
	char a[32], w[160];
	uint64_t from, to;

	if (!dots || (size_t)(dots - arg) >= sizeof(a)) {
		snprintf(why, len, "expected A..B (seeds A to B, inclusive), got '%.40s'", arg);
		return false;
	}
	snprintf(a, sizeof(a), "%.*s", (int)(dots - arg), arg);
	if (!sim_parse_u64(a, &from, w, sizeof(w)) || !sim_parse_u64(dots + 2, &to, w, sizeof(w))) {
		snprintf(why, len, "%s", w);
		return false;
	}
	if (to < from || to > MAX_U53 || to - from >= SWEEP_MAX_SEEDS) {
		snprintf(why, len, "expected A..B with A <= B <= 2^53 and at most %u seeds",
			 SWEEP_MAX_SEEDS);
		return false;
	}
	sp->seeds_given = true;
	sp->seed_first = from;
	sp->nseeds = to - from + 1;
	return true;
}

bool sweep_spec_count(struct sweep_spec *sp, char *why, size_t len)
{
	return count_jobs(sp, why, len);
}

uint64_t sweep_spec_seed(const struct sweep_spec *sp, uint64_t i)
{
	return sp->seed_list ? sp->seed_list[i] : sp->seed_first + i;
}

void sweep_spec_free(struct sweep_spec *sp)
{
	if (!sp)
		return;
	for (unsigned i = 0; i < sp->naxes; i++) {
		for (unsigned v = 0; v < sp->axes[i].nvalues; v++)
			free(sp->axes[i].values[v]);
		free(sp->axes[i].values);
	}
	for (unsigned i = 0; i < sp->nsets; i++) {
		free((char *)sp->sets[i].pointer);
		free((char *)sp->sets[i].json);
	}
	free(sp->seed_list);
	free(sp);
}
