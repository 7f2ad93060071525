/*
 * Progress on a terminal (docs/sweeps.md): one line on stderr, rewritten in
 * place, for a sweep's jobs (done / total, ETA) and for a long `sim run`
 * (simulated time / duration).  Only when stderr is a terminal or
 * --progress asked for it; the wall clock is read here, never in the
 * simulation, and nothing of it reaches a report or a result row.
 */
#ifndef SIM_CLI_PROGRESS_H
#define SIM_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/core/simtime.h"

struct progress {
	bool on;
	FILE *f;                          /* stderr */
	int64_t start_ms, last_ms;        /* CLOCK_MONOTONIC */
	int64_t delay_ms;                 /* show nothing before this much wall time */
	bool shown;                       /* a line is on the terminal */
	const char *what;                 /* "sweep", a file name */
};

/* forced: --progress; else only when stderr is a terminal.  delay_ms: quiet before that. */
void progress_init(struct progress *p, bool forced, bool never, int64_t delay_ms,
		   const char *what);

/* A sweep: done of total jobs (skipped ones count as done). */
void progress_jobs(struct progress *p, uint64_t done, uint64_t total);

/* A run: simulated time now of end. */
void progress_sim(struct progress *p, sim_ps now, sim_ps end);

/* Ends the line (when one was shown). */
void progress_end(struct progress *p);

#endif
