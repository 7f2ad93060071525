/*
 * Scenario variants: edits spliced into the JSON text, and the canonical
 * form that job ids are hashed from (variant.h).
 */
#include "sim/scenario/variant.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/json_locate.h"
#include "sim/scenario/loader_internal.h"

char *scenario_read_text(const char *file, size_t *len, struct sim_diag *err)
{
	FILE *f = fopen(file, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	sim_diag_clear(err);
	sim_diag_set_file(err, file);
	if (!f) {
		sim_diag_fail(err, "cannot read: %s", strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (n > MAX_FILE_BYTES) {
			sim_diag_fail(err, "cannot read: file larger than %u MiB", MAX_FILE_BYTES >> 20);
			goto fail;
		}
		if (n == cap) {
			char *grown;

			cap = cap == 0 ? 64 * 1024 : cap < MAX_FILE_BYTES ? cap * 2 : MAX_FILE_BYTES + 1;
			grown = realloc(buf, cap + 1);
			if (!grown) {
				sim_diag_fail(err, "cannot read: out of memory");
				goto fail;
			}
			buf = grown;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		sim_diag_fail(err, "cannot read: %s", strerror(errno));
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	sim_diag_clear(err);
	return buf;
fail:
	fclose(f);
	free(buf);
	return NULL;
}

/* buf with [from, to) replaced by ins; NULL when out of memory. */
static char *splice(const char *buf, size_t len, size_t from, size_t to, const char *ins,
		    size_t *out_len)
{
	size_t n = strlen(ins), total = len - (to - from) + n;
	char *out = malloc(total + 1);

	if (!out)
		return NULL;
	memcpy(out, buf, from);
	memcpy(out + from, ins, n);
	memcpy(out + from + n, buf + to, len - to);
	out[total] = '\0';
	*out_len = total;
	return out;
}

/* The pointer's last token, unescaped (~1 is '/', ~0 is '~'), as a JSON string literal. */
static char *last_key_literal(const char *pointer)
{
	const char *tok = strrchr(pointer, '/') + 1;
	char key[256];
	size_t n = 0;

	for (; *tok && n + 1 < sizeof(key); tok++) {
		if (tok[0] == '~' && (tok[1] == '0' || tok[1] == '1')) {
			key[n++] = tok[1] == '0' ? '~' : '/';
			tok++;
		} else {
			key[n++] = *tok;
		}
	}
	key[n] = '\0';
	return scenario_json_string(key);
}

static bool bad_pointer(struct sim_diag *err, const char *pointer, const char *why)
{
	sim_diag_set_path(err, pointer);
	return sim_diag_fail(err, "cannot set this value: %s", why);
}

/* One edit of text (freed here); the new text, or NULL with err. */
static char *apply(char *text, size_t *len, const struct scn_override *o, struct sim_diag *err)
{
	char parent[PATH_LEN], *out = NULL;
	const char *end = NULL;
	size_t off, poff;

	if (o->pointer[0] != '/' || strlen(o->pointer) >= sizeof(parent)) {
		bad_pointer(err, o->pointer, "expected a JSON pointer such as \"/readers/0/period\"");
		goto done;
	}
	if (json_locate(text, *len, o->pointer, &off)) {
		/* the parser finds where the old value ends */
		cJSON *old = cJSON_ParseWithLengthOpts(text + off, *len - off, &end, false);

		if (!old) {
			bad_pointer(err, o->pointer, "the value there is not valid JSON");
			goto done;
		}
		cJSON_Delete(old);
		out = splice(text, *len, off, (size_t)(end - text), o->json, len);
		goto done;
	}
	snprintf(parent, sizeof(parent), "%s", o->pointer);
	*strrchr(parent, '/') = '\0';
	if (!json_locate(text, *len, parent, &poff)) {
		bad_pointer(err, o->pointer, "the scenario has no value at its parent");
	} else if (text[poff] != '{') {
		bad_pointer(err, o->pointer, "past the end of an array, or inside a value that is "
			    "not an object (only a missing key of an object can be added)");
	} else {
		char *key = last_key_literal(o->pointer);
		size_t i = poff + 1, n;
		char *ins;

		while (i < *len && strchr(" \t\r\n", text[i]))
			i++;
		n = key ? strlen(key) + strlen(o->json) + 3 : 0;
		ins = key ? malloc(n) : NULL;
		if (ins) {
			snprintf(ins, n, "%s:%s%s", key, o->json, text[i] == '}' ? "" : ",");
			out = splice(text, *len, poff + 1, poff + 1, ins, len);
		}
		free(ins);
		free(key);
	}
done:
	if (!out && !err->msg[0])
		sim_diag_fail(err, "out of memory");
	free(text);
	return out;
}

char *scenario_variant_text(const char *file, const char *buf, size_t len,
			    const struct scn_override *ov, unsigned n, size_t *out_len,
			    struct sim_diag *err)
{
	char *text = malloc(len + 1);

	sim_diag_clear(err);
	sim_diag_set_file(err, file);
	if (!text) {
		sim_diag_fail(err, "out of memory");
		return NULL;
	}
	memcpy(text, buf, len);
	text[len] = '\0';
	*out_len = len;
	for (unsigned i = 0; i < n && text; i++)
		text = apply(text, out_len, &ov[i], err);
	return text;
}

/* Sorts every object's members by key (byte order; insertion sort keeps equal keys in order). */
static void sort_keys(cJSON *node)
{
	cJSON *sorted = NULL;

	if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
		return;
	for (cJSON *c = node->child; c; c = c->next)
		sort_keys(c);
	if (!cJSON_IsObject(node))
		return;
	while (node->child) {
		cJSON *c = node->child, **at = &sorted;

		node->child = c->next;
		while (*at && strcmp((*at)->string, c->string) <= 0)
			at = &(*at)->next;
		c->next = *at;
		*at = c;
	}
	/* cJSON's lists: next forward, prev backward, and the head's prev is the tail */
	node->child = sorted;
	for (cJSON *c = sorted, *prev = NULL; c; prev = c, c = c->next) {
		c->prev = prev;
		if (!c->next)
			sorted->prev = c;
	}
}

char *scenario_canonical_json(const char *buf, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(buf, len);
	char *out;

	if (!root)
		return NULL;
	sort_keys(root);
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return out;
}

bool scenario_json_value(const char *text, char **compact)
{
	const char *end = NULL;
	cJSON *v = cJSON_ParseWithOpts(text, &end, true);

	if (!v)
		return false;
	*compact = cJSON_PrintUnformatted(v);
	cJSON_Delete(v);
	return *compact != NULL;
}

char *scenario_json_string(const char *text)
{
	cJSON *s = cJSON_CreateString(text);
	char *out = s ? cJSON_PrintUnformatted(s) : NULL;

	cJSON_Delete(s);
	return out;
}

bool scenario_text_u64(const char *buf, size_t len, const char *pointer, uint64_t *out)
{
	cJSON *root = cJSON_ParseWithLength(buf, len);
	const cJSON *v = root ? json_pointer_node(root, pointer, 0) : NULL;
	bool ok = cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= (double)MAX_U53 &&
		  v->valuedouble == (double)(uint64_t)v->valuedouble;

	if (ok)
		*out = (uint64_t)v->valuedouble;
	cJSON_Delete(root);
	return ok;
}
