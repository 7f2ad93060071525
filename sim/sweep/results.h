/*
 * A sweep's result rows (docs/sweeps.md): a file of them read one row at a
 * time and checked (the cursor, which `--skip-done` and `sim merge` read
 * with), and the rows as a set keyed by job id, for a merge that reads them
 * whole.  Sorted by id, each row's bytes kept as they are, so that any split
 * of the jobs over processes, merged, gives the bytes one process gives.
 * And the summary: counts per verdict and the worst variants of each check.
 */
#ifndef SIM_SWEEP_RESULTS_H
#define SIM_SWEEP_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/scenario/sweep_row.h"

struct sweep_row {
	uint64_t id;
	char *line;                       /* with its newline; owned */
	size_t len;
	const char *file;                 /* where it was read (sweep_rows_read), or NULL */
	unsigned long lineno;
};

struct sweep_rows {
	struct sweep_row *v;
	size_t n, cap;
	bool sorted;
	/* after sweep_rows_sort() found a conflict: the two rows (file and line, if read) */
	struct sweep_row conflict[2];
};

/* Adds a copy of line[0..len) (its newline included) under id; false when out of memory. */
bool sweep_rows_add(struct sweep_rows *r, uint64_t id, const char *line, size_t len);

/*
 * Sorts by id and drops exact duplicates.  False when one id has two
 * different rows: *conflict is that id, and r->conflict the two rows (their
 * lines stay owned by r).
 */
bool sweep_rows_sort(struct sweep_rows *r, uint64_t *conflict);

/* The row of id in a sorted set, or NULL. */
const struct sweep_row *sweep_rows_find(const struct sweep_rows *r, uint64_t id);

/* Writes every row in order; false on a write error. */
bool sweep_rows_write(const struct sweep_rows *r, FILE *f);

void sweep_rows_free(struct sweep_rows *r);

/*
 * A file of rows read one at a time ('-': stdin), each checked: the line
 * (with its newline) and its id stay valid until the next call.
 */
struct sweep_row_cursor {
	const char *file;
	FILE *f;
	/*
	 * Only the id is wanted, of rows already checked: a row in sim's own
	 * layout gives it without a parse (the view is then not filled).
	 */
	bool ids_only;
	bool borrowed;                    /* f is the caller's (sweep_row_cursor_over) */
	int open_errno;                   /* why the open failed */
	char *line;
	size_t cap, len;
	uint64_t id;
	unsigned long lineno;
	struct sweep_row_view view;
};

/* false with why naming the file (c->open_errno says why). */
bool sweep_row_cursor_open(struct sweep_row_cursor *c, const char *file, char *why, size_t len);

/* A cursor over f, read from where it stands, named `file` in errors; closing it leaves f open. */
void sweep_row_cursor_over(struct sweep_row_cursor *c, const char *file, FILE *f);

/*
 * The next row: 1, or 0 at the end, or -1 with why naming the file and line.
 * A last line without its newline (a run that was stopped while writing it)
 * ends the file when partial_ok, else it is an error.  A row ending in CR LF
 * is an error: its bytes would differ from what sim writes.
 */
int sweep_row_cursor_next(struct sweep_row_cursor *c, bool partial_ok, char *why, size_t len);
void sweep_row_cursor_close(struct sweep_row_cursor *c);

/*
 * Reads a JSON Lines file of rows into r (not sorted), each checked as the
 * cursor checks it; false with why naming the file and line.  file must
 * outlive r (the rows name it).
 */
bool sweep_rows_read(struct sweep_rows *r, const char *file, bool partial_ok, char *why,
		     size_t len);

#define SWEEP_SUMMARY_MAX 256             /* distinct (of, check) pairs */
#define SWEEP_SUMMARY_WORST 3             /* jobs named per check */

#define SWEEP_SUMMARY_VARY_MAX 256        /* bytes of a job's "vary" shown, "..." when cut */

/* A job named in the summary, with its worst value. */
struct sweep_summary_job {
	int64_t worst;
	uint64_t id, seed;
	char vary[SWEEP_SUMMARY_VARY_MAX];
};

struct sweep_summary_check {
	char of[SCN_NAME_MAX];
	char check[32];
	char unit[8];
	uint64_t jobs, failed;            /* rows with this check, and those whose expectation failed */
	unsigned nworst;
	/* the worst values of largest magnitude, largest first; of equal ones the smaller id */
	struct sweep_summary_job worst[SWEEP_SUMMARY_WORST];
};

struct sweep_summary {
	uint64_t rows, pass, fail, error;  /* a row that cannot be read back counts as an error */
	bool mixed;                       /* the rows name more than one base scenario or sim version */
	char scenario[17], sim[32];       /* the first row's */
	unsigned nchecks;
	bool truncated;                   /* more than SWEEP_SUMMARY_MAX checks */
	struct sweep_summary_check checks[SWEEP_SUMMARY_MAX];
};

/*
 * A summary of no rows so far, and one more row (its bytes without the
 * newline), in id order: of equal worst values the first row added stays.
 * Rows are parsed again: the same code for runs and merges.
 */
void sweep_summary_init(struct sweep_summary *s);
void sweep_summary_add(struct sweep_summary *s, const char *line, size_t len);
/* The same for a row parsed already. */
void sweep_summary_add_view(struct sweep_summary *s, const struct sweep_row_view *v);

/* The summary of every row of r, sorted. */
void sweep_summarize(const struct sweep_rows *r, struct sweep_summary *s);

#endif
