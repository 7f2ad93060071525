/*
 * Stalls, time syncs and tick-counting readers in a whole machine, and the
 * loader's rules for them.  Expected values are derived in the comments.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sim/vmm/vmm.h"
#include "tests/machine_rig.h"

#define MS_PS SIM_PS_PER_MS

/*
 * A guest counting a 1000 Hz APIC timer (1 ms a tick), read every 10 ms
 * from t = 0 (pinned phase; each read ends 10 ns after it starts), stalled
 * from 1 s to 1.5 s with discard, its clock set by the guest agent at 2 s.
 */
static const char *const stall_json =
	"{ \"name\": \"st\", \"duration\": \"3s\",\n"
	"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
	"  \"vm\": { \"host\": \"h\", \"vcpus\": 2 },\n"
	"  \"stalls\": [ { \"at\": \"1s\", \"duration\": \"500ms\" } ],\n"
	"  \"time_syncs\": [ { \"at\": \"2s\" } ],\n"
	"  \"readers\": [ { \"name\": \"j\", \"kind\": \"ticks\", \"source\": \"apic\", \"hz\": 1000,\n"
	"    \"vcpus\": [0], \"period\": \"10ms\", \"phase\": \"0s\" } ],\n"
	"  \"host_checks\": [ { \"check\": \"tick_count\", \"reader\": \"j\", \"expect\": \"pass\" } ] }\n";

struct tally {
	unsigned nphases;
	struct sim_trace_vmm_phase phases[4];
	sim_ps phase_t_ps[4];
	unsigned reads_in_stall;
	uint64_t value_at[4];     /* the reads that end at 0.5 s, 1.5 s, 1.99 s and 2 s (+10 ns) */
};

static void tally(void *ctx, const struct sim_trace_record *rec)
{
	static const sim_ps at[4] = { 500 * MS_PS, 1500 * MS_PS, 1990 * MS_PS, 2000 * MS_PS };
	struct tally *t = ctx;

	if (rec->kind == SIM_TRACE_VMM_PHASE) {
		cr_assert_lt(t->nphases, 4);
		t->phase_t_ps[t->nphases] = rec->t_ps;
		t->phases[t->nphases++] = rec->u.vmm;
		return;
	}
	if (rec->t_ps > 1000 * MS_PS && rec->t_ps < 1500 * MS_PS)
		t->reads_in_stall++;
	for (unsigned i = 0; i < 4; i++)
		if (rec->u.read.start_ps == at[i])
			t->value_at[i] = rec->u.read.value_ns;
}

/*
 * The stall stops the guest at 1 s and lets it run at 1.5 s; the sync is at
 * 2 s.  The ticks: 500 by 0.5 s (500 ms); none taken in the stall, the 500
 * due in it dropped but the latched one, so 1001 at 1.5 s (1.001 s, 499 ms
 * behind) and 1491 at 1.99 s; the sync sets 2 s.  From then on the clock is
 * right, so tick_count passes with the last read's error equal to the first's.
 */
Test(machine_ticks, stall_stops_the_readers_and_the_ticks)
{
	struct scenario *s = parse(stall_json);
	struct tally t = { 0 };
	const struct host_check_result *res;
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_BIT(SIM_TRACE_READ) |
				      SIM_TRACE_BIT(SIM_TRACE_VMM_PHASE), tally, &t));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	cr_assert_eq(t.nphases, 3);
	cr_expect_str_eq(t.phases[0].action, "stall");
	cr_expect_str_eq(t.phases[0].phase, "stop");
	cr_expect_eq(t.phase_t_ps[0], 1000 * MS_PS);
	cr_expect_str_eq(t.phases[1].phase, "resume");
	cr_expect_eq(t.phase_t_ps[1], 1500 * MS_PS);
	cr_expect_str_eq(t.phases[2].action, "time_sync");
	cr_expect_str_eq(t.phases[2].phase, "set");
	cr_expect_eq(t.phase_t_ps[2], 2000 * MS_PS);
	cr_expect_eq(t.reads_in_stall, 0);
	cr_expect_eq(t.value_at[0], 500000000);
	cr_expect_eq(t.value_at[1], 1001000000);
	cr_expect_eq(t.value_at[2], 1491000000);
	cr_expect_eq(t.value_at[3], 2000000000);
	res = machine_host_check_result(m, 0);
	cr_assert(res);
	cr_expect(res->evaluated && res->passed);
	cr_expect_eq(res->worst, 0);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(machine_ticks, vmm_actions_name_their_phases)
{
	const char *const *st = vmm_action_phases(VMM_STALL);
	const char *const *ts = vmm_action_phases(VMM_TIME_SYNC);

	cr_expect_str_eq(vmm_action_name(VMM_STALL), "stall");
	cr_expect_str_eq(st[0], "stop");
	cr_expect_str_eq(st[1], "resume");
	cr_expect_null(st[2]);
	cr_expect_str_eq(vmm_action_name(VMM_TIME_SYNC), "time_sync");
	cr_expect_str_eq(ts[0], "set");
	cr_expect_null(ts[1]);
}

/* Replaces the first `from` in stall_json with `to` and expects that error. */
static void expect_error(const char *from, const char *to, const char *path, const char *msg)
{
	char buf[2048];
	const char *at = strstr(stall_json, from);
	struct sim_diag err;
	struct scenario *s;

	cr_assert(at, "%s", from);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - stall_json), stall_json, to,
		 at + strlen(from));
	sim_diag_clear(&err);
	s = scenario_parse("inline.json", buf, strlen(buf), &err);
	cr_expect_null(s, "%s -> %s: loaded", from, to);
	cr_expect_str_eq(err.path, path, "%s -> %s", from, to);
	cr_expect(strstr(err.msg, msg), "%s -> %s: message '%s'", from, to, err.msg);
	scenario_destroy(s);
}

Test(machine_ticks, loader_rules)
{
	expect_error("\"duration\": \"500ms\" }", "\"duration\": \"500ms\", \"vcpus\": [2] }",
		     "/stalls/0/vcpus/0", "a vCPU index");
	expect_error("\"duration\": \"500ms\" }", "\"duration\": \"500ms\", \"vcpus\": [1, 1] }",
		     "/stalls/0/vcpus/1", "duplicate vCPU 1");
	expect_error("\"duration\": \"500ms\" }", "\"duration\": \"500ms\", \"vcpus\": \"some\" }",
		     "/stalls/0/vcpus", "expected \"all\" or an array of vCPU indices");
	expect_error("\"duration\": \"500ms\"", "\"duration\": \"2s\"", "/stalls/0/at",
		     "not before the end of the run");
	expect_error("{ \"at\": \"2s\" }", "{ \"at\": \"1200ms\" }", "/time_syncs/0/at",
		     "inside /stalls/0");
	expect_error("\"hz\": 1000,", "\"hz\": 1000, \"policy\": \"delay\",", "/readers/0/policy",
		     "expected \"discard\" or \"merge\" for the APIC timer");
	expect_error("\"source\": \"apic\", \"hz\": 1000", "\"source\": \"rtc\", \"hz\": 100",
		     "/readers/0/hz", "a power of 2 from 2 to 8192 Hz, got 100");
	expect_error("\"source\": \"apic\", \"hz\": 1000", "\"source\": \"pit\", \"hz\": 18",
		     "/readers/0/hz", "at least 19 Hz");
	expect_error("\"source\": \"apic\", \"hz\": 1000",
		     "\"source\": \"pit\", \"policy\": \"delay\", \"inject_interval\": \"600us\"",
		     "/readers/0/inject_interval", "at most half a tick");
	expect_error("\"kind\": \"ticks\", \"source\": \"apic\", \"hz\": 1000,",
		     "\"kind\": \"pvclock\", \"hz\": 1000,", "/readers/0/hz",
		     "only allowed when \"kind\" is \"ticks\"");
	expect_error("\"reader\": \"j\"", "\"reader\": \"k\"", "/host_checks/0/reader",
		     "no such reader");
}

/*
 * A stall of vCPU 1 only: the ticks go to vCPU 0, which runs on, so a reader
 * there reads 1.5 s at 1.5 s and nothing is lost; a reader on vCPU 1 stops
 * for the stall and reads the same when it runs again.  A stall of vCPU 0 only
 * loses the ticks as a whole-process one does: 1.001 s at 1.5 s.
 */
struct per_vcpu {
	unsigned reads_in_stall[2];
	uint64_t at_1500ms[2];
};

static void per_vcpu_tally(void *ctx, const struct sim_trace_record *rec)
{
	struct per_vcpu *t = ctx;
	unsigned v = rec->u.read.vcpu;

	cr_assert_lt(v, 2);
	if (rec->t_ps > 1000 * MS_PS && rec->t_ps < 1500 * MS_PS)
		t->reads_in_stall[v]++;
	if (rec->u.read.start_ps == 1500 * MS_PS)
		t->at_1500ms[v] = rec->u.read.value_ns;
}

static void run_per_vcpu(const char *vcpus, struct per_vcpu *t)
{
	char buf[2048];
	struct scenario *s;
	struct machine *m;
	struct sim_diag err;

	snprintf(buf, sizeof(buf),
		 "{ \"name\": \"st\", \"duration\": \"3s\",\n"
		 "  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", "
		 "\"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		 "  \"vm\": { \"host\": \"h\", \"vcpus\": 2 },\n"
		 "  \"stalls\": [ { \"at\": \"1s\", \"duration\": \"500ms\", \"vcpus\": %s } ],\n"
		 "  \"readers\": [ { \"name\": \"j\", \"kind\": \"ticks\", \"source\": \"apic\", "
		 "\"vcpus\": \"all\", \"period\": \"10ms\", \"phase\": \"0s\" } ] }\n", vcpus);
	s = parse(buf);
	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_BIT(SIM_TRACE_READ),
				      per_vcpu_tally, t));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(machine_ticks, stall_of_some_vcpus)
{
	struct per_vcpu one = { 0 }, zero = { 0 };

	run_per_vcpu("[1]", &one);
	cr_expect_gt(one.reads_in_stall[0], 0, "vCPU 0 runs on");
	cr_expect_eq(one.reads_in_stall[1], 0, "vCPU 1 is stalled");
	cr_expect_eq(one.at_1500ms[0], 1500000000);
	cr_expect_eq(one.at_1500ms[1], 1500000000);
	run_per_vcpu("[0]", &zero);
	cr_expect_eq(zero.reads_in_stall[0], 0);
	cr_expect_gt(zero.reads_in_stall[1], 0);
	cr_expect_eq(zero.at_1500ms[0], 1001000000);
	cr_expect_eq(zero.at_1500ms[1], 1001000000);
}

/* Defaults by source: the PIT at 1000 Hz with delay, the RTC at 64 Hz with discard. */
Test(machine_ticks, defaults_by_source)
{
	char buf[2048];
	const char *from = "\"source\": \"apic\", \"hz\": 1000";
	const char *at = strstr(stall_json, from);
	struct scenario *s;

	snprintf(buf, sizeof(buf), "%.*s\"source\": \"pit\"%s", (int)(at - stall_json), stall_json,
		 at + strlen(from));
	s = parse(buf);
	cr_expect_eq(s->readers[0].tick_source, SCN_TICK_PIT);
	cr_expect_eq(s->readers[0].tick_hz, 1000);
	cr_expect_eq(s->readers[0].tick_policy, SCN_TICK_DELAY);
	cr_expect_eq(s->readers[0].inject_interval_ps, 10 * SIM_PS_PER_US);
	cr_expect_eq(s->readers[0].slew_rate, 2);
	scenario_destroy(s);
	snprintf(buf, sizeof(buf), "%.*s\"source\": \"rtc\"%s", (int)(at - stall_json), stall_json,
		 at + strlen(from));
	s = parse(buf);
	cr_expect_eq(s->readers[0].tick_hz, 64);
	cr_expect_eq(s->readers[0].tick_policy, SCN_TICK_DISCARD);
	cr_expect_eq(s->vms[0].nstalls, 1);
	cr_expect_eq(s->vms[0].stalls[0].duration_ps, 500 * MS_PS);
	cr_expect_eq(s->vms[0].ntime_syncs, 1);
	scenario_destroy(s);
}
