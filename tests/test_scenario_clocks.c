/*
 * The loader's keys for the guest's clock IDs ("clocksource", "wall_clock",
 * "ntp_freq") and the clock_consistency host check: values, defaults and
 * errors with their positions.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_test.h"

#define CLOCKS_TEXT \
	"{\n" \
	"  \"name\": \"clocks\", \"duration\": \"10s\",\n" \
	"  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] },\n" \
	"             { \"name\": \"B\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 2 } ] } ],\n" \
	"  \"vm\": { \"host\": \"A\", \"vcpus\": 2 },\n" \
	"  \"readers\": [\n" \
	"    { \"name\": \"mono\", \"kind\": \"monotonic\", \"clocksource\": \"tsc\", \"ntp_freq\": \"-20ppm\",\n" \
	"      \"vcpus\": \"all\", \"period\": \"1ms\" },\n" \
	"    { \"name\": \"wall\", \"kind\": \"realtime\", \"wall_clock\": \"every 2s\", \"vcpus\": [1],\n" \
	"      \"period\": \"1ms\" },\n" \
	"    { \"name\": \"boot\", \"kind\": \"boottime\", \"vcpus\": [0], \"period\": \"1ms\" },\n" \
	"    { \"name\": \"pv\", \"kind\": \"pvclock\", \"vcpus\": [0], \"period\": \"1ms\" }\n" \
	"  ],\n" \
	"  \"host_checks\": [\n" \
	"    { \"check\": \"clock_consistency\", \"monotonic\": \"mono\", \"realtime\": \"wall\",\n" \
	"      \"policy\": \"advance\", \"expect\": \"pass\" }\n" \
	"  ]\n" \
	"}\n"

Test(scenario_clocks, clock_id_keys_and_their_defaults)
{
	struct scenario *s = parse_ok(CLOCKS_TEXT);
	const struct scn_host_check *c = &s->host_checks[0];

	cr_expect_eq(s->readers[0].kind, READER_MONOTONIC);
	cr_expect(s->readers[0].clocksource_tsc);
	cr_expect_eq(s->readers[0].ntp_freq_ppb, -20000);
	cr_expect_eq(s->readers[0].wall_clock_every_ps, 0);
	cr_expect_eq(s->readers[1].kind, READER_REALTIME);
	cr_expect_not(s->readers[1].clocksource_tsc);            /* kvm-clock by default */
	cr_expect_eq(s->readers[1].wall_clock_every_ps, 2 * SIM_PS_PER_S);
	cr_expect_eq(s->readers[2].kind, READER_BOOTTIME);
	cr_expect_eq(s->readers[2].cost_ps, 50 * SIM_PS_PER_NS);
	cr_expect_eq(c->kind, SCN_HC_CLOCK_CONSISTENCY);
	cr_expect_eq(c->host, 0);                                /* the VM's host */
	cr_expect_eq(c->clock_consistency.monotonic, 0);
	cr_expect_eq(c->clock_consistency.realtime, 1);
	cr_expect_not(c->clock_consistency.has_boottime);
	cr_expect_eq(c->clock_consistency.policy, SCN_CC_ADVANCE);
	cr_expect_eq(c->clock_consistency.tolerance_ps, SIM_PS_PER_S);
	scenario_destroy(s);
}

Test(scenario_clocks, clock_id_key_errors)
{
	static const struct error_case cases[] = {
		{ "\"clocksource\": \"tsc\"", "\"clocksource\": \"hpet\"", "/readers/0/clocksource",
		  "\"hpet\"", "expected one of \"kvm-clock\", \"tsc\", got \"hpet\"" },
		{ "\"kind\": \"pvclock\", ", "\"kind\": \"pvclock\", \"clocksource\": \"tsc\", ",
		  "/readers/3/clocksource", "\"clocksource\": \"tsc\", \"vcpus\": [0]",
		  "key \"clocksource\" is only allowed when \"kind\" is \"monotonic\"" },
		{ "\"kind\": \"boottime\", ", "\"kind\": \"boottime\", \"wall_clock\": \"boot\", ",
		  "/readers/2/wall_clock", "\"wall_clock\": \"boot\"",
		  "key \"wall_clock\" is only allowed when \"kind\" is \"realtime\"" },
		{ "\"every 2s\"", "\"hourly\"", "/readers/1/wall_clock", "\"hourly\"",
		  "expected \"boot\" or \"every <duration>\" (e.g. \"every 1s\"), got \"hourly\"" },
		{ "\"every 2s\"", "\"every 0s\"", "/readers/1/wall_clock", "\"every 0s\"",
		  "expected \"boot\" or \"every <duration>\"" },
		{ "\"-20ppm\"", "\"-600ppm\"", "/readers/0/ntp_freq", "\"-600ppm\"",
		  "expected an offset from -500ppm to +500ppm, got \"-600ppm\"" },
		{ "\"realtime\": \"wall\"", "\"realtime\": \"boot\"",
		  "/host_checks/0/realtime", "\"boot\",\n      \"policy\"",
		  "reader \"boot\" is of kind \"boottime\"; expected a reader in the VM of kind \"realtime\"" },
		{ "\"monotonic\": \"mono\"", "\"monotonic\": \"nope\"", "/host_checks/0/monotonic",
		  "\"nope\"", "unknown reader \"nope\"" },
		{ "\"policy\": \"advance\"", "\"policy\": \"thaw\"", "/host_checks/0/policy", "\"thaw\"",
		  "expected one of \"freeze\", \"advance\", \"realtime\", got \"thaw\"" },
		{ "\"policy\": \"advance\", ", "", "/host_checks/0/policy",
		  "{ \"check\": \"clock_consistency\"", "missing required key \"policy\"" },
	};

	for (unsigned i = 0; i < N(cases); i++)
		expect_error(CLOCKS_TEXT, &cases[i]);
}
