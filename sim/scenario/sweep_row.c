/* Reading result rows back: sweep_row.h. */
#include "sim/scenario/sweep_row.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

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

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An integer member up to 2^53 (cJSON holds numbers as doubles, exact that far). */
static bool int_of(const cJSON *o, const char *key, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	const int64_t lim = (int64_t)1 << 53;

	if (!cJSON_IsNumber(v) || !(v->valuedouble >= -(double)lim && v->valuedouble <= (double)lim))
		return false;
	*out = (int64_t)v->valuedouble;
	return (double)*out == v->valuedouble;
}

static bool copy(char *dst, size_t cap, const char *src)
{
	if (!src || strlen(src) >= cap)
		return false;
	memcpy(dst, src, strlen(src) + 1);
	return true;
}

static bool bad(char *why, size_t len, const char *what)
{
	snprintf(why, len, "%s", what);
	return false;
}

static bool parse_checks(const cJSON *arr, struct sweep_row_view *v, char *why, size_t len)
{
	const cJSON *c;

	if (!cJSON_IsArray(arr))
		return bad(why, len, "\"checks\" is not an array");
	cJSON_ArrayForEach(c, arr) {
		struct sweep_row_check *k = &v->checks[v->nchecks];
		const cJSON *met = cJSON_GetObjectItemCaseSensitive(c, "met");

		if (v->nchecks == SWEEP_ROW_MAX_CHECKS)
			return bad(why, len, "more checks than a scenario can have");
		if (!copy(k->of, sizeof(k->of), str_of(c, "of")) ||
		    !copy(k->check, sizeof(k->check), str_of(c, "check")) ||
		    !copy(k->unit, sizeof(k->unit), str_of(c, "unit")) ||
		    !int_of(c, "worst", &k->worst) || !cJSON_IsBool(met))
			return bad(why, len, "a check without \"of\", \"check\", \"met\", \"worst\" "
				   "and \"unit\"");
		k->met = cJSON_IsTrue(met);
		v->nchecks++;
	}
	return true;
}

bool sweep_row_parse(const char *line, size_t len, struct sweep_row_view *v, char *why,
		     size_t why_len)
{
	cJSON *root = cJSON_ParseWithLength(line, len);
	const cJSON *vary;
	char *vary_text;
	int64_t seed = 0;
	bool ok = false;

	memset(v, 0, sizeof(*v));
	if (!cJSON_IsObject(root)) {
		bad(why, why_len, "not a JSON object");
		goto out;
	}
	if (!sweep_parse_id(str_of(root, "id"), &v->id)) {
		bad(why, why_len, "no \"id\" of 16 lower-case hex digits");
		goto out;
	}
	if (!copy(v->scenario, sizeof(v->scenario), str_of(root, "scenario")) ||
	    !copy(v->sim, sizeof(v->sim), str_of(root, "sim")) ||
	    !copy(v->verdict, sizeof(v->verdict), str_of(root, "verdict")) ||
	    !int_of(root, "seed", &seed) || seed < 0) {
		bad(why, why_len, "a row needs \"scenario\", \"sim\", \"verdict\" and \"seed\"");
		goto out;
	}
	if (strcmp(v->verdict, "pass") && strcmp(v->verdict, "fail") && strcmp(v->verdict, "error")) {
		bad(why, why_len, "\"verdict\" is not \"pass\", \"fail\" or \"error\"");
		goto out;
	}
	v->seed = (uint64_t)seed;
	vary = cJSON_GetObjectItemCaseSensitive(root, "vary");
	vary_text = cJSON_IsObject(vary) ? cJSON_PrintUnformatted(vary) : NULL;
	if (!vary_text) {
		bad(why, why_len, "no \"vary\" object");
		goto out;
	}
	snprintf(v->vary, sizeof(v->vary), "%s", vary_text);
	cJSON_free(vary_text);
	ok = parse_checks(cJSON_GetObjectItemCaseSensitive(root, "checks"), v, why, why_len);
out:
	cJSON_Delete(root);
	return ok;
}
