/* Host events: see host_events.h. */
#include "sim/machine/host_events.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/rng.h"

struct host_events;

/*
 * One scenario event: its start, and for those that last, its end.  Both are
 * queued when the run is built, so an end fires before a start listed after
 * it at the same instant (a C-state, throttle or suspend ending as the next
 * begins on the same CPU or host).
 */
struct action {
	struct sim_event ev;
	struct sim_event end_ev;
	struct host_events *he;
	const struct scn_event *e;
	char name[40];
	char end_name[48];
};

/*
 * One CPU running a C-state pattern: alternating busy and resident spans.
 * end_ev, queued when the run is built, wakes the CPU at `until` (before any
 * event listed later starts there at that instant).
 */
struct pattern_cpu {
	struct sim_event ev;
	struct sim_event end_ev;
	struct host_events *he;
	const struct scn_event *e;
	unsigned cpu;
	bool resident;
	struct sim_rng rng;
	char name[48];
	char end_name[56];
};

/* A host's crystal wander updates. */
struct host_tick {
	struct sim_event ev;
	struct host_events *he;
	unsigned host;
	char name[64];            /* "host/<name>/crystal_update" */
};

struct cpu_cause {
	char text[HOST_EVENT_CAUSE_MAX];
};

struct host_events {
	struct host_events_env env;
	unsigned nactions;
	struct action *actions;
	unsigned npatterns;
	struct pattern_cpu *patterns;
	struct host_tick *ticks;          /* per host */
	struct cpu_cause **causes;        /* per CPU of each host */
};

static struct host *host_of(struct host_events *he, const struct scn_event *e)
{
	return &he->env.hosts[e->host];
}

static void set_cause(struct host_events *he, unsigned host, unsigned cpu, sim_ps now,
		      const char *what)
{
	char t[32];

	snprintf(he->causes[host][cpu].text, HOST_EVENT_CAUSE_MAX, "%s at %s s", what,
		 sim_format_seconds(t, now));
}

/* Every TSC-derived deadline on the CPU must be recomputed (APIC TSC-deadline timers). */
static void tsc_changed(struct host_events *he, unsigned host, unsigned cpu, sim_ps now)
{
	if (he->env.hc)
		host_checks_tsc_changed(he->env.hc, host, cpu, now);
}

static void all_tsc_changed(struct host_events *he, unsigned host, sim_ps now)
{
	for (unsigned c = 0; c < he->env.hosts[host].ncpus; c++)
		tsc_changed(he, host, c, now);
}

static void cstate_enter(struct host_events *he, unsigned host, unsigned cpu, unsigned cstate,
			 sim_ps now)
{
	struct host_cpu *hc = &he->env.hosts[host].cpus[cpu];
	char what[64];

	tsc_cstate_enter(&hc->tsc, now, cstate);
	if (he->env.hc)
		host_checks_cstate_enter(he->env.hc, host, cpu, cstate, now);
	snprintf(what, sizeof(what), "C%u entry%s", cstate,
		 tsc_running(&hc->tsc) ? "" : " (its TSC stopped)");
	set_cause(he, host, cpu, now, what);
}

static void cstate_exit(struct host_events *he, unsigned host, unsigned cpu, unsigned cstate,
			sim_ps now)
{
	struct host_cpu *hc = &he->env.hosts[host].cpus[cpu];
	bool stopped = !tsc_running(&hc->tsc);
	char what[64];

	tsc_cstate_exit(&hc->tsc, now);
	if (he->env.hc)
		host_checks_cstate_exit(he->env.hc, host, cpu, now);
	tsc_changed(he, host, cpu, now);
	snprintf(what, sizeof(what), "C%u exit%s", cstate,
		 stopped ? " (its TSC had stopped in the C-state)" : "");
	set_cause(he, host, cpu, now, what);
}

/* core / nominal as a ratio of 32-bit integers (rounded when it does not fit). */
static void pstate_ratio(struct sim_freq core, struct sim_freq nominal, uint32_t *num, uint32_t *den)
{
	sim_u128 n = (sim_u128)core.num * nominal.den;
	sim_u128 d = (sim_u128)core.den * nominal.num;

	while (n > UINT32_MAX || d > UINT32_MAX) {
		n = (n + 1) / 2;
		d = (d + 1) / 2;
	}
	*num = (uint32_t)(n ? n : 1);
	*den = (uint32_t)(d ? d : 1);
}

static void apply_start(struct host_events *he, const struct scn_event *e, sim_ps now)
{
	struct host *h = host_of(he, e);
	unsigned host = e->host;
	char what[96];

	switch (e->type) {
	case SCN_EV_CSTATE:
		for (unsigned i = 0; i < e->ncpus; i++)
			cstate_enter(he, host, e->cpus[i], e->cstate, now);
		break;
	case SCN_EV_PSTATE:
		for (unsigned i = 0; i < e->ncpus; i++) {
			uint32_t num, den;

			pstate_ratio(e->frequency, he->env.s->hosts[host].tsc, &num, &den);
			tsc_set_pstate(&h->cpus[e->cpus[i]].tsc, now, num, den);
			tsc_changed(he, host, e->cpus[i], now);
			snprintf(what, sizeof(what), "P-state change to %" PRIu64 " kHz",
				 sim_freq_floor_khz(e->frequency));
			set_cause(he, host, e->cpus[i], now, what);
		}
		break;
	case SCN_EV_THROTTLE:
		for (unsigned i = 0; i < e->ncpus; i++) {
			tsc_set_throttle(&h->cpus[e->cpus[i]].tsc, now, e->duty_ppm);
			tsc_changed(he, host, e->cpus[i], now);
			snprintf(what, sizeof(what), "STPCLK throttling to %u.%04u %% duty",
				 e->duty_ppm / 10000, e->duty_ppm % 10000);
			set_cause(he, host, e->cpus[i], now, what);
		}
		break;
	case SCN_EV_TEMPERATURE:
		crystal_add_step_ppb(&h->crystals[e->socket], now, e->step_ppb);
		for (unsigned c = 0; c < h->ncpus; c++) {
			if (h->cpus[c].socket != e->socket)
				continue;
			tsc_changed(he, host, c, now);
			snprintf(what, sizeof(what), "socket %u crystal temperature step %+" PRId64 " ppb",
				 e->socket, e->step_ppb);
			set_cause(he, host, c, now, what);
		}
		break;
	case SCN_EV_HOTPLUG:
		host_cpu_hotplug(h, now, e->cpu, e->has_value ? e->value : 0);
		tsc_changed(he, host, e->cpu, now);
		snprintf(what, sizeof(what), "hot-added with its TSC at %" PRIu64,
			 e->has_value ? e->value : 0);
		set_cause(he, host, e->cpu, now, what);
		break;
	case SCN_EV_TSC_WRITE: {
		uint64_t v = e->low32 ? (e->value & UINT32_MAX) : e->value;

		tsc_wrmsr(&h->cpus[e->cpu].tsc, now, IA32_TIME_STAMP_COUNTER, v);
		tsc_changed(he, host, e->cpu, now);
		snprintf(what, sizeof(what), "WRMSR IA32_TSC = 0x%" PRIx64 "%s", v,
			 e->low32 ? " (low 32 bits; upper cleared)" : "");
		set_cause(he, host, e->cpu, now, what);
		break;
	}
	case SCN_EV_TSC_ADJUST_WRITE:
		tsc_wrmsr(&h->cpus[e->cpu].tsc, now, IA32_TSC_ADJUST, (uint64_t)e->adjust);
		tsc_changed(he, host, e->cpu, now);
		snprintf(what, sizeof(what), "WRMSR IA32_TSC_ADJUST = %" PRId64, e->adjust);
		set_cause(he, host, e->cpu, now, what);
		break;
	case SCN_EV_SUSPEND:
		if (he->env.host_sleep)
			he->env.host_sleep(he->env.ctx, host, true, now);
		host_suspend(h, now, e->s4 ? HOST_S4 : HOST_S3);
		for (unsigned c = 0; c < h->ncpus; c++)
			set_cause(he, host, c, now, e->s4 ? "S4 suspend" : "S3 suspend");
		break;
	case SCN_EV_READER_MIGRATE:
		if (he->env.reader_move)
			he->env.reader_move(he->env.ctx, e->reader, e->cpu, now);
		break;
	case SCN_EV_CLOCKSOURCE:
		/* echo hpet > current_clocksource: the host's notifier tells KVM */
		host_set_clocksource(h, now, e->to_hpet ? HOST_CS_HPET : HOST_CS_TSC);
		for (unsigned c = 0; c < h->ncpus; c++)
			set_cause(he, host, c, now, e->to_hpet ? "host clocksource switched to hpet" :
				  "host clocksource switched to tsc");
		break;
	case SCN_EV_NTP_ADJUST:
		host_ntp_adjust(h, now, e->freq_ppb);
		break;
	case SCN_EV_CSTATE_PATTERN:
	case SCN_EV_COUNT:
		break;
	}
}

static void apply_end(struct host_events *he, const struct scn_event *e, sim_ps now)
{
	struct host *h = host_of(he, e);
	unsigned host = e->host;

	switch (e->type) {
	case SCN_EV_CSTATE:
		for (unsigned i = 0; i < e->ncpus; i++)
			cstate_exit(he, host, e->cpus[i], e->cstate, now);
		break;
	case SCN_EV_THROTTLE:
		for (unsigned i = 0; i < e->ncpus; i++) {
			tsc_set_throttle(&h->cpus[e->cpus[i]].tsc, now, 1000000);
			tsc_changed(he, host, e->cpus[i], now);
			set_cause(he, host, e->cpus[i], now, "end of STPCLK throttling");
		}
		break;
	case SCN_EV_SUSPEND: {
		int64_t *fw = NULL;

		if (e->has_adjust) {
			fw = calloc(h->ncpus, sizeof(*fw));
			for (unsigned c = 0; fw && c < h->ncpus; c++)
				fw[c] = e->adjust;
		}
		host_resume(h, now, fw);
		free(fw);
		all_tsc_changed(he, host, now);
		for (unsigned c = 0; c < h->ncpus; c++)
			set_cause(he, host, c, now, e->has_adjust ?
				  "resume (firmware rewrote TSC_ADJUST)" : "resume");
		if (he->env.host_sleep)
			he->env.host_sleep(he->env.ctx, host, false, now);
		/* KVM refused what the resume did (a wrapped TSC): the error points at the suspend */
		if (he->env.q->failed && !he->env.q->error.path[0])
			snprintf(he->env.q->error.path, sizeof(he->env.q->error.path), "%s", e->path);
		break;
	}
	default:
		break;
	}
}

static void action_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct action *a = sim_container_of(ev, struct action, ev);

	(void)q;
	apply_start(a->he, a->e, now);
}

static void action_end_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct action *a = sim_container_of(ev, struct action, end_ev);

	(void)q;
	apply_end(a->he, a->e, now);
}

static bool has_end(const struct scn_event *e)
{
	return e->type == SCN_EV_CSTATE || e->type == SCN_EV_THROTTLE || e->type == SCN_EV_SUSPEND;
}

/* A span drawn uniformly in [1, 2 x mean]: the scenario gives the mean. */
static sim_ps draw_span(struct pattern_cpu *p, sim_ps mean)
{
	return 1 + sim_rng_below(&p->rng, mean > (SIM_NEVER - 1) / 2 ? SIM_NEVER - 1 : 2 * mean);
}

static void pattern_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct pattern_cpu *p = sim_container_of(ev, struct pattern_cpu, ev);
	const struct scn_event *e = p->e;
	sim_ps next;

	if (p->resident) {
		cstate_exit(p->he, e->host, p->cpu, e->cstate, now);
		p->resident = false;
		next = sim_add_sat(now, draw_span(p, e->busy_ps));
		if (next >= e->until_ps) {
			sim_cancel(q, &p->end_ev);    /* busy until the end: nothing left to do */
			return;
		}
	} else {
		cstate_enter(p->he, e->host, p->cpu, e->cstate, now);
		p->resident = true;
		next = sim_add_sat(now, draw_span(p, e->residency_ps));
		if (next >= e->until_ps)
			return;                       /* end_ev wakes it at until: the pattern ends awake */
	}
	sim_schedule(q, &p->ev, next);
}

static void pattern_end_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct pattern_cpu *p = sim_container_of(ev, struct pattern_cpu, end_ev);

	sim_cancel(q, &p->ev);
	if (p->resident) {
		cstate_exit(p->he, p->e->host, p->cpu, p->e->cstate, now);
		p->resident = false;
	}
}

static void tick_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct host_tick *t = sim_container_of(ev, struct host_tick, ev);
	struct host *h = &t->he->env.hosts[t->host];
	sim_ps next;

	host_update(h, now);
	all_tsc_changed(t->he, t->host, now);
	next = host_next_update(h);
	if (next != SIM_NEVER && next > now)
		sim_schedule(q, &t->ev, next);
}

static void init_causes(struct host_events *he, unsigned host)
{
	const struct scn_host *sh = &he->env.s->hosts[host];

	for (unsigned sk = 0; sk < sh->nsockets; sk++) {
		const struct scn_socket *ss = &sh->sockets[sk];

		for (unsigned c = 0; c < ss->ncpus + ss->hotplug_cpus; c++) {
			unsigned cpu = ss->first_cpu + c;
			int64_t skew = ss->tsc_offset_ps +
				       (ss->has_cpu_tsc_offsets && c < ss->ncpus ? ss->cpu_tsc_offset_ps[c] : 0);
			int64_t mag = skew < 0 ? -skew : skew;

			snprintf(he->causes[host][cpu].text, HOST_EVENT_CAUSE_MAX,
				 "socket %u: crystal %+" PRId64 " ppb%s, TSC offset at boot %s%" PRId64
				 ".%06" PRId64 " us",
				 sk, ss->crystal_ppb, ss->ssc.enabled ? " with spread spectrum" : "",
				 skew < 0 ? "-" : "+", mag / (int64_t)SIM_PS_PER_US,
				 mag % (int64_t)SIM_PS_PER_US);
		}
	}
}

struct host_events *host_events_create(const struct host_events_env *env, struct sim_diag *err)
{
	const struct scenario *s = env->s;
	struct host_events *he = calloc(1, sizeof(*he));
	unsigned np = 0;

	if (!he) {
		sim_diag_fail(err, "out of memory");
		return NULL;
	}
	he->env = *env;
	he->ticks = calloc(s->nhosts ? s->nhosts : 1, sizeof(*he->ticks));
	he->causes = calloc(s->nhosts ? s->nhosts : 1, sizeof(*he->causes));
	if (!he->ticks || !he->causes)
		goto oom;
	for (unsigned h = 0; h < s->nhosts; h++) {
		he->causes[h] = calloc(env->hosts[h].ncpus, sizeof(struct cpu_cause));
		if (!he->causes[h])
			goto oom;
		init_causes(he, h);
	}
	for (unsigned i = 0; i < s->nevents; i++)
		if (s->events[i].type == SCN_EV_CSTATE_PATTERN)
			np += s->events[i].ncpus;
	he->actions = calloc(s->nevents ? s->nevents : 1, sizeof(*he->actions));
	he->patterns = calloc(np ? np : 1, sizeof(*he->patterns));
	if (!he->actions || !he->patterns)
		goto oom;

	/* Events in file order; ties at one instant fire in that order (FIFO). */
	for (unsigned i = 0; i < s->nevents; i++) {
		const struct scn_event *e = &s->events[i];

		if (e->type == SCN_EV_CSTATE_PATTERN) {
			for (unsigned c = 0; c < e->ncpus; c++) {
				struct pattern_cpu *p = &he->patterns[he->npatterns++];
				sim_ps first;

				p->he = he;
				p->e = e;
				p->cpu = e->cpus[c];
				snprintf(p->name, sizeof(p->name), "event%u.cpu%u", i, p->cpu);
				snprintf(p->end_name, sizeof(p->end_name), "event%u.cpu%u.end", i, p->cpu);
				sim_rng_init(&p->rng, s->seed, p->name);
				sim_event_init(&p->ev, p->name, SIM_PRIO_SCENARIO, pattern_fire);
				sim_event_init(&p->end_ev, p->end_name, SIM_PRIO_SCENARIO, pattern_end_fire);
				first = sim_add_sat(e->at_ps, draw_span(p, e->busy_ps));
				if (first < e->until_ps) {
					sim_schedule(env->q, &p->ev, first);
					sim_schedule(env->q, &p->end_ev, e->until_ps);
				}
			}
			continue;
		}
		struct action *a = &he->actions[he->nactions++];

		a->he = he;
		a->e = e;
		snprintf(a->name, sizeof(a->name), "event%u", i);
		snprintf(a->end_name, sizeof(a->end_name), "event%u.end", i);
		sim_event_init(&a->ev, a->name, SIM_PRIO_SCENARIO, action_fire);
		sim_event_init(&a->end_ev, a->end_name, SIM_PRIO_SCENARIO, action_end_fire);
		sim_schedule(env->q, &a->ev, e->at_ps);
		/* an end beyond 2^64 ps never comes: the event lasts the whole run */
		if (has_end(e) && sim_add_sat(e->at_ps, e->duration_ps) != SIM_NEVER)
			sim_schedule(env->q, &a->end_ev, e->at_ps + e->duration_ps);
	}
	for (unsigned h = 0; h < s->nhosts; h++) {
		struct host_tick *t = &he->ticks[h];
		sim_ps next = host_next_update(&env->hosts[h]);

		t->he = he;
		t->host = h;
		snprintf(t->name, sizeof(t->name), "host/%s/crystal_update", s->hosts[h].name);
		sim_event_init(&t->ev, t->name, SIM_PRIO_SCENARIO, tick_fire);
		if (next != SIM_NEVER)
			sim_schedule(env->q, &t->ev, next);
	}
	return he;
oom:
	host_events_destroy(he);
	sim_diag_fail(err, "out of memory");
	return NULL;
}

void host_events_destroy(struct host_events *he)
{
	if (!he)
		return;
	for (unsigned i = 0; i < he->nactions; i++) {
		sim_cancel(he->env.q, &he->actions[i].ev);
		sim_cancel(he->env.q, &he->actions[i].end_ev);
	}
	for (unsigned i = 0; i < he->npatterns; i++) {
		sim_cancel(he->env.q, &he->patterns[i].ev);
		sim_cancel(he->env.q, &he->patterns[i].end_ev);
	}
	for (unsigned h = 0; h < he->env.s->nhosts && he->ticks && he->causes; h++) {
		if (he->ticks[h].he)
			sim_cancel(he->env.q, &he->ticks[h].ev);
		free(he->causes[h]);
	}
	free(he->ticks);
	free(he->causes);
	free(he->actions);
	free(he->patterns);
	free(he);
}

const char *host_events_cause(const struct host_events *he, unsigned host, unsigned cpu)
{
	if (!he || host >= he->env.s->nhosts || !he->causes[host] || cpu >= he->env.hosts[host].ncpus)
		return "";
	return he->causes[host][cpu].text;
}
