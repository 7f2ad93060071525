/*
 * The oracle's checks: one row each (see check.h) with the function that
 * judges a read.  Every check is a fixed-size accumulator per reader, fed one
 * completed read at once (STYLE.md P15); all arithmetic is integer, guest
 * values (ns) are compared in ps through 128-bit intermediates, and results
 * saturate to +-INT64_MAX.  The exact definitions are in docs/oracle.md; keep
 * the two in step.  oracle_feed() is here too, with the snapshots that
 * mono_causal and consumer_abort share, so that the checks inline into it.
 */
#include "oracle/check.h"

#include <assert.h>
#include <string.h>

#include "oracle/feed.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int64_t abs_i64(int64_t x)
{
	return x < 0 ? -x : x;
}

/* A check's verdict depends on worst only when it has an expected range. */
static void worst_moved(struct oracle_check_result *r, const struct oracle_check_config *c)
{
	if (c->has_worst_min || c->has_worst_max)
		oracle_result_refresh(r, c);
}

/* worst = max(worst, x) for the checks whose worst is a non-negative magnitude. */
static void worst_max(struct oracle_check_result *r, const struct oracle_check_config *c,
		      int64_t x)
{
	if (x > r->worst) {
		r->worst = x;
		worst_moved(r, c);
	}
}

/*
 * worst = the signed x of largest magnitude; the earliest wins ties.  *mag
 * is |worst| (the group's worst_mag), kept so that a read computes only its
 * own; x is in [-INT64_MAX, INT64_MAX].
 */
static void worst_signed(struct oracle_check_result *r, const struct oracle_check_config *c,
			 uint64_t *mag, int64_t x)
{
	uint64_t m = (uint64_t)abs_i64(x);

	if (m > *mag) {
		*mag = m;
		r->worst = x;
		worst_moved(r, c);
	}
}

/* Records the read as a violation of r, against the same reader's previous read. */
static void violation_vs_prev(struct oracle_group *g, const struct oracle_reader *rs,
			      const struct oracle_read *rd, struct oracle_check_result *r,
			      const struct oracle_check_config *c, int64_t amount)
{
	oracle_record_violation(g, r, c, &(struct oracle_violation){
		.t_ps = rd->end_ps, .vcpu = rd->vcpu, .value_ns = rd->value_ns,
		.other_t_ps = rs->prev_end_ps, .other_vcpu = rs->prev_vcpu,
		.other_value_ns = rs->prev_value_ns,
	}, amount);
}

/*
 * mono_vcpu and step_back: a step backward from the reader's previous read
 * counts towards worst, and is a violation when it is more than the threshold
 * (ps, >= 0).  mono_vcpu is strict: a threshold of 0, so 1 ns counts.
 */
static void step_back_taken(struct oracle_group *g, const struct oracle_reader *rs,
			    const struct oracle_read *rd, struct oracle_check_result *r,
			    const struct oracle_check_config *c, int64_t threshold_ps)
{
	int64_t back_ps = oracle_clamp_i64(oracle_ns_diff_ps(rs->prev_value_ns, rd->value_ns));

	worst_max(r, c, back_ps);
	if (back_ps > threshold_ps)
		violation_vs_prev(g, rs, rd, r, c, back_ps);
}

/* The usual read, no step back, stays inline; a step back is measured out of line. */
static inline void step_back(struct oracle_group *g, const struct oracle_reader *rs,
			     const struct oracle_read *rd, struct oracle_check_result *r,
			     const struct oracle_check_config *c, int64_t threshold_ps)
{
	if (!rs->seen)
		return;
	r->samples++;
	if (rd->value_ns < rs->prev_value_ns)
		step_back_taken(g, rs, rd, r, c, threshold_ps);
}

static void feed_mono_vcpu(struct oracle_group *g, struct oracle_reader *rs,
			   const struct oracle_read *rd, struct oracle_check_result *r,
			   const struct oracle_check_config *c)
{
	step_back(g, rs, rd, r, c, 0);
}

static void feed_step_back(struct oracle_group *g, struct oracle_reader *rs,
			   const struct oracle_read *rd, struct oracle_check_result *r,
			   const struct oracle_check_config *c)
{
	step_back(g, rs, rd, r, c, c->threshold);
}

static void feed_step_fwd(struct oracle_group *g, struct oracle_reader *rs,
			  const struct oracle_read *rd, struct oracle_check_result *r,
			  const struct oracle_check_config *c)
{
	sim_i128 excess_ps;

	if (!rs->seen)
		return;
	r->samples++;
	excess_ps = oracle_ns_diff_ps(rd->value_ns, rs->prev_value_ns) -
		(sim_i128)(rd->end_ps - rs->prev_end_ps);
	worst_max(r, c, oracle_clamp_i64(excess_ps));
	if (excess_ps > c->threshold)
		violation_vs_prev(g, rs, rd, r, c, oracle_clamp_i64(excess_ps));
}

/* The largest v - v0 (ns) whose error max_error computes in 64 bits. */
#define MAX_ERROR_DV_NS ((uint64_t)INT64_MAX / SIM_PS_PER_NS)

static void feed_max_error(struct oracle_group *g, struct oracle_reader *rs,
			   const struct oracle_read *rd, struct oracle_check_result *r,
			   const struct oracle_check_config *c)
{
	sim_ps span_ps, paused_ps = 0;
	sim_i128 ref_ps, err_ps, mag_ps;
	uint64_t dv_ns, ref64_ps;
	int64_t err;

	if (!rs->seen) {
		/* the origin of this reader's reference */
		rs->first_end_ps = rd->end_ps;
		rs->first_vcpu = rd->vcpu;
		rs->first_value_ns = rd->value_ns;
		rs->first_paused_ps = oracle_paused_until(g, rd->end_ps);
		/*
		 * Below this origin, v - v0 wraps above the 64-bit bound, so that
		 * one test says v >= v0 as well; an origin too close to 2^64 for
		 * that takes only v == v0 in 64 bits.
		 */
		rs->first_dv_max_ns = rd->value_ns <= UINT64_MAX - MAX_ERROR_DV_NS ? MAX_ERROR_DV_NS : 0;
		return;
	}
	span_ps = rd->end_ps - rs->first_end_ps;
	ref64_ps = span_ps;
	if (c->pause == ORACLE_PAUSE_EXCLUDE) {
		paused_ps = oracle_paused_until(g, rd->end_ps) - rs->first_paused_ps;
		/* more paused time than elapsed: a negative reference, for the 128-bit path */
		ref64_ps = paused_ps <= span_ps ? span_ps - paused_ps : UINT64_MAX;
	}
	r->samples++;
	/*
	 * Both terms in [0, INT64_MAX], as they are for any run shorter than 106
	 * days: the error is their exact 64-bit difference, and needs no clamp.
	 */
	dv_ns = rd->value_ns - rs->first_value_ns;
	if (dv_ns <= rs->first_dv_max_ns && ref64_ps <= (uint64_t)INT64_MAX) {
		err = (int64_t)(dv_ns * SIM_PS_PER_NS) - (int64_t)ref64_ps;
		worst_signed(r, c, &g->worst_mag[ORACLE_MAX_ERROR], err);
		if (abs_i64(err) <= c->threshold)
			return;
		ref_ps = (sim_i128)ref64_ps;
		err_ps = err;
	} else {
		ref_ps = (sim_i128)span_ps - (sim_i128)paused_ps;
		err_ps = oracle_ns_diff_ps(rd->value_ns, rs->first_value_ns) - ref_ps;
		err = oracle_clamp_i64(err_ps);
		worst_signed(r, c, &g->worst_mag[ORACLE_MAX_ERROR], err);
	}
	mag_ps = err_ps < 0 ? -err_ps : err_ps;
	if (mag_ps > c->threshold)
		oracle_record_violation(g, r, c, &(struct oracle_violation){
			.t_ps = rd->end_ps, .vcpu = rd->vcpu, .value_ns = rd->value_ns,
			.other_t_ps = rs->first_end_ps, .other_vcpu = rs->first_vcpu,
			.other_value_ns = rs->first_value_ns +
				(uint64_t)(ref_ps / (sim_i128)SIM_PS_PER_NS),
		}, err);
}

/* Closes the reader's window when it is long enough; the read that closes one anchors the next. */
static void feed_rate(struct oracle_group *g, struct oracle_reader *rs,
		      const struct oracle_read *rd, struct oracle_check_result *r,
		      const struct oracle_check_config *c)
{
	sim_ps dt_ps;
	sim_i128 excess_ps, ppb, mag;

	if (rs->anchor_valid && rs->anchor_epoch == g->pause.pause_epoch) {
		dt_ps = rd->end_ps - rs->anchor_end_ps;
		if (dt_ps == 0 || dt_ps < c->window_ps)
			return;
		excess_ps = oracle_ns_diff_ps(rd->value_ns, rs->anchor_value_ns) - (sim_i128)dt_ps;
		ppb = excess_ps * (sim_i128)SIM_NS_PER_S / (sim_i128)dt_ps;   /* truncates toward 0 */

		r->samples++;
		worst_signed(r, c, &g->worst_mag[ORACLE_RATE], oracle_clamp_i64(ppb));
		mag = ppb < 0 ? -ppb : ppb;
		if (mag > c->threshold)
			oracle_record_violation(g, r, c, &(struct oracle_violation){
				.t_ps = rd->end_ps, .vcpu = rd->vcpu, .value_ns = rd->value_ns,
				.other_t_ps = rs->anchor_end_ps, .other_vcpu = rs->anchor_vcpu,
				.other_value_ns = rs->anchor_value_ns + sim_to_ns(dt_ps),
			}, oracle_clamp_i64(ppb));
	}
	rs->anchor_valid = true;
	rs->anchor_epoch = g->pause.pause_epoch;
	rs->anchor_end_ps = rd->end_ps;
	rs->anchor_vcpu = rd->vcpu;
	rs->anchor_value_ns = rd->value_ns;
}

/*
 * mono_causal: O(1) per read.  The largest value among the other readers'
 * reads that ended before rd started is the best of the snapshot taken after
 * the last of them (rd->causal, found by history_view), or its second when
 * the best is rd's own reader.
 */
static void feed_mono_causal(struct oracle_group *g, struct oracle_reader *rs,
			     const struct oracle_read *rd, struct oracle_check_result *r,
			     const struct oracle_check_config *c)
{
	const struct oracle_snap *snap = rd->causal;
	const struct oracle_causal_top *best;
	int64_t warp_ps;

	if (rd->above) {
		/* the newest snapshot, all below rd: a sample when another reader is in it */
		if (snap->top[1].reader != ORACLE_NO_READER || snap->top[0].reader != rd->reader)
			r->samples++;
		return;
	}
	if (!snap)
		return;
	best = snap->top[0].reader != ORACLE_NO_READER && snap->top[0].reader != rd->reader
		? &snap->top[0]
	     : snap->top[1].reader != ORACLE_NO_READER && snap->top[1].reader != rd->reader
		? &snap->top[1] : NULL;
	if (!best)
		return;
	r->samples++;
	if (rd->value_ns >= best->value_ns)
		return;
	warp_ps = oracle_clamp_i64(oracle_ns_diff_ps(best->value_ns, rd->value_ns));
	worst_max(r, c, warp_ps);
	oracle_record_violation(g, r, c, &(struct oracle_violation){
		.t_ps = rd->end_ps, .vcpu = rd->vcpu, .value_ns = rd->value_ns,
		.other_t_ps = best->end_ps, .other_vcpu = best->vcpu,
		.other_value_ns = best->value_ns,
	}, warp_ps);
}

/*
 * consumer_abort: a consumer that keeps the largest value it has seen,
 * process-wide, and aborts on a read below it (Erlang's ERTS: "OS monotonic
 * time stepped backwards!", erlang/otp PR #8342 check_os_monotonic_time).
 * "Seen" is causal: the reads of the group that ended before this one
 * started, on any vCPU, this one's own included: the group's max in the
 * snapshot after the last of them (rd->consumer).
 */
static void feed_consumer_abort(struct oracle_group *g, struct oracle_reader *rs,
				const struct oracle_read *rd, struct oracle_check_result *r,
				const struct oracle_check_config *c)
{
	const struct oracle_snap *snap = rd->consumer;
	int64_t back_ps;

	if (rd->above) {
		r->samples++;
		return;
	}
	if (!snap)
		return;
	r->samples++;
	if (rd->value_ns >= snap->top[0].value_ns)
		return;
	back_ps = oracle_clamp_i64(oracle_ns_diff_ps(snap->top[0].value_ns, rd->value_ns));
	worst_max(r, c, back_ps);
	oracle_record_violation(g, r, c, &(struct oracle_violation){
		.t_ps = rd->end_ps, .vcpu = rd->vcpu, .value_ns = rd->value_ns,
		.other_t_ps = snap->any_end_ps, .other_vcpu = snap->any_vcpu,
		.other_value_ns = snap->top[0].value_ns,
	}, back_ps);
}

static const struct oracle_check_desc descs[] = {
	[ORACLE_MONO_VCPU] = {
		.name = "mono_vcpu", .unit = ORACLE_UNIT_PS, .params = 0,
		.sample_noun = "samples", .compared_with = ORACLE_VS_PREVIOUS,
		.summary = "each reader's successive reads never decrease",
	},
	[ORACLE_MONO_CAUSAL] = {
		.name = "mono_causal", .unit = ORACLE_UNIT_PS, .params = 0,
		.sample_noun = "samples", .compared_with = ORACLE_VS_OTHER_READER,
		.summary = "a read that starts after another completed never returns less",
	},
	[ORACLE_STEP_BACK] = {
		.name = "step_back", .unit = ORACLE_UNIT_PS, .params = ORACLE_PARAM_THRESHOLD,
		.sample_noun = "samples", .compared_with = ORACLE_VS_PREVIOUS,
		.summary = "no backward step between successive reads exceeds the threshold",
	},
	[ORACLE_STEP_FWD] = {
		.name = "step_fwd", .unit = ORACLE_UNIT_PS, .params = ORACLE_PARAM_THRESHOLD,
		.sample_noun = "samples", .compared_with = ORACLE_VS_PREVIOUS,
		.summary = "no forward step beyond the true time elapsed exceeds the threshold",
	},
	[ORACLE_MAX_ERROR] = {
		.name = "max_error", .unit = ORACLE_UNIT_PS,
		.params = ORACLE_PARAM_THRESHOLD | ORACLE_PARAM_PAUSE,
		.signed_worst = true, .sample_noun = "samples", .compared_with = ORACLE_VS_REFERENCE,
		.summary = "elapsed guest time stays within the threshold of the reference",
	},
	[ORACLE_RATE] = {
		.name = "rate", .unit = ORACLE_UNIT_PPB,
		.params = ORACLE_PARAM_THRESHOLD | ORACLE_PARAM_WINDOW, .window_default = "1s",
		.signed_worst = true, .sample_noun = "windows", .compared_with = ORACLE_VS_REFERENCE,
		.summary = "the clock's rate over each window stays within the threshold of true time",
	},
	[ORACLE_CONSUMER_ABORT] = {
		.name = "consumer_abort", .unit = ORACLE_UNIT_PS, .params = 0,
		.sample_noun = "reads", .compared_with = ORACLE_VS_OTHER_READER,
		.summary = "no read is below what the group's process had seen: each one that is "
			   "would abort a consumer like the Erlang VM",
	},
};

_Static_assert(N(descs) == ORACLE_CHECK_COUNT, "one row per check");

/* a ranks above b: a larger value, or the same value from a reader of lower index. */
static bool causal_above(const struct oracle_causal_top *a, const struct oracle_causal_top *b)
{
	if (b->reader == ORACLE_NO_READER)
		return true;
	return a->value_ns > b->value_ns ||
	       (a->value_ns == b->value_ns && a->reader < b->reader);
}

/*
 * The newest snapshot taken after a read that ended before start_ps, and its
 * age (1: the newest), or NULL when there is none among the snapshots either
 * check may use (the ring dropped older ones, and every one it holds ended at
 * or after start_ps).  Reads arrive in end order, so the ring is sorted by
 * end: the newest few are scanned, and a read long in flight costs a binary
 * search over mono_causal's older ones.
 */
static const struct oracle_snap *history_before(const struct oracle_history *h,
						sim_ps start_ps, unsigned *age)
{
	unsigned count = h->pushed <= h->mask ? (unsigned)h->pushed : h->mask + 1;
	unsigned scan = count < ORACLE_CONSUMER_RING + 1 ? count : ORACLE_CONSUMER_RING + 1;
	unsigned limit = count < h->causal_window ? count : h->causal_window;
	unsigned next = (unsigned)(h->newest - h->ring) + 1, lo, hi;

	for (unsigned i = 1; i <= scan; i++) {
		const struct oracle_snap *e = &h->ring[(next - i) & h->mask];

		if (e->end_ps < start_ps) {
			*age = i;
			return e;
		}
	}
	/* the youngest of ages (scan, limit] that ended before start_ps: [lo, hi] narrows to it */
	lo = scan + 1;
	hi = limit + 1;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (h->ring[(next - mid) & h->mask].end_ps < start_ps)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo > limit)
		return NULL;
	*age = lo;
	return &h->ring[(next - lo) & h->mask];
}

/*
 * What mono_causal and consumer_abort compare rd with (rd->above, rd->causal,
 * rd->consumer), before rd enters the history.
 *
 * The exact fast path, rd->above: a read was fed, every read fed so far
 * ended before rd started (g's last end, the newest snapshot's, is before
 * rd's start), and rd's value is above the group's max over all of them (the
 * newest snapshot's first).
 * Then the snapshot both checks take is the newest (age 1, within both
 * bounds); consumer_abort's M(rd) is that max and mono_causal's is at most
 * it, so neither is a violation: consumer_abort counts a sample, mono_causal
 * one when the newest snapshot holds a reader other than rd's (a second
 * reader, or a first that is not rd's).  history_push's shortcut for such a
 * read is proved there.
 */
static void history_view(const struct oracle_group *g, struct oracle_read *rd,
			 sim_ps last_end_ps)
{
	const struct oracle_history *h = &g->hist;
	const struct oracle_snap *snap;
	unsigned age = 0;

	rd->newest = h->newest;
	/* before the first read, the empty snapshot's first is above every value */
	rd->above = last_end_ps < rd->start_ps && rd->value_ns > rd->newest->top[0].value_ns;
	if (rd->above) {
		rd->causal = rd->consumer = rd->newest;
		return;
	}
	rd->causal = rd->consumer = NULL;
	snap = history_before(h, rd->start_ps, &age);
	if (!snap)
		return;
	if (age <= h->causal_window)
		rd->causal = snap;
	if (age <= ORACLE_CONSUMER_RING + 1)
		rd->consumer = snap;
}

/*
 * Snapshots the group after rd: the two best running maxima and the group's
 * max, from the snapshot before (the newest, or the empty one in the slot
 * before the first).
 *
 * A reader in the two best is there with its running max (it is replaced
 * whenever that max grows), so a reader's running max need not be kept: a
 * read of a reader in the two best raises that reader's entry when its value
 * is above it; a read of any other reader, whose running max ranks below the
 * second, enters the two best exactly when it ranks above the second (if its
 * value did not raise its own running max, it cannot rank above the second).
 * Running maxima only grow, so the two best never need a third.
 *
 * For a read with rd->above (history_view) the shortcut is exact: its value
 * is above the group's max, so it ranks above every reader's max and becomes
 * the first; the old first moves to second unless it was rd's own reader
 * (never one reader twice), when the second stays.  That is what each branch
 * of the general update gives: rd's reader was the first (raised), the
 * second (raised, then ranks first: swapped), or neither (ranks first).  And
 * rd is the group's new max, strictly above the old one, so it is the
 * earliest read that holds it.
 */
/* The slot after the newest snapshot, which becomes the newest. */
static inline struct oracle_snap *history_next(struct oracle_history *h)
{
	/* the last slot kept as a pointer: the wrap's test costs no index arithmetic */
	struct oracle_snap *e = h->newest == h->last ? h->ring : h->newest + 1;

	h->newest = e;
	h->pushed++;
	return e;
}

/* e after a read c that is above the group (rd->above) and p before it: history_push's shortcut. */
static inline void snap_above(struct oracle_snap *e, const struct oracle_snap *p,
			      const struct oracle_causal_top *c)
{
	/*
	 * By index, not by a branch: whether the previous read was this
	 * reader's own follows the readers' interleaving, which a CPU mispredicts.
	 */
	e->top[1] = p->top[p->top[0].reader == c->reader];
	e->top[0] = *c;
	e->any_end_ps = c->end_ps;
	e->any_vcpu = c->vcpu;
	e->end_ps = c->end_ps;
}

static void history_push(struct oracle_history *h, const struct oracle_read *rd)
{
	const struct oracle_snap *p = rd->newest;
	struct oracle_snap *e = history_next(h);
	const struct oracle_causal_top c = {
		.value_ns = rd->value_ns, .end_ps = rd->end_ps, .vcpu = rd->vcpu,
		.reader = rd->reader,
	};

	if (rd->above) {
		snap_above(e, p, &c);
	} else {
		struct oracle_causal_top t0 = p->top[0], t1 = p->top[1];

		/* the group's max: p's first, or none before the first read */
		if (h->pushed == 1 || c.value_ns > t0.value_ns) {
			e->any_end_ps = c.end_ps;
			e->any_vcpu = c.vcpu;
		} else {
			e->any_end_ps = p->any_end_ps;
			e->any_vcpu = p->any_vcpu;
		}
		if (t0.reader == c.reader) {
			if (c.value_ns > t0.value_ns)
				t0 = c;
		} else if (t1.reader == c.reader) {
			if (c.value_ns > t1.value_ns) {
				t1 = c;
				if (causal_above(&t1, &t0)) {
					t1 = t0;
					t0 = c;
				}
			}
		} else if (causal_above(&c, &t0)) {
			t1 = t0;
			t0 = c;
		} else if (causal_above(&c, &t1)) {
			t1 = c;
		}
		e->top[0] = t0;
		e->top[1] = t1;
		e->end_ps = rd->end_ps;
	}
}

/*
 * max_error's part of a fused read, when enabled: its 64-bit path (pause
 * included, no expected range), within the threshold.  false (nothing
 * changed): the read goes to the rows.
 */
static inline __attribute__((always_inline)) bool fused_max_error(struct oracle_group *g,
								  const struct oracle_reader *rs,
								  sim_ps end_ps, uint64_t value_ns)
{
	struct oracle_check_result *res = g->results;
	uint64_t dv_ns, span_ps, mag_ps;
	int64_t err;

	span_ps = end_ps - rs->first_end_ps;
	dv_ns = value_ns - rs->first_value_ns;
	if (dv_ns > rs->first_dv_max_ns || span_ps > (uint64_t)INT64_MAX)
		return false;
	err = (int64_t)(dv_ns * SIM_PS_PER_NS) - (int64_t)span_ps;
	mag_ps = (uint64_t)abs_i64(err);
	if ((int64_t)mag_ps > g->cfg.checks[ORACLE_MAX_ERROR].threshold)
		return false;
	/*
	 * Without a branch: a drifting clock's error grows in noisy steps,
	 * so "a new worst" is a coin toss the CPU would mispredict.  The
	 * magnitude is a plain max (a conditional move); the signed worst
	 * takes err's bits where the mask says so.
	 */
	uint64_t *worst_mag = &g->worst_mag[ORACLE_MAX_ERROR];
	int64_t *worst = &res[ORACLE_MAX_ERROR].worst;
	uint64_t worse = -(uint64_t)(mag_ps > *worst_mag);

	*worst_mag = mag_ps > *worst_mag ? mag_ps : *worst_mag;
	*worst = (int64_t)((uint64_t)*worst ^ (((uint64_t)*worst ^ (uint64_t)err) & worse));
	return true;
}

/* A read a fused feed took: the group's and the reader's last read. */
static inline __attribute__((always_inline)) void fused_taken(struct oracle_group *g,
							      struct oracle_reader *rs,
							      unsigned vcpu, sim_ps end_ps,
							      uint64_t value_ns)
{
	/* reads and each enabled check's sample: added up by oracle_group_sync */
	g->fused_reads++;
	g->last_end_ps = end_ps;
	rs->prev_end_ps = end_ps;
	rs->prev_vcpu = vcpu;
	rs->prev_value_ns = value_ns;
}

/*
 * The fused feed of a group whose checks are all fusable (g->fused) and
 * that keeps snapshots (mono_causal or consumer_abort enabled): a read
 * that needs nothing but counts is taken whole here, in one pass, and true
 * returned; otherwise nothing changes and false sends it to the rows.  Such
 * a read is in order, its reader has read before, and it is above the group
 * (history_view's rd->above, tested on the same terms), so that mono_causal
 * and consumer_abort count a sample as their rows do and the snapshot is
 * history_push's shortcut; mono_vcpu's and step_back's rows only count one
 * too, since the group's max, below rd, is at least the reader's previous
 * value.  max_error, when enabled, takes its 64-bit path (pause included,
 * no expected range) and stays within the threshold.  No check sees a
 * violation, so none is first.  mono_causal's row counts a sample when the
 * newest snapshot holds a reader other than rd's; it holds rd's (seen), so
 * exactly when it holds two: a read before that goes to the rows, and then
 * every enabled check counts one sample for each fused read, which is only
 * counted here (g->fused_reads, oracle_group_sync).
 */
static inline bool feed_fused(struct oracle_group *g, unsigned reader, unsigned vcpu,
			      sim_ps start_ps, sim_ps end_ps, uint64_t value_ns)
{
	const struct oracle_snap *p = g->hist.newest;
	struct oracle_reader *rs;

	if (reader >= g->cfg.nreaders || start_ps > end_ps || g->last_end_ps >= start_ps ||
	    value_ns <= p->top[0].value_ns || p->top[1].reader == ORACLE_NO_READER)
		return false;
	rs = &g->readers[reader];
	if (!rs->seen)
		return false;
	if (g->fused_max_error && !fused_max_error(g, rs, end_ps, value_ns))
		return false;
	snap_above(history_next(&g->hist), p, &(const struct oracle_causal_top){
		.value_ns = value_ns, .end_ps = end_ps, .vcpu = vcpu, .reader = reader,
	});
	fused_taken(g, rs, vcpu, end_ps, value_ns);
	return true;
}

/*
 * The fused feed of a group whose checks are all fusable and that keeps no
 * snapshots (neither mono_causal nor consumer_abort enabled, or no check at
 * all): a read in order, of a reader that has read before, and not below
 * that reader's previous value is one sample of mono_vcpu and of step_back,
 * as their rows count it (they measure a step back, and there is none), and
 * of max_error as in feed_fused.  Without it such a group sent every read
 * to the rows, and ran slower than one with more checks enabled
 * (docs/performance-rounds.md, "Twelfth round").
 */
static inline bool feed_fused_plain(struct oracle_group *g, unsigned reader, unsigned vcpu,
				    sim_ps start_ps, sim_ps end_ps, uint64_t value_ns)
{
	struct oracle_reader *rs;

	if (reader >= g->cfg.nreaders || start_ps > end_ps || end_ps < g->last_end_ps)
		return false;
	rs = &g->readers[reader];
	if (!rs->seen || value_ns < rs->prev_value_ns)
		return false;
	if (g->fused_max_error && !fused_max_error(g, rs, end_ps, value_ns))
		return false;
	fused_taken(g, rs, vcpu, end_ps, value_ns);
	return true;
}

/*
 * Any read, through the rows.  The read is checked once (debug builds
 * assert what release builds drop); every enabled check takes it, in id
 * order, by a direct call (the list in oracle.h names each check's
 * feed_<stem>), which lets the compiler inline the checks here.  Out of
 * line, so that the fused feed before it saves no registers.
 */
static __attribute__((noinline)) bool feed_rows(struct oracle_group *g, unsigned reader,
						unsigned vcpu, sim_ps start_ps, sim_ps end_ps,
						uint64_t value_ns)
{
	struct oracle_read rd = {
		.reader = reader, .vcpu = vcpu,
		.start_ps = start_ps, .end_ps = end_ps, .value_ns = value_ns,
	};
	const struct oracle_check_config *cfg;
	struct oracle_reader *rs;
	bool first;

	if (reader >= g->cfg.nreaders || start_ps > end_ps || end_ps < g->last_end_ps) {
		assert(!"oracle_feed: a reader out of range, or a read out of order");
		return false;
	}
	cfg = g->cfg.checks;
	rs = &g->readers[reader];
	if (g->hist.ring)
		history_view(g, &rd, g->last_end_ps);
	g->reads++;
	g->last_end_ps = end_ps;

#define FEED_ROW(id, stem)                                                            \
	if (cfg[id].enabled)                                                          \
		feed_##stem(g, rs, &rd, &g->results[id], &cfg[id]);
	ORACLE_CHECK_IDS(FEED_ROW)
#undef FEED_ROW
	if (g->hist.ring)
		history_push(&g->hist, &rd);

	rs->seen = true;
	rs->prev_end_ps = end_ps;
	rs->prev_vcpu = vcpu;
	rs->prev_value_ns = value_ns;
	first = g->new_first;
	g->new_first = false;
	if (first && g->o->on_first)
		g->o->on_first(g->o->on_first_ctx, g->index);
	return first;
}

bool oracle_group_feed(struct oracle_group *g, unsigned reader, unsigned vcpu,
		       sim_ps start_ps, sim_ps end_ps, uint64_t value_ns)
{
	if (g->fused && feed_fused(g, reader, vcpu, start_ps, end_ps, value_ns))
		return false;
	if (g->fused_plain && feed_fused_plain(g, reader, vcpu, start_ps, end_ps, value_ns))
		return false;
	return feed_rows(g, reader, vcpu, start_ps, end_ps, value_ns);
}

bool oracle_feed(struct oracle *o, unsigned group, unsigned reader, unsigned vcpu,
		 sim_ps start_ps, sim_ps end_ps, uint64_t value_ns)
{
	struct oracle_group *g = oracle_group_at(o, group);

	if (!g) {
		assert(!"oracle_feed: a group out of range");
		return false;
	}
	return oracle_group_feed(g, reader, vcpu, start_ps, end_ps, value_ns);
}

static const char *const unit_names[] = {
	[ORACLE_UNIT_PS] = "ps",
	[ORACLE_UNIT_PPB] = "ppb",
};

_Static_assert(N(unit_names) == ORACLE_UNIT_COUNT, "one name per unit");

static const struct oracle_compared_with_desc compared_with[] = {
	[ORACLE_VS_PREVIOUS] = {
		.name = "previous_read",
		.wording = "; its previous read at {other_t} gave {other_value}",
	},
	[ORACLE_VS_OTHER_READER] = {
		.name = "other_reader",
		.wording = ", less than the {other_value} {cpu} {other_vcpu} had read by {other_t}",
	},
	[ORACLE_VS_REFERENCE] = {
		.name = "reference",
		.wording = " where the reference was {other_value}",
	},
};

_Static_assert(N(compared_with) == ORACLE_VS_COUNT, "one row per comparison");

static const char *const pause_names[] = {
	[ORACLE_PAUSE_INCLUDE] = "include",
	[ORACLE_PAUSE_EXCLUDE] = "exclude",
};

_Static_assert(N(pause_names) == ORACLE_PAUSE_EXCLUDE + 1, "one name per pause policy");

static const char *const expect_names[] = {
	[ORACLE_EXPECT_PASS] = "pass",
	[ORACLE_EXPECT_FAIL] = "fail",
};

_Static_assert(N(expect_names) == ORACLE_EXPECT_FAIL + 1, "one name per expectation");

const struct oracle_check_desc *oracle_check_desc(enum oracle_check_id id)
{
	return (unsigned)id < ORACLE_CHECK_COUNT ? &descs[id] : NULL;
}

enum oracle_check_id oracle_check_by_name(const char *name)
{
	for (unsigned i = 0; i < ORACLE_CHECK_COUNT; i++)
		if (strcmp(descs[i].name, name) == 0)
			return (enum oracle_check_id)i;
	return ORACLE_CHECK_COUNT;
}

const char *oracle_unit_name(enum oracle_unit unit)
{
	return (unsigned)unit < N(unit_names) ? unit_names[unit] : "?";
}

const struct oracle_compared_with_desc *oracle_compared_with_desc(enum oracle_compared_with w)
{
	return (unsigned)w < N(compared_with) ? &compared_with[w] : NULL;
}

const char *oracle_pause_name(enum oracle_pause_policy p)
{
	return (unsigned)p < N(pause_names) ? pause_names[p] : "?";
}

const char *oracle_expect_name(enum oracle_expect e)
{
	return (unsigned)e < N(expect_names) ? expect_names[e] : "?";
}
