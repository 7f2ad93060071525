/*
 * The loader's cross-checks of the VM's actions against each other and
 * against the hosts' suspends (sim/scenario/load_overlaps.c).
 */
#include <stdio.h>

#include "tests/scenario_test.h"

/*
 * Two hosts a (the VM's, two hotplug CPUs) and b; `lists` is inserted after
 * "vm" (VM action lists) and `events` is the events array's body.
 */
static char *doc(const char *lists, const char *events)
{
	static const char fmt[] =
		"{ \"name\": \"overlaps\", \"duration\": \"2000s\",\n"
		"  \"hosts\": [\n"
		"    { \"name\": \"a\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"      \"sockets\": [ { \"cpus\": 4, \"hotplug_cpus\": 2 } ] },\n"
		"    { \"name\": \"b\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 4 } ] }\n"
		"  ],\n"
		"  \"vm\": { \"host\": \"a\", \"vcpus\": 2 },\n"
		"  %s%s\n"
		"  \"events\": [ %s ],\n"
		"  \"readers\": [ { \"name\": \"k\", \"kind\": \"pvclock\", \"vcpus\": \"all\",\n"
		"    \"period\": \"1s\", \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } } ]\n"
		"}\n";
	size_t len = sizeof(fmt) + strlen(lists) + strlen(events) + 8;
	char *s = malloc(len);

	cr_assert_not_null(s);
	snprintf(s, len, fmt, lists, lists[0] ? "," : "", events);
	return s;
}

/* a on host a sleeping (S3) from 100 s to 1100 s */
#define SLEEP_A "{ \"type\": \"suspend\", \"at\": \"100s\", \"host\": \"a\", \"kind\": \"S3\", " \
		"\"duration\": \"1000s\" }"

struct overlap_case {
	const char *lists, *events;
	const char *path;         /* the key the error points at */
	const char *msg;          /* a substring of the message */
	const char *other;        /* and the other party's path, also in it */
};

static void expect_refused(const struct overlap_case *c)
{
	char *text = doc(c->lists, c->events);
	struct sim_diag err;
	struct scenario *s = scenario_parse("o.json", text, strlen(text), &err);

	cr_expect_null(s, "accepted: %s", c->lists);
	scenario_destroy(s);
	cr_expect_str_eq(err.path, c->path, "%s: %s", c->lists, err.msg);
	cr_expect(strstr(err.msg, c->msg) != NULL, "%s\n got: %s", c->lists, err.msg);
	cr_expect(strstr(err.msg, c->other) != NULL, "%s\n got: %s", c->lists, err.msg);
	free(text);
}

static void expect_accepted(const char *lists, const char *events)
{
	char *text = doc(lists, events);
	struct sim_diag err = { 0 };
	struct scenario *s = scenario_parse("o.json", text, strlen(text), &err);

	cr_expect_not_null(s, "%s: %s: %s", lists, err.path, err.msg);
	scenario_destroy(s);
	free(text);
}

Test(scenario_overlaps, actions_that_cannot_overlap)
{
	static const struct overlap_case cases[] = {
		{ "\"pauses\": [ { \"at\": \"10s\", \"duration\": \"10s\" } ],\n"
		  "  \"stalls\": [ { \"at\": \"12s\", \"duration\": \"1s\" } ]", "",
		  "/stalls/0/at", "the stall (12s to 13s) meets the pause (10s to 20s)", "/pauses/0" },
		{ "\"pauses\": [ { \"at\": \"10s\", \"duration\": \"10s\" } ],\n"
		  "  \"stalls\": [ { \"at\": \"5s\", \"duration\": \"5s\" } ]", "",
		  "/stalls/0/at", "the stall (5s to 10s) meets the pause", "/pauses/0" },
		{ "\"snapshots\": [ { \"at\": \"10s\", \"gap\": \"10s\" } ],\n"
		  "  \"stalls\": [ { \"at\": \"19s\", \"duration\": \"5s\" } ]", "",
		  "/stalls/0/at", "meets the snapshot (10s to 20s)", "/snapshots/0" },
		{ "\"pauses\": [ { \"at\": \"10s\", \"duration\": \"10s\" } ],\n"
		  "  \"time_syncs\": [ { \"at\": \"12s\" } ]", "",
		  "/time_syncs/0/at", "the time sync at 12s meets the pause", "/pauses/0" },
		{ "\"migrations\": [ { \"at\": \"10s\", \"downtime\": \"10s\", \"to\": \"b\" } ],\n"
		  "  \"time_syncs\": [ { \"at\": \"20s\" } ]", "",
		  "/time_syncs/0/at", "guest agent cannot run", "/migrations/0" },
		{ "\"snapshots\": [ { \"at\": \"10s\", \"gap\": \"10s\" } ],\n"
		  "  \"time_syncs\": [ { \"at\": \"10s\" } ]", "",
		  "/time_syncs/0/at", "meets the snapshot", "/snapshots/0" },
		{ "\"snapshots\": [ { \"at\": \"10s\", \"gap\": \"10s\" } ],\n"
		  "  \"tsc_writes\": [ { \"at\": \"15s\", \"vcpu\": 0 } ]", "",
		  "/tsc_writes/0/at", "the TSC write at 15s meets the snapshot", "/snapshots/0" },
		{ "\"snapshots\": [ { \"at\": \"10s\", \"gap\": \"10s\" } ],\n"
		  "  \"vcpu_moves\": [ { \"at\": \"15s\", \"vcpu\": 0, \"pcpu\": 3 } ]", "",
		  "/vcpu_moves/0/at", "the vCPU move at 15s meets the snapshot", "/snapshots/0" },
		{ "\"stalls\": [ { \"at\": \"10s\", \"duration\": \"10s\" } ],\n"
		  "  \"guest_timers\": [ { \"vcpus\": \"all\", \"mode\": \"periodic\", \"period\": \"1s\",\n"
		  "    \"start\": \"12s\" } ]", "",
		  "/guest_timers/0/start", "first arming at 12s meets the stall", "/stalls/0" },
	};

	for (unsigned i = 0; i < N(cases); i++)
		expect_refused(&cases[i]);
}

Test(scenario_overlaps, actions_on_a_sleeping_host)
{
	static const struct overlap_case cases[] = {
		/* a migration from, or onto, a sleeping host */
		{ "\"migrations\": [ { \"at\": \"600s\", \"downtime\": \"100ms\", \"to\": \"b\" } ]",
		  SLEEP_A, "/migrations/0/at", "the migration (600s to 600.1s) moves the VM off host \"a\", which "
		  "is suspended then by /events/0 (S3 100s to 1100s)", "/events/0" },
		{ "\"migrations\": [ { \"at\": \"50s\", \"downtime\": \"100ms\", \"to\": \"b\" },\n"
		  "    { \"at\": \"600s\", \"downtime\": \"100ms\", \"to\": \"a\" } ]",
		  SLEEP_A, "/migrations/1/at", "moves the VM onto host \"a\"", "/events/0" },
		{ "\"migrations\": [ { \"at\": \"99s\", \"downtime\": \"2s\", \"to\": \"b\" } ]",
		  SLEEP_A, "/migrations/0/at", "(99s to 101s) moves the VM off host \"a\"", "/events/0" },
		/* a pause or a snapshot that starts, captures or resumes in the sleep */
		{ "\"pauses\": [ { \"at\": \"50s\", \"duration\": \"100s\" } ]", SLEEP_A,
		  "/pauses/0/at", "the pause (50s to 150s) acts on host \"a\"", "/events/0" },
		{ "\"pauses\": [ { \"at\": \"500s\", \"duration\": \"1000s\" } ]", SLEEP_A,
		  "/pauses/0/at", "the pause (500s to 1500s)", "/events/0" },
		{ "\"snapshots\": [ { \"at\": \"50s\", \"gap\": \"100s\" } ]", SLEEP_A,
		  "/snapshots/0/at", "the snapshot (50s to 150s)", "/events/0" },
		{ "\"snapshots\": [ { \"at\": \"20s\", \"gap\": \"100s\", \"to\": \"b\" } ]",
		  "{ \"type\": \"suspend\", \"at\": \"100s\", \"host\": \"b\", \"kind\": \"S4\", "
		  "\"duration\": \"1000s\" }", "/snapshots/0/at", "restores the VM on host \"b\", which is suspended "
		  "then by /events/0 (S4 100s to 1100s)", "/events/0" },
		{ "\"snapshots\": [ { \"at\": \"50s\", \"capture_after\": \"60s\", \"gap\": \"1000s\" } ]",
		  SLEEP_A, "/snapshots/0/at", "acts on host \"a\"", "/events/0" },
		/* a stall, a vCPU move, a TSC write, a time sync, a timer's arming in the sleep */
		{ "\"stalls\": [ { \"at\": \"50s\", \"duration\": \"1200s\" } ]", SLEEP_A,
		  "/stalls/0/at", "the stall (50s to 1250s) acts on host \"a\"", "/events/0" },
		{ "\"vcpu_moves\": [ { \"at\": \"1100s\", \"vcpu\": 0, \"pcpu\": 3 } ]", SLEEP_A,
		  "/vcpu_moves/0/at", "the vCPU move at 1100s acts on host \"a\"", "/events/0" },
		{ "\"tsc_writes\": [ { \"at\": \"100s\", \"vcpu\": 0 } ]", SLEEP_A,
		  "/tsc_writes/0/at", "the TSC write at 100s", "/events/0" },
		{ "\"time_syncs\": [ { \"at\": \"600s\" } ]", SLEEP_A,
		  "/time_syncs/0/at", "the time sync at 600s", "/events/0" },
		{ "\"guest_timers\": [ { \"vcpus\": [0], \"mode\": \"oneshot\", \"period\": \"1s\",\n"
		  "    \"start\": \"600s\" } ]", SLEEP_A,
		  "/guest_timers/0/start", "first arming at 600s acts on host \"a\"", "/events/0" },
		/* the VM moved to b, which sleeps */
		{ "\"migrations\": [ { \"at\": \"10s\", \"downtime\": \"1s\", \"to\": \"b\" } ],\n"
		  "  \"tsc_writes\": [ { \"at\": \"600s\", \"vcpu\": 1 } ]",
		  "{ \"type\": \"suspend\", \"at\": \"100s\", \"host\": \"b\", \"kind\": \"S3\", "
		  "\"duration\": \"1000s\" }", "/tsc_writes/0/at", "acts on host \"b\"", "/events/0" },
	};

	for (unsigned i = 0; i < N(cases); i++)
		expect_refused(&cases[i]);
}

/* What the model does mean: a VM stopped around the whole sleep; another host's sleep. */
Test(scenario_overlaps, accepted_around_a_sleep)
{
	expect_accepted("\"pauses\": [ { \"at\": \"50s\", \"duration\": \"1100s\" } ]", SLEEP_A);
	expect_accepted("\"snapshots\": [ { \"at\": \"50s\", \"gap\": \"1100s\" } ]", SLEEP_A);
	expect_accepted("\"migrations\": [ { \"at\": \"50s\", \"downtime\": \"1s\", \"to\": \"b\" },\n"
			"    { \"at\": \"1101s\", \"downtime\": \"1s\", \"to\": \"a\" } ],\n"
			"  \"time_syncs\": [ { \"at\": \"600s\" } ]", SLEEP_A);
	expect_accepted("\"stalls\": [ { \"at\": \"10s\", \"duration\": \"89s\" } ],\n"
			"  \"vcpu_moves\": [ { \"at\": \"1101s\", \"vcpu\": 0, \"pcpu\": 3 } ]", SLEEP_A);
	expect_accepted("\"pauses\": [ { \"at\": \"10s\", \"duration\": \"10s\" } ],\n"
			"  \"stalls\": [ { \"at\": \"21s\", \"duration\": \"1s\" } ],\n"
			"  \"tsc_writes\": [ { \"at\": \"15s\", \"vcpu\": 0 } ]", "");
}

/* A stale page lagging more than the VM's kvmclock at t = 0 would start below 0 (and wrap). */
Test(scenario_overlaps, stale_page_lag_above_the_uptime)
{
	static const char text[] =
		"{ \"name\": \"stale\", \"duration\": \"10s\",\n"
		"  \"hosts\": [ { \"name\": \"a\", \"tsc\": \"3GHz\", \"uptime\": \"1d\",\n"
		"    \"sockets\": [ { \"cpus\": 4 } ] } ],\n"
		"  \"vm\": { \"host\": \"a\", \"vcpus\": 2, \"uptime\": \"1h\", \"stale_page_vcpu\": 1,\n"
		"    \"stale_page_behind\": \"%s\" },\n"
		"  \"readers\": [ { \"name\": \"k\", \"kind\": \"pvclock\", \"vcpus\": \"all\",\n"
		"    \"period\": \"1s\" } ] }\n";
	char buf[sizeof(text) + 16];
	struct sim_diag err;
	struct scenario *s;

	snprintf(buf, sizeof(buf), text, "3600.000000001s");
	s = scenario_parse("o.json", buf, strlen(buf), &err);
	cr_expect_null(s);
	scenario_destroy(s);
	cr_expect_str_eq(err.path, "/vm/stale_page_behind");
	cr_expect_str_eq(err.msg, "expected a lag not above the VM's \"uptime\" (3600s), its kvmclock "
			 "at t = 0, got 3600.000000001s: the lagging page would start below 0");
	snprintf(buf, sizeof(buf), text, "3600s");
	s = scenario_parse("o.json", buf, strlen(buf), &err);
	cr_expect_not_null(s, "%s", err.msg);
	scenario_destroy(s);
}
