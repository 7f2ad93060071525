/* The scenario loader: host events (the timeline), reader bindings and host checks. */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "sim/core/platform_clocks.h"
#include "tests/scenario_test.h"

static const char full[] = FULL_TEXT;
static const char board[] = BOARD_TEXT;
static const char metal[] = METAL_TEXT;
static const char metal_min[] = METAL_MIN_TEXT;

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
		  "unknown key \"bind\"; expected one of: name, vm, kind, vcpus, period, jitter, cost, tsc_khz, "
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
		  "\"clocksource\", \"host\"", "expected one of \"flag_truth\", \"tsc_sync\", \"watchdog\", \"timer\", " },
		  /* the list goes on with newer kinds */
		{ "{ \"check\": \"timer\", ", "{ ", "/host_checks/3/check", "{ \"host\": \"h0\", \"expect\": "
		  "\"pass\", \"cpu\": 4", "missing required key \"check\"" },
		{ "\"slack\": \"50us\"", "\"slack\": \"50us\", \"threshold\": \"1ppm\"",
		  "/host_checks/3/threshold", "\"threshold\": \"1ppm\"", "key \"threshold\" is not allowed "
		  "in check \"timer\"; expected one of: check, name, host, vm, expect, worst, cpu, mode, arm_at, "
		  "delay, count, slack" },
		{ "\"slack\": \"50us\"", "\"slack\": \"50us\", \"wobble\": 1", "/host_checks/3/wobble",
		  "\"wobble\"", "unknown key \"wobble\"; expected one of: check, name, host" },
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
		  "\"tsc\",\n", "expected one of \"hpet\", \"acpi_pm\", \"kvm-clock\", got \"tsc\"" },
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
	expect_cpus(sc->vms[0].pins, sc->vms[0].nvcpus, (const unsigned[]){ 0, 1, 4, 5, 0 }, 5, "pins");
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

/* "clocksource" events: "to" is required, "tsc" or "hpet"; watchdog "demote" and "readout_limit". */
Test(scenario, clocksource_event_and_watchdog_rules)
{
	static const char *const text =
		"{ \"name\": \"cs\", \"duration\": \"10s\",\n"
		"  \"hosts\": [ { \"name\": \"h\", \"tsc\": \"3GHz\", \"uptime\": \"1h\",\n"
		"    \"sockets\": [ { \"cpus\": 2 } ] } ],\n"
		"  \"events\": [ { \"type\": \"clocksource\", \"at\": \"1s\", \"to\": \"hpet\" },\n"
		"    { \"type\": \"clocksource\", \"at\": \"2s\", \"to\": \"tsc\" } ],\n"
		"  \"host_checks\": [ { \"check\": \"watchdog\", \"expect\": \"pass\" },\n"
		"    { \"check\": \"watchdog\", \"expect\": \"pass\", \"demote\": true,\n"
		"      \"readout_limit\": \"2025-12\" } ] }\n";
	struct sim_diag err;
	struct scenario *s;
	char *bad;

	sim_diag_clear(&err);
	s = scenario_parse("cs.json", text, strlen(text), &err);
	cr_assert(s, "%s: %s", err.path, err.msg);
	cr_expect_eq(s->events[0].type, SCN_EV_CLOCKSOURCE);
	cr_expect(s->events[0].to_hpet);
	cr_expect_not(s->events[1].to_hpet);
	cr_expect_not(s->host_checks[0].watchdog.demote);
	cr_expect_eq(s->host_checks[0].watchdog.readout_limit, SCN_WD_READOUT_6_12);
	cr_expect(s->host_checks[1].watchdog.demote);
	cr_expect_eq(s->host_checks[1].watchdog.readout_limit, SCN_WD_READOUT_2025_12);
	scenario_destroy(s);

	bad = edit(text, "\"to\": \"hpet\"", "\"to\": \"acpi_pm\"");
	sim_diag_clear(&err);
	cr_expect_null(scenario_parse("cs.json", bad, strlen(bad), &err));
	cr_expect_str_eq(err.path, "/events/0/to");
	cr_expect(strstr(err.msg, "\"tsc\", \"hpet\""), "%s", err.msg);
	free(bad);
	bad = edit(text, ", \"to\": \"hpet\"", "");
	sim_diag_clear(&err);
	cr_expect_null(scenario_parse("cs.json", bad, strlen(bad), &err));
	cr_expect(strstr(err.msg, "missing required key \"to\""), "%s", err.msg);
	free(bad);
	/* the guest's watchdog needs a VM, and does not act on the host */
	bad = edit(text, "\"demote\": true,", "\"clocksource\": \"kvm-clock\",");
	sim_diag_clear(&err);
	cr_expect_null(scenario_parse("cs.json", bad, strlen(bad), &err));
	cr_expect(strstr(err.msg, "expected a \"vm\""), "%s", err.msg);
	free(bad);
	bad = edit(text, "\"demote\": true,", "\"demote\": true, \"clocksource\": \"kvm-clock\",");
	sim_diag_clear(&err);
	cr_expect_null(scenario_parse("cs.json", bad, strlen(bad), &err));
	cr_expect(strstr(err.msg, "expected no \"demote\""), "%s", err.msg);
	free(bad);
}
