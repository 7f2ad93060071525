/*
 * Running one job of a sweep and writing its result row (docs/sweeps.md):
 * one JSON object on one line, keys in a fixed order, every number an
 * integer, no wall-clock field, so that the same job gives the same bytes on
 * any machine, shard or run.
 */
#ifndef SIM_SWEEP_JOB_H
#define SIM_SWEEP_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sweep/plan.h"

enum sweep_verdict {
	SWEEP_PASS,                       /* every expectation of the variant holds */
	SWEEP_FAIL,                       /* one does not */
	SWEEP_ERROR,                      /* the variant is not a valid scenario, or its run stopped */
};

/* A growing text buffer; oom once an allocation failed (the text is then incomplete). */
struct sweep_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

void sweep_buf_add(struct sweep_buf *b, const char *s, size_t n);
/* A string literal, its length counted by the compiler. */
#define SWEEP_BUF_LIT(b, lit) sweep_buf_add((b), (lit), sizeof(lit) - 1)
void sweep_buf_printf(struct sweep_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* s as a JSON string literal: '"', '\\' and control characters escaped. */
void sweep_buf_json_str(struct sweep_buf *b, const char *s);
void sweep_buf_free(struct sweep_buf *b);

/*
 * Runs job j of plan p under the event budget max_events (budget.h) and
 * appends its row, with its newline, to row.  err gets the error of an
 * SWEEP_ERROR job (its file is the base scenario's).
 */
enum sweep_verdict sweep_run_job(const struct sweep_plan *p, const struct sweep_job *j,
				 uint64_t max_events, struct sweep_buf *row,
				 struct sim_diag *err);

/*
 * The row of a job whose scenario text could not be made (a value that
 * cannot be set): verdict "error" with err's text.
 */
void sweep_error_row(const struct sweep_plan *p, const struct sweep_job *j,
		     const struct sim_diag *err, struct sweep_buf *row);

#endif
