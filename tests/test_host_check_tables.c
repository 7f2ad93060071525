/*
 * The host-check kinds' tables: the loader's row per kind (validation, "needs
 * a vm"), the .only bits derived from the kind, "worst" read by the kind's
 * unit, and the setup's translate function per kind.  One scenario holds one
 * check of every kind with a parameter set off its default; each expected
 * config value is that parameter converted by hand (1ppm = 1000 ppb,
 * 1ms = 10^9 ps).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/machine/host_check_setup.h"
#include "scenario_test.h"

#define MS SIM_PS_PER_MS
#define S SIM_PS_PER_S

#define HEAD \
	"{\n" \
	"  \"name\": \"tables\", \"duration\": \"10s\", \"utc_start\": 1767225600,\n" \
	"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"

#define VM_AND_READERS \
	"  \"vm\": { \"host\": \"h\", \"vcpus\": 2 },\n" \
	"  \"readers\": [\n" \
	"    { \"name\": \"ticks\", \"kind\": \"ticks\", \"source\": \"pit\", \"hz\": 1000, \"vcpus\": [0],\n" \
	"      \"period\": \"10ms\" },\n" \
	"    { \"name\": \"mono\", \"kind\": \"monotonic\", \"vcpus\": [0], \"period\": \"1ms\" },\n" \
	"    { \"name\": \"wall\", \"kind\": \"realtime\", \"vcpus\": [1], \"period\": \"1ms\" }\n" \
	"  ],\n"

/* One check of each kind (13, in the list's order); a kind added later may add one. */
#define EVERY_KIND \
	"  \"host_checks\": [\n" \
	"    { \"check\": \"flag_truth\", \"threshold\": \"7ppm\", \"flags\": [\"constant_tsc\"],\n" \
	"      \"expect\": \"pass\", \"worst\": { \"min\": \"-2ppm\", \"max\": \"3ppm\" } },\n" \
	"    { \"check\": \"tsc_sync\", \"cpus\": [1, 0], \"at\": \"1s\", \"expect\": \"pass\",\n" \
	"      \"worst\": { \"max\": 5 } },\n" \
	"    { \"check\": \"watchdog\", \"delay_every\": 3, \"delay\": \"2ms\", \"false_positive\": true,\n" \
	"      \"expect\": \"fail\" },\n" \
	"    { \"check\": \"timer\", \"cpu\": 1, \"mode\": \"periodic\", \"delay\": \"5ms\", \"count\": 4,\n" \
	"      \"expect\": \"pass\", \"worst\": { \"min\": \"-1ms\" } },\n" \
	"    { \"check\": \"stable_bit\", \"threshold\": \"7ns\", \"expect\": \"pass\" },\n" \
	"    { \"check\": \"tsc_write\", \"threshold\": 7, \"expect\": \"pass\" },\n" \
	"    { \"check\": \"tick_count\", \"reader\": \"ticks\", \"tolerance\": \"7ms\", \"expect\": \"pass\" },\n" \
	"    { \"check\": \"clock_consistency\", \"monotonic\": \"mono\", \"realtime\": \"wall\",\n" \
	"      \"policy\": \"realtime\", \"tolerance\": \"7s\", \"expect\": \"pass\" },\n" \
	"    { \"check\": \"page_step\", \"measure\": \"spread\", \"threshold\": \"7ns\", \"expect\": \"pass\" },\n" \
	"    { \"check\": \"timer_live\", \"slack\": \"7ms\", \"silent_max\": \"2s\", \"expect\": \"pass\" },\n" \
	"    { \"check\": \"disc_signal\", \"threshold\": \"7s\", \"soft_lockup\": \"30s\", \"expect\": \"pass\" },\n" \
	"    { \"check\": \"tsc_calibration\", \"method\": \"cpuid\", \"vcpu\": 1, \"threshold\": \"7ppm\",\n" \
	"      \"expect\": \"pass\" },\n" \
	"    { \"check\": \"cmos_date\", \"source\": \"kvm_wall_clock\", \"at\": \"1s\", \"threshold\": \"7s\",\n" \
	"      \"expect\": \"pass\" }\n" \
	"  ]\n" \
	"}\n"

Test(host_check_tables, every_kind_loads_and_translates_its_parameters)
{
	/* the kinds of EVERY_KIND's checks, in its order (a new kind needs no row here) */
	static const enum host_check_kind order[] = {
		HOST_CHECK_FLAG_TRUTH, HOST_CHECK_TSC_SYNC, HOST_CHECK_WATCHDOG, HOST_CHECK_TIMER,
		HOST_CHECK_STABLE_BIT, HOST_CHECK_TSC_WRITE, HOST_CHECK_TICK_COUNT,
		HOST_CHECK_CLOCK_CONSISTENCY, HOST_CHECK_PAGE_STEP, HOST_CHECK_TIMER_LIVE,
		HOST_CHECK_DISC_SIGNAL, HOST_CHECK_TSC_CALIBRATION, HOST_CHECK_CMOS_DATE,
	};
	enum { N = sizeof(order) / sizeof(order[0]) };
	struct scenario *s = parse_ok(HEAD VM_AND_READERS EVERY_KIND);
	struct host_check_config all[N], *cfg[HOST_CHECK_KIND_COUNT] = { NULL };
	char want[32];

	cr_assert_eq(s->nhost_checks, N);
	for (unsigned i = 0; i < N; i++) {
		host_check_config_from_scenario(s, i, &all[i]);
		cr_expect_eq(all[i].kind, order[i]);
		snprintf(want, sizeof(want), "%s-%u", host_check_kind_name(order[i]), i);
		cr_expect_str_eq(all[i].name, want);
		cr_expect_eq(all[i].host, 0);
		cfg[order[i]] = &all[i];
	}
	/* "worst" in the kind's unit: ppm to ppb, cycles as given, a duration in ps */
	cr_expect(all[0].has_worst_min && all[0].worst_min == -2000 && all[0].worst_max == 3000);
	cr_expect(!all[1].has_worst_min && all[1].has_worst_max && all[1].worst_max == 5);
	cr_expect(all[3].has_worst_min && !all[3].has_worst_max && all[3].worst_min == -(int64_t)MS);

	cr_expect_eq(cfg[HOST_CHECK_FLAG_TRUTH]->flag_truth.threshold_ppb, 7000);
	cr_expect_eq(cfg[HOST_CHECK_FLAG_TRUTH]->flag_truth.flags, 1u << HOST_TSC_CONSTANT);
	cr_expect_eq(cfg[HOST_CHECK_TSC_SYNC]->tsc_sync.source, 1);
	cr_expect_eq(cfg[HOST_CHECK_TSC_SYNC]->tsc_sync.target, 0);
	cr_expect_eq(cfg[HOST_CHECK_TSC_SYNC]->tsc_sync.at_ps, S);
	cr_expect_eq(cfg[HOST_CHECK_WATCHDOG]->watchdog.delay_every, 3);
	cr_expect_eq(cfg[HOST_CHECK_WATCHDOG]->watchdog.delay_ps, 2 * MS);
	cr_expect_eq(cfg[HOST_CHECK_WATCHDOG]->watchdog.false_positive, 1);
	cr_expect_eq(cfg[HOST_CHECK_TIMER]->timer.cpu, 1);
	cr_expect_eq(cfg[HOST_CHECK_TIMER]->timer.mode, HOST_CHECK_TIMER_PERIODIC);
	cr_expect_eq(cfg[HOST_CHECK_TIMER]->timer.delay_ps, 5 * MS);
	cr_expect_eq(cfg[HOST_CHECK_TIMER]->timer.count, 4);
	cr_expect_eq(cfg[HOST_CHECK_STABLE_BIT]->stable_bit.threshold_ps, 7000);
	cr_expect_eq(cfg[HOST_CHECK_TSC_WRITE]->tsc_write.threshold_cycles, 7);
	cr_expect_eq(cfg[HOST_CHECK_TICK_COUNT]->tick_count.group, 0);     /* readers[0] */
	cr_expect_eq(cfg[HOST_CHECK_TICK_COUNT]->tick_count.tolerance_ps, 7 * MS);
	cr_expect_eq(cfg[HOST_CHECK_CLOCK_CONSISTENCY]->clock_consistency.monotonic_group, 1);
	cr_expect_eq(cfg[HOST_CHECK_CLOCK_CONSISTENCY]->clock_consistency.realtime_group, 2);
	cr_expect_eq(cfg[HOST_CHECK_CLOCK_CONSISTENCY]->clock_consistency.boottime_group,
		     HOST_CHECK_NO_GROUP);
	cr_expect_eq(cfg[HOST_CHECK_CLOCK_CONSISTENCY]->clock_consistency.policy,
		     HOST_CHECK_CC_REALTIME);
	cr_expect_eq(cfg[HOST_CHECK_CLOCK_CONSISTENCY]->clock_consistency.tolerance_ps, 7 * S);
	cr_expect_eq(cfg[HOST_CHECK_PAGE_STEP]->page_step.measure, HOST_CHECK_PAGE_STEP_SPREAD);
	cr_expect_eq(cfg[HOST_CHECK_PAGE_STEP]->page_step.threshold_ps, 7000);
	cr_expect_eq(cfg[HOST_CHECK_TIMER_LIVE]->timer_live.slack_ps, 7 * MS);
	cr_expect_eq(cfg[HOST_CHECK_TIMER_LIVE]->timer_live.silent_max_ps, 2 * S);
	cr_expect_eq(cfg[HOST_CHECK_DISC_SIGNAL]->disc_signal.threshold_ps, 7 * S);
	cr_expect_eq(cfg[HOST_CHECK_DISC_SIGNAL]->disc_signal.soft_lockup_ps, 30 * S);
	cr_expect_eq(cfg[HOST_CHECK_TSC_CALIBRATION]->tsc_calibration.method, HOST_CHECK_CAL_CPUID);
	cr_expect_eq(cfg[HOST_CHECK_TSC_CALIBRATION]->tsc_calibration.vcpu, 1);
	cr_expect_eq(cfg[HOST_CHECK_TSC_CALIBRATION]->tsc_calibration.threshold_ppb, 7000);
	cr_expect(cfg[HOST_CHECK_TSC_CALIBRATION]->tsc_calibration.cpuid_freq, "an Intel host");
	cr_expect_eq(cfg[HOST_CHECK_CMOS_DATE]->cmos_date.source, HOST_CHECK_DATE_KVM_WALL_CLOCK);
	cr_expect_eq(cfg[HOST_CHECK_CMOS_DATE]->cmos_date.at_ps, S);
	cr_expect_eq(cfg[HOST_CHECK_CMOS_DATE]->cmos_date.threshold_ps, 7 * S);
	cr_expect_eq(cfg[HOST_CHECK_CMOS_DATE]->cmos_date.utc_start_ns,
		     1767225600ULL * 1000000000ULL);              /* 2026-01-01T00:00:00Z */
	scenario_destroy(s);
}

/* The kinds that judge KVM or the guest (scope HOST_CHECK_ON_VM) refuse a scenario without "vm". */
Test(host_check_tables, vm_kinds_need_a_vm)
{
	static const struct {
		enum host_check_kind kind;
		const char *check;
	} cases[] = {
		{ HOST_CHECK_STABLE_BIT, "{ \"check\": \"stable_bit\", \"expect\": \"pass\" }" },
		{ HOST_CHECK_TSC_WRITE, "{ \"check\": \"tsc_write\", \"expect\": \"pass\" }" },
		{ HOST_CHECK_PAGE_STEP, "{ \"check\": \"page_step\", \"expect\": \"pass\" }" },
		{ HOST_CHECK_TIMER_LIVE, "{ \"check\": \"timer_live\", \"expect\": \"pass\" }" },
		{ HOST_CHECK_DISC_SIGNAL, "{ \"check\": \"disc_signal\", \"expect\": \"pass\" }" },
	};
	char text[1024], want[128];
	struct sim_diag err;

	/* host kinds (a VM optional), and outside the enum */
	cr_expect_not(host_check_kind_needs_vm(HOST_CHECK_FLAG_TRUTH));
	cr_expect_not(host_check_kind_needs_vm(HOST_CHECK_TSC_CALIBRATION));
	cr_expect_not(host_check_kind_needs_vm(HOST_CHECK_CLOCK_CONSISTENCY));
	cr_expect_not(host_check_kind_needs_vm(HOST_CHECK_KIND_COUNT));
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scenario *s;

		cr_expect(host_check_kind_needs_vm(cases[i].kind), "%s", cases[i].check);
		snprintf(text, sizeof(text), HEAD "  \"host_checks\": [ %s ]\n}\n", cases[i].check);
		s = scenario_parse("t.json", text, strlen(text), &err);
		cr_expect_null(s, "%s: loaded without a vm", cases[i].check);
		scenario_destroy(s);
		cr_expect_str_eq(err.path, "/host_checks/0/check");
		snprintf(want, sizeof(want), "check \"%s\" judges KVM or the VM's guest: it needs a "
			 "\"vm\"", host_check_kind_name(cases[i].kind));
		cr_expect_str_eq(err.msg, want);
	}
	/* clock_consistency judges reads (ON_HOST), but of clock IDs that the VM's guest reads */
	snprintf(text, sizeof(text), HEAD "  \"host_checks\": [ { \"check\": \"clock_consistency\", "
		 "\"monotonic\": \"m\", \"realtime\": \"r\", \"policy\": \"freeze\", \"expect\": "
		 "\"pass\" } ]\n}\n");
	cr_expect_null(scenario_parse("t.json", text, strlen(text), &err));
	cr_expect_str_eq(err.path, "/host_checks/0/check");
	cr_expect_str_eq(err.msg, "check \"clock_consistency\" judges the guest's clock IDs: it "
			 "needs a \"vm\"");
}

/* The set refuses them too, before the kind's setup runs (a C config, no loader). */
Test(host_check_tables, the_set_refuses_a_vm_kind_without_a_vm)
{
	struct scenario *s = parse_ok(HEAD "  \"host_checks\": [ { \"check\": \"tsc_sync\", "
				      "\"cpus\": [0, 1], \"expect\": \"pass\" } ]\n}\n");
	struct host_check_config c;
	struct host_checks_env env = { .nhosts = 1 };
	struct host hosts[1];
	struct sim_diag err;

	/* a host check config of a VM kind on a host the set never needs to read */
	memset(hosts, 0, sizeof(hosts));
	host_check_config_from_scenario(s, 0, &c);
	c.kind = HOST_CHECK_TSC_WRITE;
	env.hosts = hosts;
	sim_diag_clear(&err);
	cr_expect_null(host_checks_create(&env, &c, 1, &err));
	cr_expect_str_eq(err.msg, "host check \"tsc_sync-0\": tsc_write judges KVM or the VM's "
			 "guest: it needs a \"vm\"");
	scenario_destroy(s);
}

/* .only = HC_ONLY(ID): a key belongs to its kinds only; "worst" reads the kind's unit. */
Test(host_check_tables, keys_and_worst_bounds_follow_the_kind)
{
	static const struct error_case cases[] = {
		/* page_step's "threshold" is a duration; "slack" is timer_live's and timer's */
		{ "\"measure\": \"spread\", ", "\"slack\": \"1ms\", ", "/host_checks/8/slack",
		  "\"slack\": \"1ms\"", "key \"slack\" is not allowed" },
		/* "soft_lockup" is disc_signal's only */
		{ "\"slack\": \"7ms\", ", "\"soft_lockup\": \"7ms\", ", "/host_checks/9/soft_lockup",
		  "\"soft_lockup\": \"7ms\"", "key \"soft_lockup\" is not allowed" },
		/* tsc_write's threshold is TSC cycles, not a duration */
		{ "\"threshold\": 7,", "\"threshold\": \"7ns\",", "/host_checks/5/threshold",
		  "\"7ns\", \"expect\": \"pass\" },\n    { \"check\": \"tick_count\"",
		  "a number of TSC cycles" },
		/* bounds in order, printed in the kind's unit */
		{ "{ \"max\": 5 }", "{ \"min\": 5, \"max\": 3 }", "/host_checks/1/worst/max", "3 }",
		  "expected at least \"min\" (5 cycles), got 3 cycles" },
		{ "{ \"min\": \"-2ppm\", \"max\": \"3ppm\" }", "{ \"min\": \"3ppm\", \"max\": \"2500ppb\" }",
		  "/host_checks/0/worst/max", "\"2500ppb\"",
		  "expected at least \"min\" (3ppm), got 2500ppb" },
		{ "{ \"min\": \"-1ms\" }", "{ \"min\": \"-1ms\", \"max\": \"-2ms\" }",
		  "/host_checks/3/worst/max", "\"-2ms\"", "expected at least \"min\" (-1ms), got -2ms" },
		/* the cycles unit takes no duration, the ppb unit no plain number */
		{ "{ \"max\": 5 }", "{ \"max\": \"5ns\" }", "/host_checks/1/worst/max", "\"5ns\"",
		  "a number of TSC cycles" },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(HEAD VM_AND_READERS EVERY_KIND, &cases[i]);
}

/* A validation function runs for its kind only: tsc_sync's distinct CPUs, timer's count. */
Test(host_check_tables, each_kind_runs_its_own_validation)
{
	static const struct error_case cases[] = {
		{ "\"cpus\": [1, 0]", "\"cpus\": [1, 1]", "/host_checks/1/cpus/1", "1], \"at\"",
		  "expected a target CPU other than the source (1)" },
		{ "\"delay_every\": 3, ", "", "/host_checks/2/delay_every",
		  "{ \"check\": \"watchdog\"",
		  "missing key \"delay_every\"" },
		{ "\"mode\": \"periodic\"", "\"mode\": \"oneshot\"", "/host_checks/3/count", "\"count\"",
		  "key \"count\" is only allowed when \"mode\" is \"periodic\"" },
		{ "\"threshold\": \"7ns\", \"expect\": \"pass\" },\n    { \"check\": \"tsc_write\"",
		  "\"threshold\": \"-7ns\", \"expect\": \"pass\" },\n    { \"check\": \"tsc_write\"",
		  "/host_checks/4/threshold", "\"-7ns\"", "expected a threshold of at least 0s" },
		{ "\"reader\": \"ticks\"", "\"reader\": \"mono\"", "/host_checks/6/reader",
		  "\"mono\", \"tol", "expected a reader of kind \"ticks\"" },
		{ "\"vcpu\": 1", "\"vcpu\": 2", "/host_checks/11/vcpu", "2, \"thr",
		  "expected a vCPU index below 2, got 2" },
		{ "\"at\": \"1s\", \"threshold\": \"7s\"", "\"at\": \"12s\", \"threshold\": \"7s\"",
		  "/host_checks/12/at", "\"12s\"", "expected a time before the end of the run" },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_error(HEAD VM_AND_READERS EVERY_KIND, &cases[i]);
}
