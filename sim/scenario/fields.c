/*
 * load_fields(): one driver for every field table.  A row names a key, how
 * its value is read and where it goes; its default is text in the file's own
 * syntax, read by the same reader as a value from the file, so a default can
 * never say something the file could not.
 */
#include "sim/scenario/loader_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/core/units.h"
#include "sim/scenario/schema.h"

/* How each type reads, and how the docs and the schema (schema_json.c) write it. */
static const struct {
	const char *doc;            /* the docs' "type" column, roughly */
	bool string_default;        /* the default is a JSON string ("20us"), else JSON text ("3") */
	enum schema_form form;      /* how the schema writes a value */
	const char *def;            /* FORM_REF: the schema's $defs entry */
	const char *def_above_0;    /* ... for a row whose .min is above 0, if it differs */
} field_types[] = {
	[F_CUSTOM] = { "custom", false, FORM_CUSTOM, NULL, NULL },
	[F_TEXT] = { "string", true, FORM_TEXT, NULL, NULL },
	[F_NAME] = { "name", true, FORM_REF, "name", NULL },
	[F_DURATION_PS] = { "duration", true, FORM_REF, "duration", "duration_above_0" },
	[F_DURATION_NS] = { "duration (ns)", true, FORM_REF, "duration", NULL },
	[F_SIGNED_PS] = { "signed duration", true, FORM_REF, "signed_duration", NULL },
	[F_SIGNED_NS] = { "signed duration, whole ns", true, FORM_REF, "signed_duration", NULL },
	[F_FREQ] = { "frequency", true, FORM_REF, "frequency", NULL },
	[F_PPB] = { "offset", true, FORM_REF, "offset", NULL },
	[F_UINT] = { "integer", false, FORM_INT, NULL, NULL },
	[F_U32] = { "integer", false, FORM_INT, NULL, NULL },
	[F_U64] = { "integer", false, FORM_INT, NULL, NULL },
	[F_UINT_HEX] = { "integer or string", true, FORM_INT_OR_STRING, NULL, NULL },
	[F_U64_HEX] = { "integer or string", true, FORM_INT_OR_STRING, NULL, NULL },
	[F_EITHER] = { "integer", false, FORM_EITHER, NULL, NULL },
	[F_BOOL] = { "boolean", false, FORM_BOOL, NULL, NULL },
	[F_TRISTATE] = { "boolean", false, FORM_BOOL, NULL, NULL },
	[F_ENUM] = { "enum", true, FORM_ENUM, NULL, NULL },
	[F_ENUM_BOOL] = { "enum", true, FORM_ENUM, NULL, NULL },
	[F_UTC] = { "integer or string", true, FORM_REF, "utc", NULL },
};
_Static_assert(sizeof(field_types) / sizeof(field_types[0]) == F_TYPE_COUNT,
	       "one entry per field type");

/* "1MHz", "31.5kHz", "10GHz": hz in the largest unit that keeps it short. */
static const char *fmt_hz(char *dst, size_t len, uint64_t hz)
{
	static const struct {
		const char *name;
		uint64_t scale;
	} units[] = { { "GHz", 1000000000 }, { "MHz", 1000000 }, { "kHz", 1000 }, { "Hz", 1 } };
	size_t u = 0;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && hz < units[u].scale)
		u++;
	if (hz % units[u].scale == 0)
		snprintf(dst, len, "%" PRIu64 "%s", hz / units[u].scale, units[u].name);
	else
		snprintf(dst, len, "%" PRIu64 "Hz", hz);
	return dst;
}

/* The value v (present) of row f into p. */
static bool read_value(struct loader *ld, const struct node *v, const struct field *f, void *p)
{
	char a[32], b[32], range[80];
	uint64_t x = 0;
	unsigned u = 0;
	bool bit = false;

	switch (f->type) {
	case F_CUSTOM:
	case F_TYPE_COUNT:
		return true;
	case F_TEXT:
		return read_text(ld, v, p, (size_t)f->max);
	case F_NAME:
		return read_name(ld, v, p, SCN_NAME_MAX);
	case F_DURATION_PS:
		if (!read_duration_ps(ld, v, p))
			return false;
		memcpy(&x, p, sizeof(x));
		if (x >= f->min)
			return true;
		if (f->min == 1)
			return fail(ld, v->path, "expected a %s above 0, got \"%s\"", f->what,
				    v->json->valuestring);
		return fail(ld, v->path, "expected a %s of at least %s, got %s", f->what,
			    fmt_ps(a, sizeof(a), 1, f->min), fmt_ps(b, sizeof(b), 1, x));
	case F_DURATION_NS:
		return read_duration_ns(ld, v, p);
	case F_SIGNED_PS:
		return read_signed_ps(ld, v, p);
	case F_SIGNED_NS:
		return read_signed_ns(ld, v, p);
	case F_FREQ:
		snprintf(range, sizeof(range), "%s to %s", fmt_hz(a, sizeof(a), f->min),
			 fmt_hz(b, sizeof(b), f->max));
		return read_freq(ld, v, f->min, f->max, range, p);
	case F_PPB:
		return read_ppb(ld, v, (int64_t)f->max, p);
	case F_UINT:
		return read_uint(ld, v, (unsigned)f->min, (unsigned)f->max, f->what, p);
	case F_U32:
		if (!read_int(ld, v, f->min, f->max, f->what, &x))
			return false;
		*(uint32_t *)p = (uint32_t)x;
		return true;
	case F_U64:
		return read_int(ld, v, f->min, f->max, f->what, p);
	case F_UINT_HEX:
		if (!read_u64(ld, v, f->what, f->max, &x))
			return false;
		*(unsigned *)p = (unsigned)x;
		return true;
	case F_U64_HEX:
		return read_u64(ld, v, f->what, f->max, p);
	case F_EITHER:
		return read_either(ld, v, (unsigned)f->min, (unsigned)f->max, f->what, p);
	case F_BOOL:
		return read_bool(ld, v, p);
	case F_TRISTATE:
		if (!read_bool(ld, v, &bit))
			return false;
		*(enum scn_tristate *)p = bit ? SCN_TRUE : SCN_FALSE;
		return true;
	case F_ENUM:
		/* every enum here is int-sized (checked below); stored through unsigned */
		if (!read_enum(ld, v, f->names, &u))
			return false;
		memcpy(p, &u, sizeof(u));
		return true;
	case F_ENUM_BOOL:
		if (!read_enum(ld, v, f->names, &u))
			return false;
		*(bool *)p = u == 1;
		return true;
	case F_UTC:
		return read_utc_start(ld, v, p);
	}
	return true;
}
_Static_assert(sizeof(enum scn_clocksource) == sizeof(unsigned) &&
	       sizeof(enum kvm_version) == sizeof(unsigned), "enums are stored as unsigned");

enum schema_form field_schema_form(enum field_type t, uint64_t min, const char **def,
				   bool *string_default)
{
	*def = min && field_types[t].def_above_0 ? field_types[t].def_above_0 : field_types[t].def;
	*string_default = field_types[t].string_default;
	return field_types[t].form;
}

bool load_field_default(struct loader *ld, const struct node *o, const struct field *f,
			const char *dflt, void *base)
{
	void *p = (char *)base + f->offset;
	struct node v;
	bool ok;

	join_key(v.path, o->path, f->key);
	v.json = field_types[f->type].string_default ? cJSON_CreateString(dflt)
						     : cJSON_Parse(dflt);
	if (!v.json)
		return fail(ld, v.path, "out of memory");
	ok = read_value(ld, &v, f, p);
	cJSON_Delete((cJSON *)v.json);
	return ok;
}

static bool allowed(const struct field *f, unsigned only)
{
	return !f->only || (f->only & only);
}

const struct field *field_row(const struct field_table *t, const char *key, unsigned only)
{
	for (unsigned i = 0; i < t->nrows; i++)
		if (allowed(&t->rows[i], only) && strcmp(t->rows[i].key, key) == 0)
			return &t->rows[i];
	return NULL;
}

/* The distinct keys of t allowed in context only (or every key when all), NULL-terminated. */
static void table_keys(const struct field_table *t, unsigned only, bool all,
		       const char *keys[], size_t cap)
{
	size_t n = 0;

	for (unsigned i = 0; i < t->nrows && n + 1 < cap; i++) {
		bool dup = false;

		if (!all && !allowed(&t->rows[i], only))
			continue;
		for (size_t j = 0; j < n; j++)
			dup |= strcmp(keys[j], t->rows[i].key) == 0;
		if (!dup)
			keys[n++] = t->rows[i].key;
	}
	keys[n] = NULL;
}

#define MAX_KEYS 48

bool load_fields(struct loader *ld, const struct node *o, const struct field_table *t,
		 unsigned only, const char *context, void *base, uint64_t *seen)
{
	const char *keys[MAX_KEYS], *all[MAX_KEYS];
	bool ok = true;

	if (seen)
		*seen = 0;
	ld->bad_rows = 0;
	if (o->json && !cJSON_IsObject(o->json))
		return type_error(ld, o, "an object");
	if (o->json) {
		table_keys(t, only, false, keys, MAX_KEYS);
		table_keys(t, only, true, all, MAX_KEYS);
		ok = read_object_in(ld, o, keys, context ? all : NULL, context);
	}
	/* after a bad value, the other rows are still read: each error is reported */
	for (unsigned i = 0; i < t->nrows && !ld->stop; i++) {
		const struct field *f = &t->rows[i];
		void *p = (char *)base + f->offset;
		struct node v;

		if (!allowed(f, only))
			continue;
		v.json = NULL;
		if (o->json && !node_get(ld, o, f->key, f->required, &v)) {
			ld->bad_rows |= 1ULL << i;
			ok = false;
			continue;
		}
		if (v.json && seen)
			*seen |= 1ULL << i;
		if (v.json ? !read_value(ld, &v, f, p)
			   : f->dflt && f->type != F_CUSTOM &&
			     !load_field_default(ld, o, f, f->dflt, base)) {
			ld->bad_rows |= 1ULL << i;
			ok = false;
		}
	}
	return ok;
}

/* ---- the schema, for tests and docs ---- */

/* The VM's lists' tables (vm_lists) follow vm_table, in the docs' order. */
static const struct field_table *const all_tables[] = {
	&platform_table, &hpet_table, &pmtimer_table, &rtc_table, &access_cost_table, &host_table,
	&socket_table, &ssc_table, &tsc_features_table, &advertise_table, &vm_table, &vms_table,
	&reader_table, &check_table, &script_table, &command_table, &event_table,
	&host_check_table, &devices_table,
	&plugin_table, &lesson_table,
};

static void visit_table(const struct field_table *t,
			void (*visit)(const struct scn_schema_key *k, void *ctx), void *ctx)
{
	for (unsigned i = 0; i < t->nrows; i++) {
		const struct field *f = &t->rows[i];
		struct scn_schema_key k = {
			t->doc, f->key, field_types[f->type].doc, f->dflt, f->required,
			field_types[f->type].string_default,
		};

		visit(&k, ctx);
	}
}

void scenario_schema_visit(void (*visit)(const struct scn_schema_key *k, void *ctx), void *ctx)
{
	struct field top_rows[TOP_ROWS_MAX];
	struct field_table top;

	/* the top level names each of the VM's lists too */
	top_level_table(top_rows, &top);
	visit_table(&top, visit, ctx);
	for (size_t t = 0; t < sizeof(all_tables) / sizeof(all_tables[0]); t++) {
		visit_table(all_tables[t], visit, ctx);
		for (unsigned l = 0; all_tables[t] == &vm_table && l < vm_list_count; l++)
			visit_table(vm_lists[l].fields, visit, ctx);
	}
}
