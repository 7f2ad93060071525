/*
 * The oracle's checks: one row each (see check.h) with the function that
 * judges a read.  Every check is a fixed-size accumulator per reader, fed one
 * completed read at once (STYLE.md P15); all arithmetic is integer, guest
 * values (ns) are compared in ps through 128-bit intermediates, and results
 * saturate to +-INT64_MAX.  The exact definitions are in docs/oracle.md; keep
 * the two in step.
 */
#include "oracle/check.h"

#include <string.h>

#include "oracle/feed.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int64_t abs_i64(int64_t x)
{
	return x < 0 ? -x : x;
}

/*
 * worst = max(worst, x) for the checks whose worst is a non-negative
 * magnitude; a change marks r's result to be refreshed after the read.
 */
static void worst_max(struct oracle_group *g, struct oracle_check_result *r, int64_t x)
{
	if (x > r->worst) {
		r->worst = x;
		g->moved |= 1u << r->id;
	}
}

/* worst = the signed x of largest magnitude; the earliest wins ties. */
static void worst_signed(struct oracle_group *g, struct oracle_check_result *r, int64_t x)
{
	if (abs_i64(x) > abs_i64(r->worst)) {
		r->worst = x;
		g->moved |= 1u << r->id;
	}
}

/* Records the read as a violation of r, against the same reader's previous read. */
static void violation_vs_prev(struct oracle_group *g, const struct oracle_reader *rs,
			      const struct oracle_read *rd, struct oracle_check_result *r,
			      int64_t amount)
{
	oracle_record_violation(g, r, &(struct oracle_violation){
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
static void step_back(struct oracle_group *g, const struct oracle_reader *rs,
		      const struct oracle_read *rd, struct oracle_check_result *r,
		      int64_t threshold_ps)
{
	int64_t back_ps;

	if (!rs->seen)
		return;
	r->samples++;
	if (rd->value_ns >= rs->prev_value_ns)
		return;
	back_ps = oracle_clamp_i64(oracle_ns_diff_ps(rs->prev_value_ns, rd->value_ns));
	worst_max(g, r, back_ps);
	if (back_ps > threshold_ps)
		violation_vs_prev(g, rs, rd, r, back_ps);
}

static void feed_mono_vcpu(struct oracle_group *g, struct oracle_reader *rs,
			   const struct oracle_read *rd, struct oracle_check_result *r,
			   const struct oracle_check_config *c)
{
	step_back(g, rs, rd, r, 0);
}

static void feed_step_back(struct oracle_group *g, struct oracle_reader *rs,
			   const struct oracle_read *rd, struct oracle_check_result *r,
			   const struct oracle_check_config *c)
{
	step_back(g, rs, rd, r, c->threshold);
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
	worst_max(g, r, oracle_clamp_i64(excess_ps));
	if (excess_ps > c->threshold)
		violation_vs_prev(g, rs, rd, r, oracle_clamp_i64(excess_ps));
}

static void feed_max_error(struct oracle_group *g, struct oracle_reader *rs,
			   const struct oracle_read *rd, struct oracle_check_result *r,
			   const struct oracle_check_config *c)
{
	sim_i128 ref_ps, err_ps, mag_ps;
	int64_t err;

	if (!rs->seen) {
		/* the origin of this reader's reference */
		rs->first_end_ps = rd->end_ps;
		rs->first_vcpu = rd->vcpu;
		rs->first_value_ns = rd->value_ns;
		rs->first_paused_ps = oracle_paused_until(g, rd->end_ps);
		return;
	}
	ref_ps = (sim_i128)(rd->end_ps - rs->first_end_ps);
	if (c->pause == ORACLE_PAUSE_EXCLUDE)
		ref_ps -= (sim_i128)(oracle_paused_until(g, rd->end_ps) - rs->first_paused_ps);
	r->samples++;
	/*
	 * Both terms in [0, INT64_MAX], as they are for any run shorter than 106
	 * days: the error is their exact 64-bit difference, and needs no clamp.
	 */
	if (rd->value_ns >= rs->first_value_ns &&
	    rd->value_ns - rs->first_value_ns <= (uint64_t)INT64_MAX / SIM_PS_PER_NS &&
	    ref_ps >= 0 && ref_ps <= INT64_MAX) {
		err = (int64_t)((rd->value_ns - rs->first_value_ns) * SIM_PS_PER_NS) -
		      (int64_t)ref_ps;
		worst_signed(g, r, err);
		if (abs_i64(err) <= c->threshold)
			return;
		err_ps = err;
	} else {
		err_ps = oracle_ns_diff_ps(rd->value_ns, rs->first_value_ns) - ref_ps;
		err = oracle_clamp_i64(err_ps);
		worst_signed(g, r, err);
	}
	mag_ps = err_ps < 0 ? -err_ps : err_ps;
	if (mag_ps > c->threshold)
		oracle_record_violation(g, r, &(struct oracle_violation){
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
		worst_signed(g, r, oracle_clamp_i64(ppb));
		mag = ppb < 0 ? -ppb : ppb;
		if (mag > c->threshold)
			oracle_record_violation(g, r, &(struct oracle_violation){
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

/* a ranks above b: a larger value, or the same value from a reader of lower index. */
static bool causal_above(const struct oracle_causal_top *a, const struct oracle_causal_top *b)
{
	if (!b->valid)
		return true;
	return a->max.value_ns > b->max.value_ns ||
	       (a->max.value_ns == b->max.value_ns && a->reader < b->reader);
}

/*
 * The newest snapshot taken after a read that ended before start_ps, or NULL
 * when there is none or the ring cannot tell (it dropped older snapshots and
 * every one it holds ended at or after start_ps).  Reads arrive in end order,
 * so the ring is sorted by end: the newest is the usual answer, and a read
 * long in flight costs a binary search.
 */
static const struct oracle_causal_snap *causal_before(const struct oracle_causal *cs,
						      sim_ps start_ps)
{
	unsigned lo = 0, hi = cs->count;
	const struct oracle_causal_snap *newest;

	if (cs->count == 0)
		return NULL;
	newest = &cs->ring[(cs->head + cs->count - 1) & (cs->cap - 1)];
	if (newest->end_ps < start_ps)
		return newest;
	/* the first entry, by age, that ended at or after start_ps: [lo, hi) narrows to it */
	hi = cs->count - 1;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (cs->ring[(cs->head + mid) & (cs->cap - 1)].end_ps < start_ps)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;    /* none before it: no read yet, or dropped (cs->evicted) */
	return &cs->ring[(cs->head + lo - 1) & (cs->cap - 1)];
}

/* Takes rd into its reader's running max and the group's two best, then snapshots them. */
static void causal_push(struct oracle_causal *cs, struct oracle_reader *rs,
			const struct oracle_read *rd)
{
	struct oracle_causal_snap *e;

	if (!rs->seen || rd->value_ns > rs->run_max.value_ns) {
		struct oracle_causal_top c = {
			.max = { .value_ns = rd->value_ns, .end_ps = rd->end_ps, .vcpu = rd->vcpu },
			.reader = rd->reader, .valid = true,
		};

		/* running maxima only grow, so the two best never need a third */
		rs->run_max = c.max;
		if (cs->top[0].valid && cs->top[0].reader == c.reader) {
			cs->top[0] = c;
		} else if (cs->top[1].valid && cs->top[1].reader == c.reader) {
			cs->top[1] = c;
			if (causal_above(&cs->top[1], &cs->top[0])) {
				cs->top[1] = cs->top[0];
				cs->top[0] = c;
			}
		} else if (causal_above(&c, &cs->top[0])) {
			cs->top[1] = cs->top[0];
			cs->top[0] = c;
		} else if (causal_above(&c, &cs->top[1])) {
			cs->top[1] = c;
		}
	}
	if (cs->count == cs->cap) {
		cs->head = (cs->head + 1) & (cs->cap - 1);
		cs->count--;
		cs->evicted = true;
	}
	e = &cs->ring[(cs->head + cs->count) & (cs->cap - 1)];
	e->end_ps = rd->end_ps;
	e->top[0] = cs->top[0];
	e->top[1] = cs->top[1];
	cs->count++;
}

/*
 * O(1) per read: the largest value among the other readers' reads that ended
 * before rd started is the best of the snapshot taken after the last of them,
 * or its second when the best is rd's own reader.
 */
static void feed_mono_causal(struct oracle_group *g, struct oracle_reader *rs,
			     const struct oracle_read *rd, struct oracle_check_result *r,
			     const struct oracle_check_config *c)
{
	struct oracle_causal *cs = &g->causal;
	const struct oracle_causal_snap *snap = causal_before(cs, rd->start_ps);
	const struct oracle_causal_top *best = NULL;
	int64_t warp_ps;

	if (snap)
		best = snap->top[0].valid && snap->top[0].reader != rd->reader ? &snap->top[0]
		     : snap->top[1].valid && snap->top[1].reader != rd->reader ? &snap->top[1]
		     : NULL;
	if (best) {
		r->samples++;
		if (rd->value_ns < best->max.value_ns) {
			warp_ps = oracle_clamp_i64(oracle_ns_diff_ps(best->max.value_ns, rd->value_ns));
			worst_max(g, r, warp_ps);
			oracle_record_violation(g, r, &(struct oracle_violation){
				.t_ps = rd->end_ps, .vcpu = rd->vcpu, .value_ns = rd->value_ns,
				.other_t_ps = best->max.end_ps, .other_vcpu = best->max.vcpu,
				.other_value_ns = best->max.value_ns,
			}, warp_ps);
		}
	}
	causal_push(cs, rs, rd);
}

/*
 * consumer_abort: a consumer that keeps the largest value it has seen,
 * process-wide, and aborts on a read below it (Erlang's ERTS: "OS monotonic
 * time stepped backwards!", erlang/otp PR #8342 check_os_monotonic_time).
 * "Seen" is causal: the reads of the group that ended before this one
 * started, on any vCPU, this one's own included.
 */
static bool consumer_max_before(const struct oracle_consumer *cs, sim_ps start_ps,
				struct oracle_causal_max *out)
{
	/* the newest ORACLE_CONSUMER_RING reads, newest first, then the floor */
	for (unsigned i = 1; i <= cs->ring_count; i++) {
		const struct oracle_causal_entry *e =
			&cs->ring[(cs->ring_next - i) & (ORACLE_CONSUMER_SLOTS - 1)];

		if (e->end_ps < start_ps) {
			*out = e->max;
			return true;
		}
	}
	return false;
}

static void consumer_push(struct oracle_consumer *cs, const struct oracle_read *rd)
{
	struct oracle_causal_entry *e;

	if (!cs->any || rd->value_ns > cs->run_max.value_ns)
		cs->run_max = (struct oracle_causal_max){
			.value_ns = rd->value_ns, .end_ps = rd->end_ps, .vcpu = rd->vcpu,
		};
	cs->any = true;
	e = &cs->ring[cs->ring_next++ & (ORACLE_CONSUMER_SLOTS - 1)];
	e->end_ps = rd->end_ps;
	e->max = cs->run_max;
	/* the oldest kept is the floor: the newest read evicted from the ring */
	if (cs->ring_count <= ORACLE_CONSUMER_RING)
		cs->ring_count++;
}

static void feed_consumer_abort(struct oracle_group *g, struct oracle_reader *rs,
				const struct oracle_read *rd, struct oracle_check_result *r,
				const struct oracle_check_config *c)
{
	struct oracle_consumer *cs = &g->consumer;
	struct oracle_causal_max m;
	int64_t back_ps;

	if (consumer_max_before(cs, rd->start_ps, &m)) {
		r->samples++;
		if (rd->value_ns < m.value_ns) {
			back_ps = oracle_clamp_i64(oracle_ns_diff_ps(m.value_ns, rd->value_ns));
			worst_max(g, r, back_ps);
			oracle_record_violation(g, r, &(struct oracle_violation){
				.t_ps = rd->end_ps, .vcpu = rd->vcpu, .value_ns = rd->value_ns,
				.other_t_ps = m.end_ps, .other_vcpu = m.vcpu,
				.other_value_ns = m.value_ns,
			}, back_ps);
		}
	}
	consumer_push(cs, rd);
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

/*
 * Every enabled check takes the read, in id order, by a direct call (the list
 * in oracle.h names each check's feed_<stem>); a result whose counters moved
 * (g->moved, set where they change) is refreshed.  Direct calls let the
 * compiler inline the checks here; the usual read moves no result.
 */
bool oracle_feed_checks(struct oracle_group *g, struct oracle_reader *rs,
			const struct oracle_read *rd)
{
	const struct oracle_check_config *cfg = g->cfg.checks;
	bool first;

#define FEED_ROW(id, stem)                                                            \
	if (cfg[id].enabled)                                                          \
		feed_##stem(g, rs, rd, &g->results[id], &cfg[id]);
	ORACLE_CHECK_IDS(FEED_ROW)
#undef FEED_ROW
	if (!g->moved)
		return false;
	for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++)
		if (g->moved & 1u << c)
			oracle_result_refresh(&g->results[c], &cfg[c]);
	first = g->new_first;
	g->moved = 0;
	g->new_first = false;
	return first;
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
