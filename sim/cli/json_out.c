/* Streaming JSON writer: see json_out.h. */
#include "sim/cli/json_out.h"

#include <inttypes.h>

static void indent(struct json_out *j)
{
	if (j->compact)
		return;
	fputc('\n', j->f);
	for (unsigned i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Separator and indentation before a value or a key. */
static void before_item(struct json_out *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth == 0)
		return;
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	indent(j);
}

void json_out_init(struct json_out *j, FILE *f)
{
	*j = (struct json_out){ .f = f };
}

void json_out_init_compact(struct json_out *j, FILE *f)
{
	*j = (struct json_out){ .f = f, .compact = true };
}

static void open_(struct json_out *j, char c)
{
	before_item(j);
	fputc(c, j->f);
	if (j->depth + 1 < JSON_OUT_MAX_DEPTH)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_(struct json_out *j, char c)
{
	bool had_items = j->need_comma[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had_items)
		indent(j);
	fputc(c, j->f);
	if (j->depth == 0)
		fputc('\n', j->f);
}

void json_out_begin_object(struct json_out *j) { open_(j, '{'); }
void json_out_end_object(struct json_out *j) { close_(j, '}'); }
void json_out_begin_array(struct json_out *j) { open_(j, '['); }
void json_out_end_array(struct json_out *j) { close_(j, ']'); }

static void write_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void json_out_key(struct json_out *j, const char *key)
{
	before_item(j);
	write_string(j->f, key);
	fputs(j->compact ? ":" : ": ", j->f);
	j->after_key = true;
}

void json_out_str(struct json_out *j, const char *s)
{
	before_item(j);
	write_string(j->f, s ? s : "");
}

/* Every integer up to 2^53 is exact in a double; 2^53 + 1 is the first that is not. */
#define EXACT_IN_DOUBLE (UINT64_C(1) << 53)

static void write_int(struct json_out *j, bool negative, uint64_t mag)
{
	const char *q = mag > EXACT_IN_DOUBLE ? "\"" : "";

	before_item(j);
	fprintf(j->f, "%s%s%" PRIu64 "%s", q, negative ? "-" : "", mag, q);
}

void json_out_u64(struct json_out *j, uint64_t v)
{
	write_int(j, false, v);
}

void json_out_i64(struct json_out *j, int64_t v)
{
	write_int(j, v < 0, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
}

void json_out_bool(struct json_out *j, bool v)
{
	before_item(j);
	fputs(v ? "true" : "false", j->f);
}

void json_out_null(struct json_out *j)
{
	before_item(j);
	fputs("null", j->f);
}
