/*
 * The trace stream as sim-trace v1 (docs/trace-format.md), the JSON Lines
 * format `sim judge` reads: a subscriber (sim/core/trace.h) that writes a
 * header line per run, then each record as it arrives, one compact JSON
 * object per line:
 *   {"type":"read","vcpu":3,"seq":7,"clock":"kvmclock","value_ns":...,"ref_before":...,"ref_after":...}
 * Times are true time in ps (the header's "ref":"true_time","ref_unit":"ps").
 * Integers above 2^53 in magnitude are strings (json_out.h).  Nothing is kept
 * per record (a read counter per CPU is all): memory stays flat.
 */
#ifndef SIM_CLI_TRACE_OUT_H
#define SIM_CLI_TRACE_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/cli/json_out.h"
#include "sim/core/trace.h"

/* vCPUs and host CPUs are below 64 in a scenario; "seq" counts per number. */
#define TRACE_OUT_MAX_CPUS 256

struct trace_out {
	struct json_out j;
	uint64_t records;         /* lines written for records (not for headers) */
	uint64_t seq[TRACE_OUT_MAX_CPUS];   /* reads so far per vCPU (or CPU) number */
};

/* What a run's header line says (docs/trace-format.md, "Header"). */
struct trace_out_header {
	const char *file;         /* the scenario file: "src" */
	const char *scenario;     /* its name */
	uint64_t seed;
	unsigned cpus;            /* vCPU and CPU numbers in the reads are below this */
	unsigned nclocks;
	const char *const *clocks;          /* the readers' names: the "clock" of their reads */
	const bool *guest;                  /* per clock: it stops when the guest does (guest_run) */
};

void trace_out_init(struct trace_out *t, FILE *f);

/* The header line that opens a run's records; read counters start again. */
void trace_out_begin_run(struct trace_out *t, const struct trace_out_header *h);

/* A sim_trace_fn; ctx is a struct trace_out. */
void trace_out_record(void *ctx, const struct sim_trace_record *rec);

/* Subscribes t to every record kind of tr.  False when tr has no room. */
bool trace_out_subscribe(struct trace_out *t, struct sim_trace *tr);

#endif
