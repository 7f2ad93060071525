/* The scenario loader: a whole document, its defaults, and the classes of error every section shares. */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "sim/core/platform_clocks.h"
#include "tests/scenario_test.h"

static const char full[] = FULL_TEXT;
static const char minimal[] = MINIMAL_TEXT;

Test(scenario, full_document_sets_every_field)
{
	struct sim_diag err;
	struct scenario *sc = scenario_parse("full.json", full, strlen(full), &err);
	const struct scn_host *h;
	const struct scn_reader *r;
	const struct oracle_check_config *c;

	cr_assert(sc, "%s:%u:%u: %s: %s", err.file, err.line, err.col, err.path, err.msg);
	cr_expect_str_eq(sc->file, "full.json");
	cr_expect_str_eq(sc->name, "migrate_slow");
	cr_expect_str_eq(sc->description, "3 GHz to 2 GHz and back");
	cr_expect_eq(sc->seed, 42);
	cr_expect_eq(sc->duration_ps, 10 * SIM_PS_PER_S);
	cr_expect_eq(sc->utc_start_ns, 1772366400ULL * SIM_NS_PER_S + 500000000);

	cr_assert_eq(sc->nhosts, 2);
	h = &sc->hosts[0];
	cr_expect_str_eq(h->name, "src");
	cr_expect_str_eq(h->path, "/hosts/0");
	cr_expect(h->tsc.num == 3000000000ULL && h->tsc.den == 1);
	cr_expect_eq(h->uptime_ns, 864000000000000ULL);
	cr_expect_eq(h->realtime_error_ns, -2000000);
	cr_expect_eq(h->tsc_khz, 2999999);
	cr_expect_eq(h->clocksource, SCN_CS_TSC);
	cr_expect(h->hpet.num == 24000000 && h->hpet.den == 1);
	cr_expect_eq(h->hpet_crystal_ppb, 5000);
	cr_expect(h->svm);
	cr_assert_eq(h->nsockets, 2);
	cr_expect_eq(h->sockets[0].ncpus, 4);
	cr_expect_eq(h->sockets[0].crystal_ppb, 20000);
	cr_expect_eq(h->sockets[0].tsc_offset_ps, 20 * (int64_t)SIM_PS_PER_US);
	cr_expect(h->sockets[0].has_cpu_tsc_offsets);
	cr_expect_eq(h->sockets[0].cpu_tsc_offset_ps[0], 0);
	cr_expect_eq(h->sockets[0].cpu_tsc_offset_ps[1], 1000);
	cr_expect_eq(h->sockets[0].cpu_tsc_offset_ps[2], -1000);
	cr_expect_eq(h->sockets[0].cpu_tsc_offset_ps[3], 2500);
	cr_expect_eq(h->sockets[1].ncpus, 2);
	cr_expect_not(h->sockets[1].has_cpu_tsc_offsets);

	h = &sc->hosts[1];
	cr_expect_str_eq(h->name, "dst");
	cr_expect(h->tsc.num == 2000000000ULL && h->tsc.den == 1);
	cr_expect_eq(h->uptime_ns, 3600 * SIM_NS_PER_S);
	cr_expect_eq(h->realtime_error_ns, 0);
	cr_expect_eq(h->tsc_khz, 0);
	cr_expect_eq(h->clocksource, SCN_CS_AUTO);
	cr_expect(h->hpet.num == SIM_HPET_FREQ_HZ && h->hpet.den == 1);
	cr_expect_eq(h->hpet_crystal_ppb, 0);
	cr_expect_not(h->svm);
	cr_expect(h->nsockets == 1 && h->sockets[0].ncpus == 8);
	cr_expect_eq(h->sockets[0].crystal_ppb, 0);
	cr_expect_eq(h->sockets[0].tsc_offset_ps, 0);

	cr_expect_eq(sc->vms[0].host, 0);
	cr_expect_eq(sc->vms[0].nvcpus, 4);
	cr_expect(sc->vms[0].has_pins);
	cr_expect(sc->vms[0].pins[0] == 0 && sc->vms[0].pins[1] == 1 && sc->vms[0].pins[2] == 2 &&
		  sc->vms[0].pins[3] == 5);
	cr_expect_eq(sc->vms[0].uptime_ns, 3600 * SIM_NS_PER_S);
	cr_expect_not(sc->vms[0].stable_bit_cpuid);
	cr_expect_eq(sc->vms[0].entry_latency_ps, 10 * SIM_PS_PER_US);
	cr_expect_eq(sc->vms[0].sync_period_ps, 60 * SIM_PS_PER_S);

	cr_assert_eq(sc->vms[0].nmigrations, 2);
	cr_expect_eq(sc->vms[0].migrations[0].at_ps, 2 * SIM_PS_PER_S);
	cr_expect_eq(sc->vms[0].migrations[0].downtime_ps, 300 * SIM_PS_PER_MS);
	cr_expect_eq(sc->vms[0].migrations[0].to_host, 1);
	cr_expect(sc->vms[0].migrations[0].has_pins);
	cr_expect(sc->vms[0].migrations[0].pins[0] == 7 && sc->vms[0].migrations[0].pins[3] == 4);
	cr_expect_eq(sc->vms[0].migrations[0].set_clock, SCN_SET_CLOCK_CLOCK);
	cr_expect(sc->vms[0].migrations[0].tsc_scaling);
	cr_expect_eq(sc->vms[0].migrations[0].tsc_carry, SCN_TSC_ADVANCE);
	cr_expect_str_eq(sc->vms[0].migrations[0].path, "/migrations/0");
	cr_expect_eq(sc->vms[0].migrations[1].at_ps, 5 * SIM_PS_PER_S);
	cr_expect_eq(sc->vms[0].migrations[1].to_host, 0);
	cr_expect_not(sc->vms[0].migrations[1].has_pins);
	/* Default pins: vCPU i on CPU i mod (CPUs of the destination, 6). */
	cr_expect(sc->vms[0].migrations[1].pins[0] == 0 && sc->vms[0].migrations[1].pins[3] == 3);
	cr_expect_eq(sc->vms[0].migrations[1].set_clock, SCN_SET_CLOCK_REALTIME);
	cr_expect_not(sc->vms[0].migrations[1].tsc_scaling);
	cr_expect_eq(sc->vms[0].migrations[1].tsc_carry, SCN_TSC_FROZEN);

	cr_assert_eq(sc->vms[0].nmoves, 2);
	cr_expect(sc->vms[0].moves[0].at_ps == SIM_PS_PER_S && sc->vms[0].moves[0].vcpu == 3 &&
		  sc->vms[0].moves[0].pcpu == 4);
	cr_expect(sc->vms[0].moves[1].at_ps == 3 * SIM_PS_PER_S && sc->vms[0].moves[1].vcpu == 0 &&
		  sc->vms[0].moves[1].pcpu == 7);
	cr_expect_str_eq(sc->vms[0].moves[1].path, "/vcpu_moves/1");

	cr_assert_eq(sc->nreaders, 3);
	r = &sc->readers[0];
	cr_expect_str_eq(r->name, "mono");
	cr_expect_eq(r->kind, READER_PVCLOCK);
	cr_expect_eq(r->nvcpus, 4);
	cr_expect(r->vcpus[0] == 0 && r->vcpus[3] == 3);
	cr_expect_eq(r->period_ps, SIM_PS_PER_MS);
	cr_expect_eq(r->jitter_ps, 0);
	cr_expect_eq(r->cost_ps, 40 * SIM_PS_PER_NS);
	cr_expect_eq(r->tsc_khz, 0);
	c = r->checks;
	cr_expect(c[ORACLE_MONO_VCPU].enabled && c[ORACLE_MONO_VCPU].expect == ORACLE_EXPECT_PASS);
	cr_expect_not(c[ORACLE_MONO_VCPU].has_worst_min || c[ORACLE_MONO_VCPU].has_worst_max);
	cr_expect(c[ORACLE_MONO_CAUSAL].enabled && c[ORACLE_MONO_CAUSAL].has_worst_max &&
		  !c[ORACLE_MONO_CAUSAL].has_worst_min && c[ORACLE_MONO_CAUSAL].worst_max == 0);
	cr_expect(c[ORACLE_STEP_BACK].enabled && c[ORACLE_STEP_BACK].threshold == 0);
	cr_expect_eq(c[ORACLE_STEP_FWD].expect, ORACLE_EXPECT_FAIL);
	cr_expect_eq(c[ORACLE_STEP_FWD].threshold, 310 * (int64_t)SIM_PS_PER_MS);
	cr_expect_eq(c[ORACLE_STEP_FWD].worst_min, 300 * (int64_t)SIM_PS_PER_MS);
	cr_expect_eq(c[ORACLE_STEP_FWD].worst_max, (int64_t)SIM_PS_PER_S);
	cr_expect_eq(c[ORACLE_MAX_ERROR].threshold, (int64_t)SIM_PS_PER_MS);
	cr_expect_eq(c[ORACLE_MAX_ERROR].pause, ORACLE_PAUSE_EXCLUDE);
	cr_expect_eq(c[ORACLE_RATE].threshold, 500000);
	cr_expect_eq(c[ORACLE_RATE].window_ps, 2 * SIM_PS_PER_S);
	cr_expect(c[ORACLE_RATE].has_worst_min && c[ORACLE_RATE].has_worst_max);
	cr_expect_eq(c[ORACLE_RATE].worst_min, -333334000);
	cr_expect_eq(c[ORACLE_RATE].worst_max, -333333000);

	r = &sc->readers[1];
	cr_expect_eq(r->kind, READER_TSC);
	cr_expect(r->nvcpus == 2 && r->vcpus[0] == 2 && r->vcpus[1] == 0);
	cr_expect_eq(r->period_ps, 100 * SIM_PS_PER_US);
	cr_expect_eq(r->jitter_ps, 10 * SIM_PS_PER_US);
	cr_expect_eq(r->cost_ps, 25 * SIM_PS_PER_NS);
	cr_expect_eq(r->tsc_khz, 3000000);
	for (unsigned id = 0; id < ORACLE_CHECK_COUNT; id++)
		cr_expect_not(r->checks[id].enabled, "check %u", id);
	cr_expect_str_eq(r->path, "/readers/1");

	r = &sc->readers[2];
	cr_expect_eq(r->kind, READER_PVCLOCK_RAW);
	cr_expect_eq(r->cost_ps, 30 * SIM_PS_PER_NS);
	scenario_destroy(sc);
}

Test(scenario, minimal_document_gets_the_defaults)
{
	struct sim_diag err;
	struct scenario *sc = scenario_parse("min.json", minimal, strlen(minimal), &err);

	cr_assert(sc, "%u:%u: %s: %s", err.line, err.col, err.path, err.msg);
	cr_expect_str_eq(sc->description, "");
	cr_expect_eq(sc->seed, 1);
	cr_expect_eq(sc->utc_start_ns, 1767225600ULL * SIM_NS_PER_S);
	cr_expect(sc->hosts[0].tsc.num == 2500000000ULL && sc->hosts[0].tsc.den == 1);
	cr_expect_not(sc->vms[0].has_pins);
	for (unsigned i = 0; i < 5; i++)
		cr_expect_eq(sc->vms[0].pins[i], i % 3);
	cr_expect_eq(sc->vms[0].uptime_ns, 0);
	cr_expect(sc->vms[0].stable_bit_cpuid);
	cr_expect_eq(sc->vms[0].entry_latency_ps, 20 * SIM_PS_PER_US);
	cr_expect_eq(sc->vms[0].sync_period_ps, 300 * SIM_PS_PER_S);
	cr_expect_eq(sc->vms[0].nmigrations, 0);
	cr_expect_eq(sc->vms[0].nmoves, 0);
	cr_expect_eq(sc->readers[0].cost_ps, 20 * SIM_PS_PER_NS);
	cr_expect_eq(sc->readers[0].jitter_ps, 0);
	scenario_destroy(sc);
	scenario_destroy(NULL);
}

Test(scenario, utc_start_accepts_seconds_and_rfc3339)
{
	static const struct {
		const char *value;
		uint64_t ns;
	} cases[] = {
		{ "1", SIM_NS_PER_S },
		{ "1767225600", 1767225600ULL * SIM_NS_PER_S },
		{ "\"1970-01-01T00:00:00.002Z\"", 2000000 },
		{ "\"2024-02-29T23:59:59.123456789Z\"", 1709251199123456789ULL },
		{ "\"2026-01-01t00:00:00z\"", 1767225600ULL * SIM_NS_PER_S },
		{ "16725225599", 16725225599ULL * SIM_NS_PER_S },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char to[96];
		char *text;
		struct sim_diag err;
		struct scenario *sc;

		snprintf(to, sizeof(to), "\"utc_start\": %s,", cases[i].value);
		text = edit(full, "\"utc_start\": \"2026-03-01T12:00:00.5Z\",", to);
		sc = scenario_parse("t.json", text, strlen(text), &err);
		cr_expect(sc, "%s: %s", cases[i].value, err.msg);
		if (sc)
			cr_expect_eq(sc->utc_start_ns, cases[i].ns, "%s: got %" PRIu64,
				     cases[i].value, sc->utc_start_ns);
		scenario_destroy(sc);
		free(text);
	}
}

Test(scenario, type_errors_name_the_expected_json_type)
{
	static const struct error_case cases[] = {
		{ "\"tsc\": \"3GHz\"", "\"tsc\": 3", "/hosts/0/tsc", "3,\n",
		  "expected a frequency string such as \"3GHz\", got the number 3" },
		{ "\"duration\": \"10s\"", "\"duration\": 10", "/duration", "10,",
		  "expected a duration string such as \"300ms\", got the number 10" },
		{ "\"vcpus\": 4", "\"vcpus\": \"4\"", "/vm/vcpus", "\"4\"",
		  "expected a vCPU count, got the string \"4\"" },
		{ "\"stable_bit_cpuid\": false", "\"stable_bit_cpuid\": \"no\"", "/vm/stable_bit_cpuid",
		  "\"no\"", "expected true or false, got the string \"no\"" },
		{ "\"mono_vcpu\": { \"expect\": \"pass\" }", "\"mono_vcpu\": []",
		  "/readers/0/checks/mono_vcpu", "[]", "expected an object, got an array" },
		{ "[ { \"cpus\": 8 } ]", "{ \"cpus\": 8 }", "/hosts/1/sockets", "{ \"cpus\": 8 }",
		  "expected an array of sockets, got an object" },
		{ "\"vcpus\": \"all\"", "\"vcpus\": null", "/readers/0/vcpus", "null",
		  "expected \"all\" or an array of vCPU indices, got null" },
		{ "\"vendor\": \"amd\"", "\"vendor\": true", "/hosts/0/vendor", "true,\n",
		  "expected one of \"intel\", \"amd\", got true" },
		{ "\"cpus\": 2 }", "\"cpus\": 2.0 }", "/hosts/0/sockets/1/cpus", "2.0",
		  "expected a CPU count (digits only, no fraction or exponent), got 2.0" },
	};

	for (size_t i = 0; i < N(cases); i++)
		expect_error(full, &cases[i]);
}

Test(scenario, missing_unknown_and_duplicate_keys)
{
	static const struct error_case cases[] = {
		{ "      \"tsc\": \"2GHz\",\n", "", "/hosts/1/tsc", "{\n      \"name\": \"dst\"",
		  "missing required key \"tsc\"" },
		{ "\"tsc\": \"2GHz\"", "\"tcs\": \"2GHz\"", "/hosts/1/tcs", "\"tcs\"",
		  "unknown key \"tcs\"; expected one of: name, tsc, uptime, realtime_error, tsc_khz, "
		  "clocksource, hpet, hpet_crystal, vendor, sockets" },
		{ "\"seed\": 42,", "\"seed\": 42, \"a/b~\": 1,", "/a~1b~0", "\"a/b~\"",
		  "unknown key \"a/b~\"; expected one of: name, description, seed" },
		{ "\"uptime\": \"1h\",\n      \"sockets\"", "\"uptime\": \"1h\", \"uptime\": \"2h\",\n"
		  "      \"sockets\"", "/hosts/1/uptime", "\"uptime\": \"2h\"", "duplicate key \"uptime\"" },
		{ "\"mono_vcpu\": { \"expect\": \"pass\" }",
		  "\"mono_vcpu\": { \"expect\": \"pass\", \"threshold\": \"1ns\" }",
		  "/readers/0/checks/mono_vcpu/threshold", "\"threshold\": \"1ns\"",
		  "key \"threshold\" is not allowed in check \"mono_vcpu\"; expected one of: expect, worst" },
		{ "\"mono_vcpu\": { \"expect\": \"pass\" }", "\"mono_vcpu\": { }",
		  "/readers/0/checks/mono_vcpu/expect", "{ }", "missing required key \"expect\"" },
		{ "\"step_back\": { \"expect\": \"pass\", \"threshold\": \"0ns\" }",
		  "\"step_back\": { \"expect\": \"pass\" }", "/readers/0/checks/step_back/threshold",
		  "{ \"expect\": \"pass\" },\n        \"step_fwd\"", "missing required key \"threshold\"" },
		{ "\"mono_vcpu\": {", "\"mono\": {", "/readers/0/checks/mono", "\"mono\": {",
		  "unknown key \"mono\"; expected one of: mono_vcpu, mono_causal, step_back, step_fwd, "
		  "max_error, rate" },
		{ "\"tsc_khz\": 3000000", "\"tsc_khz\": 3000000 }, { \"name\": \"x\", \"kind\": \"pvclock\", "
		  "\"vcpus\": [1], \"period\": \"1ms\", \"tsc_khz\": 1", "/readers/2/tsc_khz",
		  "\"tsc_khz\": 1 }", "key \"tsc_khz\" is only allowed when \"kind\" is \"tsc\"" },
	};

	for (size_t i = 0; i < N(cases); i++)
		expect_error(full, &cases[i]);
}

Test(scenario, values_out_of_range_say_the_range)
{
	static const struct error_case cases[] = {
		{ "\"vcpus\": 4", "\"vcpus\": 1025", "/vm/vcpus", "1025", "expected a vCPU count in [1, 1024], got 1025" },
		{ "\"vcpus\": 4", "\"vcpus\": -1", "/vm/vcpus", "-1,\n", "expected a vCPU count in [1, 1024], got -1" },
		{ "\"duration\": \"10s\"", "\"duration\": \"300d\"", "/duration", "\"300d\"",
		  "duration too long: \"300d\" (at most 213 days)" },
		{ "\"duration\": \"10s\"", "\"duration\": \"0s\"", "/duration", "\"0s\"",
		  "expected a duration above 0, got 0s" },
		{ "\"tsc\": \"2GHz\"", "\"tsc\": \"2 GHz\"", "/hosts/1/tsc", "\"2 GHz\"",
		  "expected a frequency such as \"3GHz\" (units: Hz, kHz, MHz, GHz), got \"2 GHz\"" },
		{ "\"tsc\": \"2GHz\"", "\"tsc\": \"200GHz\"", "/hosts/1/tsc", "\"200GHz\"",
		  "expected a frequency from 1MHz to 100GHz, got \"200GHz\"" },
		{ "\"crystal\": \"+20ppm\"", "\"crystal\": \"+200000ppm\"", "/hosts/0/sockets/0/crystal",
		  "\"+200000ppm\"", "expected an offset from -100000ppm to +100000ppm" },
		{ "\"seed\": 42", "\"seed\": 9007199254740993", "/seed", "9007199254740993",
		  "integer too large: 9007199254740993 (at most 2^53 = 9007199254740992)" },
		{ "\"seed\": 42", "\"seed\": 1e3", "/seed", "1e3", "(digits only, no fraction or exponent)" },
		{ "\"seed\": 42", "\"seed\": 042", "/seed", "042", "without leading zeros" },
		{ "\"pins\": [0, 1, 2, 5]", "\"pins\": [0, 1, 2, 6]", "/vm/pins/3", "6]",
		  "expected a CPU index of host \"src\" in [0, 5], got 6" },
		{ "\"pins\": [0, 1, 2, 5]", "\"pins\": [0, 1, 2]", "/vm/pins", "[0, 1, 2]",
		  "expected exactly 4 CPU indices (one per vCPU), got 3" },
		{ "\"cpu_tsc_offsets\": [\"0ns\", \"1ns\", \"-1ns\", \"2.5ns\"]",
		  "\"cpu_tsc_offsets\": [\"0ns\", \"1ns\", \"-1ns\", \"2.5fs\"]",
		  "/hosts/0/sockets/0/cpu_tsc_offsets/3", "\"2.5fs\"", "unknown unit \"fs\"" },
		{ "\"realtime_error\": \"-2ms\"", "\"realtime_error\": \"-2.5ps\"",
		  "/hosts/0/realtime_error", "\"-2.5ps\"", "not a whole number of ps" },
		{ "\"realtime_error\": \"-2ms\"", "\"realtime_error\": \"-1500ps\"",
		  "/hosts/0/realtime_error", "\"-1500ps\"", "not a whole number of ns" },
		{ "\"jitter\": \"10us\"", "\"jitter\": \"200us\"", "/readers/1/jitter", "\"200us\"",
		  "expected a jitter below the period (100us), got 200us" },
		{ "\"cost\": \"25ns\"", "\"cost\": \"150us\"", "/readers/1/cost", "\"150us\"",
		  "expected a cost below the period (100us), got 150us" },
		{ "\"threshold\": \"1ms\"", "\"threshold\": \"-1ms\"", "/readers/0/checks/max_error/threshold",
		  "\"-1ms\"", "expected a duration without a sign" },
		{ "\"threshold\": \"500ppm\"", "\"threshold\": \"-5ppm\"",
		  "/readers/0/checks/rate/threshold", "\"-5ppm\"", "expected a threshold of at least 0ppm" },
		{ "\"max\": \"1s\"", "\"max\": \"250ms\"", "/readers/0/checks/step_fwd/worst/max",
		  "\"250ms\"", "expected at least \"min\" (300ms), got 250ms" },
		{ "\"utc_start\": \"2026-03-01T12:00:00.5Z\"", "\"utc_start\": \"2026-03-01T12:00:00+01:00\"",
		  "/utc_start", "\"2026-03-01T12:00:00+01:00\"", "only UTC times, ending in Z" },
		{ "\"utc_start\": \"2026-03-01T12:00:00.5Z\"", "\"utc_start\": \"2025-02-29T00:00:00Z\"",
		  "/utc_start", "\"2025-02-29", "no such date or time" },
		{ "\"utc_start\": \"2026-03-01T12:00:00.5Z\"", "\"utc_start\": 16725225600", "/utc_start",
		  "16725225600", "expected seconds since 1970 in [0, 16725225599]" },
		{ "\"utc_start\": \"2026-03-01T12:00:00.5Z\"", "\"utc_start\": \"1970-01-01T00:00:00.001Z\"",
		  "/hosts/0/realtime_error", "\"-2ms\"", "the host's clock would start before 1970" },
		{ "\"name\": \"raw\"", "\"name\": \"r w\"", "/readers/1/name", "\"r w\"",
		  "expected a name of 1 to 31 characters" },
	};

	for (size_t i = 0; i < N(cases); i++)
		expect_error(full, &cases[i]);
}

Test(scenario, cross_references_are_checked)
{
	static const struct error_case cases[] = {
		{ "\"vcpus\": [2, 0]", "\"vcpus\": [2, 4]", "/readers/1/vcpus/1", "4], \"period\"",
		  "expected a vCPU index in [0, 3], got 4" },
		{ "\"vcpus\": [2, 0]", "\"vcpus\": [2, 2]", "/readers/1/vcpus/1", "2]",
		  "duplicate vCPU 2 (also /readers/1/vcpus/0)" },
		{ "\"vcpus\": [1]", "\"vcpus\": []", "/readers/2/vcpus", "[]",
		  "expected 1 to 4 vCPU indices, got 0" },
		{ "\"host\": \"src\"", "\"host\": \"nowhere\"", "/vm/host", "\"nowhere\"",
		  "unknown host \"nowhere\"; expected one of: src, dst" },
		{ "\"to\": \"src\"", "\"to\": \"dst\"", "/migrations/1/to", "\"dst\" }",
		  "the VM is already on host \"dst\" at 5s; expected a different host" },
		{ "\"at\": \"5s\"", "\"at\": \"2.2s\"", "/migrations/1/at", "\"2.2s\"",
		  "expected a time after the previous migration (/migrations/0) ends at 2.3s "
		  "(at + downtime), got 2.2s" },
		{ "\"at\": \"5s\"", "\"at\": \"2.3s\"", "/migrations/1/at", "\"2.3s\"",
		  "ends at 2.3s" },
		{ "\"downtime\": \"100ms\"", "\"downtime\": \"5.5s\"", "/migrations/1/downtime", "\"5.5s\"",
		  "the migration would end at 10.5s (at + downtime), not before the end of the run (10s)" },
		{ "\"pins\": [7, 6, 5, 4]", "\"pins\": [7, 6, 5, 8]", "/migrations/0/pins/3", "8]",
		  "expected a CPU index of host \"dst\" in [0, 7], got 8" },
		{ "\"at\": \"3s\", \"vcpu\": 0, \"pcpu\": 7", "\"at\": \"2.1s\", \"vcpu\": 0, \"pcpu\": 7",
		  "/vcpu_moves/1/at", "\"2.1s\"", "inside the downtime of /migrations/0 (2s to 2.3s)" },
		{ "\"at\": \"1s\", \"vcpu\": 3, \"pcpu\": 4", "\"at\": \"1s\", \"vcpu\": 3, \"pcpu\": 6",
		  "/vcpu_moves/0/pcpu", "6 }", "expected a CPU index of host \"src\" (where the VM is "
		  "at 1s) in [0, 5], got 6" },
		{ "\"at\": \"1s\", \"vcpu\": 3", "\"at\": \"4s\", \"vcpu\": 3", "/vcpu_moves/1/at",
		  "\"3s\"", "expected moves sorted by \"at\": got 3s, before the previous move's 4s" },
		{ "\"at\": \"1s\", \"vcpu\": 3", "\"at\": \"1s\", \"vcpu\": 4", "/vcpu_moves/0/vcpu",
		  "4, \"pcpu\"", "expected a vCPU index in [0, 3], got 4" },
		{ "\"name\": \"dst\"", "\"name\": \"src\"", "/hosts/1/name", "\"src\",\n      \"tsc\": \"2GHz\"",
		  "duplicate host name \"src\" (also /hosts/0/name)" },
		{ "\"name\": \"pv-raw\"", "\"name\": \"mono\"", "/readers/2/name",
		  "\"mono\", \"kind\": \"pvclock-raw\"", "duplicate reader name \"mono\" (also /readers/0/name)" },
	};

	for (size_t i = 0; i < N(cases); i++)
		expect_error(full, &cases[i]);
}

Test(scenario, rejects_integer_above_2_53)
{
	static const struct {
		const char *seed;
		bool ok;
	} cases[] = {
		{ "9007199254740992", true },
		{ "9007199254740993", false },      /* a double would round it to 2^53 */
		{ "9007199254740994", false },
		{ "123456789012345678901234567890", false },
		{ "0", true },
		{ "-0", true },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char to[64];
		char *text;
		struct sim_diag err;
		struct scenario *sc;

		snprintf(to, sizeof(to), "\"seed\": %s,", cases[i].seed);
		text = edit(full, "\"seed\": 42,", to);
		sc = scenario_parse("t.json", text, strlen(text), &err);
		cr_expect_eq(sc != NULL, cases[i].ok, "%s: %s", cases[i].seed, err.msg);
		if (sc)
			cr_expect_eq(sc->seed, cases[i].seed[0] == '9' ? 1ULL << 53 : 0);
		else
			cr_expect(strstr(err.msg, "integer too large") && strcmp(err.path, "/seed") == 0 &&
				  err.line == 4 && err.col == 11, "%u:%u %s", err.line, err.col, err.msg);
		scenario_destroy(sc);
		free(text);
	}
}

Test(scenario, syntax_error_reports_line_and_column)
{
	static const struct {
		const char *from, *to;
		unsigned line, col;
		const char *msg;
	} cases[] = {
		/* A missing comma: cJSON stops at the next key, line 5 column 3. */
		{ "\"seed\": 42,", "\"seed\": 42", 5, 3, "invalid JSON: unexpected text at \"\\\"duration\\\"" },
		/*
		 * A trailing comma before '}' (line 21: `        { "cpus": 2, }`).  cJSON
		 * reports the byte after the '}' it did not expect: column 23, not 22.
		 */
		{ "{ \"cpus\": 2 }", "{ \"cpus\": 2, }", 21, 23, "invalid JSON" },
		{ "\"vcpus\": 4,", "\"vcpus\": tru,", 33, 14, "invalid JSON: unexpected text at \"tru,\"" },
		/* Text after the document. */
		{ "  ]\n}\n", "  ]\n}\n}\n", 66, 1,
		  "invalid JSON: text after the end of the top-level value at \"}\"" },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char *text = edit(full, cases[i].from, cases[i].to);
		struct sim_diag err;

		cr_expect_null(scenario_parse("bad.json", text, strlen(text), &err));
		cr_expect_str_eq(err.file, "bad.json");
		cr_expect_str_eq(err.path, "");
		cr_expect(err.line == cases[i].line && err.col == cases[i].col,
			  "case %zu: at %u:%u, expected %u:%u", i, err.line, err.col, cases[i].line,
			  cases[i].col);
		cr_expect(strstr(err.msg, cases[i].msg), "case %zu: %s", i, err.msg);
		free(text);
	}
}

Test(scenario, truncated_and_empty_input)
{
	struct sim_diag err;
	char buf[64];

	cr_expect_null(scenario_parse("e.json", "", 0, &err));
	cr_expect_str_eq(err.msg, "invalid JSON: unexpected end of file");
	cr_expect(err.line == 1 && err.col == 1);
	cr_expect_null(scenario_parse("e.json", "{\n  \"name\": \"x", 13, &err));
	cr_expect(strstr(err.msg, "invalid JSON"), "%s", err.msg);
	cr_expect_eq(err.line, 2);
	cr_expect_null(scenario_parse("e.json", "[1, 2]", 6, &err));
	cr_expect_str_eq(err.msg, "expected an object, got an array");
	cr_expect(err.line == 1 && err.col == 1);
	sim_diag_format(&err, buf, sizeof(buf));
	cr_expect_str_eq(buf, "e.json:1:1: error: expected an object, got an array");
}

Test(scenario, load_reads_files_and_reports_unreadable_ones)
{
	char path[] = "/tmp/test_scenario_XXXXXX";
	struct sim_diag err;
	struct scenario *sc;
	int fd = mkstemp(path);
	FILE *f;

	cr_assert(fd >= 0);
	f = fdopen(fd, "w");
	cr_assert(f);
	fputs(full, f);
	fclose(f);
	sc = scenario_load(path, &err);
	cr_expect(sc, "%s", err.msg);
	if (sc)
		cr_expect_str_eq(sc->file, path);
	scenario_destroy(sc);
	unlink(path);

	cr_expect_null(scenario_load(path, &err));
	cr_expect_str_eq(err.file, path);
	cr_expect_str_eq(err.msg, "cannot read: No such file or directory");
	cr_expect_eq(err.line, 0);
}

/* vm.kvm_version: the modelled KVM release, by name; default the newest modelled one. */
Test(scenario, kvm_version_names_a_modelled_release)
{
	static const struct {
		const char *vm;
		bool ok;
		enum kvm_version want;
	} cases[] = {
		{ "\"vcpus\": 5}", true, KVM_VERSION_6_12 },
		{ "\"vcpus\": 5, \"kvm_version\": \"6.1\"}", true, KVM_VERSION_6_1 },
		{ "\"vcpus\": 5, \"kvm_version\": \"6.12\"}", true, KVM_VERSION_6_12 },
		{ "\"vcpus\": 5, \"kvm_version\": \"5.4\"}", false, 0 },
		{ "\"vcpus\": 5, \"kvm_version\": 6.1}", false, 0 },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char *text = edit(minimal, "\"vcpus\": 5}", cases[i].vm);
		struct sim_diag err;
		struct scenario *sc = scenario_parse("k.json", text, strlen(text), &err);

		if (cases[i].ok) {
			cr_assert(sc, "%zu: %s", i, err.msg);
			cr_expect_eq(sc->vms[0].kvm_version, cases[i].want, "case %zu", i);
		} else {
			cr_expect_null(sc, "case %zu", i);
			cr_expect_str_eq(err.path, "/vm/kvm_version");
			cr_expect(strstr(err.msg, "\"6.1\", \"6.12\""), "%s", err.msg);
		}
		scenario_destroy(sc);
		free(text);
	}
}

/* tsc_features.cpuid_15h: stored as given; absent it is unset (the machine decides by vendor). */
Test(scenario, cpuid_15h_is_a_tristate)
{
	static const struct {
		const char *features;
		enum scn_tristate want;
	} cases[] = {
		{ "", SCN_UNSET },
		{ ", \"tsc_features\": {\"cpuid_15h\": true}", SCN_TRUE },
		{ ", \"tsc_features\": {\"cpuid_15h\": false}", SCN_FALSE },
		{ ", \"vendor\": \"amd\"", SCN_UNSET },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char to[128];
		char *text;
		struct sim_diag err;
		struct scenario *sc;

		snprintf(to, sizeof(to), "\"sockets\": [{\"cpus\": 3}]%s}", cases[i].features);
		text = edit(minimal, "\"sockets\": [{\"cpus\": 3}]}", to);
		sc = scenario_parse("c.json", text, strlen(text), &err);
		cr_assert(sc, "%zu: %s", i, err.msg);
		cr_expect_eq(sc->hosts[0].features.cpuid_15h, cases[i].want, "case %zu", i);
		/* the advertise override is a separate key, still unset here */
		cr_expect_eq(sc->hosts[0].features.advertise[SCN_FLAG_TSC_KNOWN_FREQ], SCN_UNSET);
		scenario_destroy(sc);
		free(text);
	}
}

/* readers[].phase pins when the first period starts; absent, the guest draws it. */
Test(scenario, reader_phase_is_below_the_period)
{
	static const char from[] = "\"period\": \"1ms\"}";
	char *text = edit(minimal, from, "\"period\": \"1ms\", \"phase\": \"250us\"}");
	struct sim_diag err;
	struct scenario *sc = scenario_parse("p.json", text, strlen(text), &err);

	cr_assert(sc, "%s", err.msg);
	cr_expect(sc->readers[0].has_phase);
	cr_expect_eq(sc->readers[0].phase_ps, 250 * SIM_PS_PER_US);
	scenario_destroy(sc);
	free(text);

	sc = scenario_parse("p.json", minimal, strlen(minimal), &err);
	cr_assert(sc, "%s", err.msg);
	cr_expect_not(sc->readers[0].has_phase);
	scenario_destroy(sc);

	text = edit(minimal, from, "\"period\": \"1ms\", \"phase\": \"1ms\"}");
	cr_expect_null(scenario_parse("p.json", text, strlen(text), &err));
	cr_expect_str_eq(err.path, "/readers/0/phase");
	cr_expect_str_eq(err.msg, "expected a phase below the period (1ms), got 1ms");
	free(text);
}
