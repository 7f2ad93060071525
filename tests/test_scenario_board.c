/* The scenario loader: the platform, device scripts, and the hpet and pmtimer readers. */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "sim/core/platform_clocks.h"
#include "tests/scenario_test.h"

static const char full[] = FULL_TEXT;
static const char minimal[] = MINIMAL_TEXT;
static const char board[] = BOARD_TEXT;
static const char counters[] = COUNTERS_TEXT;

/* ---- platform, device scripts, hpet and pmtimer readers ---- */

Test(scenario, platform_defaults_and_source)
{
	struct scenario *sc = parse_ok(minimal);
	const struct scn_platform *p = &sc->platform;

	cr_expect((sc->nvms > 0));
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

	cr_expect_not((sc->nvms > 0));
	cr_expect_eq(sc->nhosts, 0);
	cr_expect_eq(sc->nvms, 0);
	cr_expect_null(sc->vms);
	cr_expect_eq(sc->nreaders, 0);

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
		bool hex;                 /* reports print it in the radix it was written in */
	} cases[] = {
		{ "0", 0, false },
		{ "9007199254740992", 1ULL << 53, false },
		{ "\"0x0\"", 0, true },
		{ "\"0X1f\"", 0x1f, true },
		{ "\"0x20000000000001\"", (1ULL << 53) + 1, true },
		{ "\"9007199254740993\"", (1ULL << 53) + 1, false },
		{ "\"18446744073709551615\"", UINT64_MAX, false },
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
		cr_expect_eq(sc->scripts[0].commands[3].expect_hex, cases[i].hex, "%s", cases[i].value);
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
		  "expected 1 to 1024 hosts, got 0" },
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
	cr_expect(!(sc->nvms > 0) && sc->nreaders == 0 && sc->nscripts == 2);
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

	cr_expect((sc->nvms > 0));
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
		  "string contains the control character U+000A at byte 8" },
		{ "\"inb 0x71\"", "\"inb\\t0x71\"", "/scripts/1/commands/1", "\"inb\\t0x71\"",
		  "string contains the control character U+0009 at byte 3" },
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
		  "\"hpet\", \"pmtimer\", \"rdtsc\", " },   /* the list goes on with newer kinds */
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
			"\"bits\": 32},\n", "unknown key \"bits\"; expected one of: name, vm, kind, vcpus, period, "
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
