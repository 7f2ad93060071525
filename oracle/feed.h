/*
 * Inside liboracle only: what a check's feed function sees, and the helpers
 * every check shares.  oracle.c owns the state and calls each enabled check's
 * feed (its row in check.c) once per read, in id order; the checks of a read
 * are independent, so that order does not change any result.
 */
#ifndef ORACLE_FEED_H
#define ORACLE_FEED_H

#include <stdbool.h>
#include <stdint.h>

#include "oracle/check.h"
#include "oracle/oracle.h"
#include "sim/core/simtime.h"

/*
 * Snapshots of the group's causal maxima remembered for mono_causal, per
 * reader of the group: a read is judged exactly unless more than
 * ORACLE_CAUSAL_RING x nreaders reads of its group ended while it was in
 * flight (see docs/oracle.md, "mono_causal").
 */
#define ORACLE_CAUSAL_RING 8

/*
 * consumer_abort judges a read exactly unless more than this many reads of
 * the group ended while it was in flight (docs/oracle.md, "consumer_abort").
 */
#define ORACLE_CONSUMER_RING 16

/*
 * The checks a read above its group can settle with counts alone (feed_fused,
 * oracle/check.c): a group whose enabled checks are all among these may take
 * the fused pass; with mono_causal or consumer_abort among them their
 * snapshots tell "above", without them the reader's previous value does
 * (feed_fused_plain).  step_fwd and rate measure every read; they are not.
 */
#define ORACLE_CHECK_BIT(id) (1u << (id))
#define ORACLE_FUSABLE_CHECKS                                                            \
	(ORACLE_CHECK_BIT(ORACLE_MONO_VCPU) | ORACLE_CHECK_BIT(ORACLE_MONO_CAUSAL) |     \
	 ORACLE_CHECK_BIT(ORACLE_STEP_BACK) | ORACLE_CHECK_BIT(ORACLE_MAX_ERROR) |       \
	 ORACLE_CHECK_BIT(ORACLE_CONSUMER_ABORT))

/* A reader's running max, and which reader of the group it is. */
struct oracle_causal_top {
	uint64_t value_ns;
	sim_ps end_ps;
	unsigned vcpu;
	unsigned reader;          /* ORACLE_NO_READER: no read yet */
};

#define ORACLE_NO_READER UINT32_MAX

/*
 * After one read of the group: its end; the two readers with the largest
 * running max over every read fed so far (value, then lowest index first),
 * never the same reader twice (mono_causal: the best other than B's own
 * reader is then the first or the second); and the earliest read that holds
 * the group's max (consumer_abort).  That max is top[0]'s value: the group's
 * max is the largest running max of a reader.
 */
struct oracle_snap {
	sim_ps end_ps;
	struct oracle_causal_top top[2];
	sim_ps any_end_ps;
	unsigned any_vcpu;
};

struct oracle_read {
	unsigned reader;
	unsigned vcpu;
	sim_ps start_ps;
	sim_ps end_ps;
	uint64_t value_ns;
	/* Set before the checks run (oracle/check.c, history_view). */
	bool above;                         /* after every read fed and above all: nothing to look up */
	const struct oracle_snap *newest;   /* the group before rd */
	const struct oracle_snap *causal;   /* mono_causal's snapshot; NULL: not compared */
	const struct oracle_snap *consumer; /* consumer_abort's; NULL: not compared */
};

/* Per reader; oracle.c keeps seen and prev_*, each check the fields it names. */
struct oracle_reader {
	bool seen;                /* at least one read fed (set after the checks ran) */

	/* The previous read (mono_vcpu, step_back, step_fwd). */
	sim_ps prev_end_ps;
	unsigned prev_vcpu;
	uint64_t prev_value_ns;

	/* max_error: the first read, origin of the reference. */
	sim_ps first_end_ps;
	unsigned first_vcpu;
	uint64_t first_value_ns;
	sim_ps first_paused_ps;   /* group paused time in [0, first_end_ps] */
	uint64_t first_dv_max_ns; /* the largest value - first value taken in 64 bits */

	/* rate: the window's anchor read. */
	bool anchor_valid;
	uint64_t anchor_epoch;    /* pause epoch when the anchor was taken */
	sim_ps anchor_end_ps;
	unsigned anchor_vcpu;
	uint64_t anchor_value_ns;
};

/*
 * The state mono_causal and consumer_abort share (both need "the best value
 * among reads that ended before this one started"): a ring of snapshots after
 * each read, in end order, whose newest is the group now (before the first
 * read, the slot before the first holds an empty one, whose first reader is
 * none with a value above every read's).  The ring holds the newest
 * max(K x nreaders + 1, 17) snapshots or more (a power of two); each check
 * looks only as far back as its own bound, mono_causal `causal_window`
 * snapshots, consumer_abort the newest ORACLE_CONSUMER_RING + 1 (the 16 and
 * the newest evicted one, its floor).
 */
struct oracle_history {
	struct oracle_snap *ring;           /* mask + 1 entries, from oracle_create; NULL: unused */
	struct oracle_snap *newest;         /* the newest snapshot (the empty one before a read) */
	struct oracle_snap *last;           /* ring + mask: the slot after it is ring[0] */
	unsigned mask;
	uint64_t pushed;                    /* snapshots taken: the ring holds the newest mask + 1 */
	unsigned causal_window;             /* the newest snapshots mono_causal may use */
};

/* When the group's clock could not be read: its VM paused, or its host asleep. */
struct oracle_pause {
	bool paused;
	sim_ps pause_start_ps;
	sim_ps paused_total_ps;             /* sum of completed pauses */
	uint64_t pause_epoch;               /* bumped by every effective pause or resume */
};

struct oracle_group {
	struct oracle *o;                   /* the oracle it belongs to (its trace stream) */
	unsigned index;                     /* its position in o->groups */
	/*
	 * The enabled checks are all fusable (ORACLE_FUSABLE_CHECKS) and
	 * max_error, if enabled, has no pause exclusion and no expected range:
	 * a read that needs nothing but counts takes feed_fused (fused: with
	 * snapshots) or feed_fused_plain (fused_plain: without; oracle/check.c)
	 * instead of each check's row.  fused_samples[id] is 1 for an enabled
	 * check (the sample its row would count), 0 otherwise.
	 */
	bool fused;
	bool fused_plain;
	bool fused_max_error;
	uint8_t fused_samples[ORACLE_CHECK_COUNT];
	/*
	 * Reads feed_fused took since the counts were last brought up to date
	 * (oracle_group_sync): each adds 1 to reads and fused_samples[id] to
	 * results[id].samples, added up at once when results are read.
	 */
	uint64_t fused_reads;
	struct oracle_group_config cfg;
	struct oracle_reader *readers;      /* cfg.nreaders entries */
	struct oracle_check_result results[ORACLE_CHECK_COUNT];
	uint64_t reads;
	sim_ps last_end_ps;
	struct oracle_pause pause;          /* each group pauses with what it runs on */
	struct oracle_history hist;         /* mono_causal's and consumer_abort's state */
	bool new_first;                     /* during one read: a check saw its first violation */
	uint64_t worst_mag[ORACLE_CHECK_COUNT];   /* |results[id].worst|, for the signed checks */
};

struct oracle {
	unsigned ngroups;
	struct oracle_group *groups;
	struct sim_trace *trace;            /* first violations go here; NULL: nowhere */
	oracle_first_fn *on_first;          /* called after a read with a first violation */
	void *on_first_ctx;
};

/* Adds the reads feed_fused only counted to g's reads and samples. */
static inline void oracle_group_sync(struct oracle_group *g)
{
	for (unsigned id = 0; id < ORACLE_CHECK_COUNT; id++)
		g->results[id].samples += g->fused_samples[id] * g->fused_reads;
	g->reads += g->fused_reads;
	g->fused_reads = 0;
}

/* Group `group` of o, or NULL outside the range. */
static inline struct oracle_group *oracle_group_at(struct oracle *o, unsigned group)
{
	return group < o->ngroups ? &o->groups[group] : NULL;
}

/*
 * Counts a violation of r (configured by c); the first one is kept in
 * r->first, told in g->new_first and published on the oracle's trace stream
 * with `amount` (the offending quantity, in the check's unit), and r's
 * verdict is derived again.
 */
void oracle_record_violation(struct oracle_group *g, struct oracle_check_result *r,
			     const struct oracle_check_config *c,
			     const struct oracle_violation *v, int64_t amount);

/* Total time the group spent paused in [0, t], given every pause/resume at or before t. */
sim_ps oracle_paused_until(const struct oracle_group *g, sim_ps t);

/* Saturates to [-INT64_MAX, INT64_MAX] so that the magnitude is always representable. */
static inline int64_t oracle_clamp_i64(sim_i128 x)
{
	if (x > INT64_MAX)
		return INT64_MAX;
	if (x < -INT64_MAX)
		return -INT64_MAX;
	return (int64_t)x;
}

/* (a - b) ns expressed in ps, exact. */
static inline sim_i128 oracle_ns_diff_ps(uint64_t a_ns, uint64_t b_ns)
{
	return ((sim_i128)a_ns - (sim_i128)b_ns) * (sim_i128)SIM_PS_PER_NS;
}

/*
 * Re-derives passed and expectation_met from the counters (docs/oracle.md,
 * "Results").  They move only when violations leaves 0 (the first violation)
 * or when worst moves in a check with an expected range, and are derived
 * again exactly then, so the results stay up to date after every read.
 */
static inline void oracle_result_refresh(struct oracle_check_result *r,
				  const struct oracle_check_config *c)
{
	bool outcome;

	if (!r->enabled) {
		r->passed = true;
		r->expectation_met = true;
		return;
	}
	r->passed = r->violations == 0;
	outcome = c->expect == ORACLE_EXPECT_PASS ? r->passed : !r->passed;
	r->expectation_met = outcome &&
		(!c->has_worst_min || r->worst >= c->worst_min) &&
		(!c->has_worst_max || r->worst <= c->worst_max);
}

#endif
