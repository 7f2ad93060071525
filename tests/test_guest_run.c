/*
 * When the guest stops and runs, as data: the VMM's guest_run records
 * (sim/vmm/vmm.c), and the outages a ticks reader takes from the VM's stops
 * on either board (sim/machine/tick_setup.c).  clock_consistency's use of
 * the records is in test_oracle_hw.c.  Expected values are derived in the comments.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sim/devices/platform.h"
#include "sim/kvm/pvclock.h"
#include "sim/kvm/tick_delivery.h"
#include "sim/machine/tick_setup.h"
#include "sim/vmm/vmm.h"
#include "tests/machine_rig.h"

#define MS_PS SIM_PS_PER_MS
#define S_PS SIM_PS_PER_S

/*
 * A pause 1 s to 2 s, a snapshot paused at 3 s, captured 10 ms later and
 * restored 1 s after that (4.01 s), a stall of every vCPU 6 s to 6.5 s, a
 * stall of vCPU 1 alone at 7 s.  The guest stops and runs three times: the
 * pause and the snapshot stop the VM (vm_stop: its time base stops), the
 * whole stall stops the VMM process (the time base runs on); the stall of
 * one vCPU stops no guest.
 */
static const char *const actions_json =
	"{ \"name\": \"gr\", \"duration\": \"8s\",\n"
	"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
	"  \"vm\": { \"host\": \"h\", \"vcpus\": 2 },\n"
	"  \"pauses\": [ { \"at\": \"1s\", \"duration\": \"1s\" } ],\n"
	"  \"snapshots\": [ { \"at\": \"3s\", \"capture_after\": \"10ms\", \"gap\": \"1s\" } ],\n"
	"  \"stalls\": [ { \"at\": \"6s\", \"duration\": \"500ms\" },\n"
	"              { \"at\": \"7s\", \"duration\": \"500ms\", \"vcpus\": [1] } ],\n"
	"  \"readers\": [ { \"name\": \"k\", \"kind\": \"pvclock\", \"vcpus\": [0], \"period\": \"100ms\" } ] }\n";

struct runs {
	unsigned n;
	struct sim_trace_guest_run r[8];
	sim_ps t_ps[8];
};

static void on_run(void *ctx, const struct sim_trace_record *rec)
{
	struct runs *rs = ctx;

	cr_assert_eq(rec->kind, SIM_TRACE_GUEST_RUN);
	cr_assert_lt(rs->n, 8);
	rs->t_ps[rs->n] = rec->t_ps;
	rs->r[rs->n++] = rec->u.run;
}

Test(guest_run, the_vmm_publishes_each_stop_and_run_of_the_guest)
{
	static const struct {
		const char *action;
		bool running, vm_clock;
		sim_ps t_ps;
	} want[6] = {
		{ "pause", false, true, 1 * S_PS },        { "pause", true, true, 2 * S_PS },
		{ "snapshot", false, true, 3 * S_PS },     { "snapshot", true, true, 4010 * MS_PS },
		{ "stall", false, false, 6 * S_PS },       { "stall", true, false, 6500 * MS_PS },
	};
	struct scenario *s = parse(actions_json);
	struct runs rs = { 0 };
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_BIT(SIM_TRACE_GUEST_RUN), on_run,
				      &rs));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	cr_assert_eq(rs.n, 6);
	for (unsigned i = 0; i < 6; i++) {
		cr_expect_str_eq(rs.r[i].action, want[i].action, "record %u", i);
		cr_expect_eq(rs.r[i].running, want[i].running, "record %u", i);
		cr_expect_eq(rs.r[i].vm_clock, want[i].vm_clock, "record %u", i);
		cr_expect_eq(rs.t_ps[i], want[i].t_ps, "record %u", i);
		cr_expect_eq(rs.r[i].index, 0, "record %u", i);
	}
	cr_expect_str_eq(sim_trace_kind_name(SIM_TRACE_GUEST_RUN), "guest_run");
	cr_expect(vmm_action_stops_vm_clock(VMM_PAUSE) && vmm_action_stops_vm_clock(VMM_SNAPSHOT) &&
		  vmm_action_stops_vm_clock(VMM_MIGRATION) && !vmm_action_stops_vm_clock(VMM_STALL));
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * A Windows-like clock counting the RTC's periodic interrupt at 64 Hz
 * (15.625 ms a tick: tick n due at n/64 s of the device's time), discard,
 * read every 250 ms; the VM pauses 1 s to 2 s, and the VMM process stalls
 * 2.5 s to 3 s; the run ends at 4 s.  %s: the board ("host" or "vm").
 */
/* a macro: -Wformat-nonliteral sees the literal at -O0 too */
#define RTC_JSON_FMT \
	"{ \"name\": \"rtc\", \"duration\": \"4s\",\n" \
	"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n" \
	"  \"vm\": { \"host\": \"h\", \"vcpus\": 2, \"board\": \"%s\" },\n" \
	"  \"pauses\": [ { \"at\": \"1s\", \"duration\": \"1s\" } ],\n" \
	"  \"stalls\": [ { \"at\": \"2.5s\", \"duration\": \"500ms\" } ],\n" \
	"  \"readers\": [ { \"name\": \"w\", \"kind\": \"ticks\", \"source\": \"%s\", \"policy\": \"discard\",\n" \
	"    \"vcpus\": [0], \"period\": \"250ms\", \"phase\": \"0s\" } ],\n" \
	"  \"host_checks\": [ { \"check\": \"tick_count\", \"reader\": \"w\", \"expect\": \"%s\" } ] }\n"

static struct scenario *rtc_scenario(const char *board, const char *source, const char *expect)
{
	static char text[2048];

	snprintf(text, sizeof(text), RTC_JSON_FMT, board, source, expect);
	return parse(text);
}

/*
 * Board on host time: the pause is an outage like the stall, both on true
 * time: [1 s, 2 s) and [2.5 s, 3 s).  By 4 s: ticks 65..128 due in the pause
 * are missed but the latched one (63 lost), ticks 161..192 in the stall
 * likewise (31 lost): 256 - 94 = 162 taken, the clock 162/64 = 2.53125 s.
 */
Test(guest_run, a_pause_is_an_outage_on_a_board_on_host_time)
{
	struct scenario *s = rtc_scenario("host", "rtc", "fail");
	struct tick_clock_config c = machine_tick_config(s, &s->readers[0]);
	const struct tick_delivery *d = &c.delivery;

	cr_assert_eq(d->noutages, 2);
	cr_expect_eq(d->nstops, 0);
	cr_expect_eq(d->outages[0].from_ps, 1 * S_PS);
	cr_expect_eq(d->outages[0].to_ps, 2 * S_PS);
	cr_expect_str_eq(d->outage_what[0], "pause");
	cr_expect_eq(d->outages[1].from_ps, 2500 * MS_PS);
	cr_expect_eq(d->outages[1].to_ps, 3 * S_PS);
	cr_expect_str_eq(d->outage_what[1], "stall");
	cr_expect_eq(tick_device_time(d, 4 * S_PS), 4 * S_PS);
	cr_expect_eq(tick_delivered(d, 4 * S_PS), 162);
	cr_expect_eq(tick_clock_ns(&c, 4 * S_PS), 2531250000u);
	scenario_destroy(s);
}

/*
 * Board on the VM's time base: the RTC stops with the VM for the pause, so
 * the device's time at t >= 2 s is t - 1 s; the stall (the VMM process; the
 * device runs on) is an outage on that time, [1.5 s, 2 s).  By 4 s (device
 * 3 s): 192 due, ticks 97..128 missed but the latched one (31 lost): 161
 * taken, 161/64 = 2.515625 s.  The APIC timer is KVM's, not the board's: for
 * it the pause stays an outage on true time.
 */
Test(guest_run, a_board_on_the_vms_time_base_stops_with_the_vm)
{
	struct scenario *s = rtc_scenario("vm", "rtc", "fail");
	struct scenario *a = rtc_scenario("vm", "apic", "fail");
	struct tick_clock_config c = machine_tick_config(s, &s->readers[0]);
	struct tick_clock_config ca = machine_tick_config(a, &a->readers[0]);
	const struct tick_delivery *d = &c.delivery;

	cr_assert_eq(d->nstops, 1);
	cr_expect_eq(d->stops[0].from_ps, 1 * S_PS);
	cr_expect_eq(d->stops[0].to_ps, 2 * S_PS);
	cr_assert_eq(d->noutages, 1);
	cr_expect_eq(d->outages[0].from_ps, 1500 * MS_PS);
	cr_expect_eq(d->outages[0].to_ps, 2 * S_PS);
	cr_expect_str_eq(d->outage_what[0], "stall");
	cr_expect_eq(tick_device_time(d, 500 * MS_PS), 500 * MS_PS);
	cr_expect_eq(tick_device_time(d, 1500 * MS_PS), 1 * S_PS);
	cr_expect_eq(tick_device_time(d, 4 * S_PS), 3 * S_PS);
	cr_expect_eq(tick_delivered(d, tick_device_time(d, 4 * S_PS)), 161);
	cr_expect_eq(tick_clock_ns(&c, 4 * S_PS), 2515625000u);
	cr_expect_eq(ca.delivery.nstops, 0);
	cr_expect_eq(ca.delivery.noutages, 2);
	cr_expect_str_eq(ca.delivery.outage_what[0], "pause");
	scenario_destroy(s);
	scenario_destroy(a);
}

/*
 * The whole machine, the pause alone (no stall): on host time 63 ticks are
 * dropped, the clock ends 63/64 s = 984.375 ms behind (tick_count FAIL); on
 * the VM's time base none is, and against the device's time the clock ends
 * level (PASS, worst 0: the reads fall on whole ticks).
 */
Test(guest_run, tick_count_across_a_pause_on_either_board)
{
	static const char *const boards[2] = { "host", "vm" };
	static const char *const expect[2] = { "fail", "pass" };

	for (unsigned b = 0; b < 2; b++) {
		struct scenario *s = rtc_scenario(boards[b], "rtc", expect[b]);
		const struct host_check_result *r;
		struct machine *m;

		s->vms[0].nstalls = 0;
		m = run(s);
		r = machine_host_check_result(m, 0);
		cr_assert(r);
		cr_expect(r->evaluated, "%s", boards[b]);
		cr_expect_eq(r->passed, b == 1, "%s: %s", boards[b], r->first);
		cr_expect_eq(r->worst, b == 0 ? -984375 * (int64_t)SIM_PS_PER_US : 0, "%s: %lld",
			     boards[b], (long long)r->worst);
		if (b == 0)
			cr_expect(strstr(r->first, "63 of the 64 ticks missed in the pause were dropped"),
				  "%s", r->first);
		else
			cr_expect(strstr(r->note, "the board stood still with the VM once for 1 s"),
				  "%s", r->note);
		machine_destroy(m);
		scenario_destroy(s);
	}
}

/*
 * The machine's board on the VM's time base stops for the pause (1 s to
 * 2 s) and not for the stall (2.5 s to 3 s): at 4 s its time is 3 s, the
 * time the ticks reader's device has too.
 */
Test(guest_run, a_stall_does_not_stop_a_vm_owned_board)
{
	struct scenario *s = rtc_scenario("vm", "rtc", "pass");
	struct tick_clock_config c = machine_tick_config(s, &s->readers[0]);
	struct machine *m = run(s);

	cr_expect_not(platform_stopped(machine_board(m)));
	cr_expect_eq(platform_time(machine_board(m), 4 * S_PS), 3 * S_PS);
	cr_expect_eq(tick_device_time(&c.delivery, 4 * S_PS), 3 * S_PS);
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * The VM's host suspends to RAM 1 s to 11 s.  The machine publishes a
 * host_sleep guest_run record at each end (vm_clock: the whole VM stops), and
 * KVM's PM notifier (kvm_arch_suspend_notifier()) marks both vCPUs paused at
 * the suspend: each vCPU's first page write after the resume carries
 * PVCLOCK_GUEST_STOPPED, none before.
 */
static const char *const sleep_json =
	"{ \"name\": \"sl\", \"duration\": \"13s\",\n"
	"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
	"  \"vm\": { \"host\": \"h\", \"vcpus\": 2 },\n"
	"  \"events\": [ { \"type\": \"suspend\", \"at\": \"1s\", \"kind\": \"S3\", \"duration\": \"10s\" } ],\n"
	"  \"readers\": [ { \"name\": \"k\", \"kind\": \"pvclock\", \"vcpus\": [0], \"period\": \"100ms\" } ] }\n";

struct sleep_tally {
	struct runs runs;
	unsigned flagged_before, first_after[2];
	bool seen_after[2];
};

static void on_sleep_rec(void *ctx, const struct sim_trace_record *rec)
{
	struct sleep_tally *t = ctx;

	if (rec->kind == SIM_TRACE_GUEST_RUN) {
		on_run(&t->runs, rec);
		return;
	}
	if (rec->t_ps < 11 * S_PS) {
		t->flagged_before += (rec->u.pvclock.flags & PVCLOCK_GUEST_STOPPED) != 0;
	} else if (rec->u.pvclock.vcpu < 2 && !t->seen_after[rec->u.pvclock.vcpu]) {
		t->seen_after[rec->u.pvclock.vcpu] = true;
		t->first_after[rec->u.pvclock.vcpu] = rec->u.pvclock.flags;
	}
}

Test(guest_run, host_sleep_stops_the_guest_and_kvm_marks_it_paused)
{
	struct scenario *s = parse(sleep_json);
	struct sleep_tally t = { 0 };
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_BIT(SIM_TRACE_GUEST_RUN) |
				      SIM_TRACE_BIT(SIM_TRACE_PVCLOCK_WRITE), on_sleep_rec, &t));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	cr_assert_eq(t.runs.n, 2);
	cr_expect_str_eq(t.runs.r[0].action, "host_sleep");
	cr_expect(!t.runs.r[0].running && t.runs.r[0].vm_clock);
	cr_expect_eq(t.runs.t_ps[0], 1 * S_PS);
	cr_expect(t.runs.r[1].running);
	cr_expect_eq(t.runs.t_ps[1], 11 * S_PS);
	cr_expect_eq(t.flagged_before, 0);
	for (unsigned i = 0; i < 2; i++) {
		cr_expect(t.seen_after[i], "vCPU %u", i);
		cr_expect(t.first_after[i] & PVCLOCK_GUEST_STOPPED, "vCPU %u: flags %#x", i,
			  t.first_after[i]);
	}
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * On a board on host time a snapshot is an outage from its pause to its
 * restore (1 s + 10 ms + 1 s: [1 s, 2.01 s)) and a migration one of its
 * downtime ([3 s, 3.5 s)); ticks on the RTC at 64 Hz, discard: by 4 s, the
 * first misses ticks 65..128 (floor(2.01 x 64) = 128) and drops 63 of them
 * (one is latched), the second misses 193..224 and drops 31: 256 - 94 = 162.
 */
Test(guest_run, snapshots_and_migrations_are_outages_on_a_board_on_host_time)
{
	static const char *const json =
		"{ \"name\": \"sm\", \"duration\": \"4s\",\n"
		"  \"hosts\": [ { \"name\": \"a\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] },\n"
		"             { \"name\": \"b\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"vm\": { \"host\": \"a\", \"vcpus\": 2 },\n"
		"  \"snapshots\": [ { \"at\": \"1s\", \"capture_after\": \"10ms\", \"gap\": \"1s\" } ],\n"
		"  \"migrations\": [ { \"at\": \"3s\", \"to\": \"b\", \"downtime\": \"500ms\" } ],\n"
		"  \"readers\": [ { \"name\": \"w\", \"kind\": \"ticks\", \"source\": \"rtc\", \"policy\": \"discard\",\n"
		"    \"vcpus\": [0], \"period\": \"250ms\" } ] }\n";
	struct scenario *s = parse(json);
	struct tick_clock_config c = machine_tick_config(s, &s->readers[0]);
	const struct tick_delivery *d = &c.delivery;

	cr_assert_eq(d->noutages, 2);
	cr_expect_eq(d->nstops, 0);
	cr_expect_eq(d->outages[0].from_ps, 1 * S_PS);
	cr_expect_eq(d->outages[0].to_ps, 2010 * MS_PS);
	cr_expect_str_eq(d->outage_what[0], "snapshot");
	cr_expect_eq(d->outages[1].from_ps, 3 * S_PS);
	cr_expect_eq(d->outages[1].to_ps, 3500 * MS_PS);
	cr_expect_str_eq(d->outage_what[1], "migration");
	cr_expect_eq(tick_delivered(d, 4 * S_PS), 162);
	scenario_destroy(s);
}

/*
 * A VM-owned board, the pause 1 s to 2 s, the guest agent's sync at 3 s: the
 * clock counts 2 s of RTC ticks by 3 s (the board stood still 1 s), the sync
 * sets it to 3 s, and at 4 s it reads 3 s + 1 s of ticks = 4 s.  tick_count's
 * reference is the board's time plus what the sync added: 3 s + 1 s = 4 s at
 * 4 s, so the clock is level (worst 0), not 1 s ahead.
 */
Test(guest_run, a_sync_after_a_stop_of_a_vm_owned_board_is_level)
{
	static const char *const json =
		"{ \"name\": \"vs\", \"duration\": \"4.5s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"vm\": { \"host\": \"h\", \"vcpus\": 2, \"board\": \"vm\" },\n"
		"  \"pauses\": [ { \"at\": \"1s\", \"duration\": \"1s\" } ],\n"
		"  \"time_syncs\": [ { \"at\": \"3s\" } ],\n"
		"  \"readers\": [ { \"name\": \"w\", \"kind\": \"ticks\", \"source\": \"rtc\", \"policy\": \"discard\",\n"
		"    \"vcpus\": [0], \"period\": \"250ms\", \"phase\": \"0s\" } ],\n"
		"  \"host_checks\": [ { \"check\": \"tick_count\", \"reader\": \"w\", \"expect\": \"pass\" } ] }\n";
	struct scenario *s = parse(json);
	struct tick_clock_config c = machine_tick_config(s, &s->readers[0]);
	const struct host_check_result *r;
	struct machine *m;

	cr_expect_eq(tick_clock_ns(&c, 4 * S_PS), 4000000000u);
	m = run(s);
	r = machine_host_check_result(m, 0);
	cr_assert(r);
	cr_expect(r->evaluated && r->passed, "%s", r->first);
	cr_expect_eq(r->worst, 0);
	machine_destroy(m);
	scenario_destroy(s);
}
