/*
 * The --skip-done rows of `sim sweep` (docs/sweeps.md, "Resuming"): checked
 * against the plan as they are read, and kept as an index of ids and places
 * in their file, read back when their job's turn comes, so that a resume of
 * 10^6 jobs holds 16 bytes a row, not the rows.
 */
#ifndef SIM_CLI_SWEEP_DONE_H
#define SIM_CLI_SWEEP_DONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "sim/cli/sweep_cli.h"
#include "sim/sweep/plan.h"

struct sweep_done_row {
	uint64_t id;
	uint64_t offset;                  /* where the row starts in the file */
};

struct sweep_done {
	FILE *src;                        /* the file, or a copy of stdin, read back; NULL: none */
	struct sweep_done_row *v;         /* the rows reused, sorted by id */
	size_t n, cap;
	off_t valid;                      /* bytes of whole rows in the file (a row cut short goes) */
	char *line;                       /* the row read back last */
	size_t line_cap;
};

/*
 * Reads o->skip_done (none: an empty set) and keeps the rows of p's jobs:
 * each row's base scenario, sim version, id, seed and "vary" must be a job's
 * of p, else the file is refused at the first that differs (a row of another
 * sweep, sim or base scenario would stand in for a run); "error" rows are
 * dropped, and their jobs run again.  false when refused (said on stderr).
 */
bool sweep_done_load(struct sweep_done *d, const struct sweep_plan *p,
		     const struct sweep_cli_opts *o);

/*
 * The kept row of job id, read back (with its newline, valid until the next
 * call): 1, or 0 when there is none, or -1 when it cannot be read back.
 */
int sweep_done_row(struct sweep_done *d, uint64_t id, const char **line, size_t *len);

void sweep_done_free(struct sweep_done *d);

#endif
