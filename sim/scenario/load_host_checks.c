/* "host_checks": checks on the hardware model of one host. */
#include "sim/scenario/loader_internal.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sim/core/units.h"

#define HC(m) offsetof(struct scn_host_check, m)
/* A row's .only bit: the kind that takes the key (HC_ONLY(A) | HC_ONLY(B) for several). */
#define HC_ONLY(id) (1u << SCN_HC_##id)
_Static_assert(SCN_HC_COUNT <= 32, "a host check kind is a bit of struct field's .only");

/* The kinds, in the order of enum scn_host_check_kind. */
static const char *const host_check_names[] = HOST_CHECK_KIND_NAMES_INIT;
static const char *const watchdog_cs_names[] = { "hpet", "acpi_pm", "kvm-clock", NULL };
_Static_assert(sizeof(watchdog_cs_names) / sizeof(watchdog_cs_names[0]) == SCN_WD_CS_COUNT + 1,
	       "one name per enumerator");
static const char *const wd_readout_names[] = { "6.12", "2025-12", NULL };
_Static_assert(sizeof(wd_readout_names) / sizeof(wd_readout_names[0]) == SCN_WD_READOUT_COUNT + 1,
	       "one name per enumerator");
static const char *const cc_policy_names[] = { "freeze", "advance", "realtime", NULL };
_Static_assert(sizeof(cc_policy_names) / sizeof(cc_policy_names[0]) == SCN_CC_POLICY_COUNT + 1,
	       "one name per enumerator");
static const char *const timer_mode_names[] = { "oneshot", "periodic", "deadline", NULL };
_Static_assert(sizeof(timer_mode_names) / sizeof(timer_mode_names[0]) == SCN_TIMER_MODE_COUNT + 1,
	       "one name per enumerator");
static const char *const page_step_measure_names[] = { "step", "spread", NULL };
_Static_assert(sizeof(page_step_measure_names) / sizeof(page_step_measure_names[0]) ==
	       SCN_PAGE_STEP_MEASURE_COUNT + 1, "one name per enumerator");

static const char *const cal_method_names[] = { "pit_quick", "pit_slow", "cpuid", "pvclock",
						"pit_refined", NULL };
_Static_assert(sizeof(cal_method_names) / sizeof(cal_method_names[0]) == SCN_CAL_METHOD_COUNT + 1,
	       "one name per enumerator");
static const char *const date_source_names[] = { "cmos", "kvm_wall_clock", NULL };
_Static_assert(sizeof(date_source_names) / sizeof(date_source_names[0]) ==
	       SCN_DATE_SOURCE_COUNT + 1, "one name per enumerator");

/* Common keys, then each kind's (.only: the kinds that take the key). */
static const struct field host_check_rows[] = {
	{ ROW("check", F_ENUM, HC(kind)), .required = true, .names = host_check_names },
	{ ROW("name", F_NAME, HC(name)) },        /* default "<check>-<index>", set by code */
	{ ROW("host", F_CUSTOM, 0), .like = F_NAME },
	{ ROW("vm", F_CUSTOM, 0), .like = F_NAME },
	{ ROW("expect", F_ENUM, HC(expect)), .required = true, .names = expect_names },
	{ ROW("worst", F_CUSTOM, 0), .shape = "worst" },
	{ ROW("threshold", F_PPB, HC(flag_truth.threshold_ppb)), .dflt = "100ppm",
	  .max = INT64_MAX, .only = HC_ONLY(FLAG_TRUTH) },
	{ ROW("flags", F_CUSTOM, 0), .only = HC_ONLY(FLAG_TRUTH), .sub = &advertise_table,
	  .nest = NEST_KEYS, .min = 1, .max = SCN_TSC_FLAG_COUNT },
	{ ROW("cpus", F_CUSTOM, 0), .required = true, .only = HC_ONLY(TSC_SYNC), .like = F_UINT,
	  .list = true, .min = 2, .max = 2 },       /* [source, target] */
	{ ROW("at", F_DURATION_PS, HC(tsc_sync.at_ps)), .dflt = "0s", .only = HC_ONLY(TSC_SYNC) },
	{ ROW("clocksource", F_ENUM, HC(watchdog.clocksource)), .dflt = "hpet",
	  .names = watchdog_cs_names, .only = HC_ONLY(WATCHDOG) },
	{ ROW("delay_every", F_CUSTOM, 0), .only = HC_ONLY(WATCHDOG), .like = F_UINT, .min = 1,
	  .max = UINT32_MAX },
	{ ROW("delay", F_CUSTOM, 0), .only = HC_ONLY(WATCHDOG), .like = F_DURATION_PS, .min = 1 },
	{ ROW("false_positive", F_TRISTATE, HC(watchdog.false_positive)),
	  .only = HC_ONLY(WATCHDOG) },
	{ ROW("demote", F_BOOL, HC(watchdog.demote)), .dflt = "false", .only = HC_ONLY(WATCHDOG) },
	{ ROW("readout_limit", F_ENUM, HC(watchdog.readout_limit)), .dflt = "6.12",
	  .names = wd_readout_names, .only = HC_ONLY(WATCHDOG) },
	{ ROW("cpu", F_CUSTOM, 0), .required = true, .only = HC_ONLY(TIMER), .like = F_UINT,
	  .max = SCN_MAX_HOST_CPUS - 1 },
	{ ROW("mode", F_ENUM, HC(timer.mode)), .required = true, .names = timer_mode_names,
	  .only = HC_ONLY(TIMER) },
	{ ROW("arm_at", F_DURATION_PS, HC(timer.arm_at_ps)), .dflt = "0s", .only = HC_ONLY(TIMER) },
	{ ROW("delay", F_DURATION_PS, HC(timer.delay_ps)), .required = true, .min = 1,
	  .what = "duration", .only = HC_ONLY(TIMER) },
	{ ROW("count", F_U64, HC(timer.count)), .min = 1, .max = MAX_U53,
	  .what = "a number of fires", .only = HC_ONLY(TIMER) },
	{ ROW("slack", F_DURATION_PS, HC(timer.slack_ps)), .dflt = "10us", .only = HC_ONLY(TIMER) },
	{ ROW("threshold", F_SIGNED_PS, HC(stable_bit.threshold_ps)), .dflt = "1ns",
	  .only = HC_ONLY(STABLE_BIT) },
	{ ROW("threshold", F_U64, HC(tsc_write.threshold_cycles)), .dflt = "0", .max = MAX_U53,
	  .what = "a number of TSC cycles", .only = HC_ONLY(TSC_WRITE) },
	{ ROW("reader", F_CUSTOM, 0), .required = true, .only = HC_ONLY(TICK_COUNT), .like = F_NAME },
	{ ROW("tolerance", F_DURATION_PS, HC(tick_count.tolerance_ps)),
	  .only = HC_ONLY(TICK_COUNT) },
	{ ROW("monotonic", F_CUSTOM, 0), .required = true, .only = HC_ONLY(CLOCK_CONSISTENCY),
	  .like = F_NAME },
	{ ROW("realtime", F_CUSTOM, 0), .required = true, .only = HC_ONLY(CLOCK_CONSISTENCY),
	  .like = F_NAME },
	{ ROW("boottime", F_CUSTOM, 0), .only = HC_ONLY(CLOCK_CONSISTENCY), .like = F_NAME },
	{ ROW("policy", F_ENUM, HC(clock_consistency.policy)), .required = true,
	  .names = cc_policy_names, .only = HC_ONLY(CLOCK_CONSISTENCY) },
	{ ROW("tolerance", F_DURATION_PS, HC(clock_consistency.tolerance_ps)), .dflt = "1s",
	  .only = HC_ONLY(CLOCK_CONSISTENCY) },
	{ ROW("measure", F_ENUM, HC(page_step.measure)), .dflt = "step",
	  .names = page_step_measure_names, .only = HC_ONLY(PAGE_STEP) },
	{ ROW("threshold", F_DURATION_PS, HC(page_step.threshold_ps)), .dflt = "1ns",
	  .only = HC_ONLY(PAGE_STEP) },
	{ ROW("slack", F_DURATION_PS, HC(timer_live.slack_ps)), .dflt = "10ms",
	  .only = HC_ONLY(TIMER_LIVE) },
	{ ROW("silent_max", F_DURATION_PS, HC(timer_live.silent_max_ps)), .dflt = "1s", .min = 1,
	  .what = "duration", .only = HC_ONLY(TIMER_LIVE) },
	{ ROW("threshold", F_DURATION_PS, HC(disc_signal.threshold_ps)), .dflt = "1s", .min = 1,
	  .what = "duration", .only = HC_ONLY(DISC_SIGNAL) },
	{ ROW("soft_lockup", F_DURATION_PS, HC(disc_signal.soft_lockup_ps)), .dflt = "20s",
	  .min = 1, .what = "duration", .only = HC_ONLY(DISC_SIGNAL) },
	{ ROW("method", F_ENUM, HC(tsc_calibration.method)), .required = true,
	  .names = cal_method_names, .only = HC_ONLY(TSC_CALIBRATION) },
	{ ROW("at", F_DURATION_PS, HC(tsc_calibration.at_ps)), .dflt = "0s",
	  .only = HC_ONLY(TSC_CALIBRATION) },
	{ ROW("vcpu", F_UINT, HC(tsc_calibration.vcpu)), .dflt = "0", .max = SCN_MAX_HOST_CPUS - 1,
	  .what = "a vCPU index", .only = HC_ONLY(TSC_CALIBRATION) },
	{ ROW("jitter", F_DURATION_PS, HC(tsc_calibration.jitter_ps)), .dflt = "0s",
	  .only = HC_ONLY(TSC_CALIBRATION) },
	{ ROW("threshold", F_PPB, HC(tsc_calibration.threshold_ppb)), .dflt = "100ppm",
	  .max = INT64_MAX, .only = HC_ONLY(TSC_CALIBRATION) },
	{ ROW("source", F_ENUM, HC(cmos_date.source)), .dflt = "cmos", .names = date_source_names,
	  .only = HC_ONLY(CMOS_DATE) },
	{ ROW("at", F_DURATION_PS, HC(cmos_date.at_ps)), .dflt = "0s", .only = HC_ONLY(CMOS_DATE) },
	{ ROW("threshold", F_DURATION_PS, HC(cmos_date.threshold_ps)), .dflt = "2s",
	  .only = HC_ONLY(CMOS_DATE) },
};

/* For the schema: kind i's name and .only bit. */
static const char *host_check_context(unsigned i, unsigned *only)
{
	*only = 1u << i;
	return host_check_names[i];
}

const struct field_table host_check_table = FIELDS_BY("host_checks", host_check_rows,
						      host_check_context, "check");
/* load_fields() marks a table's rows in 64-bit masks (ld->bad_rows, seen) */
_Static_assert(sizeof(host_check_rows) / sizeof(host_check_rows[0]) <= 64,
	       "at most 64 host check keys");

/* ---- host checks ---- */

/* "worst" bounds by the kind's unit (host_check_kind.h's column): how to read and print one. */
static bool read_worst_ppb(struct loader *ld, const struct node *v, int64_t *out)
{
	return read_ppb(ld, v, INT64_MAX, out);
}

static bool read_worst_cycles(struct loader *ld, const struct node *v, int64_t *out)
{
	uint64_t x = 0;

	if (!read_int(ld, v, 0, MAX_U53, "a number of TSC cycles", &x))
		return false;
	*out = (int64_t)x;
	return true;
}

static const char *fmt_cycles(char *dst, size_t len, int64_t v)
{
	snprintf(dst, len, "%" PRId64 " cycles", v);
	return dst;
}

static const struct {
	bool (*read)(struct loader *ld, const struct node *v, int64_t *out);
	const char *(*fmt)(char *dst, size_t len, int64_t v);
} worst_units[] = {
	[HOST_CHECK_UNIT_PPB] = { read_worst_ppb, fmt_ppb },
	[HOST_CHECK_UNIT_CYCLES] = { read_worst_cycles, fmt_cycles },
	[HOST_CHECK_UNIT_PS] = { read_signed_ps, fmt_sps },
};
_Static_assert(sizeof(worst_units) / sizeof(worst_units[0]) == HOST_CHECK_UNIT_COUNT,
	       "one row per host check unit");

/* "worst": {"min", "max"} in the kind's unit: ppb, TSC cycles or a signed duration. */
static bool load_host_worst(struct loader *ld, const struct node *o, struct scn_host_check *c)
{
	enum host_check_unit unit = host_check_kind_unit((enum host_check_kind)c->kind);
	struct node bound[2];
	int64_t *out[2] = { &c->worst_min, &c->worst_max };
	char a[32], b[32];

	if (!read_object(ld, o, worst_keys))
		return false;
	for (unsigned i = 0; i < 2; i++) {
		struct node *v = &bound[i];

		if (!node_get(ld, o, worst_keys[i], false, v) || !worst_units[unit].read(ld, v, out[i]))
			return false;
	}
	c->has_worst_min = bound[0].json != NULL;
	c->has_worst_max = bound[1].json != NULL;
	if (c->has_worst_min && c->has_worst_max && c->worst_max < c->worst_min)
		return fail(ld, bound[1].path, "expected at least \"min\" (%s), got %s",
			    worst_units[unit].fmt(a, sizeof(a), c->worst_min),
			    worst_units[unit].fmt(b, sizeof(b), c->worst_max));
	return true;
}

/* flag_truth "flags": distinct flag names; default every flag. */
static bool read_flags(struct loader *ld, const struct node *v, uint32_t *flags)
{
	const char *flag_names[SCN_TSC_FLAG_COUNT + 1] = { NULL };
	char expected[160], names[112], q[80];
	unsigned n = 0;

	for (unsigned i = 0; i < SCN_TSC_FLAG_COUNT; i++)
		flag_names[i] = tsc_flag_key((enum scn_tsc_flag)i);
	*flags = (1u << SCN_TSC_FLAG_COUNT) - 1;
	if (!v->json)
		return true;
	if (!read_array(ld, v, 1, SCN_TSC_FLAG_COUNT, "TSC flag names", &n))
		return false;
	*flags = 0;
	snprintf(expected, sizeof(expected), "a TSC flag: one of %s",
		 name_list(names, sizeof(names), flag_names, true));
	for (unsigned i = 0; i < n; i++) {
		struct node el;
		const char *s = "";
		unsigned f = 0;

		node_element(v, i, &el);
		if (!read_str(ld, &el, expected, &s))
			return false;
		while (flag_names[f] && strcmp(flag_names[f], s) != 0)
			f++;
		if (!flag_names[f])
			return fail(ld, el.path, "expected %s, got %s", expected,
				    sim_quote(q, sizeof(q), s));
		if (*flags >> f & 1)
			return fail(ld, el.path, "duplicate flag %s", sim_quote(q, sizeof(q), s));
		*flags |= 1u << f;
	}
	return true;
}

static bool load_tsc_sync(struct loader *ld, const struct node *o, struct scn_host_check *c)
{
	const struct scenario *sc = ld->sc;
	const struct scn_host *h = &sc->hosts[c->host];
	unsigned *cpu[2] = { &c->tsc_sync.source, &c->tsc_sync.target };
	struct node v, arr;
	struct cpu_set online;
	char a[32], what[80], when[48];

	if (!node_get(ld, o, "at", false, &v))
		return false;
	if (!check_before_end(ld, v.path, c->tsc_sync.at_ps))
		return false;
	if (!node_get(ld, o, "cpus", true, &arr) ||
	    !read_array(ld, &arr, 2, 2, "CPU indices ([source, target])", &(unsigned){ 0 }))
		return false;
	online_at(sc, c->host, c->tsc_sync.at_ps, sc->nevents, &online);
	snprintf(what, sizeof(what), "a CPU index of host \"%s\"", h->name);
	snprintf(when, sizeof(when), "at %s", fmt_ps(a, sizeof(a), 1, c->tsc_sync.at_ps));
	for (unsigned i = 0; i < 2; i++) {
		node_element(&arr, i, &v);
		if (!read_uint(ld, &v, 0, h->ncpus - 1, what, cpu[i]))
			return false;
		if (!cpu_set_has(&online, *cpu[i]))
			return offline_error(ld, v.path, h, *cpu[i], when);
	}
	if (c->tsc_sync.source == c->tsc_sync.target)
		return fail(ld, v.path, "expected a target CPU other than the source (%u)",
			    c->tsc_sync.source);
	return true;
}

static bool load_watchdog(struct loader *ld, const struct node *o, struct scn_host_check *c)
{
	struct node every, delay;

	if (!node_get(ld, o, "delay_every", false, &every) || !node_get(ld, o, "delay", false, &delay))
		return false;
	if (every.json && !delay.json)
		return fail_at(ld, delay.path, AT_PARENT, 0, "missing key \"delay\": \"delay_every\" is "
			       "given, and the two go together");
	if (delay.json && !every.json)
		return fail_at(ld, every.path, AT_PARENT, 0, "missing key \"delay_every\": \"delay\" "
			       "is given, and the two go together");
	if (!read_uint(ld, &every, 1, UINT32_MAX, "a count of watchdog reads",
		       &c->watchdog.delay_every))
		return false;
	/* each error at the key that breaks the rule, not at the check */
	if (c->watchdog.demote && c->watchdog.clocksource == SCN_WD_KVM_CLOCK) {
		join_key(every.path, o->path, "demote");
		return fail(ld, every.path, "\"demote\" acts on the host; a \"kvm-clock\" watchdog is "
			    "the guest's: expected no \"demote\" with it");
	}
	if (c->watchdog.clocksource == SCN_WD_KVM_CLOCK && !ld->vm) {
		join_key(every.path, o->path, "clocksource");
		return fail(ld, every.path, "a \"kvm-clock\" watchdog runs in the VM's guest: expected "
			    "a \"vm\"");
	}
	return !delay.json || read_positive(ld, o, "delay", &c->watchdog.delay_ps, &delay);
}

static bool load_timer(struct loader *ld, const struct node *o, struct scn_host_check *c)
{
	const struct scenario *sc = ld->sc;
	struct node v, count, delay;
	char a[32], b[32];
	sim_u128 due;

	join_key(v.path, o->path, "arm_at");
	if (!check_before_end(ld, v.path, c->timer.arm_at_ps))
		return false;
	if (!read_online_cpu(ld, o, "cpu", c->host, c->timer.arm_at_ps, sc->nevents,
			     &c->timer.cpu, &v))
		return false;
	if (!node_get(ld, o, "delay", true, &delay) || !node_get(ld, o, "count", false, &count))
		return false;
	if (count.json && c->timer.mode != SCN_TIMER_PERIODIC)
		return fail_at(ld, count.path, AT_KEY, 0,
			       "key \"count\" is only allowed when \"mode\" is \"periodic\"");
	due = (sim_u128)c->timer.arm_at_ps +
	      (sim_u128)c->timer.delay_ps * (c->timer.count ? c->timer.count : 1);
	if (due >= sc->duration_ps)
		return fail(ld, count.json ? count.path : delay.path,
			    "the timer's %s would be due at %s, not before the end of the run (%s)",
			    count.json ? "last fire" : "first fire",
			    due > SIM_NEVER ? "more than 213 days" : fmt_ps(a, sizeof(a), 1, (sim_ps)due),
			    fmt_ps(b, sizeof(b), 1, sc->duration_ps));
	return true;
}

/* A check judges the reads of its own VM: reader r must run there. */
static bool same_vm(struct loader *ld, const struct node *v, const struct scn_host_check *c,
		    unsigned r)
{
	const struct scenario *sc = ld->sc;

	if (sc->readers[r].vm == c->vm)
		return true;
	return fail(ld, v->path, "reader \"%s\" runs in VM \"%s\", and the check judges VM \"%s\" "
		    "(its \"vm\")", sc->readers[r].name, sc->vms[sc->readers[r].vm].name,
		    sc->vms[c->vm].name);
}

/* tick_count "reader": the name of a reader of kind "ticks". */
static bool load_tick_count(struct loader *ld, const struct node *o, struct scn_host_check *c)
{
	const struct scenario *sc = ld->sc;
	const char *name = "";
	struct node v;
	char q[80];

	if (!node_get(ld, o, "reader", true, &v) ||
	    !read_str(ld, &v, "the name of a reader of kind \"ticks\"", &name))
		return false;
	for (unsigned i = 0; i < sc->nreaders; i++) {
		if (strcmp(sc->readers[i].name, name) != 0)
			continue;
		if (sc->readers[i].kind != READER_TICKS)
			return fail(ld, v.path, "expected a reader of kind \"ticks\": %s is of kind "
				    "\"%s\"", sim_quote(q, sizeof(q), name),
				    reader_kind_name(sc->readers[i].kind));
		c->tick_count.reader = i;
		return same_vm(ld, &v, c, i);
	}
	return fail(ld, v.path, "expected the name of a reader of kind \"ticks\", got %s (no such "
		    "reader)", sim_quote(q, sizeof(q), name));
}

/* A reader of the VM by name, of one of the clock-ID kinds `kinds` names (e.g. "monotonic"). */
static bool read_clock_reader(struct loader *ld, const struct node *o, const struct scn_host_check *c,
			      const char *key, bool required, const enum reader_kind *kinds,
			      unsigned nkinds, unsigned *out, bool *given)
{
	const struct scenario *sc = ld->sc;
	const char *s = "";
	char q[80];
	struct node v;

	if (!node_get(ld, o, key, required, &v))
		return false;
	if (given)
		*given = v.json != NULL;
	if (!v.json)
		return true;
	if (!read_str(ld, &v, "a reader name", &s))
		return false;
	for (unsigned i = 0; i < sc->nreaders; i++) {
		if (strcmp(sc->readers[i].name, s) != 0)
			continue;
		for (unsigned k = 0; k < nkinds; k++)
			if (sc->readers[i].kind == kinds[k] && !sc->readers[i].on_host) {
				*out = i;
				return same_vm(ld, &v, c, i);
			}
		return fail(ld, v.path, "reader %s is of kind \"%s\"; expected a reader in the VM "
			    "of kind \"%s\"", sim_quote(q, sizeof(q), s),
			    reader_kind_name(sc->readers[i].kind), reader_kind_name(kinds[0]));
	}
	return fail(ld, v.path, "unknown reader %s", sim_quote(q, sizeof(q), s));
}

static bool load_clock_consistency(struct loader *ld, const struct node *o,
				   struct scn_host_check *c)
{
	static const enum reader_kind mono[] = { READER_MONOTONIC, READER_MONOTONIC_RAW };
	static const enum reader_kind real[] = { READER_REALTIME };
	static const enum reader_kind boot[] = { READER_BOOTTIME };
	struct node v;

	/* the oracle judges reads, but the clock IDs are read in the VM's guest */
	if (!ld->vm) {
		join_key(v.path, o->path, "check");
		return fail(ld, v.path, "check \"clock_consistency\" judges the guest's clock IDs: it "
			    "needs a \"vm\"");
	}
	return read_clock_reader(ld, o, c, "monotonic", true, mono, 2,
				 &c->clock_consistency.monotonic, NULL) &&
	       read_clock_reader(ld, o, c, "realtime", true, real, 1,
				 &c->clock_consistency.realtime, NULL) &&
	       read_clock_reader(ld, o, c, "boottime", false, boot, 1,
				 &c->clock_consistency.boottime, &c->clock_consistency.has_boottime);
}

/* "at" of the kinds that run once at a time: before the end of the run. */
static bool load_at(struct loader *ld, const struct node *o, sim_ps at_ps)
{
	char path[PATH_LEN];

	join_key(path, o->path, "at");
	return check_before_end(ld, path, at_ps);
}

static bool load_flag_truth(struct loader *ld, const struct node *o, struct scn_host_check *c)
{
	struct node v;

	if (!node_get(ld, o, "threshold", false, &v))
		return false;
	if (c->flag_truth.threshold_ppb < 0)
		return fail(ld, v.path, "expected a threshold of at least 0ppm, got \"%s\"",
			    v.json->valuestring);
	return node_get(ld, o, "flags", false, &v) && read_flags(ld, &v, &c->flag_truth.flags);
}

static bool load_stable_bit(struct loader *ld, const struct node *o, struct scn_host_check *c)
{
	struct node v;

	if (!node_get(ld, o, "threshold", false, &v))
		return false;
	if (c->stable_bit.threshold_ps < 0)
		return fail(ld, v.path, "expected a threshold of at least 0s");
	return true;
}

static bool load_tsc_calibration(struct loader *ld, const struct node *o,
				 struct scn_host_check *c)
{
	const struct scenario *sc = ld->sc;
	unsigned ncpus = ld->vm ? ld->vm->nvcpus : sc->hosts[c->host].ncpus;
	struct node v;

	if (!load_at(ld, o, c->tsc_calibration.at_ps) || !node_get(ld, o, "vcpu", false, &v))
		return false;
	if (c->tsc_calibration.vcpu >= ncpus)
		return fail(ld, v.json ? v.path : o->path, "expected a %s index below %u, got %u",
			    ld->vm ? "vCPU" : "CPU", ncpus, c->tsc_calibration.vcpu);
	if (!node_get(ld, o, "threshold", false, &v))
		return false;
	if (c->tsc_calibration.threshold_ppb < 0)
		return fail(ld, v.path, "expected a threshold of at least 0ppm, got \"%s\"",
			    v.json->valuestring);
	return true;
}

static bool load_cmos_date(struct loader *ld, const struct node *o, struct scn_host_check *c)
{
	return load_at(ld, o, c->cmos_date.at_ps);
}

/*
 * Each kind's rules beyond its field table (keys that go together,
 * references, ranges that depend on the rest of the scenario), one per kind
 * of enum scn_host_check_kind; NULL: the table is enough.
 */
typedef bool validate_fn(struct loader *ld, const struct node *o, struct scn_host_check *c);
static validate_fn *const validate[] = {
	[SCN_HC_FLAG_TRUTH] = load_flag_truth,
	[SCN_HC_TSC_SYNC] = load_tsc_sync,
	[SCN_HC_WATCHDOG] = load_watchdog,
	[SCN_HC_TIMER] = load_timer,
	[SCN_HC_STABLE_BIT] = load_stable_bit,
	[SCN_HC_TSC_WRITE] = NULL,
	[SCN_HC_TICK_COUNT] = load_tick_count,
	[SCN_HC_CLOCK_CONSISTENCY] = load_clock_consistency,
	[SCN_HC_PAGE_STEP] = NULL,
	[SCN_HC_TIMER_LIVE] = NULL,
	[SCN_HC_DISC_SIGNAL] = NULL,
	[SCN_HC_TSC_CALIBRATION] = load_tsc_calibration,
	[SCN_HC_CMOS_DATE] = load_cmos_date,
};
_Static_assert(sizeof(validate) / sizeof(validate[0]) == SCN_HC_COUNT,
	       "one row per host check kind");

bool load_host_check(struct loader *ld, const struct node *o, unsigned idx)
{
	struct scenario *sc = ld->sc;
	struct scn_host_check *c = &sc->host_checks[idx];
	struct node v, kind, name;
	char context[48], q[80];
	unsigned u = 0;

	if (!cJSON_IsObject(o->json))
		return type_error(ld, o, "an object");
	if (!node_get(ld, o, "check", true, &kind) || !read_enum(ld, &kind, host_check_names, &u))
		return false;
	snprintf(context, sizeof(context), "check \"%s\"", host_check_names[u]);
	if (!load_fields(ld, o, &host_check_table, 1u << u, context, c, NULL))
		return false;
	keep_path(c->path, o->path);
	if (!node_get(ld, o, "name", false, &name))
		return false;
	if (!name.json)
		snprintf(c->name, sizeof(c->name), "%s-%u", host_check_names[u], idx);
	for (unsigned i = 0; i < idx; i++)
		if (strcmp(sc->host_checks[i].name, c->name) == 0)
			return fail(ld, name.json ? name.path : kind.path,
				    "duplicate host check name %s%s (also /host_checks/%u)",
				    sim_quote(q, sizeof(q), c->name),
				    name.json ? "" : ", this check's default name", i);
	if (!read_vm_or_only(ld, o, &c->vm) || !node_get(ld, o, "host", false, &v))
		return false;
	if (!v.json && ld->vm)
		c->host = ld->vm->host;               /* where the VM starts */
	else if (!read_host_or_only(ld, o, &c->host))
		return false;
	if (host_check_kind_needs_vm((enum host_check_kind)u) && !ld->vm)
		return fail(ld, kind.path, "check \"%s\" judges KVM or the VM's guest: it needs a "
			    "\"vm\"", host_check_names[u]);
	if (validate[u] && !validate[u](ld, o, c))
		return false;
	return node_get(ld, o, "worst", false, &v) && (!v.json || load_host_worst(ld, &v, c));
}
