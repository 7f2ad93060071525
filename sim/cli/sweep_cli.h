/*
 * What `sim sweep`, `sim run --vary` and `sim merge` share
 * (docs/sweeps.md): running a spec's jobs, the summary table.
 */
#ifndef SIM_CLI_SWEEP_CLI_H
#define SIM_CLI_SWEEP_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/scenario/sweep_file.h"
#include "sim/sweep/results.h"

struct sweep_cli_opts {
	const char *cmd;                  /* "sweep" or "run", for messages */
	bool list;                        /* --list */
	bool have_shard;                  /* --shard given */
	const char *shard;                /* its K/N */
	const char *skip_done;            /* --skip-done FILE */
	const char *out;                  /* --out FILE ('-': stdout) */
	bool progress;                    /* --progress */
	uint64_t max_events;              /* --max-events */
	uint64_t max_total_events;        /* --max-total-events: the budget of every job run here */
};

/* Marks option opt given (*seen); a usage error of cmd (false) when it was given before. */
bool sweep_cli_once(const char *cmd, const char *opt, bool *seen);

/* argv[*i] is --max-total-events: reads its number into o (once); the exit status. */
int sweep_cli_max_total(struct sweep_cli_opts *o, const char *cmd, int argc, char **argv,
			int *i, bool *seen);

/* Runs (or lists) the spec's jobs; returns the exit status. */
int sweep_cli_run(const struct sweep_spec *sp, const struct sweep_cli_opts *o);

/* The summary table to f; what names the run ("shard 1/4", NULL). */
void sweep_cli_summary(FILE *f, const struct sweep_summary *s, uint64_t planned,
		       const char *what);

/* The exit status of a set of rows: 2 if one is an error, 1 if one failed, else 0. */
int sweep_cli_status(const struct sweep_summary *s);

#endif
