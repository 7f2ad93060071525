/*
 * Result files merged by job id a row at a time (docs/sweeps.md, "Merging"):
 * every process writes its rows sorted by id, so a merge of its files needs
 * one row per file in memory, not the rows.  A file that is not sorted (rows
 * joined by hand, a journal of an interrupted resume) is reported, and the
 * caller reads the rows whole instead (results.h).
 */
#ifndef SIM_SWEEP_MERGE_H
#define SIM_SWEEP_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/sweep/results.h"

enum sweep_merge_step {
	SWEEP_MERGE_ROW = 1,              /* the next row, in id order */
	SWEEP_MERGE_END = 0,              /* every file read */
	SWEEP_MERGE_BAD = -1,             /* a file cannot be read, or a line is not a row: why */
	SWEEP_MERGE_UNSORTED = -2,        /* a file's ids go down: why names it */
	SWEEP_MERGE_CONFLICT = -3,        /* one id with two different rows: why names both */
};

struct sweep_merge {
	struct sweep_row_cursor *cur;     /* one per file */
	unsigned nfiles;
	unsigned *heap;                   /* the files with a row left, by (id, file index) */
	unsigned nheap;
	bool ids_only;
	bool given;                       /* the root's row was given: move on from it first */
	/* the row given last, kept to drop its repeats and to see a conflict */
	char *last;
	size_t last_len, last_cap;
	uint64_t last_id;
	bool have_last;
	const char *last_file;
	unsigned long last_lineno;
};

/*
 * Opens every file ('-' is stdin) and reads its first row.  false: nothing
 * is left open, why says what failed, and *open_errno is the failed open's
 * errno (EMFILE: too many files at once) or 0 for a line that is not a row.
 * ids_only: the rows were checked by an earlier merge of the same files, and
 * only their ids and bytes are wanted (sweep_row_cursor's ids_only).
 */
bool sweep_merge_open(struct sweep_merge *m, const char *const *files, unsigned nfiles,
		      bool ids_only, int *open_errno, char *why, size_t len);

/*
 * The next row: its bytes (with the newline), id and parse (NULL when
 * ids_only) stay valid until the next call.  The same row again (a shard
 * merged twice) is given once.
 */
enum sweep_merge_step sweep_merge_next(struct sweep_merge *m, const char **line, size_t *line_len,
				       uint64_t *id, const struct sweep_row_view **view,
				       char *why, size_t len);

void sweep_merge_close(struct sweep_merge *m);

#endif
