/*
 * Reading a sweep's result rows back (JSON Lines, docs/sweeps.md): what
 * `sim merge`, `--skip-done` and the summary need from a row.  The rows are
 * written by sim/sweep/job.c; they are read as JSON (not by their layout),
 * so that a row edited or produced elsewhere is still judged by its content.
 * With jline.h, not cJSON: a worst value is a 64-bit integer, which a
 * double holds exactly only up to 2^53, and a merge reads millions of rows.
 */
#ifndef SIM_SCENARIO_SWEEP_ROW_H
#define SIM_SCENARIO_SWEEP_ROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/scenario/scenario.h"

struct sweep_row_check {
	char of[SCN_NAME_MAX];            /* the reader, script or host check */
	char check[32];                   /* "mono_vcpu", "script", "tsc_sync" */
	char unit[8];                     /* the worst value's unit: "ps", "ppb", ... */
	bool met;                         /* the expectation holds */
	int64_t worst;                    /* exact: read from the number's text, not a double */
};

/*
 * A parsed row.  vary points into the line parsed (valid while it is); the
 * checks array is the view's own, grown as rows need it and reused by the
 * next parse: sweep_row_view_free() releases it.
 */
struct sweep_row_view {
	uint64_t id;
	uint64_t seed;
	char scenario[17];                /* the base scenario's hash, hex */
	char sim[32];                     /* the sim version */
	char verdict[8];                  /* "pass", "fail", "error" */
	const char *vary;                 /* the "vary" object's text, as written */
	size_t vary_len;
	unsigned nchecks;
	unsigned checks_cap;
	struct sweep_row_check *checks;
};

/* Parses one row (without its newline); false with why. */
bool sweep_row_parse(const char *line, size_t len, struct sweep_row_view *v, char *why,
		     size_t why_len);
void sweep_row_view_free(struct sweep_row_view *v);

/* "00ff..." (16 lower-case hex digits) into *id; false when it is not that. */
bool sweep_parse_id(const char *hex, uint64_t *id);

#endif
