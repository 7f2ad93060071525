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

#include "sim/machine/budget.h"
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
 * The bytes every row of job j starts with: its id, base scenario, sim
 * version, seed and "vary".  A row that --skip-done reuses must start with
 * them, or it would stand in for another job (two sweeps whose variants give
 * the same scenario text share an id, not their "vary").
 */
void sweep_job_row_head(const struct sweep_plan *p, const struct sweep_job *j,
			struct sweep_buf *row);

/*
 * The row of a job whose scenario text could not be made (a value that
 * cannot be set): verdict "error" with err's text.
 */
void sweep_error_row(const struct sweep_plan *p, const struct sweep_job *j,
		     const struct sim_diag *err, struct sweep_buf *row);

/*
 * The default budget of a whole run (the jobs one process runs, its shard):
 * 2 * 10^11 events, about an hour of CPU at 5 * 10^7 events/s.  A small
 * sweep file can ask for 10^6 seeds of a long scenario: that is refused
 * before anything runs (`--max-total-events N` raises it, `--shard` splits it).
 */
#define SWEEP_DEFAULT_MAX_TOTAL_EVENTS UINT64_C(200000000000)

/* The work of the jobs of one shard, estimated before they run (budget.h). */
struct sweep_work {
	uint64_t events;                  /* every job of the shard; saturating */
	uint64_t jobs;
	uint64_t top_index;               /* the first job (in the shard) of the variant adding most */
	uint64_t top_jobs;                /* that variant's jobs in the shard (one per seed) */
	uint64_t top_events;              /* what they add; saturating */
	struct budget_estimate top;       /* the estimate of one of them */
};

/*
 * Estimates the work of shard sh: budget_estimate() once per variant (a seed
 * does not change the estimate) times its seeds in the shard.  A job the
 * per-job budget max_events refuses, or that is not a valid scenario, adds
 * nothing (it is an error row at once).  False with err and *bad (a job's
 * index) when a job cannot be made.  O(variants of the shard).
 */
bool sweep_plan_work(const struct sweep_plan *p, const struct sweep_shard *sh,
		     uint64_t max_events, struct sweep_work *w, uint64_t *bad,
		     struct sim_diag *err);

#endif
