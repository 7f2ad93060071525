/*
 * `sim run --perfetto FILE`: the trace stream as a Perfetto trace (protobuf
 * Trace / TracePacket / TrackEvent, google/perfetto protos/perfetto/trace/),
 * which ui.perfetto.dev opens directly, with ns timestamps.  A subscriber
 * (sim/core/trace.h) that writes each packet as it can: track descriptors
 * first (derived from the scenario before the run), then counters, slices,
 * instants and flows.  Reads are decimated (sim/export/decimate.h): every
 * violation with PERFETTO_WINDOW reads each side, else each 1 ms bucket's
 * min and max of the clock error.  Memory is fixed before the run.
 * docs/exports.md says what each track shows.
 */
#ifndef SIM_CLI_PERFETTO_OUT_H
#define SIM_CLI_PERFETTO_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/core/trace.h"
#include "sim/scenario/scenario.h"

#define PERFETTO_WINDOW 8         /* reads kept each side of a violation */
#define PERFETTO_BUCKET_PS (UINT64_C(1000) * 1000 * 1000)   /* 1 ms: the min/max bucket */

struct perfetto_out;

/* Opens a writer on f for scenario s (which must outlive it); NULL when out of memory. */
struct perfetto_out *perfetto_out_create(FILE *f, const struct scenario *s);

/* Writes the track descriptors and subscribes; false when tr has no room. */
bool perfetto_out_begin(struct perfetto_out *p, struct sim_trace *tr);

/* The run ended at end_ps: flushes what the decimators hold and ends open slices. */
void perfetto_out_finish(struct perfetto_out *p, sim_ps end_ps);

/* Packets written so far (descriptors included). */
uint64_t perfetto_out_packets(const struct perfetto_out *p);

void perfetto_out_destroy(struct perfetto_out *p);

#endif
