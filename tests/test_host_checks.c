/*
 * host_checks: flag truth, Linux's TSC sync check, the clocksource watchdog
 * and APIC timers, each on hosts built from a scenario text and driven by a
 * queue of our own that calls the hooks as the machine does (C-state entry
 * and exit, TSC changes).  One test runs a whole machine.  Expected values
 * are derived by hand in the comments from the scenario's parameters.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/cpu-tsc/host.h"
#include "sim/machine/host_check_setup.h"
#include "sim/machine/machine.h"
#include "sim/scenario/scenario.h"

#define US SIM_PS_PER_US
#define MS SIM_PS_PER_MS

enum act_kind {
	ACT_CSTATE_ENTER,
	ACT_CSTATE_EXIT,
};

struct rig;

struct act {
	struct sim_event ev;
	struct rig *rig;
	enum act_kind kind;
	unsigned cpu;
	unsigned cstate;
};

struct rig {
	struct scenario *s;
	struct host hosts[8];
	unsigned nhosts;
	struct sim_eventq q;
	struct host_checks *hc;
	unsigned nacts;
	struct act acts[16];
};

static struct scenario *parse(const char *text)
{
	struct sim_diag err;
	struct scenario *s;

	sim_diag_clear(&err);
	s = scenario_parse("t.json", text, strlen(text), &err);
	cr_assert(s, "scenario: %s: %s", err.path, err.msg);
	return s;
}

/* The host as the machine builds it (TSC class, TSC_ADJUST, known_freq, SSC, advertise). */
static void build_host(struct host *h, const struct scn_host *sh, uint64_t seed)
{
	static struct tsc_props props[SCN_MAX_SOCKETS][SCN_MAX_CPUS_PER_SOCKET];
	struct host_socket_params sockets[SCN_MAX_SOCKETS];
	const struct scn_tsc_features *f = &sh->features;
	struct host_params p = {
		.name = sh->name,
		.tsc_nominal = sh->tsc,
		.uptime_ns = sh->uptime_ns,
		.tsc_khz = sh->tsc_khz,
		.clocksource_auto = true,
		.platform_nominal = sh->hpet,
		.platform_ppb = sh->hpet_crystal_ppb,
		.nsockets = sh->nsockets,
		.sockets = sockets,
		.seed = seed,
	};
	struct sim_diag err;

	for (unsigned i = 0; i < sh->nsockets; i++) {
		const struct scn_socket *ss = &sh->sockets[i];

		for (unsigned c = 0; c < ss->ncpus; c++)
			props[i][c] = (struct tsc_props){
				.cls = f->constant && f->nonstop ? TSC_INVARIANT :
				       f->constant ? TSC_CONSTANT : TSC_VARIABLE,
				.no_adjust = !f->tsc_adjust,
				.known_freq = f->constant && f->nonstop,
			};
		sockets[i] = (struct host_socket_params){
			.crystal_ppb = ss->crystal_ppb,
			.ncpus = ss->ncpus,
			.tsc_offset_ps = ss->tsc_offset_ps,
			.cpu_tsc_offset_ps = ss->has_cpu_tsc_offsets ? ss->cpu_tsc_offset_ps : NULL,
			.cpu_props = props[i],
		};
		if (ss->ssc.enabled) {
			sockets[i].crystal.ssc = ss->ssc.mode == SCN_SSC_DOWN ? CRYSTAL_SSC_DOWN :
						 CRYSTAL_SSC_CENTER;
			sockets[i].crystal.ssc_spread_ppm = ss->ssc.spread_ppm;
			sockets[i].crystal.ssc_mod = ss->ssc.modulation;
		}
	}
	sim_diag_clear(&err);
	cr_assert(host_init(h, &p, &err), "host_init: %s", err.msg);
	for (unsigned c = 0; c < h->ncpus; c++) {
		struct tsc_features adv = tsc_derived_features(&h->cpus[c].tsc);

		if (f->advertise[SCN_FLAG_NONSTOP_TSC] != SCN_UNSET)
			adv.nonstop_tsc = f->advertise[SCN_FLAG_NONSTOP_TSC] == SCN_TRUE;
		if (f->advertise[SCN_FLAG_CONSTANT_TSC] != SCN_UNSET)
			adv.constant_tsc = f->advertise[SCN_FLAG_CONSTANT_TSC] == SCN_TRUE;
		if (f->advertise[SCN_FLAG_TSC_KNOWN_FREQ] != SCN_UNSET)
			adv.tsc_known_freq = f->advertise[SCN_FLAG_TSC_KNOWN_FREQ] == SCN_TRUE;
		if (f->advertise[SCN_FLAG_TSC_RELIABLE] != SCN_UNSET)
			adv.tsc_reliable = f->advertise[SCN_FLAG_TSC_RELIABLE] == SCN_TRUE;
		if (f->advertise[SCN_FLAG_INVARIANT_TSC] != SCN_UNSET)
			adv.invariant_cpuid = f->advertise[SCN_FLAG_INVARIANT_TSC] == SCN_TRUE;
		tsc_advertise(&h->cpus[c].tsc, &adv);
	}
}

/* The machine's host_events for a C-state: the TSC first, then the hooks. */
static void act_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct act *a = sim_container_of(ev, struct act, ev);
	struct rig *r = a->rig;
	struct cpu_tsc *tsc = &r->hosts[0].cpus[a->cpu].tsc;

	(void)q;
	if (a->kind == ACT_CSTATE_ENTER) {
		tsc_cstate_enter(tsc, now, a->cstate);
		host_checks_cstate_enter(r->hc, 0, a->cpu, a->cstate, now);
	} else {
		tsc_cstate_exit(tsc, now);
		host_checks_cstate_exit(r->hc, 0, a->cpu, now);
		host_checks_tsc_changed(r->hc, 0, a->cpu, now);
	}
}

static void rig_cstate(struct rig *r, unsigned cpu, unsigned cstate, sim_ps from, sim_ps to)
{
	for (unsigned i = 0; i < 2; i++) {
		struct act *a = &r->acts[r->nacts++];

		a->rig = r;
		a->kind = i == 0 ? ACT_CSTATE_ENTER : ACT_CSTATE_EXIT;
		a->cpu = cpu;
		a->cstate = cstate;
		sim_event_init(&a->ev, i == 0 ? "test.cstate_enter" : "test.cstate_exit",
			       SIM_PRIO_SCENARIO, act_fire);
		sim_schedule(&r->q, &a->ev, i == 0 ? from : to);
	}
}

static struct rig *rig_new(const char *text)
{
	static struct rig rig;
	struct rig *r = &rig;
	struct sim_diag err;

	memset(r, 0, sizeof(*r));
	r->s = parse(text);
	r->nhosts = r->s->nhosts;
	for (unsigned i = 0; i < r->nhosts; i++)
		build_host(&r->hosts[i], &r->s->hosts[i], r->s->seed);
	sim_eventq_init(&r->q);
	sim_diag_clear(&err);
	r->hc = host_checks_from_scenario(r->s, &(struct host_checks_env){ .hosts = r->hosts,
							 .q = &r->q }, &err);
	cr_assert(r->hc, "host_checks_from_scenario: %s: %s", err.path, err.msg);
	return r;
}

static void rig_run(struct rig *r)
{
	struct sim_diag err;

	sim_diag_clear(&err);
	cr_assert(sim_eventq_run_until(&r->q, r->s->duration_ps, &err), "run: %s", err.msg);
	host_checks_finish_run(r->hc, r->s->duration_ps);
}

static void rig_free(struct rig *r)
{
	sim_eventq_finish(&r->q);
	host_checks_destroy(r->hc);
	for (unsigned i = 0; i < r->nhosts; i++)
		host_finish(&r->hosts[i]);
	scenario_destroy(r->s);
}

static const struct host_check_result *result(const struct rig *r, unsigned i)
{
	const struct host_check_result *res = host_checks_result(r->hc, i);

	cr_assert(res);
	return res;
}

/* ---------------------------------------------------------------------- */

/*
 * An invariant TSC that advertises what it is (every flag derived): deep
 * C-states do not stop it, tsc_known_freq holds exactly (ideal crystal).
 */
Test(host_checks, flag_truth_passes_when_nothing_false_is_advertised)
{
	struct rig *r = rig_new(
		"{ \"name\": \"t\", \"duration\": \"1s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"host_checks\": [ { \"check\": \"flag_truth\", \"expect\": \"pass\",\n"
		"    \"worst\": { \"min\": \"0ppb\", \"max\": \"0ppb\" } } ] }\n");
	const struct host_check_result *res;

	rig_cstate(r, 1, 6, 100 * MS, 200 * MS);
	rig_run(r);
	res = result(r, 0);
	cr_expect(res->evaluated);
	cr_expect(res->passed, "first: %s", res->first);
	cr_expect_eq(res->violations, 0);
	/* 2 CPUs x 5 flags */
	cr_expect_eq(res->samples, 10);
	cr_expect_eq(res->worst, 0);
	cr_expect_str_empty(res->first);
	cr_expect(res->expectation_met);
	rig_free(r);
}

/*
 * A 0.5 % down-spread triangle has a mean of -0.25 %: -2500000 ppb.  Over
 * 1 s at 31.5 kHz the run holds 31500 whole periods, so the mean over the
 * run is the triangle's mean up to the floor of the cycle count.
 */
Test(host_checks, flag_truth_fails_known_freq_on_a_down_spread_crystal)
{
	struct rig *r = rig_new(
		"{ \"name\": \"t\", \"duration\": \"1s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 1, \"ssc\": { \"mode\": \"down\", \"spread\": \"0.5%\" } } ],\n"
		"    \"tsc_features\": { \"advertise\": { \"tsc_known_freq\": true } } } ],\n"
		"  \"host_checks\": [ { \"check\": \"flag_truth\", \"expect\": \"fail\",\n"
		"    \"flags\": [\"tsc_known_freq\"],\n"
		"    \"worst\": { \"min\": \"-2501ppm\", \"max\": \"-2499ppm\" } } ] }\n");
	const struct host_check_result *res;

	rig_run(r);
	res = result(r, 0);
	cr_expect(!res->passed);
	cr_expect_geq(res->worst, -2500010, "worst %" PRId64, res->worst);
	cr_expect_leq(res->worst, -2499990, "worst %" PRId64, res->worst);
	cr_expect_eq(res->violations, 1);
	cr_expect_eq(res->first_ps, SIM_PS_PER_S);
	cr_expect(strstr(res->first, "CPU 0 advertised tsc_known_freq"), "%s", res->first);
	cr_expect(strstr(res->first, "spread spectrum down 5000 ppm"), "%s", res->first);
	cr_expect(res->expectation_met);
	rig_free(r);
}

/*
 * A constant but not nonstop TSC (it stops in C2 and deeper) whose firmware
 * advertises nonstop_tsc: CPU 1's TSC stands still in C3 from 100 to 150 ms.
 * CPU 0 never sleeps, so only CPU 1 is in violation.
 */
Test(host_checks, flag_truth_fails_nonstop_on_a_tsc_halted_in_c3)
{
	struct rig *r = rig_new(
		"{ \"name\": \"t\", \"duration\": \"1s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 2 } ],\n"
		"    \"tsc_features\": { \"nonstop\": false,\n"
		"      \"advertise\": { \"nonstop_tsc\": true } } } ],\n"
		"  \"host_checks\": [\n"
		"    { \"check\": \"flag_truth\", \"expect\": \"fail\", \"flags\": [\"nonstop_tsc\"] },\n"
		"    { \"check\": \"flag_truth\", \"expect\": \"pass\", \"flags\": [\"constant_tsc\"] } ] }\n");
	const struct host_check_result *res, *cst;

	rig_cstate(r, 1, 3, 100 * MS, 150 * MS);
	rig_run(r);
	res = result(r, 0);
	cr_expect(!res->passed);
	cr_expect_eq(res->violations, 1);
	cr_expect_eq(res->first_ps, 100 * MS);
	cr_expect_str_eq(res->first, "CPU 1 advertised nonstop_tsc but its TSC stopped in C3 from "
			 "0.100000000 s to 0.150000000 s");
	cr_expect(res->expectation_met);
	/* a stop is not a rate change: constant_tsc holds */
	cst = result(r, 1);
	cr_expect(cst->passed, "%s", cst->first);
	cr_expect(cst->expectation_met);
	rig_free(r);
}

/* A flag not advertised is never a violation, however false it would be. */
Test(host_checks, flag_truth_ignores_flags_not_advertised)
{
	struct rig *r = rig_new(
		"{ \"name\": \"t\", \"duration\": \"1s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 1 } ],\n"
		"    \"tsc_features\": { \"nonstop\": false } } ],\n"
		"  \"host_checks\": [ { \"check\": \"flag_truth\", \"expect\": \"pass\" } ] }\n");
	const struct host_check_result *res;

	rig_cstate(r, 0, 6, 10 * MS, 20 * MS);
	rig_run(r);
	res = result(r, 0);
	cr_expect(res->passed, "%s", res->first);
	cr_expect(res->expectation_met);
	rig_free(r);
}

/*
 * Socket 1's TSC is 75 ns behind socket 0's: 225 cycles at 3 GHz.  When the
 * target (CPU 1) reads right after the source, the hand-off h has passed, so
 * it reads src + h * 3 GHz - 225: a warp of 225 - 60 = 165 cycles for the
 * 20 ns hand-off, less with jitter (max 165).  CPU 1 is alone in its
 * package, so the check runs (20 ms).  With TSC_ADJUST the target adds its
 * 165 cycles to IA32_TSC_ADJUST and the rerun is clean: the remaining 60
 * cycles are one hand-off, invisible.  The check still fails: Linux found a
 * warp.  After it, CPU 1 reads 60 cycles behind CPU 0.
 */
Test(host_checks, tsc_sync_measures_the_skew_minus_the_handoff)
{
	struct rig *r = rig_new(
		"{ \"name\": \"t\", \"duration\": \"1s\", \"seed\": 3,\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 1 }, { \"cpus\": 1, \"tsc_offset\": \"-75ns\" } ] } ],\n"
		"  \"host_checks\": [ { \"check\": \"tsc_sync\", \"expect\": \"fail\", \"cpus\": [0, 1],\n"
		"    \"at\": \"100ms\", \"worst\": { \"min\": 165, \"max\": 165 } } ] }\n");
	const struct host_check_result *res;
	uint64_t adj = 0;
	sim_ps t = 500 * MS;
	int64_t diff;

	rig_run(r);
	res = result(r, 0);
	cr_expect(res->evaluated);
	cr_expect(!res->passed);
	cr_expect_eq(res->worst, 165);
	cr_expect_eq(res->samples, 2, "runs: %" PRIu64, res->samples);
	cr_expect_eq(res->violations, 1);
	cr_expect_geq(res->first_ps, 100 * MS);
	cr_expect_lt(res->first_ps, 121 * MS);
	cr_expect(strstr(res->first, "a warp of 165 cycles between CPU 0 and CPU 1 (run 1 of 2)"),
		  "%s", res->first);
	cr_expect(strstr(res->first, "moved by +165 cycles in 1 write, then a clean run"), "%s",
		  res->first);
	cr_expect(strstr(res->first, "marked unstable: no"), "%s", res->first);
	cr_expect(res->expectation_met);
	/* the real effect: the write reached the hardware */
	cr_expect(tsc_rdmsr(&r->hosts[0].cpus[1].tsc, t, IA32_TSC_ADJUST, &adj));
	cr_expect_eq(adj, 165);
	/*
	 * -60, or -61: the write closes CPU 1's piece of the TSC, which drops
	 * the fraction of a cycle in progress (tsc.h).
	 */
	diff = (int64_t)(host_rdtsc(&r->hosts[0], 1, t) - host_rdtsc(&r->hosts[0], 0, t));
	cr_expect(diff == -60 || diff == -61, "diff %" PRId64, diff);
	rig_free(r);
}

/* Without TSC_ADJUST there is one run, and the warp marks the TSC unstable. */
Test(host_checks, tsc_sync_without_tsc_adjust_marks_unstable)
{
	struct rig *r = rig_new(
		"{ \"name\": \"t\", \"duration\": \"1s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 1 }, { \"cpus\": 1, \"tsc_offset\": \"-75ns\" } ],\n"
		"    \"tsc_features\": { \"tsc_adjust\": false } } ],\n"
		"  \"host_checks\": [ { \"check\": \"tsc_sync\", \"expect\": \"fail\", \"cpus\": [0, 1] } ] }\n");
	const struct host_check_result *res;

	rig_run(r);
	res = result(r, 0);
	cr_expect(!res->passed);
	cr_expect_eq(res->worst, 165);
	cr_expect_eq(res->samples, 1);
	cr_expect(strstr(res->first, "none (no IA32_TSC_ADJUST)"), "%s", res->first);
	cr_expect(strstr(res->first, "marked unstable: yes"), "%s", res->first);
	cr_expect(strstr(res->first, "Measured 165 cycles"), "%s", res->first);
	rig_free(r);
}

/*
 * An offset of 15 ns (45 cycles) is below one hand-off (60 cycles): Linux
 * sees nothing.  Two CPUs of one package with TSC_ADJUST: Linux does not
 * even measure.
 */
Test(host_checks, tsc_sync_passes_below_the_handoff_and_skips_package_siblings)
{
	struct rig *r = rig_new(
		"{ \"name\": \"t\", \"duration\": \"1s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 2, \"cpu_tsc_offsets\": [\"0s\", \"-1ms\"] },\n"
		"                   { \"cpus\": 1, \"tsc_offset\": \"-15ns\" } ] } ],\n"
		"  \"host_checks\": [\n"
		"    { \"check\": \"tsc_sync\", \"expect\": \"pass\", \"cpus\": [0, 2] },\n"
		"    { \"check\": \"tsc_sync\", \"expect\": \"pass\", \"cpus\": [0, 1] } ] }\n");
	const struct host_check_result *below, *sibling;

	rig_run(r);
	below = result(r, 0);
	cr_expect(below->passed, "%s", below->first);
	cr_expect_eq(below->worst, 0);
	cr_expect(strstr(below->note, "60-cycle lock hand-off"), "%s", below->note);
	sibling = result(r, 1);
	cr_expect(sibling->passed);
	cr_expect_eq(sibling->samples, 0);
	cr_expect(strstr(sibling->note, "skipped"), "%s", sibling->note);
	cr_expect(below->expectation_met && sibling->expectation_met);
	rig_free(r);
}

/*
 * The watchdog watches the TSC only without TSC_ADJUST here (one package,
 * constant and nonstop: check_system_tsc_reliable() would exempt it).
 * Watchdog reads 1, 4, 7, ... come back 1 ms late: each the first read of
 * an attempt, so every wd-tsc-wd window is about 1 ms, above the 750 us
 * limit.  Two CPUs give ilog2(2) / 2 + 1 = 1 retry: two attempts, both too
 * slow, and Linux marks the perfect TSC unstable at the first tick (0.5 s):
 * a false positive.
 */
Test(host_checks, watchdog_delayed_reads_give_a_false_positive)
{
	struct rig *r = rig_new(
		"{ \"name\": \"t\", \"duration\": \"3s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 2 } ], \"tsc_features\": { \"tsc_adjust\": false } } ],\n"
		"  \"host_checks\": [\n"
		"    { \"check\": \"watchdog\", \"expect\": \"fail\", \"clocksource\": \"acpi_pm\",\n"
		"      \"delay_every\": 3, \"delay\": \"1ms\", \"false_positive\": true },\n"
		"    { \"check\": \"watchdog\", \"expect\": \"pass\",\n"
		"      \"worst\": { \"min\": \"-1us\", \"max\": \"1us\" } } ] }\n");
	const struct host_check_result *res, *clean;

	rig_run(r);
	res = result(r, 0);
	cr_expect(!res->passed);
	cr_expect(res->has_verdict);
	cr_expect(res->false_positive);
	cr_expect_eq(res->samples, 1);
	cr_expect_geq(res->first_ps, 500 * MS);
	cr_expect_lt(res->first_ps, 505 * MS);
	cr_expect(strstr(res->first, "excessive read-back delay"), "%s", res->first);
	cr_expect(strstr(res->first, "in all 2 attempts"), "%s", res->first);
	cr_expect(strstr(res->first, "false positive"), "%s", res->first);
	cr_expect(res->expectation_met);
	/* the same TSC against the HPET without delays: 6 ticks, 5 compared, no skew */
	clean = result(r, 1);
	cr_expect(clean->passed, "%s", clean->first);
	cr_expect(!clean->has_verdict);
	cr_expect_eq(clean->samples, 6);
	cr_expect(clean->expectation_met, "worst %" PRId64, clean->worst);
	rig_free(r);
}

/* An expectation about the verdict that does not match makes the check unmet. */
Test(host_checks, watchdog_false_positive_expectation_is_checked)
{
	struct rig *r = rig_new(
		"{ \"name\": \"t\", \"duration\": \"1s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 2 } ], \"tsc_features\": { \"tsc_adjust\": false } } ],\n"
		"  \"host_checks\": [\n"
		"    { \"check\": \"watchdog\", \"expect\": \"fail\", \"delay_every\": 3, \"delay\": \"1ms\",\n"
		"      \"false_positive\": false } ] }\n");

	rig_run(r);
	cr_expect(result(r, 0)->false_positive);
	cr_expect(!result(r, 0)->expectation_met);
	rig_free(r);
}

/* Linux does not watch an invariant TSC with TSC_ADJUST on one package. */
Test(host_checks, watchdog_respects_linux_when_the_tsc_is_not_watched)
{
	struct rig *r = rig_new(
		"{ \"name\": \"t\", \"duration\": \"2s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"host_checks\": [ { \"check\": \"watchdog\", \"expect\": \"pass\", \"delay_every\": 3,\n"
		"    \"delay\": \"1ms\" } ] }\n");
	const struct host_check_result *res;

	rig_run(r);
	res = result(r, 0);
	cr_expect(res->evaluated && res->passed);
	cr_expect_eq(res->samples, 0);
	cr_expect(strstr(res->note, "does not watch"), "%s", res->note);
	cr_expect(res->expectation_met);
	rig_free(r);
}

/*
 * A one-shot armed at 1 ms for 10 ms on CPU 0 (100 MHz: 10^6 counts, due at
 * 11 ms).  CPU 0 is in C6 from 2 to 7 ms.  Without ARAT the count-down
 * stands still for those 5 ms: it fires at 16 ms, 5 ms late.  With ARAT it
 * fires at 11 ms.
 */
Test(host_checks, timer_oneshot_late_by_the_c6_residency_without_arat)
{
	static const struct {
		const char *arat;
		int64_t late_ps;
		bool passed;
	} cases[] = {
		{ "false", 5 * (int64_t)MS, false },
		{ "true", 0, true },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024];
		struct rig *r;
		const struct host_check_result *res;

		snprintf(text, sizeof(text),
			 "{ \"name\": \"t\", \"duration\": \"100ms\",\n"
			 "  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
			 "    \"sockets\": [ { \"cpus\": 2 } ], \"tsc_features\": { \"arat\": %s } } ],\n"
			 "  \"host_checks\": [ { \"check\": \"timer\", \"expect\": \"%s\", \"cpu\": 0,\n"
			 "    \"mode\": \"oneshot\", \"arm_at\": \"1ms\", \"delay\": \"10ms\" } ] }\n",
			 cases[i].arat, cases[i].passed ? "pass" : "fail");
		r = rig_new(text);
		rig_cstate(r, 0, 6, 2 * MS, 7 * MS);
		rig_run(r);
		res = result(r, 0);
		cr_expect(res->evaluated);
		cr_expect_eq(res->passed, cases[i].passed, "arat %s", cases[i].arat);
		cr_expect_eq(res->worst, cases[i].late_ps, "arat %s: worst %" PRId64, cases[i].arat,
			     res->worst);
		cr_expect_eq(res->samples, 1);
		if (!cases[i].passed) {
			cr_expect_eq(res->first_ps, 16 * MS);
			cr_expect_str_eq(res->first, "the one-shot on CPU 0 due at 0.011000000 s fired at "
					 "0.016000000 s: 5.000000 ms late; the CPU was in C6 from "
					 "0.002000000 s to 0.007000000 s without ARAT (the timer stopped)");
		}
		cr_expect(res->expectation_met);
		rig_free(r);
	}
}

/*
 * Periodic, 1 ms, 5 fires from t = 0 (due at 1..5 ms).  C6 from 2.5 to
 * 3.5 ms without ARAT freezes the count-down for 1 ms: fires 3, 4 and 5
 * come at 4, 5 and 6 ms, each 1 ms late.
 */
Test(host_checks, timer_periodic_fires_after_a_stop_stay_late)
{
	struct rig *r = rig_new(
		"{ \"name\": \"t\", \"duration\": \"20ms\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 1 } ], \"tsc_features\": { \"arat\": false } } ],\n"
		"  \"host_checks\": [ { \"check\": \"timer\", \"expect\": \"fail\", \"cpu\": 0,\n"
		"    \"mode\": \"periodic\", \"delay\": \"1ms\", \"count\": 5, \"slack\": \"10us\",\n"
		"    \"worst\": { \"min\": \"1ms\", \"max\": \"1ms\" } } ] }\n");
	const struct host_check_result *res;

	rig_cstate(r, 0, 6, 2500 * US, 3500 * US);
	rig_run(r);
	res = result(r, 0);
	cr_expect_eq(res->samples, 5);
	cr_expect_eq(res->violations, 3);
	cr_expect_eq(res->worst, (int64_t)MS);
	cr_expect_eq(res->first_ps, 4 * MS);
	cr_expect(strstr(res->first, "periodic timer's fire 3"), "%s", res->first);
	cr_expect(res->expectation_met);
	rig_free(r);
}

/*
 * TSC-deadline mode with ARAT on a constant (not nonstop) TSC: the APIC
 * timer runs in C6 but the TSC it waits for stops, so the deadline comes
 * late by the residency (3 ms).
 */
Test(host_checks, timer_deadline_waits_for_a_stopped_tsc)
{
	struct rig *r = rig_new(
		"{ \"name\": \"t\", \"duration\": \"50ms\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 1 } ], \"tsc_features\": { \"nonstop\": false } } ],\n"
		"  \"host_checks\": [ { \"check\": \"timer\", \"expect\": \"fail\", \"cpu\": 0,\n"
		"    \"mode\": \"deadline\", \"arm_at\": \"1ms\", \"delay\": \"10ms\" } ] }\n");
	const struct host_check_result *res;

	rig_cstate(r, 0, 6, 5 * MS, 8 * MS);
	rig_run(r);
	res = result(r, 0);
	cr_expect(!res->passed);
	cr_expect_eq(res->worst, 3 * (int64_t)MS);
	cr_expect(strstr(res->first, "its TSC stopped there"), "%s", res->first);
	cr_expect(res->expectation_met);
	rig_free(r);
}

/* A one-shot held in C6 past the end of the run never fired: a violation. */
Test(host_checks, timer_not_fired_by_the_end_is_a_violation)
{
	struct rig *r = rig_new(
		"{ \"name\": \"t\", \"duration\": \"20ms\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 1 } ], \"tsc_features\": { \"arat\": false } } ],\n"
		"  \"host_checks\": [ { \"check\": \"timer\", \"expect\": \"fail\", \"cpu\": 0,\n"
		"    \"mode\": \"oneshot\", \"delay\": \"5ms\" } ] }\n");
	const struct host_check_result *res;

	rig_cstate(r, 0, 6, 1 * MS, 30 * MS);
	rig_run(r);
	res = result(r, 0);
	cr_expect(!res->passed);
	cr_expect_eq(res->worst, 15 * (int64_t)MS);
	cr_expect(strstr(res->first, "had not fired by the end of the run"), "%s", res->first);
	cr_expect(res->expectation_met);
	rig_free(r);
}

/* A check whose instant the run never reaches is not evaluated: not met. */
Test(host_checks, check_never_run_is_not_met)
{
	struct rig *r = rig_new(
		"{ \"name\": \"t\", \"duration\": \"1s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"host_checks\": [ { \"check\": \"tsc_sync\", \"expect\": \"pass\", \"cpus\": [0, 1],\n"
		"    \"at\": \"900ms\" } ] }\n");
	struct sim_diag err;

	sim_diag_clear(&err);
	cr_assert(sim_eventq_run_until(&r->q, 500 * MS, &err));
	host_checks_finish_run(r->hc, 500 * MS);
	cr_expect(!result(r, 0)->evaluated);
	cr_expect(!result(r, 0)->expectation_met);
	rig_free(r);
}

/* End to end: the machine plays the C-state event and reports the timer check. */
Test(host_checks, machine_runs_host_checks)
{
	struct scenario *s = parse(
		"{ \"name\": \"t\", \"duration\": \"100ms\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 2 } ], \"tsc_features\": { \"arat\": false } } ],\n"
		"  \"events\": [ { \"type\": \"cstate\", \"at\": \"2ms\", \"cpus\": [0], \"state\": \"C6\",\n"
		"    \"duration\": \"5ms\" } ],\n"
		"  \"host_checks\": [\n"
		"    { \"check\": \"timer\", \"expect\": \"fail\", \"cpu\": 0, \"mode\": \"oneshot\",\n"
		"      \"arm_at\": \"1ms\", \"delay\": \"10ms\", \"worst\": { \"min\": \"5ms\", \"max\": \"5ms\" } },\n"
		"    { \"check\": \"flag_truth\", \"expect\": \"pass\" } ] }\n");
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	cr_expect(machine_host_check_result(m, 0)->expectation_met, "%s",
		  machine_host_check_result(m, 0)->first);
	cr_expect(machine_host_check_result(m, 1)->expectation_met, "%s",
		  machine_host_check_result(m, 1)->first);
	machine_destroy(m);
	scenario_destroy(s);
}
