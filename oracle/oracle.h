/*
 * The oracle: streaming checks over what guest clock readers returned.
 *
 * Readers are organised in groups (one group per scenario "readers" entry: one
 * clock, read on one or more vCPUs).  Every completed read is fed as
 * (reader, vCPU, true start, true end, value in ns).  Reads must be fed in
 * order of their true end time.  Memory is O(1) per reader and does not grow
 * with simulated time.  Exact definitions: docs/oracle.md.
 *
 * Units: every time-valued threshold, worst value and bound is in ps (signed
 * int64); the rate check's are in ppb (parts per 1e9).  Each check's row in
 * oracle/check.h says which.
 */
#ifndef ORACLE_ORACLE_H
#define ORACLE_ORACLE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/core/simtime.h"

/*
 * The checks: X(ID, stem) each, in the order of their rows in oracle/check.c
 * (which say everything else about them); feed_<stem>() in that file judges
 * each read.  A list rather than a plain enum so that the oracle feeds every
 * check by a direct call, which the compiler inlines.
 */
#define ORACLE_CHECK_IDS(X)                                                                \
	X(ORACLE_MONO_VCPU, mono_vcpu)     /* each reader's successive reads never decrease */ \
	X(ORACLE_MONO_CAUSAL, mono_causal) /* a read after another completed never returns less */ \
	X(ORACLE_STEP_BACK, step_back)     /* largest backward step between successive reads */ \
	X(ORACLE_STEP_FWD, step_fwd)       /* largest forward step beyond the true time elapsed */ \
	X(ORACLE_MAX_ERROR, max_error)     /* largest |guest elapsed - reference elapsed| */   \
	X(ORACLE_RATE, rate)               /* rate error over tumbling windows of running time */ \
	X(ORACLE_CONSUMER_ABORT, consumer_abort) /* reads that abort a consumer of the whole group */

enum oracle_check_id {
#define ORACLE_CHECK_ENUM(id, stem) id,
	ORACLE_CHECK_IDS(ORACLE_CHECK_ENUM)
#undef ORACLE_CHECK_ENUM
	ORACLE_CHECK_COUNT
};

/* "mono_vcpu", "mono_causal", "step_back", "step_fwd", "max_error", "rate". */
const char *oracle_check_name(enum oracle_check_id id);

/* True for the checks whose values are ppb (rate); the others are ps (the row's unit). */
bool oracle_check_is_rate(enum oracle_check_id id);

enum oracle_pause_policy {
	ORACLE_PAUSE_INCLUDE,     /* reference = all true time elapsed, pauses included */
	ORACLE_PAUSE_EXCLUDE,     /* reference = true time elapsed while the VM ran */
};

enum oracle_expect {
	ORACLE_EXPECT_PASS,
	ORACLE_EXPECT_FAIL,
};

struct oracle_check_config {
	bool enabled;
	int64_t threshold;        /* ps, or ppb for rate; unused by the mono checks (strict) */
	sim_ps window_ps;         /* rate only: window length in running true time */
	enum oracle_pause_policy pause;   /* max_error only */
	enum oracle_expect expect;
	bool has_worst_min, has_worst_max;
	int64_t worst_min, worst_max;     /* expected range of the worst value; same unit */
};

#define ORACLE_NAME_MAX 32

struct oracle_group_config {
	char name[ORACLE_NAME_MAX];
	unsigned nreaders;        /* readers are numbered 0 .. nreaders-1 in the group */
	struct oracle_check_config checks[ORACLE_CHECK_COUNT];
};

/* The first violation a check saw. */
struct oracle_violation {
	sim_ps t_ps;              /* true end time of the offending read */
	unsigned vcpu;            /* vCPU of the offending read */
	uint64_t value_ns;        /* what it returned */
	sim_ps other_t_ps;        /* the read it is compared with: true end time */
	unsigned other_vcpu;
	uint64_t other_value_ns;  /* for max_error and rate: the reference, in ns */
};

struct oracle_check_result {
	enum oracle_check_id id;
	bool enabled;
	bool passed;              /* no violation */
	int64_t worst;            /* ps, or ppb for rate; see docs/oracle.md for each sign */
	uint64_t violations;
	uint64_t samples;         /* comparisons made */
	bool has_first;
	struct oracle_violation first;
	bool expectation_met;     /* expect and worst range both hold */
};

struct oracle;
struct sim_trace;

/* Copies the configs.  Returns NULL on allocation failure. */
struct oracle *oracle_create(const struct oracle_group_config *groups, unsigned ngroups);
void oracle_destroy(struct oracle *o);

/*
 * Publish each check's first violation (per group) on t as a
 * SIM_TRACE_VIOLATION record; NULL (the default) publishes nothing.  t must
 * outlive the oracle or be replaced first.
 */
void oracle_set_trace(struct oracle *o, struct sim_trace *t);

/*
 * One completed read.  start_ps <= end_ps; end_ps never decreases between
 * calls.  True when a check of the group saw its first violation in this
 * read (its result's has_first just became true).
 */
bool oracle_feed(struct oracle *o, unsigned group, unsigned reader, unsigned vcpu,
		 sim_ps start_ps, sim_ps end_ps, uint64_t value_ns);

/*
 * Group `group` of o as a handle for oracle_group_feed, or NULL outside the
 * range; valid until oracle_destroy.
 */
struct oracle_group;
struct oracle_group *oracle_group_handle(struct oracle *o, unsigned group);

/*
 * oracle_feed for the group of a handle, which the caller looked up once:
 * the per-read entry of a sink that feeds every read.
 */
bool oracle_group_feed(struct oracle_group *g, unsigned reader, unsigned vcpu,
		       sim_ps start_ps, sim_ps end_ps, uint64_t value_ns);

/*
 * Called with the group's index after a read in which a check of that group
 * saw its first violation (when oracle_feed returns true), once every check
 * has taken the read; NULL (the default): nothing is called.
 */
typedef void oracle_first_fn(void *ctx, unsigned group);
void oracle_set_on_first(struct oracle *o, oracle_first_fn *fn, void *ctx);

/* Every group's clock stopped or resumed at `now` (pause policy, rate windows). */
void oracle_vm_paused(struct oracle *o, sim_ps now);
void oracle_vm_resumed(struct oracle *o, sim_ps now);

/*
 * One group's clock stopped or resumed: its VM paused for a migration, or
 * its host went to sleep.  Other groups run on.  A repeated pause (or resume)
 * is ignored.
 */
void oracle_group_paused(struct oracle *o, unsigned group, sim_ps now);
void oracle_group_resumed(struct oracle *o, unsigned group, sim_ps now);

/*
 * Results of group g, indexed by enum oracle_check_id; valid until
 * oracle_destroy, but the samples counts only until the next read fed:
 * call again after feeding to read them (the fused feed counts its reads
 * in the group and adds them up here).
 */
const struct oracle_check_result *oracle_results(const struct oracle *o, unsigned group);

uint64_t oracle_reads(const struct oracle *o, unsigned group);

#endif
