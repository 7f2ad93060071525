/* The scenario loader: every field of a valid file, defaults, and each class of error. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/core/platform_clocks.h"
#include "sim/scenario/scenario.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A complete scenario that sets every key (line numbers matter to the tests). */
static const char full[] =
	"{\n"
	"  \"name\": \"migrate_slow\",\n"
	"  \"description\": \"3 GHz to 2 GHz and back\",\n"
	"  \"seed\": 42,\n"
	"  \"duration\": \"10s\",\n"
	"  \"utc_start\": \"2026-03-01T12:00:00.5Z\",\n"
	"  \"hosts\": [\n"
	"    {\n"
	"      \"name\": \"src\",\n"
	"      \"tsc\": \"3GHz\",\n"
	"      \"uptime\": \"10d\",\n"
	"      \"realtime_error\": \"-2ms\",\n"
	"      \"tsc_khz\": 2999999,\n"
	"      \"clocksource\": \"tsc\",\n"
	"      \"hpet\": \"24MHz\",\n"
	"      \"hpet_crystal\": \"+5ppm\",\n"
	"      \"vendor\": \"amd\",\n"
	"      \"sockets\": [\n"
	"        { \"cpus\": 4, \"crystal\": \"+20ppm\", \"tsc_offset\": \"20us\",\n"
	"          \"cpu_tsc_offsets\": [\"0ns\", \"1ns\", \"-1ns\", \"2.5ns\"] },\n"
	"        { \"cpus\": 2 }\n"
	"      ]\n"
	"    },\n"
	"    {\n"
	"      \"name\": \"dst\",\n"
	"      \"tsc\": \"2GHz\",\n"
	"      \"uptime\": \"1h\",\n"
	"      \"sockets\": [ { \"cpus\": 8 } ]\n"
	"    }\n"
	"  ],\n"
	"  \"vm\": {\n"
	"    \"host\": \"src\",\n"
	"    \"vcpus\": 4,\n"
	"    \"pins\": [0, 1, 2, 5],\n"
	"    \"uptime\": \"1h\",\n"
	"    \"stable_bit_cpuid\": false,\n"
	"    \"entry_latency\": \"10us\",\n"
	"    \"kvmclock_sync_period\": \"60s\"\n"
	"  },\n"
	"  \"migrations\": [\n"
	"    { \"at\": \"2s\", \"downtime\": \"300ms\", \"to\": \"dst\", \"pins\": [7, 6, 5, 4],\n"
	"      \"set_clock\": \"clock\", \"tsc_scaling\": true, \"tsc_carry\": \"advance\" },\n"
	"    { \"at\": \"5s\", \"downtime\": \"100ms\", \"to\": \"src\" }\n"
	"  ],\n"
	"  \"vcpu_moves\": [\n"
	"    { \"at\": \"1s\", \"vcpu\": 3, \"pcpu\": 4 },\n"
	"    { \"at\": \"3s\", \"vcpu\": 0, \"pcpu\": 7 }\n"
	"  ],\n"
	"  \"readers\": [\n"
	"    { \"name\": \"mono\", \"kind\": \"pvclock\", \"vcpus\": \"all\", \"period\": \"1ms\",\n"
	"      \"checks\": {\n"
	"        \"mono_vcpu\": { \"expect\": \"pass\" },\n"
	"        \"mono_causal\": { \"expect\": \"pass\", \"worst\": { \"max\": \"0ps\" } },\n"
	"        \"step_back\": { \"expect\": \"pass\", \"threshold\": \"0ns\" },\n"
	"        \"step_fwd\": { \"expect\": \"fail\", \"threshold\": \"310ms\",\n"
	"                      \"worst\": { \"min\": \"300ms\", \"max\": \"1s\" } },\n"
	"        \"max_error\": { \"expect\": \"fail\", \"threshold\": \"1ms\", \"pause\": \"exclude\" },\n"
	"        \"rate\": { \"expect\": \"fail\", \"threshold\": \"500ppm\", \"window\": \"2s\",\n"
	"                  \"worst\": { \"min\": \"-333334ppm\", \"max\": \"-333333ppm\" } }\n"
	"      } },\n"
	"    { \"name\": \"raw\", \"kind\": \"tsc\", \"vcpus\": [2, 0], \"period\": \"100us\",\n"
	"      \"jitter\": \"10us\", \"cost\": \"25ns\", \"tsc_khz\": 3000000 },\n"
	"    { \"name\": \"pv-raw\", \"kind\": \"pvclock-raw\", \"vcpus\": [1], \"period\": \"10ms\" }\n"
	"  ]\n"
	"}\n";

/* Only what is required. */
static const char minimal[] =
	"{\"name\": \"m\", \"duration\": \"1s\",\n"
	" \"hosts\": [{\"name\": \"h\", \"tsc\": \"2.5GHz\", \"uptime\": \"1h\", \"sockets\": [{\"cpus\": 3}]}],\n"
	" \"vm\": {\"host\": \"h\", \"vcpus\": 5},\n"
	" \"readers\": [{\"name\": \"r\", \"kind\": \"tsc\", \"vcpus\": [4], \"period\": \"1ms\"}]}\n";

/* full with the single occurrence of from replaced by to; the caller frees it. */
static char *edit(const char *base, const char *from, const char *to)
{
	const char *p = strstr(base, from);
	size_t head, n;
	char *s;

	cr_assert(p, "test bug: \"%s\" not in the base document", from);
	cr_assert(!strstr(p + 1, from), "test bug: \"%s\" is not unique", from);
	head = (size_t)(p - base);
	n = strlen(base) - strlen(from) + strlen(to);
	s = malloc(n + 1);
	cr_assert(s);
	memcpy(s, base, head);
	strcpy(s + head, to);
	strcat(s, p + strlen(from));
	return s;
}

static void line_col(const char *text, const char *at, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (const char *p = text; p < at; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

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

	cr_expect_eq(sc->vm.host, 0);
	cr_expect_eq(sc->vm.nvcpus, 4);
	cr_expect(sc->vm.has_pins);
	cr_expect(sc->vm.pins[0] == 0 && sc->vm.pins[1] == 1 && sc->vm.pins[2] == 2 &&
		  sc->vm.pins[3] == 5);
	cr_expect_eq(sc->vm.uptime_ns, 3600 * SIM_NS_PER_S);
	cr_expect_not(sc->vm.stable_bit_cpuid);
	cr_expect_eq(sc->vm.entry_latency_ps, 10 * SIM_PS_PER_US);
	cr_expect_eq(sc->vm.sync_period_ps, 60 * SIM_PS_PER_S);

	cr_assert_eq(sc->nmigrations, 2);
	cr_expect_eq(sc->migrations[0].at_ps, 2 * SIM_PS_PER_S);
	cr_expect_eq(sc->migrations[0].downtime_ps, 300 * SIM_PS_PER_MS);
	cr_expect_eq(sc->migrations[0].to_host, 1);
	cr_expect(sc->migrations[0].has_pins);
	cr_expect(sc->migrations[0].pins[0] == 7 && sc->migrations[0].pins[3] == 4);
	cr_expect_eq(sc->migrations[0].set_clock, SCN_SET_CLOCK_CLOCK);
	cr_expect(sc->migrations[0].tsc_scaling);
	cr_expect_eq(sc->migrations[0].tsc_carry, SCN_TSC_ADVANCE);
	cr_expect_str_eq(sc->migrations[0].path, "/migrations/0");
	cr_expect_eq(sc->migrations[1].at_ps, 5 * SIM_PS_PER_S);
	cr_expect_eq(sc->migrations[1].to_host, 0);
	cr_expect_not(sc->migrations[1].has_pins);
	/* Default pins: vCPU i on CPU i mod (CPUs of the destination, 6). */
	cr_expect(sc->migrations[1].pins[0] == 0 && sc->migrations[1].pins[3] == 3);
	cr_expect_eq(sc->migrations[1].set_clock, SCN_SET_CLOCK_REALTIME);
	cr_expect_not(sc->migrations[1].tsc_scaling);
	cr_expect_eq(sc->migrations[1].tsc_carry, SCN_TSC_FROZEN);

	cr_assert_eq(sc->nmoves, 2);
	cr_expect(sc->moves[0].at_ps == SIM_PS_PER_S && sc->moves[0].vcpu == 3 &&
		  sc->moves[0].pcpu == 4);
	cr_expect(sc->moves[1].at_ps == 3 * SIM_PS_PER_S && sc->moves[1].vcpu == 0 &&
		  sc->moves[1].pcpu == 7);
	cr_expect_str_eq(sc->moves[1].path, "/vcpu_moves/1");

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
	cr_expect_not(sc->vm.has_pins);
	for (unsigned i = 0; i < 5; i++)
		cr_expect_eq(sc->vm.pins[i], i % 3);
	cr_expect_eq(sc->vm.uptime_ns, 0);
	cr_expect(sc->vm.stable_bit_cpuid);
	cr_expect_eq(sc->vm.entry_latency_ps, 20 * SIM_PS_PER_US);
	cr_expect_eq(sc->vm.sync_period_ps, 300 * SIM_PS_PER_S);
	cr_expect_eq(sc->nmigrations, 0);
	cr_expect_eq(sc->nmoves, 0);
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

/*
 * An error case: full with from replaced by to must fail at path, with the
 * position of the first occurrence of anchor in the edited text, and a
 * message containing msg.
 */
struct error_case {
	const char *from, *to;
	const char *path;
	const char *anchor;
	const char *msg;
};

static void expect_error(const char *base, const struct error_case *c)
{
	char *text = edit(base, c->from, c->to);
	const char *at = strstr(text, c->anchor);
	struct sim_diag err;
	struct scenario *sc;
	unsigned line, col;

	cr_assert(at, "test bug: anchor %s not in the edited text", c->anchor);
	cr_assert(!strstr(at + 1, c->anchor), "test bug: anchor %s is not unique", c->anchor);
	line_col(text, at, &line, &col);
	sc = scenario_parse("t.json", text, strlen(text), &err);
	cr_expect_null(sc, "%s -> %s: parsed", c->from, c->to);
	scenario_destroy(sc);
	cr_expect_str_eq(err.file, "t.json");
	cr_expect_str_eq(err.path, c->path, "%s -> %s: path %s", c->from, c->to, err.path);
	cr_expect(err.line == line && err.col == col, "%s -> %s: at %u:%u, expected %u:%u (%s)",
		  c->from, c->to, err.line, err.col, line, col, err.msg);
	cr_expect(strstr(err.msg, c->msg), "%s -> %s: message '%s'", c->from, c->to, err.msg);
	free(text);
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
		{ "\"vcpus\": 4", "\"vcpus\": 65", "/vm/vcpus", "65", "expected a vCPU count in [1, 64], got 65" },
		{ "\"vcpus\": 4", "\"vcpus\": -1", "/vm/vcpus", "-1,\n", "expected a vCPU count in [1, 64], got -1" },
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

/* ---- platform, device scripts, hpet and pmtimer readers ---- */

/* A board without a VM: every platform key, and device scripts (line numbers matter). */
static const char board[] =
	"{\n"
	"  \"name\": \"pit_board\",\n"
	"  \"duration\": \"2s\",\n"
	"  \"utc_start\": 1767225600,\n"
	"  \"platform\": {\n"
	"    \"hpet\": { \"frequency\": \"100MHz\", \"timers\": 8, \"counter_bits\": 32 },\n"
	"    \"pmtimer\": { \"port\": \"0xb008\", \"bits\": 32 },\n"
	"    \"rtc\": { \"base\": \"2000-01-01T00:00:00Z\" },\n"
	"    \"access_cost\": { \"pit\": \"2us\", \"rtc\": \"1.5us\", \"hpet\": \"500ns\", \"pmtimer\": \"0s\" }\n"
	"  },\n"
	"  \"scripts\": [\n"
	"    { \"name\": \"pit-mode2\", \"at\": \"1ms\", \"expect\": \"pass\",\n"
	"      \"commands\": [\n"
	"        \"outb 0x43 0x34\",\n"
	"        { \"do\": \"outb 0x40 0x00\" },\n"
	"        { \"do\": \"clock_step 838095\", \"irqs\": [\"raise 0\", \"lower 0\"] },\n"
	"        { \"do\": \"inb 0x40\", \"expect\": 255, \"irqs\": [] },\n"
	"        { \"do\": \"readq 0xfed000f0\", \"expect\": \"0xffffffffffffffff\" },\n"
	"        { \"do\": \"inl 0xb008\", \"expect\": \"18446744073709551615\",\n"
	"          \"irqs\": [\"lower 23\", \"raise 8\", \"raise 8\"] }\n"
	"      ] },\n"
	"    { \"name\": \"rtc\", \"expect\": \"fail\", \"commands\": [\"outb 0x70 0x00\", \"inb 0x71\"] }\n"
	"  ]\n"
	"}\n";

/* A VM with hpet and pmtimer readers. */
static const char counters[] =
	"{\"name\": \"c\", \"duration\": \"1s\",\n"
	" \"platform\": {\"pmtimer\": {\"bits\": 32}, \"access_cost\": {\"hpet\": \"2us\"}},\n"
	" \"hosts\": [{\"name\": \"h\", \"tsc\": \"2GHz\", \"uptime\": \"1h\", \"sockets\": [{\"cpus\": 2}]}],\n"
	" \"vm\": {\"host\": \"h\", \"vcpus\": 2},\n"
	" \"readers\": [\n"
	"  {\"name\": \"hpet32\", \"kind\": \"hpet\", \"vcpus\": \"all\", \"period\": \"1ms\"},\n"
	"  {\"name\": \"hpet64\", \"kind\": \"hpet\", \"vcpus\": [0], \"period\": \"10ms\",\n"
	"   \"width\": 64, \"wrap\": \"none\", \"cost\": \"3us\"},\n"
	"  {\"name\": \"acpi\", \"kind\": \"pmtimer\", \"vcpus\": [1], \"period\": \"5ms\", \"wrap\": \"none\"},\n"
	"  {\"name\": \"acpi2\", \"kind\": \"pmtimer\", \"vcpus\": [0], \"period\": \"7ms\"},\n"
	"  {\"name\": \"pv\", \"kind\": \"pvclock\", \"vcpus\": [1], \"period\": \"5ms\"}\n"
	" ]}\n";

static struct scenario *parse_ok(const char *text)
{
	struct sim_diag err;
	struct scenario *sc = scenario_parse("t.json", text, strlen(text), &err);

	cr_assert(sc, "%s:%u:%u: %s: %s", err.file, err.line, err.col, err.path, err.msg);
	return sc;
}

Test(scenario, platform_defaults_and_source)
{
	struct scenario *sc = parse_ok(minimal);
	const struct scn_platform *p = &sc->platform;

	cr_expect(sc->has_vm);
	cr_expect(p->hpet.frequency.num == SIM_HPET_FREQ_HZ && p->hpet.frequency.den == 1);
	cr_expect_eq(p->hpet.timers, 3);
	cr_expect_eq(p->hpet.counter_bits, 64);
	cr_expect_eq(p->pmtimer.port, 0x608);
	cr_expect_eq(p->pmtimer.bits, 24);
	cr_expect_eq(p->rtc.base_ns, sc->utc_start_ns);
	for (unsigned d = 0; d < SCN_DEV_COUNT; d++)
		cr_expect(!p->has_cost[d] && p->cost_ps[d] == 0, "device %u", d);
	cr_expect_eq(sc->nscripts, 0);
	cr_expect_eq(sc->readers[0].width_bits, 0);
	cr_expect_not(sc->readers[0].wrap_extend);
	cr_assert(sc->source);
	cr_expect_eq(sc->source_len, strlen(minimal));
	cr_expect_str_eq(sc->source, minimal);
	scenario_destroy(sc);

	/* rtc.base follows utc_start when absent, also with an empty "platform". */
	{
		char *text = edit(full, "\"seed\": 42,", "\"seed\": 42, \"platform\": {},");

		sc = parse_ok(text);
		cr_expect_eq(sc->platform.rtc.base_ns, 1772366400ULL * SIM_NS_PER_S + 500000000);
		cr_expect_eq(sc->platform.hpet.timers, 3);
		scenario_destroy(sc);
		free(text);
	}
}

Test(scenario, board_without_vm_with_scripts)
{
	struct scenario *sc = parse_ok(board);
	const struct scn_platform *p = &sc->platform;
	const struct scn_script *s;
	const struct scn_command *c;

	cr_expect_not(sc->has_vm);
	cr_expect_eq(sc->nhosts, 0);
	cr_expect_eq(sc->vm.nvcpus, 0);
	cr_expect_eq(sc->nmigrations + sc->nmoves + sc->nreaders, 0);

	cr_expect(p->hpet.frequency.num == 100000000 && p->hpet.frequency.den == 1);
	cr_expect_eq(p->hpet.timers, 8);
	cr_expect_eq(p->hpet.counter_bits, 32);
	cr_expect_eq(p->pmtimer.port, 0xb008);
	cr_expect_eq(p->pmtimer.bits, 32);
	cr_expect_eq(p->rtc.base_ns, 946684800ULL * SIM_NS_PER_S);
	cr_expect(p->has_cost[SCN_DEV_PIT] && p->cost_ps[SCN_DEV_PIT] == 2 * SIM_PS_PER_US);
	cr_expect(p->has_cost[SCN_DEV_RTC] && p->cost_ps[SCN_DEV_RTC] == 1500 * SIM_PS_PER_NS);
	cr_expect(p->has_cost[SCN_DEV_HPET] && p->cost_ps[SCN_DEV_HPET] == 500 * SIM_PS_PER_NS);
	cr_expect(p->has_cost[SCN_DEV_PMTIMER] && p->cost_ps[SCN_DEV_PMTIMER] == 0);

	cr_assert_eq(sc->nscripts, 2);
	s = &sc->scripts[0];
	cr_expect_str_eq(s->name, "pit-mode2");
	cr_expect_str_eq(s->path, "/scripts/0");
	cr_expect_eq(s->at_ps, SIM_PS_PER_MS);
	cr_expect_eq(s->expect, ORACLE_EXPECT_PASS);
	cr_assert_eq(s->ncommands, 6);
	c = s->commands;
	cr_expect_str_eq(c[0].line, "outb 0x43 0x34");
	cr_expect_str_eq(c[0].path, "/scripts/0/commands/0");
	cr_expect(!c[0].has_expect && !c[0].has_irqs && c[0].nirqs == 0);
	cr_expect_str_eq(c[1].line, "outb 0x40 0x00");
	cr_expect(!c[1].has_expect && !c[1].has_irqs);
	cr_expect_str_eq(c[2].line, "clock_step 838095");
	cr_expect(c[2].has_irqs && c[2].nirqs == 2);
	cr_expect_str_eq(c[2].irqs[0], "IRQ raise 0");
	cr_expect_str_eq(c[2].irqs[1], "IRQ lower 0");
	cr_expect(c[3].has_expect && c[3].expect == 255);
	cr_expect(c[3].has_irqs && c[3].nirqs == 0, "an empty list means no interrupt");
	cr_expect(c[4].has_expect && c[4].expect == UINT64_MAX && !c[4].has_irqs);
	cr_expect(c[5].has_expect && c[5].expect == UINT64_MAX);
	cr_expect_str_eq(c[5].path, "/scripts/0/commands/5");
	cr_expect_eq(c[5].nirqs, 3);
	cr_expect_str_eq(c[5].irqs[0], "IRQ lower 23");
	cr_expect_str_eq(c[5].irqs[1], "IRQ raise 8");
	cr_expect_str_eq(c[5].irqs[2], "IRQ raise 8");

	s = &sc->scripts[1];
	cr_expect_str_eq(s->name, "rtc");
	cr_expect_eq(s->at_ps, 0);
	cr_expect_eq(s->expect, ORACLE_EXPECT_FAIL);
	cr_expect_eq(s->ncommands, 2);
	cr_expect_str_eq(s->commands[1].line, "inb 0x71");
	scenario_destroy(sc);
}

Test(scenario, command_expect_forms)
{
	static const struct {
		const char *value;
		uint64_t expect;
	} cases[] = {
		{ "0", 0 },
		{ "9007199254740992", 1ULL << 53 },
		{ "\"0x0\"", 0 },
		{ "\"0X1f\"", 0x1f },
		{ "\"0x20000000000001\"", (1ULL << 53) + 1 },
		{ "\"9007199254740993\"", (1ULL << 53) + 1 },
		{ "\"18446744073709551615\"", UINT64_MAX },
	};

	for (size_t i = 0; i < N(cases); i++) {
		char to[96];
		char *text;
		struct scenario *sc;

		snprintf(to, sizeof(to), "\"expect\": %s, \"irqs\": []", cases[i].value);
		text = edit(board, "\"expect\": 255, \"irqs\": []", to);
		sc = parse_ok(text);
		cr_expect(sc->scripts[0].commands[3].has_expect);
		cr_expect_eq(sc->scripts[0].commands[3].expect, cases[i].expect, "%s", cases[i].value);
		scenario_destroy(sc);
		free(text);
	}
}

/*
 * "vm" needs "hosts"; "hosts" without "vm" is a bare-metal scenario, where
 * what needs the VM (migrations, vCPU moves, readers on vCPUs) is an error.
 */
Test(scenario, hosts_and_vm_go_together)
{
	static const struct error_case cases[] = {
		{ "  \"vm\": {\n    \"host\": \"src\",\n    \"vcpus\": 4,\n    \"pins\": [0, 1, 2, 5],\n"
		  "    \"uptime\": \"1h\",\n    \"stable_bit_cpuid\": false,\n"
		  "    \"entry_latency\": \"10us\",\n    \"kvmclock_sync_period\": \"60s\"\n  },\n", "",
		  "/migrations", "[\n    { \"at\": \"2s\"",
		  "migrations need a VM: add \"vm\", or remove \"migrations\"" },
	};
	static const struct error_case board_cases[] = {
		{ "\"duration\": \"2s\",", "\"duration\": \"2s\", \"vm\": {\"host\": \"h\", \"vcpus\": 1},",
		  "/hosts", "{\n  \"name\"", "missing key \"hosts\": \"vm\" is given, and a VM needs the "
		  "hosts it runs on" },
		{ "\"duration\": \"2s\",", "\"duration\": \"2s\", \"hosts\": [],", "/hosts", "[],",
		  "expected 1 to 8 hosts, got 0" },
	};

	for (size_t i = 0; i < N(cases); i++)
		expect_error(full, &cases[i]);
	for (size_t i = 0; i < N(board_cases); i++)
		expect_error(board, &board_cases[i]);
}

Test(scenario, without_a_vm_only_scripts)
{
	static const struct error_case cases[] = {
		{ "\"duration\": \"2s\",", "\"duration\": \"2s\", \"migrations\": [{}],", "/migrations",
		  "[{}]", "migrations need a VM: add \"hosts\" and \"vm\", or remove \"migrations\"" },
		{ "\"duration\": \"2s\",", "\"duration\": \"2s\", \"vcpu_moves\": [{}],", "/vcpu_moves",
		  "[{}]", "vCPU moves need a VM: add \"hosts\" and \"vm\", or remove \"vcpu_moves\"" },
		{ "\"duration\": \"2s\",", "\"duration\": \"2s\", \"readers\": [{\"name\": \"h\", "
		  "\"kind\": \"hpet\", \"vcpus\": \"all\", \"period\": \"1ms\"}],", "/readers",
		  "[{\"name\": \"h\"", "readers run in a guest and need a VM: add \"hosts\" and \"vm\", "
		  "or drive the devices with \"scripts\"" },
		{ "\"duration\": \"2s\",", "\"duration\": \"2s\", \"readers\": {},", "/readers",
		  "{},", "expected an array of readers, got an object" },
	};
	struct scenario *sc;
	char *text = edit(board, "\"duration\": \"2s\",",
			  "\"duration\": \"2s\", \"migrations\": [], \"vcpu_moves\": [], \"readers\": [],");

	sc = parse_ok(text);
	cr_expect(!sc->has_vm && sc->nreaders == 0 && sc->nscripts == 2);
	scenario_destroy(sc);
	free(text);
	for (size_t i = 0; i < N(cases); i++)
		expect_error(board, &cases[i]);
}

Test(scenario, readers_are_optional_with_scripts)
{
	char *text = edit(minimal, "\"readers\": [{\"name\": \"r\", \"kind\": \"tsc\", \"vcpus\": [4], "
			  "\"period\": \"1ms\"}]",
			  "\"scripts\": [{\"name\": \"s\", \"expect\": \"pass\", \"commands\": [\"inb 0x61\"]}]");
	struct scenario *sc = parse_ok(text);

	cr_expect(sc->has_vm);
	cr_expect_eq(sc->nreaders, 0);
	cr_expect_eq(sc->nscripts, 1);
	scenario_destroy(sc);
	free(text);
}

Test(scenario, nothing_to_check)
{
	static const struct error_case board_cases[] = {
		{ "\"scripts\": [\n", "\"scripts\": [], \"x\": [\n", "/x", "\"x\"",
		  "unknown key \"x\"" },
	};
	static const char *const texts[] = {
		"{\n  \"name\": \"n\", \"duration\": \"1s\" }",
		"{\"name\": \"n\", \"duration\": \"1s\", \"readers\": [], \"scripts\": []}",
		"{\"name\": \"n\", \"duration\": \"1s\", \"platform\": {}, \"readers\": []}",
	};

	for (size_t i = 0; i < N(texts); i++) {
		struct sim_diag err;
		struct scenario *sc = scenario_parse("t.json", texts[i], strlen(texts[i]), &err);

		cr_expect_null(sc);
		scenario_destroy(sc);
		cr_expect_str_eq(err.path, "");
		cr_expect(err.line == 1 && err.col == 1, "%u:%u", err.line, err.col);
		cr_expect_str_eq(err.msg, "nothing to check: add \"readers\" or \"scripts\"");
	}
	{
		/* A VM with no readers and no scripts: host checks would do, too. */
		char *text = edit(minimal, "\"readers\": [{\"name\": \"r\", \"kind\": \"tsc\", "
				  "\"vcpus\": [4], \"period\": \"1ms\"}]", "\"readers\": []");
		struct sim_diag err;

		cr_expect_null(scenario_parse("t.json", text, strlen(text), &err));
		cr_expect_str_eq(err.msg,
				 "nothing to check: add \"readers\", \"scripts\" or \"host_checks\"");
		cr_expect(err.line == 1 && err.col == 1 && err.path[0] == '\0');
		free(text);
	}
	for (size_t i = 0; i < N(board_cases); i++)
		expect_error(board, &board_cases[i]);
}

Test(scenario, platform_errors)
{
	static const struct error_case cases[] = {
		{ "\"rtc\": {", "\"pic\": {", "/platform/pic", "\"pic\"",
		  "unknown key \"pic\"; expected one of: hpet, pmtimer, rtc, access_cost" },
		{ "\"timers\": 8,", "\"timers\": 8, \"comparators\": 8,", "/platform/hpet/comparators",
		  "\"comparators\"", "unknown key \"comparators\"; expected one of: frequency, timers, "
		  "counter_bits" },
		{ "\"frequency\": \"100MHz\"", "\"frequency\": \"2GHz\"", "/platform/hpet/frequency",
		  "\"2GHz\"", "expected a frequency from 1MHz to 1GHz, got \"2GHz\"" },
		{ "\"frequency\": \"100MHz\"", "\"frequency\": 100", "/platform/hpet/frequency",
		  "100,", "expected a frequency string such as \"3GHz\", got the number 100" },
		{ "\"timers\": 8", "\"timers\": 2", "/platform/hpet/timers", "2,",
		  "expected a number of comparators in [3, 32], got 2" },
		{ "\"timers\": 8", "\"timers\": 33", "/platform/hpet/timers", "33",
		  "expected a number of comparators in [3, 32], got 33" },
		{ "\"counter_bits\": 32", "\"counter_bits\": 48", "/platform/hpet/counter_bits", "48",
		  "expected a counter width in bits: 32 or 64, got 48" },
		{ "\"counter_bits\": 32", "\"counter_bits\": \"64\"", "/platform/hpet/counter_bits",
		  "\"64\"", "expected a counter width in bits, got the string \"64\"" },
		{ "\"port\": \"0xb008\"", "\"port\": \"0x3e\"", "/platform/pmtimer/port", "\"0x3e\"",
		  "the PM timer's ports 0x3e-0x41 overlap the PIT's ports 0x40-0x43" },
		{ "\"port\": \"0xb008\"", "\"port\": 94", "/platform/pmtimer/port", "94",
		  "the PM timer's ports 0x5e-0x61 overlap the PIT's port 0x61" },
		{ "\"port\": \"0xb008\"", "\"port\": \"0x71\"", "/platform/pmtimer/port", "\"0x71\"",
		  "the PM timer's ports 0x71-0x74 overlap the RTC's ports 0x70-0x71" },
		{ "\"port\": \"0xb008\"", "\"port\": 65533", "/platform/pmtimer/port", "65533",
		  "expected a port (the first of the PM timer's 4) in [0, 65532], got 65533" },
		{ "\"port\": \"0xb008\"", "\"port\": \"0xfffd\"", "/platform/pmtimer/port", "\"0xfffd\"",
		  "expected a port (the first of the PM timer's 4) in [0x0, 0xfffc], got \"0xfffd\"" },
		{ "\"port\": \"0xb008\"", "\"port\": \"608h\"", "/platform/pmtimer/port", "\"608h\"",
		  "expected an unsigned integer (decimal, or hex with 0x), got \"608h\"" },
		{ "\"port\": \"0xb008\"", "\"port\": true", "/platform/pmtimer/port", "true",
		  "expected a port (the first of the PM timer's 4): an integer or a string such as "
		  "\"0x1f\", got true" },
		{ "\"port\": \"0xb008\"", "\"port\": -8", "/platform/pmtimer/port", "-8",
		  "in [0, 65532], got -8" },
		{ "\"bits\": 32", "\"bits\": 16", "/platform/pmtimer/bits", "16 }",
		  "expected a counter width in bits: 24 or 32, got 16" },
		{ "\"base\": \"2000-01-01T00:00:00Z\"", "\"base\": \"2000-01-01T00:00:00+02:00\"",
		  "/platform/rtc/base", "\"2000-01-01T00:00:00+02:00\"", "only UTC times, ending in Z" },
		{ "\"base\": \"2000-01-01T00:00:00Z\"", "\"base\": -1", "/platform/rtc/base", "-1",
		  "expected seconds since 1970 in [0, 16725225599], got -1" },
		{ "\"base\": \"2000-01-01T00:00:00Z\"", "\"epoch\": 0", "/platform/rtc/epoch", "\"epoch\"",
		  "unknown key \"epoch\"; expected one of: base" },
		{ "\"pit\": \"2us\"", "\"lapic\": \"2us\"", "/platform/access_cost/lapic", "\"lapic\"",
		  "unknown key \"lapic\"; expected one of: pit, rtc, hpet, pmtimer" },
		{ "\"rtc\": \"1.5us\"", "\"rtc\": 1500", "/platform/access_cost/rtc", "1500",
		  "expected a duration string such as \"300ms\", got the number 1500" },
		{ "\"hpet\": \"500ns\"", "\"hpet\": \"-1ns\"", "/platform/access_cost/hpet", "\"-1ns\"",
		  "expected a duration without a sign" },
		{ "\"rtc\": { \"base\": \"2000-01-01T00:00:00Z\" }", "\"rtc\": [ \"2000-01-01T00:00:00Z\" ]",
		  "/platform/rtc", "[ \"2000",
		  "expected an object, got an array" },
	};

	for (size_t i = 0; i < N(cases); i++)
		expect_error(board, &cases[i]);
	/* "platform" must be an object. */
	{
		static const struct error_case c = {
			"\"seed\": 42,", "\"seed\": 42, \"platform\": [],", "/platform", "[],",
			"expected an object, got an array",
		};

		expect_error(full, &c);
	}
	/* Edges: port 0x44 is right after the PIT, 0x62 right after port 0x61, 0xfffc the last. */
	{
		static const char *const ok[] = { "\"0x44\"", "0", "\"0x62\"", "\"0xfffc\"", "108" };

		for (size_t i = 0; i < N(ok); i++) {
			char to[64];
			char *text;
			struct scenario *sc;

			snprintf(to, sizeof(to), "\"port\": %s", ok[i]);
			text = edit(board, "\"port\": \"0xb008\"", to);
			sc = parse_ok(text);
			scenario_destroy(sc);
			free(text);
		}
	}
}

Test(scenario, script_errors)
{
	static const struct error_case cases[] = {
		{ "\"name\": \"rtc\", ", "", "/scripts/1/name", "{ \"expect\": \"fail\"",
		  "missing required key \"name\"" },
		{ "\"name\": \"rtc\"", "\"name\": \"pit-mode2\"", "/scripts/1/name",
		  "\"pit-mode2\", \"expect\"", "duplicate script name \"pit-mode2\" (also /scripts/0/name)" },
		{ "\"name\": \"rtc\"", "\"name\": \"r t c\"", "/scripts/1/name", "\"r t c\"",
		  "expected a name of 1 to 31 characters" },
		{ "\"at\": \"1ms\"", "\"at\": \"2s\"", "/scripts/0/at", "\"2s\", \"expect\"",
		  "expected a time before the end of the run (2s), got 2s" },
		{ "\"at\": \"1ms\"", "\"at\": 1", "/scripts/0/at", "1,",
		  "expected a duration string such as \"300ms\", got the number 1" },
		{ "\"expect\": \"fail\"", "\"expect\": \"maybe\"", "/scripts/1/expect", "\"maybe\"",
		  "expected one of \"pass\", \"fail\", got \"maybe\"" },
		{ "\"expect\": \"fail\", ", "", "/scripts/1/expect", "{ \"name\": \"rtc\"",
		  "missing required key \"expect\"" },
		{ ", \"commands\": [\"outb 0x70 0x00\", \"inb 0x71\"]", "", "/scripts/1/commands",
		  "{ \"name\": \"rtc\"", "missing required key \"commands\"" },
		{ "[\"outb 0x70 0x00\", \"inb 0x71\"]", "[]", "/scripts/1/commands", "[] }\n  ]",
		  "expected 1 to 1024 commands, got 0" },
		{ "[\"outb 0x70 0x00\", \"inb 0x71\"]", "\"inb 0x71\"", "/scripts/1/commands",
		  "\"inb 0x71\"", "expected an array of commands, got the string \"inb 0x71\"" },
		{ "\"name\": \"rtc\",", "\"name\": \"rtc\", \"when\": \"1s\",", "/scripts/1/when",
		  "\"when\"", "unknown key \"when\"; expected one of: name, at, expect, commands" },
	};
	static const struct error_case full_case = {
		"\"seed\": 42,", "\"seed\": 42, \"scripts\": 3e0,", "/scripts", "3e0",
		"expected an array of scripts, got the number 3e0",
	};

	for (size_t i = 0; i < N(cases); i++)
		expect_error(board, &cases[i]);
	expect_error(full, &full_case);
}

Test(scenario, command_errors)
{
	static const struct error_case cases[] = {
		{ "\"inb 0x71\"", "71", "/scripts/1/commands/1", "71]",
		  "expected a qtest command such as \"outb 0x43 0x34\" or an object with \"do\", "
		  "got the number 71" },
		{ "\"inb 0x71\"", "\"\"", "/scripts/1/commands/1", "\"\"]",
		  "expected a qtest command such as \"outb 0x43 0x34\", got \"\"" },
		{ "\"inb 0x71\"", "\"   \"", "/scripts/1/commands/1", "\"   \"",
		  "expected a qtest command such as \"outb 0x43 0x34\", got \"   \"" },
		{ "\"inb 0x71\"", "\"inb 0x71\\n\"", "/scripts/1/commands/1", "\"inb 0x71\\n\"",
		  "expected a qtest command such as \"outb 0x43 0x34\" (printable ASCII only), got "
		  "byte 0x0a at offset 8 of \"inb 0x71\\x0a\"" },
		{ "\"inb 0x71\"", "\"inb\\t0x71\"", "/scripts/1/commands/1", "\"inb\\t0x71\"",
		  "got byte 0x09 at offset 3" },
		{ "\"inb 0x71\"", "\"inb 0x71 \\u00e9\"", "/scripts/1/commands/1", "\"inb 0x71 \\u00e9\"",
		  "got byte 0xc3 at offset 9" },
		{ "\"inb 0x71\"", "\"inb 0x7100000000000000000000000000000000000000000000000000"
		  "00000000000000000000000000000000000000\"", "/scripts/1/commands/1", "\"inb 0x7100",
		  "qtest command too long: 96 characters (at most 95)" },
		{ "{ \"do\": \"outb 0x40 0x00\" }", "{ \"od\": \"outb 0x40 0x00\" }",
		  "/scripts/0/commands/1/od", "\"od\"", "unknown key \"od\"; expected one of: do, expect, irqs" },
		{ "{ \"do\": \"outb 0x40 0x00\" }", "{ }", "/scripts/0/commands/1/do", "{ }",
		  "missing required key \"do\"" },
		{ "{ \"do\": \"outb 0x40 0x00\" }", "{ \"do\": [\"outb\"] }", "/scripts/0/commands/1/do",
		  "[\"outb\"]", "expected a qtest command such as \"outb 0x43 0x34\", got an array" },
		{ "{ \"do\": \"outb 0x40 0x00\" }", "{ \"do\": \"\" }", "/scripts/0/commands/1/do",
		  "\"\" }", "expected a qtest command such as \"outb 0x43 0x34\", got \"\"" },
		{ "\"expect\": 255", "\"expect\": -1", "/scripts/0/commands/3/expect", "-1",
		  "expected the value the command returns in [0, 9007199254740992], got -1" },
		{ "\"expect\": 255", "\"expect\": 255.5", "/scripts/0/commands/3/expect", "255.5",
		  "expected the value the command returns (digits only, no fraction or exponent), got 255.5" },
		{ "\"expect\": 255", "\"expect\": 9007199254740993", "/scripts/0/commands/3/expect",
		  "9007199254740993", "integer too large: 9007199254740993 (at most 2^53 = "
		  "9007199254740992); write larger values as a string such as \"0xffffffffffffffff\"" },
		{ "\"expect\": 255", "\"expect\": \"0x10000000000000000\"", "/scripts/0/commands/3/expect",
		  "\"0x10000000000000000\"", "integer too large: \"0x10000000000000000\" (at most "
		  "18446744073709551615)" },
		{ "\"expect\": 255", "\"expect\": \"-1\"", "/scripts/0/commands/3/expect", "\"-1\"",
		  "expected an unsigned integer (decimal, or hex with 0x), got \"-1\"" },
		{ "\"expect\": 255", "\"expect\": \"0xff \"", "/scripts/0/commands/3/expect", "\"0xff \"",
		  "expected an unsigned integer (decimal, or hex with 0x), got \"0xff \"" },
		{ "\"expect\": 255", "\"expect\": null", "/scripts/0/commands/3/expect", "null",
		  "expected the value the command returns: an integer or a string such as \"0x1f\", "
		  "got null" },
		{ "\"irqs\": []", "\"irqs\": \"raise 0\"", "/scripts/0/commands/3/irqs", "\"raise 0\" }",
		  "expected an array of interrupt events, got the string \"raise 0\"" },
		{ "\"irqs\": []", "\"irqs\": [\"raise 0\", \"raise 1\", \"raise 2\", \"raise 3\", "
		  "\"raise 4\", \"raise 5\", \"raise 6\", \"raise 7\", \"raise 8\"]",
		  "/scripts/0/commands/3/irqs", "[\"raise 0\", \"raise 1\"",
		  "expected 0 to 8 interrupt events, got 9" },
		{ "\"lower 23\"", "\"lower 24\"", "/scripts/0/commands/5/irqs/0", "\"lower 24\"",
		  "expected \"raise N\" or \"lower N\" with N from 0 to 23, got \"lower 24\"" },
		{ "\"lower 23\"", "\"lower 05\"", "/scripts/0/commands/5/irqs/0", "\"lower 05\"",
		  "got \"lower 05\"" },
		{ "\"lower 23\"", "\"IRQ lower 5\"", "/scripts/0/commands/5/irqs/0", "\"IRQ lower 5\"",
		  "got \"IRQ lower 5\"" },
		{ "\"lower 23\"", "\"Lower 5\"", "/scripts/0/commands/5/irqs/0", "\"Lower 5\"",
		  "got \"Lower 5\"" },
		{ "\"lower 23\"", "\"lower  5\"", "/scripts/0/commands/5/irqs/0", "\"lower  5\"",
		  "got \"lower  5\"" },
		{ "\"lower 23\"", "\"lower \"", "/scripts/0/commands/5/irqs/0", "\"lower \"",
		  "got \"lower \"" },
		{ "\"lower 23\"", "\"lower 5x\"", "/scripts/0/commands/5/irqs/0", "\"lower 5x\"",
		  "got \"lower 5x\"" },
		{ "\"lower 23\"", "5", "/scripts/0/commands/5/irqs/0", "5, \"raise 8\"",
		  "expected an interrupt event: \"raise N\" or \"lower N\" with N from 0 to 23, got the "
		  "number 5" },
	};

	for (size_t i = 0; i < N(cases); i++)
		expect_error(board, &cases[i]);
}

Test(scenario, script_command_count_limit)
{
	size_t n = 1025, len = 0;
	char *cmds = malloc(n * 12 + 8);
	char *text;
	struct sim_diag err;
	struct scenario *sc;

	cr_assert(cmds);
	cmds[len++] = '[';
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(cmds + len, "%s\"inb 0x71\"", i ? "," : "");
	cmds[len++] = ']';
	cmds[len] = '\0';
	text = edit(board, "[\"outb 0x70 0x00\", \"inb 0x71\"]", cmds);
	sc = scenario_parse("t.json", text, strlen(text), &err);
	cr_expect_null(sc);
	scenario_destroy(sc);
	cr_expect_str_eq(err.path, "/scripts/1/commands");
	cr_expect_str_eq(err.msg, "expected 1 to 1024 commands, got 1025");
	free(text);

	/* 1024 is fine. */
	len -= strlen(",\"inb 0x71\"]");
	strcpy(cmds + len, "]");
	text = edit(board, "[\"outb 0x70 0x00\", \"inb 0x71\"]", cmds);
	sc = parse_ok(text);
	cr_expect_eq(sc->scripts[1].ncommands, 1024);
	cr_expect_str_eq(sc->scripts[1].commands[1023].path, "/scripts/1/commands/1023");
	scenario_destroy(sc);
	free(text);
	free(cmds);
}

Test(scenario, hpet_and_pmtimer_readers)
{
	struct scenario *sc = parse_ok(counters);
	const struct scn_reader *r = sc->readers;

	cr_assert_eq(sc->nreaders, 5);
	cr_expect_eq(r[0].kind, READER_HPET);
	cr_expect_eq(r[0].width_bits, 32);
	cr_expect(r[0].wrap_extend);
	cr_expect_eq(r[0].cost_ps, 0, "0: the device's access cost, resolved by the machine");
	cr_expect_eq(r[1].kind, READER_HPET);
	cr_expect_eq(r[1].width_bits, 64);
	cr_expect_not(r[1].wrap_extend);
	cr_expect_eq(r[1].cost_ps, 3 * SIM_PS_PER_US);
	cr_expect_eq(r[2].kind, READER_PMTIMER);
	cr_expect_eq(r[2].width_bits, 32, "the platform's bits");
	cr_expect_not(r[2].wrap_extend);
	cr_expect_eq(r[2].cost_ps, 0);
	cr_expect_eq(r[3].kind, READER_PMTIMER);
	cr_expect(r[3].wrap_extend);
	cr_expect_eq(r[3].width_bits, 32);
	cr_expect_eq(r[4].kind, READER_PVCLOCK);
	cr_expect(r[4].width_bits == 0 && !r[4].wrap_extend);
	scenario_destroy(sc);

	/* Without "platform", a pmtimer reader reads 24 bits. */
	{
		char *text = edit(counters, " \"platform\": {\"pmtimer\": {\"bits\": 32}, "
				  "\"access_cost\": {\"hpet\": \"2us\"}},\n", "");

		sc = parse_ok(text);
		cr_expect_eq(sc->readers[2].width_bits, 24);
		scenario_destroy(sc);
		free(text);
	}
}

Test(scenario, hpet_and_pmtimer_reader_errors)
{
	static const struct error_case cases[] = {
		{ "\"kind\": \"pmtimer\", \"vcpus\": [0], \"period\": \"7ms\"",
		  "\"kind\": \"pmtimer\", \"vcpus\": [0], \"period\": \"7ms\", \"width\": 32",
		  "/readers/3/width", "\"width\": 32", "key \"width\" is not allowed when \"kind\" is "
		  "\"pmtimer\": the PM timer's width is /platform/pmtimer/bits (32)" },
		{ "\"kind\": \"pvclock\", \"vcpus\": [1], \"period\": \"5ms\"",
		  "\"kind\": \"pvclock\", \"vcpus\": [1], \"period\": \"5ms\", \"width\": 64",
		  "/readers/4/width", "\"width\": 64}",
		  "key \"width\" is only allowed when \"kind\" is \"hpet\"" },
		{ "\"kind\": \"pvclock\", \"vcpus\": [1], \"period\": \"5ms\"",
		  "\"kind\": \"pvclock\", \"vcpus\": [1], \"period\": \"5ms\", \"wrap\": \"extend\"",
		  "/readers/4/wrap", "\"wrap\": \"extend\"",
		  "key \"wrap\" is only allowed when \"kind\" is \"hpet\" or \"pmtimer\"" },
		{ "\"width\": 64", "\"width\": 48", "/readers/1/width", "48",
		  "expected an access width in bits: 32 or 64, got 48" },
		{ "\"width\": 64", "\"width\": \"64\"", "/readers/1/width", "\"64\"",
		  "expected an access width in bits, got the string \"64\"" },
		{ "\"width\": 64, \"wrap\": \"none\"", "\"width\": 64, \"wrap\": \"wrap\"",
		  "/readers/1/wrap", "\"wrap\",", "expected one of \"none\", \"extend\", got \"wrap\"" },
		{ "\"width\": 64, \"wrap\": \"none\"", "\"width\": 64, \"wrap\": false",
		  "/readers/1/wrap", "false", "expected one of \"none\", \"extend\", got false" },
		{ "\"cost\": \"3us\"", "\"cost\": \"10ms\"", "/readers/1/cost", "\"10ms\"}",
		  "expected a cost below the period (10ms), got 10ms" },
		{ "\"kind\": \"hpet\", \"vcpus\": \"all\", \"period\": \"1ms\"",
		  "\"kind\": \"hpet\", \"vcpus\": \"all\", \"period\": \"2us\"", "/readers/0/period",
		  "\"2us\"},\n", "expected a period above the cost of one read (2us, from "
		  "/platform/access_cost/hpet), got 2us" },
		{ "\"kind\": \"hpet\", \"vcpus\": \"all\", \"period\": \"1ms\"",
		  "\"kind\": \"hpet\", \"vcpus\": \"all\", \"period\": \"2us\", \"cost\": \"0s\"",
		  "/readers/0/period", "\"2us\", \"cost\"", "expected a period above the cost of one "
		  "read (2us, from /platform/access_cost/hpet), got 2us" },
		{ "\"kind\": \"hpet\", \"vcpus\": \"all\"", "\"kind\": \"HPET\", \"vcpus\": \"all\"",
		  "/readers/0/kind", "\"HPET\"", "expected one of \"pvclock\", \"pvclock-raw\", \"tsc\", "
		  "\"hpet\", \"pmtimer\", \"rdtsc\", got \"HPET\"" },
		{ "\"kind\": \"pmtimer\", \"vcpus\": [0], \"period\": \"7ms\"",
		  "\"kind\": \"pmtimer\", \"vcpus\": [0], \"period\": \"7ms\", \"tsc_khz\": 1000",
		  "/readers/3/tsc_khz", "\"tsc_khz\"",
		  "key \"tsc_khz\" is only allowed when \"kind\" is \"tsc\"" },
	};

	for (size_t i = 0; i < N(cases); i++)
		expect_error(counters, &cases[i]);

	/* A reader's explicit cost is used as is, even when the device's access cost is larger. */
	{
		char *text = edit(counters, "\"period\": \"1ms\"}", "\"period\": \"1ms\", \"cost\": \"1us\"}");
		struct scenario *sc = parse_ok(text);

		cr_expect_eq(sc->readers[0].cost_ps, SIM_PS_PER_US);
		scenario_destroy(sc);
		free(text);
	}
	/* Unknown reader key: the list names width and wrap. */
	{
		static const struct error_case c = {
			"\"period\": \"7ms\"", "\"period\": \"7ms\", \"bits\": 32", "/readers/3/bits",
			"\"bits\": 32},\n", "unknown key \"bits\"; expected one of: name, kind, vcpus, period, "
			"jitter, cost, tsc_khz, width, wrap, checks",
		};

		expect_error(counters, &c);
	}
}

Test(scenario, locate_points_into_the_source)
{
	static const struct {
		const char *path, *anchor;
	} cases[] = {
		{ "", "{\n  \"name\": \"pit_board\"" },
		{ "/platform/pmtimer/port", "\"0xb008\"" },
		{ "/platform/access_cost/rtc", "\"1.5us\"" },
		{ "/scripts/0/commands/4", "{ \"do\": \"readq" },
		{ "/scripts/0/commands/5/irqs/1", "\"raise 8\", \"raise 8\"" },
		{ "/scripts/1", "{ \"name\": \"rtc\"" },
		{ "/scripts/1/commands/1", "\"inb 0x71\"" },
	};
	struct scenario *sc = parse_ok(board);
	unsigned line = 99, col = 99, l, c;

	for (size_t i = 0; i < N(cases); i++) {
		const char *at = strstr(board, cases[i].anchor);

		cr_assert(at && !strstr(at + 1, cases[i].anchor), "test bug: %s", cases[i].anchor);
		line_col(board, at, &l, &c);
		cr_expect(scenario_locate(sc, cases[i].path, &line, &col), "%s", cases[i].path);
		cr_expect(line == l && col == c, "%s: %u:%u, expected %u:%u", cases[i].path, line, col,
			  l, c);
	}
	/* The paths the loader keeps lead back to the text. */
	cr_expect(scenario_locate(sc, sc->scripts[0].commands[2].path, &line, &col));
	cr_expect(line == 16 && col == 9, "%u:%u", line, col);

	line = col = 7;
	cr_expect_not(scenario_locate(sc, "/platform/pmtimer/bitz", &line, &col));
	cr_expect_not(scenario_locate(sc, "/scripts/2", &line, &col));
	cr_expect_not(scenario_locate(sc, "/hosts", &line, &col));
	cr_expect(line == 7 && col == 7, "left alone");
	cr_expect_not(scenario_locate(NULL, "", &line, &col));
	cr_expect_not(scenario_locate(sc, NULL, &line, &col));
	scenario_destroy(sc);

	/* With a file, too: the source is what was read. */
	{
		char path[] = "/tmp/test_scenario_XXXXXX";
		int fd = mkstemp(path);
		FILE *f;

		cr_assert(fd >= 0);
		f = fdopen(fd, "w");
		cr_assert(f);
		fputs(full, f);
		fclose(f);
		sc = scenario_load(path, NULL);
		unlink(path);
		cr_assert(sc);
		cr_expect_eq(sc->source_len, strlen(full));
		cr_expect_str_eq(sc->source, full);
		cr_expect(scenario_locate(sc, "/vm/vcpus", &line, &col));
		cr_expect(line == 33 && col == 14, "%u:%u", line, col);
		scenario_destroy(sc);
	}
}

/* ---- bare metal: sockets, TSC features, host readers, events and host checks ---- */

/*
 * Two hosts and no VM, with every new key.  Host h0's CPUs: socket 0 has 0-1
 * online and 2-3 hotplug, socket 1 has 4-6; h1 has 0-3.
 */
static const char metal[] =
	"{\n"
	"  \"name\": \"metal\",\n"
	"  \"duration\": \"10s\",\n"
	"  \"hosts\": [\n"
	"    { \"name\": \"h0\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
	"      \"sockets\": [\n"
	"        { \"cpus\": 2, \"hotplug_cpus\": 2, \"crystal\": \"+10ppm\", \"crystal_wander\": \"2ppb\",\n"
	"          \"wander_bound\": \"0.5ppm\", \"wander_step\": \"100ms\", \"crystal_aging\": \"-5ppb\",\n"
	"          \"ssc\": { \"mode\": \"down\", \"spread\": \"0.5%\", \"modulation\": \"33kHz\" } },\n"
	"        { \"cpus\": 3, \"ssc\": { \"mode\": \"center\", \"spread\": \"5000ppm\" } }\n"
	"      ],\n"
	"      \"tsc_features\": { \"constant\": false, \"nonstop\": false, \"tsc_adjust\": true,\n"
	"        \"arat\": false, \"rdtsc_window\": 40, \"bios_sync_residual\": 1000,\n"
	"        \"halted_pstate_erratum\": true, \"apic_timer\": \"25MHz\",\n"
	"        \"advertise\": { \"constant_tsc\": true, \"nonstop_tsc\": false, \"invariant_tsc\": true } } },\n"
	"    { \"name\": \"h1\", \"tsc\": \"2GHz\", \"uptime\": \"1d\", \"sockets\": [ { \"cpus\": 4 } ] }\n"
	"  ],\n"
	"  \"readers\": [\n"
	"    { \"name\": \"naive\", \"kind\": \"rdtsc\", \"host\": \"h0\", \"cpus\": \"all\", \"period\": \"1ms\",\n"
	"      \"migrate_every\": \"10ms\", \"rdtsc\": \"rdtsc\",\n"
	"      \"checks\": { \"mono_vcpu\": { \"expect\": \"fail\" } } },\n"
	"    { \"name\": \"cs\", \"kind\": \"tsc\", \"host\": \"h0\", \"cpus\": [4], \"period\": \"500us\",\n"
	"      \"rdtsc\": \"lfence\" },\n"
	"    { \"name\": \"pc\", \"kind\": \"tsc\", \"host\": \"h1\", \"cpus\": [0, 3], \"period\": \"2ms\" }\n"
	"  ],\n"
	"  \"events\": [\n"
	"    { \"type\": \"cstate\", \"at\": \"1s\", \"host\": \"h0\", \"cpus\": [0, 1], \"state\": \"C6\",\n"
	"      \"duration\": \"10ms\" },\n"
	"    { \"type\": \"cstate_pattern\", \"at\": \"1s\", \"host\": \"h0\", \"cpus\": [4, 5], \"state\": 3,\n"
	"      \"until\": \"5s\", \"residency\": \"200us\", \"busy\": \"50us\" },\n"
	"    { \"type\": \"pstate\", \"at\": \"1.5s\", \"host\": \"h0\", \"cpus\": \"all\", \"frequency\": \"800MHz\" },\n"
	"    { \"type\": \"throttle\", \"at\": \"2s\", \"host\": \"h1\", \"cpus\": [1], \"duty\": \"12.5%\",\n"
	"      \"duration\": \"1s\" },\n"
	"    { \"type\": \"temperature\", \"at\": \"2s\", \"host\": \"h0\", \"socket\": 1, \"step\": \"-1.5ppm\" },\n"
	"    { \"type\": \"hotplug\", \"at\": \"3s\", \"host\": \"h0\", \"cpu\": 2, \"tsc\": \"0x1000\" },\n"
	"    { \"type\": \"hotplug\", \"at\": \"3s\", \"host\": \"h0\", \"cpu\": 3 },\n"
	"    { \"type\": \"tsc_write\", \"at\": \"3.5s\", \"host\": \"h0\", \"cpu\": 2,\n"
	"      \"value\": \"0xffffffffffffffff\", \"low32\": true },\n"
	"    { \"type\": \"tsc_adjust_write\", \"at\": \"4s\", \"host\": \"h0\", \"cpu\": 0,\n"
	"      \"value\": \"-9223372036854775807\" },\n"
	"    { \"type\": \"reader_migrate\", \"at\": \"4.5s\", \"reader\": \"cs\", \"cpu\": 2 },\n"
	"    { \"type\": \"suspend\", \"at\": \"6s\", \"host\": \"h1\", \"kind\": \"S4\", \"duration\": \"1s\",\n"
	"      \"firmware_tsc_adjust\": -12 }\n"
	"  ],\n"
	"  \"host_checks\": [\n"
	"    { \"check\": \"flag_truth\", \"host\": \"h0\", \"expect\": \"fail\", \"threshold\": \"50ppm\",\n"
	"      \"flags\": [\"invariant_tsc\", \"constant_tsc\"], \"worst\": { \"min\": \"1ppm\", \"max\": \"20000ppm\" } },\n"
	"    { \"check\": \"tsc_sync\", \"name\": \"sync-hotplug\", \"host\": \"h0\", \"expect\": \"fail\",\n"
	"      \"cpus\": [0, 2], \"at\": \"3s\", \"worst\": { \"min\": 1000 } },\n"
	"    { \"check\": \"watchdog\", \"host\": \"h1\", \"expect\": \"pass\", \"clocksource\": \"acpi_pm\",\n"
	"      \"delay_every\": 3, \"delay\": \"50ms\", \"false_positive\": true,\n"
	"      \"worst\": { \"min\": \"-1ms\", \"max\": \"1ms\" } },\n"
	"    { \"check\": \"timer\", \"host\": \"h0\", \"expect\": \"pass\", \"cpu\": 4, \"mode\": \"periodic\",\n"
	"      \"arm_at\": \"1s\", \"delay\": \"1ms\", \"count\": 100, \"slack\": \"50us\" }\n"
	"  ]\n"
	"}\n";
/* Only what a bare-metal scenario requires. */
static const char metal_min[] =
	"{\"name\": \"mm\", \"duration\": \"1s\",\n"
	" \"hosts\": [{\"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [{\"cpus\": 2}]}],\n"
	" \"readers\": [{\"name\": \"r\", \"kind\": \"tsc\", \"cpus\": \"all\", \"period\": \"1ms\"}]}\n";

static void expect_cpus(const unsigned *got, unsigned n, const unsigned *want, unsigned nwant,
			const char *what)
{
	cr_expect_eq(n, nwant, "%s: %u CPUs, expected %u", what, n, nwant);
	for (unsigned i = 0; i < n && i < nwant; i++)
		cr_expect_eq(got[i], want[i], "%s[%u]: %u, expected %u", what, i, got[i], want[i]);
}

Test(scenario, bare_metal_document_sets_every_field)
{
	static const unsigned all0[] = { 0, 1, 4, 5, 6 };
	struct scenario *sc = parse_ok(metal);
	const struct scn_host *h = &sc->hosts[0];
	const struct scn_socket *sk = h->sockets;
	const struct scn_tsc_features *tf = &h->features;
	const struct scn_reader *r = sc->readers;
	const struct scn_event *e = sc->events;
	const struct scn_host_check *c = sc->host_checks;

	cr_expect(sc->has_hosts);
	cr_expect_not(sc->has_vm);
	cr_expect_eq(sc->vm.nvcpus, 0);
	cr_assert_eq(sc->nhosts, 2);
	cr_expect(h->ncpus == 7 && h->ncpus_online == 5, "%u %u", h->ncpus, h->ncpus_online);
	cr_expect(sk[0].first_cpu == 0 && sk[1].first_cpu == 4);
	cr_expect(sk[0].ncpus == 2 && sk[0].hotplug_cpus == 2 && sk[1].hotplug_cpus == 0);
	cr_expect_eq(sk[0].crystal_ppb, 10000);
	cr_expect_eq(sk[0].wander_ppb, 2);
	cr_expect_eq(sk[0].wander_bound_ppb, 500);
	cr_expect_eq(sk[0].wander_step_ps, 100 * SIM_PS_PER_MS);
	cr_expect_eq(sk[0].aging_ppb_per_day, -5);
	cr_expect(sk[0].ssc.enabled && sk[0].ssc.mode == SCN_SSC_DOWN);
	cr_expect_eq(sk[0].ssc.spread_ppm, 5000);
	cr_expect(sk[0].ssc.modulation.num == 33000 && sk[0].ssc.modulation.den == 1);
	cr_expect(sk[1].ssc.enabled && sk[1].ssc.mode == SCN_SSC_CENTER);
	cr_expect_eq(sk[1].ssc.spread_ppm, 5000);
	cr_expect(sk[1].ssc.modulation.num == 31500 && sk[1].ssc.modulation.den == 1);
	cr_expect(sk[1].wander_ppb == 0 && sk[1].wander_bound_ppb == 1000 &&
		  sk[1].wander_step_ps == SIM_PS_PER_S && sk[1].aging_ppb_per_day == 0);

	cr_expect(!tf->constant && !tf->nonstop && tf->tsc_adjust && !tf->arat);
	cr_expect_eq(tf->rdtsc_window_cycles, 40);
	cr_expect_eq(tf->bios_sync_residual_cycles, 1000);
	cr_expect(tf->halted_pstate_erratum);
	cr_expect(tf->apic_timer.num == 25000000 && tf->apic_timer.den == 1);
	cr_expect_eq(tf->advertise[SCN_FLAG_CONSTANT_TSC], SCN_TRUE);
	cr_expect_eq(tf->advertise[SCN_FLAG_NONSTOP_TSC], SCN_FALSE);
	cr_expect_eq(tf->advertise[SCN_FLAG_TSC_KNOWN_FREQ], SCN_UNSET);
	cr_expect_eq(tf->advertise[SCN_FLAG_TSC_RELIABLE], SCN_UNSET);
	cr_expect_eq(tf->advertise[SCN_FLAG_INVARIANT_TSC], SCN_TRUE);
	cr_expect(sc->hosts[1].ncpus == 4 && sc->hosts[1].ncpus_online == 4);

	cr_assert_eq(sc->nreaders, 3);
	cr_expect(r[0].on_host && r[0].host == 0 && r[0].nvcpus == 0);
	cr_expect_eq(r[0].kind, READER_RDTSC);
	expect_cpus(r[0].cpus, r[0].ncpus, all0, 5, "naive: \"all\", online at t = 0");
	cr_expect_eq(r[0].migrate_every_ps, 10 * SIM_PS_PER_MS);
	cr_expect_eq(r[0].rdtsc, SCN_RDTSC_PLAIN);
	cr_expect_eq(r[0].cost_ps, 10 * SIM_PS_PER_NS);
	cr_expect(r[0].checks[ORACLE_MONO_VCPU].enabled);
	cr_expect(r[1].on_host && r[1].kind == READER_TSC && r[1].ncpus == 1 && r[1].cpus[0] == 4);
	cr_expect_eq(r[1].rdtsc, SCN_RDTSC_LFENCE);
	cr_expect_eq(r[1].migrate_every_ps, 0);
	cr_expect_eq(r[1].cost_ps, 20 * SIM_PS_PER_NS);
	cr_expect(r[2].on_host && r[2].host == 1 && r[2].ncpus == 2 && r[2].cpus[1] == 3);
	cr_expect_eq(r[2].rdtsc, SCN_RDTSC_RDTSCP);

	cr_assert_eq(sc->nevents, 11);
	cr_assert(e);
	cr_expect(e[0].type == SCN_EV_CSTATE && e[0].at_ps == SIM_PS_PER_S && e[0].host == 0);
	expect_cpus(e[0].cpus, e[0].ncpus, (const unsigned[]){ 0, 1 }, 2, "events/0");
	cr_expect(e[0].cstate == 6 && e[0].duration_ps == 10 * SIM_PS_PER_MS);
	cr_expect(e[1].type == SCN_EV_CSTATE_PATTERN && e[1].cstate == 3);
	cr_expect(e[1].until_ps == 5 * SIM_PS_PER_S && e[1].residency_ps == 200 * SIM_PS_PER_US &&
		  e[1].busy_ps == 50 * SIM_PS_PER_US);
	cr_expect_eq(e[2].type, SCN_EV_PSTATE);
	expect_cpus(e[2].cpus, e[2].ncpus, all0, 5, "events/2: \"all\" at 1.5s");
	cr_expect(e[2].frequency.num == 800000000 && e[2].frequency.den == 1);
	cr_expect(e[3].type == SCN_EV_THROTTLE && e[3].host == 1 && e[3].duty_ppm == 125000 &&
		  e[3].duration_ps == SIM_PS_PER_S);
	cr_expect(e[4].type == SCN_EV_TEMPERATURE && e[4].socket == 1 && e[4].step_ppb == -1500);
	cr_expect(e[5].type == SCN_EV_HOTPLUG && e[5].cpu == 2 && e[5].has_value &&
		  e[5].value == 0x1000);
	cr_expect(e[6].type == SCN_EV_HOTPLUG && e[6].cpu == 3 && !e[6].has_value &&
		  e[6].value == 0, "no \"tsc\": 0, just out of reset");
	cr_expect(e[7].type == SCN_EV_TSC_WRITE && e[7].cpu == 2 && e[7].has_value &&
		  e[7].value == UINT64_MAX && e[7].low32);
	cr_expect(e[8].type == SCN_EV_TSC_ADJUST_WRITE && e[8].cpu == 0 && e[8].has_adjust &&
		  e[8].adjust == -INT64_MAX);
	cr_expect(e[9].type == SCN_EV_READER_MIGRATE && e[9].reader == 1 && e[9].host == 0 &&
		  e[9].cpu == 2, "host: the reader's");
	cr_expect(e[10].type == SCN_EV_SUSPEND && e[10].host == 1 && e[10].s4 &&
		  e[10].duration_ps == SIM_PS_PER_S && e[10].has_adjust && e[10].adjust == -12);
	cr_expect_str_eq(e[10].path, "/events/10");

	cr_assert_eq(sc->nhost_checks, 4);
	cr_expect_str_eq(c[0].name, "flag_truth-0");
	cr_expect(c[0].kind == SCN_HC_FLAG_TRUTH && c[0].host == 0 && c[0].expect == ORACLE_EXPECT_FAIL);
	cr_expect_eq(c[0].flag_truth.threshold_ppb, 50000);
	cr_expect_eq(c[0].flag_truth.flags, 1u << SCN_FLAG_INVARIANT_TSC | 1u << SCN_FLAG_CONSTANT_TSC);
	cr_expect(c[0].has_worst_min && c[0].worst_min == 1000 && c[0].has_worst_max &&
		  c[0].worst_max == 20000000);
	cr_expect_str_eq(c[1].name, "sync-hotplug");
	cr_expect(c[1].kind == SCN_HC_TSC_SYNC && c[1].tsc_sync.source == 0 &&
		  c[1].tsc_sync.target == 2 && c[1].tsc_sync.at_ps == 3 * SIM_PS_PER_S);
	cr_expect(c[1].has_worst_min && c[1].worst_min == 1000 && !c[1].has_worst_max);
	cr_expect_str_eq(c[2].name, "watchdog-2");
	cr_expect(c[2].kind == SCN_HC_WATCHDOG && c[2].host == 1);
	cr_expect(c[2].watchdog.clocksource == SCN_WD_ACPI_PM && c[2].watchdog.delay_every == 3 &&
		  c[2].watchdog.delay_ps == 50 * SIM_PS_PER_MS && c[2].watchdog.false_positive == SCN_TRUE);
	cr_expect(c[2].worst_min == -(int64_t)SIM_PS_PER_MS && c[2].worst_max == (int64_t)SIM_PS_PER_MS);
	cr_expect_str_eq(c[3].name, "timer-3");
	cr_expect(c[3].kind == SCN_HC_TIMER && c[3].timer.cpu == 4 &&
		  c[3].timer.mode == SCN_TIMER_PERIODIC && c[3].timer.arm_at_ps == SIM_PS_PER_S &&
		  c[3].timer.delay_ps == SIM_PS_PER_MS && c[3].timer.count == 100 &&
		  c[3].timer.slack_ps == 50 * SIM_PS_PER_US);
	cr_expect_str_eq(c[3].path, "/host_checks/3");
	scenario_destroy(sc);
}

Test(scenario, new_keys_default_to_todays_behaviour)
{
	struct scenario *sc = parse_ok(minimal);
	const struct scn_host *h = &sc->hosts[0];
	const struct scn_socket *sk = &h->sockets[0];

	/* A VM scenario: hosts and VM, nothing new. */
	cr_expect(sc->has_hosts && sc->has_vm);
	cr_expect(h->ncpus == 3 && h->ncpus_online == 3);
	cr_expect(sk->wander_ppb == 0 && sk->wander_bound_ppb == 1000 &&
		  sk->wander_step_ps == SIM_PS_PER_S && sk->aging_ppb_per_day == 0);
	cr_expect(!sk->ssc.enabled && sk->ssc.spread_ppm == 0 && sk->hotplug_cpus == 0);
	cr_expect(h->features.constant && h->features.nonstop && h->features.tsc_adjust &&
		  h->features.arat && !h->features.halted_pstate_erratum);
	cr_expect(h->features.rdtsc_window_cycles == 0 && h->features.bios_sync_residual_cycles == 0);
	cr_expect(h->features.apic_timer.num == 100000000 && h->features.apic_timer.den == 1);
	for (unsigned i = 0; i < SCN_TSC_FLAG_COUNT; i++)
		cr_expect_eq(h->features.advertise[i], SCN_UNSET, "flag %u", i);
	cr_expect(!sc->readers[0].on_host && sc->readers[0].ncpus == 0 &&
		  sc->readers[0].migrate_every_ps == 0 && sc->readers[0].rdtsc == SCN_RDTSC_RDTSCP);
	cr_expect(sc->nevents == 0 && sc->events == NULL && sc->nhost_checks == 0);
	scenario_destroy(sc);

	/* Bare metal: one host, "host" defaults to it. */
	sc = parse_ok(metal_min);
	cr_expect(sc->has_hosts && !sc->has_vm);
	cr_expect(sc->readers[0].on_host && sc->readers[0].host == 0);
	expect_cpus(sc->readers[0].cpus, sc->readers[0].ncpus, (const unsigned[]){ 0, 1 }, 2, "all");
	cr_expect_eq(sc->readers[0].cost_ps, 20 * SIM_PS_PER_NS);
	scenario_destroy(sc);

	/* A board: neither. */
	sc = parse_ok(board);
	cr_expect(!sc->has_hosts && !sc->has_vm && sc->nevents == 0 && sc->nhost_checks == 0);
	scenario_destroy(sc);
}

Test(scenario, event_and_host_check_defaults)
{
	static const char text[] =
		"{\"name\": \"d\", \"duration\": \"10s\",\n"
		" \"hosts\": [{\"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"   \"sockets\": [{\"cpus\": 2, \"hotplug_cpus\": 1}]}],\n"
		" \"events\": [\n"
		"  {\"type\": \"hotplug\", \"at\": \"1s\", \"cpu\": 2},\n"
		"  {\"type\": \"tsc_write\", \"at\": \"1s\", \"cpu\": 2, \"value\": 7},\n"
		"  {\"type\": \"cstate\", \"at\": \"2s\", \"cpus\": \"all\", \"state\": \"C10\", \"duration\": \"1s\"},\n"
		"  {\"type\": \"suspend\", \"at\": \"3s\", \"kind\": \"S3\", \"duration\": \"1s\"},\n"
		"  {\"type\": \"tsc_adjust_write\", \"at\": \"5s\", \"cpu\": 1, \"value\": -5}\n"
		" ],\n"
		" \"host_checks\": [\n"
		"  {\"check\": \"flag_truth\", \"expect\": \"pass\"},\n"
		"  {\"check\": \"tsc_sync\", \"expect\": \"pass\", \"cpus\": [1, 0]},\n"
		"  {\"check\": \"watchdog\", \"expect\": \"pass\"},\n"
		"  {\"check\": \"timer\", \"expect\": \"pass\", \"cpu\": 2, \"mode\": \"deadline\", \"arm_at\": \"1s\",\n"
		"   \"delay\": \"8s\"},\n"
		"  {\"check\": \"timer\", \"expect\": \"fail\", \"cpu\": 0, \"mode\": \"periodic\", \"delay\": \"1ms\"}\n"
		" ]}\n";
	struct scenario *sc = parse_ok(text);
	const struct scn_event *e = sc->events;
	const struct scn_host_check *c = sc->host_checks;

	cr_assert_eq(sc->nevents, 5);
	cr_expect(e[0].host == 0 && !e[0].has_value && e[0].value == 0);
	cr_expect(e[1].has_value && e[1].value == 7 && !e[1].low32);
	expect_cpus(e[2].cpus, e[2].ncpus, (const unsigned[]){ 0, 1, 2 }, 3,
		    "\"all\" counts a CPU brought online earlier");
	cr_expect_eq(e[2].cstate, 10);
	cr_expect(!e[3].s4 && !e[3].has_adjust && e[3].adjust == 0);
	cr_expect(e[4].has_adjust && e[4].adjust == -5);

	cr_assert_eq(sc->nhost_checks, 5);
	cr_expect(c[0].host == 0 && c[0].flag_truth.threshold_ppb == 100000 &&
		  c[0].flag_truth.flags == (1u << SCN_TSC_FLAG_COUNT) - 1);
	cr_expect(!c[0].has_worst_min && !c[0].has_worst_max);
	cr_expect(c[1].tsc_sync.source == 1 && c[1].tsc_sync.target == 0 && c[1].tsc_sync.at_ps == 0);
	cr_expect(c[2].watchdog.clocksource == SCN_WD_HPET && c[2].watchdog.delay_every == 0 &&
		  c[2].watchdog.delay_ps == 0 && c[2].watchdog.false_positive == SCN_UNSET);
	cr_expect(c[3].timer.mode == SCN_TIMER_DEADLINE && c[3].timer.cpu == 2 &&
		  c[3].timer.count == 0 && c[3].timer.slack_ps == 10 * SIM_PS_PER_US);
	cr_expect(c[4].timer.arm_at_ps == 0 && c[4].timer.count == 0, "0: every fire in the run");
	cr_expect_str_eq(c[4].name, "timer-4");
	scenario_destroy(sc);
}

Test(scenario, socket_and_tsc_feature_errors)
{
	static const struct error_case cases[] = {
		{ "\"crystal_wander\": \"2ppb\"", "\"crystal_wander\": \"-2ppb\"",
		  "/hosts/0/sockets/0/crystal_wander", "\"-2ppb\"",
		  "expected a wander of at least 0ppb (per sqrt(s)), got \"-2ppb\"" },
		{ "\"crystal_wander\": \"2ppb\"", "\"crystal_wander\": 2",
		  "/hosts/0/sockets/0/crystal_wander", "2,\n          \"wander_bound\"",
		  "expected a string such as \"+20ppm\" or \"-50ppb\", got the number 2" },
		{ "\"crystal_wander\": \"2ppb\"", "\"crystal_wander\": \"2000ppm\"",
		  "/hosts/0/sockets/0/crystal_wander", "\"2000ppm\"",
		  "expected an offset from -1000ppm to +1000ppm, got \"2000ppm\"" },
		{ "\"wander_bound\": \"0.5ppm\"", "\"wander_bound\": \"0ppb\"",
		  "/hosts/0/sockets/0/wander_bound", "\"0ppb\"", "expected a bound above 0ppb, got \"0ppb\"" },
		{ "\"wander_step\": \"100ms\"", "\"wander_step\": \"999us\"",
		  "/hosts/0/sockets/0/wander_step", "\"999us\"", "expected a step of at least 1ms, got 999us" },
		{ "\"crystal_aging\": \"-5ppb\"", "\"crystal_aging\": \"-5ppb/d\"",
		  "/hosts/0/sockets/0/crystal_aging", "\"-5ppb/d\"", "unknown unit \"ppb/d\"" },
		{ "\"spread\": \"0.5%\"", "\"spread\": \"2.5%\"", "/hosts/0/sockets/0/ssc/spread",
		  "\"2.5%\"", "expected a spread above 0% and at most 2%, got \"2.5%\"" },
		{ "\"spread\": \"5000ppm\"", "\"spread\": \"0ppm\"", "/hosts/0/sockets/1/ssc/spread",
		  "\"0ppm\"", "expected a spread above 0% and at most 2%, got \"0ppm\"" },
		{ "\"spread\": \"0.5%\"", "\"spread\": \"0.5\"", "/hosts/0/sockets/0/ssc/spread", "\"0.5\"",
		  "expected a fraction such as \"0.5%\" (units: %, ppm, ppb), got \"0.5\" (missing unit)" },
		{ "\"spread\": \"0.5%\"", "\"spread\": 0.5", "/hosts/0/sockets/0/ssc/spread", "0.5,",
		  "expected a string such as \"0.5%\" or \"5000ppm\", got the number 0.5" },
		{ "\"spread\": \"0.5%\"", "\"spread\": \"0.00001%\"", "/hosts/0/sockets/0/ssc/spread",
		  "\"0.00001%\"", "spread \"0.00001%\" is not a whole number of ppm" },
		{ "\"modulation\": \"33kHz\"", "\"modulation\": \"200kHz\"",
		  "/hosts/0/sockets/0/ssc/modulation", "\"200kHz\"",
		  "expected a frequency from 10kHz to 100kHz, got \"200kHz\"" },
		{ "{ \"mode\": \"center\", \"spread\": \"5000ppm\" }", "{ \"spread\": \"5000ppm\" }",
		  "/hosts/0/sockets/1/ssc/mode", "{ \"spread\": \"5000ppm\" }",
		  "missing required key \"mode\"" },
		{ "\"mode\": \"down\"", "\"mode\": \"up\"", "/hosts/0/sockets/0/ssc/mode", "\"up\"",
		  "expected one of \"down\", \"center\", got \"up\"" },
		{ "\"modulation\": \"33kHz\"", "\"modulation\": \"33kHz\", \"depth\": 1",
		  "/hosts/0/sockets/0/ssc/depth", "\"depth\"",
		  "unknown key \"depth\"; expected one of: mode, spread, modulation" },
		{ "\"ssc\": { \"mode\": \"center\", \"spread\": \"5000ppm\" }", "\"ssc\": true",
		  "/hosts/0/sockets/1/ssc", "true }\n      ]", "expected an object, got true" },
		{ "\"hotplug_cpus\": 2", "\"hotplug_cpus\": 63", "/hosts/0/sockets/0/hotplug_cpus", "63",
		  "expected at most 62 hotplug CPUs (\"cpus\" is 2, and a socket has at most 64 CPUs), "
		  "got 63" },
		{ "\"hotplug_cpus\": 2", "\"hotplug_cpus\": 65", "/hosts/0/sockets/0/hotplug_cpus", "65",
		  "expected a CPU count in [0, 64], got 65" },
		{ "\"hotplug_cpus\": 2", "\"hotplug_cpus\": -1", "/hosts/0/sockets/0/hotplug_cpus", "-1, \"crystal\"",
		  "expected a CPU count in [0, 64], got -1" },
		/* crystal + wander bound + aging + down spread, together past +-10%. */
		{ "\"crystal\": \"+10ppm\"", "\"crystal\": \"+99999.6ppm\"", "/hosts/0/sockets/0",
		  "{ \"cpus\": 2, \"hotplug_cpus\"", "crystal, wander bound, aging over the run and "
		  "spread together: the crystal's offset could reach 94999099ppb to 100000100ppb; "
		  "expected it to stay within +-100000ppm" },
		{ "\"rdtsc_window\": 40", "\"rdtsc_window\": 1000001", "/hosts/0/tsc_features/rdtsc_window",
		  "1000001", "expected a number of TSC cycles in [0, 1000000], got 1000001" },
		{ "\"bios_sync_residual\": 1000", "\"bios_sync_residual\": \"1000\"",
		  "/hosts/0/tsc_features/bios_sync_residual", "\"1000\"",
		  "expected a number of TSC cycles, got the string \"1000\"" },
		{ "\"bios_sync_residual\": 1000", "\"bios_sync_residual\": 1000000001",
		  "/hosts/0/tsc_features/bios_sync_residual", "1000000001",
		  "expected a number of TSC cycles in [0, 1000000000], got 1000000001" },
		{ "\"apic_timer\": \"25MHz\"", "\"apic_timer\": \"20GHz\"", "/hosts/0/tsc_features/apic_timer",
		  "\"20GHz\"", "expected a frequency from 1MHz to 10GHz, got \"20GHz\"" },
		{ "\"invariant_tsc\": true", "\"invariant\": true", "/hosts/0/tsc_features/advertise/invariant",
		  "\"invariant\"", "unknown key \"invariant\"; expected one of: constant_tsc, nonstop_tsc, "
		  "tsc_known_freq, tsc_reliable, invariant_tsc" },
		{ "\"nonstop_tsc\": false", "\"nonstop_tsc\": 0", "/hosts/0/tsc_features/advertise/nonstop_tsc",
		  "0, \"invariant_tsc\"", "expected true or false, got the number 0" },
		{ "\"arat\": false", "\"art\": false", "/hosts/0/tsc_features/art", "\"art\"",
		  "unknown key \"art\"; expected one of: constant, nonstop, tsc_adjust, arat, rdtsc_window, "
		  "bios_sync_residual, halted_pstate_erratum, nonstop_s3, apic_timer, cpuid_15h, advertise" },
		{ "\"constant\": false", "\"constant\": \"no\"", "/hosts/0/tsc_features/constant", "\"no\"",
		  "expected true or false, got the string \"no\"" },
		{ "\"uptime\": \"1d\", \"sockets\"", "\"uptime\": \"1d\", \"tsc_features\": [], \"sockets\"",
		  "/hosts/1/tsc_features", "[],", "expected an object, got an array" },
	};

	for (size_t i = 0; i < N(cases); i++)
		expect_error(metal, &cases[i]);

	/* Aging counts over the whole run: -30000ppm a day for 2 days from -50000ppm. */
	{
		char *longer = edit(metal_min, "\"duration\": \"1s\"", "\"duration\": \"2d\"");
		static const struct error_case c = {
			"\"sockets\": [{\"cpus\": 2}]",
			"\"sockets\": [{\"cpus\": 2, \"crystal\": \"-50000ppm\", \"crystal_aging\": \"-30000ppm\"}]",
			"/hosts/0/sockets/0", "{\"cpus\": 2, \"crystal\"", "crystal, wander bound, aging over the "
			"run and spread together: the crystal's offset could reach -110000ppm to -50000ppm",
		};

		expect_error(longer, &c);
		free(longer);
	}
}

Test(scenario, event_errors)
{
	static const struct error_case cases[] = {
		/* order, time, type, keys, host */
		{ "\"at\": \"1.5s\"", "\"at\": \"0.5s\"", "/events/2/at", "\"0.5s\"",
		  "expected events sorted by \"at\": got 500ms, before the previous event's 1s" },
		{ "\"at\": \"6s\", \"host\": \"h1\"", "\"at\": \"10s\", \"host\": \"h1\"", "/events/10/at",
		  "\"10s\", \"host\"", "expected a time before the end of the run (10s), got 10s" },
		{ "{ \"type\": \"pstate\", ", "{ ", "/events/2/type", "{ \"at\": \"1.5s\"",
		  "missing required key \"type\"" },
		{ "\"type\": \"pstate\"", "\"type\": \"p-state\"", "/events/2/type", "\"p-state\"",
		  "expected one of \"cstate\", \"cstate_pattern\", \"pstate\", \"throttle\"" },
		{ "\"frequency\": \"800MHz\"", "\"frequency\": \"800MHz\", \"duty\": \"50%\"",
		  "/events/2/duty", "\"duty\": \"50%\"", "key \"duty\" is not allowed in an event of type "
		  "\"pstate\"; expected one of: type, at, host, cpus, frequency" },
		{ "\"frequency\": \"800MHz\"", "\"frequency\": \"800MHz\", \"when\": 1", "/events/2/when",
		  "\"when\"", "unknown key \"when\"; expected one of: type, at, host, cpus, frequency" },
		{ "\"at\": \"1.5s\", \"host\": \"h0\", ", "\"at\": \"1.5s\", ", "/events/2/host",
		  "{ \"type\": \"pstate\"", "missing required key \"host\": there are 2 hosts (h0, h1)" },
		{ "\"at\": \"1.5s\", \"host\": \"h0\"", "\"at\": \"1.5s\", \"host\": \"h2\"", "/events/2/host",
		  "\"h2\"", "unknown host \"h2\"; expected one of: h0, h1" },
		{ "\"at\": \"1.5s\"", "\"at\": 1.5", "/events/2/at", "1.5,",
		  "expected a duration string such as \"300ms\", got the number 1.5" },
		{ "\"type\": \"pstate\", \"at\": \"1.5s\", \"host\": \"h0\", \"cpus\": \"all\", \"frequency\": "
		  "\"800MHz\" }", "\"type\": \"pstate\", \"at\": \"1.5s\", \"host\": \"h0\", \"cpus\": \"all\", "
		  "\"frequency\": \"800MHz\" }, 7", "/events/3", "7,\n",
		  "expected an object, got the number 7" },
		/* CPUs */
		{ "\"cpus\": [0, 1], \"state\": \"C6\"", "\"cpus\": [0, 7], \"state\": \"C6\"",
		  "/events/0/cpus/1", "7], \"state\"", "expected a CPU index of host \"h0\" in [0, 6], got 7" },
		{ "\"cpus\": [0, 1], \"state\": \"C6\"", "\"cpus\": [0, 2], \"state\": \"C6\"",
		  "/events/0/cpus/1", "2], \"state\"", "CPU 2 of host \"h0\" is offline at 1s: it is one "
		  "of socket 0's \"hotplug_cpus\", not brought online by an earlier \"hotplug\" event" },
		{ "\"cpus\": [0, 1], \"state\": \"C6\"", "\"cpus\": [1, 1], \"state\": \"C6\"",
		  "/events/0/cpus/1", "1], \"state\"", "duplicate CPU 1 (also /events/0/cpus/0)" },
		{ "\"cpus\": \"all\", \"frequency\"", "\"cpus\": \"some\", \"frequency\"", "/events/2/cpus",
		  "\"some\"", "expected \"all\" or an array of CPU indices, got \"some\"" },
		{ "\"cpus\": \"all\", \"frequency\"", "\"cpus\": 0, \"frequency\"", "/events/2/cpus",
		  "0, \"frequency\"", "expected \"all\" or an array of CPU indices, got the number 0" },
		{ "\"cpus\": [1], \"duty\"", "\"cpus\": [], \"duty\"", "/events/3/cpus", "[], \"duty\"",
		  "expected 1 to 4 CPU indices, got 0" },
		{ "\"cpus\": [1], \"duty\"", "\"duty\"", "/events/3/cpus", "{ \"type\": \"throttle\"",
		  "missing required key \"cpus\"" },
		/* cstate, cstate_pattern */
		{ "\"state\": \"C6\"", "\"state\": \"C11\"", "/events/0/state", "\"C11\"",
		  "expected a C-state: an integer from 1 to 10, or a string from \"C1\" to \"C10\", got "
		  "\"C11\"" },
		{ "\"state\": \"C6\"", "\"state\": \"c6\"", "/events/0/state", "\"c6\"", "got \"c6\"" },
		{ "\"state\": \"C6\"", "\"state\": \"C06\"", "/events/0/state", "\"C06\"", "got \"C06\"" },
		{ "\"state\": 3", "\"state\": 0", "/events/1/state", "0,\n      \"until\"",
		  "expected a C-state (1 to 10, or \"C1\" to \"C10\") in [1, 10], got 0" },
		{ "\"state\": 3", "\"state\": null", "/events/1/state", "null",
		  "expected a C-state: an integer from 1 to 10, or a string from \"C1\" to \"C10\", got null" },
		{ "\"duration\": \"10ms\"", "\"duration\": \"0s\"", "/events/0/duration", "\"0s\"",
		  "expected a duration above 0, got \"0s\"" },
		{ "\"cpus\": [4, 5], \"state\": 3", "\"cpus\": [1, 5], \"state\": 3", "/events/1/cpus",
		  "[1, 5]", "CPU 1 of host \"h0\" is still busy at 1s with /events/0 (a \"cstate\" event "
		  "until 1.01s); C-state, C-state pattern and throttle events on one CPU must not overlap" },
		{ "\"until\": \"5s\"", "\"until\": \"1s\"", "/events/1/until", "\"1s\", \"residency\"",
		  "expected a time after \"at\" (1s) and not after the end of the run (10s), got 1s" },
		{ "\"until\": \"5s\"", "\"until\": \"10.5s\"", "/events/1/until", "\"10.5s\"",
		  "expected a time after \"at\" (1s) and not after the end of the run (10s), got 10.5s" },
		{ "\"residency\": \"200us\", ", "", "/events/1/residency", "{ \"type\": \"cstate_pattern\"",
		  "missing required key \"residency\"" },
		{ "\"busy\": \"50us\"", "\"busy\": \"0ms\"", "/events/1/busy", "\"0ms\"",
		  "expected a duration above 0, got \"0ms\"" },
		/* pstate, throttle, temperature */
		{ "\"frequency\": \"800MHz\"", "\"frequency\": \"0.5MHz\"", "/events/2/frequency",
		  "\"0.5MHz\"", "expected a frequency from 1MHz to 100GHz, got \"0.5MHz\"" },
		{ "\"duty\": \"12.5%\"", "\"duty\": \"0.5%\"", "/events/3/duty", "\"0.5%\",\n      \"duration\"",
		  "expected a duty from 1% to 100%, got \"0.5%\"" },
		{ "\"duty\": \"12.5%\"", "\"duty\": \"100.5%\"", "/events/3/duty", "\"100.5%\"",
		  "expected a duty from 1% to 100%, got \"100.5%\"" },
		{ "\"duty\": \"12.5%\"", "\"duty\": \"50.00001%\"", "/events/3/duty", "\"50.00001%\"",
		  "duty \"50.00001%\" is not a whole number of ppm" },
		{ "\"duty\": \"12.5%\",\n      \"duration\": \"1s\"", "\"duty\": \"12.5%\"", "/events/3/duration",
		  "{ \"type\": \"throttle\"", "missing required key \"duration\"" },
		{ "\"socket\": 1", "\"socket\": 2", "/events/4/socket", "2, \"step\"",
		  "expected a socket index of host \"h0\" in [0, 1], got 2" },
		{ "\"step\": \"-1.5ppm\"", "\"step\": \"-99000ppm\"", "/events/4/step", "\"-99000ppm\"",
		  "with the temperature steps so far: the crystal's offset could reach -101500ppm to "
		  "-96500ppm; expected it to stay within +-100000ppm" },
		{ "\"step\": \"-1.5ppm\"", "\"step\": \"-1.5%\"", "/events/4/step", "\"-1.5%\"",
		  "unknown unit \"%\"" },
		/* hotplug, tsc_write, tsc_adjust_write */
		{ "\"cpu\": 2, \"tsc\": \"0x1000\"", "\"cpu\": 1, \"tsc\": \"0x1000\"", "/events/5/cpu",
		  "1, \"tsc\"", "CPU 1 of host \"h0\" is online at t = 0; expected one of its "
		  "\"hotplug_cpus\" (2-3)" },
		{ "\"cpu\": 3 }", "\"cpu\": 2 }", "/events/6/cpu", "2 },\n    { \"type\": \"tsc_write\"",
		  "CPU 2 of host \"h0\" is already online at 3s (/events/5 brought it online)" },
		{ "\"tsc\": \"0x1000\"", "\"tsc\": \"-1\"", "/events/5/tsc", "\"-1\"",
		  "expected an unsigned integer (decimal, or hex with 0x), got \"-1\"" },
		{ "    { \"type\": \"hotplug\", \"at\": \"3s\", \"host\": \"h0\", \"cpu\": 2, \"tsc\": \"0x1000\" },\n"
		  "    { \"type\": \"hotplug\", \"at\": \"3s\", \"host\": \"h0\", \"cpu\": 3 },\n", "",
		  "/events/5/cpu", "2,\n      \"value\"", "CPU 2 of host \"h0\" is offline at 3.5s: it is "
		  "one of socket 0's \"hotplug_cpus\", not brought online by an earlier \"hotplug\" event" },
		{ "\"value\": \"0xffffffffffffffff\"", "\"value\": \"0x10000000000000000\"", "/events/7/value",
		  "\"0x10000000000000000\"", "integer too large: \"0x10000000000000000\"" },
		{ "\"value\": \"0xffffffffffffffff\", ", "", "/events/7/value", "{ \"type\": \"tsc_write\"",
		  "missing required key \"value\"" },
		{ "\"low32\": true", "\"low32\": 1", "/events/7/low32", "1 },",
		  "expected true or false, got the number 1" },
		{ "\"value\": \"-9223372036854775807\"", "\"value\": -9007199254740993", "/events/8/value",
		  "-9007199254740993", "integer too large: -9007199254740993 (at most 2^53 = "
		  "9007199254740992 either way); write larger values as a string" },
		{ "\"value\": \"-9223372036854775807\"", "\"value\": \"-9223372036854775808\"",
		  "/events/8/value", "\"-9223372036854775808\"", "integer too large: "
		  "\"-9223372036854775808\" (|x| at most 2^63-1 = 9223372036854775807)" },
		{ "\"value\": \"-9223372036854775807\"", "\"value\": \"0x10\"", "/events/8/value", "\"0x10\"",
		  "expected a TSC_ADJUST value (decimal digits with an optional sign), got \"0x10\"" },
		{ "\"value\": \"-9223372036854775807\"", "\"value\": 1.5", "/events/8/value", "1.5 },",
		  "expected a TSC_ADJUST value (digits only, no fraction or exponent), got 1.5" },
		{ "\"value\": \"-9223372036854775807\"", "\"value\": true", "/events/8/value", "true },\n    { \"type\": \"reader_migrate\"",
		  "expected a TSC_ADJUST value: an integer or a string such as \"-4096\", got true" },
		{ "\"tsc_adjust\": true", "\"tsc_adjust\": false", "/events/8/type", "\"tsc_adjust_write\"",
		  "host \"h0\" has no IA32_TSC_ADJUST (/hosts/0/tsc_features/tsc_adjust is false)" },
		{ "\"state\": \"C6\",\n      \"duration\": \"10ms\"", "\"state\": \"C6\",\n      \"duration\": \"3.5s\"",
		  "/events/8/cpu", "0,\n      \"value\": \"-9223372036854775807\"",
		  "CPU 0 of host \"h0\" is in C6 at 4s (/events/0, until 4.5s): it cannot execute the write" },
		/* suspend */
		{ "\"kind\": \"S4\"", "\"kind\": \"S5\"", "/events/10/kind", "\"S5\"",
		  "expected one of \"S3\", \"S4\", got \"S5\"" },
		{ "\"kind\": \"S4\", \"duration\": \"1s\"", "\"kind\": \"S4\", \"duration\": \"4s\"",
		  "/events/10/duration", "\"4s\",\n      \"firmware", "the host would resume at 10s (at + duration), not "
		  "before the end of the run (10s)" },
		{ "\"firmware_tsc_adjust\": -12 }", "\"firmware_tsc_adjust\": -12 },\n    { \"type\": \"pstate\", "
		  "\"at\": \"6.5s\", \"host\": \"h1\", \"cpus\": \"all\", \"frequency\": \"1GHz\" }",
		  "/events/11/at", "\"6.5s\"", "host \"h1\" is suspended at 6.5s by /events/10 (from 6s to 7s)" },
		{ "\"duty\": \"12.5%\",\n      \"duration\": \"1s\"", "\"duty\": \"12.5%\",\n      \"duration\": \"5s\"",
		  "/events/10/at", "\"6s\"", "host \"h1\" cannot suspend at 6s: CPU 1 is busy with /events/3 "
		  "(a \"throttle\" event until 7s)" },
		{ "\"uptime\": \"1d\", \"sockets\"", "\"uptime\": \"1d\", \"tsc_features\": {\"tsc_adjust\": false}, "
		  "\"sockets\"", "/events/10/firmware_tsc_adjust", "\"firmware_tsc_adjust\"",
		  "host \"h1\" has no IA32_TSC_ADJUST (/hosts/1/tsc_features/tsc_adjust is false)" },
		{ "\"firmware_tsc_adjust\": -12", "\"firmware_tsc_adjust\": \"-1.2\"",
		  "/events/10/firmware_tsc_adjust", "\"-1.2\"",
		  "expected a TSC_ADJUST value (decimal digits with an optional sign), got \"-1.2\"" },
		/* reader_migrate */
		{ "\"reader\": \"cs\"", "\"reader\": \"cx\"", "/events/9/reader", "\"cx\"",
		  "unknown reader \"cx\"; expected one of: naive, cs, pc" },
		{ "\"reader\": \"cs\"", "\"reader\": \"naive\"", "/events/9/reader", "\"naive\", \"cpu\"",
		  "reader \"naive\" already migrates (every 10ms); \"reader_migrate\" moves a reader on "
		  "one CPU (no \"migrate_every\")" },
		{ "\"reader\": \"cs\"", "\"reader\": \"pc\"", "/events/9/reader", "\"pc\", \"cpu\"",
		  "reader \"pc\" is one reader per CPU on 2 CPUs; \"reader_migrate\" moves a reader on one "
		  "CPU (\"cpus\" with one entry)" },
		{ "\"reader\": \"cs\", \"cpu\": 2", "\"reader\": \"cs\", \"cpu\": 4", "/events/9/cpu",
		  "4 },\n    { \"type\": \"suspend\"", "reader \"cs\" is already on CPU 4 at 4.5s; "
		  "expected another CPU" },
		{ "\"at\": \"4.5s\", \"reader\"", "\"at\": \"4.5s\", \"host\": \"h1\", \"reader\"",
		  "/events/9/host", "\"h1\", \"reader\"", "reader \"cs\" runs on host \"h0\"; expected that "
		  "host, or no \"host\"" },
		{ "\"at\": \"4.5s\", \"reader\"", "\"at\": \"4.5s\", \"host\": \"h0\", \"reader\"", NULL, NULL,
		  NULL },
	};

	for (size_t i = 0; i < N(cases); i++) {
		if (!cases[i].path) {
			/* the reader's own host, named: fine */
			char *text = edit(metal, cases[i].from, cases[i].to);

			scenario_destroy(parse_ok(text));
			free(text);
			continue;
		}
		expect_error(metal, &cases[i]);
	}
}

/* metal_min with "events": n copies of one event (the same "at": sorted, non-decreasing). */
static char *events_text(unsigned n, const char *event)
{
	size_t cap = 64 + n * (strlen(event) + 1);
	char *list = malloc(cap), *text;

	cr_assert(list);
	strcpy(list, "\"events\": [");
	for (unsigned i = 0; i < n; i++) {
		strcat(list, i ? "," : "");
		strcat(list, event);
	}
	strcat(list, "], \"readers\"");
	text = edit(metal_min, "\"readers\"", list);
	free(list);
	return text;
}

Test(scenario, event_and_host_check_count_limits)
{
	static const char ev[] = "{\"type\": \"pstate\", \"at\": \"1ms\", \"cpus\": [0], \"frequency\": \"1GHz\"}";
	struct sim_diag err;
	struct scenario *sc;
	char *text = events_text(256, ev);

	sc = parse_ok(text);
	cr_expect_eq(sc->nevents, 256);
	cr_expect_str_eq(sc->events[255].path, "/events/255");
	scenario_destroy(sc);
	free(text);

	text = events_text(257, ev);
	cr_expect_null(scenario_parse("t.json", text, strlen(text), &err));
	cr_expect_str_eq(err.path, "/events");
	cr_expect_str_eq(err.msg, "expected 0 to 256 events, got 257");
	free(text);

	/* 33 host checks; the names default to "watchdog-0" .. "watchdog-32", all distinct. */
	{
		static const char hc[] = "{\"check\": \"watchdog\", \"expect\": \"pass\"}";
		char list[64 * 40] = "\"host_checks\": [";

		for (unsigned i = 0; i < 33; i++) {
			strcat(list, i ? "," : "");
			strcat(list, hc);
		}
		strcat(list, "], \"readers\"");
		text = edit(metal_min, "\"readers\"", list);
		cr_expect_null(scenario_parse("t.json", text, strlen(text), &err));
		cr_expect_str_eq(err.path, "/host_checks");
		cr_expect_str_eq(err.msg, "expected 0 to 32 host checks, got 33");
		free(text);

		strcpy(strstr(list, hc) + 32 * (strlen(hc) + 1) - 1, "], \"readers\"");
		text = edit(metal_min, "\"readers\"", list);
		sc = parse_ok(text);
		cr_expect_eq(sc->nhost_checks, 32);
		cr_expect_str_eq(sc->host_checks[31].name, "watchdog-31");
		scenario_destroy(sc);
		free(text);
	}
}

Test(scenario, reader_binding_errors)
{
	static const struct error_case metal_cases[] = {
		{ "\"cpus\": [4], \"period\": \"500us\"", "\"cpus\": [4], \"vcpus\": [0], \"period\": \"500us\"",
		  "/readers/1/cpus", "\"cpus\": [4], \"vcpus\"", "keys \"vcpus\" and \"cpus\" exclude each "
		  "other: a reader runs in the VM (\"vcpus\") or on a host (\"host\" and \"cpus\")" },
		{ "\"cpus\": [0, 3], ", "", "/readers/2/cpus", "{ \"name\": \"pc\"",
		  "missing required key \"cpus\": the host CPUs the reader runs on" },
		{ "\"cpus\": [0, 3]", "\"vcpus\": [0, 3]", "/readers/2/vcpus", "\"vcpus\": [0, 3]",
		  "key \"vcpus\" needs a VM: add \"vm\", or run the reader on a host with \"cpus\"" },
		{ "\"kind\": \"tsc\", \"host\": \"h1\"", "\"kind\": \"pvclock\", \"host\": \"h1\"",
		  "/readers/2/kind", "\"pvclock\"", "a reader on a host (with \"cpus\") is of kind \"tsc\" "
		  "or \"rdtsc\", got \"pvclock\"" },
		{ "\"kind\": \"tsc\", \"host\": \"h1\"", "\"kind\": \"hpet\", \"host\": \"h1\"",
		  "/readers/2/kind", "\"hpet\"", "is of kind \"tsc\" or \"rdtsc\", got \"hpet\"" },
		{ "\"kind\": \"tsc\", \"host\": \"h1\", ", "\"kind\": \"tsc\", ", "/readers/2/host",
		  "{ \"name\": \"pc\"", "missing required key \"host\": there are 2 hosts (h0, h1)" },
		{ "\"cpus\": [0, 3]", "\"cpus\": [0, 4]", "/readers/2/cpus/1", "4], \"period\": \"2ms\"",
		  "expected a CPU index of host \"h1\" in [0, 3], got 4" },
		{ "\"cpus\": [4], \"period\"", "\"cpus\": [2], \"period\"", "/readers/1/cpus/0",
		  "2], \"period\"", "CPU 2 of host \"h0\" is offline at t = 0: it is one of socket 0's "
		  "\"hotplug_cpus\"" },
		{ "\"cpus\": [0, 3]", "\"cpus\": [3, 3]", "/readers/2/cpus/1", "3]",
		  "duplicate CPU 3 (also /readers/2/cpus/0)" },
		{ "\"cpus\": \"all\", \"period\"", "\"cpus\": \"any\", \"period\"", "/readers/0/cpus", "\"any\"",
		  "expected \"all\" or an array of CPU indices, got \"any\"" },
		{ "\"rdtsc\": \"lfence\" }", "\"rdtsc\": \"lfence\", \"migrate_every\": \"1ms\" }",
		  "/readers/1/migrate_every", "\"1ms\" },\n    { \"name\": \"pc\"",
		  "a reader that migrates needs at least 2 CPUs in \"cpus\", got 1" },
		{ "\"migrate_every\": \"10ms\"", "\"migrate_every\": \"0s\"", "/readers/0/migrate_every",
		  "\"0s\"", "expected a duration above 0, got \"0s\"" },
		{ "\"rdtsc\": \"lfence\"", "\"rdtsc\": \"mfence\"", "/readers/1/rdtsc", "\"mfence\"",
		  "expected one of \"rdtscp\", \"lfence\", \"rdtsc\", got \"mfence\"" },
		{ "\"rdtsc\": \"lfence\"", "\"rdtsc\": \"lfence\", \"tsc_khz\": 3000000", "/readers/1/tsc_khz",
		  "\"tsc_khz\"", "key \"tsc_khz\" is not allowed on a host: a \"tsc\" reader there uses the "
		  "host kernel's tsc_khz (/hosts/0/tsc_khz)" },
		{ "\"cpus\": [0, 3]", "\"cpus\": [0, 3], \"bind\": 1", "/readers/2/bind", "\"bind\"",
		  "unknown key \"bind\"; expected one of: name, kind, vcpus, period, jitter, cost, tsc_khz, "
		  "width, wrap, checks, host, cpus, migrate_every, rdtsc, phase" },
	};
	static const struct error_case vm_cases[] = {
		{ "\"vcpus\": [1], \"period\": \"10ms\"", "\"vcpus\": [1], \"host\": \"src\", \"period\": \"10ms\"",
		  "/readers/2/host", "\"host\": \"src\", \"period\"", "key \"host\" is only allowed with "
		  "\"cpus\": a reader with \"vcpus\" runs in the VM" },
		{ "\"kind\": \"pvclock-raw\"", "\"kind\": \"rdtsc\"", "/readers/2/kind", "\"rdtsc\"",
		  "a reader of kind \"rdtsc\" runs on a host: give \"cpus\" (and \"host\") instead of "
		  "\"vcpus\"" },
		{ "\"tsc_khz\": 3000000 }", "\"tsc_khz\": 3000000, \"migrate_every\": \"1ms\" }",
		  "/readers/1/migrate_every", "\"migrate_every\"", "key \"migrate_every\" is only allowed "
		  "on a reader on a host (with \"cpus\")" },
		{ "\"vcpus\": [1], \"period\": \"10ms\"", "\"vcpus\": [1], \"period\": \"10ms\", \"rdtsc\": \"rdtscp\"",
		  "/readers/2/rdtsc", "\"rdtsc\"", "key \"rdtsc\" is only allowed when \"kind\" is \"tsc\" "
		  "or \"rdtsc\"" },
		{ "\"vcpus\": [1], ", "", "/readers/2/vcpus", "{ \"name\": \"pv-raw\"",
		  "missing required key \"vcpus\" (or \"cpus\" for a reader on a host)" },
		{ "\"vcpus\": [1], ", "\"vcpus\": [1], \"cpus\": [1], ", "/readers/2/cpus", "\"cpus\": [1]",
		  "keys \"vcpus\" and \"cpus\" exclude each other" },
	};

	for (size_t i = 0; i < N(metal_cases); i++)
		expect_error(metal, &metal_cases[i]);
	for (size_t i = 0; i < N(vm_cases); i++)
		expect_error(full, &vm_cases[i]);

	/* A VM scenario may have readers on a host, too; a guest tsc reader may pick rdtsc. */
	{
		char *text = edit(full, "\"vcpus\": [2, 0], \"period\": \"100us\",\n"
				  "      \"jitter\": \"10us\", \"cost\": \"25ns\", \"tsc_khz\": 3000000",
				  "\"host\": \"dst\", \"cpus\": [2, 0], \"period\": \"100us\",\n"
				  "      \"jitter\": \"10us\", \"cost\": \"25ns\", \"rdtsc\": \"rdtsc\"");
		struct scenario *sc = parse_ok(text);

		cr_expect(sc->readers[1].on_host && sc->readers[1].host == 1);
		expect_cpus(sc->readers[1].cpus, sc->readers[1].ncpus, (const unsigned[]){ 2, 0 }, 2,
			    "host reader in a VM scenario");
		cr_expect_eq(sc->readers[1].nvcpus, 0);
		cr_expect_eq(sc->readers[1].rdtsc, SCN_RDTSC_PLAIN);
		cr_expect(!sc->readers[0].on_host && sc->readers[0].nvcpus == 4);
		scenario_destroy(sc);
		free(text);
	}
}

Test(scenario, host_check_errors)
{
	static const struct error_case cases[] = {
		{ "\"check\": \"watchdog\"", "\"check\": \"clocksource\"", "/host_checks/2/check",
		  "\"clocksource\", \"host\"", "expected one of \"flag_truth\", \"tsc_sync\", \"watchdog\", \"timer\", "
		  "got \"clocksource\"" },
		{ "{ \"check\": \"timer\", ", "{ ", "/host_checks/3/check", "{ \"host\": \"h0\", \"expect\": "
		  "\"pass\", \"cpu\": 4", "missing required key \"check\"" },
		{ "\"slack\": \"50us\"", "\"slack\": \"50us\", \"threshold\": \"1ppm\"",
		  "/host_checks/3/threshold", "\"threshold\": \"1ppm\"", "key \"threshold\" is not allowed "
		  "in check \"timer\"; expected one of: check, name, host, expect, worst, cpu, mode, arm_at, "
		  "delay, count, slack" },
		{ "\"slack\": \"50us\"", "\"slack\": \"50us\", \"jitter\": 1", "/host_checks/3/jitter",
		  "\"jitter\"", "unknown key \"jitter\"; expected one of: check, name, host" },
		{ "\"host\": \"h1\", \"expect\": \"pass\", ", "\"host\": \"h1\", ", "/host_checks/2/expect",
		  "{ \"check\": \"watchdog\"", "missing required key \"expect\"" },
		{ "\"name\": \"sync-hotplug\"", "\"name\": \"flag_truth-0\"", "/host_checks/1/name",
		  "\"flag_truth-0\"", "duplicate host check name \"flag_truth-0\" (also /host_checks/0)" },
		{ "\"check\": \"flag_truth\", \"host\": \"h0\"", "\"check\": \"flag_truth\", \"name\": "
		  "\"watchdog-2\", \"host\": \"h0\"", "/host_checks/2/check", "\"watchdog\"",
		  "duplicate host check name \"watchdog-2\", this check's default name (also "
		  "/host_checks/0)" },
		{ "\"name\": \"sync-hotplug\"", "\"name\": \"sync hotplug\"", "/host_checks/1/name",
		  "\"sync hotplug\"", "expected a name of 1 to 31 characters" },
		{ "\"check\": \"flag_truth\", \"host\": \"h0\", ", "\"check\": \"flag_truth\", ",
		  "/host_checks/0/host", "{ \"check\": \"flag_truth\"",
		  "missing required key \"host\": there are 2 hosts (h0, h1)" },
		/* flag_truth */
		{ "\"threshold\": \"50ppm\"", "\"threshold\": \"-1ppm\"", "/host_checks/0/threshold",
		  "\"-1ppm\"", "expected a threshold of at least 0ppm, got \"-1ppm\"" },
		{ "[\"invariant_tsc\", \"constant_tsc\"]", "[\"invariant_tsc\", \"constant\"]",
		  "/host_checks/0/flags/1", "\"constant\"]", "expected a TSC flag: one of \"constant_tsc\", "
		  "\"nonstop_tsc\", \"tsc_known_freq\", \"tsc_reliable\", \"invariant_tsc\", got \"constant\"" },
		{ "[\"invariant_tsc\", \"constant_tsc\"]", "[\"invariant_tsc\", \"invariant_tsc\"]",
		  "/host_checks/0/flags/1", "\"invariant_tsc\"], \"worst\"", "duplicate flag \"invariant_tsc\"" },
		{ "[\"invariant_tsc\", \"constant_tsc\"]", "[]", "/host_checks/0/flags", "[], \"worst\"",
		  "expected 1 to 5 TSC flag names, got 0" },
		{ "\"max\": \"20000ppm\"", "\"max\": \"2%\"", "/host_checks/0/worst/max", "\"2%\"",
		  "unknown unit \"%\"" },
		{ "\"max\": \"20000ppm\"", "\"max\": \"0.5ppm\"", "/host_checks/0/worst/max", "\"0.5ppm\" } }",
		  "expected at least \"min\" (1ppm), got 500ppb" },
		/* tsc_sync */
		{ "\"cpus\": [0, 2], \"at\": \"3s\"", "\"cpus\": [0], \"at\": \"3s\"", "/host_checks/1/cpus",
		  "[0], \"at\"", "expected exactly 2 CPU indices ([source, target]), got 1" },
		{ "\"cpus\": [0, 2], \"at\": \"3s\"", "\"cpus\": [2, 2], \"at\": \"3s\"",
		  "/host_checks/1/cpus/1", "2], \"at\": \"3s\"",
		  "expected a target CPU other than the source (2)" },
		{ "\"cpus\": [0, 2], \"at\": \"3s\"", "\"cpus\": [0, 2], \"at\": \"2.5s\"",
		  "/host_checks/1/cpus/1", "2], \"at\": \"2.5s\"", "CPU 2 of host \"h0\" is offline at "
		  "2.5s: it is one of socket 0's \"hotplug_cpus\", not brought online by an earlier "
		  "\"hotplug\" event" },
		{ "\"cpus\": [0, 2], \"at\": \"3s\"", "\"cpus\": [0, 7], \"at\": \"3s\"",
		  "/host_checks/1/cpus/1", "7], \"at\"", "expected a CPU index of host \"h0\" in [0, 6], got 7" },
		{ "\"cpus\": [0, 2], \"at\": \"3s\"", "\"cpus\": [0, 2], \"at\": \"12s\"", "/host_checks/1/at",
		  "\"12s\"", "expected a time before the end of the run (10s), got 12s" },
		{ "\"worst\": { \"min\": 1000 }", "\"worst\": { \"min\": 1000, \"max\": 10 }",
		  "/host_checks/1/worst/max", "10 }", "expected at least \"min\" (1000 cycles), got 10 cycles" },
		{ "\"worst\": { \"min\": 1000 }", "\"worst\": { \"min\": \"1us\" }", "/host_checks/1/worst/min",
		  "\"1us\"", "expected a number of TSC cycles, got the string \"1us\"" },
		{ "\"worst\": { \"min\": 1000 }", "\"worst\": { \"min\": -1 }", "/host_checks/1/worst/min",
		  "-1 }", "expected a number of TSC cycles in [0, 9007199254740992], got -1" },
		/* watchdog */
		{ "\"delay_every\": 3, \"delay\": \"50ms\", ", "\"delay_every\": 3, ", "/host_checks/2/delay",
		  "{ \"check\": \"watchdog\"", "missing key \"delay\": \"delay_every\" is given, and the two "
		  "go together" },
		{ "\"delay_every\": 3, \"delay\": \"50ms\"", "\"delay\": \"50ms\"", "/host_checks/2/delay_every",
		  "{ \"check\": \"watchdog\"", "missing key \"delay_every\": \"delay\" is given" },
		{ "\"delay_every\": 3", "\"delay_every\": 0", "/host_checks/2/delay_every", "0, \"delay\"",
		  "expected a count of watchdog reads in [1, 4294967295], got 0" },
		{ "\"delay\": \"50ms\"", "\"delay\": \"0s\"", "/host_checks/2/delay", "\"0s\"",
		  "expected a duration above 0, got \"0s\"" },
		{ "\"clocksource\": \"acpi_pm\"", "\"clocksource\": \"tsc\"", "/host_checks/2/clocksource",
		  "\"tsc\",\n", "expected one of \"hpet\", \"acpi_pm\", got \"tsc\"" },
		{ "\"false_positive\": true", "\"false_positive\": \"yes\"", "/host_checks/2/false_positive",
		  "\"yes\"", "expected true or false, got the string \"yes\"" },
		{ "\"min\": \"-1ms\"", "\"min\": \"-1ppm\"", "/host_checks/2/worst/min", "\"-1ppm\"",
		  "unknown unit \"ppm\"" },
		/* timer */
		{ "\"mode\": \"periodic\"", "\"mode\": \"oneshot\"", "/host_checks/3/count", "\"count\"",
		  "key \"count\" is only allowed when \"mode\" is \"periodic\"" },
		{ "\"count\": 100", "\"count\": 9000", "/host_checks/3/count", "9000",
		  "the timer's last fire would be due at 10s, not before the end of the run (10s)" },
		{ "\"count\": 100", "\"count\": 0", "/host_checks/3/count", "0, \"slack\"",
		  "expected a number of fires in [1, 9007199254740992], got 0" },
		{ "\"arm_at\": \"1s\", \"delay\": \"1ms\", \"count\": 100, ", "\"delay\": \"10s\", ",
		  "/host_checks/3/delay", "\"10s\", \"slack\"",
		  "the timer's first fire would be due at 10s, not before the end of the run (10s)" },
		{ "\"cpu\": 4, \"mode\"", "\"cpu\": 3, \"mode\"", "/host_checks/3/cpu", "3, \"mode\"",
		  "CPU 3 of host \"h0\" is offline at 1s" },
		{ "\"mode\": \"periodic\",", "", "/host_checks/3/mode", "{ \"check\": \"timer\"",
		  "missing required key \"mode\"" },
		{ "\"mode\": \"periodic\"", "\"mode\": \"tsc-deadline\"", "/host_checks/3/mode",
		  "\"tsc-deadline\"", "expected one of \"oneshot\", \"periodic\", \"deadline\", got "
		  "\"tsc-deadline\"" },
		{ "\"delay\": \"1ms\"", "\"delay\": \"0s\"", "/host_checks/3/delay", "\"0s\"",
		  "expected a duration above 0, got \"0s\"" },
		{ "\"arm_at\": \"1s\"", "\"arm_at\": \"10s\"", "/host_checks/3/arm_at", "\"10s\", \"delay\"",
		  "expected a time before the end of the run (10s), got 10s" },
		{ "\"slack\": \"50us\"", "\"slack\": \"50us\", \"worst\": { \"min\": \"1us\", \"max\": \"-1us\" }",
		  "/host_checks/3/worst/max", "\"-1us\"", "expected at least \"min\" (1us), got -1us" },
		{ "\"slack\": \"50us\"", "\"slack\": \"-50us\"", "/host_checks/3/slack", "\"-50us\"",
		  "expected a duration without a sign" },
	};

	for (size_t i = 0; i < N(cases); i++)
		expect_error(metal, &cases[i]);
}

Test(scenario, hotplug_cpus_in_cpu_numbering)
{
	static const char vm[] =
		"{\"name\": \"v\", \"duration\": \"1s\",\n"
		" \"hosts\": [{\"name\": \"h\", \"tsc\": \"2GHz\", \"uptime\": \"1h\",\n"
		"   \"sockets\": [{\"cpus\": 2, \"hotplug_cpus\": 2}, {\"cpus\": 2}]}],\n"
		" \"vm\": {\"host\": \"h\", \"vcpus\": 5},\n"
		" \"vcpu_moves\": [{\"at\": \"1ms\", \"vcpu\": 0, \"pcpu\": 5}],\n"
		" \"readers\": [{\"name\": \"r\", \"kind\": \"tsc\", \"vcpus\": \"all\", \"period\": \"1ms\"}]}\n";
	static const struct error_case cases[] = {
		{ "\"vcpus\": 5}", "\"vcpus\": 5, \"pins\": [0, 1, 2, 4, 5]}", "/vm/pins/2", "2, 4, 5]",
		  "CPU 2 of host \"h\" is one of socket 0's \"hotplug_cpus\", offline at t = 0; vCPUs "
		  "run on CPUs online at t = 0" },
		{ "\"pcpu\": 5", "\"pcpu\": 3", "/vcpu_moves/0/pcpu", "3}", "CPU 3 of host \"h\" is one of "
		  "socket 0's \"hotplug_cpus\"" },
		{ "\"pcpu\": 5", "\"pcpu\": 6", "/vcpu_moves/0/pcpu", "6}", "in [0, 5], got 6" },
	};
	struct scenario *sc = parse_ok(vm);
	const struct scn_host *h = &sc->hosts[0];

	/* Socket 0: 0-1 online, 2-3 hotplug; socket 1: 4-5.  Default pins skip 2-3. */
	cr_expect(h->ncpus == 6 && h->ncpus_online == 4 && h->sockets[1].first_cpu == 4);
	expect_cpus(sc->vm.pins, sc->vm.nvcpus, (const unsigned[]){ 0, 1, 4, 5, 0 }, 5, "pins");
	scenario_destroy(sc);
	for (size_t i = 0; i < N(cases); i++)
		expect_error(vm, &cases[i]);
}

Test(scenario, events_and_host_checks_need_hosts)
{
	static const struct error_case board_cases[] = {
		{ "\"duration\": \"2s\",", "\"duration\": \"2s\", \"events\": [{}],", "/events", "[{}]",
		  "events happen on hosts: add \"hosts\", or remove \"events\"" },
		{ "\"duration\": \"2s\",", "\"duration\": \"2s\", \"host_checks\": [{}],", "/host_checks",
		  "[{}]", "host checks need hosts: add \"hosts\", or remove \"host_checks\"" },
		{ "\"duration\": \"2s\",", "\"duration\": \"2s\", \"events\": {},", "/events", "{},",
		  "expected an array of events, got an object" },
		{ "\"duration\": \"2s\",", "\"duration\": \"2s\", \"readers\": [{}],", "/readers", "[{}]",
		  "readers run in a guest and need a VM: add \"hosts\" and \"vm\", or drive the devices "
		  "with \"scripts\" (readers on bare metal need \"hosts\")" },
	};
	static const struct error_case metal_cases[] = {
		{ "\"duration\": \"10s\",", "\"duration\": \"10s\", \"migrations\": [{}],", "/migrations",
		  "[{}]", "migrations need a VM: add \"vm\", or remove \"migrations\"" },
		{ "\"duration\": \"10s\",", "\"duration\": \"10s\", \"vcpu_moves\": [{}],", "/vcpu_moves",
		  "[{}]", "vCPU moves need a VM: add \"vm\", or remove \"vcpu_moves\"" },
	};
	struct scenario *sc;
	char *text;

	for (size_t i = 0; i < N(board_cases); i++)
		expect_error(board, &board_cases[i]);
	for (size_t i = 0; i < N(metal_cases); i++)
		expect_error(metal, &metal_cases[i]);

	/* Empty lists are fine on a board. */
	text = edit(board, "\"duration\": \"2s\",", "\"duration\": \"2s\", \"events\": [], "
		    "\"host_checks\": [],");
	sc = parse_ok(text);
	cr_expect(sc->nevents == 0 && sc->events == NULL && sc->nhost_checks == 0);
	scenario_destroy(sc);
	free(text);

	/* Host checks alone are something to check. */
	text = edit(metal_min, "\"readers\": [{\"name\": \"r\", \"kind\": \"tsc\", \"cpus\": \"all\", "
		    "\"period\": \"1ms\"}]", "\"host_checks\": [{\"check\": \"flag_truth\", "
		    "\"expect\": \"pass\"}]");
	sc = parse_ok(text);
	cr_expect(sc->nreaders == 0 && sc->nhost_checks == 1);
	scenario_destroy(sc);
	free(text);

	/* Without them, and with hosts, the message names host_checks too. */
	{
		struct sim_diag err;

		text = edit(metal_min, "\"readers\": [{\"name\": \"r\", \"kind\": \"tsc\", \"cpus\": "
			    "\"all\", \"period\": \"1ms\"}]", "\"readers\": []");
		cr_expect_null(scenario_parse("t.json", text, strlen(text), &err));
		cr_expect_str_eq(err.msg,
				 "nothing to check: add \"readers\", \"scripts\" or \"host_checks\"");
		free(text);
	}
}

Test(scenario, nonstop_s3_defaults_to_false_and_parses)
{
	static const char *const text =
		"{ \"name\": \"s3\", \"duration\": \"1s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"tsc_features\": { \"nonstop_s3\": true }, \"sockets\": [ { \"cpus\": 1 } ] },\n"
		"    { \"name\": \"g\", \"tsc\": \"3GHz\", \"uptime\": \"1h\", \"sockets\": [ { \"cpus\": 1 } ] } ],\n"
		"  \"host_checks\": [ { \"check\": \"flag_truth\", \"host\": \"h\", \"expect\": \"pass\" } ] }\n";
	struct sim_diag err;
	struct scenario *s;

	sim_diag_clear(&err);
	s = scenario_parse("s3.json", text, strlen(text), &err);
	cr_assert(s, "%s: %s", err.path, err.msg);
	cr_expect(s->hosts[0].features.nonstop_s3);
	cr_expect(!s->hosts[1].features.nonstop_s3);
	scenario_destroy(s);
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
			cr_expect_eq(sc->vm.kvm_version, cases[i].want, "case %zu", i);
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
