/* Reading result rows back: sweep_row.h. */
#include "sim/scenario/sweep_row.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/jline.h"

bool sweep_parse_id(const char *hex, uint64_t *id)
{
	uint64_t x = 0;

	if (!hex || strlen(hex) != 16)
		return false;
	for (int i = 0; i < 16; i++) {
		char c = hex[i];

		if (c >= '0' && c <= '9')
			x = x << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x = x << 4 | (uint64_t)(c - 'a' + 10);
		else
			return false;
	}
	*id = x;
	return true;
}

static bool bad(char *why, size_t len, const char *what)
{
	snprintf(why, len, "%s", what);
	return false;
}

/* A string member into dst: false when it is not a string or does not fit. */
static bool str_into(const struct jl_value *v, char *dst, size_t cap)
{
	return v->type == JL_STRING && jl_string(v, dst, cap);
}

/* An integer member: a JSON number without fraction or exponent, exact to 64 bits. */
static bool i64_of(const struct jl_value *v, int64_t *out)
{
	char why[64];

	return v->type == JL_NUMBER && jl_i64(v, out, why, sizeof(why));
}

static bool u64_of(const struct jl_value *v, uint64_t *out)
{
	char why[64];

	return v->type == JL_NUMBER && jl_u64(v, out, why, sizeof(why));
}

/* The keys of a check, each once: the bit of each seen. */
enum { CK_OF = 1, CK_CHECK = 2, CK_MET = 4, CK_WORST = 8, CK_UNIT = 16, CK_ALL = 31 };

static bool parse_check(const struct jl_iter *parent, const struct jl_value *obj,
			struct sweep_row_check *k, char *why, size_t len)
{
	struct jl_iter it;
	struct jl_value key, val;
	struct jl_error e;
	unsigned seen = 0, bit;
	int r;
	bool ok;

	if (obj->type != JL_OBJECT || !jl_enter(&it, parent, obj, &e))
		return bad(why, len, "a check that is not an object");
	while ((r = jl_next(&it, &key, &val, &e)) == 1) {
		if (jl_is(&key, "of")) {
			bit = CK_OF;
			ok = str_into(&val, k->of, sizeof(k->of));
		} else if (jl_is(&key, "check")) {
			bit = CK_CHECK;
			ok = str_into(&val, k->check, sizeof(k->check));
		} else if (jl_is(&key, "unit")) {
			bit = CK_UNIT;
			ok = str_into(&val, k->unit, sizeof(k->unit));
		} else if (jl_is(&key, "worst")) {
			bit = CK_WORST;
			ok = i64_of(&val, &k->worst);
		} else if (jl_is(&key, "met")) {
			bit = CK_MET;
			ok = val.type == JL_TRUE || val.type == JL_FALSE;
			k->met = val.type == JL_TRUE;
		} else {
			continue;          /* a key a later sim adds: not ours to judge */
		}
		if (!ok || (seen & bit))
			return bad(why, len, "a check whose \"of\", \"check\", \"met\", \"worst\" "
				   "(a 64-bit integer) or \"unit\" is wrong or given twice");
		seen |= bit;
	}
	if (r < 0) {
		snprintf(why, len, "%s", e.msg);
		return false;
	}
	if (seen != CK_ALL)
		return bad(why, len, "a check without \"of\", \"check\", \"met\", \"worst\" and "
			   "\"unit\"");
	return true;
}

static bool parse_checks(const struct jl_iter *parent, const struct jl_value *arr,
			 struct sweep_row_view *v, char *why, size_t len)
{
	struct jl_iter it;
	struct jl_value el;
	struct jl_error e;
	int r;

	if (arr->type != JL_ARRAY || !jl_enter(&it, parent, arr, &e))
		return bad(why, len, "\"checks\" is not an array");
	while ((r = jl_next(&it, NULL, &el, &e)) == 1) {
		if (v->nchecks == v->checks_cap) {
			unsigned cap = v->checks_cap ? v->checks_cap * 2 : 16;
			struct sweep_row_check *c = cap > v->checks_cap ?
				realloc(v->checks, (size_t)cap * sizeof(*c)) : NULL;

			if (!c)
				return bad(why, len, "out of memory");
			v->checks = c;
			v->checks_cap = cap;
		}
		if (!parse_check(&it, &el, &v->checks[v->nchecks], why, len))
			return false;
		v->nchecks++;
	}
	if (r < 0) {
		snprintf(why, len, "%s", e.msg);
		return false;
	}
	return true;
}

enum { ROW_ID = 1, ROW_SCENARIO = 2, ROW_SIM = 4, ROW_VERDICT = 8, ROW_SEED = 16,
       ROW_VARY = 32, ROW_CHECKS = 64, ROW_ALL = 127 };

bool sweep_row_parse(const char *line, size_t len, struct sweep_row_view *v, char *why,
		     size_t why_len)
{
	struct jl_iter it;
	struct jl_value key, val;
	struct jl_error e;
	unsigned seen = 0, bit;
	char id[17];
	int r;

	v->id = v->seed = 0;
	v->scenario[0] = v->sim[0] = v->verdict[0] = '\0';
	v->vary = NULL;
	v->vary_len = 0;
	v->nchecks = 0;
	if (!jl_begin(&it, line, len, false, &e))
		return bad(why, why_len, "not a JSON object");
	while ((r = jl_next(&it, &key, &val, &e)) == 1) {
		bool ok = true;

		if (jl_is(&key, "id")) {
			bit = ROW_ID;
			ok = str_into(&val, id, sizeof(id)) && sweep_parse_id(id, &v->id);
			if (!ok)
				return bad(why, why_len, "no \"id\" of 16 lower-case hex digits");
		} else if (jl_is(&key, "scenario")) {
			bit = ROW_SCENARIO;
			ok = str_into(&val, v->scenario, sizeof(v->scenario));
		} else if (jl_is(&key, "sim")) {
			bit = ROW_SIM;
			ok = str_into(&val, v->sim, sizeof(v->sim));
		} else if (jl_is(&key, "verdict")) {
			bit = ROW_VERDICT;
			ok = str_into(&val, v->verdict, sizeof(v->verdict)) &&
			     (!strcmp(v->verdict, "pass") || !strcmp(v->verdict, "fail") ||
			      !strcmp(v->verdict, "error"));
			if (!ok)
				return bad(why, why_len, "\"verdict\" is not \"pass\", \"fail\" or "
					   "\"error\"");
		} else if (jl_is(&key, "seed")) {
			bit = ROW_SEED;
			ok = u64_of(&val, &v->seed);
		} else if (jl_is(&key, "vary")) {
			bit = ROW_VARY;
			ok = val.type == JL_OBJECT;
			v->vary = val.p;
			v->vary_len = val.n;
			if (!ok)
				return bad(why, why_len, "no \"vary\" object");
		} else if (jl_is(&key, "checks")) {
			bit = ROW_CHECKS;
			if (!parse_checks(&it, &val, v, why, why_len))
				return false;
		} else {
			continue;
		}
		if (seen & bit)
			return bad(why, why_len, "a key given twice");
		if (!ok)
			break;
		seen |= bit;
	}
	if (r < 0) {
		snprintf(why, why_len, "not a JSON object: %s", e.msg);
		return false;
	}
	if (!(seen & ROW_ID))
		return bad(why, why_len, "no \"id\" of 16 lower-case hex digits");
	if ((seen & (ROW_SCENARIO | ROW_SIM | ROW_VERDICT | ROW_SEED)) !=
	    (ROW_SCENARIO | ROW_SIM | ROW_VERDICT | ROW_SEED))
		return bad(why, why_len, "a row needs \"scenario\", \"sim\", \"verdict\" and "
			   "\"seed\" (an integer >= 0)");
	if (!(seen & ROW_VARY))
		return bad(why, why_len, "no \"vary\" object");
	if (!(seen & ROW_CHECKS))
		return bad(why, why_len, "\"checks\" is not an array");
	return true;
}

void sweep_row_view_free(struct sweep_row_view *v)
{
	free(v->checks);
	v->checks = NULL;
	v->checks_cap = v->nchecks = 0;
}
