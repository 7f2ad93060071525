/*
 * The oracle's engine: groups of readers, their pause bookkeeping, and their
 * results (oracle/check.c holds the checks themselves and oracle_feed(),
 * which hands each completed read to them).  Nothing is allocated after
 * oracle_create (STYLE.md P15); docs/oracle.md has the exact definitions.
 */
#include "oracle/oracle.h"

#include <stdlib.h>

#include "oracle/check.h"
#include "oracle/feed.h"
#include "sim/core/trace.h"


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

void oracle_record_violation(struct oracle_group *g, struct oracle_check_result *r,
			     const struct oracle_check_config *c,
			     const struct oracle_violation *v, int64_t amount)
{
	struct sim_trace_record rec;

	if (r->violations++ != 0)
		return;
	r->has_first = true;
	g->new_first = true;
	r->first = *v;
	oracle_result_refresh(r, c);
	if (!sim_trace_wants(g->o->trace, SIM_TRACE_VIOLATION))
		return;
	rec = (struct sim_trace_record){
		.kind = SIM_TRACE_VIOLATION, .t_ps = v->t_ps,
		.u.violation = {
			.reader = g->cfg.name, .check = oracle_check_name(r->id),
			.vcpu = v->vcpu, .value_ns = v->value_ns, .amount = amount,
		},
	};
	sim_trace_publish(g->o->trace, &rec);
}

sim_ps oracle_paused_until(const struct oracle_group *g, sim_ps t)
{
	const struct oracle_pause *p = &g->pause;
	sim_ps total = p->paused_total_ps;

	if (p->paused && t > p->pause_start_ps)
		total += t - p->pause_start_ps;
	return total;
}

/*
 * The history mono_causal and consumer_abort share, when either is enabled:
 * K snapshots per reader and one more for the last read before the K x n in
 * flight (mono_causal), at least the 16 and the floor (consumer_abort); a
 * power of two, so that positions wrap with a mask.
 */
static bool history_create(struct oracle_history *h, const struct oracle_group_config *cfg)
{
	bool causal = cfg->checks[ORACLE_MONO_CAUSAL].enabled;
	unsigned need = 0, cap = 1;

	if (cfg->nreaders == 0 || (!causal && !cfg->checks[ORACLE_CONSUMER_ABORT].enabled))
		return true;
	if (causal) {
		while (cap < ORACLE_CAUSAL_RING * cfg->nreaders + 1)
			cap *= 2;
		h->causal_window = cap;
		need = cap;
	}
	if (need < ORACLE_CONSUMER_RING + 1)
		need = ORACLE_CONSUMER_RING + 1;
	while (cap < need)
		cap *= 2;
	h->mask = cap - 1;
	h->ring = calloc(cap, sizeof(*h->ring));
	if (!h->ring)
		return false;
	/*
	 * The empty snapshot the first read starts from, in the slot before it:
	 * no reader, and a value that no read is above (no fast path before a read).
	 */
	h->ring[h->mask].top[0].reader = h->ring[h->mask].top[1].reader = ORACLE_NO_READER;
	h->ring[h->mask].top[0].value_ns = UINT64_MAX;
	h->newest = h->last = &h->ring[h->mask];
	return true;
}

/*
 * Whether a group's reads may take a fused feed (oracle/check.c,
 * feed_fused with snapshots, feed_fused_plain without), and what it
 * counts: every enabled check fusable, and max_error, if enabled, with its
 * reference over all true time and no expected range, since the fused feed
 * neither looks up pauses nor derives a verdict.
 */
static void group_fuse(struct oracle_group *g)
{
	const struct oracle_check_config *c = g->cfg.checks;
	unsigned enabled = 0;

	for (unsigned id = 0; id < ORACLE_CHECK_COUNT; id++) {
		g->fused_samples[id] = c[id].enabled;
		if (c[id].enabled)
			enabled |= ORACLE_CHECK_BIT(id);
	}
	g->fused_max_error = c[ORACLE_MAX_ERROR].enabled;
	g->fused = (enabled & ~ORACLE_FUSABLE_CHECKS) == 0 &&
		   (!g->fused_max_error ||
		    (c[ORACLE_MAX_ERROR].pause == ORACLE_PAUSE_INCLUDE &&
		     !c[ORACLE_MAX_ERROR].has_worst_min && !c[ORACLE_MAX_ERROR].has_worst_max));
	/* with snapshots (mono_causal or consumer_abort) feed_fused, else feed_fused_plain */
	g->fused_plain = g->fused && !g->hist.ring;
	g->fused = g->fused && g->hist.ring;
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
		struct oracle_group *g = &o->groups[i];

		g->o = o;
		g->index = i;
		g->cfg = groups[i];
		g->cfg.name[ORACLE_NAME_MAX - 1] = '\0';
		if (g->cfg.nreaders > 0) {
			g->readers = calloc(g->cfg.nreaders, sizeof(*g->readers));
			if (!g->readers) {
				oracle_destroy(o);
				return NULL;
			}
		}
		if (!history_create(&g->hist, &g->cfg)) {
			oracle_destroy(o);
			return NULL;
		}
		group_fuse(g);
		for (unsigned c = 0; c < ORACLE_CHECK_COUNT; c++) {
			struct oracle_check_result *r = &g->results[c];

			r->id = (enum oracle_check_id)c;
			r->enabled = g->cfg.checks[c].enabled;
			oracle_result_refresh(r, &g->cfg.checks[c]);
		}
	}
	return o;
}

void oracle_destroy(struct oracle *o)
{
	if (!o)
		return;
	for (unsigned i = 0; i < o->ngroups; i++) {
		free(o->groups[i].readers);
		free(o->groups[i].hist.ring);
	}
	free(o->groups);
	free(o);
}

void oracle_set_trace(struct oracle *o, struct sim_trace *t)
{
	if (o)
		o->trace = t;
}

void oracle_set_on_first(struct oracle *o, oracle_first_fn *fn, void *ctx)
{
	if (!o)
		return;
	o->on_first = fn;
	o->on_first_ctx = ctx;
}

struct oracle_group *oracle_group_handle(struct oracle *o, unsigned group)
{
	return o ? oracle_group_at(o, group) : NULL;
}

void oracle_group_paused(struct oracle *o, unsigned group, sim_ps now)
{
	struct oracle_pause *p;

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
	struct oracle_pause *p;

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
	/* the groups are the oracle's own memory: bringing counts up to date changes no result */
	oracle_group_sync(&o->groups[group]);
	return o->groups[group].results;
}

uint64_t oracle_reads(const struct oracle *o, unsigned group)
{
	if (group >= o->ngroups)
		return 0;
	return o->groups[group].reads + o->groups[group].fused_reads;
}
