/*
 * The trace stream as JSON Lines: a subscriber (sim/core/trace.h) that writes
 * each record as it arrives, one compact JSON object per line:
 *   {"kind":"read","t_ps":1000000,"reader":"kvmclock","group":0,...}
 * "kind" is sim_trace_kind_name(), "t_ps" the record's true time, then the
 * fields of the kind's struct under the same names.  Integers above 2^53 in
 * magnitude are strings (json_out.h).  Nothing is kept: memory stays flat.
 * Format: docs/report-format.md, "Trace".
 */
#ifndef SIM_CLI_TRACE_OUT_H
#define SIM_CLI_TRACE_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/cli/json_out.h"
#include "sim/core/trace.h"

struct trace_out {
	struct json_out j;
	uint64_t records;         /* lines written for records (not for run headers) */
};

void trace_out_init(struct trace_out *t, FILE *f);

/* The line that opens a run's records: {"kind":"run","file":...,"name":...,"seed":...}. */
void trace_out_begin_run(struct trace_out *t, const char *file, const char *name, uint64_t seed);

/* A sim_trace_fn; ctx is a struct trace_out. */
void trace_out_record(void *ctx, const struct sim_trace_record *rec);

/* Subscribes t to every record kind of tr.  False when tr has no room. */
bool trace_out_subscribe(struct trace_out *t, struct sim_trace *tr);

#endif
