/*
 * Reading a sweep's result rows back (JSON Lines, docs/sweeps.md): what
 * `sim merge`, `--skip-done` and the summary need from a row.  The rows are
 * written by sim/sweep/job.c; they are read with the JSON parser (not by
 * their layout), so that a row edited or produced elsewhere is still judged
 * by its content.
 */
#ifndef SIM_SCENARIO_SWEEP_ROW_H
#define SIM_SCENARIO_SWEEP_ROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/scenario/scenario.h"

#define SWEEP_ROW_MAX_CHECKS 256
#define SWEEP_ROW_VARY_MAX 256            /* the "vary" object's text, cut to fit */

struct sweep_row_check {
	char of[SCN_NAME_MAX];            /* the reader, script or host check */
	char check[32];                   /* "mono_vcpu", "script", "tsc_sync" */
	char unit[8];                     /* the worst value's unit: "ps", "ppb", ... */
	bool met;                         /* the expectation holds */
	int64_t worst;
};

struct sweep_row_view {
	uint64_t id;
	uint64_t seed;
	char scenario[17];                /* the base scenario's hash, hex */
	char sim[32];                     /* the sim version */
	char verdict[8];                  /* "pass", "fail", "error" */
	char vary[SWEEP_ROW_VARY_MAX];
	unsigned nchecks;
	struct sweep_row_check checks[SWEEP_ROW_MAX_CHECKS];
};

/* Parses one row (without its newline); false with why. */
bool sweep_row_parse(const char *line, size_t len, struct sweep_row_view *v, char *why,
		     size_t why_len);

/* "00ff..." (16 lower-case hex digits) into *id; false when it is not that. */
bool sweep_parse_id(const char *hex, uint64_t *id);

#endif
