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

/* The read that holds a reader's running maximum value. */
struct oracle_causal_max {
	uint64_t value_ns;
	sim_ps end_ps;            /* true end time of that read */
	unsigned vcpu;
};

/* One remembered read: its end, and the reader's running max up to and including it. */
struct oracle_causal_entry {
	sim_ps end_ps;
	struct oracle_causal_max max;
};

/* A reader's running max, and which reader of the group it is. */
struct oracle_causal_top {
	struct oracle_causal_max max;
	unsigned reader;
	bool valid;
};

/*
 * After one read of the group: its end, and the two readers with the largest
 * running max over every read fed so far (value, then lowest index first),
 * never the same reader twice.  The best other than B's own reader is then
 * the first or the second.
 */
struct oracle_causal_snap {
	sim_ps end_ps;
	struct oracle_causal_top top[2];
};

struct oracle_read {
	unsigned reader;
	unsigned vcpu;
	sim_ps start_ps;
	sim_ps end_ps;
	uint64_t value_ns;
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

	/* rate: the window's anchor read. */
	bool anchor_valid;
	uint64_t anchor_epoch;    /* pause epoch when the anchor was taken */
	sim_ps anchor_end_ps;
	unsigned anchor_vcpu;
	uint64_t anchor_value_ns;

	/* mono_causal: the largest value over every read of this reader (the earliest such read). */
	struct oracle_causal_max run_max;
};

/*
 * mono_causal's state of a group: the two best running maxima now, and a
 * ring of their snapshots after each read, in end order (oldest at head).
 */
struct oracle_causal {
	struct oracle_causal_top top[2];
	struct oracle_causal_snap *ring;    /* cap entries (a power of two), from oracle_create */
	unsigned cap, head, count;
	bool evicted;                       /* the ring has dropped its oldest snapshot */
};

/*
 * consumer_abort: the newest reads of the whole group (the consumer is one
 * process on every vCPU of the group), in end order.  A read is judged
 * exactly unless more than this many reads ended while it was in flight.
 */
#define ORACLE_CONSUMER_RING 16

/*
 * Slots for those reads and the floor (the newest read evicted from them),
 * a power of two: the floor stays in its slot, nothing is copied per read.
 */
#define ORACLE_CONSUMER_SLOTS 32
_Static_assert(ORACLE_CONSUMER_SLOTS > ORACLE_CONSUMER_RING &&
	       (ORACLE_CONSUMER_SLOTS & (ORACLE_CONSUMER_SLOTS - 1)) == 0,
	       "the ring and its floor fit, and positions wrap with a mask");

struct oracle_consumer {
	bool any;                           /* at least one read fed */
	struct oracle_causal_max run_max;   /* over every read of the group */
	struct oracle_causal_entry ring[ORACLE_CONSUMER_SLOTS];
	unsigned ring_next;                 /* slot of the next read, modulo the slots */
	unsigned ring_count;                /* reads kept: at most ORACLE_CONSUMER_RING + 1 */
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
	struct oracle_group_config cfg;
	struct oracle_reader *readers;      /* cfg.nreaders entries */
	struct oracle_check_result results[ORACLE_CHECK_COUNT];
	uint64_t reads;
	sim_ps last_end_ps;
	struct oracle_pause pause;          /* each group pauses with what it runs on */
	struct oracle_consumer consumer;    /* consumer_abort's state */
	struct oracle_causal causal;        /* mono_causal's state */
	/* during one read: the results whose worst or count moved (bit = id), a first violation */
	unsigned moved;
	bool new_first;
};

_Static_assert(ORACLE_CHECK_COUNT <= 32, "a check's bit in oracle_group.moved");

/*
 * Counts a violation of r (marking it moved in g); the first one is kept in
 * r->first, told in g->new_first and published on the oracle's trace stream
 * with `amount` (the offending quantity, in the check's unit).
 */
void oracle_record_violation(struct oracle_group *g, struct oracle_check_result *r,
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

/* Re-derives passed and expectation_met from the counters (docs/oracle.md, "Results"). */
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

/*
 * Feeds one read to every enabled check of g, in id order, and refreshes the
 * results whose counters moved (oracle/check.c).  True when a check saw its
 * first violation.
 */
bool oracle_feed_checks(struct oracle_group *g, struct oracle_reader *rs,
			const struct oracle_read *rd);

#endif
