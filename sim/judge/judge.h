/*
 * `sim judge`'s driver: one sim-trace v1 run (a header line and what follows
 * it) fed line by line.  Reads go to the same oracle `sim run` uses
 * (oracle/oracle.h): one oracle group per clock, reader = vCPU, the read's
 * interval from its reference bracket, or from its global order.  Host
 * lines go to the replay (judge/replay.h); guest_run lines pause the guest's
 * clocks.  Memory is fixed by the header (clocks, CPUs), never by the
 * number of lines.  Format and rules: docs/trace-format.md.
 */
#ifndef SIM_JUDGE_JUDGE_H
#define SIM_JUDGE_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oracle/oracle.h"
#include "sim/core/diag.h"
#include "sim/judge/policy.h"
#include "sim/judge/replay.h"
#include "sim/judge/trace_line.h"

#define JUDGE_FORMAT_VERSION 1
#define JUDGE_MAX_CLOCKS 65536   /* (clock, VM) pairs: each its own oracle */
#define JUDGE_MAX_VMS 4096        /* names in the header's "vms" (scenario-format.md's limit) */
#define JUDGE_NO_VM UINT32_MAX    /* a clock whose reads name no VM */
#define JUDGE_DEFAULT_CPUS 64     /* vCPU numbers below this when the header has no "cpus" */
#define JUDGE_MAX_CPUS 1024
#define JUDGE_MAX_IGNORED 16

struct judge_header {
	char producer[64];
	char scenario[64];        /* "" when the header names none */
	bool has_seed;
	uint64_t seed;
	char ref[48];             /* the reference clock's name; "" when none */
	bool ref_ps;              /* ref_unit "ps" (else ns) */
	unsigned cpus;
	uint64_t tsc_khz;         /* 0: none */
	unsigned nvms;            /* the header's "vms" (1 without: the one VM, unnamed) */
};

/* A clock of one VM: reads of one name in several VMs are judged apart. */
struct judge_clock {
	char name[ORACLE_NAME_MAX];
	unsigned vm;              /* its reads' "vm", or JUDGE_NO_VM */
	bool bound;               /* its first read set vm (a header's clock waits for it) */
	bool guest;               /* pauses with the guest (guest_run lines) */
	bool started;             /* its first read fixed how its reads are judged */
	bool has_ref, has_order, cycles;
	struct oracle_check_config checks[ORACLE_CHECK_COUNT];
	struct oracle *time_o;    /* every check, or all but the causal ones when causal_o */
	struct oracle *causal_o;  /* mono_causal, consumer_abort by "order" when reads have both */
	uint64_t reads;
	sim_ps last_end_ps;
	uint64_t *vcpus_seen;     /* bitmap, header cpus bits */
};

enum judge_status {
	JUDGE_OK,
	JUDGE_ERROR,              /* bad input: d says where and why */
	JUDGE_NEXT_RUN,           /* a second header: finish this run, judge the line in a new one */
};

struct judge;

struct judge *judge_create(const struct judge_policy *p);
void judge_destroy(struct judge *j);

/* One line (no "\n"); lineno counts from 1 in the file. */
enum judge_status judge_line(struct judge *j, const char *line, size_t n, unsigned lineno,
			     struct sim_diag *d);

/* After the last line: clocks without reads get their (empty) results, the replay its notes. */
bool judge_finish(struct judge *j, struct sim_diag *d);

const struct judge_header *judge_get_header(const struct judge *j);

/* VM vm's name from the header's "vms"; "" without them. */
const char *judge_vm_name(const struct judge *j, unsigned vm);
unsigned judge_nclocks(const struct judge *j);
const struct judge_clock *judge_get_clock(const struct judge *j, unsigned i);

/* Result of check c on clock k: from the oracle that judged it. */
const struct oracle_check_result *judge_clock_result(const struct judge_clock *k,
						    enum oracle_check_id c);

const struct judge_replay *judge_get_replay(const struct judge *j);

/* Lines of each type (JT_UNKNOWN: those the header's ignore_types skipped). */
uint64_t judge_type_lines(const struct judge *j, enum jt_type t);
uint64_t judge_lines(const struct judge *j);

#endif
