/* sim-trace v1 lines into typed records: see trace_line.h and docs/trace-format.md. */
#include "sim/judge/trace_line.h"

#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define B(f) JT_BIT(f)

static const struct {
	const char *name;
	enum jt_use use;
} types[] = {
#define JT_ROW(id, name, use) [id] = { name, use },
	JT_LINE_TYPES(JT_ROW)
#undef JT_ROW
};

_Static_assert(N(types) == JT_TYPE_COUNT, "one row per line type");

static const struct {
	const char *key;
	size_t len;
	enum jt_kind kind;
} fields[] = {
#define JT_FIELD_ROW(id, key, kind) [id] = { key, sizeof(key) - 1, kind },
	JT_FIELDS(JT_FIELD_ROW)
#undef JT_FIELD_ROW
};

_Static_assert(N(fields) == JT_FIELD_COUNT, "one row per field");

/* Each type's fields: those it requires, and all it defines (a superset). */
static const struct {
	uint64_t required, known;
} sets[] = {
	[JT_HEADER] = {
		B(F_FORMAT) | B(F_VERSION) | B(F_PRODUCER),
		B(F_FORMAT) | B(F_VERSION) | B(F_PRODUCER) | B(F_REF_NAME) | B(F_REF_UNIT) |
		B(F_CLOCKS) | B(F_GUEST_CLOCKS) | B(F_IGNORE_TYPES) | B(F_CPUS) | B(F_TSC_KHZ) |
		B(F_RATIO_BITS) | B(F_SCENARIO) | B(F_SEED) | B(F_SRC) | B(F_VMS),
	},
	[JT_READ] = {
		B(F_VCPU) | B(F_SEQ) | B(F_CLOCK),
		B(F_VCPU) | B(F_SEQ) | B(F_CLOCK) | B(F_VALUE_NS) | B(F_VALUE) | B(F_REF_BEFORE) |
		B(F_REF_AFTER) | B(F_ORDER) | B(F_SRC) | B(F_VM) | B(F_THREAD),
	},
	[JT_PVCLOCK] = {
		B(F_VCPU) | B(F_VERSION) | B(F_TSC_TIMESTAMP) | B(F_SYSTEM_TIME) | B(F_MUL) |
		B(F_SHIFT) | B(F_FLAGS),
		B(F_VCPU) | B(F_VERSION) | B(F_TSC_TIMESTAMP) | B(F_SYSTEM_TIME) | B(F_MUL) |
		B(F_SHIFT) | B(F_FLAGS) | B(F_REF) | B(F_SRC) | B(F_VM),
	},
	[JT_TSC_OFFSET] = {
		B(F_VCPU) | B(F_NEXT),
		B(F_VCPU) | B(F_NEXT) | B(F_PREV) | B(F_RATIO) | B(F_RATIO_BITS) | B(F_REF) | B(F_SRC) |
		B(F_VM),
	},
	[JT_MASTERCLOCK] = {
		B(F_USE_MASTER),
		B(F_USE_MASTER) | B(F_HOST_CLOCK) | B(F_OFFSET_MATCHED) | B(F_HOST_TSC) |
		B(F_HOST_NS) | B(F_REF) | B(F_SRC) | B(F_VM),
	},
	[JT_TRACK_TSC] = {
		B(F_VCPU) | B(F_NR_MATCHED) | B(F_ONLINE_VCPUS) | B(F_USE_MASTER),
		B(F_VCPU) | B(F_NR_MATCHED) | B(F_ONLINE_VCPUS) | B(F_USE_MASTER) | B(F_HOST_CLOCK) |
		B(F_REF) | B(F_SRC) | B(F_VM),
	},
	[JT_WATCHDOG] = {
		B(F_CS) | B(F_WD) | B(F_CS_NSEC) | B(F_WD_NSEC),
		B(F_CS) | B(F_WD) | B(F_CS_NSEC) | B(F_WD_NSEC) | B(F_VCPU) | B(F_CS_NOW) |
		B(F_CS_LAST) | B(F_WD_NOW) | B(F_WD_LAST) | B(F_MASK) | B(F_VERDICT) | B(F_REF) |
		B(F_SRC) | B(F_VM),
	},
	[JT_GUEST_RUN] = {
		B(F_REF) | B(F_RUNNING),
		B(F_REF) | B(F_RUNNING) | B(F_ACTION) | B(F_VM_CLOCK) | B(F_SRC) | B(F_VM),
	},
	/* sim's other records: only their time is read; the schema has their fields */
	[JT_IRQ_EDGE] = { B(F_REF), B(F_REF) | B(F_SRC) },
	[JT_DEVICE_ACCESS] = { B(F_REF), B(F_REF) | B(F_SRC) },
	[JT_VMM_PHASE] = { B(F_REF), B(F_REF) | B(F_SRC) },
	[JT_GUEST_TIMER] = { B(F_REF), B(F_REF) | B(F_SRC) },
	[JT_VIOLATION] = { B(F_REF), B(F_REF) | B(F_SRC) },
};

_Static_assert(N(sets) == JT_TYPE_COUNT, "one field set per line type");

const char *jt_type_name(enum jt_type t)
{
	return (unsigned)t < JT_TYPE_COUNT ? types[t].name : NULL;
}

enum jt_use jt_type_use(enum jt_type t)
{
	return (unsigned)t < JT_TYPE_COUNT ? types[t].use : JT_IGNORED;
}

enum jt_type jt_type_by_name(const struct jl_value *v)
{
	for (unsigned t = 0; t < JT_TYPE_COUNT; t++)
		if (jl_is(v, types[t].name))
			return (enum jt_type)t;
	return JT_UNKNOWN;
}

/* The field of set `known` whose key is k, or JT_FIELD_COUNT. */
static enum jt_field field_of(uint64_t known, const struct jl_value *k)
{
	for (unsigned f = 0; f < JT_FIELD_COUNT; f++) {
		if (!(known & B(f)))
			continue;
		if (k->escaped ? jl_is(k, fields[f].key) :
		    fields[f].len == k->n && fields[f].key[0] == k->p[0] &&
		    memcmp(fields[f].key, k->p, k->n) == 0)
			return (enum jt_field)f;
	}
	return JT_FIELD_COUNT;
}

static bool at(struct sim_diag *d, const char *line, size_t off, unsigned lineno,
	       const char *key, const char *msg)
{
	char path[80];

	sim_diag_fail(d, "%s", msg);
	sim_diag_set_pos(d, lineno, (unsigned)off + 1);
	if (key) {
		snprintf(path, sizeof(path), "/%s", key);
		sim_diag_set_path(d, path);
	}
	(void)line;
	return false;
}

static const char *kind_words(enum jt_kind k)
{
	static const char *const words[] = {
		[JF_U64] = "expected an integer >= 0 (a JSON number, a decimal string or a \"0x\" "
			   "hex string)",
		[JF_I64] = "expected an integer (a JSON number, a decimal string or a \"0x\" hex "
			   "string)",
		[JF_BOOL] = "expected true or false",
		[JF_STR] = "expected a string",
		[JF_ARRAY] = "expected an array",
	};

	return words[k];
}

/* One member's value into out, by its field's kind (why only on a failure: this is hot). */
static bool take(struct jt_line *out, enum jt_field f, const struct jl_value *v, char *why,
		 size_t len)
{
	enum jt_kind k = fields[f].kind;
	int64_t i;

	switch (k) {
	case JF_U64:
		return jl_u64(v, &out->u[f], why, len);
	case JF_I64:
		if (!jl_i64(v, &i, why, len))
			return false;
		out->u[f] = (uint64_t)i;
		return true;
	case JF_BOOL:
		out->u[f] = v->type == JL_TRUE;
		if (v->type == JL_TRUE || v->type == JL_FALSE)
			return true;
		break;
	case JF_STR:
	case JF_ARRAY:
		out->s[f] = *v;
		if (v->type == (k == JF_STR ? JL_STRING : JL_ARRAY))
			return true;
		break;
	}
	snprintf(why, len, "%s", kind_words(k));
	return false;
}

bool jt_parse(const char *line, size_t n, unsigned lineno, struct jt_line *out,
	      struct sim_diag *d)
{
	struct jl_iter it;
	struct jl_value k, v;
	struct jl_error e;
	uint64_t known, missing;
	char why[160];
	int r;

	out->have = 0;
	out->type = JT_UNKNOWN;
	if (!jl_begin(&it, line, n, false, &e))
		return at(d, line, e.off, lineno, NULL, "expected one JSON object on the line");
	/* the type first: it says which fields there are (producers put it first; any place works) */
	while ((r = jl_next(&it, &k, &v, &e)) == 1) {
		if (!jl_is(&k, "type"))
			continue;
		if (v.type != JL_STRING)
			return at(d, line, jl_offset(&it, &v), lineno, "type", "expected a string");
		out->type = jt_type_by_name(&v);
		out->s[F_TYPE] = v;
		out->have |= B(F_TYPE);
		break;
	}
	if (r < 0)
		return at(d, line, e.off, lineno, NULL, e.msg);
	if (!(out->have & B(F_TYPE)))
		return at(d, line, 0, lineno, NULL, "a line without \"type\"");
	if (out->type == JT_UNKNOWN)
		return true;
	known = sets[out->type].known;
	jl_begin(&it, line, n, false, &e);
	while ((r = jl_next(&it, &k, &v, &e)) == 1) {
		enum jt_field f = field_of(known, &k);

		if (f == JT_FIELD_COUNT || f == F_TYPE)
			continue;
		if (!take(out, f, &v, why, sizeof(why)))
			return at(d, line, jl_offset(&it, &v), lineno, fields[f].key, why);
		out->have |= B(f);
		out->col[f] = (uint16_t)(jl_offset(&it, &v) + 1);
	}
	if (r < 0)
		return at(d, line, e.off, lineno, NULL, e.msg);
	missing = sets[out->type].required & ~out->have;
	if (missing) {
		unsigned f = (unsigned)__builtin_ctzll(missing);

		snprintf(why, sizeof(why), "a \"%s\" line needs \"%s\"", types[out->type].name,
			 fields[f].key);
		return at(d, line, 0, lineno, NULL, why);
	}
	return true;
}
