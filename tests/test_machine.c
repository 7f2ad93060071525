/*
 * End-to-end behaviour of the machine: a scenario text in, oracle verdicts
 * and migration logs out.  Expectations come from the scenario's own
 * parameters in closed form (downtime, realtime errors, TSC rates), not from
 * earlier runs.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/machine/machine.h"
#include "sim/scenario/scenario.h"

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

static struct machine *run(const struct scenario *s)
{
	struct sim_diag err;
	struct machine *m;

	sim_diag_clear(&err);
	m = machine_create(s, &err);
	cr_assert(m, "machine_create: %s", err.msg);
	cr_assert(machine_run(m, &err), "machine_run: %s", err.msg);
	return m;
}

/* kvmclock after the migration minus before it, in ns. */
static int64_t kvmclock_jump_ns(const struct machine *m)
{
	const struct machine_migration_log *log = machine_migration_log(m, 0);

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
	cr_expect(machine_migration_log(m, 0)->set_flags == KVM_CLOCK_REALTIME);
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
	cr_expect(machine_migration_log(m, 0)->set_flags == 0);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(machine, no_set_clock_moves_kvmclock_by_the_host_uptime_difference)
{
	struct scenario *s = migration_scenario("none", "frozen", false, "0s");
	struct machine *m = run(s);
	int64_t jump = kvmclock_jump_ns(m);
	/* B's monotonic clock minus A's, at the resume and the stop: 1 h - 10 d + 300 ms. */
	int64_t expect = 3600LL * 1000000000 - 864000LL * 1000000000 + 300000000;

	cr_expect(jump >= expect - 10 && jump <= expect + 10, "jump %" PRId64 " expected %" PRId64,
		  jump, expect);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(machine, frozen_tsc_resumes_where_it_stopped)
{
	struct scenario *s = migration_scenario("realtime", "frozen", false, "0s");
	struct machine *m = run(s);
	const struct machine_migration_log *log = machine_migration_log(m, 0);

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
	const struct machine_migration_log *log = machine_migration_log(m, 0);

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

static struct scenario *parse(const char *text)
{
	struct sim_diag err;
	struct scenario *s;

	sim_diag_clear(&err);
	s = scenario_parse("inline.json", text, strlen(text), &err);
	cr_assert(s, "scenario: %s: %s", err.path, err.msg);
	return s;
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

	machine_destroy(m);
	scenario_destroy(s);
}

/* A script command the machine cannot parse is an error, not a crash while cleaning up. */
Test(machine, unparsable_script_command_fails_cleanly)
{
	struct scenario *s = parse(
		"{ \"name\": \"bad\", \"duration\": \"1ms\",\n"
		"  \"scripts\": [ { \"name\": \"x\", \"expect\": \"pass\", \"commands\": [ \"frobnicate 1 2\" ] } ] }\n");
	struct sim_diag err;
	struct machine *m;

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

	s->moves[0].pcpu = 7;
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
