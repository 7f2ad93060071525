/* The importers' front: formats, the record writer, errors (import.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/import/import_internal.h"

struct format_row {
	const char *name;
	const char *ref;       /* the header's "ref": what the timestamps are */
	bool (*line)(struct importer *im, const char *line, size_t len, bool cut,
		     struct sim_diag *err);
	bool (*finish)(struct importer *im, struct sim_diag *err);
};

static const struct format_row formats[] = {
#define IMPORT_FORMAT_ROW(id, name, ref, shape) [id] = { name, ref, shape##_line, shape##_finish },
	IMPORT_FORMATS(IMPORT_FORMAT_ROW)
#undef IMPORT_FORMAT_ROW
};

static const char *const record_types[] = {
#define IMPORT_RECORD_TYPE(id, type) [id] = type,
	IMPORT_RECORDS(IMPORT_RECORD_TYPE)
#undef IMPORT_RECORD_TYPE
};

bool import_format_parse(const char *name, enum import_format *f)
{
	for (unsigned i = 0; i < IMPORT_FORMAT_COUNT; i++) {
		if (strcmp(name, formats[i].name) == 0) {
			*f = (enum import_format)i;
			return true;
		}
	}
	return false;
}

const char *import_format_name(enum import_format f)
{
	return formats[f].name;
}

const char *import_record_type(enum import_record r)
{
	return record_types[r];
}

void import_init(struct importer *im, enum import_format f, const char *file,
		 import_emit_fn *emit, void *ctx)
{
	memset(im, 0, sizeof(*im));
	im->format = f;
	snprintf(im->file, sizeof(im->file), "%s", file);
	im->emit = emit;
	im->ctx = ctx;
}

/* ---- the record writer ---- */

static void put(struct rec *r, const char *s, size_t n)
{
	/* Records are short and bounded (names are capped): the buffer always has room. */
	if (r->len + n < sizeof(r->buf)) {
		memcpy(r->buf + r->len, s, n);
		r->len += n;
	}
}

static void put_key(struct rec *r, const char *key)
{
	if (!r->first)
		put(r, ",", 1);
	r->first = false;
	put(r, "\"", 1);
	put(r, key, strlen(key));
	put(r, "\":", 2);
}

static void put_text(struct rec *r, const char *s, size_t n)
{
	put(r, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };

			put(r, esc, 2);
		} else {
			char o = c >= 0x20 && c < 0x7f ? (char)c : '?';

			put(r, &o, 1);
		}
	}
	put(r, "\"", 1);
}

void rec_begin(struct rec *r, enum import_record type)
{
	r->len = 0;
	r->first = true;
	put(r, "{", 1);
	put_key(r, "type");
	put_text(r, record_types[type], strlen(record_types[type]));
}

#define JSON_EXACT_MAX (UINT64_C(1) << 53)

void rec_u64(struct rec *r, const char *key, uint64_t v)
{
	char num[32];
	int n = snprintf(num, sizeof(num), v < JSON_EXACT_MAX ? "%llu" : "\"%llu\"",
			 (unsigned long long)v);

	put_key(r, key);
	put(r, num, (size_t)n);
}

void rec_i64(struct rec *r, const char *key, int64_t v)
{
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	char num[32];
	int n = snprintf(num, sizeof(num), mag < JSON_EXACT_MAX ? "%lld" : "\"%lld\"",
			 (long long)v);

	put_key(r, key);
	put(r, num, (size_t)n);
}

void rec_hex(struct rec *r, const char *key, uint64_t v)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "\"0x%llx\"", (unsigned long long)v);

	put_key(r, key);
	put(r, num, (size_t)n);
}

void rec_bool(struct rec *r, const char *key, bool v)
{
	put_key(r, key);
	put(r, v ? "true" : "false", v ? 4 : 5);
}

void rec_str(struct rec *r, const char *key, const char *s, size_t n)
{
	put_key(r, key);
	put_text(r, s, n > 128 ? 128 : n);
}

void rec_src(struct rec *r, const struct importer *im, uint64_t line)
{
	char src[300];
	int n = snprintf(src, sizeof(src), "%s:%llu", im->file, (unsigned long long)line);

	rec_str(r, "src", src, (size_t)n < sizeof(src) ? (size_t)n : sizeof(src) - 1);
}

void rec_end(struct importer *im, struct rec *r)
{
	put(r, "}", 1);
	im->emit(im->ctx, r->buf, r->len);
}

size_t import_header(const struct importer *im, const char *producer, char *buf, size_t cap)
{
	struct rec r;

	r.len = 0;
	r.first = true;
	put(&r, "{", 1);
	put_key(&r, "type");
	put_text(&r, "header", 6);
	put_key(&r, "format");
	put_text(&r, "sim-trace", 9);
	rec_u64(&r, "version", 1);
	rec_str(&r, "producer", producer, strlen(producer));
	rec_str(&r, "ref", formats[im->format].ref, strlen(formats[im->format].ref));
	rec_str(&r, "ref_unit", "ns", 2);
	rec_str(&r, "src", im->file, strlen(im->file));
	put(&r, "}", 1);
	snprintf(buf, cap, "%.*s", (int)r.len, r.buf);
	return r.len < cap ? r.len : cap - 1;
}

bool import_fail(const struct importer *im, struct sim_diag *err, size_t col,
		 const char *fmt, ...)
{
	va_list ap;

	sim_diag_clear(err);
	sim_diag_set_file(err, im->file);
	sim_diag_set_pos(err, (unsigned)im->stats.lines, (unsigned)col + 1);
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return false;
}

bool import_line(struct importer *im, const char *line, size_t len, bool cut,
		 struct sim_diag *err)
{
	im->stats.lines++;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return formats[im->format].line(im, line, len, cut, err);
}

bool import_finish(struct importer *im, struct sim_diag *err)
{
	return formats[im->format].finish(im, err);
}
