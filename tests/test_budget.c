/*
 * The event budget (sim/machine/budget.h): each source's closed form against
 * counts derived by hand from the scenario, saturation, the error's path and
 * words, and the runtime guard behind it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sim/machine/budget.h"
#include "sim/machine/machine.h"

#define HOST1 "\"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1d\", " \
	      "\"sockets\": [ { \"cpus\": 1 } ] } ]"

static struct scenario *parse(const char *text)
{
	struct sim_diag err;
	struct scenario *s;

	sim_diag_clear(&err);
	s = scenario_parse("budget.json", text, strlen(text), &err);
	cr_assert(s, "scenario_parse: %s: %s", err.path, err.msg);
	return s;
}

static struct budget_estimate estimate(const char *text)
{
	struct scenario *s = parse(text);
	struct budget_estimate e;

	budget_estimate(s, &e);
	scenario_destroy(s);
	return e;
}

/* The check's error for text at the default limit; "" when it passes. */
static struct sim_diag refusal(const char *text)
{
	struct scenario *s = parse(text);
	struct sim_diag err;

	sim_diag_clear(&err);
	if (budget_check(s, BUDGET_DEFAULT_MAX_EVENTS, NULL, &err))
		err.msg[0] = '\0';
	scenario_destroy(s);
	return err;
}

/* 10^7 s / 1 ns = 10^16 periods, both ends counted: 10^16 + 1 reads of 2 events. */
Test(budget, reader_1ns_over_1e7_s)
{
	const char *t = "{ \"name\": \"r\", \"duration\": \"10000000s\", " HOST1 ", "
			"\"vm\": { \"host\": \"h\", \"vcpus\": 1 }, "
			"\"readers\": [ { \"name\": \"r\", \"kind\": \"pvclock\", \"vcpus\": \"all\", "
			"\"period\": \"1ns\", \"cost\": \"1ps\" } ] }";
	struct budget_estimate e = estimate(t);
	struct sim_diag d = refusal(t);

	cr_assert_eq(e.by_source[BUDGET_READERS], UINT64_C(20000000000000002));
	cr_assert_eq(e.top_source, BUDGET_READERS);
	cr_assert_str_eq(e.top_path, "/readers/0/period");
	/* the default sync, every 300 s: 33334 syncs of sync + update + 1 entry */
	cr_assert_eq(e.by_source[BUDGET_KVMCLOCK_SYNC], UINT64_C(100002));
	cr_assert_eq(e.total, UINT64_C(20000000000100004));
	cr_assert_str_eq(d.path, "/readers/0/period");
	cr_assert(strstr(d.msg, "about 20000000000100004 events"), "%s", d.msg);
	cr_assert(strstr(d.msg, "beyond the event budget of 1000000000"), "%s", d.msg);
	cr_assert(strstr(d.msg, "--max-events"), "%s", d.msg);
}

/* 64 vCPUs x 16 readers at 2 ps over 213 days: far beyond 2^64, saturated, never wrapped. */
Test(budget, saturates)
{
	char t[4096];
	int n = snprintf(t, sizeof(t), "{ \"name\": \"s\", \"duration\": \"213d\", "
			 "\"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1d\", "
			 "\"sockets\": [ { \"cpus\": 64 } ] } ], "
			 "\"vm\": { \"host\": \"h\", \"vcpus\": 64 }, \"readers\": [");

	for (int i = 0; i < 16; i++)
		n += snprintf(t + n, sizeof(t) - (size_t)n, "%s{ \"name\": \"r%d\", \"kind\": "
			      "\"tsc\", \"vcpus\": \"all\", \"period\": \"2ps\", \"cost\": \"1ps\" }",
			      i ? ", " : "", i);
	snprintf(t + n, sizeof(t) - (size_t)n, "] }");
	struct budget_estimate e = estimate(t);
	struct sim_diag d = refusal(t);

	cr_assert_eq(e.total, UINT64_MAX);
	cr_assert_eq(e.by_source[BUDGET_READERS], UINT64_MAX);
	cr_assert(strstr(d.msg, "about more than 18446744073709551615 events"), "%s", d.msg);
}

/* 10^4 s / 1 ps = 10^16 + 1 syncs, each the sync, the update work and one vCPU entry. */
Test(budget, kvmclock_sync_1ps)
{
	struct budget_estimate e = estimate(
		"{ \"name\": \"k\", \"duration\": \"10000s\", " HOST1 ", "
		"\"vm\": { \"host\": \"h\", \"vcpus\": 1, \"kvmclock_sync_period\": \"1ps\" }, "
		"\"readers\": [ { \"name\": \"r\", \"kind\": \"pvclock\", \"vcpus\": \"all\", "
		"\"period\": \"1s\" } ] }");

	cr_assert_eq(e.by_source[BUDGET_KVMCLOCK_SYNC], UINT64_C(30000000000000003));
	cr_assert_str_eq(e.top_path, "/vm/kvmclock_sync_period");
}

/* A periodic host APIC timer of 1 ps: 10^16 + 1 expiries, each checked. */
Test(budget, apic_timer_1ps)
{
	struct sim_diag d = refusal(
		"{ \"name\": \"a\", \"duration\": \"10000s\", " HOST1 ", \"host_checks\": [ "
		"{ \"check\": \"timer\", \"cpu\": 0, \"mode\": \"periodic\", \"delay\": \"1ps\", "
		"\"expect\": \"pass\" } ] }");

	cr_assert_str_eq(d.path, "/host_checks/0/delay");
	cr_assert(strstr(d.msg, "about 20000000000000002 events"), "%s", d.msg);
	cr_assert(strstr(d.msg, "host checks"), "%s", d.msg);
}

/* Spans of 1 ps + 1 ps over 10^4 s: 5 x 10^15 + 1 cycles of two events. */
Test(budget, cstate_pattern_1ps)
{
	struct budget_estimate e = estimate(
		"{ \"name\": \"c\", \"duration\": \"10000s\", " HOST1 ", \"events\": [ "
		"{ \"type\": \"cstate_pattern\", \"at\": \"0s\", \"cpus\": [0], \"state\": 1, "
		"\"until\": \"10000s\", \"residency\": \"1ps\", \"busy\": \"1ps\" } ], "
		"\"readers\": [ { \"name\": \"r\", \"kind\": \"tsc\", \"cpus\": \"all\", "
		"\"period\": \"1s\" } ] }");

	cr_assert_eq(e.by_source[BUDGET_CSTATE_PATTERNS], UINT64_C(10000000000000002));
	cr_assert_str_eq(e.top_path, "/events/0/residency");
}

/* 70 ns is one tick of the 14.31818 MHz HPET (69.841279 ns): 10^4 s / 70 ns periods. */
Test(budget, hpet_timer_one_tick)
{
	struct budget_estimate e = estimate(
		"{ \"name\": \"h\", \"duration\": \"10000s\", " HOST1 ", "
		"\"vm\": { \"host\": \"h\", \"vcpus\": 1 }, \"guest_timers\": [ { \"vcpus\": [0], "
		"\"device\": \"hpet\", \"mode\": \"periodic\", \"period\": \"70ns\" } ], "
		"\"host_checks\": [ { \"check\": \"timer_live\", \"expect\": \"pass\", "
		"\"slack\": \"10ms\", \"silent_max\": \"1s\" } ] }");

	/* floor(10^16 ps / 70000 ps) + 1 = 142857142858 periods of 6 events */
	cr_assert_eq(e.by_source[BUDGET_HPET_TIMERS], UINT64_C(857142857148));
	cr_assert_str_eq(e.top_path, "/guest_timers/0/period");
}

/*
 * PIT mode 2, count 2: 1193182 / 2 = 596591 Hz, two OUT0 edges a period,
 * from the script's start to the end of a 2 x 10^5 s run.
 */
Test(budget, pit_count_2_for_days)
{
	struct budget_estimate e = estimate(
		"{ \"name\": \"p\", \"duration\": \"200000s\", \"scripts\": [ { \"name\": \"s\", "
		"\"expect\": \"pass\", \"commands\": [ \"outb 0x43 0x34\", \"outb 0x40 2\", "
		"\"outb 0x40 0\", \"clock_step 100000000000000\" ] } ] }");

	cr_assert_eq(e.by_source[BUDGET_SCRIPT_DEVICES], (UINT64_C(596591) * 200000 + 1) * 2);
	cr_assert_str_eq(e.top_path, "/scripts/0/commands/2");
	cr_assert_eq(e.by_source[BUDGET_SCRIPTS], 4);
}

/* The same PIT programmed for a one-shot (mode 0) starts nothing periodic. */
Test(budget, pit_one_shot_is_cheap)
{
	struct budget_estimate e = estimate(
		"{ \"name\": \"p\", \"duration\": \"200000s\", \"scripts\": [ { \"name\": \"s\", "
		"\"expect\": \"pass\", \"commands\": [ \"outb 0x43 0x30\", \"outb 0x40 2\", "
		"\"outb 0x40 0\" ] } ] }");

	cr_assert_eq(e.by_source[BUDGET_SCRIPT_DEVICES], 0);
	cr_assert_eq(e.total, 3);
}

/* RS = 3 is 8192 Hz; PIE set: 213 days x 8192 periods of an IRQF rise and its clear. */
Test(budget, rtc_periodic_from_script)
{
	struct budget_estimate e = estimate(
		"{ \"name\": \"r\", \"duration\": \"213d\", \"scripts\": [ { \"name\": \"s\", "
		"\"expect\": \"pass\", \"commands\": [ \"outb 0x70 0x0a\", \"outb 0x71 0x23\", "
		"\"outb 0x70 0x0b\", \"outb 0x71 0x42\" ] } ] }");

	cr_assert_eq(e.by_source[BUDGET_SCRIPT_DEVICES], (UINT64_C(18403200) * 8192 + 1) * 2);
	cr_assert_str_eq(e.top_path, "/scripts/0/commands/3");
}

/* A periodic HPET comparator of 1 tick at 14.31818 MHz: 2 events a match for 10^4 s. */
Test(budget, hpet_script_one_tick)
{
	struct budget_estimate e = estimate(
		"{ \"name\": \"h\", \"duration\": \"10000s\", \"scripts\": [ { \"name\": \"s\", "
		"\"expect\": \"pass\", \"commands\": [ \"writel 0xfed00100 0x4c\", "
		"\"writeq 0xfed00108 1\", \"writel 0xfed00010 0x1\" ] } ] }");

	cr_assert_eq(e.by_source[BUDGET_SCRIPT_DEVICES], (UINT64_C(14318180) * 10000 + 1) * 2);
	cr_assert_str_eq(e.top_path, "/scripts/0/commands/1");
}

/* PIE alone runs at the rate the chip resets to, RS = 6: 1024 Hz; UIE adds the 1 Hz update. */
Test(budget, rtc_reset_rate_and_update)
{
	struct budget_estimate e = estimate(
		"{ \"name\": \"r\", \"duration\": \"1000s\", \"scripts\": [ { \"name\": \"s\", "
		"\"expect\": \"pass\", \"commands\": [ \"outb 0x70 0x0b\", \"outb 0x71 0x52\" ] } ] }");

	cr_assert_eq(e.by_source[BUDGET_SCRIPT_DEVICES], (UINT64_C(1025) * 1000 + 1) * 2);
	cr_assert_str_eq(e.top_path, "/scripts/0/commands/1");
}

/* 213 days in 1 ms wander steps: 18403200000 + 1 crystal updates. */
Test(budget, wander_1ms_over_213_days)
{
	struct sim_diag d = refusal(
		"{ \"name\": \"w\", \"duration\": \"213d\", \"hosts\": [ { \"name\": \"h\", "
		"\"tsc\": \"3GHz\", \"uptime\": \"1d\", \"sockets\": [ { \"cpus\": 1, "
		"\"crystal_wander\": \"1ppb\", \"wander_step\": \"1ms\" } ] } ], "
		"\"readers\": [ { \"name\": \"r\", \"kind\": \"tsc\", \"cpus\": \"all\", "
		"\"period\": \"1000s\" } ] }");

	cr_assert_str_eq(d.path, "/hosts/0/sockets/0/wander_step");
	cr_assert(strstr(d.msg, "crystal wander and aging steps, about 18403200001 here"), "%s",
		  d.msg);
}

/* The watchdog every 0.5 s for 213 days: 36806401 checks, well within the budget. */
Test(budget, watchdog_every_half_second)
{
	struct budget_estimate e = estimate(
		"{ \"name\": \"w\", \"duration\": \"213d\", " HOST1 ", \"host_checks\": [ "
		"{ \"check\": \"watchdog\", \"clocksource\": \"acpi_pm\", \"delay_every\": 1, "
		"\"delay\": \"1us\", \"expect\": \"pass\" } ] }");

	cr_assert_eq(e.by_source[BUDGET_HOST_CHECKS], UINT64_C(36806401));
	cr_assert_lt(e.total, BUDGET_DEFAULT_MAX_EVENTS);
}

/* A migration keeping a 3 GHz rate on a 2 GHz host without scaling: 1 ms catch-up exits. */
Test(budget, catchup_after_migration)
{
	struct budget_estimate e = estimate(
		"{ \"name\": \"c\", \"duration\": \"101s\", \"hosts\": [ "
		"{ \"name\": \"a\", \"tsc\": \"3GHz\", \"uptime\": \"1d\", \"sockets\": [ { \"cpus\": 2 } ] }, "
		"{ \"name\": \"b\", \"tsc\": \"2GHz\", \"uptime\": \"1d\", \"sockets\": [ { \"cpus\": 2 } ] } ], "
		"\"vm\": { \"host\": \"a\", \"vcpus\": 2, \"host_tsc_scaling\": false }, "
		"\"migrations\": [ { \"at\": \"1s\", \"to\": \"b\", \"downtime\": \"100ms\", "
		"\"tsc_scaling\": true } ], "
		"\"readers\": [ { \"name\": \"r\", \"kind\": \"pvclock\", \"vcpus\": \"all\", "
		"\"period\": \"1s\" } ] }");

	/* 100 s after the migration: 100001 exits and entries on each of 2 vCPUs */
	cr_assert_eq(e.by_source[BUDGET_CATCHUP], UINT64_C(400004));
	cr_assert_str_eq(e.top_path, "/migrations/0/tsc_scaling");
}

/* The runtime guard: a limit below what the run fires stops it with exit-2 words, no verdict. */
Test(budget, runtime_guard_stops_the_run)
{
	struct scenario *s = parse(
		"{ \"name\": \"g\", \"duration\": \"1s\", " HOST1 ", "
		"\"readers\": [ { \"name\": \"r\", \"kind\": \"tsc\", \"cpus\": \"all\", "
		"\"period\": \"1ms\" } ] }");
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "%s", err.msg);
	machine_set_max_events(m, 100);
	cr_assert_not(machine_run(m, &err));
	cr_assert(strstr(err.msg, "event budget exceeded: more than 100 events fired "
			 "(next: \"reader/r/cpu0\")"), "%s", err.msg);
	/* the 51st read begins at 50 ms + its phase (< 1 ms) */
	cr_assert(strstr(err.msg, "by t = 0.050"), "%s", err.msg);
	cr_assert(strstr(err.msg, "largest source readers"), "%s", err.msg);
	cr_assert_str_eq(err.path, "/readers/0/period");
	/* 100 events are 50 reads: the 101st is not fired */
	cr_assert_eq(machine_events(m), 100);
	machine_destroy(m);
	scenario_destroy(s);
}

/* The guard changes nothing below its limit: the same events as an unguarded run. */
Test(budget, runtime_guard_is_transparent)
{
	const char *t = "{ \"name\": \"g\", \"duration\": \"1s\", " HOST1 ", "
			"\"vm\": { \"host\": \"h\", \"vcpus\": 1 }, "
			"\"readers\": [ { \"name\": \"r\", \"kind\": \"pvclock\", \"vcpus\": \"all\", "
			"\"period\": \"1ms\", \"jitter\": \"100us\" } ] }";
	uint64_t fired[2];

	for (int guarded = 0; guarded < 2; guarded++) {
		struct scenario *s = parse(t);
		struct sim_diag err;
		struct machine *m;

		sim_diag_clear(&err);
		m = machine_create(s, &err);
		cr_assert(m, "%s", err.msg);
		if (guarded)
			machine_set_max_events(m, 1000000);
		cr_assert(machine_run(m, &err), "%s", err.msg);
		fired[guarded] = machine_events(m);
		machine_destroy(m);
		scenario_destroy(s);
	}
	cr_assert_eq(fired[0], fired[1]);
	/* 1001 periods (both ends), two events a read, plus KVM's start-up */
	cr_assert_geq(fired[0], 2000);
}

Test(budget, every_source_has_a_name)
{
	for (unsigned i = 0; i < BUDGET_SOURCE_COUNT; i++)
		cr_assert_neq(strcmp(budget_source_name((enum budget_source)i), "?"), 0);
	cr_assert_str_eq(budget_source_name(BUDGET_SOURCE_COUNT), "?");
}
