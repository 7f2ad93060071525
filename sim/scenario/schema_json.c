/*
 * `sim schema`: a JSON Schema (draft 2020-12) of the scenario format, written
 * from the loader's field tables, so that it says what the loader reads.
 * Every table is an object with "additionalProperties": false, as
 * load_fields() rejects a key no row names.  A plain row's value comes from
 * its type (fields.c's form column, with the row's limits, names and
 * default); an F_CUSTOM row names its own shape (.sub, .like or .shape,
 * loader_internal.h).  Rows bound to a context (.only) are allowed by
 * "if"/"then" on the table's tag ("type" of an event), or per key of a map
 * (a reader's "checks").  What the schema cannot say (cross references,
 * order, sums) stays the loader's: the schema accepts every valid scenario
 * and rejects a subset of the invalid ones.
 */
#include "sim/scenario/loader_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/schema.h"

#define SCHEMA_DIALECT "https://json-schema.org/draft/2020-12/schema"
#define DUR_UNITS "(ps|ns|us|\\u00b5s|\\u03bcs|ms|s|min|h|d)"
#define NUMBER "[0-9]+(\\\\.[0-9]+)?"

/*
 * The $defs: the unit grammars of sim/core/units.c and the shapes that rows
 * name in .shape.  A row's .shape must be one of these.
 */
static const struct {
	const char *name;
	const char *json;
} defs[] = {
	{ "duration", "{\"type\": \"string\", \"pattern\": \"^" NUMBER DUR_UNITS "$\", "
	  "\"description\": \"a duration such as \\\"300ms\\\": digits, an optional fraction, "
	  "and a unit (ps, ns, us, \\u00b5s, ms, s, min, h, d); no sign\"}" },
	{ "duration_above_0", "{\"allOf\": [{\"$ref\": \"#/$defs/duration\"}, {\"not\": "
	  "{\"pattern\": \"^0+(\\\\.0+)?[^0-9.]\"}}], \"description\": \"a duration above 0 (a "
	  "row may need more: see the docs)\"}" },
	{ "signed_duration", "{\"type\": \"string\", \"pattern\": \"^[+-]?" NUMBER DUR_UNITS "$\", "
	  "\"description\": \"a signed duration such as \\\"-20us\\\"\"}" },
	{ "frequency", "{\"type\": \"string\", \"pattern\": \"^" NUMBER "(Hz|kHz|MHz|GHz)$\", "
	  "\"description\": \"a frequency such as \\\"3GHz\\\" (Hz, kHz, MHz, GHz)\"}" },
	{ "offset", "{\"type\": \"string\", \"pattern\": \"^[+-]?" NUMBER "(ppm|ppb)$\", "
	  "\"description\": \"a fractional offset such as \\\"+20ppm\\\" or \\\"-50ppb\\\"\"}" },
	{ "fraction", "{\"type\": \"string\", \"pattern\": \"^[+-]?" NUMBER "(%|ppm|ppb)$\", "
	  "\"description\": \"a fraction such as \\\"0.5%\\\" or \\\"5000ppm\\\"\"}" },
	{ "name", "{\"type\": \"string\", \"pattern\": \"^[A-Za-z0-9_.-]{1,31}$\", "
	  "\"description\": \"a name: 1 to 31 of A-Z a-z 0-9 _ - .\"}" },
	{ "uint_string", "{\"type\": \"string\", \"pattern\": \"^([0-9]+|0[xX][0-9a-fA-F]+)$\", "
	  "\"description\": \"an unsigned integer literal, decimal or hex with 0x, up to "
	  "2^64-1\"}" },
	{ "s64", "{\"anyOf\": [{\"type\": \"integer\", \"minimum\": -9007199254740992, "
	  "\"maximum\": 9007199254740992}, {\"type\": \"string\", \"pattern\": \"^[+-]?[0-9]+$\"}], "
	  "\"description\": \"a signed integer, or a decimal one in a string up to "
	  "|2^63-1|\"}" },
	{ "utc", "{\"anyOf\": [{\"type\": \"integer\", \"minimum\": 0, \"maximum\": 16725225599}, "
	  "{\"type\": \"string\", \"pattern\": \"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:"
	  "[0-9]{2}(\\\\.[0-9]{1,9})?[Zz]$\"}], \"description\": \"seconds since 1970, or a UTC "
	  "time such as \\\"2026-01-01T00:00:00Z\\\"\"}" },
	{ "cpus", "{\"anyOf\": [{\"const\": \"all\"}, {\"type\": \"array\", \"minItems\": 1, "
	  "\"uniqueItems\": true, \"items\": {\"type\": \"integer\", \"minimum\": 0, "
	  "\"maximum\": 511}}], \"description\": \"\\\"all\\\" or distinct CPU indices\"}" },
	{ "vcpus", "{\"anyOf\": [{\"const\": \"all\"}, {\"type\": \"array\", \"minItems\": 1, "
	  "\"uniqueItems\": true, \"items\": {\"type\": \"integer\", \"minimum\": 0, "
	  "\"maximum\": 63}}], \"description\": \"\\\"all\\\" or distinct vCPU indices\"}" },
	{ "cstate", "{\"anyOf\": [{\"type\": \"integer\", \"minimum\": 1, \"maximum\": 10}, "
	  "{\"type\": \"string\", \"pattern\": \"^C([1-9]|10)$\"}], "
	  "\"description\": \"a C-state: 1 to 10, or \\\"C1\\\" to \\\"C10\\\"\"}" },
	{ "threshold", "{\"anyOf\": [{\"$ref\": \"#/$defs/offset\"}, "
	  "{\"$ref\": \"#/$defs/signed_duration\"}], "
	  "\"description\": \"in the check's unit: an offset or a signed duration\"}" },
	{ "worst", "{\"type\": \"object\", \"additionalProperties\": false, \"properties\": {"
	  "\"min\": {\"$ref\": \"#/$defs/worst_bound\"}, \"max\": {\"$ref\": \"#/$defs/worst_bound\"}}, "
	  "\"description\": \"bounds on the worst value, in the check's unit\"}" },
	{ "worst_bound", "{\"anyOf\": [{\"$ref\": \"#/$defs/offset\"}, "
	  "{\"$ref\": \"#/$defs/signed_duration\"}, {\"type\": \"integer\", \"minimum\": 0}]}" },
	{ "wall_clock", "{\"type\": \"string\", \"pattern\": \"^(boot|every " NUMBER DUR_UNITS ")$\", "
	  "\"description\": \"\\\"boot\\\" or \\\"every <duration>\\\"\"}" },
	{ "command", "{\"type\": \"string\", \"maxLength\": 95, \"pattern\": \"^[ -~]*[!-~][ -~]*$\", "
	  "\"description\": \"a qtest command such as \\\"outb 0x43 0x34\\\" (docs/qtest.md)\"}" },
	{ "irqs", "{\"type\": \"array\", \"maxItems\": 8, \"items\": {\"type\": \"string\", "
	  "\"pattern\": \"^(raise|lower) ([0-9]|1[0-9]|2[0-3])$\"}, "
	  "\"description\": \"interrupt events: \\\"raise N\\\" or \\\"lower N\\\", N from 0 to "
	  "23\"}" },
};
_Static_assert(SCN_NAME_MAX == 32 && SCN_MAX_HOST_CPUS == 512 && SCN_MAX_VCPUS == 1024 &&
	       SCN_MAX_CSTATE == 10 && SCN_COMMAND_MAX == 96 && SCN_MAX_IRQ_EVENTS == 8 &&
	       UTC_START_LIMIT_S == 16725225600ULL, "the $defs above spell these limits out");

/* What goes wrong while building: the first problem, for the caller. */
struct gen {
	char err[200];
	bool placed;                /* err names the table */
};

static bool has_def(const char *name)
{
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
		if (strcmp(defs[i].name, name) == 0)
			return true;
	return false;
}

static cJSON *num(uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	return cJSON_CreateRaw(s);
}

static cJSON *ref(const char *def)
{
	char s[64];
	cJSON *o = cJSON_CreateObject();

	snprintf(s, sizeof(s), "#/$defs/%s", def);
	cJSON_AddStringToObject(o, "$ref", s);
	return o;
}

static cJSON *int_range(uint64_t min, uint64_t max)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "type", "integer");
	cJSON_AddItemToObject(o, "minimum", num(min));
	cJSON_AddItemToObject(o, "maximum", num(max < MAX_U53 ? max : MAX_U53));
	return o;
}

static cJSON *name_enum(const char *const names[])
{
	cJSON *o = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(o, "enum");

	for (unsigned i = 0; names && names[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(names[i]));
	return o;
}

/* A value read as type t, with f's limits and names (ranged: f's min and max bound it). */
static cJSON *typed(struct gen *g, enum field_type t, const struct field *f, bool ranged)
{
	const char *def = NULL;
	bool string_default;
	cJSON *o, *a;

	switch (field_schema_form(t, ranged ? f->min : 0, &def, &string_default)) {
	case FORM_REF:
		return ref(def);
	case FORM_TEXT:
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "string");
		if (f->min)
			cJSON_AddItemToObject(o, "minLength", num(f->min));
		cJSON_AddItemToObject(o, "maxLength", num(f->max - 1));
		/* issue 12's rule for every string: no control character (C0, DEL, C1) */
		cJSON_AddStringToObject(o, "pattern", "^[^\\u0000-\\u001f\\u007f-\\u009f]*$");
		return o;
	case FORM_INT:
		return ranged ? int_range(f->min, f->max) : int_range(0, MAX_U53);
	case FORM_INT_OR_STRING:
		o = cJSON_CreateObject();
		a = cJSON_AddArrayToObject(o, "anyOf");
		cJSON_AddItemToArray(a, int_range(0, ranged ? f->max : MAX_U53));
		cJSON_AddItemToArray(a, ref("uint_string"));
		return o;
	case FORM_EITHER:
		o = cJSON_CreateObject();
		a = cJSON_AddArrayToObject(o, "enum");
		cJSON_AddItemToArray(a, num(f->min));
		cJSON_AddItemToArray(a, num(f->max));
		return o;
	case FORM_BOOL:
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "boolean");
		return o;
	case FORM_ENUM:
		return name_enum(f->names);
	case FORM_CUSTOM:
		break;
	}
	snprintf(g->err, sizeof(g->err), "key \"%s\": .like names no type with a schema", f->key);
	return NULL;
}

static cJSON *array_of(cJSON *items, uint64_t min, uint64_t max)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "type", "array");
	cJSON_AddItemToObject(o, "minItems", num(min));
	if (max)
		cJSON_AddItemToObject(o, "maxItems", num(max));
	cJSON_AddItemToObject(o, "items", items);
	return o;
}

/* Which rows of a table: all (the context's own keys by tag), or those of one context. */
enum rows_of {
	ROWS_ALL,           /* every row; a tagged table's contexts in "if"/"then" */
	ROWS_CONTEXT,       /* the rows allowed in a context */
	ROWS_THEN,          /* as ROWS_CONTEXT, but the common rows are checked elsewhere */
};

static cJSON *table_schema(struct gen *g, const struct field_table *t, unsigned only,
			   enum rows_of which);

/* The value of row f. */
static cJSON *row_schema(struct gen *g, const struct field *f)
{
	cJSON *o, *item, *props, *keys;
	const char *name;
	unsigned bits;

	if (f->type != F_CUSTOM) {
		o = typed(g, f->type, f, true);
		/* a plain integer's noun ("a vCPU count"); a $defs entry has its own words */
		if (o && f->what && !cJSON_GetObjectItemCaseSensitive(o, "$ref"))
			cJSON_AddStringToObject(o, "description", f->what);
		if (o && f->dflt) {
			const char *def;
			bool str;

			field_schema_form(f->type, 0, &def, &str);
			cJSON_AddItemToObject(o, "default", str ? cJSON_CreateString(f->dflt)
								 : cJSON_CreateRaw(f->dflt));
		}
		return o;
	}
	if (f->sub) {
		switch (f->nest) {
		case NEST_OBJECT:
			return table_schema(g, f->sub, 0, ROWS_ALL);
		case NEST_ARRAY:
			item = table_schema(g, f->sub, 0, ROWS_ALL);
			if (item && f->shape && !has_def(f->shape)) {
				snprintf(g->err, sizeof(g->err), "key \"%s\": unknown .shape \"%s\"",
					 f->key, f->shape);
				cJSON_Delete(item);
				return NULL;
			}
			if (item && f->shape) {
				cJSON *alt = cJSON_CreateObject(), *any = cJSON_AddArrayToObject(alt, "anyOf");

				cJSON_AddItemToArray(any, ref(f->shape));
				cJSON_AddItemToArray(any, item);
				item = alt;
			}
			return item ? array_of(item, f->min, f->max) : NULL;
		case NEST_MAP:
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "type", "object");
			cJSON_AddFalseToObject(o, "additionalProperties");
			props = cJSON_AddObjectToObject(o, "properties");
			for (unsigned i = 0; f->sub->context && (name = f->sub->context(i, &bits)); i++) {
				item = table_schema(g, f->sub, bits, ROWS_CONTEXT);
				if (!item) {
					cJSON_Delete(o);
					return NULL;
				}
				cJSON_AddItemToObject(props, name, item);
			}
			return o;
		case NEST_KEYS:
			item = cJSON_CreateObject();
			keys = cJSON_AddArrayToObject(item, "enum");
			for (unsigned i = 0; i < f->sub->nrows; i++)
				cJSON_AddItemToArray(keys, cJSON_CreateString(f->sub->rows[i].key));
			o = array_of(item, f->min, f->max);
			cJSON_AddTrueToObject(o, "uniqueItems");
			return o;
		}
	}
	if (f->like != F_CUSTOM && f->list) {
		item = typed(g, f->like, f, false);
		return item ? array_of(item, f->min, f->max) : NULL;
	}
	if (f->like != F_CUSTOM)
		return typed(g, f->like, f, true);
	if (f->shape && has_def(f->shape))
		return ref(f->shape);
	snprintf(g->err, sizeof(g->err), "key \"%s\" (F_CUSTOM) has no .sub, .like or known .shape",
		 f->key);
	return NULL;
}

static bool in_array(const cJSON *a, const char *s)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, a)
		if (strcmp(e->valuestring, s) == 0)
			return true;
	return false;
}

/*
 * An object whose keys are the rows of t: every row (ROWS_ALL; with a tag,
 * each context's own keys in an "if"/"then" on it), or a context's (only).
 */
static cJSON *table_schema(struct gen *g, const struct field_table *t, unsigned only,
			   enum rows_of which)
{
	cJSON *o = cJSON_CreateObject(), *props, *req, *v;
	char desc[128];
	bool tagged = which == ROWS_ALL && t->tag && t->context;

	snprintf(desc, sizeof(desc), "docs/scenario-format.md, section \"%s\"", t->doc);
	cJSON_AddStringToObject(o, "description", desc);
	cJSON_AddStringToObject(o, "type", "object");
	cJSON_AddFalseToObject(o, "additionalProperties");
	props = cJSON_AddObjectToObject(o, "properties");
	req = cJSON_CreateArray();
	for (unsigned i = 0; i < t->nrows; i++) {
		const struct field *f = &t->rows[i];
		bool elsewhere = (tagged && f->only) || (which == ROWS_THEN && !f->only);

		if ((which != ROWS_ALL && f->only && !(f->only & only)) ||
		    cJSON_GetObjectItemCaseSensitive(props, f->key))
			continue;
		/* a key checked elsewhere: a context's own by its "then", a common one outside */
		v = elsewhere ? cJSON_CreateTrue() : row_schema(g, f);
		if (!v) {
			if (!g->placed) {
				char e[sizeof(g->err)];

				snprintf(e, sizeof(e), "%s", g->err);
				snprintf(g->err, sizeof(g->err), "table \"%s\": %.150s", t->doc, e);
				g->placed = true;
			}
			cJSON_Delete(o);
			cJSON_Delete(req);
			return NULL;
		}
		cJSON_AddItemToObject(props, f->key, v);
		if (f->required && !elsewhere && !in_array(req, f->key))
			cJSON_AddItemToArray(req, cJSON_CreateString(f->key));
	}
	if (cJSON_GetArraySize(req))
		cJSON_AddItemToObject(o, "required", req);
	else
		cJSON_Delete(req);
	if (tagged) {
		cJSON *each = cJSON_AddArrayToObject(o, "allOf");
		const char *name;
		unsigned bits;

		for (unsigned c = 0; (name = t->context(c, &bits)); c++) {
			cJSON *rule = cJSON_CreateObject(), *cond, *then;

			cond = cJSON_AddObjectToObject(rule, "if");
			v = cJSON_AddObjectToObject(cJSON_AddObjectToObject(cond, "properties"), t->tag);
			cJSON_AddStringToObject(v, "const", name);
			cJSON_AddItemToArray(cJSON_AddArrayToObject(cond, "required"),
					     cJSON_CreateString(t->tag));
			then = table_schema(g, t, bits, ROWS_THEN);
			if (!then) {
				cJSON_Delete(rule);
				cJSON_Delete(o);
				return NULL;
			}
			cJSON_DeleteItemFromObject(then, "description");
			cJSON_AddItemToObject(rule, "then", then);
			cJSON_AddItemToArray(each, rule);
		}
	}
	return o;
}

/* ---- printing: two-space indents, arrays of scalars on one line ---- */

struct out {
	char *buf;
	size_t len, cap;
	bool oom;
};

static void put(struct out *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 4096) + n;
		char *p = realloc(b->buf, cap);

		if (!p) {
			b->oom = true;
			return;
		}
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

static void puts_(struct out *b, const char *s)
{
	put(b, s, strlen(s));
}

static void indent(struct out *b, unsigned depth)
{
	for (unsigned i = 0; i < depth; i++)
		puts_(b, "  ");
}

static void put_string(struct out *b, const char *s)
{
	cJSON *tmp = cJSON_CreateString(s);
	char *q = tmp ? cJSON_PrintUnformatted(tmp) : NULL;

	if (q)
		puts_(b, q);
	else
		b->oom = true;
	free(q);
	cJSON_Delete(tmp);
}

static bool flat(const cJSON *a)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, a)
		if (cJSON_IsObject(e) || cJSON_IsArray(e))
			return false;
	return true;
}

static void print(struct out *b, const cJSON *v, unsigned depth)
{
	const cJSON *e;

	if (cJSON_IsObject(v) || (cJSON_IsArray(v) && !flat(v))) {
		bool obj = cJSON_IsObject(v);

		if (!v->child) {
			puts_(b, obj ? "{}" : "[]");
			return;
		}
		puts_(b, obj ? "{\n" : "[\n");
		cJSON_ArrayForEach(e, v) {
			indent(b, depth + 1);
			if (obj) {
				put_string(b, e->string);
				puts_(b, ": ");
			}
			print(b, e, depth + 1);
			puts_(b, e->next ? ",\n" : "\n");
		}
		indent(b, depth);
		puts_(b, obj ? "}" : "]");
	} else if (cJSON_IsArray(v)) {
		puts_(b, "[");
		cJSON_ArrayForEach(e, v) {
			print(b, e, depth);
			if (e->next)
				puts_(b, ", ");
		}
		puts_(b, "]");
	} else if (cJSON_IsString(v)) {
		put_string(b, v->valuestring);
	} else if (cJSON_IsRaw(v)) {
		puts_(b, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		char *n = cJSON_PrintUnformatted(v);

		if (n)
			puts_(b, n);
		else
			b->oom = true;
		free(n);
	} else {
		puts_(b, cJSON_IsTrue(v) ? "true" : cJSON_IsFalse(v) ? "false" : "null");
	}
}

char *scenario_schema_json(char *err, size_t errlen)
{
	struct field top_rows[TOP_ROWS_MAX];
	struct field_table top;
	struct gen g = { "", false };
	struct out b = { NULL, 0, 0, false };
	cJSON *root, *body, *d;

	top_level_table(top_rows, &top);
	body = table_schema(&g, &top, 0, true);
	if (!body) {
		snprintf(err, errlen, "%s", g.err);
		return NULL;
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "$schema", SCHEMA_DIALECT);
	cJSON_AddStringToObject(root, "title", "sim scenario");
	cJSON_AddStringToObject(root, "description",
				"A scenario for sim (docs/scenario-format.md). Generated by `sim schema` "
				"from the loader's field tables: do not edit.");
	cJSON_DeleteItemFromObject(body, "description");
	for (cJSON *e = body->child; e;) {
		cJSON *next = e->next;

		cJSON_AddItemToObject(root, e->string, cJSON_DetachItemViaPointer(body, e));
		e = next;
	}
	cJSON_Delete(body);
	d = cJSON_AddObjectToObject(root, "$defs");
	for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++) {
		cJSON *v = cJSON_Parse(defs[i].json);

		if (!v) {
			snprintf(err, errlen, "$defs/%s is not JSON", defs[i].name);
			cJSON_Delete(root);
			return NULL;
		}
		cJSON_AddItemToObject(d, defs[i].name, v);
	}
	print(&b, root, 0);
	puts_(&b, "\n");
	cJSON_Delete(root);
	if (b.oom) {
		free(b.buf);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return b.buf;
}
