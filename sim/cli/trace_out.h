/*
 * The trace stream as sim-trace v1 (docs/trace-format.md), the JSON Lines
 * format `sim judge` reads: a subscriber (sim/core/trace.h) that writes a
 * header line per run, then each record as it arrives, one compact JSON
 * object per line:
 *   {"type":"read","vcpu":3,"seq":7,"clock":"kvmclock","value_ns":...,"ref_before":...,"ref_after":...}
 * Times are true time in ps (the header's "ref":"true_time","ref_unit":"ps").
 * Integers above 2^53 in magnitude are strings (json_out.h).  Nothing is kept
 * per record (a read counter per (VM,) CPU is all): memory stays flat.
 */
#ifndef SIM_CLI_TRACE_OUT_H
#define SIM_CLI_TRACE_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/cli/json_out.h"
#include "sim/core/trace.h"

/* "seq" counters before the first header (tests feed records without one). */
#define TRACE_OUT_MAX_CPUS 256
#define TRACE_OUT_NONE UINT32_MAX   /* no VM (a reader on a host), no home CPU */

/*
 * With several VMs each VM's lines carry "vm" (its index in the header's
 * "vms") and "seq" counts per (VM, vCPU); lines without "vm" (a host's
 * readers) count per CPU on their own.  One VM: no "vm", one counter per
 * number, as before VMs were several.
 */
struct trace_out {
	struct json_out j;
	uint64_t records;         /* lines written for records (not for headers) */
	uint64_t *seq;            /* reads so far per counter (see above): seq0 or the heap's */
	uint64_t seq0[TRACE_OUT_MAX_CPUS];  /* before the first header: nothing to free */
	size_t nseq;
	unsigned cpus;            /* counters per VM (and for the host's lines) */
	bool several;             /* the run has several VMs: "vm" on VM-scoped lines */
	unsigned nclocks;
	unsigned *clock_vm;       /* per clock (oracle group): its VM, or TRACE_OUT_NONE */
	unsigned *clock_home;     /* per clock: a host process's own CPU, or TRACE_OUT_NONE */
	const char **clocks;                /* the header's clock names, for violations */
	unsigned nchecks;
	const char **checks;                /* host check names ... */
	unsigned *check_vm;                 /* ... and their VMs, for violations */
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
	/*
	 * Optional (NULL / 0: one VM, nothing moves).  The tables are copied; the
	 * names they point to must live as long as the run.
	 */
	unsigned nvms;                      /* several: "vms" in the header, "vm" on lines */
	const char *const *vms;             /* the VMs' names, in scenario order */
	const unsigned *clock_vm;           /* per clock: its VM, or TRACE_OUT_NONE on a host */
	const unsigned *clock_home;         /* per clock: the one CPU of a host reader that
					       reader_migrate may move ("thread"), or NONE */
	unsigned nchecks;
	const char *const *checks;          /* host check names and ... */
	const unsigned *check_vm;           /* ... their VMs (TRACE_OUT_NONE: a host's) */
};

void trace_out_init(struct trace_out *t, FILE *f);

/* Frees what the headers' tables took (the file stays open); init needs none. */
void trace_out_free(struct trace_out *t);

/*
 * The header line that opens a run's records; read counters start again.
 * False when out of memory (nothing written).
 */
bool trace_out_begin_run(struct trace_out *t, const struct trace_out_header *h);

/* A sim_trace_fn; ctx is a struct trace_out. */
void trace_out_record(void *ctx, const struct sim_trace_record *rec);

/* Subscribes t to every record kind of tr.  False when tr has no room. */
bool trace_out_subscribe(struct trace_out *t, struct sim_trace *tr);

#endif
