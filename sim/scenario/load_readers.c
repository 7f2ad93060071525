/* "readers" and their oracle "checks". */
#include "sim/scenario/loader_internal.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/check.h"
#include "sim/core/units.h"

#define R(m) offsetof(struct scn_reader, m)
#define C(m) offsetof(struct oracle_check_config, m)

static const char *const reader_kind_names[] = READER_KIND_NAMES_INIT;
static const char *const rdtsc_names[] = { "rdtscp", "lfence", "rdtsc", NULL };
_Static_assert(sizeof(rdtsc_names) / sizeof(rdtsc_names[0]) == SCN_RDTSC_KIND_COUNT + 1,
	       "one name per enumerator");
static const char *const wrap_names[] = { "none", "extend", NULL };
static const char *const pause_names[] = { "include", "exclude", NULL };
static const char *const tick_source_names[] = { "pit", "rtc", "apic", NULL };
_Static_assert(sizeof(tick_source_names) / sizeof(tick_source_names[0]) == SCN_TICK_SOURCE_COUNT + 1,
	       "one name per enumerator");
static const char *const tick_policy_names[] = { "discard", "delay", "merge", "slew", NULL };
_Static_assert(sizeof(tick_policy_names) / sizeof(tick_policy_names[0]) == SCN_TICK_POLICY_COUNT + 1,
	       "one name per enumerator");
static const char *const timekeeping_names[] = { "ticks", "nohz", NULL };
static const char *const clocksource_names[] = { "kvm-clock", "tsc", NULL };

static const struct field reader_rows[] = {
	{ ROW("name", F_NAME, R(name)), .required = true },
	{ ROW("vm", F_CUSTOM, 0), .like = F_NAME },
	{ ROW("kind", F_ENUM, R(kind)), .required = true, .names = reader_kind_names },
	{ ROW("vcpus", F_CUSTOM, 0), .shape = "vcpus" },
	{ ROW("period", F_DURATION_PS, R(period_ps)), .required = true, .min = 1,
	  .what = "period" },
	{ ROW("jitter", F_DURATION_PS, R(jitter_ps)), .dflt = "0s" },
	{ ROW("cost", F_CUSTOM, 0), .like = F_DURATION_PS }, /* default by kind: guest/reader_kind.h */
	{ ROW("tsc_khz", F_U64, R(tsc_khz)), .min = 1, .max = UINT32_MAX,
	  .what = "a TSC frequency in kHz" },
	{ ROW("width", F_EITHER, R(width_bits)), .dflt = "32", .min = 32, .max = 64,
	  .what = "an access width in bits" },     /* hpet only */
	{ ROW("wrap", F_ENUM_BOOL, R(wrap_extend)), .dflt = "extend", .names = wrap_names },
	{ ROW("checks", F_CUSTOM, 0), .sub = &check_table, .nest = NEST_MAP },
	{ ROW("host", F_CUSTOM, 0), .like = F_NAME },
	{ ROW("cpus", F_CUSTOM, 0), .shape = "cpus" },
	{ ROW("migrate_every", F_DURATION_PS, R(migrate_every_ps)), .min = 1, .what = "duration" },
	{ ROW("rdtsc", F_ENUM, R(rdtsc)), .dflt = "rdtscp", .names = rdtsc_names },
	{ ROW("phase", F_DURATION_PS, R(phase_ps)) },   /* absent: random, by the guest */
	/* kind "ticks" (load_ticks) */
	{ ROW("source", F_ENUM, R(tick_source)), .dflt = "pit", .names = tick_source_names },
	{ ROW("hz", F_UINT, R(tick_hz)), .min = 1, .max = 10000, .what = "a tick rate in Hz" },
	{ ROW("policy", F_ENUM, R(tick_policy)), .names = tick_policy_names },
	{ ROW("inject_interval", F_DURATION_PS, R(inject_interval_ps)), .dflt = "10us", .min = 1,
	  .what = "duration" },
	{ ROW("slew_rate", F_UINT, R(slew_rate)), .dflt = "2", .min = 2, .max = 9,
	  .what = "a catch-up rate (times the tick rate)" },
	{ ROW("timekeeping", F_ENUM_BOOL, R(nohz)), .dflt = "ticks", .names = timekeeping_names },
	{ ROW("compensate", F_BOOL, R(compensate)), .dflt = "false" },
	{ ROW("clocksource", F_ENUM_BOOL, R(clocksource_tsc)), .dflt = "kvm-clock",
	  .names = clocksource_names },          /* clock IDs only */
	/* realtime only: "boot" or "every <duration>" */
	{ ROW("wall_clock", F_CUSTOM, 0), .shape = "wall_clock" },
	{ ROW("ntp_freq", F_PPB, R(ntp_freq_ppb)), .dflt = "0ppm", .max = 500000 },  /* clock IDs */
};

/*
 * One oracle check's object.  Which keys a check takes, and its unit, are the
 * check's own (oracle/check.h: .params, .unit, .window_default).
 */
static const struct field check_rows[] = {
	{ ROW("expect", F_ENUM, C(expect)), .required = true, .names = expect_names },
	{ ROW("threshold", F_CUSTOM, 0), .required = true, .only = ORACLE_PARAM_THRESHOLD,
	  .shape = "threshold" },
	{ ROW("window", F_DURATION_PS, C(window_ps)), .min = 1, .what = "window",
	  .only = ORACLE_PARAM_WINDOW },   /* default: the check's .window_default */
	{ ROW("pause", F_ENUM, C(pause)), .dflt = "include", .names = pause_names,
	  .only = ORACLE_PARAM_PAUSE },
	{ ROW("worst", F_CUSTOM, 0), .shape = "worst" },
};

/* For the schema: check i's name, and its params as the rows' .only bits. */
static const char *check_context(unsigned i, unsigned *only)
{
	if (i >= ORACLE_CHECK_COUNT)
		return NULL;
	*only = oracle_check_desc((enum oracle_check_id)i)->params;
	return oracle_check_desc((enum oracle_check_id)i)->name;
}

const struct field_table reader_table = FIELDS("readers", reader_rows);
const struct field_table check_table = FIELDS_BY("checks", check_rows, check_context, NULL);

/* ---- readers and checks ---- */

/* The checks' keys, from their descriptors (oracle/check.h), NULL-terminated. */
static const char *const *check_names(const char *names[ORACLE_CHECK_COUNT + 1])
{
	for (unsigned id = 0; id < ORACLE_CHECK_COUNT; id++)
		names[id] = oracle_check_desc((enum oracle_check_id)id)->name;
	names[ORACLE_CHECK_COUNT] = NULL;
	return names;
}

static bool load_worst(struct loader *ld, const struct node *o, bool rate,
		       struct oracle_check_config *c)
{
	struct node lo, hi;
	char a[32], b[32];

	if (!read_object(ld, o, worst_keys))
		return false;
	if (!node_get(ld, o, "min", false, &lo) || !node_get(ld, o, "max", false, &hi))
		return false;
	if (rate) {
		if (!read_ppb(ld, &lo, INT64_MAX, &c->worst_min) ||
		    !read_ppb(ld, &hi, INT64_MAX, &c->worst_max))
			return false;
	} else {
		if (!read_signed_ps(ld, &lo, &c->worst_min) || !read_signed_ps(ld, &hi, &c->worst_max))
			return false;
	}
	c->has_worst_min = lo.json != NULL;
	c->has_worst_max = hi.json != NULL;
	if (lo.json && hi.json && c->worst_max < c->worst_min)
		return fail(ld, hi.path, "expected at least \"min\" (%s), got %s",
			    rate ? fmt_ppb(a, sizeof(a), c->worst_min) : fmt_sps(a, sizeof(a), c->worst_min),
			    rate ? fmt_ppb(b, sizeof(b), c->worst_max) : fmt_sps(b, sizeof(b), c->worst_max));
	return true;
}

static bool load_check(struct loader *ld, const struct node *o, enum oracle_check_id id,
		       struct oracle_check_config *c)
{
	const struct oracle_check_desc *d = oracle_check_desc(id);
	bool rate = d->unit == ORACLE_UNIT_PPB;
	char context[48], a[32];
	struct node v;

	snprintf(context, sizeof(context), "check \"%s\"", d->name);
	if (!load_fields(ld, o, &check_table, d->params, context, c, NULL))
		return false;
	c->enabled = true;
	if (d->params & ORACLE_PARAM_THRESHOLD) {
		if (!node_get(ld, o, "threshold", true, &v))
			return false;
		if (rate) {
			if (!read_ppb(ld, &v, INT64_MAX, &c->threshold))
				return false;
			if (c->threshold < 0)
				return fail(ld, v.path, "expected a threshold of at least 0ppm, got %s",
					    fmt_ppb(a, sizeof(a), c->threshold));
		} else {
			sim_ps t = 0;

			if (!read_duration_ps(ld, &v, &t))
				return false;
			if (t > INT64_MAX)
				return fail(ld, v.path, "threshold too long: %s (at most 106 days)",
					    fmt_ps(a, sizeof(a), 1, t));
			c->threshold = (int64_t)t;
		}
	}
	if ((d->params & ORACLE_PARAM_WINDOW) && d->window_default &&
	    !node_get(ld, o, "window", false, &v))
		return false;
	if ((d->params & ORACLE_PARAM_WINDOW) && d->window_default && !v.json &&
	    !load_field_default(ld, o, field_row(&check_table, "window", d->params),
				d->window_default, c))
		return false;
	if (!node_get(ld, o, "worst", false, &v))
		return false;
	return !v.json || load_worst(ld, &v, rate, c);
}

static bool load_reader_vcpus(struct loader *ld, const struct node *v, struct scn_reader *r)
{
	unsigned nvcpus = ld->vm->nvcpus;
	char q[80];

	if (cJSON_IsString(v->json)) {
		if (strcmp(v->json->valuestring, "all") != 0)
			return fail(ld, v->path,
				    "expected \"all\" or an array of vCPU indices, got %s",
				    sim_quote(q, sizeof(q), v->json->valuestring));
		if (!(r->vcpus = calloc(nvcpus, sizeof(*r->vcpus))))
			return fail(ld, v->path, "out of memory");
		r->nvcpus = nvcpus;
		for (unsigned i = 0; i < nvcpus; i++)
			r->vcpus[i] = i;
		return true;
	}
	if (!cJSON_IsArray(v->json))
		return type_error(ld, v, "\"all\" or an array of vCPU indices");
	if (!read_array(ld, v, 1, nvcpus, "vCPU indices", &r->nvcpus))
		return false;
	if (!(r->vcpus = calloc(r->nvcpus, sizeof(*r->vcpus))))
		return fail(ld, v->path, "out of memory");
	for (unsigned i = 0; i < r->nvcpus; i++) {
		struct node el;

		node_element(v, i, &el);
		if (!read_uint(ld, &el, 0, nvcpus - 1, "a vCPU index", &r->vcpus[i]))
			return false;
		for (unsigned j = 0; j < i; j++)
			if (r->vcpus[j] == r->vcpus[i])
				return fail(ld, el.path, "duplicate vCPU %u (also %s/%u)",
					    r->vcpus[i], v->path, j);
	}
	return true;
}

/* The kinds that read the board's devices: the PM timer, the HPET, ticks of the PIT or the RTC. */
static bool reads_board(const struct scn_reader *r)
{
	return r->kind == READER_HPET || r->kind == READER_PMTIMER ||
	       (r->kind == READER_TICKS && r->tick_source != SCN_TICK_APIC);
}

/*
 * Where a reader runs: "vcpus" (in the VM), or "host" and "cpus" (on bare
 * metal), exactly one of "vcpus" and "cpus".
 */
static bool load_reader_binding(struct loader *ld, const struct node *o,
				const struct node *kind, struct scn_reader *r)
{
	const struct scenario *sc = ld->sc;
	struct node vcpus, cpus, host;
	struct cpu_set online;
	const struct scn_host *h;

	if (!node_get(ld, o, "vcpus", false, &vcpus) || !node_get(ld, o, "cpus", false, &cpus) ||
	    !node_get(ld, o, "host", false, &host))
		return false;
	if (vcpus.json && cpus.json)
		return fail_at(ld, cpus.path, AT_KEY, 0,
			       "keys \"vcpus\" and \"cpus\" exclude each other: a reader runs in the "
			       "VM (\"vcpus\") or on a host (\"host\" and \"cpus\")");
	if (!vcpus.json && !cpus.json) {
		if (sc->nvms)
			return fail_at(ld, vcpus.path, AT_PARENT, 0,
				       "missing required key \"vcpus\" (or \"cpus\" for a reader on "
				       "a host)");
		return fail_at(ld, cpus.path, AT_PARENT, 0,
			       "missing required key \"cpus\": the host CPUs the reader runs on");
	}
	if (vcpus.json) {
		if (!sc->nvms)
			return fail_at(ld, vcpus.path, AT_KEY, 0,
				       "key \"vcpus\" needs a VM: add \"vm\", or run the reader on a "
				       "host with \"cpus\"");
		if (!read_vm_or_only(ld, o, &r->vm))
			return false;
		if (host.json)
			return fail_at(ld, host.path, AT_KEY, 0,
				       "key \"host\" is only allowed with \"cpus\": a reader with "
				       "\"vcpus\" runs in the VM");
		if (r->kind == READER_RDTSC)
			return fail(ld, kind->path, "a reader of kind \"rdtsc\" runs on a host: give "
				    "\"cpus\" (and \"host\") instead of \"vcpus\"");
		return load_reader_vcpus(ld, &vcpus, r);
	}
	if (r->kind != READER_TSC && r->kind != READER_RDTSC)
		return fail(ld, kind->path, "a reader on a host (with \"cpus\") is of kind \"tsc\" "
			    "or \"rdtsc\", got \"%s\"", reader_kind_names[r->kind]);
	if (!node_get(ld, o, "vm", false, &host))
		return false;
	if (host.json)
		return fail_at(ld, host.path, AT_KEY, 0,
			       "key \"vm\" is only allowed with \"vcpus\": a reader with \"cpus\" "
			       "runs on a host");
	r->on_host = true;
	if (!read_host_or_only(ld, o, &r->host))
		return false;
	h = &sc->hosts[r->host];
	initial_online(h, &online);
	if (!(r->cpus = calloc(h->ncpus, sizeof(*r->cpus))))
		return fail(ld, cpus.path, "out of memory");
	return read_cpu_list(ld, &cpus, h, &online, "at t = 0", false, &r->ncpus, r->cpus);
}

/*
 * A "ticks" reader's source and policy; other kinds reject the keys and keep
 * zeros.  Defaults by source: the PIT at Linux's HZ = 1000 with kvm-pit's
 * default "delay" (QEMU hw/i386/kvm/i8254.c), the RTC at Windows' 64 Hz with
 * mc146818rtc's default "discard", the APIC timer at 1000 Hz, which KVM
 * never reinjects (apic_timer_expired() keeps one pending: arch/x86/kvm/lapic.c).
 */
static bool load_ticks(struct loader *ld, const struct node *o, struct scn_reader *r)
{
	static const char *const keys[] = { "source", "hz", "policy", "inject_interval",
					    "slew_rate", "timekeeping", "compensate" };
	struct node v[7];
	char a[32], b[32];
	sim_ps period_ps;

	for (unsigned i = 0; i < 7; i++) {
		if (!node_get(ld, o, keys[i], false, &v[i]))
			return false;
		if (v[i].json && r->kind != READER_TICKS)
			return fail_at(ld, v[i].path, AT_KEY, 0, "key \"%s\" is only allowed when "
				       "\"kind\" is \"ticks\"", keys[i]);
	}
	if (r->kind != READER_TICKS) {
		r->tick_source = 0;
		r->tick_policy = 0;
		r->inject_interval_ps = 0;
		r->slew_rate = 0;
		r->nohz = false;
		r->compensate = false;
		return true;
	}
	if (!v[1].json)
		r->tick_hz = r->tick_source == SCN_TICK_RTC ? 64 : 1000;
	if (!v[2].json)
		r->tick_policy = r->tick_source == SCN_TICK_PIT ? SCN_TICK_DELAY : SCN_TICK_DISCARD;
	switch (r->tick_source) {
	case SCN_TICK_PIT:
		/* Linux's LATCH = (PIT_TICK_RATE + HZ / 2) / HZ must fit the 16-bit count */
		if (r->tick_hz < 19)
			return fail(ld, v[1].path, "expected at least 19 Hz for the PIT (a count of at "
				    "most 65536), got %u", r->tick_hz);
		period_ps = (sim_ps)((1193182u + r->tick_hz / 2) / r->tick_hz) * 11 *
			    (SIM_PS_PER_S / 1000000) / 13125 * 1000;
		break;
	case SCN_TICK_RTC:
		/* register A's rate select: 32768 >> (RS - 1) Hz for RS = 3 .. 15 */
		if (r->tick_hz < 2 || r->tick_hz > 8192 || (r->tick_hz & (r->tick_hz - 1)))
			return fail(ld, v[1].path, "expected an RTC periodic rate: a power of 2 from 2 "
				    "to 8192 Hz, got %u", r->tick_hz);
		period_ps = SIM_PS_PER_S / r->tick_hz;
		break;
	default:
		if (r->tick_policy != SCN_TICK_DISCARD && r->tick_policy != SCN_TICK_MERGE)
			return fail(ld, v[2].path, "expected \"discard\" or \"merge\" for the APIC "
				    "timer: KVM keeps one expiry pending and reinjects none");
		period_ps = SIM_PS_PER_S / r->tick_hz;
		break;
	}
	if (r->tick_policy == SCN_TICK_DELAY && 2 * r->inject_interval_ps > period_ps)
		return fail(ld, v[3].json ? v[3].path : v[2].path,
			    "expected a reinjection interval of at most half a tick (%s), got %s",
			    fmt_ps(a, sizeof(a), 1, period_ps / 2),
			    fmt_ps(b, sizeof(b), 1, r->inject_interval_ps));
	return true;
}

static bool is_clock_id(enum reader_kind k)
{
	return k == READER_MONOTONIC || k == READER_MONOTONIC_RAW || k == READER_REALTIME ||
	       k == READER_BOOTTIME;
}

/* "clocksource", "ntp_freq" (clock IDs) and "wall_clock" (realtime): "boot" or "every 1s". */
static bool load_clock_id_keys(struct loader *ld, const struct node *o, struct scn_reader *r)
{
	static const char *const keys[] = { "clocksource", "ntp_freq", "wall_clock" };
	const char *s = "";
	char why[96], q[80];
	struct node v;

	for (unsigned i = 0; i < 3; i++) {
		if (!node_get(ld, o, keys[i], false, &v))
			return false;
		if (v.json && !is_clock_id(r->kind))
			return fail_at(ld, v.path, AT_KEY, 0, "key \"%s\" is only allowed when \"kind\" "
				       "is \"monotonic\", \"monotonic_raw\", \"realtime\" or "
				       "\"boottime\"", keys[i]);
	}
	if (!v.json)
		return true;
	if (r->kind != READER_REALTIME)
		return fail_at(ld, v.path, AT_KEY, 0,
			       "key \"wall_clock\" is only allowed when \"kind\" is \"realtime\"");
	if (!read_str(ld, &v, "\"boot\" or \"every <duration>\"", &s))
		return false;
	if (strcmp(s, "boot") == 0)
		return true;
	if (strncmp(s, "every ", 6) != 0 ||
	    !sim_parse_duration_ps(s + 6, &r->wall_clock_every_ps, why, sizeof(why)) ||
	    r->wall_clock_every_ps == 0)
		return fail(ld, v.path, "expected \"boot\" or \"every <duration>\" (e.g. "
			    "\"every 1s\"), got %s", sim_quote(q, sizeof(q), s));
	return true;
}

bool load_reader(struct loader *ld, const struct node *o, unsigned idx)
{
	struct scenario *sc = ld->sc;
	struct scn_reader *r = &sc->readers[idx];
	struct node v, kind, period, checks;
	const char *names[ORACLE_CHECK_COUNT + 1];
	char q[80], a[32], b[32];
	enum scn_device dev;
	bool counter;
	long prev;

	if (!load_fields(ld, o, &reader_table, 0, NULL, r, NULL))
		return false;
	keep_path(r->path, o->path);
	prev = name_index_add(&ld->reader_names, r->name, idx);
	if (prev >= 0) {
		join_key(v.path, o->path, "name");
		return fail(ld, v.path, "duplicate reader name %s (also /readers/%ld/name)",
			    sim_quote(q, sizeof(q), r->name), prev);
	}
	if (!node_get(ld, o, "kind", true, &kind) || !node_get(ld, o, "period", true, &period))
		return false;
	counter = r->kind == READER_HPET || r->kind == READER_PMTIMER;
	dev = r->kind == READER_HPET ? SCN_DEV_HPET : SCN_DEV_PMTIMER;
	if (!load_reader_binding(ld, o, &kind, r))
		return false;
	if (!node_get(ld, o, "phase", false, &v))
		return false;
	r->has_phase = v.json != NULL;
	if (r->has_phase && r->phase_ps >= r->period_ps)
		return fail(ld, v.path, "expected a phase below the period (%s), got %s",
			    fmt_ps(a, sizeof(a), 1, r->period_ps), fmt_ps(b, sizeof(b), 1, r->phase_ps));
	if (!node_get(ld, o, "jitter", false, &v))
		return false;
	if (r->jitter_ps >= r->period_ps)
		return fail(ld, v.path, "expected a jitter below the period (%s), got %s",
			    fmt_ps(a, sizeof(a), 1, r->period_ps), fmt_ps(b, sizeof(b), 1, r->jitter_ps));
	r->cost_ps = reader_kind_default_cost_ps(r->kind);
	if (!node_get(ld, o, "cost", false, &v) || !read_duration_ps(ld, &v, &r->cost_ps))
		return false;
	if (r->cost_ps >= r->period_ps)
		return fail(ld, v.json ? v.path : period.path,
			    "expected a cost below the period (%s), got %s%s",
			    fmt_ps(a, sizeof(a), 1, r->period_ps), fmt_ps(b, sizeof(b), 1, r->cost_ps),
			    v.json ? "" : " (the default cost for this kind)");
	/* A device reader's cost of 0 stands for the device's access cost. */
	if (counter && r->cost_ps == 0 && sc->platform.has_cost[dev] &&
	    sc->platform.cost_ps[dev] >= r->period_ps)
		return fail(ld, period.path,
			    "expected a period above the cost of one read (%s, from "
			    "/platform/access_cost/%s), got %s",
			    fmt_ps(a, sizeof(a), 1, sc->platform.cost_ps[dev]), device_key(dev),
			    fmt_ps(b, sizeof(b), 1, r->period_ps));
	if (!node_get(ld, o, "tsc_khz", false, &v))
		return false;
	if (v.json && r->kind != READER_TSC)
		return fail_at(ld, v.path, AT_KEY, 0,
			       "key \"tsc_khz\" is only allowed when \"kind\" is \"tsc\"");
	if (v.json && r->on_host)
		return fail_at(ld, v.path, AT_KEY, 0,
			       "key \"tsc_khz\" is not allowed on a host: a \"tsc\" reader there "
			       "uses the host kernel's tsc_khz (%s/tsc_khz)", sc->hosts[r->host].path);
	if (!node_get(ld, o, "width", false, &v))
		return false;
	if (v.json && r->kind == READER_PMTIMER)
		return fail_at(ld, v.path, AT_KEY, 0,
			       "key \"width\" is not allowed when \"kind\" is \"pmtimer\": the "
			       "PM timer's width is /platform/pmtimer/bits (%u)",
			       sc->platform.pmtimer.bits);
	if (v.json && r->kind != READER_HPET)
		return fail_at(ld, v.path, AT_KEY, 0,
			       "key \"width\" is only allowed when \"kind\" is \"hpet\"");
	/* the rows' defaults are the hpet kind's; the other kinds have no width */
	if (r->kind == READER_PMTIMER)
		r->width_bits = sc->platform.pmtimer.bits;
	else if (r->kind != READER_HPET)
		r->width_bits = 0;
	if (!node_get(ld, o, "wrap", false, &v))
		return false;
	if (v.json && !counter)
		return fail_at(ld, v.path, AT_KEY, 0,
			       "key \"wrap\" is only allowed when \"kind\" is \"hpet\" or \"pmtimer\"");
	if (!counter)
		r->wrap_extend = false;     /* the row's default is the counters' */
	if (!node_get(ld, o, "migrate_every", false, &v))
		return false;
	if (v.json && !r->on_host)
		return fail_at(ld, v.path, AT_KEY, 0, "key \"migrate_every\" is only allowed on a "
			       "reader on a host (with \"cpus\")");
	if (v.json && r->ncpus < 2)
		return fail(ld, v.path, "a reader that migrates needs at least 2 CPUs in \"cpus\", "
			    "got %u", r->ncpus);
	if (!node_get(ld, o, "rdtsc", false, &v))
		return false;
	if (v.json && r->kind != READER_TSC && r->kind != READER_RDTSC)
		return fail_at(ld, v.path, AT_KEY, 0, "key \"rdtsc\" is only allowed when \"kind\" "
			       "is \"tsc\" or \"rdtsc\"");
	if (!load_ticks(ld, o, r) || !load_clock_id_keys(ld, o, r))
		return false;
	if (!r->on_host && r->vm > 0 && reads_board(r))
		return fail(ld, kind.path, "a reader of kind \"%s\"%s reads the board (PIT, HPET, "
			    "RTC, PM timer), and the board is the first VM's (\"%s\"), not \"%s\"'s",
			    reader_kind_name(r->kind), r->kind == READER_TICKS ? " on the PIT or RTC" : "",
			    sc->vms[0].name, sc->vms[r->vm].name);
	if (!node_get(ld, o, "checks", false, &checks))
		return false;
	if (checks.json && !read_object(ld, &checks, check_names(names)))
		return false;
	for (unsigned id = 0; checks.json && id < ORACLE_CHECK_COUNT; id++) {
		if (!node_get(ld, &checks, names[id], false, &v))
			return false;
		if (v.json && !load_check(ld, &v, (enum oracle_check_id)id, &r->checks[id]))
			return false;
	}
	return true;
}
