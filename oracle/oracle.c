/*
 * The oracle's engine: groups of readers, their pause bookkeeping, and the
 * dispatch of every completed read to the enabled checks through their rows
 * (oracle/check.c holds the checks themselves).  Nothing is allocated after
 * oracle_create (STYLE.md P15); docs/oracle.md has the exact definitions.
 */
#include "oracle/oracle.h"

#include <assert.h>
#include <stdlib.h>

#include "oracle/check.h"
#include "oracle/feed.h"
#include "sim/core/trace.h"


struct oracle {
	unsigned ngroups;
	struct oracle_group *groups;
	struct sim_trace *trace;            /* first violations go here; NULL: nowhere */
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

void oracle_record_violation(struct oracle_group *g, struct oracle_check_result *r,
			     const struct oracle_violation *v, int64_t amount)
{
	struct sim_trace_record rec;

	g->moved |= 1u << r->id;
	if (r->violations++ != 0)
		return;
	r->has_first = true;
	g->new_first = true;
	r->first = *v;
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
		g->cfg = groups[i];
		g->cfg.name[ORACLE_NAME_MAX - 1] = '\0';
		if (g->cfg.nreaders > 0) {
			g->readers = calloc(g->cfg.nreaders, sizeof(*g->readers));
			if (!g->readers) {
				oracle_destroy(o);
				return NULL;
			}
		}
		if (g->cfg.checks[ORACLE_MONO_CAUSAL].enabled && g->cfg.nreaders > 0) {
			/*
			 * K per reader, and one more for the last read before the K x n in
			 * flight; a power of two, so that positions wrap with a mask
			 */
			unsigned cap = 1;

			while (cap < ORACLE_CAUSAL_RING * g->cfg.nreaders + 1)
				cap *= 2;
			g->causal.cap = cap;
			g->causal.ring = calloc(g->causal.cap, sizeof(*g->causal.ring));
			if (!g->causal.ring) {
				oracle_destroy(o);
				return NULL;
			}
		}
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
		free(o->groups[i].causal.ring);
	}
	free(o->groups);
	free(o);
}

void oracle_set_trace(struct oracle *o, struct sim_trace *t)
{
	if (o)
		o->trace = t;
}

bool oracle_feed(struct oracle *o, unsigned group, unsigned reader, unsigned vcpu,
		 sim_ps start_ps, sim_ps end_ps, uint64_t value_ns)
{
	const struct oracle_read rd = {
		.reader = reader, .vcpu = vcpu,
		.start_ps = start_ps, .end_ps = end_ps, .value_ns = value_ns,
	};
	struct oracle_group *g;
	struct oracle_reader *rs;
	bool first;

	assert(group < o->ngroups);
	if (group >= o->ngroups)
		return false;
	g = &o->groups[group];
	assert(reader < g->cfg.nreaders);
	assert(start_ps <= end_ps);
	assert(g->reads == 0 || end_ps >= g->last_end_ps);
	if (reader >= g->cfg.nreaders || start_ps > end_ps)
		return false;
	if (g->reads > 0 && end_ps < g->last_end_ps)
		return false;
	g->reads++;
	g->last_end_ps = end_ps;
	rs = &g->readers[reader];

	/* Each check reads only its own result and the reader's previous read. */
	first = oracle_feed_checks(g, rs, &rd);

	rs->seen = true;
	rs->prev_end_ps = end_ps;
	rs->prev_vcpu = vcpu;
	rs->prev_value_ns = value_ns;
	return first;
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
	return o->groups[group].results;
}

uint64_t oracle_reads(const struct oracle *o, unsigned group)
{
	if (group >= o->ngroups)
		return 0;
	return o->groups[group].reads;
}
