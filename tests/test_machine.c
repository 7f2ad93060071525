/*
 * End-to-end behaviour of the machine: a scenario text in, oracle verdicts
 * and migration logs out.  Expectations come from the scenario's own
 * parameters in closed form (downtime, realtime errors, TSC rates), not from
 * earlier runs.
 */
#include <criterion/criterion.h>

#include "sim/devices/platform.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/machine/machine.h"
#include "sim/scenario/scenario.h"
#include "tests/machine_rig.h"

#define MS_PS (1000ULL * 1000 * 1000)

/*
 * A 2-vCPU guest on host A (3 GHz, up 10 days), migrated at 1 s with 300 ms
 * of downtime to host B (2 GHz, up 1 hour, its realtime off by dst_real_err).
 */
static struct scenario *migration_scenario(const char *set_clock, const char *tsc_carry,
					   bool tsc_scaling, const char *dst_real_err)
{
	static char buf[4096];
	struct sim_diag err;
	struct scenario *s;

	snprintf(buf, sizeof(buf),
		 "{ \"name\": \"t\", \"duration\": \"3s\",\n"
		 "  \"hosts\": [\n"
		 "    { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"10d\", \"sockets\": [ { \"cpus\": 2 } ] },\n"
		 "    { \"name\": \"B\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", \"realtime_error\": \"%s\",\n"
		 "      \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		 "  \"vm\": { \"host\": \"A\", \"vcpus\": 2, \"uptime\": \"2h\" },\n"
		 "  \"migrations\": [ { \"at\": \"1s\", \"to\": \"B\", \"downtime\": \"300ms\",\n"
		 "    \"set_clock\": \"%s\", \"tsc_carry\": \"%s\", \"tsc_scaling\": %s } ],\n"
		 "  \"readers\": [\n"
		 "    { \"name\": \"kc\", \"kind\": \"pvclock\", \"vcpus\": \"all\", \"period\": \"1ms\",\n"
		 "      \"jitter\": \"200us\",\n"
		 "      \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" },\n"
		 "                  \"mono_causal\": { \"expect\": \"pass\" },\n"
		 "                  \"max_error\": { \"threshold\": \"1ms\", \"expect\": \"pass\" } } },\n"
		 "    { \"name\": \"tsc\", \"kind\": \"tsc\", \"vcpus\": [0], \"period\": \"1ms\",\n"
		 "      \"checks\": { \"rate\": { \"threshold\": \"500ppm\", \"expect\": \"pass\" } } } ] }\n",
		 dst_real_err, set_clock, tsc_carry, tsc_scaling ? "true" : "false");
	sim_diag_clear(&err);
	s = scenario_parse("inline.json", buf, strlen(buf), &err);
	cr_assert(s, "scenario: %s: %s", err.path, err.msg);
	return s;
}

/* kvmclock after the migration minus before it, in ns. */
static int64_t kvmclock_jump_ns(const struct machine *m)
{
	const struct vmm_migration_log *log = machine_migration_log(m, 0, 0);

	cr_assert(log && log->done);
	return (int64_t)(log->kvmclock_after_ns - log->kvmclock_before_ns);
}

Test(machine, set_clock_realtime_advances_by_the_downtime)
{
	struct scenario *s = migration_scenario("realtime", "frozen", false, "0s");
	struct machine *m = run(s);
	const struct oracle_check_result *r = machine_check_results(m, 0);
	int64_t jump = kvmclock_jump_ns(m);

	/* Both hosts' realtime is true UTC: the clock advances by the 300 ms downtime. */
	cr_expect(jump >= 300000000 - 10 && jump <= 300000000 + 10, "jump %" PRId64, jump);
	cr_expect(r[ORACLE_MONO_VCPU].passed && r[ORACLE_MONO_CAUSAL].passed);
	cr_expect(r[ORACLE_MAX_ERROR].passed, "error %" PRId64 " ps", r[ORACLE_MAX_ERROR].worst);
	cr_expect(machine_migration_log(m, 0, 0)->set_flags == KVM_CLOCK_REALTIME);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(machine, set_clock_realtime_uses_the_destination_realtime)
{
	/* B's realtime runs 50 ms behind A's: only 250 ms of realtime elapsed as KVM sees it. */
	struct scenario *s = migration_scenario("realtime", "frozen", false, "-50ms");
	struct machine *m = run(s);
	int64_t jump = kvmclock_jump_ns(m);

	cr_expect(jump >= 250000000 - 10 && jump <= 250000000 + 10, "jump %" PRId64, jump);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(machine, set_clock_realtime_never_steps_back)
{
	/* B's realtime is 400 ms behind: elapsed realtime is negative, so no advance at all. */
	struct scenario *s = migration_scenario("realtime", "frozen", false, "-400ms");
	struct machine *m = run(s);
	const struct oracle_check_result *r = machine_check_results(m, 0);
	int64_t jump = kvmclock_jump_ns(m);

	cr_expect(jump >= -10 && jump <= 10, "jump %" PRId64, jump);
	cr_expect(r[ORACLE_MONO_VCPU].passed);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(machine, set_clock_without_realtime_freezes_kvmclock_for_the_downtime)
{
	struct scenario *s = migration_scenario("clock", "frozen", false, "0s");
	struct machine *m = run(s);
	const struct oracle_check_result *r = machine_check_results(m, 0);
	int64_t jump = kvmclock_jump_ns(m);

	cr_expect(jump >= -10 && jump <= 10, "jump %" PRId64, jump);
	/* Behind true time by the whole downtime: -300 ms fails the 1 ms error bound. */
	cr_expect(!r[ORACLE_MAX_ERROR].passed);
	cr_expect(r[ORACLE_MAX_ERROR].worst <= -(int64_t)(300 * MS_PS) + 10000 &&
		  r[ORACLE_MAX_ERROR].worst >= -(int64_t)(300 * MS_PS) - 10000,
		  "worst %" PRId64, r[ORACLE_MAX_ERROR].worst);
	cr_expect(machine_migration_log(m, 0, 0)->set_flags == 0);
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * Without KVM_SET_CLOCK the destination keeps the source's kvmclock offset:
 * kvmclock moves by B's monotonic clock minus A's.  Here B (up 11 d) is
 * ahead of A (up 10 d): 11 d - 10 d + 300 ms.
 */
Test(machine, no_set_clock_moves_kvmclock_by_the_host_uptime_difference)
{
	static const char text[] =
		"{ \"name\": \"t\", \"duration\": \"3s\",\n"
		"  \"hosts\": [\n"
		"    { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"10d\", \"sockets\": [ { \"cpus\": 2 } ] },\n"
		"    { \"name\": \"B\", \"tsc\": \"2GHz\", \"uptime\": \"11d\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"vm\": { \"host\": \"A\", \"vcpus\": 2, \"uptime\": \"2h\" },\n"
		"  \"migrations\": [ { \"at\": \"1s\", \"to\": \"B\", \"downtime\": \"300ms\",\n"
		"    \"set_clock\": \"none\" } ],\n"
		"  \"readers\": [ { \"name\": \"kc\", \"kind\": \"pvclock\", \"vcpus\": \"all\",\n"
		"    \"period\": \"1ms\" } ] }\n";
	struct scenario *s = parse(text);
	struct machine *m = run(s);
	int64_t jump = kvmclock_jump_ns(m);
	int64_t expect = 86400LL * 1000000000 + 300000000;

	cr_expect(jump >= expect - 10 && jump <= expect + 10, "jump %" PRId64 " expected %" PRId64,
		  jump, expect);
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * The same onto a host up only 1 h: kvmclock would be 2 h + 1 h - 10 d < 0,
 * which KVM's u64 system_time wraps to ~2^64 ns.  The run stops at B's first
 * page instead (kvm.c, system_time_fits()), naming the vCPU and the sum.
 */
Test(machine, no_set_clock_onto_a_younger_host_stops_the_run_before_kvmclock_wraps)
{
	struct scenario *s = migration_scenario("none", "frozen", false, "0s");
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "%s", err.msg);
	cr_expect_not(machine_run(m, &err));
	cr_expect(strstr(err.msg, "on host \"B\": system_time = host clock 3601300000000 ns + "
			 "kvmclock_offset -856800000000000 ns is below 0: kvmclock would wrap") != NULL,
		  "%s", err.msg);
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * With nothing subscribed to the trace stream, the VMM still sees KVM's page
 * writes (only a migration waits for one): the first page after the resume
 * (1 s + 300 ms downtime) lands in its log.
 */
Test(machine, migration_sees_the_first_page_without_a_trace_subscriber)
{
	struct scenario *s = migration_scenario("realtime", "frozen", false, "0s");
	struct machine *m = run(s);
	const struct vmm_migration_log *log = machine_migration_log(m, 0, 0);

	cr_assert(log && log->done);
	cr_expect(log->page_after, "the destination's first page reached the VMM");
	cr_expect(log->kvmclock_after_ns >= log->kvmclock_before_ns + 300000000ULL - 10,
		  "kvmclock after %" PRIu64 " before %" PRIu64, log->kvmclock_after_ns,
		  log->kvmclock_before_ns);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(machine, frozen_tsc_resumes_where_it_stopped)
{
	struct scenario *s = migration_scenario("realtime", "frozen", false, "0s");
	struct machine *m = run(s);
	const struct vmm_migration_log *log = machine_migration_log(m, 0, 0);

	cr_expect_eq(log->guest_tsc_after, log->guest_tsc_before);
	/* Without scaling the guest now runs at B's rate. */
	cr_expect_eq(log->tsc_khz_before, 3000000);
	cr_expect_eq(log->tsc_khz_after, 2000000);
	cr_expect(!log->scaled);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(machine, advanced_tsc_counts_the_downtime_at_the_guest_rate)
{
	struct scenario *s = migration_scenario("realtime", "advance", true, "0s");
	struct machine *m = run(s);
	const struct vmm_migration_log *log = machine_migration_log(m, 0, 0);

	/* 300 ms at the guest's 3 GHz (kept by scaling): 900,000,000 cycles. */
	cr_expect_eq(log->guest_tsc_after - log->guest_tsc_before, 900000000ULL,
		     "advanced by %" PRIu64, log->guest_tsc_after - log->guest_tsc_before);
	cr_expect(log->scaled);
	cr_expect_eq(log->tsc_khz_after, 3000000);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(machine, unscaled_tsc_reader_runs_a_third_slow)
{
	struct scenario *s = migration_scenario("realtime", "frozen", false, "0s");
	struct machine *m = run(s);
	const struct oracle_check_result *r = machine_check_results(m, 1);

	/* 2 GHz counted as 3 GHz: (2/3 - 1) = -333333.333 ppm, within the kvmclock kHz rounding. */
	cr_expect(!r[ORACLE_RATE].passed);
	cr_expect(r[ORACLE_RATE].worst <= -333333000 && r[ORACLE_RATE].worst >= -333334000,
		  "rate %" PRId64 " ppb", r[ORACLE_RATE].worst);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(machine, scaled_tsc_reader_keeps_its_rate)
{
	struct scenario *s = migration_scenario("realtime", "frozen", true, "0s");
	struct machine *m = run(s);
	const struct oracle_check_result *r = machine_check_results(m, 1);

	cr_expect(r[ORACLE_RATE].passed, "rate %" PRId64 " ppb", r[ORACLE_RATE].worst);
	/* kvmclock's kHz for 3 GHz loses well under 1 ppm. */
	cr_expect(r[ORACLE_RATE].worst > -1000 && r[ORACLE_RATE].worst < 1000);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(machine, same_seed_same_results_other_seed_other_reads)
{
	struct scenario *s = migration_scenario("realtime", "frozen", false, "0s");
	struct machine *a = run(s), *b = run(s), *c;
	const struct oracle_check_result *ra = machine_check_results(a, 0);
	const struct oracle_check_result *rb = machine_check_results(b, 0);

	cr_expect_eq(machine_events(a), machine_events(b));
	cr_expect_eq(memcmp(ra, rb, sizeof(*ra) * ORACLE_CHECK_COUNT), 0);
	s->seed = 12345;
	c = run(s);
	/*
	 * Read phases move with the seed, so the reads land on other picoseconds
	 * and the worst sub-ns rounding error of kvmclock lands elsewhere.
	 */
	cr_expect_neq(machine_check_results(c, 0)[ORACLE_MAX_ERROR].worst,
		      ra[ORACLE_MAX_ERROR].worst);
	machine_destroy(a);
	machine_destroy(b);
	machine_destroy(c);
	scenario_destroy(s);
}

/*
 * A bare-metal tsc reader on a 0.5 % down-spread clock: with tsc_known_freq
 * advertised, Linux uses the enumerated 3 GHz and its clock runs at the mean
 * rate 1 - 0.0025, i.e. -2500 ppm; without it, Linux calibrates against the
 * actual (mean) rate and the error vanishes.
 */
static int64_t ssc_reader_rate_ppb(bool known_freq)
{
	static char buf[2048];
	struct sim_diag err;
	struct scenario *s;
	struct machine *m;
	int64_t worst;

	snprintf(buf, sizeof(buf),
		 "{ \"name\": \"ssc\", \"duration\": \"20s\",\n"
		 "  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		 "    \"tsc_features\": { \"advertise\": { \"tsc_known_freq\": %s } },\n"
		 "    \"sockets\": [ { \"cpus\": 1, \"ssc\": { \"mode\": \"down\", \"spread\": \"0.5%%\" } } ] } ],\n"
		 "  \"readers\": [ { \"name\": \"c\", \"kind\": \"tsc\", \"host\": \"h\", \"cpus\": [0],\n"
		 "    \"period\": \"100ms\",\n"
		 "    \"checks\": { \"rate\": { \"threshold\": \"500ppm\", \"window\": \"5s\", \"expect\": \"pass\" } } } ] }\n",
		 known_freq ? "true" : "false");
	sim_diag_clear(&err);
	s = scenario_parse("ssc.json", buf, strlen(buf), &err);
	cr_assert(s, "%s: %s", err.path, err.msg);
	m = run(s);
	worst = machine_check_results(m, 0)[ORACLE_RATE].worst;
	machine_destroy(m);
	scenario_destroy(s);
	return worst;
}

Test(machine, known_frequency_flag_decides_whether_linux_calibrates)
{
	int64_t trusted = ssc_reader_rate_ppb(true);
	int64_t calibrated = ssc_reader_rate_ppb(false);

	cr_expect(trusted <= -2499000 && trusted >= -2501000, "known freq: %" PRId64 " ppb", trusted);
	cr_expect(calibrated > -1000 && calibrated < 1000, "calibrated: %" PRId64 " ppb", calibrated);
}

/*
 * A VM migrated from A to B (stopped 1 s .. 1.3 s) while host C, which it never
 * touches, suspends from 1.1 s to 2.1 s: C's bare-metal reader does not stop
 * for the VM's downtime, and the VM's resume does not wake it while C sleeps.
 * It reads once per ms for the 2 s that C is awake.
 */
Test(machine, bare_metal_readers_ignore_the_vms_pauses)
{
	struct scenario *s = parse(
		"{ \"name\": \"mix\", \"duration\": \"3s\",\n"
		"  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] },\n"
		"    { \"name\": \"B\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] },\n"
		"    { \"name\": \"C\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"vm\": { \"host\": \"A\", \"vcpus\": 1, \"uptime\": \"1h\" },\n"
		"  \"migrations\": [ { \"at\": \"1s\", \"to\": \"B\", \"downtime\": \"300ms\" } ],\n"
		"  \"readers\": [\n"
		"    { \"name\": \"kc\", \"kind\": \"pvclock\", \"vcpus\": \"all\", \"period\": \"1ms\",\n"
		"      \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } },\n"
		"    { \"name\": \"bm\", \"kind\": \"tsc\", \"host\": \"C\", \"cpus\": [0], \"period\": \"1ms\",\n"
		"      \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } } ],\n"
		"  \"events\": [ { \"type\": \"suspend\", \"host\": \"C\", \"at\": \"1100ms\", \"kind\": \"S3\",\n"
		"    \"duration\": \"1s\" } ] }\n");
	struct machine *m = run(s);
	uint64_t vm_reads = machine_group_stats(m, 0).reads;
	uint64_t bm_reads = machine_group_stats(m, 1).reads;

	cr_expect(vm_reads >= 2695 && vm_reads <= 2705, "VM reader: %" PRIu64 " reads", vm_reads);
	cr_expect(bm_reads >= 1995 && bm_reads <= 2005, "bare-metal reader: %" PRIu64 " reads", bm_reads);
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * Two C6 residencies back to back on a CPU whose TSC stops in C6: the first
 * ends at 1.01 s exactly as the second begins, so the TSC stops for 20 ms in
 * all.  (The second must not begin before the first ends.)
 */
Test(machine, back_to_back_cstates_end_before_the_next_begins)
{
	struct scenario *s = parse(
		"{ \"name\": \"adj\", \"duration\": \"2s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"tsc_features\": { \"nonstop\": false }, \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"readers\": [ { \"name\": \"c\", \"kind\": \"rdtsc\", \"cpus\": [1], \"period\": \"1ms\",\n"
		"    \"checks\": { \"max_error\": { \"threshold\": \"1ms\", \"expect\": \"fail\" } } } ],\n"
		"  \"events\": [\n"
		"    { \"type\": \"cstate\", \"at\": \"1s\", \"cpus\": [1], \"state\": \"C6\", \"duration\": \"10ms\" },\n"
		"    { \"type\": \"cstate\", \"at\": \"1010ms\", \"cpus\": [1], \"state\": \"C6\", \"duration\": \"10ms\" } ] }\n");
	struct machine *m = run(s);
	int64_t worst = machine_check_results(m, 0)[ORACLE_MAX_ERROR].worst;

	cr_expect(worst <= -19990 * (int64_t)1000000 && worst >= -20010 * (int64_t)1000000,
		  "worst %" PRId64 " ps, expected -20 ms", worst);
	machine_destroy(m);
	scenario_destroy(s);
}

/* A C-state whose end lies beyond 2^64 ps simply lasts the whole run. */
Test(machine, cstate_ending_beyond_the_time_range_lasts_the_run)
{
	struct scenario *s = parse(
		"{ \"name\": \"lc\", \"duration\": \"2s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"readers\": [ { \"name\": \"c\", \"kind\": \"tsc\", \"cpus\": [0], \"period\": \"1ms\",\n"
		"    \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } } ],\n"
		"  \"events\": [ { \"type\": \"cstate\", \"at\": \"1s\", \"cpus\": [1], \"state\": \"C1\",\n"
		"    \"duration\": \"18446744073709551615ps\" } ] }\n");
	struct machine *m = run(s);

	/* At the end of the run CPU 1 is still in C1; CPU 0 never left C0. */
	cr_expect_eq(machine_host(m, 0)->cpus[1].tsc.cstate, 1);
	cr_expect_eq(machine_host(m, 0)->cpus[0].tsc.cstate, 0);
	cr_expect_null(machine_host(m, 1));
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * The same residency in C6 on a TSC that stops in C6: the TSC stands still
 * from 1 s to the end of the 2 s run, so CPU 1's rdtsc reader (one read per
 * 1 ms) falls behind true time by up to the last read's distance from 1 s:
 * worst error between -1 s and -(1 s - 1 ms) (the last read is in the run's
 * final period).
 */
Test(machine, cstate_ending_beyond_the_time_range_stops_the_tsc_to_the_end)
{
	struct scenario *s = parse(
		"{ \"name\": \"lc6\", \"duration\": \"2s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"tsc_features\": { \"nonstop\": false }, \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"readers\": [ { \"name\": \"c\", \"kind\": \"rdtsc\", \"cpus\": [1], \"period\": \"1ms\",\n"
		"    \"checks\": { \"max_error\": { \"threshold\": \"1ms\", \"expect\": \"fail\" } } } ],\n"
		"  \"events\": [ { \"type\": \"cstate\", \"at\": \"1s\", \"cpus\": [1], \"state\": \"C6\",\n"
		"    \"duration\": \"18446744073709551615ps\" } ] }\n");
	struct machine *m = run(s);
	int64_t worst = machine_check_results(m, 0)[ORACLE_MAX_ERROR].worst;

	cr_expect(worst >= -1000 * (int64_t)MS_PS && worst <= -999 * (int64_t)MS_PS,
		  "worst %" PRId64 " ps, expected about -1 s", worst);
	cr_expect_eq(machine_host(m, 0)->cpus[1].tsc.cstate, 6);
	machine_destroy(m);
	scenario_destroy(s);
}

/* A script command the machine cannot parse is an error, not a crash while cleaning up. */
Test(machine, unparsable_script_command_fails_cleanly)
{
	struct scenario *s = parse(
		"{ \"name\": \"bad\", \"duration\": \"1ms\",\n"
		"  \"scripts\": [ { \"name\": \"x\", \"expect\": \"pass\", \"commands\": [ \"endianness\" ] } ] }\n");
	struct sim_diag err;
	struct machine *m;

	/* the loader refuses the command itself: break the parsed scenario behind its back */
	snprintf(s->scripts[0].commands[0].line, sizeof(s->scripts[0].commands[0].line),
		 "frobnicate 1 2");
	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_expect_null(m);
	cr_expect(strstr(err.msg, "frobnicate") != NULL, "error: %s", err.msg);
	scenario_destroy(s);
}

/*
 * An error raised inside an event stops the run at that instant.  The loader
 * refuses a move to a CPU the host lacks, so the test breaks the parsed
 * scenario (plain data) behind its back: the move at 200 ms then fails, and
 * the VM's reader (one read per 1 ms period, the phase below 1 ms) has done
 * 199 or 200 reads, not the ~1000 a run going on to a 1 s boundary would do.
 */
Test(machine, error_inside_an_event_stops_the_run_at_once)
{
	struct scenario *s = parse(
		"{ \"name\": \"mv\", \"duration\": \"3s\",\n"
		"  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"vm\": { \"host\": \"A\", \"vcpus\": 1 },\n"
		"  \"vcpu_moves\": [ { \"at\": \"200ms\", \"vcpu\": 0, \"pcpu\": 1 } ],\n"
		"  \"readers\": [ { \"name\": \"kc\", \"kind\": \"pvclock\", \"vcpus\": \"all\", \"period\": \"1ms\",\n"
		"    \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } } ] }\n");
	struct sim_diag err;
	struct machine *m;
	uint64_t reads;

	s->vms[0].moves[0].pcpu = 7;
	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_expect_not(machine_run(m, &err));
	cr_expect(strstr(err.msg, "pcpu is beyond the host") != NULL, "error: %s", err.msg);
	cr_expect_str_eq(err.path, "/vcpu_moves/0");
	cr_expect_str_eq(err.file, "inline.json");
	reads = machine_group_stats(m, 0).reads;
	cr_expect(reads >= 199 && reads <= 200, "%" PRIu64 " reads before the error", reads);
	machine_destroy(m);
	scenario_destroy(s);
}

/* A trace subscriber that keeps counts and checks order as records stream by. */
struct trace_tally {
	sim_ps last_t_ps;
	bool ordered;             /* t_ps never decreased */
	unsigned reads[4];        /* per vCPU */
	unsigned reads_in_downtime;
	bool read_cost_ok;        /* every read took exactly its cost */
	unsigned pages[4];        /* page writes per vCPU */
	unsigned pages_in_downtime;
	unsigned pages_after_resume[4];  /* within the entry latency after the resume */
	bool pages_even;          /* every page written carries an even version */
	sim_ps first_read_after_resume_ps;
	sim_ps last_page_at_resume_ps;
	unsigned nphases;
	struct sim_trace_vmm_phase phases[8];
	sim_ps phase_t_ps[8];
};

#define TR_STOP_PS (40 * MS_PS)
#define TR_RESUME_PS (50 * MS_PS)
#define TR_COST_PS (50ULL * 1000)          /* "cost": "50ns" */
#define TR_LATENCY_PS (20ULL * 1000 * 1000) /* "entry_latency": "20us" */

static void tally(void *ctx, const struct sim_trace_record *rec)
{
	struct trace_tally *t = ctx;

	if (rec->t_ps < t->last_t_ps)
		t->ordered = false;
	t->last_t_ps = rec->t_ps;
	switch (rec->kind) {
	case SIM_TRACE_READ:
		cr_assert_lt(rec->u.read.vcpu, 4);
		cr_expect_str_eq(rec->u.read.reader, "kc");
		t->reads[rec->u.read.vcpu]++;
		if (rec->t_ps > TR_STOP_PS && rec->t_ps < TR_RESUME_PS)
			t->reads_in_downtime++;
		if (rec->t_ps - rec->u.read.start_ps != TR_COST_PS)
			t->read_cost_ok = false;
		if (rec->t_ps >= TR_RESUME_PS && !t->first_read_after_resume_ps)
			t->first_read_after_resume_ps = rec->t_ps;
		break;
	case SIM_TRACE_PVCLOCK_WRITE:
		cr_assert_lt(rec->u.pvclock.vcpu, 4);
		t->pages[rec->u.pvclock.vcpu]++;
		if (rec->u.pvclock.version & 1)
			t->pages_even = false;
		if (rec->t_ps > TR_STOP_PS && rec->t_ps < TR_RESUME_PS)
			t->pages_in_downtime++;
		if (rec->t_ps >= TR_RESUME_PS && rec->t_ps <= TR_RESUME_PS + TR_LATENCY_PS) {
			t->pages_after_resume[rec->u.pvclock.vcpu]++;
			t->last_page_at_resume_ps = rec->t_ps;
		}
		break;
	case SIM_TRACE_VMM_PHASE:
		cr_assert_lt(t->nphases, 8);
		t->phase_t_ps[t->nphases] = rec->t_ps;
		t->phases[t->nphases++] = rec->u.vmm;
		break;
	default:
		cr_expect_fail("a record of kind %s nobody subscribed to", sim_trace_kind_name(rec->kind));
	}
}

/*
 * A 2-vCPU VM read every 1 ms for 100 ms, migrated at 40 ms with 10 ms of
 * downtime, vCPU 1 moved at 70 ms.  From the scenario alone: each vCPU reads
 * once per period except the 10 periods that start in the downtime (a read
 * in flight at the stop finishes after the resume), so 89 or 90 reads; none
 * ends inside the downtime; each read lasts its 50 ns cost.  KVM writes each
 * vCPU's page at its first entry on the destination (within the 20 us entry
 * latency of the resume), before the guest's first read there, and never
 * while the VM is stopped.  The VMM reports stop at 40 ms, resume at 50 ms
 * and the move at 70 ms, in that order.
 */
Test(machine, trace_stream_follows_the_scenario)
{
	struct scenario *s = parse(
		"{ \"name\": \"tr\", \"duration\": \"100ms\",\n"
		"  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] },\n"
		"    { \"name\": \"B\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"vm\": { \"host\": \"A\", \"vcpus\": 2, \"entry_latency\": \"20us\" },\n"
		"  \"migrations\": [ { \"at\": \"40ms\", \"to\": \"B\", \"downtime\": \"10ms\" } ],\n"
		"  \"vcpu_moves\": [ { \"at\": \"70ms\", \"vcpu\": 1, \"pcpu\": 0 } ],\n"
		"  \"readers\": [ { \"name\": \"kc\", \"kind\": \"pvclock\", \"vcpus\": \"all\", \"period\": \"1ms\",\n"
		"    \"cost\": \"50ns\", \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } } ] }\n");
	struct trace_tally t = { .ordered = true, .read_cost_ok = true, .pages_even = true };
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(sim_trace_subscribe(machine_trace(m),
				      SIM_TRACE_BIT(SIM_TRACE_READ) | SIM_TRACE_BIT(SIM_TRACE_PVCLOCK_WRITE) |
				      SIM_TRACE_BIT(SIM_TRACE_VMM_PHASE), tally, &t));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);

	cr_expect(t.ordered, "records arrive in time order");
	for (unsigned v = 0; v < 2; v++) {
		cr_expect(t.reads[v] >= 89 && t.reads[v] <= 90, "vCPU %u: %u reads", v, t.reads[v]);
		cr_expect_geq(t.pages_after_resume[v], 1, "vCPU %u: page written at the resume", v);
	}
	cr_expect_eq(t.reads[0] + t.reads[1], machine_group_stats(m, 0).reads);
	cr_expect_eq(t.reads_in_downtime, 0);
	cr_expect(t.read_cost_ok);
	cr_expect_eq(t.pages_in_downtime, 0);
	cr_expect(t.pages_even);
	cr_expect_lt(t.last_page_at_resume_ps, t.first_read_after_resume_ps,
		     "pages written before the guest reads on the destination");
	cr_assert_eq(t.nphases, 3);
	cr_expect_str_eq(t.phases[0].action, "migration");
	cr_expect_str_eq(t.phases[0].phase, "stop");
	cr_expect_eq(t.phase_t_ps[0], TR_STOP_PS);
	cr_expect_str_eq(t.phases[1].action, "migration");
	cr_expect_str_eq(t.phases[1].phase, "resume");
	cr_expect_eq(t.phase_t_ps[1], TR_RESUME_PS);
	cr_expect_str_eq(t.phases[2].action, "vcpu_move");
	cr_expect_str_eq(t.phases[2].phase, "move");
	cr_expect_eq(t.phase_t_ps[2], 70 * MS_PS);
	cr_expect_eq(t.phases[0].index, 0);
	cr_expect_eq(t.phases[2].index, 0);
	machine_destroy(m);
	scenario_destroy(s);
}

/* The pages KVM writes carry the full page: the destination's first for vCPU 0 matches the log. */
struct first_page {
	sim_ps after_ps;
	bool seen;
	struct sim_trace_pvclock_write page;
	sim_ps t_ps;
};

static void keep_first_page(void *ctx, const struct sim_trace_record *rec)
{
	struct first_page *f = ctx;

	if (f->seen || rec->t_ps < f->after_ps || rec->u.pvclock.vcpu != 0)
		return;
	f->seen = true;
	f->page = rec->u.pvclock;
	f->t_ps = rec->t_ps;
}

Test(machine, trace_page_write_carries_the_full_page)
{
	struct scenario *s = migration_scenario("realtime", "frozen", false, "0s");
	struct first_page f = { .after_ps = 1300 * MS_PS };   /* the resume: 1 s + 300 ms downtime */
	const struct vmm_migration_log *log;
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_BIT(SIM_TRACE_PVCLOCK_WRITE),
				      keep_first_page, &f));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	log = machine_migration_log(m, 0, 0);
	cr_assert(f.seen && log->page_after);
	/*
	 * At the instant of the write the page's own time is system_time (the
	 * guest TSC read then is tsc_timestamp): the kvmclock the log saw.
	 */
	cr_expect_eq(f.page.system_time_ns, log->kvmclock_after_ns);
	cr_expect_eq(f.page.tsc_timestamp, log->guest_tsc_after +
		     (f.t_ps - log->resume_ps) * 2 / 1000, "guest TSC at 2 GHz after the resume");
	cr_expect_eq(f.page.version % 2, 0);
	/* kvm_get_time_scale(NSEC_PER_SEC, 2 GHz): shift 0, mul = 2^32 * 1e9 / 2e9 */
	cr_expect_eq(f.page.tsc_shift, 0);
	cr_expect_eq(f.page.tsc_to_system_mul, UINT32_C(0x80000000));
	cr_expect_eq(f.page.vcpu, 0);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(machine, vmm_actions_name_their_phases)
{
	const char *const *mig = vmm_action_phases(VMM_MIGRATION);
	const char *const *mv = vmm_action_phases(VMM_VCPU_MOVE);

	cr_expect_str_eq(vmm_action_name(VMM_MIGRATION), "migration");
	cr_expect_str_eq(mig[0], "stop");
	cr_expect_str_eq(mig[1], "resume");
	cr_expect_null(mig[2]);
	cr_expect_str_eq(vmm_action_name(VMM_VCPU_MOVE), "vcpu_move");
	cr_expect_str_eq(mv[0], "move");
	cr_expect_null(mv[1]);
	cr_expect_str_eq(vmm_action_name(VMM_ACTION_COUNT), "?");
}

/*
 * A board on the VM's time base stops for the migration's downtime: at the
 * end of the 3 s run it has run 3 s - 300 ms; a host's board runs 3 s.
 */
Test(machine, vm_board_stops_for_the_downtime)
{
	static const struct {
		const char *board;
		sim_ps board_time_ps;
	} cases[] = {
		{ "host", 3 * SIM_PS_PER_S },
		{ "vm", 3 * SIM_PS_PER_S - 300 * SIM_PS_PER_MS },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scenario *s = migration_scenario("realtime", "frozen", false, "0s");
		struct machine *m;
		struct sim_diag err;

		s->vms[0].board_vm = strcmp(cases[i].board, "vm") == 0;
		sim_diag_clear(&err);
		m = machine_create(s, &err);
		cr_assert(m, "%s", err.msg);
		cr_assert(machine_run(m, &err), "%s", err.msg);
		cr_expect_eq(platform_time(machine_board(m), 3 * SIM_PS_PER_S), cases[i].board_time_ps,
			     "board \"%s\"", cases[i].board);
		machine_destroy(m);
		scenario_destroy(s);
	}
}

/* What the other publishers put on the machine's stream. */
struct other_tally {
	unsigned tsc_writes_at_resume[2];
	unsigned tsc_writes_in_downtime;
	unsigned accesses;
	bool accesses_ok;         /* each a 32-bit MMIO read of the HPET main counter */
};

static void tally_other(void *ctx, const struct sim_trace_record *rec)
{
	struct other_tally *t = ctx;

	if (rec->kind == SIM_TRACE_TSC_WRITE) {
		if (rec->t_ps == TR_RESUME_PS && rec->u.tsc.vcpu < 2)
			t->tsc_writes_at_resume[rec->u.tsc.vcpu]++;
		if (rec->t_ps > TR_STOP_PS && rec->t_ps < TR_RESUME_PS)
			t->tsc_writes_in_downtime++;
		return;
	}
	if (rec->kind == SIM_TRACE_DEVICE_ACCESS) {
		t->accesses++;
		if (strcmp(rec->u.access.device, "hpet") != 0 || rec->u.access.bus != SIM_TRACE_BUS_MMIO ||
		    rec->u.access.addr != UINT64_C(0xfed00000) + 0xf0 || rec->u.access.size != 4 ||
		    rec->u.access.write)
			t->accesses_ok = false;
	}
}

/*
 * KVM's and the board's records reach the machine's stream too: the
 * destination writes each vCPU's TSC at the resume (QEMU's KVM_SET_MSRS of
 * IA32_TSC), never while the VM is stopped; an HPET reader (default width 32,
 * Linux's hpet_readl of the low half) makes one 4-byte
 * MMIO read of the main counter (0xfed000f0) per read, so as many accesses as
 * reads.
 */
Test(machine, trace_stream_carries_kvm_and_board_records)
{
	struct scenario *s = parse(
		"{ \"name\": \"tr2\", \"duration\": \"100ms\",\n"
		"  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] },\n"
		"    { \"name\": \"B\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"vm\": { \"host\": \"A\", \"vcpus\": 2 },\n"
		"  \"migrations\": [ { \"at\": \"40ms\", \"to\": \"B\", \"downtime\": \"10ms\" } ],\n"
		"  \"readers\": [ { \"name\": \"hp\", \"kind\": \"hpet\", \"vcpus\": [0], \"period\": \"1ms\",\n"
		"    \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } } ] }\n");
	struct other_tally t = { .accesses_ok = true };
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(sim_trace_subscribe(machine_trace(m),
				      SIM_TRACE_BIT(SIM_TRACE_TSC_WRITE) |
				      SIM_TRACE_BIT(SIM_TRACE_DEVICE_ACCESS), tally_other, &t));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	cr_expect_geq(t.tsc_writes_at_resume[0], 1);
	cr_expect_geq(t.tsc_writes_at_resume[1], 1);
	cr_expect_eq(t.tsc_writes_in_downtime, 0);
	cr_expect_eq(t.accesses, machine_group_stats(m, 0).reads);
	cr_expect_geq(t.accesses, 89);
	cr_expect(t.accesses_ok);
	machine_destroy(m);
	scenario_destroy(s);
}

/* "phase" pins where each period's read starts: without jitter, at phase + k x period. */
Test(machine, reader_phase_pins_the_read_times)
{
	struct scenario *s = parse(
		"{ \"name\": \"ph\", \"duration\": \"5ms\",\n"
		"  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"vm\": { \"host\": \"A\", \"vcpus\": 2 },\n"
		"  \"readers\": [ { \"name\": \"kc\", \"kind\": \"pvclock\", \"vcpus\": \"all\", \"period\": \"1ms\",\n"
		"    \"jitter\": \"0s\", \"phase\": \"250us\",\n"
		"    \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } } ] }\n");
	struct read_starts r = { 0 };
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_BIT(SIM_TRACE_READ),
				      keep_read_starts, &r));
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	cr_assert_eq(r.n, 5);
	for (unsigned k = 0; k < r.n; k++)
		cr_expect_eq(r.start_ps[k], 250 * SIM_PS_PER_US + k * SIM_PS_PER_MS, "read %u", k);
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * The host writes 0 to CPU 0's TSC at 10 s under vCPU 0 (pinned there),
 * which KVM does not see: the guest TSC falls below its page's
 * tsc_timestamp and Linux's u64 pvclock arithmetic would leap ~2^64 cycles
 * (195 years at 3 GHz).  The guest's first read after it stops the run.
 */
Test(machine, host_tsc_write_under_a_vcpu_stops_the_run_before_kvmclock_wraps)
{
	static const char text[] =
		"{ \"name\": \"t\", \"duration\": \"20s\",\n"
		"  \"hosts\": [ { \"name\": \"a\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"vm\": { \"host\": \"a\", \"vcpus\": 1, \"uptime\": \"1h\" },\n"
		"  \"events\": [ { \"type\": \"tsc_write\", \"at\": \"10s\", \"cpu\": 0, \"value\": 0 } ],\n"
		"  \"readers\": [ { \"name\": \"kc\", \"kind\": \"pvclock\", \"vcpus\": \"all\",\n"
		"    \"period\": \"1s\", \"phase\": \"500ms\" } ] }\n";
	struct scenario *s = parse(text);
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "%s", err.msg);
	cr_expect_not(machine_run(m, &err));
	cr_expect(strstr(err.msg, "reader \"reader/kc/vcpu0\" on vCPU 0 at 10.5") != NULL, "%s",
		  err.msg);
	cr_expect(strstr(err.msg, "tsc_timestamp 10800000000000, system_time 3600000000000 ns): "
			 "the TSC is below the timestamp") != NULL, "%s", err.msg);
	machine_destroy(m);
	scenario_destroy(s);
}

struct page_count {
	unsigned writes;
};

static void count_page(void *ctx, const struct sim_trace_record *rec)
{
	((struct page_count *)ctx)->writes++;
	(void)rec;
}

/*
 * Without a migration nobody takes page writes at first; a subscriber that
 * comes between two machine_run_until() calls still gets every later one:
 * 2 vCPUs, a master clock update every 10 ms from 5 ms, so 2 pages at each
 * of 55, 65, .., 95 ms after the subscription at 50 ms.
 */
Test(machine, page_writes_reach_a_subscriber_that_comes_between_runs)
{
	struct scenario *s = parse(
		"{ \"name\": \"late\", \"duration\": \"100ms\",\n"
		"  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"vm\": { \"host\": \"A\", \"vcpus\": 2, \"uptime\": \"1h\" },\n"
		"  \"clock_updates\": [ { \"at\": \"5ms\", \"every\": \"10ms\", \"request\": \"masterclock\" } ],\n"
		"  \"readers\": [ { \"name\": \"kc\", \"kind\": \"pvclock\", \"vcpus\": [0], \"period\": \"10ms\",\n"
		"    \"checks\": { \"mono_vcpu\": { \"expect\": \"pass\" } } } ] }\n");
	struct page_count c = { 0 };
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(machine_run_until(m, 50 * MS_PS, &err), "%s", err.msg);
	cr_assert(sim_trace_subscribe(machine_trace(m), SIM_TRACE_BIT(SIM_TRACE_PVCLOCK_WRITE),
				      count_page, &c));
	cr_assert(machine_run(m, &err), "%s", err.msg);
	cr_expect_eq(c.writes, 10, "%u page writes after 50 ms", c.writes);
	machine_destroy(m);
	scenario_destroy(s);
}
