/*
 * What the importers share: a matcher for printk-style line formats, the
 * record writer and the two line shapes (ftrace-like event lines, dmesg).
 */
#ifndef SIM_IMPORT_IMPORT_INTERNAL_H
#define SIM_IMPORT_IMPORT_INTERNAL_H

#include "sim/import/import.h"

/*
 * Matching one line against a format written like the kernel's printk
 * format, so a row can be checked against its source by eye:
 *   %u  unsigned decimal, 32 bits     %U  unsigned decimal, 64 bits
 *   %d  signed decimal, 32 bits       %D  signed decimal, 64 bits
 *   %x  hex digits, 32 bits           %X  hex digits, 64 bits
 *   %s  a word (no blanks)            %q  a 'quoted' name
 * A blank in the format matches one or more blanks; anything else matches
 * itself.  Trailing blanks are allowed, any other trailing text is not.
 */
#define FMT_MAX_VALUES 12

struct fmt_value {
	uint64_t u;                  /* %u %U %x %X */
	int64_t i;                   /* %d %D */
	const char *s;               /* %s %q: points into the line */
	size_t n;
};

/*
 * True when text matches fmt; v[] gets the conversions in order.  On
 * failure: *col (0-based offset into text) and why ("expected 'pvclock {'").
 */
bool fmt_match(const char *fmt, const char *text, size_t len, struct fmt_value *v,
	       size_t *col, char *why, size_t why_len);

/* A record: one JSON object built in place, written with import_emit(). */
struct rec {
	char buf[1024];
	size_t len;
	bool first;
};

void rec_begin(struct rec *r, enum import_record type);
/* A JSON number below 2^53, a decimal string above (sim-trace v1). */
void rec_u64(struct rec *r, const char *key, uint64_t v);
void rec_i64(struct rec *r, const char *key, int64_t v);
/* "0x..." as the kernel printed it: for values whose bits matter (pages, masks). */
void rec_hex(struct rec *r, const char *key, uint64_t v);
void rec_bool(struct rec *r, const char *key, bool v);
/* Text from the input: bytes outside printable ASCII become '?', quotes are escaped. */
void rec_str(struct rec *r, const char *key, const char *s, size_t n);
/* "src": "FILE:LINE". */
void rec_src(struct rec *r, const struct importer *im, uint64_t line);
void rec_end(struct importer *im, struct rec *r);

/* Fills err with "file:line:col" and the message; returns false. */
bool import_fail(const struct importer *im, struct sim_diag *err, size_t col,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * "SECONDS.FRACTION" (up to 9 fraction digits) at text[0..len) in ns.
 * False when it is not one, or overflows.
 */
bool parse_seconds_ns(const char *text, size_t len, uint64_t *ns);

/* The line shapes. */
bool ftrace_line(struct importer *im, const char *line, size_t len, bool cut,
		 struct sim_diag *err);
bool ftrace_finish(struct importer *im, struct sim_diag *err);
bool dmesg_line(struct importer *im, const char *line, size_t len, bool cut,
		struct sim_diag *err);
bool dmesg_finish(struct importer *im, struct sim_diag *err);

#endif
