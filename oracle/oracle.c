/*
 * The oracle: six streaming checks over the values guest clock readers
 * returned, compared with simulated true time.
 *
 * Every check is a fixed-size accumulator per reader, fed one completed read
 * at once (STYLE.md P15): nothing is allocated after oracle_create and no
 * sample is stored beyond a small ring per reader for the causal check.  All
 * arithmetic is integer; guest values (ns) are compared in ps through 128-bit
 * intermediates, and results saturate to +-INT64_MAX.  The exact definitions
 * are in docs/oracle.md; keep the two in step.
 */
#include "oracle/oracle.h"

#include "oracle/check.h"

#include <assert.h>
#include <stdlib.h>

/*
 * Reads of each reader remembered for mono_causal.  A warp against reader q is
 * found exactly unless q completed more than this many reads while the read
 * being checked was in flight (see docs/oracle.md, "mono_causal").
 */
#define CAUSAL_RING 8

/* The read that holds a reader's running maximum value. */
struct causal_max {
	uint64_t value_ns;
	sim_ps end_ps;            /* true end time of that read */
	unsigned vcpu;
};

/* One remembered read: its end, and the reader's running max up to and including it. */
struct causal_entry {
	sim_ps end_ps;
	struct causal_max max;
};

struct reader_state {
	bool seen;                /* at least one read fed */

	/* The previous read (mono_vcpu, step_back, step_fwd). */
	sim_ps prev_end_ps;
	unsigned prev_vcpu;
	uint64_t prev_value_ns;

	/* The first read, origin of the max_error reference. */
	sim_ps first_end_ps;
	unsigned first_vcpu;
	uint64_t first_value_ns;
	sim_ps first_paused_ps;   /* VM paused time in [0, first_end_ps] */

	/* The rate window's anchor read. */
	bool anchor_valid;
	uint64_t anchor_epoch;    /* pause epoch when the anchor was taken */
	sim_ps anchor_end_ps;
	unsigned anchor_vcpu;
	uint64_t anchor_value_ns;

	/* mono_causal: this reader's recent reads, oldest at ring_head. */
	struct causal_max run_max;          /* over every read of this reader */
	struct causal_entry ring[CAUSAL_RING];
	unsigned ring_head, ring_count;
	bool has_floor;                     /* at least one read was evicted */
	struct causal_entry floor;          /* the newest evicted read */
};

/* When the group's clock could not be read: its VM paused, or its host asleep. */
struct pause_state {
	bool paused;
	sim_ps pause_start_ps;
	sim_ps paused_total_ps;             /* sum of completed pauses */
	uint64_t pause_epoch;               /* bumped by every effective pause or resume */
};

struct group_state {
	struct oracle_group_config cfg;
	struct reader_state *readers;       /* cfg.nreaders entries */
	struct oracle_check_result results[ORACLE_CHECK_COUNT];
	uint64_t reads;
	sim_ps last_end_ps;
	struct pause_state pause;           /* each group pauses with what it runs on */
};

struct oracle {
	unsigned ngroups;
	struct group_state *groups;
};

const char *oracle_check_name(enum oracle_check_id id)
{
	const struct oracle_check_desc *d = oracle_check_desc(id);

	return d ? d->name : "?";
}

bool oracle_check_is_rate(enum oracle_check_id id)
{
	const struct oracle_check_desc *d = oracle_check_desc(id);

	return d && d->unit == ORACLE_UNIT_PPB;
}

/* Saturates to [-INT64_MAX, INT64_MAX] so that the magnitude is always representable. */
static int64_t clamp_i64(sim_i128 x)
{
	if (x > INT64_MAX)
		return INT64_MAX;
	if (x < -INT64_MAX)
		return -INT64_MAX;
	return (int64_t)x;
}

static int64_t abs_i64(int64_t x)
{
	return x < 0 ? -x : x;
}

/* (a - b) ns expressed in ps, exact. */
static sim_i128 ns_diff_ps(uint64_t a_ns, uint64_t b_ns)
{
	return ((sim_i128)a_ns - (sim_i128)b_ns) * (sim_i128)SIM_PS_PER_NS;
}

/* Re-derives passed and expectation_met from the counters (docs/oracle.md, "Results"). */
static void result_refresh(struct oracle_check_result *r, const struct oracle_check_config *c)
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

static void result_violation(struct oracle_check_result *r, const struct oracle_violation *v)
{
	if (r->violations++ == 0) {
		r->has_first = true;
		r->first = *v;
	}
}

/* worst = max(worst, x) for the checks whose worst is a non-negative magnitude. */
static void worst_max(struct oracle_check_result *r, int64_t x)
{
	if (x > r->worst)
		r->worst = x;
}

/* worst = the signed x of largest magnitude; the earliest wins ties. */
static void worst_signed(struct oracle_check_result *r, int64_t x)
{
	if (abs_i64(x) > abs_i64(r->worst))
		r->worst = x;
}

/* Total time the group spent paused in [0, t], given every pause/resume at or before t. */
static sim_ps paused_until(const struct group_state *g, sim_ps t)
{
	const struct pause_state *p = &g->pause;
	sim_ps total = p->paused_total_ps;

	if (p->paused && t > p->pause_start_ps)
		total += t - p->pause_start_ps;
	return total;
}

struct read {
	unsigned reader;
	unsigned vcpu;
	sim_ps start_ps;
	sim_ps end_ps;
	uint64_t value_ns;
};

/* Records rd as a violation of r, against the same reader's previous read. */
static void violation_vs_prev(struct oracle_check_result *r, const struct reader_state *rs,
			      const struct read *rd)
{
	result_violation(r, &(struct oracle_violation){
		.t_ps = rd->end_ps, .vcpu = rd->vcpu, .value_ns = rd->value_ns,
		.other_t_ps = rs->prev_end_ps, .other_vcpu = rs->prev_vcpu,
		.other_value_ns = rs->prev_value_ns,
	});
}

/*
 * A step backward from the reader's previous read counts towards worst, and
 * is a violation when it is more than threshold_ps (ps, >= 0).
 */
static void feed_step_back(struct oracle_check_result *r, int64_t threshold_ps,
			   const struct reader_state *rs, const struct read *rd)
{
	sim_i128 back_ps;

	r->samples++;
	if (rd->value_ns >= rs->prev_value_ns)
		return;
	back_ps = ns_diff_ps(rs->prev_value_ns, rd->value_ns);
	worst_max(r, clamp_i64(back_ps));
	if (back_ps > threshold_ps)
		violation_vs_prev(r, rs, rd);
}

/* Strict: every step backward (1 ns at least, so above a threshold of 0) is a violation. */
static void check_mono_vcpu(struct group_state *g, const struct reader_state *rs,
			    const struct read *rd)
{
	feed_step_back(&g->results[ORACLE_MONO_VCPU], 0, rs, rd);
}

static void check_step_back(struct group_state *g, const struct reader_state *rs,
			    const struct read *rd)
{
	feed_step_back(&g->results[ORACLE_STEP_BACK], g->cfg.checks[ORACLE_STEP_BACK].threshold,
		       rs, rd);
}

static void check_step_fwd(struct group_state *g, const struct reader_state *rs,
			   const struct read *rd)
{
	struct oracle_check_result *r = &g->results[ORACLE_STEP_FWD];
	sim_i128 excess_ps;

	r->samples++;
	excess_ps = ns_diff_ps(rd->value_ns, rs->prev_value_ns) -
		(sim_i128)(rd->end_ps - rs->prev_end_ps);
	worst_max(r, clamp_i64(excess_ps));
	if (excess_ps > g->cfg.checks[ORACLE_STEP_FWD].threshold)
		violation_vs_prev(r, rs, rd);
}

static void check_max_error(struct group_state *g,
			    const struct reader_state *rs, const struct read *rd)
{
	const struct oracle_check_config *c = &g->cfg.checks[ORACLE_MAX_ERROR];
	struct oracle_check_result *r = &g->results[ORACLE_MAX_ERROR];
	sim_i128 ref_ps, err_ps, mag_ps;
	int64_t err;

	ref_ps = (sim_i128)(rd->end_ps - rs->first_end_ps);
	if (c->pause == ORACLE_PAUSE_EXCLUDE)
		ref_ps -= (sim_i128)(paused_until(g, rd->end_ps) - rs->first_paused_ps);
	err_ps = ns_diff_ps(rd->value_ns, rs->first_value_ns) - ref_ps;
	err = clamp_i64(err_ps);

	r->samples++;
	worst_signed(r, err);
	mag_ps = err_ps < 0 ? -err_ps : err_ps;
	if (mag_ps > c->threshold)
		result_violation(r, &(struct oracle_violation){
			.t_ps = rd->end_ps, .vcpu = rd->vcpu, .value_ns = rd->value_ns,
			.other_t_ps = rs->first_end_ps, .other_vcpu = rs->first_vcpu,
			.other_value_ns = rs->first_value_ns +
				(uint64_t)(ref_ps / (sim_i128)SIM_PS_PER_NS),
		});
}

/* Returns true when rd became the new anchor (the caller stores it). */
static bool check_rate(struct group_state *g,
		       const struct reader_state *rs, const struct read *rd)
{
	const struct oracle_check_config *c = &g->cfg.checks[ORACLE_RATE];
	struct oracle_check_result *r = &g->results[ORACLE_RATE];
	sim_ps dt_ps;
	sim_i128 excess_ps, ppb, mag;

	if (!rs->anchor_valid || rs->anchor_epoch != g->pause.pause_epoch)
		return true;
	dt_ps = rd->end_ps - rs->anchor_end_ps;
	if (dt_ps == 0 || dt_ps < c->window_ps)
		return false;

	excess_ps = ns_diff_ps(rd->value_ns, rs->anchor_value_ns) - (sim_i128)dt_ps;
	ppb = excess_ps * (sim_i128)SIM_NS_PER_S / (sim_i128)dt_ps;   /* truncates toward 0 */

	r->samples++;
	worst_signed(r, clamp_i64(ppb));
	mag = ppb < 0 ? -ppb : ppb;
	if (mag > c->threshold)
		result_violation(r, &(struct oracle_violation){
			.t_ps = rd->end_ps, .vcpu = rd->vcpu, .value_ns = rd->value_ns,
			.other_t_ps = rs->anchor_end_ps, .other_vcpu = rs->anchor_vcpu,
			.other_value_ns = rs->anchor_value_ns + sim_to_ns(dt_ps),
		});
	return true;
}

/*
 * The running max of reader q over its reads that ended before start_ps, or
 * false when q has none or the ring cannot tell (every remembered read, and
 * the newest evicted one, ended at or after start_ps).
 */
static bool causal_max_before(const struct reader_state *q, sim_ps start_ps,
			      struct causal_max *out)
{
	for (unsigned i = q->ring_count; i-- > 0;) {
		const struct causal_entry *e = &q->ring[(q->ring_head + i) % CAUSAL_RING];

		if (e->end_ps < start_ps) {
			*out = e->max;
			return true;
		}
	}
	if (q->has_floor && q->floor.end_ps < start_ps) {
		*out = q->floor.max;
		return true;
	}
	return false;
}

static void check_mono_causal(struct group_state *g, const struct read *rd)
{
	struct oracle_check_result *r = &g->results[ORACLE_MONO_CAUSAL];
	struct causal_max best = { 0 }, m;
	bool any = false;

	for (unsigned q = 0; q < g->cfg.nreaders; q++) {
		if (q == rd->reader)
			continue;
		if (!causal_max_before(&g->readers[q], rd->start_ps, &m))
			continue;
		if (!any || m.value_ns > best.value_ns)
			best = m;
		any = true;
	}
	if (!any)
		return;

	r->samples++;
	if (rd->value_ns >= best.value_ns)
		return;
	worst_max(r, clamp_i64(ns_diff_ps(best.value_ns, rd->value_ns)));
	result_violation(r, &(struct oracle_violation){
		.t_ps = rd->end_ps, .vcpu = rd->vcpu, .value_ns = rd->value_ns,
		.other_t_ps = best.end_ps, .other_vcpu = best.vcpu,
		.other_value_ns = best.value_ns,
	});
}

/* Appends rd to its reader's causal ring, evicting the oldest entry into the floor. */
static void causal_push(struct reader_state *rs, const struct read *rd)
{
	struct causal_entry *e;

	if (!rs->seen || rd->value_ns > rs->run_max.value_ns)
		rs->run_max = (struct causal_max){
			.value_ns = rd->value_ns, .end_ps = rd->end_ps, .vcpu = rd->vcpu,
		};
	if (rs->ring_count == CAUSAL_RING) {
		rs->floor = rs->ring[rs->ring_head];
		rs->has_floor = true;
		rs->ring_head = (rs->ring_head + 1) % CAUSAL_RING;
		rs->ring_count--;
	}
	e = &rs->ring[(rs->ring_head + rs->ring_count) % CAUSAL_RING];
	e->end_ps = rd->end_ps;
	e->max = rs->run_max;
	rs->ring_count++;
}

struct oracle *oracle_create(const struct oracle_group_config *groups, unsigned ngroups)
{
	struct oracle *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	if (ngroups > 0) {
		o->groups = calloc(ngroups, sizeof(*o->groups));
		if (!o->groups) {
			free(o);
			return NULL;
		}
	}
	o->ngroups = ngroups;
	for (unsigned i = 0; i < ngroups; i++) {
		struct group_state *g = &o->groups[i];

		g->cfg = groups[i];
		g->cfg.name[ORACLE_NAME_MAX - 1] = '\0';
		if (g->cfg.nreaders > 0) {
			g->readers = calloc(g->cfg.nreaders, sizeof(*g->readers));
			if (!g->readers) {
				oracle_destroy(o);
				return NULL;
			}
		}
		for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++) {
			struct oracle_check_result *r = &g->results[c];

			r->id = (enum oracle_check_id)c;
			r->enabled = g->cfg.checks[c].enabled;
			result_refresh(r, &g->cfg.checks[c]);
		}
	}
	return o;
}

void oracle_destroy(struct oracle *o)
{
	if (!o)
		return;
	for (unsigned i = 0; i < o->ngroups; i++)
		free(o->groups[i].readers);
	free(o->groups);
	free(o);
}

void oracle_feed(struct oracle *o, unsigned group, unsigned reader, unsigned vcpu,
		 sim_ps start_ps, sim_ps end_ps, uint64_t value_ns)
{
	const struct read rd = {
		.reader = reader, .vcpu = vcpu,
		.start_ps = start_ps, .end_ps = end_ps, .value_ns = value_ns,
	};
	const struct oracle_check_config *cfg;
	struct group_state *g;
	struct reader_state *rs;

	assert(group < o->ngroups);
	if (group >= o->ngroups)
		return;
	g = &o->groups[group];
	assert(reader < g->cfg.nreaders);
	assert(start_ps <= end_ps);
	assert(g->reads == 0 || end_ps >= g->last_end_ps);
	if (reader >= g->cfg.nreaders || start_ps > end_ps)
		return;
	if (g->reads > 0 && end_ps < g->last_end_ps)
		return;
	g->reads++;
	g->last_end_ps = end_ps;
	cfg = g->cfg.checks;
	rs = &g->readers[reader];

	if (cfg[ORACLE_MONO_CAUSAL].enabled)
		check_mono_causal(g, &rd);

	if (rs->seen) {
		if (cfg[ORACLE_MONO_VCPU].enabled)
			check_mono_vcpu(g, rs, &rd);
		if (cfg[ORACLE_STEP_BACK].enabled)
			check_step_back(g, rs, &rd);
		if (cfg[ORACLE_STEP_FWD].enabled)
			check_step_fwd(g, rs, &rd);
		if (cfg[ORACLE_MAX_ERROR].enabled)
			check_max_error(g, rs, &rd);
	} else {
		rs->first_end_ps = end_ps;
		rs->first_vcpu = vcpu;
		rs->first_value_ns = value_ns;
		rs->first_paused_ps = paused_until(g, end_ps);
	}
	if (cfg[ORACLE_RATE].enabled && check_rate(g, rs, &rd)) {
		rs->anchor_valid = true;
		rs->anchor_epoch = g->pause.pause_epoch;
		rs->anchor_end_ps = end_ps;
		rs->anchor_vcpu = vcpu;
		rs->anchor_value_ns = value_ns;
	}

	causal_push(rs, &rd);
	rs->seen = true;
	rs->prev_end_ps = end_ps;
	rs->prev_vcpu = vcpu;
	rs->prev_value_ns = value_ns;

	for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++)
		result_refresh(&g->results[c], &cfg[c]);
}

void oracle_group_paused(struct oracle *o, unsigned group, sim_ps now)
{
	struct pause_state *p;

	if (!o || group >= o->ngroups)
		return;
	p = &o->groups[group].pause;
	if (p->paused)
		return;
	p->paused = true;
	p->pause_start_ps = now;
	p->pause_epoch++;
}

void oracle_group_resumed(struct oracle *o, unsigned group, sim_ps now)
{
	struct pause_state *p;

	if (!o || group >= o->ngroups)
		return;
	p = &o->groups[group].pause;
	if (!p->paused)
		return;
	p->paused = false;
	if (now > p->pause_start_ps)
		p->paused_total_ps += now - p->pause_start_ps;
	p->pause_epoch++;
}

void oracle_vm_paused(struct oracle *o, sim_ps now)
{
	for (unsigned g = 0; o && g < o->ngroups; g++)
		oracle_group_paused(o, g, now);
}

void oracle_vm_resumed(struct oracle *o, sim_ps now)
{
	for (unsigned g = 0; o && g < o->ngroups; g++)
		oracle_group_resumed(o, g, now);
}

const struct oracle_check_result *oracle_results(const struct oracle *o, unsigned group)
{
	if (group >= o->ngroups)
		return NULL;
	return o->groups[group].results;
}

uint64_t oracle_reads(const struct oracle *o, unsigned group)
{
	if (group >= o->ngroups)
		return 0;
	return o->groups[group].reads;
}
