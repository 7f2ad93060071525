/*
 * oracle/hw: each host check kind built from a C config (no scenario, no
 * JSON) on a host built with host_init(), driven by a queue of our own that
 * calls the hooks as the machine does.  Also the registry, config errors
 * and the trace records of first violations.  Expected values are derived
 * in the comments from the parameters.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "oracle/hw/host_check.h"
#include "oracle/hw/host_checks.h"
#include "sim/core/platform_clocks.h"

#define US SIM_PS_PER_US
#define MS SIM_PS_PER_MS

struct hw_host {
	enum tsc_class cls;       /* every CPU's TSC */
	bool no_adjust;
	unsigned nsockets;
	unsigned cpus_per_socket;
	int64_t socket1_offset_ps;
	int64_t socket0_crystal_ppb;
	bool advertise_nonstop;   /* advertise NONSTOP_TSC whatever the class */
	bool advertise_known_freq;
};

struct rig;

struct act {
	struct sim_event ev;
	struct rig *rig;
	bool enter;
	unsigned cpu, cstate;
};

struct rig {
	struct host host;
	struct sim_eventq q;
	struct host_checks *hc;
	struct sim_trace trace;
	unsigned nviolations;
	struct sim_trace_record last;
	struct act acts[8];
	unsigned nacts;
};

static void build_host(struct host *h, const struct hw_host *p)
{
	static struct tsc_props props[2][4];
	struct host_socket_params sockets[2];
	struct host_params hp = {
		.name = "h",
		.tsc_nominal = sim_freq_hz(3000000000u),
		.uptime_ns = 3600 * UINT64_C(1000000000),
		.clocksource_auto = true,
		.platform_nominal = sim_freq_hz(SIM_HPET_FREQ_HZ),
		.nsockets = p->nsockets,
		.sockets = sockets,
		.seed = 1,
	};
	struct sim_diag err;

	cr_assert(p->nsockets <= 2 && p->cpus_per_socket <= 4);
	for (unsigned s = 0; s < p->nsockets; s++) {
		for (unsigned c = 0; c < p->cpus_per_socket; c++)
			props[s][c] = (struct tsc_props){ .cls = p->cls, .no_adjust = p->no_adjust };
		sockets[s] = (struct host_socket_params){
			.crystal_ppb = s == 0 ? p->socket0_crystal_ppb : 0,
			.ncpus = p->cpus_per_socket,
			.tsc_offset_ps = s == 1 ? p->socket1_offset_ps : 0,
			.cpu_props = props[s],
		};
	}
	sim_diag_clear(&err);
	cr_assert(host_init(h, &hp, &err), "host_init: %s", err.msg);
	for (unsigned c = 0; c < h->ncpus; c++) {
		struct tsc_features adv = tsc_derived_features(&h->cpus[c].tsc);

		adv.nonstop_tsc |= p->advertise_nonstop;
		adv.tsc_known_freq |= p->advertise_known_freq;
		tsc_advertise(&h->cpus[c].tsc, &adv);
	}
}

static void on_record(void *ctx, const struct sim_trace_record *rec)
{
	struct rig *r = ctx;

	r->nviolations++;
	r->last = *rec;
}

/* A config with what every kind has. */
static struct host_check_config config(enum host_check_kind kind, const char *name,
				       enum oracle_expect expect)
{
	struct host_check_config c;

	memset(&c, 0, sizeof(c));
	c.kind = kind;
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.expect = expect;
	return c;
}

static struct rig *rig_new(const struct hw_host *hp, const struct host_check_config *cfgs,
			   unsigned n)
{
	static struct rig rig;
	struct rig *r = &rig;
	struct host_checks_env env;
	struct sim_diag err;

	memset(r, 0, sizeof(*r));
	build_host(&r->host, hp);
	sim_eventq_init(&r->q);
	env = (struct host_checks_env){ .hosts = &r->host, .nhosts = 1, .q = &r->q, .seed = 1 };
	sim_diag_clear(&err);
	r->hc = host_checks_create(&env, cfgs, n, &err);
	cr_assert(r->hc, "host_checks_create: %s", err.msg);
	sim_trace_init(&r->trace);
	cr_assert(sim_trace_subscribe(&r->trace, SIM_TRACE_BIT(SIM_TRACE_VIOLATION), on_record, r));
	host_checks_set_trace(r->hc, &r->trace);
	return r;
}

/* The machine's host events for a C-state: the TSC first, then the hooks. */
static void act_fire(struct sim_eventq *q, struct sim_event *ev, sim_ps now)
{
	struct act *a = sim_container_of(ev, struct act, ev);
	struct rig *r = a->rig;
	struct cpu_tsc *tsc = &r->host.cpus[a->cpu].tsc;

	(void)q;
	if (a->enter) {
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

		*a = (struct act){ .rig = r, .enter = i == 0, .cpu = cpu, .cstate = cstate };
		sim_event_init(&a->ev, i == 0 ? "test.cstate_enter" : "test.cstate_exit",
			       SIM_PRIO_SCENARIO, act_fire);
		sim_schedule(&r->q, &a->ev, i == 0 ? from : to);
	}
}

static void rig_run(struct rig *r, sim_ps end)
{
	struct sim_diag err;

	sim_diag_clear(&err);
	cr_assert(sim_eventq_run_until(&r->q, end, &err), "run: %s", err.msg);
	host_checks_finish_run(r->hc, end);
}

static void rig_free(struct rig *r)
{
	sim_eventq_finish(&r->q);
	host_checks_destroy(r->hc);
	host_finish(&r->host);
}

static const struct host_check_result *result(const struct rig *r, unsigned i)
{
	const struct host_check_result *res = host_checks_result(r->hc, i);

	cr_assert(res);
	return res;
}

/* ---------------------------------------------------------------------- */

Test(oracle_hw, registry_has_one_row_per_kind_in_the_list_order)
{
	static const struct {
		enum host_check_kind kind;
		const char *name;
		enum host_check_unit unit;
	} cases[] = {
		{ HOST_CHECK_FLAG_TRUTH, "flag_truth", HOST_CHECK_UNIT_PPB },
		{ HOST_CHECK_TSC_SYNC, "tsc_sync", HOST_CHECK_UNIT_CYCLES },
		{ HOST_CHECK_WATCHDOG, "watchdog", HOST_CHECK_UNIT_PS },
		{ HOST_CHECK_TIMER, "timer", HOST_CHECK_UNIT_PS },
		{ HOST_CHECK_STABLE_BIT, "stable_bit", HOST_CHECK_UNIT_PS },
		{ HOST_CHECK_TSC_WRITE, "tsc_write", HOST_CHECK_UNIT_CYCLES },
		{ HOST_CHECK_TICK_COUNT, "tick_count", HOST_CHECK_UNIT_PS },
		{ HOST_CHECK_CLOCK_CONSISTENCY, "clock_consistency", HOST_CHECK_UNIT_PS },
		{ HOST_CHECK_PAGE_STEP, "page_step", HOST_CHECK_UNIT_PS },
		{ HOST_CHECK_TIMER_LIVE, "timer_live", HOST_CHECK_UNIT_PS },
		{ HOST_CHECK_DISC_SIGNAL, "disc_signal", HOST_CHECK_UNIT_PS },
		{ HOST_CHECK_TSC_CALIBRATION, "tsc_calibration", HOST_CHECK_UNIT_PPB },
		{ HOST_CHECK_CMOS_DATE, "cmos_date", HOST_CHECK_UNIT_PS },
	};

	cr_assert_eq(sizeof(cases) / sizeof(cases[0]), HOST_CHECK_KIND_COUNT);
	for (unsigned i = 0; i < HOST_CHECK_KIND_COUNT; i++) {
		const struct host_check_ops *ops = host_check_ops_of(cases[i].kind);

		cr_assert(ops);
		cr_expect_eq(ops->kind, cases[i].kind);
		cr_expect(ops->setup && ops->finish, "%s", cases[i].name);
		cr_expect_str_eq(host_check_kind_name(cases[i].kind), cases[i].name);
		cr_expect_eq(host_check_kind_unit(cases[i].kind), cases[i].unit);
	}
	cr_expect_null(host_check_ops_of(HOST_CHECK_KIND_COUNT));
	cr_expect_str_eq(host_check_kind_name(HOST_CHECK_KIND_COUNT), "?");
	cr_expect_str_eq(host_check_unit_name(HOST_CHECK_UNIT_CYCLES), "cycles");
}

/*
 * A constant (not nonstop) TSC advertised nonstop: CPU 1's TSC stands still
 * in C3 from 100 to 150 ms.  Two flag_truth checks on the host share what
 * they follow: the nonstop one fails at 100 ms, the constant one holds (a
 * stop is not a rate change).  Both count 2 CPUs x 1 flag.
 */
Test(oracle_hw, flag_truth_from_a_c_config_fails_nonstop_on_a_tsc_halted_in_c3)
{
	const struct hw_host hp = { .cls = TSC_CONSTANT, .nsockets = 1, .cpus_per_socket = 2,
				    .advertise_nonstop = true };
	struct host_check_config c[2] = {
		config(HOST_CHECK_FLAG_TRUTH, "nonstop", ORACLE_EXPECT_FAIL),
		config(HOST_CHECK_FLAG_TRUTH, "constant", ORACLE_EXPECT_PASS),
	};
	const struct host_check_result *res, *cst;
	struct rig *r;

	c[0].flag_truth.flags = 1u << HOST_TSC_NONSTOP;
	c[1].flag_truth.flags = 1u << HOST_TSC_CONSTANT;
	r = rig_new(&hp, c, 2);
	rig_cstate(r, 1, 3, 100 * MS, 150 * MS);
	rig_run(r, SIM_PS_PER_S);
	res = result(r, 0);
	cr_expect(res->evaluated && !res->passed);
	cr_expect_eq(res->samples, 2);
	cr_expect_eq(res->violations, 1);
	cr_expect_eq(res->first_ps, 100 * MS);
	cr_expect_str_eq(res->first, "CPU 1 advertised nonstop_tsc but its TSC stopped in C3 from "
			 "0.100000000 s to 0.150000000 s");
	cr_expect(res->expectation_met);
	cst = result(r, 1);
	cr_expect(cst->passed, "%s", cst->first);
	cr_expect_eq(cst->samples, 2);
	cr_expect(cst->expectation_met);
	/* one record, at the end of the run (when the check judges), naming CPU 1 */
	cr_expect_eq(r->nviolations, 1);
	cr_expect_eq(r->last.kind, SIM_TRACE_VIOLATION);
	cr_expect_eq(r->last.t_ps, SIM_PS_PER_S);
	cr_expect_str_eq(r->last.u.violation.reader, "nonstop");
	cr_expect_str_eq(r->last.u.violation.check, "flag_truth");
	cr_expect_eq(r->last.u.violation.vcpu, 1);
	rig_free(r);
}

/*
 * A +150 ppm crystal under an invariant TSC that advertises
 * tsc_known_freq: over 1 s it counts 3 GHz x 1.00015 = 3 000 450 000
 * cycles, +150 000 ppb off the known 3 GHz, beyond a 100 ppm threshold.
 * The config's crystal description is what the explanation quotes.
 */
Test(oracle_hw, flag_truth_from_a_c_config_measures_known_freq_against_the_crystal)
{
	const struct hw_host hp = { .cls = TSC_INVARIANT, .nsockets = 1, .cpus_per_socket = 1,
				    .socket0_crystal_ppb = 150000, .advertise_known_freq = true };
	struct host_check_config c = config(HOST_CHECK_FLAG_TRUTH, "freq", ORACLE_EXPECT_FAIL);
	const struct host_check_result *res;
	struct rig *r;

	c.flag_truth.flags = 1u << HOST_TSC_KNOWN_FREQ;
	c.flag_truth.threshold_ppb = 100000;
	c.flag_truth.known_freq = sim_freq_hz(3000000000u);
	c.flag_truth.crystals[0].offset_ppb = 150000;
	c.has_worst_min = c.has_worst_max = true;
	c.worst_min = c.worst_max = 150000;
	r = rig_new(&hp, &c, 1);
	rig_run(r, SIM_PS_PER_S);
	res = result(r, 0);
	cr_expect(!res->passed);
	cr_expect_eq(res->worst, 150000, "worst %" PRId64, res->worst);
	cr_expect_eq(res->first_ps, SIM_PS_PER_S);
	cr_expect_str_eq(res->first, "CPU 0 advertised tsc_known_freq but its TSC ran +150000 ppb "
			 "off the known 3000000 kHz from 0.000000000 to 1.000000000 s (threshold "
			 "100000 ppb); socket 0's crystal: offset +150000 ppb");
	cr_expect(res->expectation_met);
	cr_expect_eq(r->last.u.violation.amount, 150000);
	rig_free(r);
}

/*
 * Socket 1's TSC is 75 ns (225 cycles at 3 GHz) behind socket 0's; the
 * target reads one hand-off (20 ns + jitter: at least 60 cycles) after the
 * source, so the largest warp is 225 - 60 = 165 cycles.  Without TSC_ADJUST
 * there is one run and Linux marks the TSC unstable.  The record comes when
 * the check runs, at `at`, naming the target.
 */
Test(oracle_hw, tsc_sync_from_a_c_config_measures_the_skew_minus_the_handoff)
{
	const struct hw_host hp = { .cls = TSC_INVARIANT, .no_adjust = true, .nsockets = 2,
				    .cpus_per_socket = 1, .socket1_offset_ps = -75 * (int64_t)SIM_PS_PER_NS };
	struct host_check_config c = config(HOST_CHECK_TSC_SYNC, "sync", ORACLE_EXPECT_FAIL);
	const struct host_check_result *res;
	struct rig *r;

	c.tsc_sync.source = 0;
	c.tsc_sync.target = 1;
	c.tsc_sync.at_ps = 100 * MS;
	r = rig_new(&hp, &c, 1);
	rig_run(r, SIM_PS_PER_S);
	res = result(r, 0);
	cr_expect(res->evaluated && !res->passed);
	cr_expect_eq(res->worst, 165);
	cr_expect_eq(res->samples, 1);
	cr_expect(strstr(res->first, "none (no IA32_TSC_ADJUST)"), "%s", res->first);
	cr_expect(strstr(res->first, "marked unstable: yes"), "%s", res->first);
	cr_expect(res->expectation_met);
	cr_expect_eq(r->nviolations, 1);
	cr_expect_eq(r->last.t_ps, 100 * MS);
	cr_expect_str_eq(r->last.u.violation.check, "tsc_sync");
	cr_expect_eq(r->last.u.violation.vcpu, 1);
	cr_expect_eq(r->last.u.violation.amount, 165);
	rig_free(r);
}

/*
 * Without TSC_ADJUST Linux watches a constant, nonstop TSC.  Against the
 * ACPI PM timer, watchdog reads 1, 4, 7, ... come back 1 ms late: the first
 * read of every attempt, so every wd-tsc-wd window exceeds the 750 us limit;
 * 2 CPUs give 2 attempts, all fail, and Linux demotes the TSC at the first
 * tick (0.5 s): a false positive.  The config expected a true positive, so
 * the expectation fails although "expect": fail holds.
 */
Test(oracle_hw, watchdog_from_a_c_config_checks_the_expected_verdict)
{
	const struct hw_host hp = { .cls = TSC_INVARIANT, .no_adjust = true, .nsockets = 1,
				    .cpus_per_socket = 2 };
	struct host_check_config c = config(HOST_CHECK_WATCHDOG, "wd", ORACLE_EXPECT_FAIL);
	const struct host_check_result *res;
	struct rig *r;

	c.watchdog.clocksource = HOST_CHECK_WD_ACPI_PM;
	c.watchdog.delay_every = 3;
	c.watchdog.delay_ps = MS;
	c.watchdog.false_positive = 0;
	r = rig_new(&hp, &c, 1);
	rig_run(r, 3 * SIM_PS_PER_S);
	res = result(r, 0);
	cr_expect(!res->passed);
	cr_expect(res->has_verdict && res->false_positive);
	cr_expect_eq(res->samples, 1);
	cr_expect_geq(res->first_ps, 500 * MS);
	cr_expect_lt(res->first_ps, 505 * MS);
	cr_expect(strstr(res->first, "acpi_pm reads"), "%s", res->first);
	cr_expect(strstr(res->first, "in all 2 attempts"), "%s", res->first);
	cr_expect(!res->expectation_met);
	/* the record: the tick at 0.5 s, its read-back delay (over the 1 ms stall) in ps */
	cr_expect_eq(r->nviolations, 1);
	cr_expect_eq(r->last.t_ps, 500 * MS);
	cr_expect_geq(r->last.u.violation.amount, (int64_t)MS);
	rig_free(r);
}

/*
 * A one-shot armed at 1 ms for 10 ms on CPU 0 with a 100 MHz APIC timer
 * (10^6 counts, due at 11 ms), no ARAT; CPU 0 sleeps in C6 from 2 to 7 ms,
 * which freezes the count-down for 5 ms: it fires at 16 ms, 5 ms late.
 */
Test(oracle_hw, timer_from_a_c_config_is_late_by_the_c6_residency_without_arat)
{
	const struct hw_host hp = { .cls = TSC_INVARIANT, .nsockets = 1, .cpus_per_socket = 2 };
	struct host_check_config c = config(HOST_CHECK_TIMER, "t0", ORACLE_EXPECT_FAIL);
	const struct host_check_result *res;
	struct rig *r;

	c.timer.cpu = 0;
	c.timer.mode = HOST_CHECK_TIMER_ONESHOT;
	c.timer.arm_at_ps = MS;
	c.timer.delay_ps = 10 * MS;
	c.timer.slack_ps = 10 * US;
	c.timer.apic_timer = sim_freq_hz(100000000u);
	c.timer.arat = false;
	c.timer.tsc_nominal = sim_freq_hz(3000000000u);
	r = rig_new(&hp, &c, 1);
	rig_cstate(r, 0, 6, 2 * MS, 7 * MS);
	rig_run(r, 100 * MS);
	res = result(r, 0);
	cr_expect(res->evaluated && !res->passed);
	cr_expect_eq(res->worst, 5 * (int64_t)MS);
	cr_expect_eq(res->first_ps, 16 * MS);
	cr_expect_str_eq(res->first, "the one-shot on CPU 0 due at 0.011000000 s fired at "
			 "0.016000000 s: 5.000000 ms late; the CPU was in C6 from "
			 "0.002000000 s to 0.007000000 s without ARAT (the timer stopped)");
	cr_expect(res->expectation_met);
	cr_expect_eq(r->nviolations, 1);
	cr_expect_eq(r->last.t_ps, 16 * MS);
	cr_expect_eq(r->last.u.violation.vcpu, 0);
	cr_expect_eq(r->last.u.violation.amount, 5 * (int64_t)MS);
	rig_free(r);
}

/* Without a trace stream nothing is published, and the verdict is the same. */
Test(oracle_hw, no_trace_stream_is_the_default)
{
	const struct hw_host hp = { .cls = TSC_INVARIANT, .nsockets = 1, .cpus_per_socket = 1 };
	struct host_check_config c = config(HOST_CHECK_TIMER, "t0", ORACLE_EXPECT_FAIL);
	struct rig *r;

	c.timer.mode = HOST_CHECK_TIMER_ONESHOT;
	c.timer.delay_ps = 10 * MS;
	c.timer.apic_timer = sim_freq_hz(100000000u);
	c.timer.tsc_nominal = sim_freq_hz(3000000000u);
	r = rig_new(&hp, &c, 1);
	host_checks_set_trace(r->hc, NULL);
	rig_cstate(r, 0, 6, 2 * MS, 7 * MS);
	rig_run(r, 100 * MS);
	cr_expect(!result(r, 0)->passed);
	cr_expect_eq(r->nviolations, 0);
	rig_free(r);
}

/* A bad config fails creation with a message naming it, and the config's path. */
Test(oracle_hw, bad_configs_are_errors_with_their_path)
{
	static const struct {
		unsigned host;
		unsigned cpu;
		const char *msg;
	} cases[] = {
		{ 3, 0, "host check \"bad\": no host 3" },
		{ 0, 9, "timer: CPU 9 out of range (host h has 2 CPUs)" },
	};
	const struct hw_host hp = { .cls = TSC_INVARIANT, .nsockets = 1, .cpus_per_socket = 2 };

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct host_check_config c[2] = {
			config(HOST_CHECK_FLAG_TRUTH, "ok", ORACLE_EXPECT_PASS),
			config(HOST_CHECK_TIMER, "bad", ORACLE_EXPECT_PASS),
		};
		struct host_checks_env env;
		struct sim_eventq q;
		struct host h;
		struct sim_diag err;

		c[0].flag_truth.flags = HOST_TSC_FLAGS_ALL;
		c[1].host = cases[i].host;
		c[1].path = "/host_checks/1";
		c[1].timer.cpu = cases[i].cpu;
		c[1].timer.delay_ps = MS;
		c[1].timer.apic_timer = sim_freq_hz(100000000u);
		build_host(&h, &hp);
		sim_eventq_init(&q);
		env = (struct host_checks_env){ .hosts = &h, .nhosts = 1, .q = &q, .seed = 1 };
		sim_diag_clear(&err);
		cr_expect_null(host_checks_create(&env, c, 2, &err));
		cr_expect_str_eq(err.msg, cases[i].msg);
		cr_expect_str_eq(err.path, "/host_checks/1");
		/* the first check's sync event went with it */
		cr_expect_eq(sim_eventq_next(&q), SIM_NEVER);
		sim_eventq_finish(&q);
		host_finish(&h);
	}
}

/* ---------------------------------------------------------------------- */
/* clock_consistency: fed trace records by hand. */

static void cc_read(struct sim_trace *t, unsigned group, sim_ps end_ps, uint64_t value_ns)
{
	struct sim_trace_record rec = { .kind = SIM_TRACE_READ, .t_ps = end_ps };

	rec.u.read = (struct sim_trace_read){ .reader = "r", .group = group, .vcpu = 0,
					      .start_ps = end_ps, .value_ns = value_ns };
	sim_trace_publish(t, &rec);
}

static void cc_phase(struct sim_trace *t, const char *phase, sim_ps at_ps)
{
	struct sim_trace_record rec = { .kind = SIM_TRACE_VMM_PHASE, .t_ps = at_ps };

	rec.u.vmm = (struct sim_trace_vmm_phase){ .action = "migration", .phase = phase };
	sim_trace_publish(t, &rec);
	/* as the VMM does: the guest stops at "stop" and runs again at "resume" */
	rec = (struct sim_trace_record){ .kind = SIM_TRACE_GUEST_RUN, .t_ps = at_ps };
	rec.u.run = (struct sim_trace_guest_run){
		.action = "migration", .running = strcmp(phase, "resume") == 0, .vm_clock = true,
	};
	sim_trace_publish(t, &rec);
}

/*
 * A restore 3600 s after the snapshot.  Group 0 is MONOTONIC, group 1
 * REALTIME.  MONOTONIC: 1000 s at 99.5 s, 1001 s at 3700.5 s; the VM ran
 * 0.5 + 0.5 = 1 s between the reads, so it jumped 0.  REALTIME: 10^9 s at
 * 99.6 s, 10^9 + 3601 s at 3700.6 s: it ran 1 s and jumped +3600 s.  So:
 * policy "realtime" holds (deviations 0, 0); "freeze" sees REALTIME +3600 s
 * off; "advance" sees MONOTONIC -3600 s off.
 */
Test(oracle_hw, clock_consistency_judges_each_clock_against_the_policy)
{
	const struct hw_host hp = { .cls = TSC_INVARIANT, .nsockets = 1, .cpus_per_socket = 2 };
	static const enum host_check_cc_policy policies[3] = {
		HOST_CHECK_CC_REALTIME, HOST_CHECK_CC_FREEZE, HOST_CHECK_CC_ADVANCE,
	};
	const int64_t s_ps = (int64_t)SIM_PS_PER_S;
	const uint64_t s_ns = SIM_NS_PER_S;
	struct host_check_config c[3];
	struct host_checks_env env;
	struct sim_trace stream;
	struct sim_eventq q;
	struct host h;
	struct sim_diag err;
	struct host_checks *hc;

	for (unsigned i = 0; i < 3; i++) {
		c[i] = config(HOST_CHECK_CLOCK_CONSISTENCY, i == 0 ? "rt" : i == 1 ? "fr" : "adv",
			      i == 0 ? ORACLE_EXPECT_PASS : ORACLE_EXPECT_FAIL);
		c[i].clock_consistency = (struct host_check_clock_consistency_config){
			.monotonic_group = 0, .realtime_group = 1,
			.boottime_group = HOST_CHECK_NO_GROUP,
			.policy = policies[i], .tolerance_ps = s_ps,
		};
	}
	build_host(&h, &hp);
	sim_eventq_init(&q);
	sim_trace_init(&stream);
	env = (struct host_checks_env){ .hosts = &h, .nhosts = 1, .q = &q, .seed = 1,
					.trace = &stream };
	sim_diag_clear(&err);
	hc = host_checks_create(&env, c, 3, &err);
	cr_assert(hc, "host_checks_create: %s", err.msg);

	cc_read(&stream, 0, 99 * SIM_PS_PER_S + 500 * MS, 1000 * s_ns);
	cc_read(&stream, 1, 99 * SIM_PS_PER_S + 600 * MS, 1000000000 * s_ns);
	cc_phase(&stream, "stop", 100 * SIM_PS_PER_S);
	cc_phase(&stream, "resume", 3700 * SIM_PS_PER_S);
	cc_read(&stream, 0, 3700 * SIM_PS_PER_S + 500 * MS, 1001 * s_ns);
	cc_read(&stream, 1, 3700 * SIM_PS_PER_S + 600 * MS, (1000000000 + 3601) * s_ns);
	host_checks_finish_run(hc, 3800 * SIM_PS_PER_S);

	cr_expect(host_checks_result(hc, 0)->passed);
	cr_expect_eq(host_checks_result(hc, 0)->worst, 0);
	cr_expect_eq(host_checks_result(hc, 0)->samples, 1);
	cr_expect_not(host_checks_result(hc, 1)->passed);
	cr_expect_eq(host_checks_result(hc, 1)->worst, 3600 * s_ps);
	cr_expect(strstr(host_checks_result(hc, 1)->first, "REALTIME jumped +3600.000000 s (wants 0 ps)"),
		  "%s", host_checks_result(hc, 1)->first);
	cr_expect_not(host_checks_result(hc, 2)->passed);
	cr_expect_eq(host_checks_result(hc, 2)->worst, -3600 * s_ps);
	for (unsigned i = 0; i < 3; i++)
		cr_expect(host_checks_result(hc, i)->expectation_met, "check %u", i);
	sim_eventq_finish(&q);
	host_checks_destroy(hc);
	host_finish(&h);
}

/* A guest_run record alone, and a phase record alone (cc_phase publishes both). */
static void run_rec(struct sim_trace *t, const char *action, bool running, bool vm_clock,
		    sim_ps at_ps)
{
	struct sim_trace_record rec = { .kind = SIM_TRACE_GUEST_RUN, .t_ps = at_ps };

	rec.u.run = (struct sim_trace_guest_run){ .action = action, .running = running,
						  .vm_clock = vm_clock };
	sim_trace_publish(t, &rec);
}

static void phase_rec(struct sim_trace *t, const char *phase, sim_ps at_ps)
{
	struct sim_trace_record rec = { .kind = SIM_TRACE_VMM_PHASE, .t_ps = at_ps };

	rec.u.vmm = (struct sim_trace_vmm_phase){ .action = "snapshot", .phase = phase };
	sim_trace_publish(t, &rec);
}

/*
 * Policy "freeze": the clocks must not jump.  Both clocks run on through
 * every stop here (kvmclock runs, as in a SIGSTOP): each read is true time
 * (MONOTONIC t, REALTIME 10^9 s + t).
 * - A stall 10 s to 20 s (vm_clock false): no VM stop, not judged, though
 *   each clock jumped +10 s across it.
 * - Phases named "stop", "pause", "resume" with no guest_run: nothing.
 * - A snapshot's guest_run 30 s to 40 s: judged; each clock jumped the whole
 *   10 s outage, 10 s off "freeze": worst +10 s, one sample.
 */
Test(oracle_hw, clock_consistency_judges_vm_stops_only)
{
	const struct hw_host hp = { .cls = TSC_INVARIANT, .nsockets = 1, .cpus_per_socket = 2 };
	const uint64_t epoch_ns = UINT64_C(1000000000) * SIM_NS_PER_S;
	struct host_check_config c = config(HOST_CHECK_CLOCK_CONSISTENCY, "cc", ORACLE_EXPECT_FAIL);
	struct host_checks_env env;
	struct host h;
	struct sim_trace stream;
	struct sim_eventq q;
	struct sim_diag err;
	struct host_checks *hc;
	const struct host_check_result *r;
	const sim_ps at[] = { 9 * SIM_PS_PER_S, 21 * SIM_PS_PER_S, 23 * SIM_PS_PER_S, 29 * SIM_PS_PER_S, 41 * SIM_PS_PER_S };

	c.clock_consistency = (struct host_check_clock_consistency_config){
		.monotonic_group = 0, .realtime_group = 1, .boottime_group = HOST_CHECK_NO_GROUP,
		.policy = HOST_CHECK_CC_FREEZE, .tolerance_ps = MS,
	};
	build_host(&h, &hp);
	sim_eventq_init(&q);
	sim_trace_init(&stream);
	env = (struct host_checks_env){ .hosts = &h, .nhosts = 1, .q = &q, .seed = 1,
					.trace = &stream };
	sim_diag_clear(&err);
	hc = host_checks_create(&env, &c, 1, &err);
	cr_assert(hc, "%s", err.msg);

	cc_read(&stream, 0, at[0], at[0] / SIM_PS_PER_NS);
	cc_read(&stream, 1, at[0], epoch_ns + at[0] / SIM_PS_PER_NS);
	run_rec(&stream, "stall", false, false, 10 * SIM_PS_PER_S);
	run_rec(&stream, "stall", true, false, 20 * SIM_PS_PER_S);
	for (unsigned i = 1; i < 5; i++) {
		if (i == 2) {
			phase_rec(&stream, "stop", 22 * SIM_PS_PER_S);
			phase_rec(&stream, "resume", 22 * SIM_PS_PER_S + MS);
		}
		if (i == 3) {
			phase_rec(&stream, "pause", 30 * SIM_PS_PER_S);
			run_rec(&stream, "snapshot", false, true, 30 * SIM_PS_PER_S);
			phase_rec(&stream, "capture", 31 * SIM_PS_PER_S);
			phase_rec(&stream, "restore", 40 * SIM_PS_PER_S);
			phase_rec(&stream, "resume", 40 * SIM_PS_PER_S);
			run_rec(&stream, "snapshot", true, true, 40 * SIM_PS_PER_S);
		}
		cc_read(&stream, 0, at[i], at[i] / SIM_PS_PER_NS);
		cc_read(&stream, 1, at[i], epoch_ns + at[i] / SIM_PS_PER_NS);
	}
	host_checks_finish_run(hc, 50 * SIM_PS_PER_S);
	r = host_checks_result(hc, 0);
	cr_expect(r->evaluated);
	cr_expect_not(r->passed);
	cr_expect_eq(r->samples, 1);
	cr_expect_eq(r->violations, 1);
	cr_expect_eq(r->worst, 10 * (int64_t)SIM_PS_PER_S);
	cr_expect_eq(r->first_ps, 41 * SIM_PS_PER_S);
	cr_expect(strstr(r->first, "snapshot0") != NULL, "%s", r->first);
	sim_eventq_finish(&q);
	host_checks_destroy(hc);
	host_finish(&h);
}

/* Without a stop and resume there is nothing to judge: it passes, and says so. */
Test(oracle_hw, clock_consistency_without_an_outage_passes_with_a_note)
{
	const struct hw_host hp = { .cls = TSC_INVARIANT, .nsockets = 1, .cpus_per_socket = 2 };
	struct host_check_config c = config(HOST_CHECK_CLOCK_CONSISTENCY, "cc", ORACLE_EXPECT_PASS);
	struct rig *r;

	c.clock_consistency = (struct host_check_clock_consistency_config){
		.monotonic_group = 0, .realtime_group = 1, .boottime_group = HOST_CHECK_NO_GROUP,
		.policy = HOST_CHECK_CC_FREEZE, .tolerance_ps = 1000,
	};
	r = rig_new(&hp, &c, 1);
	rig_run(r, 10 * MS);
	cr_expect(result(r, 0)->passed);
	cr_expect_eq(result(r, 0)->samples, 0);
	cr_expect(strstr(result(r, 0)->note, "nothing to judge"));
	rig_free(r);
}
