/*
 * Scenario host checks to oracle/hw configs.  The kinds, TSC flags, timer
 * modes and watchdog counters are the same lists on both sides (asserted
 * below), so they convert by value.
 */
#include "sim/machine/host_check_setup.h"

#include <stdlib.h>
#include <string.h>

#include "sim/machine/tick_setup.h"

_Static_assert((int)SCN_HC_COUNT == (int)HOST_CHECK_KIND_COUNT, "one list of host check kinds");
#define SAME_KIND(id, name, unit, scope, stem) \
	_Static_assert((int)SCN_HC_##id == (int)HOST_CHECK_##id, "host check kind " name);
HOST_CHECK_KINDS(SAME_KIND)
#undef SAME_KIND

_Static_assert((int)SCN_TSC_FLAG_COUNT == (int)HOST_TSC_FLAG_COUNT, "one list of TSC flags");
_Static_assert((int)SCN_FLAG_CONSTANT_TSC == (int)HOST_TSC_CONSTANT &&
	       (int)SCN_FLAG_NONSTOP_TSC == (int)HOST_TSC_NONSTOP &&
	       (int)SCN_FLAG_TSC_KNOWN_FREQ == (int)HOST_TSC_KNOWN_FREQ &&
	       (int)SCN_FLAG_TSC_RELIABLE == (int)HOST_TSC_RELIABLE &&
	       (int)SCN_FLAG_INVARIANT_TSC == (int)HOST_TSC_INVARIANT, "TSC flags in one order");
_Static_assert((int)SCN_TIMER_ONESHOT == (int)HOST_CHECK_TIMER_ONESHOT &&
	       (int)SCN_TIMER_PERIODIC == (int)HOST_CHECK_TIMER_PERIODIC &&
	       (int)SCN_TIMER_DEADLINE == (int)HOST_CHECK_TIMER_DEADLINE, "timer modes in one order");
_Static_assert((int)SCN_WD_HPET == (int)HOST_CHECK_WD_HPET &&
	       (int)SCN_WD_ACPI_PM == (int)HOST_CHECK_WD_ACPI_PM &&
	       (int)SCN_WD_KVM_CLOCK == (int)HOST_CHECK_WD_KVM_CLOCK, "watchdog counters in one order");
_Static_assert((int)SCN_PAGE_STEP_STEP == (int)HOST_CHECK_PAGE_STEP_STEP &&
	       (int)SCN_PAGE_STEP_SPREAD == (int)HOST_CHECK_PAGE_STEP_SPREAD,
	       "page_step measures in one order");
_Static_assert((int)SCN_CAL_PIT_QUICK == (int)HOST_CHECK_CAL_PIT_QUICK &&
	       (int)SCN_CAL_PIT_SLOW == (int)HOST_CHECK_CAL_PIT_SLOW &&
	       (int)SCN_CAL_CPUID == (int)HOST_CHECK_CAL_CPUID &&
	       (int)SCN_CAL_PVCLOCK == (int)HOST_CHECK_CAL_PVCLOCK &&
	       (int)SCN_CAL_PIT_REFINED == (int)HOST_CHECK_CAL_PIT_REFINED,
	       "calibration methods in one order");
_Static_assert((int)SCN_DATE_CMOS == (int)HOST_CHECK_DATE_CMOS &&
	       (int)SCN_DATE_KVM_WALL_CLOCK == (int)HOST_CHECK_DATE_KVM_WALL_CLOCK,
	       "date sources in one order");
_Static_assert(SCN_MAX_SOCKETS <= HOST_CHECK_MAX_SOCKETS, "a crystal description per socket");
_Static_assert((int)SCN_CC_FREEZE == (int)HOST_CHECK_CC_FREEZE &&
	       (int)SCN_CC_ADVANCE == (int)HOST_CHECK_CC_ADVANCE &&
	       (int)SCN_CC_REALTIME == (int)HOST_CHECK_CC_REALTIME, "clock policies in one order");
_Static_assert(SCN_NAME_MAX <= HOST_CHECK_NAME_MAX, "host check names fit");
_Static_assert(TICK_MAX_SYNCS <= HOST_CHECK_TICK_MAX_SYNCS, "every sync reaches tick_count");

/* A socket's crystal as the scenario configured it (for flag_truth's explanations). */
static void crystal_desc(const struct scenario *s, unsigned host, unsigned socket,
			 struct host_check_crystal_desc *d)
{
	const struct scn_socket *ss = &s->hosts[host].sockets[socket];

	d->offset_ppb = ss->crystal_ppb;
	d->ssc = !ss->ssc.enabled ? CRYSTAL_SSC_NONE :
		 ss->ssc.mode == SCN_SSC_DOWN ? CRYSTAL_SSC_DOWN : CRYSTAL_SSC_CENTER;
	d->ssc_spread_ppm = ss->ssc.spread_ppm;
	d->aging_ppb_per_day = ss->aging_ppb_per_day;
	d->wander = ss->wander_ppb != 0;
	for (unsigned i = 0; i < s->nevents; i++)
		if (s->events[i].type == SCN_EV_TEMPERATURE && s->events[i].host == host &&
		    s->events[i].socket == socket)
			d->temperature_steps = true;
}

/*
 * One translation per kind, named by the list's stem: a kind added to
 * HOST_CHECK_KINDS does not compile until it has its translate_<stem>().
 * sh is the check's host (s->hosts[c->host]).
 */
typedef void translate_fn(const struct scenario *s, const struct scn_host_check *c,
			  const struct scn_host *sh, struct host_check_config *out);

static void translate_flag_truth(const struct scenario *s, const struct scn_host_check *c,
				 const struct scn_host *sh, struct host_check_config *out)
{
	out->flag_truth.flags = c->flag_truth.flags;
	out->flag_truth.threshold_ppb = c->flag_truth.threshold_ppb;
	out->flag_truth.known_freq = sh->tsc;
	for (unsigned k = 0; k < sh->nsockets; k++)
		crystal_desc(s, c->host, k, &out->flag_truth.crystals[k]);
}

static void translate_tsc_sync(const struct scenario *s, const struct scn_host_check *c,
			       const struct scn_host *sh, struct host_check_config *out)
{
	out->tsc_sync.source = c->tsc_sync.source;
	out->tsc_sync.target = c->tsc_sync.target;
	out->tsc_sync.at_ps = c->tsc_sync.at_ps;
	out->tsc_sync.amd = sh->svm;
}

static void translate_watchdog(const struct scenario *s, const struct scn_host_check *c,
			       const struct scn_host *sh, struct host_check_config *out)
{
	out->watchdog.clocksource = (enum host_check_wd_counter)c->watchdog.clocksource;
	out->watchdog.delay_every = c->watchdog.delay_every;
	out->watchdog.delay_ps = c->watchdog.delay_ps;
	out->watchdog.demote = c->watchdog.demote;
	out->watchdog.readout_fix = c->watchdog.readout_limit == SCN_WD_READOUT_2025_12;
	out->watchdog.false_positive =
		c->watchdog.false_positive == SCN_UNSET ? -1 : c->watchdog.false_positive == SCN_TRUE;
}

static void translate_timer(const struct scenario *s, const struct scn_host_check *c,
			    const struct scn_host *sh, struct host_check_config *out)
{
	out->timer.cpu = c->timer.cpu;
	out->timer.mode = (enum host_check_timer_mode)c->timer.mode;
	out->timer.arm_at_ps = c->timer.arm_at_ps;
	out->timer.delay_ps = c->timer.delay_ps;
	out->timer.count = c->timer.count;
	out->timer.slack_ps = c->timer.slack_ps;
	out->timer.apic_timer = sh->features.apic_timer;
	out->timer.arat = sh->features.arat;
	out->timer.tsc_nominal = sh->tsc;
}

static void translate_stable_bit(const struct scenario *s, const struct scn_host_check *c,
				 const struct scn_host *sh, struct host_check_config *out)
{
	out->stable_bit.threshold_ps = c->stable_bit.threshold_ps;
}

static void translate_tsc_write(const struct scenario *s, const struct scn_host_check *c,
				const struct scn_host *sh, struct host_check_config *out)
{
	out->tsc_write.threshold_cycles = c->tsc_write.threshold_cycles;
}

static void translate_tick_count(const struct scenario *s, const struct scn_host_check *c,
				 const struct scn_host *sh, struct host_check_config *out)
{
	struct tick_clock_config tc = machine_tick_config(s, &s->readers[c->tick_count.reader]);

	out->tick_count.group = c->tick_count.reader;
	out->tick_count.delivery = tc.delivery;
	out->tick_count.nsyncs = tc.nsyncs;
	for (unsigned k = 0; k < tc.nsyncs; k++)
		out->tick_count.sync_ps[k] = tc.sync_ps[k];
	out->tick_count.tolerance_ps = c->tick_count.tolerance_ps;
	out->tick_count.compensate = tc.compensate;
}

static void translate_clock_consistency(const struct scenario *s, const struct scn_host_check *c,
					const struct scn_host *sh, struct host_check_config *out)
{
	out->clock_consistency.monotonic_group = c->clock_consistency.monotonic;
	out->clock_consistency.realtime_group = c->clock_consistency.realtime;
	out->clock_consistency.boottime_group = c->clock_consistency.has_boottime ?
		c->clock_consistency.boottime : HOST_CHECK_NO_GROUP;
	out->clock_consistency.policy = (enum host_check_cc_policy)c->clock_consistency.policy;
	out->clock_consistency.tolerance_ps = (int64_t)c->clock_consistency.tolerance_ps;
}

static void translate_page_step(const struct scenario *s, const struct scn_host_check *c,
				const struct scn_host *sh, struct host_check_config *out)
{
	out->page_step.measure = (enum host_check_page_step_measure)c->page_step.measure;
	out->page_step.threshold_ps = c->page_step.threshold_ps;
}

static void translate_timer_live(const struct scenario *s, const struct scn_host_check *c,
				 const struct scn_host *sh, struct host_check_config *out)
{
	out->timer_live.slack_ps = c->timer_live.slack_ps;
	out->timer_live.silent_max_ps = c->timer_live.silent_max_ps;
}

static void translate_disc_signal(const struct scenario *s, const struct scn_host_check *c,
				  const struct scn_host *sh, struct host_check_config *out)
{
	out->disc_signal.threshold_ps = c->disc_signal.threshold_ps;
	out->disc_signal.soft_lockup_ps = c->disc_signal.soft_lockup_ps;
}

static void translate_tsc_calibration(const struct scenario *s, const struct scn_host_check *c,
				      const struct scn_host *sh, struct host_check_config *out)
{
	out->tsc_calibration.method = (enum host_check_cal_method)c->tsc_calibration.method;
	out->tsc_calibration.at_ps = c->tsc_calibration.at_ps;
	out->tsc_calibration.vcpu = c->tsc_calibration.vcpu;
	out->tsc_calibration.jitter_ps = c->tsc_calibration.jitter_ps;
	out->tsc_calibration.threshold_ppb = c->tsc_calibration.threshold_ppb;
	/* unset: the machine's rule, an Intel host has the leaves, an AMD one not */
	out->tsc_calibration.cpuid_freq = sh->features.cpuid_15h == SCN_UNSET ? !sh->svm :
					  sh->features.cpuid_15h == SCN_TRUE;
}

static void translate_cmos_date(const struct scenario *s, const struct scn_host_check *c,
				const struct scn_host *sh, struct host_check_config *out)
{
	out->cmos_date.source = (enum host_check_date_source)c->cmos_date.source;
	out->cmos_date.at_ps = c->cmos_date.at_ps;
	out->cmos_date.threshold_ps = c->cmos_date.threshold_ps;
	out->cmos_date.utc_start_ns = s->utc_start_ns;
}

static translate_fn *const translate[] = {
#define TRANSLATE_ROW(id, name, unit, scope, stem) [SCN_HC_##id] = translate_##stem,
	HOST_CHECK_KINDS(TRANSLATE_ROW)
#undef TRANSLATE_ROW
};
_Static_assert(sizeof(translate) / sizeof(translate[0]) == SCN_HC_COUNT,
	       "one translate function per host check kind");

void host_check_config_from_scenario(const struct scenario *s, unsigned i,
				     struct host_check_config *out)
{
	const struct scn_host_check *c = &s->host_checks[i];
	const struct scn_host *sh = c->host < s->nhosts ? &s->hosts[c->host] : NULL;

	memset(out, 0, sizeof(*out));
	out->kind = (enum host_check_kind)c->kind;
	memcpy(out->name, c->name, sizeof(c->name));
	out->host = c->host;
	out->vm = c->vm;
	out->expect = c->expect;
	out->has_worst_min = c->has_worst_min;
	out->has_worst_max = c->has_worst_max;
	out->worst_min = c->worst_min;
	out->worst_max = c->worst_max;
	out->path = c->path;
	/* a missing host or kind: host_checks_create names it */
	if (sh && (unsigned)c->kind < SCN_HC_COUNT)
		translate[c->kind](s, c, sh, out);
}

struct host_checks *host_checks_from_scenario(const struct scenario *s,
					      const struct host_checks_env *given,
					      struct sim_diag *err)
{
	struct host_checks_env env = *given;
	struct host_check_config *cfgs = NULL;
	struct host_checks *hc;

	if (s->nhost_checks && !(cfgs = calloc(s->nhost_checks, sizeof(*cfgs)))) {
		sim_diag_fail(err, "out of memory");
		return NULL;
	}
	for (unsigned i = 0; i < s->nhost_checks; i++)
		host_check_config_from_scenario(s, i, &cfgs[i]);
	env.nhosts = s->nhosts;
	env.seed = s->seed;
	hc = host_checks_create(&env, cfgs, s->nhost_checks, err);
	free(cfgs);
	return hc;
}
