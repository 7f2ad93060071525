/*
 * board_checks: the tsc_calibration and cmos_date host checks on whole
 * machines built from scenario text: a microVM board, and a board on the
 * VM's time base whose RTC stops for a migration's downtime.
 */
#include <stdio.h>

#include "oracle/hw/host_checks.h"
#include "tests/machine_rig.h"

#define S(n) ((int64_t)(n) * (int64_t)SIM_PS_PER_S)

/* a macro: -Wformat-nonliteral sees the literal at -O0 too */
#define MICROVM_FMT \
	"{ \"name\": \"t\", \"duration\": \"2s\", \"utc_start\": \"2026-06-15T00:00:00Z\",\n" \
	"  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1d\",\n" \
	"    \"sockets\": [ { \"cpus\": 1 } ], \"tsc_features\": { \"cpuid_15h\": false } } ],\n" \
	"  \"vm\": { \"host\": \"A\", \"vcpus\": 1 },\n" \
	"  \"platform\": { \"devices\": { \"pit\": false, \"rtc\": false, \"hpet\": false,\n" \
	"    \"pmtimer\": false }, \"floating\": \"%s\" },\n" \
	"  \"host_checks\": [\n" \
	"    { \"check\": \"tsc_calibration\", \"method\": \"pit_quick\", \"expect\": \"fail\" },\n" \
	"    { \"check\": \"tsc_calibration\", \"method\": \"cpuid\", \"expect\": \"fail\" },\n" \
	"    { \"check\": \"tsc_calibration\", \"method\": \"pvclock\", \"expect\": \"pass\" },\n" \
	"    { \"check\": \"cmos_date\", \"at\": \"10ms\", \"expect\": \"fail\" } ] }\n"

static const struct host_check_result *result(const struct machine *m, unsigned i)
{
	const struct host_check_result *r = machine_host_check_result(m, i);

	cr_assert(r && r->evaluated, "check %u ran", i);
	return r;
}

Test(board_checks, microvm_floating_low)
{
	char text[2048];
	struct scenario *s;
	struct machine *m;

	snprintf(text, sizeof(text), MICROVM_FMT, "0x00");
	s = parse(text);
	m = run(s);
	cr_expect_not(result(m, 0)->passed);
	cr_expect(strstr(result(m, 0)->first, "would hang") != NULL, "%s", result(m, 0)->first);
	cr_expect(strstr(result(m, 1)->first, "CPUID 0x15/0x16 are 0") != NULL);
	cr_expect(result(m, 2)->passed, "kvmclock's frequency: %s", result(m, 2)->note);
	cr_expect_eq(result(m, 2)->worst, 0);
	/* 943920000 s against 2026-06-15T00:00:00.01Z: beyond 106 days, saturated */
	cr_expect_eq(result(m, 3)->worst, INT64_MIN);
	cr_expect(strstr(result(m, 3)->first, "1999-11-30T00:00:00Z") != NULL, "%s",
		  result(m, 3)->first);
	machine_destroy(m);
	scenario_destroy(s);
}

Test(board_checks, microvm_floating_high)
{
	char text[2048];
	struct scenario *s;
	struct machine *m;

	snprintf(text, sizeof(text), MICROVM_FMT, "0xff");
	s = parse(text);
	m = run(s);
	cr_expect(strstr(result(m, 0)->first, "gives up") != NULL, "%s", result(m, 0)->first);
	cr_expect(strstr(result(m, 3)->first, "1970-01-01") != NULL, "%s", result(m, 3)->first);
	cr_expect(strstr(result(m, 3)->note, "UIP never clears") != NULL);
	machine_destroy(m);
	scenario_destroy(s);
}

/*
 * The RTC on the VM's time base stops for the 5 s downtime: read at 8 s it
 * says 3 s (whole seconds: true 8.0 s + the read's few us -> error in
 * (-6 s, -5 s]); on the host's board it says 8 s (error in (-1 s, 0]).
 */
Test(board_checks, rtc_stops_with_a_vm_board)
{
	static const struct {
		const char *board;
		int64_t lo_ps, hi_ps;
	} cases[] = {
		{ "host", -S(1), 0 },
		{ "vm", -S(6), -S(5) },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[2048];
		struct scenario *s;
		struct machine *m;
		int64_t w;

		snprintf(text, sizeof(text),
			 "{ \"name\": \"t\", \"duration\": \"9s\", \"utc_start\": \"2026-06-15T00:00:00Z\",\n"
			 "  \"hosts\": [ { \"name\": \"A\", \"tsc\": \"3GHz\", \"uptime\": \"1d\",\n"
			 "      \"sockets\": [ { \"cpus\": 1 } ] },\n"
			 "    { \"name\": \"B\", \"tsc\": \"3GHz\", \"uptime\": \"1d\",\n"
			 "      \"sockets\": [ { \"cpus\": 1 } ] } ],\n"
			 "  \"vm\": { \"host\": \"A\", \"vcpus\": 1, \"board\": \"%s\" },\n"
			 "  \"migrations\": [ { \"at\": \"1s\", \"to\": \"B\", \"downtime\": \"5s\" } ],\n"
			 "  \"host_checks\": [ { \"check\": \"cmos_date\", \"host\": \"B\", \"at\": \"8s\",\n"
			 "    \"threshold\": \"10s\", \"expect\": \"pass\" } ] }\n", cases[i].board);
		s = parse(text);
		m = run(s);
		w = result(m, 0)->worst;
		cr_expect(w > cases[i].lo_ps && w <= cases[i].hi_ps, "board %s: error %lld ps",
			  cases[i].board, (long long)w);
		machine_destroy(m);
		scenario_destroy(s);
	}
}
