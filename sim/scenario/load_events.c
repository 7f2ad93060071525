/*
 * "events": the host timeline.  Events are replayed in order, so that a CPU
 * is known to be online, idle or suspended at each event's time.
 */
#include "sim/scenario/loader_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/units.h"

/* Events: the types, in the order of enum scn_event_type, and the keys of each. */
static const char *const event_type_names[] = {
	"cstate", "cstate_pattern", "pstate", "throttle", "temperature", "hotplug", "tsc_write",
	"tsc_adjust_write", "suspend", "reader_migrate", "clocksource", "ntp_adjust", NULL,
};
_Static_assert(sizeof(event_type_names) / sizeof(event_type_names[0]) == SCN_EV_COUNT + 1,
	       "one name per enumerator");

#define EV(t) (1u << SCN_EV_##t)

static const char *const suspend_names[] = { "S3", "S4", NULL };
static const char *const clocksource_names[] = { "tsc", "hpet", NULL };

#define NTP_MAXFREQ_PPB 500000LL

/*
 * The keys of each event type (.only: the types that take the key).  The
 * values are read by load_event(): they depend on the timeline so far.
 */
static const struct field event_rows[] = {
	{ ROW("type", F_CUSTOM, 0), .required = true, .like = F_ENUM, .names = event_type_names },
	{ ROW("at", F_CUSTOM, 0), .required = true, .like = F_DURATION_PS },
	{ ROW("host", F_CUSTOM, 0), .like = F_NAME },
	{ ROW("cpus", F_CUSTOM, 0), .required = true,
	  .only = EV(CSTATE) | EV(CSTATE_PATTERN) | EV(PSTATE) | EV(THROTTLE), .shape = "cpus" },
	{ ROW("state", F_CUSTOM, 0), .required = true, .only = EV(CSTATE) | EV(CSTATE_PATTERN),
	  .shape = "cstate" },
	{ ROW("duty", F_CUSTOM, 0), .required = true, .only = EV(THROTTLE), .shape = "fraction" },
	{ ROW("duration", F_CUSTOM, 0), .required = true, .only = EV(CSTATE) | EV(THROTTLE),
	  .like = F_DURATION_PS, .min = 1 },
	{ ROW("until", F_CUSTOM, 0), .required = true, .only = EV(CSTATE_PATTERN),
	  .like = F_DURATION_PS },
	{ ROW("residency", F_CUSTOM, 0), .required = true, .only = EV(CSTATE_PATTERN),
	  .like = F_DURATION_PS, .min = 1 },
	{ ROW("busy", F_CUSTOM, 0), .required = true, .only = EV(CSTATE_PATTERN),
	  .like = F_DURATION_PS, .min = 1 },
	{ ROW("frequency", F_CUSTOM, 0), .required = true, .only = EV(PSTATE), .like = F_FREQ,
	  .min = 1000000, .max = 100000000000ULL },
	{ ROW("socket", F_CUSTOM, 0), .required = true, .only = EV(TEMPERATURE), .like = F_UINT,
	  .max = SCN_MAX_SOCKETS - 1 },
	{ ROW("step", F_CUSTOM, 0), .required = true, .only = EV(TEMPERATURE), .like = F_PPB,
	  .max = CRYSTAL_LIMIT_PPB },
	{ ROW("cpu", F_CUSTOM, 0), .required = true, .only = EV(HOTPLUG), .like = F_UINT,
	  .max = SCN_MAX_HOST_CPUS - 1 },
	{ ROW("tsc", F_CUSTOM, 0), .only = EV(HOTPLUG), .like = F_U64_HEX, .max = UINT64_MAX },
	{ ROW("reader", F_CUSTOM, 0), .required = true, .only = EV(READER_MIGRATE), .like = F_NAME },
	{ ROW("cpu", F_CUSTOM, 0), .required = true,
	  .only = EV(TSC_WRITE) | EV(TSC_ADJUST_WRITE) | EV(READER_MIGRATE), .like = F_UINT,
	  .max = SCN_MAX_HOST_CPUS - 1 },
	{ ROW("value", F_CUSTOM, 0), .required = true, .only = EV(TSC_WRITE), .like = F_U64_HEX,
	  .max = UINT64_MAX },
	{ ROW("low32", F_CUSTOM, 0), .only = EV(TSC_WRITE), .like = F_BOOL },
	{ ROW("value", F_CUSTOM, 0), .required = true, .only = EV(TSC_ADJUST_WRITE), .shape = "s64" },
	{ ROW("kind", F_CUSTOM, 0), .required = true, .only = EV(SUSPEND), .like = F_ENUM,
	  .names = suspend_names },
	{ ROW("duration", F_CUSTOM, 0), .required = true, .only = EV(SUSPEND),
	  .like = F_DURATION_PS, .min = 1 },
	{ ROW("firmware_tsc_adjust", F_CUSTOM, 0), .only = EV(SUSPEND), .shape = "s64" },
	{ ROW("to", F_CUSTOM, 0), .required = true, .only = EV(CLOCKSOURCE), .like = F_ENUM,
	  .names = clocksource_names },
	{ ROW("freq", F_CUSTOM, 0), .required = true, .only = EV(NTP_ADJUST), .like = F_PPB,
	  .max = NTP_MAXFREQ_PPB },
};

/* For the schema: event type i's name and .only bit. */
static const char *event_context(unsigned i, unsigned *only)
{
	*only = 1u << i;
	return event_type_names[i];
}

const struct field_table event_table = FIELDS_BY("events", event_rows, event_context, "type");

/* ---- host events ---- */

/* What load_events keeps while it reads the events in order. */
struct event_state {
	struct cpu_set sets[SCN_MAX_EVENTS];  /* the CPUs of each event ("cpus" or "cpu") */
	int64_t steps[SCN_MAX_HOSTS][SCN_MAX_SOCKETS]; /* temperature steps so far */
	unsigned *reader_cpu;                 /* where each one-CPU reader on a host is */
};

/* The CPUs of host `host` online at t, after the hotplug events among events[0, k). */
void online_at(const struct scenario *sc, unsigned host, sim_ps t, unsigned k,
		      struct cpu_set *set)
{
	initial_online(&sc->hosts[host], set);
	for (unsigned j = 0; j < k; j++) {
		const struct scn_event *e = &sc->events[j];

		if (e->type == SCN_EV_HOTPLUG && e->host == host && e->at_ps <= t)
			cpu_set_add(set, e->cpu);
	}
}

/* When an event that keeps its CPUs busy (cstate, cstate_pattern, throttle) ends; else 0. */
static sim_ps busy_end(const struct scn_event *e)
{
	switch (e->type) {
	case SCN_EV_CSTATE:
	case SCN_EV_THROTTLE:
		return sim_add_sat(e->at_ps, e->duration_ps);
	case SCN_EV_CSTATE_PATTERN:
		return e->until_ps;
	default:
		return 0;
	}
}

/*
 * The first of events[0, k) on host that keeps a CPU of set busy after t (only
 * "cstate" events when cstate_only), with that CPU in *cpu; -1 when none.
 */
static int busy_conflict(const struct scenario *sc, const struct event_state *st, unsigned k,
			 unsigned host, sim_ps t, const struct cpu_set *set, bool cstate_only,
			 unsigned *cpu)
{
	for (unsigned j = 0; j < k; j++) {
		const struct scn_event *e = &sc->events[j];
		unsigned c;

		if (e->host != host || busy_end(e) <= t || (cstate_only && e->type != SCN_EV_CSTATE))
			continue;
		c = cpu_set_common(&st->sets[j], set);
		if (c < SCN_MAX_HOST_CPUS) {
			*cpu = c;
			return (int)j;
		}
	}
	return -1;
}

/* "state": 1..10 or "C1".."C10". */
static bool read_cstate(struct loader *ld, const struct node *v, unsigned *out)
{
	const char *s;
	char q[80];

	if (cJSON_IsNumber(v->json))
		return read_uint(ld, v, 1, SCN_MAX_CSTATE, "a C-state (1 to 10, or \"C1\" to \"C10\")",
				 out);
	if (!cJSON_IsString(v->json))
		return type_error(ld, v, EXPECT_CSTATE);
	s = v->json->valuestring;
	if (s[0] != 'C' || s[1] < '1' || s[1] > '9' || (s[2] && strcmp(s + 1, "10") != 0))
		return fail(ld, v->path, "expected %s, got %s", EXPECT_CSTATE,
			    sim_quote(q, sizeof(q), s));
	*out = (unsigned)atoi(s + 1);
	return true;
}

/* Index of the reader named by v (a string), listing the names on error. */
static bool read_reader_ref(struct loader *ld, const struct node *v, unsigned *out)
{
	const struct scenario *sc = ld->sc;
	char q[80], names[32 * (SCN_NAME_MAX + 2)] = "none";   /* the first few: append_name cuts */
	const char *s = "";
	size_t n = 0;

	if (!read_str(ld, v, "a reader name", &s))
		return false;
	for (unsigned i = 0; i < sc->nreaders; i++) {
		if (strcmp(sc->readers[i].name, s) == 0) {
			*out = i;
			return true;
		}
		append_name(names, sizeof(names), &n, sc->readers[i].name);
	}
	return fail(ld, v->path, "unknown reader %s; expected one of: %s",
		    sim_quote(q, sizeof(q), s), names);
}

/* An error: CPU cpu of h is not in the online set that holds `when`. */
bool offline_error(struct loader *ld, const char *path, const struct scn_host *h,
			  unsigned cpu, const char *when)
{
	bool hotplug;

	return fail(ld, path, "CPU %u of host \"%s\" is offline %s: it is one of socket %u's "
		    "\"hotplug_cpus\", not brought online by an earlier \"hotplug\" event", cpu,
		    h->name, when, cpu_socket(h, cpu, &hotplug));
}

/* The required "cpu" of o: a CPU of host h online at t (after events[0, k)). */
bool read_online_cpu(struct loader *ld, const struct node *o, const char *key,
			    unsigned host, sim_ps t, unsigned k, unsigned *cpu, struct node *v)
{
	const struct scn_host *h = &ld->sc->hosts[host];
	char what[80], when[48], a[32];
	struct cpu_set online;

	snprintf(what, sizeof(what), "a CPU index of host \"%s\"", h->name);
	if (!node_get(ld, o, key, true, v) || !read_uint(ld, v, 0, h->ncpus - 1, what, cpu))
		return false;
	online_at(ld->sc, host, t, k, &online);
	snprintf(when, sizeof(when), "at %s", fmt_ps(a, sizeof(a), 1, t));
	return cpu_set_has(&online, *cpu) || offline_error(ld, v->path, h, *cpu, when);
}

/* A required duration above 0 at key of o. */
bool read_positive(struct loader *ld, const struct node *o, const char *key, sim_ps *out,
			  struct node *v)
{
	if (!node_get(ld, o, key, true, v) || !read_duration_ps(ld, v, out))
		return false;
	if (*out == 0)
		return fail(ld, v->path, "expected a duration above 0, got \"%s\"",
			    v->json->valuestring);
	return true;
}

/* "reader" of a reader_migrate event: a reader on a host, on one CPU; its host. */
static bool load_migrate_reader(struct loader *ld, const struct node *o, struct scn_event *e)
{
	const struct scenario *sc = ld->sc;
	const struct scn_reader *r;
	struct node v;
	unsigned host;
	char a[32];

	if (!node_get(ld, o, "reader", true, &v) || !read_reader_ref(ld, &v, &e->reader))
		return false;
	r = &sc->readers[e->reader];
	if (!r->on_host)
		return fail(ld, v.path, "reader \"%s\" runs in the VM; \"reader_migrate\" moves a reader "
			    "on a host (one with \"cpus\")", r->name);
	if (r->migrate_every_ps)
		return fail(ld, v.path, "reader \"%s\" already migrates (every %s); \"reader_migrate\" "
			    "moves a reader on one CPU (no \"migrate_every\")", r->name,
			    fmt_ps(a, sizeof(a), 1, r->migrate_every_ps));
	if (r->ncpus != 1)
		return fail(ld, v.path, "reader \"%s\" is one reader per CPU on %u CPUs; "
			    "\"reader_migrate\" moves a reader on one CPU (\"cpus\" with one entry)",
			    r->name, r->ncpus);
	e->host = r->host;
	if (!node_get(ld, o, "host", false, &v))
		return false;
	if (v.json && !read_host_ref(ld, &v, &host))
		return false;
	if (v.json && host != e->host)
		return fail(ld, v.path, "reader \"%s\" runs on host \"%s\"; expected that host, or no "
			    "\"host\"", r->name, sc->hosts[e->host].name);
	return true;
}

static bool load_event(struct loader *ld, const struct node *o, unsigned k,
		       struct event_state *st)
{
	struct scenario *sc = ld->sc;
	struct scn_event *e = &sc->events[k];
	const struct scn_host *h;
	struct node v, at, type, cpus = { NULL, "" };
	struct cpu_set online;
	char context[48], when[48], a[32], b[32], c[32];
	unsigned u = 0, cpu;
	int64_t lo, hi;
	int j;

	if (!cJSON_IsObject(o->json))
		return type_error(ld, o, "an object");
	if (!node_get(ld, o, "type", true, &type) || !read_enum(ld, &type, event_type_names, &u))
		return false;
	e->type = (enum scn_event_type)u;
	snprintf(context, sizeof(context), "an event of type \"%s\"", event_type_names[u]);
	if (!load_fields(ld, o, &event_table, 1u << u, context, e, NULL))
		return false;
	keep_path(e->path, o->path);
	if (!node_get(ld, o, "at", true, &at) || !read_duration_ps(ld, &at, &e->at_ps))
		return false;
	if (!check_before_end(ld, at.path, e->at_ps))
		return false;
	if (k && e->at_ps < sc->events[k - 1].at_ps)
		return fail(ld, at.path, "expected events sorted by \"at\": got %s, before the "
			    "previous event's %s", fmt_ps(a, sizeof(a), 1, e->at_ps),
			    fmt_ps(b, sizeof(b), 1, sc->events[k - 1].at_ps));
	if (e->type == SCN_EV_READER_MIGRATE ? !load_migrate_reader(ld, o, e)
					      : !read_host_or_only(ld, o, &e->host))
		return false;
	h = &sc->hosts[e->host];
	for (unsigned i = 0; i < k; i++) {
		const struct scn_event *s = &sc->events[i];

		if (s->type == SCN_EV_SUSPEND && s->host == e->host &&
		    e->at_ps < s->at_ps + s->duration_ps)
			return fail(ld, at.path, "host \"%s\" is suspended at %s by /events/%u (from %s "
				    "to %s)", h->name, fmt_ps(a, sizeof(a), 1, e->at_ps), i,
				    fmt_ps(b, sizeof(b), 1, s->at_ps),
				    fmt_ps(c, sizeof(c), 1, s->at_ps + s->duration_ps));
	}
	snprintf(when, sizeof(when), "at %s", fmt_ps(a, sizeof(a), 1, e->at_ps));

	switch (e->type) {
	case SCN_EV_CSTATE:
	case SCN_EV_CSTATE_PATTERN:
	case SCN_EV_PSTATE:
	case SCN_EV_THROTTLE:
		online_at(sc, e->host, e->at_ps, k, &online);
		if (!node_get(ld, o, "cpus", true, &cpus) ||
		    !read_cpu_list(ld, &cpus, h, &online, when, true, &e->ncpus, e->cpus))
			return false;
		for (unsigned i = 0; i < e->ncpus; i++)
			cpu_set_add(&st->sets[k], e->cpus[i]);
		break;
	default:
		break;
	}

	switch (e->type) {
	case SCN_EV_CSTATE:
		if (!node_get(ld, o, "state", true, &v) || !read_cstate(ld, &v, &e->cstate) ||
		    !read_positive(ld, o, "duration", &e->duration_ps, &v))
			return false;
		break;
	case SCN_EV_CSTATE_PATTERN:
		if (!node_get(ld, o, "state", true, &v) || !read_cstate(ld, &v, &e->cstate))
			return false;
		if (!node_get(ld, o, "until", true, &v) || !read_duration_ps(ld, &v, &e->until_ps))
			return false;
		if (e->until_ps <= e->at_ps || e->until_ps > sc->duration_ps)
			return fail(ld, v.path, "expected a time after \"at\" (%s) and not after the end "
				    "of the run (%s), got %s", fmt_ps(a, sizeof(a), 1, e->at_ps),
				    fmt_ps(b, sizeof(b), 1, sc->duration_ps),
				    fmt_ps(c, sizeof(c), 1, e->until_ps));
		if (!read_positive(ld, o, "residency", &e->residency_ps, &v) ||
		    !read_positive(ld, o, "busy", &e->busy_ps, &v))
			return false;
		break;
	case SCN_EV_PSTATE:
		if (!node_get(ld, o, "frequency", true, &v) ||
		    !read_freq(ld, &v, 1000000, 100000000000ULL, "1MHz to 100GHz", &e->frequency))
			return false;
		break;
	case SCN_EV_THROTTLE: {
		int64_t duty = 0;

		if (!node_get(ld, o, "duty", true, &v) ||
		    !read_fraction(ld, &v, PPB_PER_PERCENT, 100 * PPB_PER_PERCENT,
				   "a duty from 1% to 100%", &duty))
			return false;
		if (duty % 1000)
			return fail(ld, v.path, "duty \"%s\" is not a whole number of ppm",
				    v.json->valuestring);
		e->duty_ppm = (uint32_t)(duty / 1000);
		if (!read_positive(ld, o, "duration", &e->duration_ps, &v))
			return false;
		break;
	}
	case SCN_EV_TEMPERATURE: {
		char what[80];

		snprintf(what, sizeof(what), "a socket index of host \"%s\"", h->name);
		if (!node_get(ld, o, "socket", true, &v) ||
		    !read_uint(ld, &v, 0, h->nsockets - 1, what, &e->socket))
			return false;
		if (!node_get(ld, o, "step", true, &v) ||
		    !read_ppb(ld, &v, CRYSTAL_LIMIT_PPB, &e->step_ppb))
			return false;
		st->steps[e->host][e->socket] += e->step_ppb;
		crystal_envelope(sc, &h->sockets[e->socket], st->steps[e->host][e->socket], &lo, &hi);
		if (!check_envelope(ld, v.path, h, lo, hi, "with the temperature steps so far"))
			return false;
		break;
	}
	case SCN_EV_HOTPLUG: {
		char what[80], list_buf[96];
		bool hotplug;

		snprintf(what, sizeof(what), "a CPU index of host \"%s\"", h->name);
		if (!node_get(ld, o, "cpu", true, &v) || !read_uint(ld, &v, 0, h->ncpus - 1, what, &e->cpu))
			return false;
		cpu_socket(h, e->cpu, &hotplug);
		if (!hotplug)
			return fail(ld, v.path, "CPU %u of host \"%s\" is online at t = 0; expected one "
				    "of its \"hotplug_cpus\" (%s)", e->cpu, h->name,
				    hotplug_list(h, list_buf, sizeof(list_buf)));
		for (unsigned i = 0; i < k; i++)
			if (sc->events[i].type == SCN_EV_HOTPLUG && sc->events[i].host == e->host &&
			    sc->events[i].cpu == e->cpu)
				return fail(ld, v.path, "CPU %u of host \"%s\" is already online %s "
					    "(/events/%u brought it online)", e->cpu, h->name, when, i);
		cpu_set_add(&st->sets[k], e->cpu);
		if (!node_get(ld, o, "tsc", false, &v) ||
		    !read_u64(ld, &v, "the new CPU's TSC", UINT64_MAX, &e->value))
			return false;
		e->has_value = v.json != NULL;
		break;
	}
	case SCN_EV_TSC_WRITE:
	case SCN_EV_TSC_ADJUST_WRITE:
		if (e->type == SCN_EV_TSC_ADJUST_WRITE && !h->features.tsc_adjust)
			return fail(ld, type.path, "host \"%s\" has no IA32_TSC_ADJUST "
				    "(%s/tsc_features/tsc_adjust is false)", h->name, h->path);
		if (!read_online_cpu(ld, o, "cpu", e->host, e->at_ps, k, &e->cpu, &v))
			return false;
		cpu_set_add(&st->sets[k], e->cpu);
		j = busy_conflict(sc, st, k, e->host, e->at_ps, &st->sets[k], true, &cpu);
		if (j >= 0)
			return fail(ld, v.path, "CPU %u of host \"%s\" is in C%u %s (/events/%d, until "
				    "%s): it cannot execute the write", cpu, h->name,
				    sc->events[j].cstate, when, j,
				    fmt_ps(b, sizeof(b), 1, busy_end(&sc->events[j])));
		if (!node_get(ld, o, "value", true, &v))
			return false;
		if (e->type == SCN_EV_TSC_WRITE) {
			e->has_value = true;
			if (!read_u64(ld, &v, "a TSC value", UINT64_MAX, &e->value) ||
			    !node_get(ld, o, "low32", false, &v) || !read_bool(ld, &v, &e->low32))
				return false;
		} else {
			e->has_adjust = true;
			if (!read_s64(ld, &v, "a TSC_ADJUST value", &e->adjust))
				return false;
		}
		break;
	case SCN_EV_SUSPEND: {
		struct cpu_set all;

		if (!node_get(ld, o, "kind", true, &v) || !read_enum(ld, &v, suspend_names, &u))
			return false;
		e->s4 = u == 1;
		if (!read_positive(ld, o, "duration", &e->duration_ps, &v))
			return false;
		if (sim_add_sat(e->at_ps, e->duration_ps) >= sc->duration_ps)
			return fail(ld, v.path, "the host would resume at %s (at + duration), not before "
				    "the end of the run (%s)",
				    fmt_ps(a, sizeof(a), 1, sim_add_sat(e->at_ps, e->duration_ps)),
				    fmt_ps(b, sizeof(b), 1, sc->duration_ps));
		if (!node_get(ld, o, "firmware_tsc_adjust", false, &v))
			return false;
		if (v.json && !h->features.tsc_adjust)
			return fail_at(ld, v.path, AT_KEY, 0, "host \"%s\" has no IA32_TSC_ADJUST "
				       "(%s/tsc_features/tsc_adjust is false)", h->name, h->path);
		if (!read_s64(ld, &v, "a TSC_ADJUST value", &e->adjust))
			return false;
		e->has_adjust = v.json != NULL;
		memset(&all, 0xff, sizeof(all));
		j = busy_conflict(sc, st, k, e->host, e->at_ps, &all, false, &cpu);
		if (j >= 0)
			return fail(ld, at.path, "host \"%s\" cannot suspend %s: CPU %u is busy with "
				    "/events/%d (a \"%s\" event until %s)", h->name, when, cpu, j,
				    event_type_names[sc->events[j].type],
				    fmt_ps(b, sizeof(b), 1, busy_end(&sc->events[j])));
		break;
	}
	case SCN_EV_READER_MIGRATE:
		if (!read_online_cpu(ld, o, "cpu", e->host, e->at_ps, k, &e->cpu, &v))
			return false;
		if (e->cpu == st->reader_cpu[e->reader])
			return fail(ld, v.path, "reader \"%s\" is already on CPU %u %s; expected another "
				    "CPU", sc->readers[e->reader].name, e->cpu, when);
		st->reader_cpu[e->reader] = e->cpu;
		cpu_set_add(&st->sets[k], e->cpu);
		break;
	case SCN_EV_CLOCKSOURCE:
		if (!node_get(ld, o, "to", true, &v) || !read_enum(ld, &v, clocksource_names, &u))
			return false;
		e->to_hpet = u == 1;
		break;
	case SCN_EV_NTP_ADJUST:
		/* adjtimex(ADJ_FREQUENCY): Linux bounds it to MAXFREQ, 500 ppm (linux/timex.h) */
		if (!node_get(ld, o, "freq", true, &v) ||
		    !read_ppb(ld, &v, NTP_MAXFREQ_PPB, &e->freq_ppb))
			return false;
		break;
	case SCN_EV_COUNT:
		break;
	}

	if (busy_end(e)) {
		j = busy_conflict(sc, st, k, e->host, e->at_ps, &st->sets[k], false, &cpu);
		if (j >= 0)
			return fail(ld, cpus.path, "CPU %u of host \"%s\" is still busy %s with /events/%d "
				    "(a \"%s\" event until %s); C-state, C-state pattern and throttle "
				    "events on one CPU must not overlap", cpu, h->name, when, j,
				    event_type_names[sc->events[j].type],
				    fmt_ps(b, sizeof(b), 1, busy_end(&sc->events[j])));
	}
	return true;
}

bool load_events(struct loader *ld, const struct node *arr)
{
	struct scenario *sc = ld->sc;
	struct event_state *st;
	unsigned n = 0;
	bool ok = true;

	if (!read_array(ld, arr, 0, SCN_MAX_EVENTS, "events", &n))
		return false;
	if (n == 0)
		return check_action_overlaps(ld);
	sc->events = calloc(n, sizeof(*sc->events));
	st = calloc(1, sizeof(*st));
	if (st)
		st->reader_cpu = calloc(sc->nreaders ? sc->nreaders : 1, sizeof(*st->reader_cpu));
	if (!sc->events || !st || !st->reader_cpu) {
		if (st)
			free(st->reader_cpu);
		free(st);
		return fail(ld, arr->path, "out of memory");
	}
	for (unsigned r = 0; r < sc->nreaders; r++)
		if (sc->readers[r].on_host)
			st->reader_cpu[r] = sc->readers[r].cpus[0];
	for (unsigned k = 0; ok && k < n; k++) {
		struct node el;

		node_element(arr, k, &el);
		ok = load_event(ld, &el, k, st);
	}
	free(st->reader_cpu);
	free(st);
	if (ok)
		sc->nevents = n;
	return ok && check_action_overlaps(ld);
}
